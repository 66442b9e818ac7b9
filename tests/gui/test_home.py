"""The home screen, the patient and census screens, roles, the F1 list and the lock, driven by keys offscreen."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.census_screen import CensusScreen
from downtime.gui.patient_screen import PatientScreen
from downtime.gui.print_jobs import print_record
from downtime.gui.today_entries import RecordsModel
from downtime.gui.workflows.admit import AdmitScreen
from downtime.gui.workflows.transfer import TransferScreen
from forms.codes import QrData, compact_id
from tests.gui.flow_helpers import pdf_text
from tests.gui.site_fixture import DOCTOR_ID, DOCTOR_NAME, NURSE_PIN
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
SUNITA = {"name": "Sunita Devi", "sex": "female", "age_years": 45, "phone": "9876543210"}


def test_type_ahead_arrows_and_enter(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    home = window.home_screen
    keys.type("sunita ma")
    hits = [h.name for h in home.search.model.hits]
    assert hits[:2] == ["Sunita Maurya", "Suneeta Maurya"]  # the spelling typed first
    assert home.search.results.isVisible() and not home.today.isVisible()
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)
    assert isinstance(window.patient_screen, PatientScreen)
    assert window.pages.currentWidget() is window.patient_screen
    assert window.patient_screen.banner.name_label.text() == "Suneeta Maurya"
    keys.press(Qt.Key.Key_Escape)  # back home, the last query selected for the next one
    assert window.pages.currentWidget() is home and home.search.edit.hasFocus()
    keys.press(Qt.Key.Key_Escape)  # clears the search: today's list is back
    assert home.search.query() == "" and home.today.isVisible()


def test_scanned_codes_open_the_record(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    session = session_of(window)
    patient = session.record("patient.register", SUNITA)
    admission = session.record("encounter.admit", {"patient": patient.human_id, "admitted_at": "2025-01-06T10:00",
                                                   "ward": WARD, "admitting_doctor": DOCTOR_NAME})
    qr = QrData(kind="encounter.admit", human_id=admission.human_id or "", form="admission", form_version="1",
                entry_uuid=admission.uuid, patient_id=patient.human_id).payload()
    for scanned, record in ((compact_id(patient.human_id or ""), patient.uuid),
                            (compact_id(admission.human_id or ""), admission.uuid),
                            (qr, admission.uuid)):
        window.home_screen.search.edit.setText(scanned)  # a scanner types this fast, then Enter
        keys.press(Qt.Key.Key_Return)
        screen = window.patient_screen
        assert screen is not None and window.pages.currentWidget() is screen, scanned
        assert screen.summary.patient.downtime_id == patient.human_id
        assert screen.history.current_record().uuid == record  # type: ignore[union-attr]
        keys.press(Qt.Key.Key_Escape)
    keys.type("100000000090")  # a UHID typed from an old OPD card
    keys.press(Qt.Key.Key_Return)
    assert window.patient_screen.banner.name_label.text() == "Sunita Maurya"  # type: ignore[union-attr]
    keys.press(Qt.Key.Key_Escape)
    keys.type("AIIMS-999-00001-0")
    keys.press(Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.home_screen
    assert "Nothing found" in window.home_screen.not_found_label.text()


def test_todays_list_shows_each_records_status(qtbot: QtBot, open_window: OpenWindow) -> None:
    window = open_window()
    session = session_of(window)
    printed_one = session.record("patient.register", SUNITA)
    admission = session.record("encounter.admit", {"patient": printed_one.human_id, "admitted_at": "2025-01-06T10:00",
                                                   "ward": WARD, "admitting_doctor": DOCTOR_NAME})
    assert print_record(session, admission.uuid, ["admission"]).ok
    corrected = session.record("patient.register", {**SUNITA, "name": "Meena Devi"})
    session.correct(corrected.uuid, {**SUNITA, "name": "Meena Kumari"}, "name as on Aadhaar")
    voided = session.record("patient.register", {**SUNITA, "name": "Duplicate Devi"})
    session.void(voided.uuid, "duplicate")
    last = session.journal.head()[0]
    session.record_export({"file": "b.bundle", "first_seq": 1, "last_seq": last, "entries": last,
                           "head_hash": "x", "sha256": "y", "office_key": "z",
                           "created_at": "2025-01-06T11:00"})
    session.record("note", {"patient": printed_one.human_id, "text": "handover"})  # after the export
    window.refresh()
    model = window.home_screen.model
    status = {model.index(r, RecordsModel.ID).data() or model.index(r, RecordsModel.ENTRY).data():
              model.index(r, RecordsModel.STATUS).data() for r in range(model.rowCount())}
    assert status[admission.human_id] == "printed · exported"
    assert status[corrected.human_id] == "corrected · not printed · exported"
    assert status[voided.human_id] == "voided · exported"
    assert model.index(0, RecordsModel.ENTRY).data() == "Note"  # newest first
    assert model.index(0, RecordsModel.STATUS).data() == "not printed · not yet exported"


def test_patient_screen_shows_allergies_results_admission_and_prints(qtbot: QtBot, open_window: OpenWindow,
                                                                     keys: Keys) -> None:
    window = open_window()
    keys.type("Sujit Saha")
    keys.press(Qt.Key.Key_Return)
    screen = window.patient_screen
    assert screen is not None
    assert screen.banner.allergy_label.text() == "ALLERGIES: Penicillin (Anaphylaxis)"
    assert screen.banner.allergy_label.property("tone") == "alert"
    results = screen.results.model()
    flagged = [results.index(r, 3).data() for r in range(results.rowCount())
               if results.index(r, 0).data(Qt.ItemDataRole.ForegroundRole) is not None]
    assert flagged and set(flagged) <= {"H", "L", "HH", "LL", "A"}
    assert screen.medications.model().rowCount() == 3
    assert "Medicine Ward 7, bed M7-07" in screen.admission_label.text()
    keys.press(Qt.Key.Key_P, CTRL)
    assert [p["form"] for p in printed(window)] == ["patient_summary"]
    assert "Sujit Saha" in pdf_text(latest_pdfs(window)[-1])
    assert "Saved as PDF" in screen.notice.text()


def test_census_lists_the_ward_opens_a_patient_and_prints(qtbot: QtBot, open_window: OpenWindow,
                                                          keys: Keys) -> None:
    window = open_window()
    keys.press(Qt.Key.Key_F11)
    census = window.census_screen
    assert isinstance(census, CensusScreen) and census.selected_ward() == WARD  # this PC's ward first
    assert census.model.rowCount() == 12 and census.model.index(0, 1).data() == "M7-01"
    keys.press(Qt.Key.Key_P, CTRL)
    assert printed(window)[-1]["subject"] == f"ward census: {WARD}, 12 in-patients"
    assert WARD in pdf_text(latest_pdfs(window)[-1])
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.patient_screen
    assert window.patient_screen.summary.patient.name == census.entries[1].name  # type: ignore[union-attr]


def test_actions_follow_the_role(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    nurse = open_window()
    keys.type("Tapas Roy")
    keys.press(Qt.Key.Key_Return)
    buttons = nurse.patient_screen.actions.buttons  # type: ignore[union-attr]
    assert "admit" in buttons and "discharge" not in buttons  # discharge is for doctors and records
    keys.press(Qt.Key.Key_F5)
    assert nurse.work_screen is None and "not available to the ward role" in nurse.notice.text()
    nurse.close()
    doctor = open_window(DOCTOR_ID)
    keys.type("Tapas Roy")
    keys.press(Qt.Key.Key_Return)
    assert "discharge" in doctor.patient_screen.actions.buttons  # type: ignore[union-attr]


def test_f1_lists_the_shortcuts_and_esc_closes_only_the_list(qtbot: QtBot, open_window: OpenWindow,
                                                             keys: Keys) -> None:
    window = open_window()
    keys.type("Tapas Roy")
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_F1)
    overlay = window.help_overlay
    assert overlay.isVisible()
    listed = overlay.listed_keys()
    assert {"F2", "Shift+F2", "F3", "F4", "F11", "F12", "Ctrl+Enter", "Esc"} <= set(listed)
    assert "F5" not in listed  # discharge: not for the ward role
    keys.press(Qt.Key.Key_F3)  # keys go to the list while it is open, not to the screen under it
    assert window.work_screen is None
    keys.press(Qt.Key.Key_Escape)
    assert not overlay.isVisible() and window.pages.currentWidget() is window.patient_screen


def test_a_half_filled_form_survives_the_lock_for_the_same_person(qtbot: QtBot, open_window: OpenWindow,
                                                                  keys: Keys) -> None:
    window = open_window()
    keys.type("Sunita Maurya")
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_F3)
    keys.type("M7-30")
    window.lock()
    assert window.locked and window.session is None
    qtbot.keyClicks(window.lock_screen.form.pin, NURSE_PIN)
    qtbot.keyClick(window.lock_screen.form.pin, Qt.Key.Key_Return)
    screen = window.work_screen
    assert isinstance(screen, AdmitScreen) and window.pages.currentWidget() is screen
    screen.form.rows["admitting_doctor"].widget.setText(DOCTOR_NAME)  # type: ignore[attr-defined]
    screen.save()  # through the session the unlock opened
    assert journal(window, "encounter.admit")[-1]["bed"] == "M7-30"
    assert dt.date.today().isoformat() in journal(window, "encounter.admit")[-1]["admitted_at"]


def test_switching_language_relabels_open_screens(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    keys.type("Tapas Roy")
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_F4)
    keys.type("ICU")
    window.set_language("hi")  # what language.set_language's signal calls; the form keeps what was typed
    screen = window.work_screen
    assert isinstance(screen, TransferScreen)
    assert screen.form.rows["to_ward"].label.text() == "किस वार्ड में *" and screen.form.rows["to_ward"].value() == "ICU"
    assert screen.title.text() == "अस्पताल के भीतर स्थानांतरण"
    keys.press(Qt.Key.Key_Escape)
    assert window.patient_screen.actions.buttons["admit"].text() == "भर्ती करें (F3)"  # type: ignore[union-attr]
    assert window.pages.currentWidget() is window.patient_screen
    window.set_language("en")
