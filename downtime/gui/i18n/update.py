"""Refresh the Hindi translation of the ward app: extract every GUI string, keep what is translated, compile.

    .venv/bin/python downtime/gui/i18n/update.py          # after adding or changing a string in downtime/gui
    .venv/bin/python downtime/gui/i18n/update.py --check  # fail if a string has no Hindi yet (CI)

``pyside6-lupdate`` reads ``self.tr(...)``, ``QCoreApplication.translate(...)`` and the modules'
``_tr(...)`` helpers (through ``-tr-function-alias``; it files those under no context, and the
app's translator looks there too, see ``language.py``). New strings arrive marked unfinished in
``downtime_hi.ts``: translate them there (Qt Linguist, or any text editor), then run this again
to compile ``downtime_hi.qm``, which is what the app loads.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUI = HERE.parent
TS = HERE / "downtime_hi.ts"
QM = HERE / "downtime_hi.qm"


def tool(name: str) -> str:
    """The Qt tool that ships with the PySide6 in this interpreter's environment."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6 (PySide6-Essentials ships it)")
    return found


def unfinished(ts: Path = TS) -> list[str]:
    """Source texts that have no Hindi yet."""
    root = ET.parse(ts).getroot()
    return [m.findtext("source") or "" for m in root.iter("message")
            if (translation := m.find("translation")) is not None and translation.get("type") == "unfinished"]


def extract(ts: Path = TS) -> None:
    """Bring ``ts`` up to date with the strings in the GUI's source, keeping the translations it has."""
    root = HERE.parents[2]
    sources = sorted(str(p.relative_to(root)) for p in GUI.rglob("*.py") if p.parent != HERE)
    subprocess.run([tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none", "-target-language", "hi_IN",
                    "-tr-function-alias", "tr+=_tr", *sources, "-ts", str(ts)], check=True, cwd=root,
                   stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    extract()
    missing = unfinished()
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(TS), "-qm", str(QM)], check=True)
    for text in missing:
        print(f"not yet in Hindi: {text}")
    print(f"{QM.name}: {len(missing)} string(s) not yet translated")
    return 1 if missing and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
