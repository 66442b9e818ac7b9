"""Ward census sheets and patient summaries, printed from a real snapshot through the viewer."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

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
from tests.conftest import NURSE_ID, NURSE_PIN
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
