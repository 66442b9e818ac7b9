"""Ward census sheets and patient summaries, printed from a real snapshot and this PC's downtime entries."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest

from downtime.demo_data import generate_export
from downtime.home import Home
from downtime.session import Session, login
from downtime.snapshot_store import install_snapshot
from downtime.viewer import census, patient_summary
from forms.census import print_census, print_patient_summary
from forms.codes import id_from_barcode, parse_qr
from forms.examples import CENSUS, SNAPSHOT_AS_OF, SUMMARY, example_sheet_job
from forms.render import render_pack
from forms.sheets import format_cell
from tests.conftest import DOCTOR_ID, DOCTOR_PIN, NURSE_ID, NURSE_PIN, SUNITA
from tests.forms.conftest import decode, page_png, pdf_texts

INPATIENTS = 30


@pytest.fixture
def ward_pc(home: Path, tmp_path: Path) -> Iterator[Session]:
    """The ward PC of conftest, with a snapshot of 30 in-patients in several wards."""
    export = tmp_path / "export"
    generate_export(export, patients=300, inpatients=INPATIENTS, seed=7)
    install_snapshot(Home(home), sorted(export.glob("*.ndjson")))
    session = login(home, NURSE_ID, NURSE_PIN)
    yield session
    session.close()


def test_the_census_pack_lists_every_ward_and_summarises_every_in_patient(ward_pc: Session) -> None:
    assert ward_pc.snapshot is not None
    wards = census(ward_pc.snapshot.db)
    result = print_census(ward_pc, summaries=True, pdf_only=True)
    pages = pdf_texts(result.pdf)
    census_pages = [p for p in pages if "Ward census" in p]
    summaries = [p for p in pages if "Patient summary" in p and "Page 1 of" in p]  # first pages only
    assert len(census_pages) == len(wards) and len(summaries) == INPATIENTS  # a census fits one page here
    for ward, page in zip(wards, census_pages, strict=True):
        assert ward.ward in page and all(p.name in page and (p.bed or "") in page for p in ward.patients)
    first = wards[0].patients[0]
    summary = patient_summary(ward_pc.snapshot.db, first.patient_id)
    own = next(p for p in summaries if first.patient_id in p)
    assert first.name in own and all(m.name in own for m in summary.medications)
    if summary.allergy_status == "not recorded":
        assert "NOT RECORDED" in own  # never printed as "no allergies"
    codes = decode(page_png(result.pdf, page=1))
    assert codes.code128 == []  # a census is about a ward: no patient barcode in its strip
    qr = parse_qr(codes.qr[0])
    assert (qr.kind, qr.human_id, qr.form) == ("census", wards[0].ward, "ward_census")
    codes = decode(page_png(result.pdf, page=2))  # the first patient's summary follows the ward's sheet
    assert [id_from_barcode(c) for c in codes.code128] == [first.patient_id]
    audit = ward_pc.journal.entries("print.record")
    assert [e.payload["subject"] for e in audit] == [
        f"ward census: all wards, {INPATIENTS} in-patients, with patient summaries"]


def test_one_ward_and_one_summary(ward_pc: Session) -> None:
    assert ward_pc.snapshot is not None
    ward = census(ward_pc.snapshot.db)[-1]
    pages = pdf_texts(print_census(ward_pc, ward=ward.ward.upper(), pdf_only=True).pdf)
    assert len(pages) == 1 and ward.ward in pages[0]
    patient = ward.patients[0]
    result = print_patient_summary(ward_pc, patient.patient_id, pdf_only=True)
    assert patient.name in pdf_texts(result.pdf)[0]


def test_a_long_ward_flows_over_pages_with_its_header_on_each(tmp_path: Path) -> None:
    long_ward = type(CENSUS)(CENSUS.ward, CENSUS.patients * 12)
    job = example_sheet_job("ward_census")
    job = type(job)(job.form, job.ctx, data=type(job.data)(long_ward, SNAPSHOT_AS_OF))  # type: ignore[arg-type]
    pages = pdf_texts(render_pack([job], tmp_path / "long.pdf"))
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert "Bed" in page and "Medicine Ward 7" in page and f"Page {number} of {len(pages)}" in page
    text = "\n".join(pages)
    assert text.count("Fatima Begum") == 12


def test_summary_example_reads_back(tmp_path: Path) -> None:
    pdf = render_pack([example_sheet_job("patient_summary")], tmp_path / "summary.pdf")
    text = pdf_texts(pdf)[0]
    for expected in ("Penicillin", "Anaphylaxis", "Platelets", "Inj. Ceftriaxone 1 g", "IP/2025/000801",
                     "91-4567-8912-3456"):
        assert expected in text
    assert [id_from_barcode(c) for c in decode(page_png(pdf)).code128] == [SUMMARY.patient.id]


def test_snapshot_times_print_in_local_time_day_first() -> None:
    assert format_cell("2025-01-10", "date") == "10-01-2025"
    assert format_cell("1972", "date") == "1972"  # the HMIS knew only the year
    assert format_cell("female", "sex") == "F" and format_cell("45 y", "sex") == "45 y"
    local = format_cell("2025-01-10T10:00:00Z", "datetime")
    assert local.startswith("10-01-2025") and len(local) == 16


def test_a_pack_rendered_on_two_cores_reads_like_one_rendered_on_one(tmp_path: Path) -> None:
    jobs = [example_sheet_job("ward_census"), example_sheet_job("patient_summary")] * 3
    # Shaped Devanagari glyphs extract as private-use characters numbered per font subset: leave them out.
    def text(pdf: Path) -> list[str]:
        return [re.sub("[\ue000-\uf8ff]", "", page) for page in pdf_texts(pdf)]

    one = text(render_pack(jobs, tmp_path / "one.pdf", workers=1))
    two = text(render_pack(jobs, tmp_path / "two.pdf", workers=2))
    assert two == one and len(two) == 6 and all("Page 1 of 1" in page for page in two)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "two.pdf")], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in fonts.stdout.splitlines()[2:] if "+" in line.split()[0]]
    assert len(names) == len(set(names))  # each part's font subsets carry their own names


def sheet_rows(pdf: Path) -> list[str]:
    """Each census page's text, read back with pdfplumber (the lines of the roster)."""
    with pdfplumber.open(pdf) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def test_the_census_sheet_is_the_snapshot_changed_by_this_pcs_admissions_transfers_and_discharges(
        ward_pc: Session, home: Path) -> None:
    assert ward_pc.snapshot is not None
    wards = census(ward_pc.snapshot.db)
    first = max(wards, key=lambda w: w.count)
    second = next(w for w in wards if w is not first)
    moved, leaving = first.patients[0], first.patients[1]
    new = ward_pc.record("patient.register", SUNITA).human_id or ""
    ward_pc.record("encounter.admit", {"patient": new, "admitted_at": "2025-01-06T20:30", "ward": first.ward,
                                       "bed": "X-99", "admitting_doctor": "Dr Anil Rao",
                                       "provisional_diagnosis": "Dengue with warning signs"})
    ward_pc.record("encounter.transfer", {"patient": moved.patient_id, "transferred_at": "2025-01-06T21:00",
                                          "to_ward": second.ward, "to_bed": "T-7"})
    doctor = login(home, DOCTOR_ID, DOCTOR_PIN)
    try:
        doctor.record("encounter.discharge", {"patient": leaving.patient_id, "discharged_at": "2025-01-06T21:30",
                                              "discharge_type": "normal", "discharging_doctor": "Dr Anil Rao"})
    finally:
        doctor.close()

    [page] = sheet_rows(print_census(ward_pc, ward=first.ward, pdf_only=True).pdf)
    bed_row = next(line for line in page.splitlines() if line.startswith("X-99"))
    assert "Sunita Devi" in bed_row and new in bed_row and "06-01-2025" in bed_row  # the local day typed
    assert "Dengue with" in page and "Dr Anil Rao" in page  # the reason and doctor from the admission record
    assert moved.name not in page and leaving.name not in page
    assert re.search(rf"In-patients / .*: {first.count - 1}\b", page)  # one in, two out
    assert "this PC's downtime admissions, transfers and discharges" in page
    [page] = sheet_rows(print_census(ward_pc, ward=second.ward, pdf_only=True).pdf)
    assert any(line.startswith("T-7") and moved.name in line for line in page.splitlines())
    # The screen lists exactly what the sheet prints: both come from Session.census.
    listed = [p.name for w in ward_pc.census(first.ward) for p in w.patients]
    assert "Sunita Devi" in listed and moved.name not in listed and leaving.name not in listed
    audit = ward_pc.journal.entries("print.record")
    assert next(e.payload["subject"] for e in audit) == f"ward census: {first.ward}, {first.count - 1} in-patients"


def test_a_pc_without_a_snapshot_prints_its_own_admissions(nurse: Session) -> None:
    new = nurse.record("patient.register", SUNITA)
    nurse.record("encounter.admit", {"patient": new.human_id, "admitted_at": "2025-01-06T10:00",
                                     "ward": "Medicine Ward 7", "bed": "14", "admitting_doctor": "Dr Anil Rao"})
    [page] = sheet_rows(print_census(nurse, pdf_only=True).pdf)
    assert "Sunita Devi" in page and "has no HMIS snapshot" in page


def test_a_patient_registered_during_the_downtime_has_a_summary_to_print(ward_pc: Session, home: Path) -> None:
    from downtime import lab

    new = ward_pc.record("patient.register", SUNITA).human_id or ""
    admission = ward_pc.record("encounter.admit", {"patient": new, "admitted_at": "2025-01-06T10:00",
                                                   "ward": "Medicine Ward 7", "bed": "14",
                                                   "admitting_doctor": "Dr Anil Rao"})
    [request] = lab.request_tests(ward_pc, {"patient": new, "priority": "urgent",
                                            "requesting_clinician": "Dr Anil Rao"},
                                  lab.plan_samples(lab.lab_catalogue(ward_pc), ["RBS"]))
    tech = login(home, "L3001", "918273")
    try:
        lab.record_results(tech, request.human_id or "", [{"test": "Blood sugar (random)", "value": "310",
                                                            "unit": "mg/dL", "reference_range": "70–140",
                                                            "flag": "high", "verified_by": "Lab Tech Imran"}])
    finally:
        tech.close()
    result = print_patient_summary(ward_pc, new, pdf_only=True)
    [page] = sheet_rows(result.pdf)
    assert "Sunita Devi" in page and new in page
    assert "Registered on this PC during the downtime" in page
    assert f"{admission.human_id}" in page and "Medicine Ward 7" in page  # the admission now, and in the records
    assert "Lab test request" in page and f"{request.human_id}" in page
    results_line = next(line for line in page.splitlines() if line.count("310 mg/dL"))
    assert " H " in f" {results_line} " and "70–140" in results_line and "downtime" in results_line
    assert "NOT RECORDED" in page  # nothing in the snapshot: allergies are unknown, not absent
    assert list(ward_pc.journal.entries("print.record"))[-1].payload["subject"] == f"patient summary: {new}"


def test_the_fields_a_summary_lists_for_each_downtime_record_exist_in_their_kinds() -> None:
    from downtime.kinds.schema import get_kind
    from downtime.viewer import _DETAIL_FIELDS

    for kind, names in _DETAIL_FIELDS.items():
        assert set(names) <= set(get_kind(kind).field_names()), kind  # a renamed field fails here, not at print
