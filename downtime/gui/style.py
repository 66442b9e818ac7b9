"""The app's look: one font, one palette of tones, defined once for every window.

Ward PCs are often old 1366x768 screens read from a standing position, so the
base font is larger than a desktop default. Colours carry meaning through a
``tone`` property on a widget rather than per-widget style sheets, so a screen
says *what* a label means (a warning) and this file says how that looks.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
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
QLabel#patientName     { font-size: 17pt; font-weight: bold; color: #1d2327; }
QFrame#patientBanner   { background: #f4f5f7; border: 1px solid #c9ccd1; border-radius: 6px; }
QLabel#muted           { color: #5a6169; }
QFrame#card            { background: #ffffff; border: 1px solid #c9ccd1; border-radius: 8px; }
QLineEdit              { padding: 6px; font-size: 14pt; }
QListView#offers       { font-size: 14pt; }
QListView#offers::item { padding: 3px 6px; }
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
    # A label already on screen keeps its old margins until told its style changed: without this the
    # tone's padding is lost, and Hindi matras touch the edge of the coloured box.
    QApplication.sendEvent(widget, QEvent(QEvent.Type.StyleChange))


LARGE_FONT_SCALE = 1.25  # 12 pt becomes 15 pt: readable at arm's length on a 1366x768 screen


def set_large_font(app: QApplication, enabled: bool) -> None:
    """Large-font mode for tired eyes and standing users: every size in the look grows by a quarter.

    Sizes in the style sheet are scaled with the base font, so headings stay bigger than body text.
    """
    import re

    scale = LARGE_FONT_SCALE if enabled else 1.0
    font = app.font()
    font.setPointSize(round(BASE_POINT_SIZE * scale))
    app.setFont(font)
    app.setStyleSheet(re.sub(r"(\d+)pt", lambda m: f"{round(int(m.group(1)) * scale)}pt", STYLESHEET))
    app.setProperty("largeFont", enabled)
