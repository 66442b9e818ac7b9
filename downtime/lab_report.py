"""The lab report: one sample's results as the lab entered them on this PC, for the patient's chart.

The lab writes one ``lab.result`` per value (``lab.record_results``); the ward needs them on one
sheet, under the patient's name, with each value's unit, reference range and flag, and who
entered it when. ``lab_report`` gathers that for an accession number from the journal (the
results as corrected, voided ones left out), and ``entered_results`` turns a patient's results
into the rows the patient summary lists beside the snapshot's.

Flags are printed as labs print them: H and L above and below the reference range, HH and LL
for critical values, A for an abnormal qualitative answer, AA for a critical one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from downtime.errors import NotFoundError
from downtime.kinds.schema import get_kind
from downtime.lab_catalogue import parse_number, parse_range
from downtime.patient_index import query_dicts
from downtime.viewer import LabResult, PatientDetails, find_patient, with_offset

REQUEST, RESULT = "lab.request", "lab.result"
ABNORMAL_FLAGS = frozenset({"H", "L", "HH", "LL", "A", "AA"})


@dataclass(frozen=True)
class SampleDetails:
    """The request the results answer, as far as this PC knows it."""

    accession: str
    sample: str | None               # "Serum / सीरम"
    priority: str | None             # "Urgent / अत्यावश्यक (अर्जेंट)"
    tests: str | None                # the tests ordered, as on the requisition
    ward: str | None
    requesting_clinician: str | None
    collected_at: str | None         # ISO 8601 with its offset
    collected_by: str | None
    origin: str                      # where the request was made: this PC, or another (tests from its paper)


@dataclass(frozen=True)
class ReportedResult:
    test: str
    value: str
    unit: str | None
    reference_range: str | None
    flag: str | None                 # H, L, HH, LL, A or AA; None when normal or not assessed
    abnormal: bool
    resulted_at: str | None          # when the lab had the result (ISO 8601 with its offset)
    entered_by: str                  # "Imran Khan (L5)": who typed it (or last corrected it) on this PC
    entered_at: str                  # when it was typed (ISO 8601 with its offset)
    verified_by: str | None
    method: str | None
    comment: str | None
    status: str                      # "final", or "corrected" after a correction on this PC


@dataclass(frozen=True)
class LabReport:
    accession: str
    patient: PatientDetails          # blank name when the sample came from another PC with no known patient
    sample: SampleDetails
    results: tuple[ReportedResult, ...]  # in the order they were entered
    records: tuple[str, ...] = ()    # the lab.result records listed (uuids): printing the report prints each

    @property
    def abnormal_count(self) -> int:
        return sum(r.abnormal for r in self.results)


def flag_letter(flag: str | None, value: str, reference_range: str | None) -> str | None:
    """The printed flag for a ``lab.result`` flag choice; a critical value says which side it is on."""
    if flag == "critical":
        number = parse_number(value)
        low, high = parse_range(reference_range or "")
        if number is not None and low is not None and number < low:
            return "LL"
        if number is not None and high is not None and number > high:
            return "HH"
        return "AA"
    return {"high": "H", "low": "L", "abnormal": "A"}.get(flag or "")


def lab_report(journal: sqlite_utils.Database, snapshot: sqlite_utils.Database | None, accession: str,
               patient_id: str | None = None) -> LabReport:
    """The report for ``accession``; ``patient_id`` names the patient of a sample requested on another PC
    (its label's QR says who), since only this PC's requests are in the journal."""
    key = accession.strip().upper()
    rows = _results(journal, key)
    if not rows:
        raise NotFoundError(f"no results for accession {key} on this PC; enter them first (F10, lab staff)")
    requests = query_dicts(journal, "SELECT payload FROM records WHERE kind = ? AND human_id = ? AND "
                                    "status != 'voided' LIMIT 1", [REQUEST, key])
    request = json.loads(requests[0]["payload"]) if requests else None
    names = staff_names(journal)
    ref = (request or {}).get("patient") or patient_id or ""
    patient = find_patient(snapshot, journal, ref) if ref else None
    return LabReport(key, patient or _unknown_patient(ref), _sample(key, request),
                     tuple(_reported(row, names) for row in rows), tuple(row["uuid"] for row in rows))


def entered_results(records: Sequence[dict[str, Any]]) -> list[LabResult]:
    """The lab results among a patient's records (``Session.patient_history`` rows), for the summary."""
    out = []
    for record in records:
        if record["kind"] != RESULT or record["status"] == "voided":
            continue
        p = record["payload"]
        flag = flag_letter(p.get("flag"), str(p.get("value", "")), p.get("reference_range"))
        out.append(LabResult(
            name=p.get("test", ""), code=p.get("loinc") or None, value=str(p.get("value", "")),
            unit=p.get("unit") or None, reference_range=p.get("reference_range") or None, flag=flag,
            abnormal=flag in ABNORMAL_FLAGS,
            taken_at=with_offset(p.get("resulted_at") or record["clinical_at"] or record["recorded_at"]) or "",
            status="downtime, corrected" if record["status"] == "corrected" else "downtime"))
    return out


def staff_names(journal: sqlite_utils.Database) -> dict[str, str]:
    return {r["staff_id"]: r["name"] for r in query_dicts(journal, "SELECT staff_id, name FROM staff")}


def _results(journal: sqlite_utils.Database, accession: str) -> list[dict[str, Any]]:
    """The accession's results as they stand, with who wrote their current version and when."""
    return query_dicts(journal, "SELECT r.uuid, r.payload, r.status, e.staff AS by_staff, e.recorded_at AS at "
                                "FROM records r JOIN entries e ON e.uuid = r.current_uuid WHERE r.kind = ? AND "
                                "r.status != 'voided' AND upper(json_extract(r.payload, '$.accession')) = ? "
                                "ORDER BY r.seq", [RESULT, accession])


def _reported(row: dict[str, Any], names: dict[str, str]) -> ReportedResult:
    p = json.loads(row["payload"])
    value = str(p.get("value", ""))
    flag = flag_letter(p.get("flag"), value, p.get("reference_range"))
    name = names.get(row["by_staff"])
    return ReportedResult(
        test=p.get("test", ""), value=value, unit=p.get("unit") or None,
        reference_range=p.get("reference_range") or None, flag=flag, abnormal=flag in ABNORMAL_FLAGS,
        resulted_at=with_offset(p.get("resulted_at")), entered_at=with_offset(row["at"]) or "",
        entered_by=f"{name} ({row['by_staff']})" if name and name != row["by_staff"] else row["by_staff"],
        verified_by=p.get("verified_by"), method=p.get("method"), comment=p.get("comment"),
        status="corrected" if row["status"] == "corrected" else "final")


def _sample(accession: str, request: dict[str, Any] | None) -> SampleDetails:
    if request is None:
        return SampleDetails(accession, None, None, None, None, None, None, None,
                             "another PC: the tests were read off its requisition / दूसरा PC: जाँचें उसके "
                             "माँग पत्र से")
    kind = get_kind(REQUEST)
    return SampleDetails(
        accession=accession, sample=" : ".join(t for t in (_both(kind.field("sample_type").choice(
            request.get("sample_type", ""))), request.get("sample_type_other")) if t) or None,
        priority=_both(kind.field("priority").choice(request.get("priority", ""))),
        tests=", ".join(request.get("tests", [])) or None, ward=request.get("ward"),
        requesting_clinician=request.get("requesting_clinician"), collected_at=with_offset(request.get("collected_at")),
        collected_by=request.get("collected_by"), origin="this PC / यही PC")


def _both(choice: Any) -> str | None:
    return f"{choice.label_en} / {choice.label_hi}" if choice else None


def _unknown_patient(ref: str) -> PatientDetails:
    """No patient this PC knows: the ID from the label if any, and a blank name for the lab to write in."""
    return PatientDetails(id=ref.upper(), uhid=None, downtime_id=None, name="", sex=None, age=None, dob=None,
                          phone=None, abha=None, relation=None, address=None, pincode=None, source="unknown")
