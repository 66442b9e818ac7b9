"""The app's look: one font, one palette of tones, defined once for every window.

Ward PCs are often old 1366x768 screens read from a standing position, so the
base font is larger than a desktop default. Colours carry meaning through a
``tone`` property on a widget rather than per-widget style sheets, so a screen
says *what* a label means (a warning) and this file says how that looks.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

BASE_POINT_SIZE = 12
# Noto Sans has no Devanagari; listing both makes Hindi text render without tofu
# even where fontconfig's own fallback would pick something else.
FONT_FAMILIES = ["Noto Sans", "Noto Sans Devanagari"]

NEUTRAL = "neutral"
ALERT = "alert"
WARN = "warn"
ERROR = "error"

STYLESHEET = """
QLabel[tone="neutral"] { background: #e6e8eb; color: #2b2f33; border-radius: 4px; padding: 4px 10px; }
QLabel[tone="alert"]   { background: #8b1a1a; color: #ffffff; border-radius: 4px; padding: 4px 10px;
                         font-weight: bold; }
QLabel[tone="warn"]    { background: #ffbf00; color: #1f1a00; border-radius: 4px; padding: 4px 10px;
                         font-weight: bold; }
QLabel[tone="error"]   { color: #b00020; font-weight: bold; }
QFrame#banner          { background: #f4f5f7; border-bottom: 2px solid #c9ccd1; }
QLabel#siteName        { font-size: 16pt; font-weight: bold; color: #1d2327; }
QLabel#screenTitle     { font-size: 15pt; font-weight: bold; color: #1d2327; }
QLabel#muted           { color: #5a6169; }
QFrame#card            { background: #ffffff; border: 1px solid #c9ccd1; border-radius: 8px; }
QLineEdit              { padding: 6px; font-size: 14pt; }
QPushButton            { padding: 8px 18px; }
QPushButton:default    { font-weight: bold; }
QTableView             { font-size: 12pt; }
QHeaderView::section   { padding: 6px; font-weight: bold; }
"""


def apply_look(app: QApplication) -> None:
    app.setStyle("Fusion")  # the same look on Windows and Linux ward PCs, and in screenshots
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)


def set_tone(widget: QWidget, tone: str) -> None:
    """Give a widget one of the tones above; Qt re-reads property selectors only on re-polish."""
    if widget.property("tone") == tone:
        return
    widget.setProperty("tone", tone)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
