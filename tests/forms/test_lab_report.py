"""The printed lab report: one sample's results, flagged and attributed, read back from the PDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest

from downtime import lab
from downtime.errors import NotFoundError
from downtime.lab_catalogue import assess
from downtime.lab_report import flag_letter
from downtime.session import Session, login
from forms.census import print_lab_report
from forms.codes import parse_qr
from tests.conftest import LAB_ID, LAB_PIN, SUNITA
from tests.forms.conftest import decode, page_png

# Haemoglobin below the critical limit, TLC in range, platelets low.
VALUES = {"Haemoglobin": "6.2", "Total leucocyte count (TLC)": "7.5", "Platelet count": "95"}


@pytest.fixture
def tech(home: Path) -> Iterator[Session]:
    session = login(home, LAB_ID, LAB_PIN)
    yield session
    session.close()


def order(nurse: Session, *tests: str) -> tuple[str, str]:
    """(patient's downtime ID, accession number) of a new patient's first sample."""
    patient = nurse.record("patient.register", SUNITA).human_id or ""
    samples = lab.plan_samples(lab.lab_catalogue(nurse), list(tests))
    request = lab.request_tests(nurse, {"patient": patient, "priority": "urgent", "ward": "Medicine Ward 7",
                                        "requesting_clinician": "Dr Anil Rao"}, samples)[0]
    return patient, request.human_id or ""


def enter(tech: Session, accession: str, tests: tuple[str, ...]) -> None:
    """Type the results as the results screen would: each flagged against the catalogue (a woman's ranges)."""
    cat = lab.lab_catalogue(tech)
    lines = [line for line in lab.result_lines(cat, tests) if line.name in VALUES]
    rows = []
    for line in lines:
        assert line.analyte is not None
        value = VALUES[line.name]
        rows.append({"test": line.name, "value": value, "unit": line.analyte.unit,
                     "reference_range": line.analyte.reference_range("female"),
                     "flag": assess(line.analyte, value, "female").flag, "loinc": line.analyte.loinc,
                     "verified_by": "Lab Tech Imran"})
    lab.record_results(tech, accession, rows)


def words_of(pdf: Path) -> tuple[str, list[dict[str, object]]]:
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        return page.extract_text() or "", page.extract_words(extra_attrs=["fontname"])


def test_the_report_lists_each_value_with_unit_range_flag_and_who_entered_it(nurse: Session, tech: Session) -> None:
    patient, accession = order(nurse, "CBC")
    enter(tech, accession, ("CBC - Complete blood count",))
    result = print_lab_report(tech, accession, pdf_only=True)
    text, words = words_of(result.pdf)
    lines = text.splitlines()

    def row(test: str) -> str:
        return next(line for line in lines if line.startswith(test))

    assert "Laboratory report" in text and "Accession number / " in text and accession in text
    assert "Sunita Devi" in text and patient in text and "45 y / F" in text  # the patient banner
    assert "Urgent" in text and "Medicine Ward 7" in text and "Dr Anil Rao" in text  # the request
    assert "6.2 g/dL LL 12–15" in row("Haemoglobin")  # critical, below the range
    assert "Lab Tech Imran (L3001)" in row("Haemoglobin")  # who entered it; the line below says when
    assert "95 10^3/µL L 150–410" in row("Platelet count")
    assert "7.5 10^3/µL 4–11" in row("Total leucocyte count")  # in range: no flag
    # Abnormal rows are bold, the flag with them; a value in range is not.
    fonts = {str(w["text"]): str(w["fontname"]) for w in words}
    assert all("Bold" in fonts[word] for word in ("6.2", "LL", "95", "L"))
    assert "Bold" not in fonts["7.5"]
    # Hindi labels are set in the Devanagari font, beside the English.
    assert any("Devanagari" in str(w["fontname"]) for w in words) and "नमूना" in text
    codes = decode(page_png(result.pdf))
    assert codes.code128 == [accession]  # the lab files reports by sample
    qr = parse_qr(codes.qr[0])
    assert (qr.kind, qr.human_id, qr.form, qr.patient_id) == ("lab.request", accession, "lab_report", patient)
    [audit] = [e.payload for e in tech.journal.entries("print.record")]
    assert (audit["form"], audit["subject"]) == ("lab_report", f"lab report: {accession}, 3 result(s), 2 abnormal")


def test_a_corrected_result_prints_as_corrected_and_a_voided_one_not_at_all(nurse: Session, tech: Session) -> None:
    _, accession = order(nurse, "RBS")
    lab.record_results(tech, accession, [{"test": "Blood sugar (random)", "value": "310", "unit": "mg/dL",
                                          "reference_range": "70–140", "flag": "high", "verified_by": "Imran"}])
    [wrong] = [e for e in tech.journal.entries("lab.result")]
    tech.correct(wrong.uuid, {**wrong.payload, "value": "130", "flag": "normal"}, "typed 310 for 130")
    typo = lab.record_results(tech, accession, [{"test": "Blood urea", "value": "40", "verified_by": "Imran"}])[0]
    tech.void(typo.uuid, "not ordered")
    text, _ = words_of(print_lab_report(tech, accession, pdf_only=True).pdf)
    line = next(line for line in text.splitlines() if line.startswith("Blood sugar (random)"))
    assert "130 mg/dL" in line and "corrected" in line and "310" not in text
    assert "Blood urea" not in text


def test_a_sample_from_another_pc_prints_with_the_patient_from_its_label(home: Path, tech: Session) -> None:
    from downtime.ids import IdBlock

    other = str(IdBlock("AIIMS", 42, 1000).id_for(7))
    lab.record_results(tech, other, [{"test": "Dengue NS1 antigen", "value": "Positive", "flag": "abnormal",
                                      "reference_range": "Negative", "verified_by": "Imran"}])
    text, _ = words_of(print_lab_report(tech, other, patient_id="UHID-NOT-HERE", pdf_only=True).pdf)
    assert "UHID-NOT-HERE" in text and "another PC" in text
    assert "Positive A Negative" in next(line for line in text.splitlines() if line.startswith("Dengue NS1"))


def test_no_results_yet_is_an_error_that_says_what_to_do(nurse: Session) -> None:
    _, accession = order(nurse, "CBC")
    with pytest.raises(NotFoundError, match="enter them first"):
        print_lab_report(nurse, accession, pdf_only=True)


@pytest.mark.parametrize(("flag", "value", "reference", "letter"), [
    ("high", "14.2", "4–11", "H"), ("low", "95", "150–410", "L"), ("normal", "0.9", "0.6–1.1", None),
    ("critical", "6.2", "12–15", "LL"), ("critical", "900", "70–140", "HH"), ("abnormal", "Positive", "Negative", "A"),
    ("critical", "Growth of MRSA", "No growth", "AA"), (None, "7", None, None),
])
def test_flags_print_as_labs_print_them(flag: str | None, value: str, reference: str | None,
                                        letter: str | None) -> None:
    assert flag_letter(flag, value, reference) == letter


def test_the_cli_prints_a_lab_report_by_accession(home: Path, nurse: Session, tech: Session, tmp_path: Path) -> None:
    from tests.test_cli import assert_one_line_error, run

    _, accession = order(nurse, "CBC")
    out = tmp_path / "report.pdf"
    assert_one_line_error(run("--home", str(home), "print", "lab_report", "--entry", accession, "--pdf-only",
                              staff=LAB_ID, pin=LAB_PIN), "no results for accession", "enter them first")
    enter(tech, accession, ("CBC - Complete blood count",))
    done = run("--home", str(home), "print", "lab_report", "--entry", accession, "--out", str(out), "--pdf-only",
               staff=LAB_ID, pin=LAB_PIN)
    assert done.returncode == 0, done.stderr
    text, _ = words_of(out)
    assert "Laboratory report" in text and accession in text and "6.2 g/dL LL" in text
