"""What a form needs to print one journal entry: its current version, its patient, the site, who prints.

An entry is printed as it stands *now*: after a correction, the fields of the
latest correction, under the original entry's uuid and human ID (the record's
identity, which the QR carries so that paper found later leads to the record
and, through it, to every version). A voided entry is never printed: paper in a
chart is believed, and a voided record must not come back that way.

The patient is looked up by the ID the entry names, first among the patients
registered on this PC (the journal's ``patients`` table), then in the HMIS
snapshot if one is open; both tables have the same shape (``patient_index``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from downtime.errors import DowntimeError
from downtime.journal import Entry
from downtime.kinds.schema import get_kind
from downtime.projections import record_for
from downtime.session import Session
from forms.render import FormContext

# An entry about someone not registered anywhere (an MCCD for a patient from another hospital) still
# names them: these payload fields stand in for the patient row, so the page keeps two identifiers.
_NAME_FIELDS = ("deceased_name", "mother_name")


@dataclass(frozen=True)
class PrintableEntry:
    """An entry as it will be printed, with the facts the audit trail and the reprint note need."""

    entry: dict[str, Any]  # the shape FormContext.entry takes; payload = the current version
    patient: dict[str, Any] | None
    record: dict[str, Any]  # the row of the ``records`` projection
    correction: Entry | None  # the latest correction, if the entry was corrected

    @property
    def record_uuid(self) -> str:
        return str(self.record["uuid"])

    def printed_before(self, session: Session, form: str) -> int:
        """How often this record was printed on ``form`` (a wristband printed with the admission
        form does not make the admission form's first print a copy)."""
        return int(session.journal.db.execute(
            "SELECT count(*) FROM entries WHERE kind = 'print.record' AND json_extract(payload, '$.target') = ? "
            "AND json_extract(payload, '$.form') = ? AND json_extract(payload, '$.outcome') != 'failed'",
            [self.record_uuid, form]).fetchone()[0])

    @property
    def label(self) -> str:
        """How people name this entry: its human ID, else the start of its uuid."""
        return str(self.entry.get("human_id") or self.record_uuid[:8])


def printable_entry(session: Session, ref: str) -> PrintableEntry:
    """Find the entry ``ref`` (human ID or uuid of any of its versions) and its current version."""
    journal = session.journal
    found = journal.get(ref)
    record = _record_of(session, found)
    if record is None:
        raise DowntimeError(f"entry {ref} is a {found.kind} entry that the toolkit wrote itself; "
                            "only patient records can be printed")
    if record["status"] == "voided":
        raise DowntimeError(f"{get_kind(record['kind']).label_en} {record['human_id'] or ref} was voided "
                            "and cannot be printed; its paper copies should be struck through")
    original = journal.get(record["uuid"])
    correction = journal.get(record["current_uuid"]) if record["status"] == "corrected" else None
    payload = dict(correction.payload["fields"]) if correction else dict(original.payload)
    entry = {**original.to_dict(), "payload": payload}
    return PrintableEntry(entry, _patient_for(session, original.kind, record, payload), record, correction)


def _record_of(session: Session, entry: Entry) -> dict[str, Any] | None:
    """The record an entry belongs to; an older correction names the version it replaced, so walk back."""
    current: Entry | None = entry
    while current is not None:
        record = record_for(session.journal.db, current.uuid)
        if record is not None:
            return record
        current = session.journal.get(current.supersedes) if current.supersedes else None
    return None


def reprint_note(item: PrintableEntry, printed_before: int) -> str | None:
    """What the DOWNTIME band says on a reprint; None on a first print."""
    if not printed_before:
        return None
    if item.correction is None:
        return f"copy {printed_before + 1} of this record, unchanged / अभिलेख की प्रति, बिना बदलाव"
    when = dt.datetime.fromisoformat(item.correction.recorded_at).strftime("%d-%m-%Y %H:%M")
    return (f"corrected {when} by {item.correction.staff}: this is the current version, "
            "earlier copies are out of date / संशोधित: यह वर्तमान रूप है")


def form_context(session: Session, item: PrintableEntry | None, *, now: dt.datetime | None = None,
                 note: str | None = None) -> FormContext:
    """The context to render ``item`` with; None for a blank form."""
    return FormContext(site=form_site(session), entry=item.entry if item else None,
                       patient=item.patient if item else None, printed_by=session.staff.staff_id,
                       device=session.config.device, printed_at=now or dt.datetime.now(), reprint_note=note)


def form_site(session: Session) -> dict[str, Any]:
    """The site configuration under the names the page header uses."""
    site = session.config.site
    return {"name": site.get("name", ""), "name_hi": site.get("name_hi", ""), "address": site.get("address", ""),
            "hfr_id": site.get("hfr_id", ""), "logo_path": site.get("logo") or None}


# ---- the patient ----

def _patient_for(session: Session, kind: str, record: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any] | None:
    field = get_kind(kind).patient_field
    ref = str(payload.get(field) or "") if field else ""
    ref = ref or str(record["patient"] or "")  # a registration or a birth is itself the patient
    if not ref:
        return None
    sources = [session.journal.db, session.journal.snapshot]
    row = find_patient([db for db in sources if db is not None], ref)
    return row or _patient_from_payload(ref, payload)


def find_patient(dbs: list[sqlite_utils.Database], ref: str) -> dict[str, Any] | None:
    """The first ``patients`` row (journal first, then snapshot) whose ID, UHID or downtime ID is ``ref``."""
    key = ref.strip()
    for db in dbs:
        if "patients" not in db.table_names():
            continue
        cursor = db.execute("SELECT * FROM patients WHERE id = ? OR uhid = ? OR downtime_id = ? LIMIT 1",
                            [key, key, key])
        row = cursor.fetchone()
        if row is not None:
            patient = dict(zip([c[0] for c in cursor.description], row, strict=True))
            if patient.get("age_years") is None:
                patient["age_years"] = age_in_years(patient.get("dob"))
            return patient
    return None


def _patient_from_payload(ref: str, payload: dict[str, Any]) -> dict[str, Any]:
    name_field = next((f for f in _NAME_FIELDS if payload.get(f)), None)
    patient: dict[str, Any] = {"id": ref.upper(), "name": payload.get(name_field, "") if name_field else ""}
    if name_field == "deceased_name":  # sex and age then describe the same person
        patient.update(sex=payload.get("sex"), age_years=payload.get("age_years"))
    return patient


def age_in_years(dob: Any, today: dt.date | None = None) -> int | None:
    """Completed years from a date of birth ("1958-07-14", or "1958" when only the year is known)."""
    text = str(dob or "")
    try:
        born = dt.date.fromisoformat(text[:10])
    except ValueError:
        return None if not text[:4].isdecimal() else (today or dt.date.today()).year - int(text[:4])
    today = today or dt.date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
