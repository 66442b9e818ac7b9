"""A ward PC with an HMIS snapshot, its main window open for a chosen staff member, and counted key presses.

``tests/gui/conftest.py`` makes these fixtures available to every GUI test. Printing goes to PDF
only (``flow_helpers.pdf_only``, also made available by the conftest), so no test depends on a print queue; the PDFs are read back with pypdf.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from downtime.demo_data import generate_export
from downtime.gui.main_window import MainWindow
from downtime.home import Home
from downtime.session import Session, login
from downtime.snapshot_store import install_snapshot
from tests.gui.site_fixture import (
    ADMIN_ID,
    ADMIN_PIN,
    DOCTOR_ID,
    DOCTOR_PIN,
    NURSE_ID,
    NURSE_PIN,
    Site,
    make_site,
)

WARD = "Medicine Ward 7"
PINS = {NURSE_ID: NURSE_PIN, DOCTOR_ID: DOCTOR_PIN, ADMIN_ID: ADMIN_PIN}


@pytest.fixture(scope="session")
def hmis_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic HMIS export: 300 patients, 30 of them in-patients across several wards."""
    folder = tmp_path_factory.mktemp("hmis-export")
    generate_export(folder, patients=300, inpatients=30, seed=7)
    return folder


@pytest.fixture
def ward_site(tmp_path: Path, hmis_export: Path) -> Site:
    """The GUI tests' ward PC, set up for Medicine Ward 7, with the snapshot installed."""
    site = make_site(tmp_path / "home")
    home = Home(site.path)
    config = home.load_config()
    config.ward = WARD
    home.save_config(config)
    install_snapshot(home, sorted(hmis_export.glob("*.ndjson")))
    return site


OpenWindow = Callable[..., MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, ward_site: Site, pdf_only: None) -> Iterator[OpenWindow]:
    """Log a staff member in (the nurse by default) and show an active main window for them."""
    windows: list[MainWindow] = []

    def open_(staff_id: str = NURSE_ID) -> MainWindow:
        window = MainWindow(login(ward_site.path, staff_id, PINS[staff_id]), idle_timeout_ms=600_000)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
        windows.append(window)
        return window

    yield open_
    for window in windows:
        window.close()


def session_of(window: MainWindow) -> Session:
    assert window.session is not None
    return window.session


@dataclass
class Keys:
    """Key presses sent to whatever has the focus, as a user's would be; typing field text is counted apart."""

    qtbot: QtBot
    presses: int = 0
    typed: int = 0

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(self._focus(), key, modifier)
        self.presses += 1

    def type(self, text: str) -> None:
        """Field contents (ASCII only: keyClicks with other text crashes the test process)."""
        self.qtbot.keyClicks(self._focus(), text)
        self.typed += len(text)

    @staticmethod
    def _focus() -> QWidget:
        # An open list of offers (a completer's popup) takes the keys, as it does from a real keyboard.
        widget = QApplication.activePopupWidget() or QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget


@pytest.fixture
def keys(qtbot: QtBot) -> Keys:
    return Keys(qtbot)


def journal(window: MainWindow, kind: str) -> list[dict[str, Any]]:
    """Payloads of ``kind`` entries, read through the window's own session."""
    return [{"_staff": e.staff, "_uuid": e.uuid, "_human_id": e.human_id, **e.payload}
            for e in session_of(window).journal.entries(kind=kind)]


def printed(window: MainWindow) -> list[dict[str, Any]]:
    return journal(window, "print.record")


def latest_pdfs(window: MainWindow) -> list[Path]:
    """This PC's print folder, oldest first."""
    folder = session_of(window).home.path / "prints"
    return sorted(folder.glob("*.pdf"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []


