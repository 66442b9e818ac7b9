"""Sheets printed from the screens: the census with this PC's admissions, the summary of a patient registered
during the downtime, the lab report (after results, and again from the history), and print messages that name
forms by their titles; plus today's list in Hindi. Driven by keys offscreen; PDFs read back with pdfplumber."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from downtime import lab
from downtime.gui import language, print_jobs
from downtime.gui.main_window import MainWindow
from downtime.gui.print_jobs import PrintReport
from downtime.gui.today_entries import RecordsModel
from downtime.kinds.schema import get_kind
from downtime.session import Session, login
from forms.print_queue import PrintQueueError
from tests.gui.site_fixture import ADMIN_ID, ADMIN_PIN, DOCTOR_NAME, Site
from tests.gui.ward_fixtures import WARD, Keys, OpenWindow, journal, latest_pdfs, printed, session_of

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
LAB_ID, LAB_PIN = "L5", "390417"
MEENA = {"name": "Meena Kumari", "sex": "female", "age_years": 52, "phone": "9811100011"}


def page_text(pdf: Path) -> str:
    with pdfplumber.open(pdf) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def admit_new(session: Session, bed: str) -> str:
    """Register Meena Kumari on this PC and admit her to the ward; her downtime ID."""
    patient = session.record("patient.register", MEENA).human_id or ""
    session.record("encounter.admit", {"patient": patient, "admitted_at": "2025-01-06T10:00", "ward": WARD,
                                       "bed": bed, "admitting_doctor": DOCTOR_NAME})
    return patient


def results_entered(site: Site, session: Session, patient: str) -> str:
    """A CBC ordered on this PC and its results typed by the lab; the accession number."""
    [request] = lab.request_tests(session, {"patient": patient, "priority": "urgent",
                                            "requesting_clinician": DOCTOR_NAME},
                                  lab.plan_samples(lab.lab_catalogue(session), ["CBC"]))
    admin = login(site.path, ADMIN_ID, ADMIN_PIN)
    admin.add_staff(LAB_ID, "Imran Khan", "lab", LAB_PIN)
    admin.close()
    tech = login(site.path, LAB_ID, LAB_PIN)
    try:
        lab.record_results(tech, request.human_id or "", [
            {"test": "Haemoglobin", "value": "6.2", "unit": "g/dL", "reference_range": "12–15", "flag": "critical",
             "verified_by": "Imran Khan"},
            {"test": "Platelet count", "value": "210", "unit": "10^3/µL", "reference_range": "150–410",
             "flag": "normal", "verified_by": "Imran Khan"}])
    finally:
        tech.close()
    return request.human_id or ""


def test_the_census_screen_and_its_sheet_show_a_downtime_admission_in_its_bed(qtbot: QtBot, open_window: OpenWindow,
                                                                           keys: Keys) -> None:
    window = open_window()
    admit_new(session_of(window), "M7-40")
    keys.press(Qt.Key.Key_F11)
    census = window.census_screen
    assert census is not None and census.selected_ward() == WARD
    row = next(r for r in range(census.model.rowCount()) if census.model.index(r, 2).data() == "Meena Kumari")
    assert census.model.index(row, 1).data() == "M7-40" and census.model.index(row, 7).data() == "this downtime"
    keys.press(Qt.Key.Key_P, CTRL)
    sheet = page_text(latest_pdfs(window)[-1])
    bed = next(line for line in sheet.splitlines() if line.startswith("M7-40"))
    assert "Meena Kumari" in bed and "Dr Arvind Rao" in sheet
    assert printed(window)[-1]["subject"] == f"ward census: {WARD}, {census.model.rowCount()} in-patients"
    assert census.notice.text() == "Saved as PDF: Ward census."


def test_print_summary_works_for_a_patient_registered_during_the_downtime(qtbot: QtBot, open_window: OpenWindow,
                                                                          keys: Keys, ward_site: Site) -> None:
    window = open_window()
    patient = admit_new(session_of(window), "M7-41")
    accession = results_entered(ward_site, session_of(window), patient)
    keys.type("Meena Kumari")
    keys.press(Qt.Key.Key_Return)
    screen = window.patient_screen
    assert screen is not None and screen.summary.patient.source == "downtime"
    results = screen.results.model()
    shown = {results.index(r, 0).data(): r for r in range(results.rowCount())}
    assert set(shown) == {"Haemoglobin", "Platelet count"}  # entered here: the snapshot has nothing on her
    assert results.index(shown["Haemoglobin"], 3).data() == "LL"
    assert results.index(shown["Haemoglobin"], 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # red
    assert results.index(shown["Platelet count"], 0).data(Qt.ItemDataRole.ForegroundRole) is None
    keys.press(Qt.Key.Key_P, CTRL)
    assert [p["form"] for p in printed(window)] == ["patient_summary"]
    assert screen.notice.text() == "Saved as PDF: Patient summary."
    text = page_text(latest_pdfs(window)[-1])
    assert "Meena Kumari" in text and patient in text and "Registered on this PC during the downtime" in text
    assert "M7-41" in text and "Admission" in text and accession in text and "Lab result" in text
    assert "6.2 g/dL LL" in text


def test_the_lab_report_reprints_from_the_patients_history(qtbot: QtBot, open_window: OpenWindow, keys: Keys,
                                                           ward_site: Site) -> None:
    window = open_window()
    patient = admit_new(session_of(window), "M7-42")
    accession = results_entered(ward_site, session_of(window), patient)
    window.open_patient(patient)
    screen = window.patient_screen
    assert screen is not None and "lab_report" in screen.actions.buttons  # type: ignore[attr-defined]
    history = screen.history_model
    kinds = [history.row_at(r).kind for r in range(history.rowCount())]  # type: ignore[union-attr]
    assert kinds[:3] == ["lab.result", "lab.result", "lab.request"]  # the lab's results are under her name
    screen.history.selectRow(kinds.index("patient.register"))
    keys.press(Qt.Key.Key_R, CTRL)
    assert "Select a lab request or lab result" in screen.notice.text() and not printed(window)
    screen.history.selectRow(kinds.index("lab.request"))
    keys.press(Qt.Key.Key_R, CTRL)
    assert [(p["form"], p["subject"]) for p in printed(window)] == [
        ("lab_report", f"lab report: {accession}, 2 result(s), 1 abnormal")]
    assert screen.notice.text() == "Saved as PDF: Laboratory report."
    text = page_text(latest_pdfs(window)[-1])
    assert "Laboratory report" in text and "Meena Kumari" in text and "6.2 g/dL LL 12–15" in text


def test_todays_list_names_entries_in_hindi_after_ctrl_shift_l(qtbot: QtBot, qapp: QApplication,
                                                               open_window: OpenWindow, keys: Keys) -> None:
    window = open_window()
    admit_new(session_of(window), "M7-43")
    window.refresh()
    model = window.home_screen.model
    entries = [model.index(r, RecordsModel.ENTRY).data() for r in range(2)]
    assert entries == ["Admission", "Patient registration"]
    start = language.current()
    try:
        keys.press(Qt.Key.Key_L, CTRL | SHIFT)
        assert language.current() == "hi"
        entries = [model.index(r, RecordsModel.ENTRY).data() for r in range(2)]
        assert entries == [get_kind("encounter.admit").label_hi, get_kind("patient.register").label_hi]
        assert model.headerData(RecordsModel.ENTRY, Qt.Orientation.Horizontal) != "Entry"
        assert model.index(0, RecordsModel.STATUS).data() != "not printed · not yet exported"  # statuses too
        keys.press(Qt.Key.Key_L, CTRL | SHIFT)
        assert model.index(0, RecordsModel.ENTRY).data() == "Admission"
    finally:
        language.set_language(qapp, start)


def test_after_saving_the_notice_names_forms_by_their_titles(qtbot: QtBot, open_window: OpenWindow,
                                                             keys: Keys) -> None:
    window = open_window()
    keys.type("Sunita Maurya")
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_F3)
    keys.type("M7-44")
    window.work_screen.form.rows["admitting_doctor"].widget.setText(DOCTOR_NAME)  # type: ignore[union-attr]
    keys.press(Qt.Key.Key_Return, CTRL)
    assert [p["form"] for p in printed(window)] == ["admission", "wristband_strip"]
    assert window.notice.text().endswith("Saved as PDF: Admission record; Wristband strips.")
    assert journal(window, "encounter.admit")[0]["bed"] == "M7-44"


def test_print_messages_use_titles_in_the_language_on_screen(qapp: QApplication) -> None:
    report = PrintReport(forms=["lab_request", "specimen_labels_a4", "lab_request", "specimen_labels_a4"])
    assert report.text() == "Saved as PDF: Laboratory requisition ×2; Specimen labels ×2."
    start = language.current()
    language.set_language(qapp, "hi")
    try:
        text = PrintReport(forms=["rbd_form2_death", "mccd_form4"]).text()
        assert "प्ररूप संख्या 2: मृत्यु की रिपोर्ट; प्ररूप संख्या 4: मृत्यु के कारण का चिकित्सा प्रमाणपत्र" in text
        assert "rbd_form2_death" not in text and "mccd_form4" not in text
    finally:
        language.set_language(qapp, start)


def test_a_failed_print_names_the_form_and_where_its_pdf_is(qtbot: QtBot, open_window: OpenWindow,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import forms.printing

    def refuse(pdf: Path, printer: str | None, title: str) -> None:
        raise PrintQueueError("the print queue refused the job: no such printer")

    monkeypatch.setattr(forms.printing, "send_pdf", refuse)
    monkeypatch.setattr(print_jobs, "TARGET", print_jobs.PrintTarget(printer="Ward7-Laser"))
    window: MainWindow = open_window()
    session = session_of(window)
    admit_new(session, "M7-45")
    [admission] = journal(window, "encounter.admit")
    report = print_jobs.print_record(session, admission["_uuid"], ["wristband_strip"])
    assert not report.ok and report.pdfs and report.pdfs[0].exists()
    [problem] = report.problems
    assert problem.startswith("Wristband strips was not printed (the print queue refused the job: no such printer).")
    assert str(report.pdfs[0]) in problem and "wristband_strip " not in problem
