"""Doctors and free beds offered as they are typed: what the core offers, and how the admit screen offers it.

The ward PC of ``ward_fixtures`` is Medicine Ward 7: the snapshot puts patients in M7-01 to M7-12 (Tapas Roy
in M7-12) of its 40 beds, and names its attending doctors; the PC's staff list has one doctor.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.completer import OfferCompleter
from downtime.gui.main_window import MainWindow
from downtime.gui.workflows.admit import AdmitScreen
from downtime.session import Session, login
from tests.gui.flow_helpers import offers_on
from tests.gui.site_fixture import DOCTOR_NAME, NURSE_ID, NURSE_PIN, Site
from tests.gui.ward_fixtures import WARD, Keys, OpenWindow, journal

CTRL = Qt.KeyboardModifier.ControlModifier
TAPAS_ROY = "100000000289"  # in M7-12
SNAPSHOT_DOCTORS = ["Dr. Anil Rao", "Dr. Farhan Qureshi", "Dr. Harpreet Sandhu", "Dr. P. Banerjee",
                    "Dr. R. Venkatesan"]  # the attending doctors of Medicine Ward 7's census, by name


def _admit(session: Session, patient: str, bed: str, doctor: str) -> str:
    return session.record("encounter.admit", {"patient": patient, "admitted_at": "2025-01-06T08:00", "ward": WARD,
                                              "bed": bed, "admitting_doctor": doctor}).uuid


def test_the_core_offers_typed_staff_and_census_doctors_and_the_free_beds(ward_site: Site) -> None:
    session = login(ward_site.path, NURSE_ID, NURSE_PIN)
    try:
        offers = session.suggestions()
        assert list(offers.doctors) == [DOCTOR_NAME, *SNAPSHOT_DOCTORS]  # the staff list's, then the census's
        assert offers.free_beds == tuple(f"M7-{n}" for n in range(13, 41))

        wrong = _admit(session, ward_site.patient_id, "M7-20", "Dr Typo Name")
        session.void(wrong, "wrong patient")
        _admit(session, ward_site.patient_id, "M7-13", "Dr K. Menon")  # a visiting consultant, typed once
        session.record("encounter.transfer", {"patient": TAPAS_ROY, "transferred_at": "2025-01-06T09:00",
                                              "to_ward": "Surgery Ward 3", "to_bed": "S3-09",
                                              "ordered_by": "DR ANIL RAO"})
        offers = session.suggestions()
        # Typed on this PC first, newest first; one spelling per doctor; a voided record's name is gone.
        assert list(offers.doctors) == ["DR ANIL RAO", "Dr K. Menon", DOCTOR_NAME, *SNAPSHOT_DOCTORS[1:]]
        # M7-13 is taken now, M7-12 free since Tapas Roy left, M7-20 free again since its admission was voided.
        assert offers.free_beds[:2] == ("M7-12", "M7-14") and "M7-20" in offers.free_beds
        surgery = session.suggestions("surgery ward 3").free_beds  # any ward, its name in any case
        assert surgery and all(b.startswith("S3-") for b in surgery) and "S3-09" not in surgery
        assert session.suggestions("A ward nobody knows").free_beds == ()
    finally:
        session.close()


def _admit_screen(window: MainWindow, keys: Keys) -> tuple[AdmitScreen, OfferCompleter, OfferCompleter]:
    keys.type("Sunita Maurya")
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_F3)
    screen = window.work_screen
    assert isinstance(screen, AdmitScreen)
    return screen, offers_on(screen.form.rows, "bed"), offers_on(screen.form.rows, "admitting_doctor")


def test_any_word_in_any_case_finds_a_doctor_and_a_visitor_is_typed_in_full(
        qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    screen, bed, doctor = _admit_screen(window, keys)
    keys.press(Qt.Key.Key_Down)                # an empty bed field: ↓ lists every free bed, like a drop-down
    assert bed.shown() == [f"M7-{n}" for n in range(13, 41)]
    keys.press(Qt.Key.Key_Down)                # the second
    keys.press(Qt.Key.Key_Return)
    assert screen.form.rows["bed"].value() == "M7-14"
    keys.press(Qt.Key.Key_Tab)
    keys.type("RAO")
    assert doctor.shown() == [DOCTOR_NAME, "Dr. Anil Rao"] and doctor.highlighted_text() == DOCTOR_NAME
    assert screen.form.rows["admitting_doctor"].value() == "RAO"  # highlighted, not yet taken
    keys.press(Qt.Key.Key_Escape)              # closes the list only: the form stays open with what was typed
    assert doctor.shown() == [] and screen.isVisible() and screen.form.rows["admitting_doctor"].value() == "RAO"
    screen.form.rows["admitting_doctor"].widget.clear()  # type: ignore[attr-defined]
    keys.type("Dr Suresh Visiting")            # on no list: nothing offered, nothing changed
    assert doctor.shown() == []
    keys.press(Qt.Key.Key_Return, CTRL)
    [admission] = journal(window, "encounter.admit")
    assert (admission["bed"], admission["admitting_doctor"]) == ("M7-14", "Dr Suresh Visiting")


def test_ctrl_enter_with_the_list_open_takes_the_offer_and_saves(qtbot: QtBot, open_window: OpenWindow,
                                                                keys: Keys) -> None:
    window = open_window()
    _, _, doctor = _admit_screen(window, keys)
    keys.type("40")
    keys.press(Qt.Key.Key_Tab)
    keys.type("sandhu")
    assert doctor.highlighted_text() == "Dr. Harpreet Sandhu"
    keys.press(Qt.Key.Key_Return, CTRL)
    [admission] = journal(window, "encounter.admit")
    assert (admission["bed"], admission["admitting_doctor"]) == ("M7-40", "Dr. Harpreet Sandhu")
