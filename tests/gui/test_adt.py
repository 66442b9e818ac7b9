"""Admit, transfer, discharge (four ways), correct and void through the real screens; journal and PDFs read back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.main_window import MainWindow
from downtime.gui.workflows.correct import CorrectScreen
from downtime.gui.workflows.discharge import DischargeScreen
from downtime.gui.workflows.transfer import TransferScreen
from tests.gui.flow_helpers import pdf_text
from tests.gui.site_fixture import DOCTOR_ID, DOCTOR_NAME
from tests.gui.ward_fixtures import (
    WARD,
    Keys,
    OpenWindow,
    journal,
    latest_pdfs,
    printed,
    session_of,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def open_patient(keys: Keys, window: MainWindow, name: str) -> None:
    keys.type(name)
    keys.press(Qt.Key.Key_Return)
    assert window.patient_screen is not None and window.patient_screen.summary.patient.name == name


def test_transfer_starts_from_where_the_patient_is(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    open_patient(keys, window, "Tapas Roy")  # an in-patient of the snapshot: Medicine Ward 7, M7-12
    keys.press(Qt.Key.Key_F4)
    screen = window.work_screen
    assert isinstance(screen, TransferScreen)
    assert {k: screen.form.rows[k].value() for k in ("from_ward", "from_bed", "hmis_ip_number")} == {
        "from_ward": WARD, "from_bed": "M7-12", "hmis_ip_number": "IP100000000289"}
    keys.type("Surgery Ward 3")
    keys.press(Qt.Key.Key_Tab)
    keys.type("S3-09")
    keys.press(Qt.Key.Key_Return, CTRL)
    [transfer] = journal(window, "encounter.transfer")
    assert (transfer["patient"], transfer["to_ward"], transfer["to_bed"]) == ("100000000289", "Surgery Ward 3", "S3-09")
    assert [p["form"] for p in printed(window)] == ["transfer_slip"]
    text = pdf_text(latest_pdfs(window)[-1])
    assert "Tapas Roy" in text and "Surgery Ward 3" in text
    assert "Surgery Ward 3, bed S3-09" in window.patient_screen.admission_label.text()  # type: ignore[union-attr]
    keys.press(Qt.Key.Key_Escape)
    keys.press(Qt.Key.Key_F11)
    assert "Tapas Roy" not in [e.name for e in window.census_screen.entries]  # type: ignore[union-attr]


@pytest.mark.parametrize(("type_key", "value", "extra", "form", "title"), [
    (Qt.Key.Key_D, "normal", {}, "discharge_slip", "Discharge slip"),
    (Qt.Key.Key_L, "lama", {"lama_reason": "Wants treatment nearer home", "lama_witness": "Son, Amit Roy"},
     "discharge_lama", "LAMA"),
    (Qt.Key.Key_R, "referred", {"referred_to": "Safdarjung Hospital, Nephrology"}, "discharge_referred",
     "Referral slip"),
    (Qt.Key.Key_A, "absconded", {"absconded_noticed_at": "2025-01-15 06:30"}, "discharge_absconded",
     "Absconded patient note"),
])
def test_discharge_variants_print_their_own_form(qtbot: QtBot, open_window: OpenWindow, keys: Keys, type_key: Qt.Key,
                                                 value: str, extra: dict[str, str], form: str, title: str) -> None:
    window = open_window(DOCTOR_ID)
    open_patient(keys, window, "Tapas Roy")
    keys.press(Qt.Key.Key_F5)
    screen = window.work_screen
    assert isinstance(screen, DischargeScreen) and screen.form.rows["discharge_type"].widget.hasFocus()
    keys.press(type_key)  # type-to-select in the type list
    shown = {name for name, row in screen.form.rows.items() if not row.widget.parentWidget().isHidden()}
    assert set(extra) <= shown and not {"lama_reason", "referred_to", "absconded_noticed_at"} - set(extra) & shown
    for name, text in extra.items():
        screen.form.rows[name].widget.setFocus()
        keys.type(text)
    assert screen.form.rows["discharging_doctor"].value() == DOCTOR_NAME  # the doctor at the keyboard
    keys.press(Qt.Key.Key_Return, CTRL)
    [discharge] = journal(window, "encounter.discharge")
    assert discharge["discharge_type"] == value and discharge["hmis_ip_number"] == "IP100000000289"
    assert all(discharge[k] for k in extra)
    assert [p["form"] for p in printed(window)] == [form]
    text = pdf_text(latest_pdfs(window)[-1])
    assert title in text and "Tapas Roy" in text
    assert session_of(window).current_admission("100000000289") is None
    assert window.patient_screen.admission_label.text() == "Not admitted."  # type: ignore[union-attr]


def test_fields_of_a_type_no_longer_chosen_are_not_saved(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window(DOCTOR_ID)
    open_patient(keys, window, "Tapas Roy")
    keys.press(Qt.Key.Key_F5)
    screen = window.work_screen
    assert isinstance(screen, DischargeScreen)
    screen.set_type("lama")
    screen.form.rows["lama_reason"].widget.setPlainText("changed mind")  # type: ignore[attr-defined]
    screen.set_type("normal")
    keys.press(Qt.Key.Key_Return, CTRL)
    [discharge] = journal(window, "encounter.discharge")
    assert discharge["discharge_type"] == "normal" and "lama_reason" not in discharge


def admit_through_the_screen(keys: Keys, window: MainWindow, name: str, bed: str) -> None:
    open_patient(keys, window, name)
    keys.press(Qt.Key.Key_F3)
    keys.type(bed)
    keys.press(Qt.Key.Key_Tab)
    keys.type(DOCTOR_NAME)
    keys.press(Qt.Key.Key_Return, CTRL)


def test_correcting_an_admission_reprints_it(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    admit_through_the_screen(keys, window, "Sunita Maurya", "M7-14")
    [admission] = journal(window, "encounter.admit")
    assert window.patient_screen.history.current_record().uuid == admission["_uuid"]  # type: ignore[union-attr]
    prints_before = len(printed(window))
    keys.press(Qt.Key.Key_F12)
    screen = window.work_screen
    assert isinstance(screen, CorrectScreen) and screen.reason.hasFocus()
    assert screen.form.rows["bed"].value() == "M7-14"
    keys.type("Bed number written wrong")
    screen.form.rows["bed"].widget.setFocus()
    screen.form.rows["bed"].widget.selectAll()  # type: ignore[attr-defined]
    keys.type("M7-16")
    keys.press(Qt.Key.Key_Return, CTRL)
    [correction] = journal(window, "entry.correct")
    assert correction["reason"] == "Bed number written wrong" and correction["fields"]["bed"] == "M7-16"
    assert correction["fields"]["patient"] == "100000000090"  # the patient is kept, never retyped
    reprints = printed(window)[prints_before:]
    assert [(p["form"], p["reprint"]) for p in reprints] == [("admission", True), ("wristband_strip", True)]
    text = pdf_text([p for p in latest_pdfs(window) if "-admission-" in p.name][-1])
    assert "M7-16" in text and "corrected" in text
    status = window.patient_screen.history_model.row_at(0).status  # type: ignore[union-attr]
    assert status.startswith("corrected · printed 4×")
    assert "corrected" in window.notice.text()


def test_voiding_needs_a_reason_and_prints_nothing(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    admit_through_the_screen(keys, window, "Sunita Maurya", "M7-14")
    prints_before = len(printed(window))
    keys.press(Qt.Key.Key_F12)
    screen = window.work_screen
    assert isinstance(screen, CorrectScreen)
    keys.press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # from the reason back to "what to do"
    keys.press(Qt.Key.Key_V)  # "Void: cancel this entry"
    assert not screen.form.isEnabled()
    keys.press(Qt.Key.Key_Return, CTRL)
    assert journal(window, "entry.void") == [] and screen.message.isVisible()  # the core asks for a reason
    screen.reason.setFocus()
    keys.type("Entered for the wrong patient")
    keys.press(Qt.Key.Key_Return, CTRL)
    [void] = journal(window, "entry.void")
    assert void["reason"] == "Entered for the wrong patient"
    assert len(printed(window)) == prints_before
    assert window.patient_screen.history_model.row_at(0).status.startswith("voided")  # type: ignore[union-attr]
    assert session_of(window).current_admission("100000000090") is None
    assert "Strike through its paper copies" in window.notice.text()
