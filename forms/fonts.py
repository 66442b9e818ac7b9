"""The fonts every printed form uses: Noto Sans for Latin and Noto Sans Devanagari for Hindi.

Noto Sans Devanagari has no Latin letters and Noto Sans has no Devanagari, so
every piece of text is split by script and each run is set in its own font
(see ``bilingual.py``). The fonts come from the Debian package
``fonts-noto-core``; a ward PC without it must fail loudly at the first print,
not produce a form full of empty boxes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from downtime.errors import DowntimeError

LATIN = "NotoSans"
LATIN_BOLD = "NotoSans-Bold"
DEVANAGARI = "NotoSansDevanagari"
DEVANAGARI_BOLD = "NotoSansDevanagari-Bold"

# Registered font name -> file name inside the font directory.
FONT_FILES: dict[str, str] = {
    LATIN: "NotoSans-Regular.ttf",
    LATIN_BOLD: "NotoSans-Bold.ttf",
    DEVANAGARI: "NotoSansDevanagari-Regular.ttf",
    DEVANAGARI_BOLD: "NotoSansDevanagari-Bold.ttf",
}

DEBIAN_PACKAGE = "fonts-noto-core"
# forms/fonts/ first: the Windows build bundles the OFL fonts there (docs/windows-build.md). Then
# Debian/Ubuntu; the others cover Fedora/Arch layouts. DOWNTIME_FONT_DIR wins over all of them.
DEFAULT_FONT_DIRS = (
    Path(__file__).resolve().parent / "fonts",
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/noto"),
    Path("/usr/share/fonts/google-noto"),
)


class FontsMissingError(DowntimeError):
    """A font the forms need is not installed."""


@dataclass(frozen=True)
class FontPair:
    """The two fonts that set one weight of bilingual text."""

    latin: str
    devanagari: str


REGULAR = FontPair(LATIN, DEVANAGARI)
BOLD = FontPair(LATIN_BOLD, DEVANAGARI_BOLD)


def font_dirs() -> list[Path]:
    override = os.environ.get("DOWNTIME_FONT_DIR")
    return ([Path(override)] if override else []) + list(DEFAULT_FONT_DIRS)


def find_font_files(dirs: list[Path] | None = None) -> dict[str, Path]:
    """Map each registered font name to its file; raise FontsMissingError naming what is missing."""
    search = dirs if dirs is not None else font_dirs()
    found: dict[str, Path] = {}
    for name, filename in FONT_FILES.items():
        path = next((d / filename for d in search if (d / filename).is_file()), None)
        if path is not None:
            found[name] = path
    missing = sorted(set(FONT_FILES.values()) - {p.name for p in found.values()})
    if missing:
        raise FontsMissingError(
            f"cannot print forms: the font files {', '.join(missing)} were not found in "
            f"{', '.join(str(d) for d in search)}; install the Debian package {DEBIAN_PACKAGE} "
            f"(apt-get install {DEBIAN_PACKAGE}) or set DOWNTIME_FONT_DIR to a folder that holds them"
        )
    return found


@cache
def register_fonts() -> FontPair:
    """Register the four fonts with reportlab once per process; return the regular pair."""
    for name, path in find_font_files().items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # Families let <b> inside a Paragraph pick the bold face of the same script.
    pdfmetrics.registerFontFamily(LATIN, normal=LATIN, bold=LATIN_BOLD, italic=LATIN, boldItalic=LATIN_BOLD)
    pdfmetrics.registerFontFamily(
        DEVANAGARI, normal=DEVANAGARI, bold=DEVANAGARI_BOLD, italic=DEVANAGARI, boldItalic=DEVANAGARI_BOLD
    )
    return REGULAR
