"""Mixed English and Hindi text, set in the right font and correctly shaped.

Devanagari must be shaped (reordered and combined by HarfBuzz): without it, the
i-matra of कि is drawn after the consonant and conjuncts fall apart, which a
Hindi reader sees at once. reportlab shapes text in exactly two places, and
these are the only two this module uses:

* ``Paragraph`` with ``ParagraphStyle(shaping=1)``, for text that wraps;
* ``canvas.drawString(x, y, shapeStr(text, font, size))``, for single lines.

``drawString(..., shaping=True)`` and ``textLine`` look as if they shape but
silently do not, so nothing here calls them with Devanagari.

Neither font covers both scripts, so text is split into runs by script. A
Paragraph shapes each *word* with the font of the word's first fragment, so a
font change inside a word (between two whitespace characters) would turn the
second half into empty boxes; ``split_runs(word_safe=True)`` therefore puts a
space where a word switches script.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from forms.fonts import BOLD, REGULAR, FontPair, register_fonts

# Turning this off exists only so the tests can prove that they detect unshaped Hindi.
SHAPING = True

Align = Literal["left", "centre", "right"]
_ALIGNMENTS = {"left": TA_LEFT, "centre": TA_CENTER, "right": TA_RIGHT}

# Characters both fonts carry (checked against their cmaps): they take the script of their word,
# so "(एमएलसी)" stays in one font and "(S/o)" in the other.
_NEUTRAL = frozenset(
    " !\"#%'()*+,-./0123456789:;<=>?[\\]^_{|}~\xa0\xad×÷"
    "\u200b\u200c\u200d\u2010\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u20b9\u2212\u25cc"
)
# The characters reportlab's Paragraph breaks words at (reportlab.platypus.paragraph._wsc);
# no-break space is deliberately not one of them.
_WORD_BREAKS = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000"
)

YES_EN, YES_HI = "Yes", "हाँ"
NO_EN, NO_HI = "No", "नहीं"


@dataclass(frozen=True)
class Run:
    """A stretch of text in one script."""

    text: str
    devanagari: bool

    def font(self, fonts: FontPair) -> str:
        return fonts.devanagari if self.devanagari else fonts.latin


def is_devanagari(ch: str) -> bool:
    return "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff" or "\u1cd0" <= ch <= "\u1cff"


def _resolve_word(word: str) -> list[bool]:
    """Script of each character of one word: neutrals follow the strong character before them, else after."""
    strong: list[bool | None] = [None if ch in _NEUTRAL else is_devanagari(ch) for ch in word]
    resolved: list[bool] = []
    for i, s in enumerate(strong):
        if s is None:
            before = next((b for b in reversed(strong[:i]) if b is not None), None)
            after = next((a for a in strong[i + 1:] if a is not None), None)
            s = before if before is not None else (after if after is not None else False)
        resolved.append(s)
    return resolved


def _tokens(text: str) -> list[str]:
    """Split into alternating words and whitespace, using the Paragraph's idea of whitespace."""
    tokens: list[str] = []
    for ch in text:
        if tokens and (ch in _WORD_BREAKS) == (tokens[-1][0] in _WORD_BREAKS):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def split_runs(text: str, word_safe: bool = False) -> list[Run]:
    """Split ``text`` into runs of one script each; whitespace joins the run before it.

    With ``word_safe`` a space is inserted where a word switches script, for Paragraphs (see module doc).
    """
    if text.isascii():  # most values (names, IDs, dates) are Latin only: one run, no scan needed
        return [Run(text, False)] if text else []
    runs: list[Run] = []
    for token in _tokens(text):
        scripts = [runs[-1].devanagari if runs else False] * len(token) if token[0] in _WORD_BREAKS \
            else _resolve_word(token)
        for i, (ch, deva) in enumerate(zip(token, scripts, strict=True)):
            if runs and runs[-1].devanagari == deva:
                runs[-1] = Run(runs[-1].text + ch, deva)
                continue
            if word_safe and i > 0:
                runs[-1] = Run(runs[-1].text + " ", runs[-1].devanagari)
            runs.append(Run(ch, deva))
    return runs


def bi(en: str, hi: str) -> str:
    """The standard way a bilingual label reads: English first, then Hindi."""
    return f"{en} / {hi}" if en and hi else en or hi


# ---- Paragraph path (wrapping text) ----

@lru_cache(maxsize=16384)  # labels and headings repeat on every form of a pack
def markup(text: str, bold: bool = False) -> str:
    """Paragraph markup for plain ``text``: escaped, each script in its own font, newlines kept.

    Join the markup of two strings only where one ends or the other starts with a space: the
    Paragraph would shape a word glued across the join in one font (see the module doc).
    """
    fonts = BOLD if bold else REGULAR
    lines = []
    for line in str(text).split("\n"):
        lines.append("".join(
            f'<font name="{run.font(fonts)}">{escape(run.text)}</font>' for run in split_runs(line, word_safe=True)
        ))
    return "<br/>".join(lines)


def bi_markup(en: str, hi: str, bold_en: bool = True, bold_hi: bool = False) -> str:
    """Markup for an English label followed by its Hindi form."""
    if not hi:
        return markup(en, bold_en)
    if not en:
        return markup(hi, bold_hi)
    return f"{markup(en, bold_en)} / {markup(hi, bold_hi)}"


def style(size: float = 9, align: Align = "left", leading: float | None = None,
          space_after: float = 0) -> ParagraphStyle:
    """A shaping paragraph style; Devanagari needs about 1.35 x the size for matras above and below."""
    return _style(size, align, leading, space_after, SHAPING)


@cache
def _style(size: float, align: Align, leading: float | None, space_after: float, shaping: bool) -> ParagraphStyle:
    register_fonts()
    return ParagraphStyle(
        name=f"bi-{size}-{align}-{leading}-{space_after}-{shaping}",
        fontName=REGULAR.latin,
        fontSize=size,
        leading=leading if leading is not None else round(size * 1.35, 2),
        alignment=_ALIGNMENTS[align],
        spaceAfter=space_after,
        shaping=1 if shaping else 0,
    )


def para(text: str, size: float = 9, bold: bool = False, align: Align = "left") -> Paragraph:
    return Paragraph(markup(text, bold), style(size, align))


def bi_para(en: str, hi: str, size: float = 9, bold_en: bool = True, bold_hi: bool = False,
            align: Align = "left") -> Paragraph:
    return Paragraph(bi_markup(en, hi, bold_en, bold_hi), style(size, align))


# ---- Canvas path (single lines) ----

def _shaped(text: str, font: str, size: float, shaping: bool) -> tuple[str, float]:
    """The string to hand to drawString, and its width."""
    if shaping:
        s = shapeStr(text, font, size)
        if isinstance(s, ShapedStr):
            return s, sum(sd.x_advance for sd in s.__shapeData__) * size / 1000
        return s, pdfmetrics.stringWidth(s, font, size)
    return text, pdfmetrics.stringWidth(text, font, size)


def _line_runs(text: str, size: float, bold: bool) -> tuple[tuple[str, str, float], ...]:
    return _line_runs_cached(text, size, bold, SHAPING)


@lru_cache(maxsize=8192)
def _line_runs_cached(text: str, size: float, bold: bool, shaping: bool) -> tuple[tuple[str, str, float], ...]:
    """(font, string to draw, width) per run: page furniture repeats the same lines on every page."""
    register_fonts()
    fonts = BOLD if bold else REGULAR
    out = []
    for run in split_runs(text):
        font = run.font(fonts)
        if run.devanagari:
            s, width = _shaped(run.text, font, size, shaping)
        else:  # Latin needs no shaping, and skipping HarfBuzz keeps big packs fast
            s, width = run.text, pdfmetrics.stringWidth(run.text, font, size)
        out.append((font, s, width))
    return tuple(out)


def text_width(text: str, size: float, bold: bool = False) -> float:
    return sum(width for _, _, width in _line_runs(text, size, bold))


def fit_size(text: str, max_width: float, size: float, min_size: float = 5, bold: bool = False) -> float:
    """The largest font size, at most ``size``, at which one line of ``text`` fits ``max_width``."""
    width = text_width(text, size, bold)
    if width <= max_width:
        return size
    return max(min_size, size * max_width / width)


def draw_text(canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False,
              align: Align = "left") -> float:
    """Draw one line of mixed-script text with its baseline at ``y``; return its width."""
    runs = _line_runs(text, size, bold)
    width = sum(w for _, _, w in runs)
    x -= {"left": 0, "centre": width / 2, "right": width}[align]
    for font, s, w in runs:
        _emit(canvas, x, y, font, size, s)
        x += w
    return width


_ORIGIN = "BT 1 0 0 1 0 0 Tm "


def _emit(canvas: Canvas, x: float, y: float, font: str, size: float, s: str) -> None:
    """``canvas.drawString`` for an already-shaped string, with its text operators cached per PDF.

    The operators depend on the document (its font subsets), so the cache lives on the canvas; a pack
    draws the same labels on every page, and each is encoded once instead of hundreds of times.
    """
    cache: dict[tuple[str, float, str], str | None] = canvas.__dict__.setdefault("_downtime_text_ops", {})
    key = (font, size, s)
    if key not in cache:
        canvas.setFont(font, size)
        text = canvas.beginText(0, 0)
        text.textOut(s)
        code = text.getCode()
        # Anything but the expected shape (another reportlab) falls back to drawString, uncached.
        cache[key] = code[len(_ORIGIN):-3] if code.startswith(_ORIGIN) and code.endswith(" ET") else None
    ops = cache[key]
    if ops is None:
        canvas.setFont(font, size)
        canvas.drawString(x, y, s)
    else:
        canvas._code.append(f"BT 1 0 0 1 {fp_str(x, y)} Tm {ops} ET")


def draw_fitted(canvas: Canvas, x: float, y: float, text: str, max_width: float, size: float,
                min_size: float = 5, bold: bool = False, align: Align = "left") -> float:
    """Draw one line shrunk to fit ``max_width``; if even ``min_size`` is too wide, end it with an ellipsis.

    Used on labels and headers, where wrapping would push other identifiers off the stock.
    """
    size = fit_size(text, max_width, size, min_size, bold)
    # fit_size scales to the exact width; the tolerance keeps rounding from cutting a name that fits.
    while text_width(text, size, bold) > max_width + 0.01 and len(text) > 1:
        text = text[:-2].rstrip() + "…"
    return draw_text(canvas, x, y, text, size, bold, align)
