"""CSV write-back, for an HMIS that takes neither FHIR nor HL7: one file per record type.

Each file has the same leading columns, then the kind's own fields in the order of its schema
(``downtime/kinds/<kind>.toml``, where each field's English and Hindi labels are). ``columns.csv``
in the same folder lists every column of every file with its meaning, so the files document themselves
even after a site adds its own optional fields. Records held back (undecided or doubtful patients,
voided registrations, ...) are not in the record files; ``held.csv`` lists them with the reason.

Leading columns:

    decision         matched (an HMIS patient: use the uhid), new (create a patient), none (a statutory
                     report about someone who was not a patient here)
    uhid             the HMIS UHID of a matched patient
    downtime_id      the patient's downtime ID (for a new patient, the ID to keep as an alias)
    other_downtime_ids  further downtime IDs of the same patient (e.g. printed on a blank-pack form), "; "-separated
    record_id        the ID the record itself issued: patient ID, IP number or accession number
    admission        the downtime IP number an admission event, lab request or result belongs to
    entry_uuid       the record's original entry: its permanent identity
    current_uuid     the entry whose fields are shown (the latest correction, or the original)
    corrected        yes if the fields were corrected after the original entry
    correction_reason  why, as the person who corrected it wrote
    device, ward     the PC that recorded it, and its ward
    recorded_by, recorded_at  the staff ID and time of the original entry

Values are as the wards entered them: dates YYYY-MM-DD, date-times YYYY-MM-DDTHH:MM in local time,
choices as their codes (labels in the kind's schema), lists joined by "; ", yes/no for tick boxes.
UTF-8, comma-separated, one header row.

Every file written is logged as handed over (``post_state.PostLog.hand_over``): the report counts the
records in it as posted, handed over as files. A matched patient's own registration row is not counted
(nothing is created for it: it is merged), as with the other adapters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from downtime.atomic_file import write_atomic
from downtime.kinds.schema import get_kind
from sync.adapters.post_state import Outgoing, PostLog, PostReport, report_for, written_file
from sync.adapters.records import RECORD_KINDS, CurrentRecords, Decisions, PatientGroup, Record, current_records
from sync.workspace import Workspace

ADAPTER = "csv"
FILES = {
    "patient.register": "patients.csv", "encounter.admit": "admissions.csv", "encounter.transfer": "transfers.csv",
    "encounter.discharge": "discharges.csv", "encounter.death": "deaths.csv", "lab.request": "lab_requests.csv",
    "lab.result": "lab_results.csv", "birth.report": "birth_reports.csv", "death.report": "death_reports.csv",
    "stillbirth.report": "stillbirth_reports.csv", "mccd": "mccds.csv", "note": "notes.csv",
}
COMMON = {
    "decision": "matched (HMIS patient: use uhid), new (create a patient) or none (report on a non-patient)",
    "uhid": "HMIS UHID of a matched patient",
    "downtime_id": "the patient's downtime ID",
    "other_downtime_ids": "further downtime IDs of the same patient, '; '-separated",
    "record_id": "the ID this record issued: patient ID, IP number or accession number",
    "admission": "downtime IP number the record belongs to",
    "entry_uuid": "the record's original entry (its permanent identity)",
    "current_uuid": "the entry whose fields are shown (latest correction or original)",
    "corrected": "yes if corrected after the original entry",
    "correction_reason": "why it was corrected",
    "device": "the PC that recorded it",
    "ward": "that PC's ward",
    "recorded_by": "staff ID of the original entry",
    "recorded_at": "when the original entry was recorded",
}
HELD_COLUMNS = ("kind", "record_id", "entry_uuid", "code", "reason")

if set(FILES) != RECORD_KINDS:  # a new record kind must get its own file here
    raise ImportError("sync.adapters.csv_out.FILES does not cover every record kind")


def write_csv(ws: Workspace, decisions: Decisions, out: Path) -> PostReport:
    """Write one CSV per record type, plus columns.csv and held.csv, to ``out``; log them as handed over."""
    current = current_records(ws, decisions)
    wards = dict(ws.db.execute("SELECT device, coalesce(ward, '') FROM devices").fetchall())
    report = report_for(ADAPTER, str(out), current)
    out.mkdir(parents=True, exist_ok=True)
    rows, carried = _rows_by_kind(current, wards)
    written: list[Outgoing] = []
    for kind, file_name in FILES.items():
        columns = [*COMMON, *(column for column, _ in _kind_columns(kind))]
        written.append(_write(out / file_name, columns, rows.get(kind, []), carried.get(kind, [])))
        report.posted += len(rows.get(kind, []))
    written.append(_write(out / "columns.csv", ["file", "column", "meaning", "meaning_hi"], _dictionary()))
    written.append(_write(out / "held.csv", list(HELD_COLUMNS), [
        {"kind": h.record.kind, "record_id": h.record.human_id or "", "entry_uuid": h.record.uuid, "code": h.code,
         "reason": h.reason} for h in current.held]))
    report.files += [out / item.key for item in written]
    PostLog(ws.db).hand_over(ADAPTER, out, written)  # the report counts the rows' entries as posted
    return report


def _rows_by_kind(current: CurrentRecords,
                  wards: Mapping[str, str]) -> tuple[dict[str, list[dict[str, str]]], dict[str, list[str]]]:
    """The rows of each record file, and the entries (every version of each record) each file carries."""
    rows: dict[str, list[dict[str, str]]] = {}
    carried: dict[str, list[str]] = {}
    for group in current.groups:
        for record in group.all_records:
            rows.setdefault(record.kind, []).append(_row(current, group, record, wards))
            # A matched patient's row only names the UHID to file the records under: like every adapter, it
            # creates nothing, so the report counts that registration as merged, not posted.
            if not (record.kind == "patient.register" and group.decision == "matched"):
                carried.setdefault(record.kind, []).extend(v.uuid for v in record.versions)
    return rows, carried


def _row(current: CurrentRecords, group: PatientGroup, record: Record, wards: Mapping[str, str]) -> dict[str, str]:
    # A result belongs to the admission of the request it reports on.
    owner = current.request_for(record) if record.kind == "lab.result" else record
    admission = current.admission_for(group, owner) if owner is not None else None
    row = {
        "decision": group.decision, "uhid": group.uhid or "",
        "downtime_id": group.downtime_ids[0] if group.downtime_ids else "",
        "other_downtime_ids": "; ".join(group.downtime_ids[1:]), "record_id": record.human_id or "",
        "admission": (admission.human_id or "") if admission else "",
        "entry_uuid": record.uuid, "current_uuid": record.current.uuid, "corrected": _cell(record.corrected),
        "correction_reason": record.current.reason or "", "device": record.device,
        "ward": wards.get(record.device, ""), "recorded_by": record.original.staff,
        "recorded_at": record.original.recorded_at,
    }
    row.update({column: _cell(record.fields.get(name)) for column, name in _kind_columns(record.kind)})
    return row


def _kind_columns(kind: str) -> list[tuple[str, str]]:
    """(column, field name) of a kind's own fields. A field named like a leading column (encounter.death has
    "ward") gets the kind's last word as a prefix: death_ward."""
    return [(f"{kind.split('.')[-1]}_{name}" if name in COMMON else name, name) for name in get_kind(kind).field_names()]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _dictionary() -> list[dict[str, str]]:
    rows = []
    for kind_name, file_name in FILES.items():
        kind = get_kind(kind_name)
        rows += [{"file": file_name, "column": c, "meaning": m, "meaning_hi": ""} for c, m in COMMON.items()]
        rows += [{"file": file_name, "column": column, "meaning": f.label_en, "meaning_hi": f.label_hi}
                 for (column, _), f in zip(_kind_columns(kind_name), kind.fields)]
    return rows


def _write(path: Path, columns: list[str], rows: Iterable[Mapping[str, str]],
           entries: Iterable[str] = ()) -> Outgoing:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    body = buffer.getvalue().encode("utf-8")
    write_atomic(path, body)
    return written_file(path, body, entries)
