"""The login window, driven offscreen through its real widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from downtime.gui.login import LoginWindow
from tests.gui.site_fixture import DEVICE, NURSE_ID, NURSE_NAME, NURSE_PIN, SITE, Site, journal_kinds


@pytest.fixture
def window(qtbot: QtBot, site: Site) -> LoginWindow:
    w = LoginWindow(site.path)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def type_credentials(qtbot: QtBot, window: LoginWindow, staff_id: str, pin: str) -> None:
    qtbot.keyClicks(window.form.staff_id, staff_id)
    qtbot.keyClick(window.form.staff_id, Qt.Key.Key_Return)  # moves on to the PIN
    qtbot.keyClicks(window.form.pin, pin)


def test_shows_site_and_device_before_login(window: LoginWindow) -> None:
    assert window.header.site_label.text() == SITE
    assert DEVICE in window.header.device_label.text()
    assert window.form.staff_id.hasFocus()


def test_wrong_pin_shows_core_message_clears_pin_and_refocuses(qtbot: QtBot, window: LoginWindow) -> None:
    with qtbot.assertNotEmitted(window.logged_in):
        type_credentials(qtbot, window, NURSE_ID, "111333")
        qtbot.keyClick(window.form.pin, Qt.Key.Key_Return)
    error = window.form.error_label
    assert error.isVisible()
    assert error.text() == f"wrong PIN for {NURSE_ID}; 4 tries left before it locks"
    assert error.property("tone") == "error"
    assert window.form.pin.text() == ""
    assert window.form.pin.hasFocus()
    assert window.form.staff_id.text() == NURSE_ID  # only the PIN is retyped


def test_right_pin_logs_in_with_enter(qtbot: QtBot, window: LoginWindow, site: Site) -> None:
    type_credentials(qtbot, window, NURSE_ID.lower(), NURSE_PIN)
    with qtbot.waitSignal(window.logged_in, timeout=5000) as signal:
        qtbot.keyClick(window.form.pin, Qt.Key.Key_Return)
    session = signal.args[0]
    try:
        assert (session.staff.staff_id, session.staff.name, session.staff.role) == (NURSE_ID, NURSE_NAME, "ward")
        assert window.form.pin.text() == ""  # the PIN does not linger in a hidden window
    finally:
        session.close()
    logins = journal_kinds(site.path, "auth.login")
    assert {"staff": NURSE_ID, "staff_id": NURSE_ID, "via": "gui"} in logins


def test_failed_attempt_then_success_journals_the_failure(qtbot: QtBot, window: LoginWindow, site: Site) -> None:
    type_credentials(qtbot, window, NURSE_ID, "111333")
    qtbot.keyClick(window.form.pin, Qt.Key.Key_Return)
    qtbot.keyClicks(window.form.pin, NURSE_PIN)
    with qtbot.waitSignal(window.logged_in, timeout=5000) as signal:
        qtbot.mouseClick(window.form.submit_button, Qt.MouseButton.LeftButton)
    signal.args[0].close()
    assert not window.form.error_label.isVisible()
    assert [e["staff_id"] for e in journal_kinds(site.path, "auth.login_failed")] == [NURSE_ID]


def test_unknown_staff_id_is_reported_and_focused(qtbot: QtBot, window: LoginWindow) -> None:
    type_credentials(qtbot, window, "X99", "135790")
    qtbot.keyClick(window.form.pin, Qt.Key.Key_Return)
    assert "X99 is not set up on this PC" in window.form.error_label.text()
    assert window.form.staff_id.hasFocus()
    assert window.form.pin.text() == ""


def test_empty_fields_are_asked_for_without_calling_the_core(qtbot: QtBot, window: LoginWindow) -> None:
    qtbot.mouseClick(window.form.submit_button, Qt.MouseButton.LeftButton)
    assert window.form.error_label.text() == "Type your staff ID."
    assert window.form.staff_id.hasFocus()
    qtbot.keyClicks(window.form.staff_id, NURSE_ID)
    qtbot.mouseClick(window.form.submit_button, Qt.MouseButton.LeftButton)
    assert window.form.error_label.text() == "Type your PIN."
    assert window.form.pin.hasFocus()


def test_pin_field_hides_digits_and_refuses_letters(qtbot: QtBot, window: LoginWindow) -> None:
    pin = window.form.pin
    assert pin.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(pin, "12a3b4")
    assert pin.text() == "1234"


def test_a_folder_that_is_not_a_home_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    w = LoginWindow(tmp_path / "nowhere")
    qtbot.addWidget(w)
    assert w.header.site_label.text() == "This PC is not set up"
    assert "is not a downtime folder" in w.header.problem_label.text()


def test_first_login_with_setup_code_chooses_a_pin(qtbot: QtBot, tmp_path: Path) -> None:
    from downtime import staging
    from tests.test_staging import PASSPHRASE, SITE_TOML

    (tmp_path / "site.toml").write_text(SITE_TOML)
    site = staging.load_site_file(tmp_path / "site.toml")
    package = staging.make_package(site, staging.plan_devices(site, 1), "W7-PC1", PASSPHRASE)
    staging.apply_package(tmp_path / "pc", staging.open_package(package, PASSPHRASE)).close()
    w = LoginWindow(tmp_path / "pc")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert not w.form.new_pin.isVisible()

    type_credentials(qtbot, w, "N1042", "731946")  # the one-time setup code from the site file
    with qtbot.assertNotEmitted(w.logged_in):
        qtbot.keyClick(w.form.pin, Qt.Key.Key_Return)
    assert w.form.new_pin.isVisible()
    qtbot.waitUntil(w.form.new_pin.hasFocus, timeout=2000)
    assert "choose a PIN" in w.form.error_label.text()

    qtbot.keyClicks(w.form.new_pin, "482059")
    qtbot.keyClick(w.form.new_pin, Qt.Key.Key_Return)
    qtbot.keyClicks(w.form.new_pin_again, "482058")
    with qtbot.assertNotEmitted(w.logged_in):
        qtbot.keyClick(w.form.new_pin_again, Qt.Key.Key_Return)
    assert "differ" in w.form.error_label.text()

    qtbot.keyClicks(w.form.new_pin_again, "482059")
    with qtbot.waitSignal(w.logged_in, timeout=5000) as signal:
        qtbot.keyClick(w.form.new_pin_again, Qt.Key.Key_Return)
    signal.args[0].close()
    assert not w.form.new_pin.isVisible()
    from downtime.session import login

    login(tmp_path / "pc", "N1042", "482059").close()  # the chosen PIN is now theirs
