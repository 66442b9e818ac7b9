"""Registering a patient: likely matches first, the clerk's answer journaled, newborns linked to the mother."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.main_window import MainWindow
from downtime.gui.patient_screen import PatientScreen
from downtime.gui.workflows.register import NewbornScreen, RegisterScreen
from tests.gui.ward_fixtures import Keys, OpenWindow, journal

CTRL = Qt.KeyboardModifier.ControlModifier


def fill_register(keys: Keys, *, sex_key: Qt.Key, age: str, phone: str = "", relative: str = "") -> None:
    """From the sex field (the name came from the search): sex, age, phone, relative."""
    keys.press(sex_key)
    for text in (age, phone, relative):
        keys.press(Qt.Key.Key_Tab)
        keys.type(text)


def registrations(window: MainWindow) -> list[dict[str, Any]]:
    return [r for r in journal(window, "patient.register") if not r["name"].startswith("Ramesh Kumar")]


def test_a_patient_nobody_resembles_is_registered_straight_away(qtbot: QtBot, open_window: OpenWindow,
                                                                keys: Keys) -> None:
    window = open_window()
    keys.type("Zorawar Tiwana")
    keys.press(Qt.Key.Key_F2)
    screen = window.work_screen
    assert isinstance(screen, RegisterScreen) and screen.form.rows["sex"].widget.hasFocus()
    fill_register(keys, sex_key=Qt.Key.Key_M, age="67")
    keys.press(Qt.Key.Key_Return, CTRL)
    [patient] = registrations(window)
    assert (patient["name"], patient["sex"], patient["age_years"]) == ("Zorawar Tiwana", "male", 67)
    assert journal(window, "note") == []  # nothing was shown, so there was nothing to rule out
    assert isinstance(window.patient_screen, PatientScreen)
    assert window.patient_screen.summary.patient.downtime_id == patient["_human_id"]
    assert "Patient registration saved" in window.notice.text()


def test_picking_a_likely_match_opens_that_patient_and_registers_nobody(qtbot: QtBot, open_window: OpenWindow,
                                                                        keys: Keys) -> None:
    window = open_window()
    keys.type("Sunita")
    keys.press(Qt.Key.Key_F2)
    fill_register(keys, sex_key=Qt.Key.Key_F, age="30", phone="8438586165")
    keys.press(Qt.Key.Key_Return, CTRL)
    screen = window.work_screen
    assert isinstance(screen, RegisterScreen)
    assert screen.matches.hits[0].name == "Sunita Maurya"  # the same phone puts her first
    assert "SAME PHONE" in screen.matches.list.item(1).text()
    assert screen.matches.list.hasFocus() and screen.matches.list.currentRow() == 0  # "new" is preselected
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)
    assert registrations(window) == []
    [note] = journal(window, "note")
    assert note["patient"] == "100000000090" and note["text"].startswith("Registration check: chosen")
    assert window.patient_screen.summary.patient.name == "Sunita Maurya"  # type: ignore[union-attr]
    assert window.patient_screen.history.current_record().kind == "note"  # type: ignore[union-attr]


def test_field_errors_come_before_the_matches_and_esc_in_the_list_returns_to_the_form(
        qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    keys.type("Sunita Maurya")
    keys.press(Qt.Key.Key_F2)
    keys.press(Qt.Key.Key_Return, CTRL)
    screen = window.work_screen
    assert isinstance(screen, RegisterScreen)
    assert screen.form.rows["sex"].error.isVisible() and not screen.matches.list.hasFocus()
    fill_register(keys, sex_key=Qt.Key.Key_F, age="31")
    keys.press(Qt.Key.Key_Return, CTRL)
    assert screen.matches.list.hasFocus()
    keys.press(Qt.Key.Key_Escape)  # back to the form to check the details, not out of the screen
    assert window.work_screen is screen and screen.form.rows["name"].widget.hasFocus()
    assert registrations(window) == []
    keys.press(Qt.Key.Key_Escape)  # now Esc cancels
    assert window.work_screen is None and registrations(window) == []


def test_newborn_is_registered_as_baby_of_the_mother(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    keys.type("Sunita Maurya")
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_F2, Qt.KeyboardModifier.ShiftModifier)
    screen = window.work_screen
    assert isinstance(screen, NewbornScreen)
    assert screen.banner.name_label.text() == "Sunita Maurya"  # the mother, confirmed on screen
    keys.press(Qt.Key.Key_F)
    keys.press(Qt.Key.Key_Return, CTRL)
    if window.work_screen is screen:  # other babies of Sunita may look alike: answer "new"
        keys.press(Qt.Key.Key_Return)
    [baby] = registrations(window)
    assert (baby["name"], baby["relation_type"], baby["relative"], baby["mother"], baby["age_years"]) == (
        "B/O Sunita Maurya", "bo", "B/O Sunita Maurya", "100000000090", 0)
    assert baby["phone"] == "8438586165"
    assert window.patient_screen.summary.patient.relation == "B/O Sunita Maurya"  # type: ignore[union-attr]
