"""The main window: banner, today's entries, idle lock and log out, driven offscreen."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from downtime.gui.app import DowntimeApp
from downtime.gui.banner import event_text, format_duration, snapshot_text
from downtime.gui.main_window import MainWindow
from downtime.home import Home
from downtime.session import Banner, login
from tests.gui.site_fixture import (
    ADMIN_ID,
    ADMIN_PIN,
    DEVICE,
    DOCTOR_ID,
    DOCTOR_NAME,
    DOCTOR_PIN,
    NURSE_ID,
    NURSE_NAME,
    NURSE_PIN,
    SITE,
    Site,
    journal_kinds,
    make_site,
)

OpenWindow = Callable[..., MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, site: Site) -> Iterator[OpenWindow]:
    """Log the nurse in through the core and show a main window for her session."""
    windows: list[MainWindow] = []

    def open_(path: Path = site.path, idle_timeout_ms: int = 60_000) -> MainWindow:
        window = MainWindow(login(path, NURSE_ID, NURSE_PIN), idle_timeout_ms=idle_timeout_ms)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield open_
    for window in windows:
        window.close()  # logs out any session a test left open, so the journal is closed


def unlock_with(qtbot: QtBot, window: MainWindow, pin: str, staff_id: str | None = None) -> None:
    form = window.lock_screen.form
    if staff_id is not None:
        form.staff_id.setText(staff_id)
    qtbot.keyClicks(form.pin, pin)
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)


# -- login to main window ----------------------------------------------------------------------


def test_right_pin_opens_main_window_with_full_banner(qtbot: QtBot, site: Site) -> None:
    app = DowntimeApp(site.path, maximized=False)
    qtbot.addWidget(app.login_window)
    app.start()
    form = app.login_window.form
    qtbot.keyClicks(form.staff_id, NURSE_ID)
    qtbot.keyClick(form.staff_id, Qt.Key.Key_Return)
    qtbot.keyClicks(form.pin, NURSE_PIN)
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)

    window = app.main_window
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    assert not app.login_window.isVisible()
    banner = window.banner
    assert banner.site_label.text() == SITE
    assert DEVICE in banner.device_label.text()
    assert banner.staff_label.text() == f"Logged in: {NURSE_NAME} (ward)"
    assert banner.event_label.text() == "Downtime: ransomware — started under a minute ago"
    assert banner.event_label.property("tone") == "alert"
    assert banner.snapshot_label.text() == "no snapshot"
    assert banner.ids_label.text() == "IDs left: 99,998"  # one patient registered by the fixture
    assert banner.ids_label.property("tone") == "neutral"
    assert not banner.ids_warning_label.isVisible()
    window.close()


def test_home_screen_lists_todays_records_without_logins(qtbot: QtBot, open_window: OpenWindow,
                                                        site: Site) -> None:
    window = open_window()
    model = window.home_screen.model
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    _time, human_id, label, patient, status, staff = rows[0]
    assert (human_id, label, patient, staff) == (site.patient_id, "Patient registration", "Ramesh Kumar 0",
                                                 f"IT Admin ({ADMIN_ID})")
    assert status == "not printed · not yet exported"
    assert not any(row[2].startswith(("Login", "Logout", "Downtime")) for row in rows)  # records only
    assert window.home_screen.table.isVisible()
    assert window.home_screen.title.text() == f"Entries on this PC today: {len(rows)}"

    other = login(site.path, ADMIN_ID, ADMIN_PIN, via="test")
    new_id = other.record("patient.register", {"name": "Meena Devi", "sex": "female", "age_years": 31}).human_id
    other.close()
    window.refresh()
    assert model.rowCount() == len(rows) + 1
    assert model.index(0, 1).data() == new_id


def test_banner_warns_when_id_block_runs_low(qtbot: QtBot, open_window: OpenWindow, tmp_path: Path) -> None:
    small = make_site(tmp_path / "small", block_size=5, patients=4)
    window = open_window(small.path)
    assert window.banner.ids_label.text() == "IDs left: 1"
    assert window.banner.ids_label.property("tone") == "warn"
    assert window.banner.ids_warning_label.isVisible()
    assert "Only 1 of 5 downtime IDs left" in window.banner.ids_warning_label.text()


def test_banner_shows_snapshot_age_once_staged(qtbot: QtBot, open_window: OpenWindow, site: Site) -> None:
    # The banner reads snapshot.json, the plain facts written beside the encrypted snapshot; the export's
    # own time is set back here so the age is known.
    from downtime.snapshot_store import install_snapshot
    from tests.conftest import SYNTHEA

    home = Home(site.path)
    install_snapshot(home, sorted(SYNTHEA.glob("*.ndjson")))
    info = json.loads(home.snapshot_info_path.read_text("utf-8"))
    info["as_of"] = (dt.datetime.now().astimezone() - dt.timedelta(hours=3, minutes=5)).isoformat(timespec="seconds")
    home.snapshot_info_path.write_text(json.dumps(info), "utf-8")
    window = open_window()
    assert window.banner.snapshot_label.text() == "snapshot 3 h 5 min old"
    assert window.banner.snapshot_label.property("tone") == "warn"  # the default warning is after 2 h


# -- the banner's words, without a window ---------------------------------------------------------

NOW = dt.datetime(2025, 3, 14, 15, 30)


def banner(reason: str | None = None, started: str | None = None) -> Banner:
    return Banner(SITE, DEVICE, NURSE_NAME, "ward", reason, started, None, True, 10, None)


@pytest.mark.parametrize(("delta", "text"), [
    (dt.timedelta(seconds=20), "under a minute"),
    (dt.timedelta(minutes=42), "42 min"),
    (dt.timedelta(minutes=75), "1 h 15 min"),
    (dt.timedelta(hours=3, minutes=7), "3 h 7 min"),
    (dt.timedelta(days=2, hours=4, minutes=59), "2 d 4 h"),
])
def test_durations_read_at_a_glance(delta: dt.timedelta, text: str) -> None:
    assert format_duration(delta) == text


def test_event_text() -> None:
    assert event_text(banner(), NOW) == ("No downtime declared", "neutral")
    assert event_text(banner("ransomware", "2025-03-12T11:00"), NOW) == (
        "Downtime: ransomware — started 2 d 4 h ago", "alert")
    # A start time in the future is shown as typed, not as a negative age.
    assert event_text(banner("power", "2025-03-15T09:00"), NOW) == (
        "Downtime: power — started 2025-03-15T09:00", "alert")


def test_snapshot_text() -> None:
    assert snapshot_text(None, 2, NOW) == ("no snapshot", "warn")
    assert snapshot_text("2025-03-14T14:00", 2, NOW) == ("snapshot 1 h 30 min old", "neutral")
    assert snapshot_text("2025-03-14T10:00", 2, NOW) == ("snapshot 5 h 30 min old", "warn")


# -- idle lock ---------------------------------------------------------------------------------


def test_idle_lock_hides_data_and_unlocks_with_pin(qtbot: QtBot, open_window: OpenWindow, site: Site) -> None:
    window = open_window(idle_timeout_ms=150)
    assert window.home_screen.model.rowCount() > 0
    qtbot.waitUntil(lambda: window.locked, timeout=3000)

    assert not window.home_screen.table.isVisible()
    assert not window.banner.isVisible()
    assert window.home_screen.model.rowCount() == 0  # not just hidden: gone from the model
    assert window.session is None
    assert window.lock_screen.form.staff_id.text() == NURSE_ID
    assert window.lock_screen.form.pin.hasFocus()
    assert NURSE_NAME in window.lock_screen.message.text()
    assert [e["staff_id"] for e in journal_kinds(site.path, "auth.logout")] == [ADMIN_ID, NURSE_ID]
    assert journal_kinds(site.path, "auth.logout")[-1]["via"] == "idle_lock"

    unlock_with(qtbot, window, "000111")
    assert window.locked
    assert "wrong PIN" in window.lock_screen.form.error_label.text()

    unlock_with(qtbot, window, NURSE_PIN)
    assert not window.locked
    assert window.home_screen.table.isVisible()
    assert window.home_screen.model.rowCount() > 0
    assert window.banner.staff_label.text() == f"Logged in: {NURSE_NAME} (ward)"
    assert {"staff": NURSE_ID, "staff_id": NURSE_ID, "via": "unlock"} in journal_kinds(site.path, "auth.login")


def test_another_staff_member_can_take_over_a_locked_window(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window(idle_timeout_ms=150)
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    unlock_with(qtbot, window, DOCTOR_PIN, staff_id=DOCTOR_ID)
    assert not window.locked
    assert window.session is not None and window.session.staff.staff_id == DOCTOR_ID
    assert window.banner.staff_label.text() == f"Logged in: {DOCTOR_NAME} (doctor)"


def test_input_postpones_the_lock(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window(idle_timeout_ms=400)
    for _ in range(6):  # 600 ms of typing, longer than the timeout
        qtbot.wait(100)
        qtbot.keyClick(window.home_screen.search.edit, Qt.Key.Key_Down)
    assert not window.locked
    qtbot.waitUntil(lambda: window.locked, timeout=3000)


# -- log out -------------------------------------------------------------------------------------


def test_ctrl_l_logs_out_to_the_login_window(qtbot: QtBot, site: Site) -> None:
    app = DowntimeApp(site.path, maximized=False)
    qtbot.addWidget(app.login_window)
    app.start()
    app.login_window.form.staff_id.setText(NURSE_ID)
    app.login_window.form.pin.setText(NURSE_PIN)
    app.login_window.form.submit()
    window = app.main_window
    assert window is not None
    # Keyboard-first: the main window takes the keyboard by itself, with the cursor in the work area.
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    assert QApplication.focusWidget() is window.home_screen.search.edit  # type or scan straight away

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert app.main_window is None
    assert not window.isVisible()
    assert app.login_window.isVisible()
    assert app.login_window.form.staff_id.text() == ""
    logouts = journal_kinds(site.path, "auth.logout")
    assert logouts[-1] == {"staff": NURSE_ID, "staff_id": NURSE_ID, "via": "gui"}


def test_closing_the_window_logs_out(qtbot: QtBot, open_window: OpenWindow, site: Site) -> None:
    window = open_window()
    window.close()
    assert window.session is None
    assert journal_kinds(site.path, "auth.logout")[-1]["staff_id"] == NURSE_ID
