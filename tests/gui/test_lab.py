"""Lab request and results, driven offscreen: tubes, accession numbers, labels, and flagged results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.today_entries import TodayEntriesModel
from downtime.gui.workflows.lab_request import LabRequestScreen
from downtime.gui.workflows.lab_result import LabResultScreen, read_scan
from downtime.session import Session, login
from forms.codes import QrData, compact_id
from tests.gui.flow_helpers import (
    ctrl_enter,
    enter,
    pdf_only,  # noqa: F401 - autouse: forms go to PDF only
    pdf_text,
    show_active,
    type_into,
)
from tests.gui.site_fixture import ADMIN_ID, ADMIN_PIN, NURSE_ID, NURSE_PIN, Site, journal_kinds

LAB_ID, LAB_PIN = "L5", "390417"


@pytest.fixture
def lab_site(site: Site) -> Site:
    admin = login(site.path, ADMIN_ID, ADMIN_PIN)
    admin.add_staff(LAB_ID, "Imran Khan", "lab", LAB_PIN)
    admin.close()
    return site


@pytest.fixture
def nurse(lab_site: Site) -> Iterator[Session]:
    session = login(lab_site.path, NURSE_ID, NURSE_PIN)
    yield session
    session.close()


def add_tests(qtbot: QtBot, screen: LabRequestScreen, *typed: str) -> None:
    for text in typed:
        qtbot.keyClicks(screen.picker.search, text)
        qtbot.keyClick(screen.picker.search, Qt.Key.Key_Return)


def request(qtbot: QtBot, nurse: Session, patient_id: str, *tests: str) -> LabRequestScreen:
    """Order ``tests`` for the patient the quickest way: type, Enter, Ctrl+Enter, Enter, Enter."""
    screen = LabRequestScreen(nurse, nurse.patient_summary(patient_id))
    show_active(qtbot, screen)
    add_tests(qtbot, screen, *tests)
    type_into(qtbot, screen.form.rows, {"requesting_clinician": "Dr Arvind Rao"})
    ctrl_enter(qtbot, screen)
    assert screen.step is screen.confirmation, screen.message.text()
    with qtbot.waitSignal(screen.finished):
        enter(qtbot, screen)  # yes, this patient
        enter(qtbot, screen)  # done
    return screen


def test_request_splits_into_tubes_and_prints_requisition_and_labels(qtbot: QtBot, lab_site: Site,
                                                                      nurse: Session) -> None:
    screen = LabRequestScreen(nurse, nurse.patient_summary(lab_site.patient_id))
    show_active(qtbot, screen)
    assert "built-in" in screen.source_label.text()
    qtbot.keyClicks(screen.picker.search, "sugar")
    qtbot.keyClick(screen.picker.search, Qt.Key.Key_Down)  # the arrows move through the matches
    assert screen.picker.matches.currentRow() == 1
    screen.picker.search.clear()
    add_tests(qtbot, screen, "cbc", "kft", "lft")
    assert screen.picker.tests() == ["CBC - Complete blood count", "KFT - Kidney function test",
                                     "LFT - Liver function test"]
    assert "Samples to take: 2" in screen.plan_label.text()
    screen.form.rows["priority"].widget.setFocus()
    qtbot.keyClick(screen.form.rows["priority"].widget, Qt.Key.Key_U)  # Urgent
    type_into(qtbot, screen.form.rows, {"requesting_clinician": "Dr Arvind Rao", "clinical_details": "Fever 5 days"})
    ctrl_enter(qtbot, screen)
    assert screen.step is screen.confirmation and screen.confirmation.name_label.text() == "Ramesh Kumar 0"
    with qtbot.waitSignal(screen.finished):
        enter(qtbot, screen)
        enter(qtbot, screen)

    requests = journal_kinds(lab_site.path, "lab.request")
    assert [(r["sample_type"], r["tests"], r["priority"]) for r in requests] == [
        ("blood", ["CBC - Complete blood count"], "urgent"),
        ("serum", ["KFT - Kidney function test", "LFT - Liver function test"], "urgent")]
    assert screen.outcome is not None
    assert screen.outcome.prints.forms == ["lab_request", "specimen_labels_a4"] * 2
    accessions = [line.split()[1].rstrip(":") for line in screen.outcome.lines[:2]]
    for pdf, accession in zip(screen.outcome.prints.pdfs, [a for a in accessions for _ in range(2)], strict=True):
        text = pdf_text(pdf)
        assert "Ramesh Kumar 0" in text and lab_site.patient_id in text and accession in text


def test_nothing_ordered_is_refused_beside_the_test_list(qtbot: QtBot, lab_site: Site, nurse: Session) -> None:
    screen = LabRequestScreen(nurse, nurse.patient_summary(lab_site.patient_id))
    show_active(qtbot, screen)
    ctrl_enter(qtbot, screen)
    assert screen.step is not screen.confirmation and "choose at least one test" in screen.picker.error.text()


def test_lab_scans_the_compact_barcode_and_results_are_flagged(qtbot: QtBot, lab_site: Site, nurse: Session) -> None:
    request(qtbot, nurse, lab_site.patient_id, "cbc")
    tech = login(lab_site.path, LAB_ID, LAB_PIN)
    try:
        [entry] = [e for e in tech.journal.entries(kind="lab.request")]
        screen = LabResultScreen(tech, None)
        show_active(qtbot, screen)
        qtbot.keyClicks(screen.scan, compact_id(entry.human_id or ""))  # the label's hyphen-free barcode
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
        assert screen.order is not None and screen.order.accession == entry.human_id, screen.message.text()
        assert screen.banner.isVisible() and screen.patient is not None
        # The allergy warning got its tone while on screen: it must still get the tone's padding (10 px).
        assert screen.banner.allergy_label.contentsRect().left() == 10
        names = [r.name.text() for r in screen.rows]
        assert names[:3] == ["Haemoglobin", "Total leucocyte count (TLC)", "Neutrophils"]
        assert screen.rows[0].range.text() == "13–17" and screen.rows[0].unit.text() == "g/dL"  # a man's range
        assert screen.focusWidget() is screen.rows[0].value
        qtbot.keyClicks(screen.rows[0].value, "6.2")
        qtbot.keyClick(screen.rows[0].value, Qt.Key.Key_Tab)
        qtbot.keyClicks(screen.focusWidget(), "7.5")  # Tab went on to the next result
        platelets = names.index("Platelet count")
        screen.rows[platelets].value.setFocus()
        qtbot.keyClicks(screen.rows[platelets].value, "95")
        assert screen.rows[0].flag.text() == "CRITICAL" and screen.rows[1].flag.text() == "Normal"
        assert screen.rows[platelets].flag.text() == "Low ▼"
        with qtbot.waitSignal(screen.finished):
            ctrl_enter(qtbot, screen)
            assert screen.step is screen.done_page, screen.message.text()
            assert "CRITICAL" in screen.done_page.warning_label.text()
            # Saving printed the sample's lab report, and the done page names it by its title.
            assert screen.done_page.prints_label.text() == "Saved as PDF: Laboratory report."
            enter(qtbot, screen)
    finally:
        tech.close()
    assert screen.outcome is not None and screen.outcome.prints.forms == ["lab_report"]
    report = pdf_text(screen.outcome.prints.pdfs[0])
    assert "Laboratory report" in report and "Ramesh Kumar 0" in report and entry.human_id in report
    assert "6.2 g/dL" in report and "LL" in report and "95" in report and "Imran Khan (L5)" in report
    results = journal_kinds(lab_site.path, "lab.result")
    assert [(r["test"], r["value"], r["flag"], r["accession"]) for r in results] == [
        ("Haemoglobin", "6.2", "critical", entry.human_id),
        ("Total leucocyte count (TLC)", "7.5", "normal", entry.human_id),
        ("Platelet count", "95", "low", entry.human_id)]
    assert results[0]["loinc"] == "718-7" and results[0]["unit"] == "g/dL" and results[0]["staff"] == LAB_ID
    assert results[0]["reference_range"] == "13–17" and results[0]["verified_by"] == "Imran Khan"
    # One report printed all three results: the audit names each, and today's list shows each printed.
    [audit] = [p for p in journal_kinds(lab_site.path, "print.record") if p["form"] == "lab_report"]
    today = TodayEntriesModel()
    today.load(nurse)
    rows = [row for i in range(today.rowCount()) if (row := today.row_at(i)) and row.kind == "lab.result"]
    assert sorted(audit["entries"]) == sorted(row.uuid for row in rows) and len(rows) == 3
    assert [row.status for row in rows] == ["printed · not yet exported"] * 3


def test_a_sample_from_another_pc_takes_its_tests_from_the_requisition(qtbot: QtBot, lab_site: Site) -> None:
    from downtime.ids import IdBlock

    other = str(IdBlock("AIIMS", 42, 1000).id_for(7))
    tech = login(lab_site.path, LAB_ID, LAB_PIN)
    try:
        screen = LabResultScreen(tech, None)
        show_active(qtbot, screen)
        qr = QrData(kind="lab.request", human_id=other, form="specimen_labels_a4", form_version="1",
                    patient_id="UHID-NOT-HERE").payload()
        assert read_scan(qr) == (other, "UHID-NOT-HERE")
        screen.scan.setText(qr)
        qtbot.keyClick(screen.scan, Qt.Key.Key_Return)
        assert screen.order is not None and not screen.order.on_this_pc and not screen.rows
        qtbot.keyClicks(screen.add_test, "ns1")
        qtbot.keyClick(screen.add_test, Qt.Key.Key_Return)
        assert [r.name.text() for r in screen.rows] == ["Dengue NS1 antigen"]
        qtbot.keyClicks(screen.rows[0].value, "Positive")
        assert screen.rows[0].flag.text() == "Abnormal"
        with qtbot.waitSignal(screen.finished):
            ctrl_enter(qtbot, screen)
            enter(qtbot, screen)
    finally:
        tech.close()
    [result] = journal_kinds(lab_site.path, "lab.result")
    assert result["accession"] == other and result["flag"] == "abnormal" and result["loinc"] == "75377-2"


def test_only_the_lab_role_may_enter_results(qtbot: QtBot, nurse: Session) -> None:
    screen = LabResultScreen(nurse, None)
    show_active(qtbot, screen)
    assert not screen.scan.isEnabled() and "Only lab staff" in screen.order_label.text()
