"""What the wards read: the census, and one patient's summary, from the snapshot and this PC's journal.

Plain frozen dataclasses, so the GUI, the CLI and the form renderer show the same facts. Times stay
ISO 8601 (UTC, as the snapshot stores them; the journal's local times get their offset here, so
paper and screen convert both alike); formatting for people is the caller's job.

One safety rule shapes the summary: an empty allergy list means "nothing recorded in the snapshot",
never "no known allergies". Only an explicit "no known allergy" record from the HMIS says that, and
``PatientSummary.allergy_status`` spells out which case it is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from downtime.errors import NotFoundError
from downtime.kinds.schema import get_kind
from downtime.patient_index import age_text, format_abha, has_table, query_dicts, relation_text

NO_WARD = "(ward not given)"
# SNOMED CT "no known ..." findings that HMIS send as an AllergyIntolerance.
NO_KNOWN_ALLERGY_CODES = frozenset({"716186003", "409137002", "428607008", "429625007", "428197003"})
# v3 ObservationInterpretation codes that mean "within normal limits" (everything else is a flag).
NORMAL_FLAGS = frozenset({"N", "NORMAL", "NEG", "S", "WR", "IND"})


@dataclass(frozen=True)
class CensusEntry:
    ward: str
    bed: str | None
    patient_id: str
    uhid: str | None
    downtime_id: str | None
    name: str
    age: str | None
    sex: str | None
    relation: str | None
    admitted_since: str | None   # ISO 8601
    encounter_id: str
    ip_number: str | None
    reason: str | None
    attending: str | None


@dataclass(frozen=True)
class WardCensus:
    ward: str
    patients: tuple[CensusEntry, ...]

    @property
    def count(self) -> int:
        return len(self.patients)


@dataclass(frozen=True)
class PatientDetails:
    id: str
    uhid: str | None
    downtime_id: str | None
    name: str
    sex: str | None
    age: str | None
    dob: str | None
    phone: str | None
    abha: str | None
    relation: str | None
    address: str | None
    pincode: str | None
    source: str


@dataclass(frozen=True)
class Allergy:
    substance: str
    criticality: str | None      # low, high, unable-to-assess
    category: str | None         # medication, food, environment, biologic
    reaction: str | None
    severity: str | None
    recorded: str | None
    verification: str | None
    no_known_allergy: bool = False


@dataclass(frozen=True)
class Medication:
    name: str
    dosage: str | None
    started: str | None
    prescriber: str | None


@dataclass(frozen=True)
class LabResult:
    name: str
    code: str | None             # LOINC when the HMIS gives it
    value: str
    unit: str | None
    reference_range: str | None  # "12–15.5 g/dL", or the lab's own text
    flag: str | None             # H, L, HH, LL, A...; worked out from the range when the lab sent none
    abnormal: bool
    taken_at: str
    status: str | None


@dataclass(frozen=True)
class CurrentEncounter:
    encounter_id: str
    ip_number: str | None
    ward: str
    bed: str | None
    admitted_since: str | None
    reason: str | None
    attending: str | None
    kind: str | None             # the encounter type as the HMIS names it


@dataclass(frozen=True)
class DowntimeRecord:
    """One of this PC's records about a patient, as the printed summary lists it."""

    recorded_at: str             # ISO 8601 with its offset
    entry: str                   # what it is, in both languages: "Admission / भर्ती"
    human_id: str | None
    details: str                 # the few fields that say what happened (ward and bed, tests, result)
    status: str                  # active, corrected or voided
    staff: str


@dataclass(frozen=True)
class PatientSummary:
    patient: PatientDetails
    allergies: tuple[Allergy, ...]
    medications: tuple[Medication, ...]
    results: tuple[LabResult, ...]       # newest first, within the snapshot's 30-day window
    encounter: CurrentEncounter | None
    as_of: str | None                    # the snapshot's "as of" time: everything here is from then
    downtime: tuple[DowntimeRecord, ...] = ()  # this PC's records about the patient (``with_downtime``)

    @property
    def allergy_status(self) -> str:
        """ "recorded", "no known allergies" (stated by the HMIS) or "not recorded" (nothing in the snapshot)."""
        if any(not a.no_known_allergy for a in self.allergies):
            return "recorded"
        if self.allergies:
            return "no known allergies"
        return "not recorded"


# -- census ---------------------------------------------------------------------------------------

def census(db: sqlite_utils.Database, ward: str | None = None) -> list[WardCensus]:
    """In-patients per ward (wards by name, beds in natural order: M7-2 before M7-10)."""
    if not has_table(db, "encounters"):
        return []
    sql = ("SELECT e.id AS encounter_id, e.ip_number, e.ward, e.bed, e.admitted_at, e.reason, e.attending, "
           "p.id, p.uhid, p.downtime_id, p.name, p.sex, p.dob, p.age_years, p.relation_type, p.relative "
           "FROM encounters e JOIN patients p ON p.id = e.patient_id")
    params: list[Any] = []
    if ward == NO_WARD:
        sql += " WHERE e.ward IS NULL"
    elif ward is not None:
        sql += " WHERE e.ward = ? COLLATE NOCASE"
        params.append(ward)
    return _by_ward(CensusEntry(
        ward=row["ward"] or NO_WARD, bed=row["bed"], patient_id=row["id"], uhid=row["uhid"],
        downtime_id=row["downtime_id"], name=row["name"] or "", age=age_text(row["dob"], row["age_years"]),
        sex=row["sex"], relation=relation_text(row["relation_type"], row["relative"]),
        admitted_since=row["admitted_at"], encounter_id=row["encounter_id"], ip_number=row["ip_number"],
        reason=row["reason"], attending=row["attending"]) for row in query_dicts(db, sql, params))


def _by_ward(entries: Iterable[CensusEntry]) -> list[WardCensus]:
    wards: dict[str, list[CensusEntry]] = {}
    for entry in entries:
        wards.setdefault(entry.ward, []).append(entry)
    return [WardCensus(name, tuple(sorted(entries, key=lambda e: natural_key(e.bed or ""))))
            for name, entries in sorted(wards.items(), key=lambda item: natural_key(item[0]))]


# -- the census as this PC changed it -------------------------------------------------------------
# The snapshot stops at the HMIS export; during the downtime this PC's journal admits, moves and
# discharges patients. Its ``admissions`` table holds the downtime admissions, and ``placements``
# where the journal last put any patient (a NULL ward: discharged or died here).


def current_census(snapshot: sqlite_utils.Database | None, journal: sqlite_utils.Database,
                   ward: str | None = None) -> list[WardCensus]:
    """In-patients per ward: the snapshot's, moved or removed by this PC's entries, plus its own admissions."""
    placements = _placements(journal)
    entries = _downtime_admissions(snapshot, journal)
    seen = {i for e in entries for i in _ids(e.patient_id, e.uhid, e.downtime_id)}
    for ward_census in census(snapshot) if snapshot is not None else []:
        for entry in ward_census.patients:
            keys = _ids(entry.patient_id, entry.uhid, entry.downtime_id)
            if keys & seen:
                continue
            spot = _placement_of(placements, keys)
            if spot is None:
                entries.append(entry)
            elif spot[0]:  # moved during the downtime; a NULL ward means no longer in the hospital
                entries.append(replace(entry, ward=spot[0], bed=spot[1]))
    if ward is not None:
        entries = [e for e in entries if e.ward.casefold() == ward.casefold()]
    return _by_ward(entries)


def current_admission(snapshot: sqlite_utils.Database | None, journal: sqlite_utils.Database,
                      patient_id: str) -> CurrentEncounter | None:
    """Where the patient is admitted now: an open downtime admission, else the snapshot's, if not ended here."""
    keys = _patient_keys(snapshot, journal, patient_id)
    marks = ", ".join("?" * len(keys))
    for row in query_dicts(journal, f"SELECT a.*, r.payload FROM admissions a LEFT JOIN records r ON r.uuid = a.uuid "
                                    f"WHERE upper(a.patient) IN ({marks}) AND a.status = 'admitted' "
                                    "ORDER BY a.admitted_at DESC LIMIT 1", sorted(keys)):
        admit = json.loads(row["payload"]) if row["payload"] else {}
        return CurrentEncounter(encounter_id=row["uuid"], ip_number=row["ip_number"], ward=row["ward"] or NO_WARD,
                                bed=row["bed"], admitted_since=with_offset(row["admitted_at"]),
                                reason=admit.get("provisional_diagnosis"), attending=admit.get("admitting_doctor"),
                                kind="downtime")
    if snapshot is None:
        return None
    patient = find_patient(snapshot, None, patient_id)
    found = _encounter(snapshot, patient.id) if patient else None
    spot = _placement_of(_placements(journal), keys)
    if found is None or spot is None:
        return found
    return replace(found, ward=spot[0], bed=spot[1]) if spot[0] else None


def _ids(*values: str | None) -> set[str]:
    return {v.upper() for v in values if v}


def _patient_keys(snapshot: sqlite_utils.Database | None, journal: sqlite_utils.Database,
                  patient_id: str) -> set[str]:
    """Every identifier the patient goes by in either database (UHID, downtime ID)."""
    key = patient_id.strip()
    keys = {key.upper()}
    for db in (snapshot, journal):
        if db is not None and has_table(db, "patients"):
            for row in db.execute("SELECT id, uhid, downtime_id FROM patients WHERE id = ? OR uhid = ? OR "
                                  "downtime_id = ?", [key] * 3).fetchall():
                keys |= _ids(*row)
    return keys


def _placements(journal: sqlite_utils.Database) -> dict[str, tuple[str | None, str | None]]:
    if not has_table(journal, "placements"):
        return {}
    return {pid.upper(): (ward, bed) for pid, ward, bed in journal.execute(
        "SELECT patient_id, ward, bed FROM placements ORDER BY updated_at").fetchall()}


def _placement_of(placements: dict[str, tuple[str | None, str | None]],
                  keys: set[str]) -> tuple[str | None, str | None] | None:
    return next((placements[k] for k in sorted(keys) if k in placements), None)


def _downtime_admissions(snapshot: sqlite_utils.Database | None,
                         journal: sqlite_utils.Database) -> list[CensusEntry]:
    if not has_table(journal, "admissions"):
        return []
    out = []
    # The admission record's current version says why and under whom, as the HMIS census does.
    for adm in query_dicts(journal, "SELECT a.*, r.payload FROM admissions a LEFT JOIN records r ON r.uuid = a.uuid "
                                    "WHERE a.status = 'admitted' ORDER BY a.admitted_at"):
        patient = find_patient(snapshot, journal, adm["patient"])
        admit = json.loads(adm["payload"]) if adm["payload"] else {}
        out.append(CensusEntry(
            ward=adm["ward"] or NO_WARD, bed=adm["bed"], patient_id=patient.id if patient else adm["patient"],
            uhid=patient.uhid if patient else None, downtime_id=patient.downtime_id if patient else None,
            name=patient.name if patient else adm["patient"], age=patient.age if patient else None,
            sex=patient.sex if patient else None, relation=patient.relation if patient else None,
            admitted_since=with_offset(adm["admitted_at"]), encounter_id=adm["uuid"], ip_number=adm["ip_number"],
            reason=admit.get("provisional_diagnosis"), attending=admit.get("admitting_doctor")))
    return out


def find_patient(snapshot: sqlite_utils.Database | None, journal: sqlite_utils.Database | None,
                 ref: str) -> PatientDetails | None:
    """The patient ``ref`` names: registered on this PC first, else in the snapshot; None if neither has them."""
    for db in (journal, snapshot):
        if db is not None and has_table(db, "patients"):
            rows = query_dicts(db, "SELECT * FROM patients WHERE id = ? OR uhid = ? OR downtime_id = ? LIMIT 1",
                               [ref.strip()] * 3)
            if rows:
                return _details(rows[0])
    return None


def with_offset(text: str | None) -> str | None:
    """A journal time (local, often without its offset) with the PC's offset, so that paper, which reads
    a time without one as the snapshot's UTC, prints the hour the clerk typed."""
    if not text:
        return text
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return text
    return (moment if moment.tzinfo else moment.astimezone()).isoformat(timespec="minutes")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders embedded numbers by value ("Ward 7" < "Ward 10")."""
    return tuple(int(part) if part.isdecimal() else part.casefold() for part in re.split(r"(\d+)", text))


# -- one patient ----------------------------------------------------------------------------------

# The fields that say what a downtime record did, for the printed summary's list. The cause of death
# is left out on purpose: the summary travels with the chart, and the MCCD itself says it.
_DETAIL_FIELDS: dict[str, tuple[str, ...]] = {
    "patient.register": ("age_years", "sex", "relative", "phone"),
    "encounter.admit": ("ward", "bed", "provisional_diagnosis", "admitting_doctor"),
    "encounter.transfer": ("from_ward", "to_ward", "to_bed", "reason"),
    "encounter.discharge": ("discharge_type", "final_diagnosis", "condition_at_discharge"),
    "encounter.death": ("died_at", "declared_by"),
    "lab.request": ("tests", "sample_type", "priority", "requesting_clinician"),
    "lab.result": ("test", "value", "unit", "flag"),
    "birth.report": ("date_of_birth", "sex", "birth_weight_kg"),
    "stillbirth.report": ("date_of_delivery", "pregnancy_weeks"),
    "death.report": ("date_of_death",),
    "mccd": ("certifier_name",),
    "note": ("text",),
}


def with_downtime(summary: PatientSummary, admission: CurrentEncounter | None, records: Sequence[dict[str, Any]],
                  results: Sequence[LabResult], staff_names: dict[str, str] | None = None) -> PatientSummary:
    """The summary as the ward sees it now: the admission this PC's entries leave, the lab results entered
    here (before the snapshot's, being newer than the HMIS export), and this PC's records about the patient.

    ``records`` are ``Session.patient_history`` rows, newest first; ``results`` the lab results among them.
    """
    names = staff_names or {}
    return replace(summary, encounter=admission, results=(*results, *summary.results),
                   downtime=tuple(_downtime_record(r, names) for r in records))


def _downtime_record(record: dict[str, Any], names: dict[str, str]) -> DowntimeRecord:
    kind = get_kind(record["kind"])
    payload = record["payload"]
    details = []
    for name in _DETAIL_FIELDS.get(record["kind"], ()):
        value = payload.get(name)
        if value in (None, "", []):
            continue
        choice = kind.field(name).choice(str(value)) if kind.field(name).choices else None
        details.append(choice.label_en if choice else ", ".join(value) if isinstance(value, list) else str(value))
    staff = names.get(record["staff"])
    return DowntimeRecord(
        recorded_at=with_offset(record["recorded_at"]) or "", entry=f"{kind.label_en} / {kind.label_hi}",
        # A lab result goes by its sample's accession number, as the lab files it.
        human_id=record["human_id"] or payload.get("accession"), details="; ".join(details), status=record["status"],
        staff=f"{staff} ({record['staff']})" if staff and staff != record["staff"] else record["staff"])


def patient_summary(db: sqlite_utils.Database, patient_id: str) -> PatientSummary:
    """Everything the snapshot knows about one patient (id = UHID or downtime ID)."""
    rows = query_dicts(db, "SELECT * FROM patients WHERE id = ? OR uhid = ? OR downtime_id = ? LIMIT 1",
                  [patient_id.strip()] * 3)
    if not rows:
        raise NotFoundError("no patient with this ID is in the snapshot; check the number or search by name")
    patient = _details(rows[0])
    return PatientSummary(
        patient=patient, allergies=tuple(_allergies(db, patient.id)), medications=tuple(_medications(db, patient.id)),
        results=tuple(_results(db, patient.id)), encounter=_encounter(db, patient.id), as_of=_as_of(db))


def _details(row: dict[str, Any]) -> PatientDetails:
    return PatientDetails(
        id=row["id"], uhid=row["uhid"], downtime_id=row["downtime_id"], name=row["name"] or "", sex=row["sex"],
        age=age_text(row["dob"], row["age_years"]), dob=row["dob"], phone=row["phone"],
        abha=format_abha(row["abha"]), relation=relation_text(row["relation_type"], row["relative"]),
        address=row["address"], pincode=row["pincode"], source=row["source"])


_CRITICALITY_ORDER = {"high": 0, "unable-to-assess": 1, "low": 2}


def _allergies(db: sqlite_utils.Database, patient_id: str) -> list[Allergy]:
    if not has_table(db, "allergies"):
        return []
    allergies = [Allergy(
        substance=r["substance"], criticality=r["criticality"], category=r["category"] or None,
        reaction=r["reaction"], severity=r["severity"], recorded=r["recorded"], verification=r["verification"],
        no_known_allergy=r["code"] in NO_KNOWN_ALLERGY_CODES,
    ) for r in query_dicts(db, "SELECT * FROM allergies WHERE patient_id = ?", [patient_id])]
    # The dangerous ones first: that is what a nurse must not miss on a crowded screen.
    return sorted(allergies, key=lambda a: (a.no_known_allergy, _CRITICALITY_ORDER.get(a.criticality or "", 1),
                                            a.substance.casefold()))


def _medications(db: sqlite_utils.Database, patient_id: str) -> list[Medication]:
    if not has_table(db, "medications"):
        return []
    return [Medication(name=r["medication"], dosage=r["dosage"], started=r["authored_on"], prescriber=r["requester"])
            for r in query_dicts(db, "SELECT * FROM medications WHERE patient_id = ? ORDER BY authored_on DESC",
                            [patient_id])]


def _results(db: sqlite_utils.Database, patient_id: str) -> list[LabResult]:
    if not has_table(db, "results"):
        return []
    out = []
    for r in query_dicts(db, "SELECT * FROM results WHERE patient_id = ? ORDER BY effective DESC, name", [patient_id]):
        flag = result_flag(r["flag"], r["value_num"], r["ref_low"], r["ref_high"])
        out.append(LabResult(
            name=r["name"], code=r["code"], value=r["value"], unit=r["unit"],
            reference_range=reference_range_text(r["ref_low"], r["ref_high"], r["ref_text"], r["unit"]),
            flag=flag, abnormal=flag is not None and flag.upper() not in NORMAL_FLAGS, taken_at=r["effective"],
            status=r["status"]))
    return out


def result_flag(given: str | None, value: float | None, low: float | None, high: float | None) -> str | None:
    """The lab's own flag if it sent one; else H or L from the reference range, N inside it, None if unknown."""
    if given:
        return given
    if value is None or (low is None and high is None):
        return None
    if high is not None and value > high:
        return "H"
    if low is not None and value < low:
        return "L"
    return "N"


def reference_range_text(low: float | None, high: float | None, text: str | None, unit: str | None) -> str | None:
    if text:
        return text
    suffix = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f"{low:g}–{high:g}{suffix}"
    if high is not None:
        return f"≤ {high:g}{suffix}"
    if low is not None:
        return f"≥ {low:g}{suffix}"
    return None


def _encounter(db: sqlite_utils.Database, patient_id: str) -> CurrentEncounter | None:
    if not has_table(db, "encounters"):
        return None
    rows = query_dicts(db, "SELECT * FROM encounters WHERE patient_id = ? ORDER BY admitted_at DESC LIMIT 1", [patient_id])
    if not rows:
        return None
    r = rows[0]
    return CurrentEncounter(encounter_id=r["id"], ip_number=r["ip_number"], ward=r["ward"] or NO_WARD, bed=r["bed"],
                            admitted_since=r["admitted_at"], reason=r["reason"], attending=r["attending"],
                            kind=r["type"])


def _as_of(db: sqlite_utils.Database) -> str | None:
    if not has_table(db, "meta"):
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'as_of'").fetchone()
    return json.loads(row[0]) if row else None
