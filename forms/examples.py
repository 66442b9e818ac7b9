"""Synthetic example entries for every form: used by the tests, the docs renders and the bench.

All names, numbers and IDs are made up. Payloads go through the kind's own validation, so an
example that drifts from its schema fails loudly instead of printing a form nobody could enter.

    python -m forms.examples docs/forms                  # example PDFs and 100 dpi PNGs of the doc forms
    python -m forms.examples /tmp/out discharge_lama     # any other form
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from downtime.kinds.schema import get_kind
from downtime.kinds.validate import validate
from downtime.lab_report import LabReport, ReportedResult, SampleDetails
from downtime.viewer import (
    Allergy,
    CensusEntry,
    CurrentEncounter,
    LabResult,
    Medication,
    PatientDetails,
    PatientSummary,
    WardCensus,
)
from forms.census import LAB_REPORT_SOURCE
from forms.render import FormContext, FormJob, SheetData, render_form, render_pack

SITE = {
    "name": "All India Institute of Medical Sciences, New Delhi",
    "name_hi": "अखिल भारतीय आयुर्विज्ञान संस्थान, नई दिल्ली",
    "address": "Sri Aurobindo Marg, Ansari Nagar, New Delhi 110029",
    "hfr_id": "IN0710000123",
}
PRINTED_AT = dt.datetime(2025, 1, 8, 23, 10)

SUNITA = {"name": "Sunita Devi", "id": "AIIMS-042-00123-7", "uhid": "", "age_years": 34, "sex": "female",
          "relative": "W/o Ramesh Kumar", "relation_type": "wo", "phone": "9811122233",
          "address": "H. No. 12, गली नं. 4, Sangam Vihar, New Delhi", "pincode": "110080"}
NEWBORN = {"name": "B/O Sunita Devi", "id": "AIIMS-042-00202-8", "age_years": 0, "sex": "female",
           "relative": "D/o Ramesh Kumar"}
MOHAN = {"name": "Mohan Lal", "id": "AIIMS-042-00301-4", "uhid": "100234567", "age_years": 67, "sex": "male",
         "relative": "S/o Late Ram Lal"}

PAYLOADS: dict[str, dict[str, Any]] = {
    "encounter.admit": {
        "patient": "AIIMS-042-00123-7", "admitted_at": "2025-01-05T14:20:00", "admission_type": "emergency",
        "ward": "Medicine Ward 7", "bed": "12", "department": "Medicine", "unit": "Unit II",
        "admitting_doctor": "Dr. Anil Sharma", "provisional_diagnosis": "Community-acquired pneumonia",
        "mlc": True, "mlc_number": "MLC/2025/0042", "police_station": "Hauz Khas",
        "constable_name": "Rajesh Yadav", "constable_number": "1234/SD", "consent_language": "hi",
        "consent_given": True, "relative_name": "Ramesh Kumar", "relative_phone": "9811122233",
        "id_proof_type": "aadhaar", "id_proof_number": "XXXX-XXXX-4321",
    },
    "lab.request": {
        "patient": "AIIMS-042-00123-7", "ward": "Medicine Ward 7", "tests": ["CBC", "KFT", "Blood culture"],
        "sample_type": "serum", "priority": "urgent", "clinical_details": "Fever 5 days, suspected sepsis",
        "collected_at": "2025-01-05T15:10:00", "collected_by": "Nurse Meena",
        "requesting_clinician": "Dr. Anil Sharma",
    },
    "birth.report": {
        "date_of_birth": "2025-01-06", "time_of_birth": "03:42", "sex": "female", "mother": "AIIMS-042-00123-7",
        "mother_name": "Sunita Devi", "mother_mobile": "9811122233", "father_name": "Ramesh Kumar",
        "address_at_birth": "H. No. 12, गली नं. 4, Sangam Vihar, New Delhi 110080",
        "place_of_birth_type": "institution", "place_of_birth": "AIIMS New Delhi, Labour Room",
        "informant_name": "Dr. Kavita Rao", "mother_residence_place": "New Delhi",
        "mother_residence_type": "urban", "mother_residence_district": "South Delhi",
        "mother_residence_state": "Delhi", "religion": "hindu", "father_education": "Class 12",
        "mother_education": "Class 10", "father_occupation": "Driver", "mother_occupation": "Housewife",
        "mother_age_at_marriage": 21, "mother_age_at_birth": 34, "live_births_so_far": 2,
        "attention_at_delivery": "institutional_government", "delivery_method": "natural",
        "birth_weight_kg": 2.9, "pregnancy_weeks": 39,
    },
    "mccd": {
        "form_variant": "form4", "patient": "AIIMS-042-00301-4", "hospital_name": "AIIMS New Delhi",
        "ward": "Medicine Ward 7", "died_at": "2025-01-08T22:15:00", "deceased_name": "Mohan Lal", "sex": "male",
        "age_years": 67, "cause_a": "Septic shock", "interval_a": "12 hours", "icd_a": "R57.2",
        "cause_b": "Lobar pneumonia", "interval_b": "5 days", "icd_b": "J18.1",
        "cause_c": "Chronic obstructive pulmonary disease", "interval_c": "8 years", "icd_c": "J44.9",
        "part2_conditions": "Type 2 diabetes mellitus", "part2_interval": "15 years", "icd_part2": "E11.9",
        "manner_of_death": "natural", "pregnancy_associated": "not_applicable",
        "certifier_name": "Dr. Anil Sharma", "certifier_registration_number": "DMC/R/12345",
        "certifier_qualification": "MD (Medicine)", "certified_at": "2025-01-08T23:00:00",
        "relative_copy_given_to": "Suresh Lal (son)",
    },
    "encounter.transfer": {
        "patient": "AIIMS-042-00123-7", "admission": "AIIMS-042-00200-0", "transferred_at": "2025-01-07T09:30:00",
        "from_ward": "Medicine Ward 7", "from_bed": "12", "to_ward": "MICU", "to_bed": "3",
        "reason": "Worsening hypoxia, needs non-invasive ventilation", "ordered_by": "Dr. Anil Sharma",
    },
    "encounter.discharge": {
        "patient": "AIIMS-042-00123-7", "admission": "AIIMS-042-00200-0", "discharged_at": "2025-01-12T11:00:00",
        "discharge_type": "normal", "final_diagnosis": "Community-acquired pneumonia, resolved",
        "condition_at_discharge": "improved",
        "medications_on_discharge": "Tab Amoxicillin-clavulanate 625 mg BD x 5 days",
        "follow_up": "Medicine OPD, Room 14, after 1 week", "discharging_doctor": "Dr. Anil Sharma",
    },
    "death.report": {
        "patient": "AIIMS-042-00301-4", "date_of_death": "2025-01-08", "deceased_name": "Mohan Lal", "sex": "male",
        "age_years": 67, "father_name": "Ram Lal", "spouse_name": "Kamla Devi",
        "address_at_death": "C-45, Lajpat Nagar, New Delhi 110024", "place_of_death_type": "hospital_institution",
        "place_of_death": "AIIMS New Delhi, Medicine Ward 7", "informant_name": "Dr. Kavita Rao",
        "medical_attention": "institutional", "medically_certified": True,
        "underlying_cause": "Chronic obstructive pulmonary disease", "smoking_years": 40, "religion": "hindu",
        "occupation": "Retired clerk",
    },
    "stillbirth.report": {
        "date_of_delivery": "2025-01-09", "sex": "male", "mother": "AIIMS-042-00123-7", "mother_name": "Sunita Devi",
        "father_name": "Ramesh Kumar", "address": "H. No. 12, Sangam Vihar, New Delhi 110080",
        "place_type": "institution", "place": "AIIMS New Delhi, Labour Room", "informant_name": "Dr. Kavita Rao",
        "mother_age": 34, "pregnancy_weeks": 32, "attention_at_delivery": "institutional_government",
        "delivery_method": "natural", "cause_of_foetal_death": "Placental abruption", "religion": "hindu",
    },
}
# The entry's own human ID (IP number, accession number, newborn's ID), where its kind issues one.
HUMAN_IDS: dict[str, str | None] = {
    "encounter.admit": "AIIMS-042-00200-0", "lab.request": "AIIMS-042-00201-6", "birth.report": "AIIMS-042-00202-8",
    "stillbirth.report": "AIIMS-042-00203-7", "mccd": None, "encounter.transfer": None, "encounter.discharge": None,
    "death.report": None,
}
PATIENTS = {"encounter.admit": SUNITA, "lab.request": SUNITA, "birth.report": NEWBORN, "mccd": MOHAN,
            "encounter.transfer": SUNITA, "encounter.discharge": SUNITA, "death.report": MOHAN,
            "stillbirth.report": SUNITA}
UUIDS = {kind: f"00000000-0000-4000-8000-{i:012d}" for i, kind in enumerate(sorted(PATIENTS), start=1)}


@dataclass(frozen=True)
class Example:
    """Which example entry a form prints, with the changes its variant needs (a LAMA discharge, Form 4A)."""

    kind: str
    changes: tuple[tuple[str, Any], ...] = ()


EXAMPLES: dict[str, Example] = {
    "admission": Example("encounter.admit"),
    "wristband_strip": Example("encounter.admit"),
    "wristband_newborn": Example("birth.report"),
    "lab_request": Example("lab.request"),
    "specimen_labels_a4": Example("lab.request"),
    "specimen_label_50x25": Example("lab.request"),
    "rbd_form1_birth": Example("birth.report"),
    "rbd_form2_death": Example("death.report"),
    "rbd_form3_stillbirth": Example("stillbirth.report"),
    "mccd_form4": Example("mccd"),
    "mccd_form4a": Example("mccd", (("form_variant", "form4a"), ("manner_of_death", None),
                                    ("hospital_name", "Residence, C-45, Lajpat Nagar"), ("ward", None))),
    "transfer_slip": Example("encounter.transfer"),
    "discharge_slip": Example("encounter.discharge"),
    "discharge_lama": Example("encounter.discharge", (("discharge_type", "lama"),
                                                      ("condition_at_discharge", "not_improved"),
                                                      ("lama_reason", "Wants treatment near home"),
                                                      ("lama_witness", "Ramesh Kumar (husband)"))),
    "discharge_referred": Example("encounter.discharge", (("discharge_type", "referred"),
                                                          ("referred_to", "Safdarjung Hospital, Cardiology"),
                                                          ("referral_reason", "Needs cardiac catheterisation"))),
    "discharge_absconded": Example("encounter.discharge", (("discharge_type", "absconded"),
                                                           ("absconded_noticed_at", "2025-01-10T06:15:00"),
                                                           ("police_informed", True), ("condition_at_discharge", None),
                                                           ("medications_on_discharge", None), ("follow_up", None))),
}
DOC_FORMS = ("rbd_form1_birth", "mccd_form4", "ward_census", "patient_summary")

# ---- sheets: what downtime.viewer returns from a snapshot (times in UTC, as the snapshot keeps them) ----

SNAPSHOT_AS_OF = "2025-01-15T06:00:00Z"
_CENSUS_ROWS = (
    ("M7-01", "100234567", None, "Mohan Lal", "67 y", "male", "S/o Late Ram Lal", "2025-01-05T08:50:00Z",
     "IP/2025/000412", "Acute exacerbation of COPD", "Dr. Anil Sharma"),
    ("M7-02", "100298311", None, "Sunita Devi", "34 y", "female", "W/o Ramesh Kumar", "2025-01-12T16:20:00Z",
     "IP/2025/000977", "Community-acquired pneumonia", "Dr. Anil Sharma"),
    ("M7-03", None, "AIIMS-042-00131-9", "Unknown male, about 40", "40 y", "male", None, "2025-01-14T23:05:00Z",
     None, "Head injury, road traffic accident (MLC)", "Dr. Meera Iyer"),
    ("M7-04", "100311873", None, "किशन सिंह", "58 y", "male", "S/o हरि सिंह", "2025-01-10T10:00:00Z",
     "IP/2025/000801", "Dengue fever with warning signs; platelets falling", "Dr. Farhan Qureshi"),
    ("M7-10", "100355102", None, "Fatima Begum", "71 y", "female", "W/o Late Abdul Rashid", "2024-12-28T07:40:00Z",
     "IP/2024/019922", "Type 2 diabetes, foot ulcer with cellulitis", "Dr. Neelam Sharma"),
)
CENSUS = WardCensus("Medicine Ward 7", tuple(
    CensusEntry(ward="Medicine Ward 7", bed=bed, patient_id=uhid or dt_id or "", uhid=uhid, downtime_id=dt_id, name=name,
                age=age, sex=sex, relation=relation, admitted_since=since, encounter_id=f"enc-{bed}",
                ip_number=ip, reason=reason, attending=doctor)
    for bed, uhid, dt_id, name, age, sex, relation, since, ip, reason, doctor in _CENSUS_ROWS))
SUMMARY = PatientSummary(
    patient=PatientDetails(id="100311873", uhid="100311873", downtime_id=None, name="किशन सिंह", sex="male",
                           age="58 y", dob="1966-03-02", phone="9810023456", abha="91-4567-8912-3456",
                           relation="S/o हरि सिंह", address="मकान 12, गली नं. 4, संगम विहार, नई दिल्ली",
                           pincode="110080", source="snapshot"),
    allergies=(
        Allergy("Penicillin", "high", "medication", "Anaphylaxis", "severe", "2019-06-11", "confirmed"),
        Allergy("Peanuts", "low", "food", "Urticaria", "mild", "2021-02-03", "unconfirmed"),
    ),
    medications=(
        Medication("Inj. Ceftriaxone 1 g", "1 g IV BD", "2025-01-10T11:00:00Z", "Dr. Farhan Qureshi"),
        Medication("Tab. Paracetamol 650 mg", "650 mg PO SOS, max 4 a day", "2025-01-10T11:00:00Z",
                   "Dr. Farhan Qureshi"),
        Medication("IV Ringer lactate", "100 ml/h", "2025-01-10T10:30:00Z", "Dr. Farhan Qureshi"),
    ),
    results=(
        LabResult("Platelets [#/volume] in Blood", "777-3", "38", "10*3/uL", "150–410 10*3/uL", "L", True,
                  "2025-01-15T02:10:00Z", "final"),
        LabResult("Hematocrit [Volume Fraction] of Blood", "4544-3", "49", "%", "40–50 %", "N", False,
                  "2025-01-15T02:10:00Z", "final"),
        LabResult("Dengue virus NS1 Ag [Presence] in Serum", "75377-2", "Positive", None, "Negative", "A", True,
                  "2025-01-10T12:30:00Z", "final"),
        LabResult("Creatinine [Mass/volume] in Serum or Plasma", "2160-0", "0.9", "mg/dL", "0.7–1.3 mg/dL", "N",
                  False, "2025-01-10T12:30:00Z", "final"),
    ),
    encounter=CurrentEncounter("enc-M7-04", "IP/2025/000801", "Medicine Ward 7", "M7-04", "2025-01-10T10:00:00Z",
                               "Dengue fever with warning signs; platelets falling", "Dr. Farhan Qureshi", "IMP"),
    as_of=SNAPSHOT_AS_OF,
)
_RESULT_ROWS = (  # test, value, unit, range, flag (as printed), entered at (local time, as the journal keeps it)
    ("Haemoglobin", "6.2", "g/dL", "12–15", "LL", "2025-01-05T18:40+05:30"),
    ("Total leucocyte count (TLC)", "14.2", "10^3/µL", "4–11", "H", "2025-01-05T18:40+05:30"),
    ("Neutrophils", "78", "%", "40–80", None, "2025-01-05T18:40+05:30"),
    ("Lymphocytes", "16", "%", "20–40", "L", "2025-01-05T18:41+05:30"),
    ("Platelet count", "95", "10^3/µL", "150–410", "L", "2025-01-05T18:41+05:30"),
    ("Haematocrit (PCV)", "19", "%", "36–46", "L", "2025-01-05T18:41+05:30"),
)
LAB_REPORT = LabReport(
    accession="AIIMS-042-00201-6",
    patient=PatientDetails(id="AIIMS-042-00123-7", uhid=None, downtime_id="AIIMS-042-00123-7", name="Sunita Devi",
                           sex="female", age="34 y", dob=None, phone="9811122233", abha=None,
                           relation="W/o Ramesh Kumar", address="H. No. 12, गली नं. 4, Sangam Vihar, New Delhi",
                           pincode="110080", source="downtime"),
    sample=SampleDetails("AIIMS-042-00201-6", "Blood (whole blood) / रक्त (होल ब्लड)",
                         "Urgent / अत्यावश्यक (अर्जेंट)", "CBC - Complete blood count",
                         "Medicine Ward 7", "Dr. Anil Sharma", "2025-01-05T15:10+05:30", "Nurse Meena",
                         "this PC / यही PC"),
    results=tuple(ReportedResult(test, value, unit, ref, flag, flag is not None, at, "Imran Khan (L5)", at,
                                 "Dr. Kavita Rao", None, "Phoned to the ward, Sister Rekha, 18:45"
                                 if flag == "LL" else None, "final")
                  for test, value, unit, ref, flag, at in _RESULT_ROWS),
)
SHEETS: dict[str, WardCensus | PatientSummary | LabReport] = {"ward_census": CENSUS, "patient_summary": SUMMARY,
                                                              "lab_report": LAB_REPORT}
# Where a sheet's facts come from, when that is not the snapshot alone.
SHEET_SOURCES = {"lab_report": LAB_REPORT_SOURCE}


def make_entry(kind: str, changes: tuple[tuple[str, Any], ...] = (), seq: int = 57) -> dict[str, Any]:
    """An entry as the journal hands it out; the payload goes through the kind's own validation."""
    payload = {k: v for k, v in {**PAYLOADS[kind], **dict(changes)}.items() if v is not None}
    return {
        "uuid": UUIDS[kind], "seq": seq, "device": "W7PC2", "kind": kind, "human_id": HUMAN_IDS[kind],
        "payload": validate(get_kind(kind), payload), "staff": "D2001",
        "recorded_at": "2025-01-08T23:05:00", "clinical_at": "2025-01-08T22:15:00", "supersedes": None,
    }


def example_ctx(form: str, reprint_note: str | None = None) -> FormContext:
    """The example entry for ``form``, ready to print."""
    example = EXAMPLES[form]
    return FormContext(site=SITE, entry=make_entry(example.kind, example.changes), patient=PATIENTS[example.kind],
                       printed_by="D2001", device="W7PC2", printed_at=PRINTED_AT, reprint_note=reprint_note)


def blank_ctx() -> FormContext:
    return FormContext(site=SITE, entry=None, patient=None, printed_by="N1042", device="W7PC2",
                       printed_at=PRINTED_AT)


def example_sheet_job(form: str) -> FormJob:
    """The example ward census, patient summary or lab report, as a job for ``render_pack``."""
    return FormJob(form, blank_ctx(), data=SheetData(SHEETS[form], SNAPSHOT_AS_OF, SHEET_SOURCES.get(form)))


def render_example(form: str, out: Path) -> Path:
    if form in SHEETS:
        return render_pack([example_sheet_job(form)], out)
    return render_form(form, example_ctx(form), out)


def write_doc_renders(out_dir: Path, forms: tuple[str, ...] = DOC_FORMS, dpi: int = 100) -> list[Path]:
    """Render forms from their examples, as PDF and as one PNG per page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for form in forms:
        pdf = render_example(form, out_dir / f"{form}.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(out_dir / form)], check=True)
        written += [pdf, *sorted(out_dir.glob(f"{form}-*.png"))]
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/forms")
    for path in write_doc_renders(target, tuple(sys.argv[2:]) or DOC_FORMS):
        print(path)
