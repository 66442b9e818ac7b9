"""How many key presses the two commonest jobs take, counted through the real widgets.

Typing a field's contents is counted apart from the key presses that move, choose and save; the admission's
goal counts both, every key after the name. The figures are printed (``pytest -s``) for the issue's closing
note; the goals are asserted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.patient_screen import PatientScreen
from downtime.gui.workflows.admit import AdmitScreen
from downtime.gui.workflows.register import RegisterScreen
from tests.gui.flow_helpers import offers_on, pdf_text
from tests.gui.site_fixture import DOCTOR_NAME
from tests.gui.ward_fixtures import (
    WARD,
    Keys,
    OpenWindow,
    journal,
    printed,
    session_of,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def test_admit_a_patient_found_in_the_snapshot(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    keys.type("Sunita Maurya")                 # the name, in the search box that has the cursor at login
    after_name = keys.presses + keys.typed
    keys.press(Qt.Key.Key_Return)              # opens the top result
    assert isinstance(window.patient_screen, PatientScreen)
    assert window.patient_screen.banner.name_label.text() == "Sunita Maurya"
    keys.press(Qt.Key.Key_F3)                  # admit
    screen = window.work_screen
    assert isinstance(screen, AdmitScreen)
    bed, doctor = offers_on(screen.form.rows, "bed"), offers_on(screen.form.rows, "admitting_doctor")
    keys.type("14")                            # the bed: the cursor starts there, the ward's free beds are offered
    assert bed.shown() == ["M7-14"] and bed.highlighted_text() == "M7-14"
    keys.press(Qt.Key.Key_Tab)                 # takes it, on to the admitting doctor (nobody admitted here yet)
    keys.type("arv")                           # a few letters of the doctor's name
    assert doctor.shown() == [DOCTOR_NAME]
    keys.press(Qt.Key.Key_Return)              # takes the name offered
    assert screen.form.rows["admitting_doctor"].value() == DOCTOR_NAME
    keys.press(Qt.Key.Key_Return, CTRL)        # save and print
    presses = keys.presses + keys.typed - after_name

    [admission] = journal(window, "encounter.admit")
    assert (admission["patient"], admission["ward"], admission["bed"], admission["admitting_doctor"]) == (
        "100000000090", WARD, "M7-14", DOCTOR_NAME)
    assert [p["form"] for p in printed(window)] == ["admission", "wristband_strip"]
    assert window.patient_screen.summary.patient.name == "Sunita Maurya"  # back on her screen
    print(f"\nadmit a snapshot patient: {presses} key presses after the name, typing included "
          f"(bed {len('14')} and doctor {len('arv')} characters; before the offers it took 22)")
    assert presses <= 20

    # The next admission on this PC remembers the doctor: Enter, F3, the bed and Tab, Ctrl+Enter.
    keys.press(Qt.Key.Key_Escape)              # home
    keys.type("Rajesh Mishra")
    before = keys.presses + keys.typed
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_F3)
    screen = window.work_screen
    assert isinstance(screen, AdmitScreen) and "M7-14" not in offers_on(screen.form.rows, "bed").items()
    keys.type("15")
    keys.press(Qt.Key.Key_Tab)
    keys.press(Qt.Key.Key_Return, CTRL)
    after = keys.presses + keys.typed - before
    print(f"the next admission, doctor remembered: {after} key presses after the name, typing included")
    assert (journal(window, "encounter.admit")[-1]["bed"], journal(window, "encounter.admit")[-1]["admitting_doctor"]
            ) == ("M7-15", DOCTOR_NAME)
    assert after <= 6


def test_register_and_admit_a_new_patient(qtbot: QtBot, open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    session = session_of(window)
    earlier = session.record("patient.register", {"name": "Gita Rani", "sex": "female", "age_years": 60}).human_id
    session.record("encounter.admit", {"patient": earlier, "admitted_at": "2025-01-06T08:00", "ward": WARD,
                                       "admitting_doctor": DOCTOR_NAME})  # so the doctor is remembered

    keys.type("Sunita Mourya")                 # searched first, as a clerk does; nobody by that spelling
    keys.press(Qt.Key.Key_F2)                  # register new: the name comes along, the cursor is on sex
    screen = window.work_screen
    assert isinstance(screen, RegisterScreen)
    assert screen.form.rows["name"].value() == "Sunita Mourya"
    keys.type("F")                             # sex: Female
    keys.press(Qt.Key.Key_Tab)
    keys.type("30")                            # age
    keys.press(Qt.Key.Key_Tab)
    keys.type("9812345678")                    # phone
    keys.press(Qt.Key.Key_Tab)
    keys.type("W/o Rakesh Mourya")             # relative
    keys.press(Qt.Key.Key_Return, CTRL)        # save: first the likely matches are shown
    assert [h.name for h in screen.matches.hits] == ["Sunita Maurya"]  # 31 y, same sex: could be her
    keys.press(Qt.Key.Key_Return)              # "None of these: register as a NEW patient"
    assert isinstance(window.patient_screen, PatientScreen)
    keys.press(Qt.Key.Key_F3)                  # admit: ward, time and doctor are filled in
    keys.press(Qt.Key.Key_Return, CTRL)

    [registration] = [r for r in journal(window, "patient.register") if r["name"] == "Sunita Mourya"]
    assert (registration["sex"], registration["age_years"], registration["phone"], registration["relative"]) == (
        "female", 30, "9812345678", "W/o Rakesh Mourya")
    admission = journal(window, "encounter.admit")[-1]
    assert (admission["patient"], admission["ward"], admission["admitting_doctor"]) == (
        registration["_human_id"], WARD, DOCTOR_NAME)
    [note] = journal(window, "note")
    assert note["patient"] == registration["_human_id"] and "ruled out: 100000000090" in note["text"]
    admission_pdf = next(p for p in printed(window) if p["form"] == "admission")
    assert admission_pdf["target"] == admission["_uuid"]
    pdf = max((session.home.path / "prints").glob("*-admission-*.pdf"))
    assert "Sunita Mourya" in pdf_text(pdf) and registration["_human_id"] in pdf_text(pdf)
    print(f"\nregister and admit a new patient: {keys.presses} key presses besides typing the name, sex, age, "
          f"phone and relative ({keys.typed} characters)")
    assert keys.presses <= 10
