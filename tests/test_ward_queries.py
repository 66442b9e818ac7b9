"""The session calls the ward screens make: likely matches, census and admission now, prefill, today's records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from downtime.demo_data import generate_export
from downtime.home import Home
from downtime.search import PatientHit
from downtime.session import Session, login
from downtime.snapshot_store import install_snapshot
from tests.conftest import NURSE_ID, NURSE_PIN, SUNITA


@pytest.fixture
def ward(home: Path, tmp_path: Path) -> Iterator[Session]:
    """The nurse on a PC whose snapshot has 300 patients, 30 of them in-patients."""
    generate_export(tmp_path / "export", patients=300, inpatients=30, seed=7)
    install_snapshot(Home(home), sorted((tmp_path / "export").glob("*.ndjson")))
    session = login(home, NURSE_ID, NURSE_PIN)
    yield session
    session.close()


def snapshot_patient(session: Session, name: str) -> PatientHit:
    return next(h for h in session.search(name) if h.name == name)


def test_likely_matches_filter_by_sex_and_age_and_rank_phone_first(ward: Session) -> None:
    sunita = snapshot_patient(ward, "Sunita Maurya")  # 31 y, W/o Vijay Maurya
    age = int((sunita.age or "0").split()[0])
    hits = ward.likely_matches({"name": "Suneeta Maurya", "sex": "female", "age_years": age + 2})
    assert sunita.id in [h.id for h in hits]
    assert all(h.sex in ("female", None) for h in hits)
    assert "Suneeta Maurya" not in [h.name for h in hits]  # 12 years old: outside ±2 years
    assert sunita.id not in [h.id for h in ward.likely_matches(
        {"name": "Suneeta Maurya", "sex": "female", "age_years": age + 3})]
    assert sunita.id not in [h.id for h in ward.likely_matches(
        {"name": "Suneeta Maurya", "sex": "male", "age_years": age})]
    # The same phone lifts a candidate to the top, even with the surname left out.
    by_phone = ward.likely_matches({"name": "Sunita", "sex": "female", "age_years": age, "phone": sunita.phone})
    assert by_phone[0].id == sunita.id and by_phone[0].matched_on == "phone"
    by_relative = ward.likely_matches({"name": "Sunita Devi", "sex": "female", "age_years": age,
                                       "relative": "W/o Vijay Maurya"})
    assert by_relative[0].id == sunita.id and by_relative[0].matched_on == "relative"


def test_likely_matches_include_this_pcs_registrations(nurse: Session) -> None:
    sunita = nurse.record("patient.register", SUNITA).human_id
    hits = nurse.likely_matches({"name": "Sunita Devi", "sex": "female", "age_years": 44})
    assert [h.downtime_id for h in hits] == [sunita]
    assert nurse.likely_matches({"name": "Kamla Bai", "sex": "female", "age_years": 44}) == []


def test_registration_check_is_a_note_on_the_patient(nurse: Session) -> None:
    sunita = nurse.record("patient.register", SUNITA).human_id or ""
    nurse.note_registration_check(sunita, ["100000000090", "100000000294"], picked=False)
    notes = [r for r in nurse.patient_history(sunita) if r["kind"] == "note"]
    assert "ruled out: 100000000090, 100000000294" in notes[0]["payload"]["text"]


def test_census_and_admission_follow_this_pcs_entries(ward: Session) -> None:
    before = {w.ward: w.count for w in ward.census()}
    moved = ward.census("Medicine Ward 7")[0].patients[0]
    assert ward.current_admission(moved.patient_id).ward == "Medicine Ward 7"  # type: ignore[union-attr]
    ward.record("encounter.transfer", {"patient": moved.patient_id, "transferred_at": "2025-01-06T10:00",
                                       "to_ward": "Surgery Ward 3", "to_bed": "S3-09"})
    new = ward.record("patient.register", SUNITA).human_id or ""
    admission = ward.record("encounter.admit", {"patient": new, "admitted_at": "2025-01-06T12:00",
                                                "ward": "ICU", "bed": "ICU-09", "admitting_doctor": "Dr Rao"})
    after = {w.ward: w for w in ward.census()}
    assert after["Medicine Ward 7"].count == before["Medicine Ward 7"] - 1
    assert ("S3-09", moved.name) in [(p.bed, p.name) for p in after["Surgery Ward 3"].patients]
    icu = after["ICU"].patients
    assert icu[-1].name == "Sunita Devi" and icu[-1].ip_number == admission.human_id
    now = ward.current_admission(new)
    assert now is not None and (now.ward, now.bed, now.ip_number) == ("ICU", "ICU-09", admission.human_id)
    moved_now = ward.current_admission(moved.uhid or "")
    assert moved_now is not None and (moved_now.ward, moved_now.ip_number) == ("Surgery Ward 3", moved.ip_number)


def test_discharge_ends_the_admission(home: Path, ward: Session) -> None:
    from tests.conftest import DOCTOR_ID, DOCTOR_PIN

    patient = ward.census("ICU")[0].patients[0]
    ward.close()
    doctor = login(home, DOCTOR_ID, DOCTOR_PIN)
    try:
        doctor.record("encounter.discharge", {"patient": patient.patient_id, "discharged_at": "2025-01-06T12:00",
                                              "discharge_type": "normal", "discharging_doctor": "Dr Rao"})
        assert doctor.current_admission(patient.patient_id) is None
        assert patient.name not in [p.name for w in doctor.census() for p in w.patients]
    finally:
        doctor.close()


def test_last_payload_skips_voided_records(nurse: Session) -> None:
    assert nurse.last_payload("encounter.admit") is None
    patient = nurse.record("patient.register", SUNITA).human_id or ""
    first = {"patient": patient, "admitted_at": "2025-01-06T12:00", "ward": "ICU", "admitting_doctor": "Dr Rao"}
    nurse.record("encounter.admit", first)
    second = nurse.record("encounter.admit", {**first, "admitting_doctor": "Dr Sen"})
    assert nurse.last_payload("encounter.admit")["admitting_doctor"] == "Dr Sen"  # type: ignore[index]
    nurse.void(second.uuid, "wrong patient")
    assert nurse.last_payload("encounter.admit")["admitting_doctor"] == "Dr Rao"  # type: ignore[index]


def test_records_on_a_day_carry_their_status(nurse: Session) -> None:
    patient = nurse.record("patient.register", SUNITA)
    nurse.correct(patient.uuid, {**SUNITA, "age_years": 46}, "age from Aadhaar")
    rows = nurse.records_on(dt.date.today().isoformat())
    assert [(r["human_id"], r["status"], r["exported"]) for r in rows] == [(patient.human_id, "corrected", 0)]
    assert rows[0]["payload"]["age_years"] == 46
    assert nurse.records_on("2001-01-01") == []


def test_lookup_record_by_ip_number_or_uuid(nurse: Session) -> None:
    patient = nurse.record("patient.register", SUNITA).human_id or ""
    admission = nurse.record("encounter.admit", {"patient": patient, "admitted_at": "2025-01-06T12:00",
                                                 "ward": "ICU", "admitting_doctor": "Dr Rao"})
    for ref in (admission.uuid, (admission.human_id or "").lower()):
        found = nurse.lookup_record(ref)
        assert found is not None and (found["patient"], found["kind"]) == (patient, "encounter.admit")
    assert nurse.lookup_record("NOPE-1") is None
    assert nurse.records_on(dt.date.today().isoformat())[0]["patient_name"] == "Sunita Devi"
