"""For the workflow tests: print to PDF only, read the PDFs back (pypdf), and drive the screens by keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PageObject, PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from downtime.gui import print_jobs
from downtime.gui.completer import OfferCompleter
from downtime.gui.kind_form import FieldRow


@pytest.fixture(autouse=True)
def pdf_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forms go to PDF files only: the tests read them back, and no test PC needs a printer."""
    monkeypatch.setattr(print_jobs, "TARGET", print_jobs.PrintTarget(pdf_only=True))


def pdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)


def _placed_text(page: PageObject) -> list[tuple[float, str]]:
    """Each piece of text on the page with the height of its baseline."""
    pieces: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            pieces.append((cm[3] * tm[5] + cm[5], text))  # the baseline in page space

    page.extract_text(visitor_text=visit)
    return pieces


def text_below(pdf: Path, marker: str) -> str:
    """The text printed below ``marker`` on the page that carries it (e.g. the slip under "Cut here")."""
    for page in PdfReader(pdf).pages:
        pieces = _placed_text(page)
        cut = [y for y, text in pieces if marker in text]
        if cut:
            return " ".join(text for y, text in pieces if y < cut[0])
    raise AssertionError(f"{marker!r} is not printed in {pdf.name}")


def show_active(qtbot: QtBot, widget: QWidget, size: tuple[int, int] = (1200, 900)) -> None:
    """Show a screen as the active window: its shortcuts (Ctrl+Enter, Esc, Alt+n) only work there."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()


def type_into(qtbot: QtBot, rows: dict[str, FieldRow], values: dict[str, str]) -> None:
    """Type ASCII into form fields as a user would (keyClicks with non-ASCII crashes: use setText for Hindi)."""
    for name, text in values.items():
        widget = rows[name].widget
        widget.setFocus()
        qtbot.keyClicks(widget, text)


def pick(qtbot: QtBot, rows: dict[str, FieldRow], name: str, key: Qt.Key) -> None:
    """Choose in a drop-down by typing the first letter of the choice."""
    rows[name].widget.setFocus()
    qtbot.keyClick(rows[name].widget, key)


def ctrl_enter(qtbot: QtBot, screen: QWidget) -> None:
    qtbot.keyClick(screen.focusWidget() or screen, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def enter(qtbot: QtBot, screen: QWidget) -> None:
    qtbot.keyClick(screen.focusWidget() or screen, Qt.Key.Key_Return)


def offers_on(rows: dict[str, FieldRow], name: str) -> OfferCompleter:
    """The names a text field offers as it is typed into (doctors, free beds)."""
    line = rows[name].widget
    assert isinstance(line, QLineEdit), f"{name} is not a text field"
    completer = line.completer()
    assert isinstance(completer, OfferCompleter), f"{name} offers nothing"
    return completer
