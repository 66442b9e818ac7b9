"""A records office whose workspace holds one outage's worth of real ward entries, for the write-back adapters.

Built once per test session the way a real one is: a staged ward PC with an HMIS snapshot, where staff
register, admit, transfer, discharge, request and report labs, record a death and a birth, correct and
void entries; its bundle is exported, sealed and imported at the records office. Each test gets its own
copy of the office folder, so posting in one test leaves no acknowledgement behind for the next.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from downtime.demo_data import generate_export
from downtime.home import Home
from downtime.session import Session, init_home, login
from downtime.snapshot_store import install_snapshot
from sync.adapters.records import Decision
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN, DOCTOR_ID, DOCTOR_PIN, LAB_ID, LAB_PIN, NURSE_ID, NURSE_PIN, SUNITA
from tests.sync.conftest import PASSPHRASE, device_key, export, make_office, seal_to

NOW = dt.datetime.now().replace(second=0, microsecond=0)


def at(hours_ago: float) -> str:
    return (NOW - dt.timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


@dataclass
class Scenario:
    office: Path
    ward: Path
    ids: dict[str, str] = field(default_factory=dict)       # name in the story -> downtime ID / UHID / IP number
    uuids: dict[str, str] = field(default_factory=dict)     # name in the story -> entry uuid
    decisions: dict[str, Decision] = field(default_factory=dict)


def _ward(path: Path, export_dir: Path) -> Path:
    admin = init_home(path, site_name="AIIMS New Delhi", device="W7-PC2", admin_id=ADMIN_ID, admin_name="IT Admin",
                      admin_pin=ADMIN_PIN, block=7)
    admin.add_staff(NURSE_ID, "Nurse Kavita", "ward", NURSE_PIN)
    admin.add_staff(DOCTOR_ID, "Dr Anil Rao", "doctor", DOCTOR_PIN)
    admin.add_staff(LAB_ID, "Lab Tech Imran", "lab", LAB_PIN)
    admin.start_downtime("HMIS down: ransomware", started_at=at(80))
    admin.close()
    generate_export(export_dir, patients=20, inpatients=4, seed=11)
    install_snapshot(Home(path), sorted(export_dir.glob("*.ndjson")))
    return path


def _story(nurse: Session, doctor: Session, lab: Session, s: Scenario) -> None:
    """What happened on the ward during the outage (each line is one thing a person did)."""
    reg = nurse.record("patient.register", {**SUNITA, "abha": "91-1234-5678-9012", "pincode": "110029"})
    s.ids["sunita"], s.uuids["sunita"] = reg.human_id or "", reg.uuid
    nurse.correct(reg.uuid, {**SUNITA, "abha": "91-1234-5678-9012", "pincode": "110029", "phone": "9812345678"},
                  "phone number misread")
    admit = nurse.record("encounter.admit", {"patient": s.ids["sunita"], "admitted_at": at(72), "ward": "W7",
                                             "bed": "12", "admitting_doctor": "Dr Anil Rao",
                                             "admission_type": "emergency", "provisional_diagnosis": "Fever, anaemia"})
    s.ids["sunita_ip"], s.uuids["sunita_admit"] = admit.human_id or "", admit.uuid
    first = nurse.correct(admit.uuid, {**admit.payload, "bed": "14"}, "wrong bed written")
    nurse.correct(first.uuid, {**admit.payload, "bed": "15"}, "bed 14 was the neighbour's: 15")
    nurse.record("encounter.transfer", {"patient": s.ids["sunita"], "admission": s.ids["sunita_ip"],
                                        "transferred_at": at(60), "from_ward": "W7", "to_ward": "ICU", "to_bed": "3"})
    request = nurse.record("lab.request", {"patient": s.ids["sunita"], "admission": s.ids["sunita_ip"],
                                           "tests": ["Haemoglobin", "Serum creatinine"], "sample_type": "blood",
                                           "priority": "urgent", "collected_at": at(70),
                                           "requesting_clinician": "Dr Anil Rao", "fasting": True})
    s.ids["sunita_accession"] = request.human_id or ""
    lab.record("lab.result", {"accession": s.ids["sunita_accession"], "test": "Haemoglobin", "loinc": "718-7",
                              "value": "8.9", "unit": "g/dL", "reference_range": "12.0-15.0", "flag": "low",
                              "resulted_at": at(68), "verified_by": "Dr Meera Pathologist"})
    creat = lab.record("lab.result", {"accession": s.ids["sunita_accession"], "test": "Serum creatinine",
                                      "value": "1.9", "unit": "mg/dL", "flag": "high", "resulted_at": at(68),
                                      "verified_by": "Dr Meera Pathologist"})
    s.uuids["creatinine"] = creat.uuid
    lab.correct(creat.uuid, {**creat.payload, "value": "1.4", "flag": "normal"}, "transcription error")
    doctor.record("encounter.discharge", {"patient": s.ids["sunita"], "admission": s.ids["sunita_ip"],
                                         "discharged_at": at(30), "discharge_type": "normal",
                                         "final_diagnosis": "Iron deficiency anaemia",
                                         "discharging_doctor": "Dr Anil Rao"})

    # Ravi is already an HMIS patient: the records office matches him to his UHID.
    ravi = nurse.record("patient.register", {"name": "Ravi Kumar", "sex": "male", "age_years": 52,
                                             "relative": "S/o Mohan Lal", "phone": "9811111111"})
    s.ids["ravi"] = ravi.human_id or ""
    nurse.record("encounter.admit", {"patient": s.ids["ravi"], "admitted_at": at(50), "ward": "W7", "bed": "2",
                                     "admitting_doctor": "Dr Anil Rao"})

    # Registered in error and voided, but not before an admission was written for him.
    wrong = nurse.record("patient.register", {"name": "Wrong Entry", "sex": "male", "age_years": 30})
    s.ids["voided"] = wrong.human_id or ""
    nurse.record("encounter.admit", {"patient": s.ids["voided"], "admitted_at": at(49), "ward": "W7", "bed": "5",
                                     "admitting_doctor": "Dr Anil Rao"})
    nurse.void(wrong.uuid, "registered twice")

    # A doubtful match: held for review, nothing of hers may be sent.
    kamla = nurse.record("patient.register", {"name": "Kamla Bai", "sex": "female", "age_years": 61})
    s.ids["kamla"] = kamla.human_id or ""
    nurse.record("lab.request", {"patient": s.ids["kamla"], "tests": ["CBC"], "sample_type": "blood",
                                 "priority": "routine", "requesting_clinician": "Dr Anil Rao"})

    # A snapshot in-patient known by UHID: a lab request by UHID, and a transfer on the HMIS admission.
    inpatient = nurse.census()[0].patients[0]
    s.ids["hmis_patient"] = inpatient.uhid or inpatient.patient_id
    nurse.record("encounter.transfer", {"patient": s.ids["hmis_patient"], "transferred_at": at(40),
                                        "to_ward": "Surgery Ward 3", "to_bed": "S3-09"})
    nurse.record("lab.request", {"patient": s.ids["hmis_patient"], "tests": "Blood sugar (random)",
                                 "sample_type": "plasma", "priority": "stat", "requesting_clinician": "Dr Anil Rao"})

    # Mohan dies in the ward; the doctor writes the MCCD and the death report.
    mohan = nurse.record("patient.register", {"name": "Mohan Singh", "sex": "male", "age_years": 70,
                                              "relative": "S/o Karan Singh", "phone": "9833333333",
                                              # HL7 delimiters in free text must be escaped, not split on
                                              "address": "Gali 3 | Block B ^ near temple & school ~ Delhi \\ 6"})
    s.ids["mohan"], s.uuids["mohan"] = mohan.human_id or "", mohan.uuid
    mohan_ip = nurse.record("encounter.admit", {"patient": s.ids["mohan"], "admitted_at": at(48), "ward": "W7",
                                                "bed": "8", "admitting_doctor": "Dr Anil Rao"}).human_id
    doctor.record("encounter.death", {"patient": s.ids["mohan"], "admission": mohan_ip, "died_at": at(20),
                                      "declared_by": "Dr Anil Rao"})
    doctor.record("mccd", {"form_variant": "form4", "patient": s.ids["mohan"], "died_at": at(20),
                           "deceased_name": "Mohan Singh", "sex": "male", "age_years": 70,
                           "cause_a": "Septic shock", "interval_a": "2 days", "cause_b": "Lobar pneumonia",
                           "icd_b": "J18.1", "certifier_name": "Dr Anil Rao",
                           "certifier_registration_number": "DMC-12345"})
    doctor.record("death.report", {"patient": s.ids["mohan"], "date_of_death": at(20)[:10],
                                   "deceased_name": "Mohan Singh", "sex": "male", "age_years": 70,
                                   "place_of_death_type": "hospital_institution",
                                   "place_of_death": "W7, AIIMS New Delhi", "informant_name": "Records Officer"})
    # Brought dead: a statutory report about someone who was never a patient here.
    doctor.record("death.report", {"date_of_death": at(26)[:10], "deceased_name": "Unknown Male", "sex": "male",
                                   "age_years": 40, "place_of_death_type": "other", "place_of_death": "Ring Road",
                                   "informant_name": "Head Constable Yadav"})

    # Sunita's baby: the birth report registers the newborn.
    baby = nurse.record("birth.report", {"date_of_birth": at(36)[:10], "time_of_birth": "06:40", "sex": "female",
                                         "mother": s.ids["sunita"], "mother_name": "Sunita Devi",
                                         "address_at_birth": SUNITA["address"], "place_of_birth_type": "institution",
                                         "place_of_birth": "AIIMS New Delhi", "informant_name": "Records Officer",
                                         "birth_weight_kg": 2.8})
    s.ids["baby"] = baby.human_id or ""
    nurse.record("note", {"patient": s.ids["sunita"], "text": "Husband's second number 9822222222"})


def build_scenario(base: Path) -> Scenario:
    office = make_office(base / "office")
    ward = _ward(base / "ward", base / "snapshot-export")
    seal_to(ward, office)
    s = Scenario(office, ward)
    nurse, doctor, lab = (login(ward, sid, pin) for sid, pin in ((NURSE_ID, NURSE_PIN), (DOCTOR_ID, DOCTOR_PIN),
                                                                  (LAB_ID, LAB_PIN)))
    try:
        _story(nurse, doctor, lab, s)
    finally:
        for session in (nurse, doctor, lab):
            session.close()
    (base / "usb").mkdir()
    ws = Workspace.open(office, PASSPHRASE)
    try:
        ws.trust(device_key(ward))
        ws.import_file(export(ward, base / "usb").path)
    finally:
        ws.close()
    s.ids["ravi_uhid"] = "HMIS-RAVI-0001"  # what the matcher found for Ravi in the MPI
    s.decisions = {s.ids["sunita"]: ("new", None), s.ids["ravi"]: ("matched", s.ids["ravi_uhid"]),
                   s.ids["kamla"]: ("review", None), s.ids["mohan"]: ("new", None), s.ids["baby"]: ("new", None)}
    return s


@contextmanager
def on_the_ward(scenario: Scenario, staff: str, pin: str) -> Iterator[Session]:
    """A staff member logged in on the scenario's ward PC, for entries made after the first import."""
    session = login(scenario.ward, staff, pin)
    try:
        yield session
    finally:
        session.close()


def bring_in(ws: Workspace, scenario: Scenario, usb: Path) -> None:
    """Export the ward PC's new entries and import them at the records office, as a later stick would."""
    usb.mkdir()
    ws.import_file(export(scenario.ward, usb).path)


@pytest.fixture(scope="session")
def built_scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_scenario(tmp_path_factory.mktemp("adapters"))


@pytest.fixture
def scenario(built_scenario: Scenario, tmp_path: Path) -> Scenario:
    """A private copy of the built records office (and its ward PC) for one test."""
    office, ward = tmp_path / "office", tmp_path / "ward"
    shutil.copytree(built_scenario.office, office)
    shutil.copytree(built_scenario.ward, ward)
    return Scenario(office, ward, dict(built_scenario.ids), dict(built_scenario.uuids),
                    dict(built_scenario.decisions))


@pytest.fixture
def ws(scenario: Scenario) -> Iterator[Workspace]:
    workspace = Workspace.open(scenario.office, PASSPHRASE)
    yield workspace
    workspace.close()
