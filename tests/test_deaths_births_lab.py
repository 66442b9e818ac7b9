"""The core calls behind the death, birth and lab workflows: drafts, all-or-none writes, flags."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlite_utils

from downtime import births, deaths, lab, prefill
from downtime.errors import DowntimeError
from downtime.lab_catalogue import STARTER, Catalogue, assess, catalogue, parse_range
from downtime.session import Session, login
from tests.conftest import LAB_ID, LAB_PIN, SUNITA

NOW = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
WHEN = NOW.strftime("%Y-%m-%d %H:%M")


def register(session: Session, **changes: object) -> str:
    return session.record("patient.register", {**SUNITA, **changes}).human_id or ""


def admit(session: Session, patient: str) -> str:
    return session.record("encounter.admit", {"patient": patient, "admitted_at": WHEN, "ward": "Medicine Ward 7",
                                              "bed": "14", "admitting_doctor": "Dr Anil Rao"}).human_id or ""


MCCD_CAUSES = {"cause_a": "Septic shock", "interval_a": "2 days", "cause_b": "Lobar pneumonia",
               "interval_b": "6 days", "certifier_name": "Dr Anil Rao", "certifier_registration_number": "DMC-12345"}


# ---- deaths ----

def test_drafts_fill_the_three_forms_from_the_record(doctor: Session) -> None:
    pid = register(doctor)
    ip = admit(doctor, pid)
    summary = doctor.patient_summary(pid)
    death = {**deaths.death_draft(doctor, summary), "died_at": WHEN, "declared_by": "Dr Anil Rao"}
    assert death["ward"] == "Medicine Ward 7" and death["bed"] == "14" and death["admission"] == ip
    mccd = {**deaths.mccd_draft(doctor, summary, death), **MCCD_CAUSES}
    assert mccd["deceased_name"] == "Sunita Devi" and mccd["age_years"] == 45 and mccd["form_variant"] == "form4"
    report = deaths.report_draft(doctor, summary, death, mccd)
    assert report["spouse_name"] == "Ramesh Kumar" and report["underlying_cause"] == "Lobar pneumonia"
    assert report["date_of_death"] == WHEN[:10] and report["medically_certified"] is True
    assert "Medicine Ward 7, AIIMS New Delhi" == report["place_of_death"]
    entries = deaths.record_death(doctor, death, report, mccd)
    assert entries.mccd is not None and entries.report is not None
    assert doctor.current_event() is not None
    on_file = deaths.death_on_file(doctor, pid)
    assert on_file.death and on_file.report and on_file.mccd and not on_file.needs_certificate


def test_a_nurse_records_now_and_the_doctor_certifies_later(home: Path, nurse: Session) -> None:
    pid = register(nurse)
    summary = nurse.patient_summary(pid)
    death = {**deaths.death_draft(nurse, summary), "died_at": WHEN, "declared_by": "Dr Anil Rao"}
    report = deaths.report_draft(nurse, summary, death, None)
    with pytest.raises(DowntimeError, match="only a doctor"):
        deaths.record_death(nurse, death, report, {**deaths.mccd_draft(nurse, summary, death), **MCCD_CAUSES})
    assert deaths.death_on_file(nurse, pid).death is None  # nothing half-written
    deaths.record_death(nurse, death, report)
    assert deaths.death_on_file(nurse, pid).needs_certificate
    nurse.close()
    doctor = login(home, "D2001", "264810")
    try:
        mccd = {**deaths.mccd_draft(doctor, summary, death), **MCCD_CAUSES}
        done = deaths.certify(doctor, pid, mccd)
        assert done.report is not None
        current = deaths.death_on_file(doctor, pid).report
        assert current is not None and current["payload"]["underlying_cause"] == "Lobar pneumonia"
        assert current["status"] == "corrected"
    finally:
        doctor.close()


def test_all_three_forms_report_their_problems_together(doctor: Session) -> None:
    pid = register(doctor)
    with pytest.raises(deaths.DeathFormsError) as err:
        deaths.record_death(doctor, {"patient": pid}, {"patient": pid}, {"patient": pid})
    assert set(err.value.errors) == {"encounter.death", "death.report", "mccd"}
    assert not list(doctor.journal.entries(kind="encounter.death"))


def test_underlying_cause_is_the_lowest_line_used() -> None:
    assert deaths.underlying_cause({"cause_a": "A", "cause_b": "B"}) == "B"
    assert deaths.underlying_cause({"cause_a": "A", "cause_c": "C"}) == "C"
    assert deaths.underlying_cause({}) is None


def test_age_at_death_of_a_baby_is_in_months_days_or_hours(nurse: Session) -> None:
    born = dt.date.today() - dt.timedelta(days=10)
    pid = register(nurse, dob=born.isoformat(), age_years=None)
    details = nurse.patient_summary(pid).patient
    at = dt.datetime.combine(dt.date.today(), dt.time(12))
    assert prefill.age_at(details, at) == {"age_days": 10}
    assert prefill.age_at(details, dt.datetime.combine(born, dt.time(5))) == {"age_hours": 5}
    assert prefill.age_at(details, at + dt.timedelta(days=45)) == {"age_months": 1}


# ---- births ----

def test_twins_are_two_forms_and_two_newborns(nurse: Session) -> None:
    mother = nurse.patient_summary(register(nurse))
    shared = {**births.birth_draft(nurse, mother), "date_of_birth": NOW.date().isoformat()}
    assert shared["father_name"] == "Ramesh Kumar" and shared["mother_age_at_birth"] == 45
    entries = births.record_births(nurse, shared, [{"sex": "female", "birth_weight_kg": "2.4"},
                                                    {"sex": "male", "birth_weight_kg": "2.1"}])
    assert [e.payload["birth_order_in_delivery"] for e in entries] == [1, 2]
    babies = [nurse.patient_summary(e.human_id or "").patient for e in entries]
    assert [b.name for b in babies] == ["B/O Sunita Devi (twin 1)", "B/O Sunita Devi (twin 2)"]


def test_a_bad_second_twin_writes_neither(nurse: Session) -> None:
    mother = nurse.patient_summary(register(nurse))
    shared = {**births.birth_draft(nurse, mother), "date_of_birth": NOW.date().isoformat()}
    with pytest.raises(births.BirthFormsError) as err:
        births.record_births(nurse, shared, [{"sex": "female"}, {}])
    assert err.value.child == 2
    assert not list(nurse.journal.entries(kind="birth.report"))


def test_a_single_birth_is_not_marked_multiple(nurse: Session) -> None:
    mother = nurse.patient_summary(register(nurse))
    shared = {**births.birth_draft(nurse, mother), "date_of_birth": NOW.date().isoformat()}
    [entry] = births.record_births(nurse, shared, [{"sex": "male"}])
    assert "multiple_birth" not in entry.payload
    assert nurse.patient_summary(entry.human_id or "").patient.name == "B/O Sunita Devi"


# ---- lab ----

def test_an_order_is_split_into_one_request_per_tube(nurse: Session) -> None:
    cat = lab.lab_catalogue(nurse)
    assert cat.source == "built-in"
    samples = lab.plan_samples(cat, ["CBC", "KFT", "lft", "Blood sugar (random)", "Widal"], "serum")
    assert [(s.sample_type, s.tests) for s in samples] == [
        ("blood", ("CBC - Complete blood count",)),
        ("serum", ("KFT - Kidney function test", "LFT - Liver function test")),
        ("plasma", ("RBS - Blood sugar (random)",)),
        ("serum", ("Widal",)),
    ]
    pid = register(nurse)
    entries = lab.request_tests(nurse, {"patient": pid, "priority": "urgent", "requesting_clinician": "Dr Rao"},
                                samples)
    assert len({e.human_id for e in entries}) == 4


def test_a_typed_test_of_another_sample_names_it_only_on_its_own_request(nurse: Session) -> None:
    samples = lab.plan_samples(lab.lab_catalogue(nurse), ["CBC", "Pleural fluid ADA"], "other", "Pleural fluid")
    pid = register(nurse)
    cbc, ada = lab.request_tests(nurse, {"patient": pid, "priority": "routine", "requesting_clinician": "Dr Rao"},
                                 samples)
    assert "sample_type_other" not in cbc.payload
    assert (ada.payload["sample_type"], ada.payload["sample_type_other"]) == ("other", "Pleural fluid")


def test_the_lab_finds_a_request_and_records_flagged_results(home: Path, nurse: Session) -> None:
    pid = register(nurse)
    [request] = lab.request_tests(nurse, {"patient": pid, "priority": "routine", "requesting_clinician": "Dr Rao"},
                                  lab.plan_samples(lab.lab_catalogue(nurse), ["CBC"]))
    nurse.close()
    tech = login(home, LAB_ID, LAB_PIN)
    try:
        order = lab.find_order(tech, (request.human_id or "").lower())
        assert order.on_this_pc and order.patient_id == pid and order.tests == ("CBC - Complete blood count",)
        lines = lab.result_lines(lab.lab_catalogue(tech), order.tests)
        assert lines[0].name == "Haemoglobin" and lines[0].analyte and lines[0].analyte.loinc == "718-7"
        lab.record_results(tech, order.accession, [{"test": "Haemoglobin", "value": "6.1", "flag": "critical",
                                                     "verified_by": "Imran"}])
        assert lab.find_order(tech, order.accession).results[0]["value"] == "6.1"
    finally:
        tech.close()


def test_an_accession_from_another_pc_is_accepted_but_not_a_typo(nurse: Session) -> None:
    with pytest.raises(DowntimeError, match="not an accession number"):
        lab.find_order(nurse, "AIIMS-042-00123-0")
    from downtime.ids import IdBlock
    other = str(IdBlock("AIIMS", 42, 1000).id_for(5))
    order = lab.find_order(nurse, other, patient_id="UHID1")
    assert not order.on_this_pc and order.patient_id == "UHID1"


@pytest.mark.parametrize(("code", "value", "sex", "flag"), [
    ("CBC", "6.1", "female", "critical"), ("CBC", "11.5", "female", "low"), ("CBC", "12.5", "female", "normal"),
    ("CBC", "12.5", "male", "low"), ("CBC", "18", "male", "high"), ("CBC", "12.5", None, "normal"),
    ("CBC", "11.9", None, "low"), ("NS1", "Positive", None, "abnormal"),
    ("NS1", "negative", None, "normal"), ("CBC", "not done", "male", None),
])
def test_results_are_flagged_against_the_range(code: str, value: str, sex: str | None, flag: str | None) -> None:
    test = Catalogue(STARTER, "built-in").find(code)
    assert test is not None
    assert assess(test.analytes[0], value, sex).flag == flag


def test_a_range_typed_by_the_lab_wins() -> None:
    hb = STARTER[0].analytes[0]
    assert assess(hb, "12.5", "male", "11-16").flag == "normal"
    assert hb.reference_range(None) == "M 13–17, F 12–15" and hb.reference_range("female") == "12–15"
    assert parse_range("< 200") == (None, 200) and parse_range("12.0 – 15.0 g/dL") == (12.0, 15.0)


def test_every_starter_test_has_a_loinc_code_and_a_valid_sample_type() -> None:
    from downtime.kinds.schema import get_kind
    samples = {c.value for c in get_kind("lab.request").field("sample_type").choices}
    for test in STARTER:
        assert test.loinc and test.sample_type in samples and test.analytes
        assert all(a.loinc for a in test.analytes)


def test_the_snapshot_catalogue_replaces_the_starter_list(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "s.db")
    db.table("lab_catalogue").insert_all([
        {"test_code": "GLU", "test_name": "Glucose", "test_loinc": "2345-7", "sample_type": "plasma",
         "container": "Grey", "analyte": "Glucose", "loinc": "2345-7", "unit": "mg/dL", "low": 70, "high": 140}])
    cat = catalogue(db)
    assert cat.source == "snapshot" and cat.find("glu") is not None and cat.find("CBC") is None
    assert catalogue(None).source == "built-in"
