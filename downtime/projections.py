"""Current state, projected from the journal.

Each function here turns one entry into changes of the current-state tables.
They run inside the transaction that writes the entry, and ``Journal.rebuild_projections``
replays the whole journal through them, so these tables can always be thrown
away and rebuilt; nothing here is a source of truth.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlite_utils

from downtime import patient_index
from downtime.ids import HumanId
from downtime.ids import parse as parse_id
from downtime.ids import validate as valid_id
from downtime.kinds.schema import get_kind

if TYPE_CHECKING:
    from downtime.journal import Entry

# Entries about the hospital's work (as opposed to system entries such as logins),
# which users can look up, print, correct and void.
RECORD_KINDS = frozenset({
    "patient.register", "encounter.admit", "encounter.transfer", "encounter.discharge", "encounter.death",
    "lab.request", "lab.result", "birth.report", "death.report", "stillbirth.report", "mccd", "note",
})
TABLES = ("records", "admissions", "staff", "issued_ids", "events", *patient_index.TABLES)


def create_tables(db: sqlite_utils.Database) -> None:
    db["records"].create({
        "uuid": str, "kind": str, "human_id": str, "patient": str, "status": str, "current_uuid": str,
        "payload": str, "seq": int, "recorded_at": str, "clinical_at": str, "staff": str,
        "downtime_event": str, "prints": int, "exported": int,
    }, pk="uuid", defaults={"prints": 0, "exported": 0})
    db["records"].create_index(["human_id"])
    db["records"].create_index(["patient"])
    db["records"].create_index(["current_uuid"])
    db["admissions"].create({
        "uuid": str, "ip_number": str, "patient": str, "ward": str, "bed": str, "department": str,
        "status": str, "admitted_at": str, "ended_at": str,
    }, pk="uuid")
    db["admissions"].create_index(["ip_number"])
    db["admissions"].create_index(["patient"])
    db["staff"].create({"staff_id": str, "name": str, "role": str, "added_at": str, "entry_uuid": str},
                       pk="staff_id")
    db["issued_ids"].create({"id": str, "site": str, "block": int, "serial": int, "entry_uuid": str,
                             "purpose": str}, pk="id")
    db["issued_ids"].create_index(["site", "block", "serial"])
    db["events"].create({"uuid": str, "reason": str, "started_at": str, "ended_at": str,
                         "started_by": str, "ended_by": str}, pk="uuid")
    patient_index.ensure_patient_index(db)


def drop_tables(db: sqlite_utils.Database) -> None:
    for name in TABLES:
        db.execute(f"DROP TABLE IF EXISTS [{name}]")
    for name in db.table_names():
        if name.startswith("patients_fts"):
            db.execute(f"DROP TABLE IF EXISTS [{name}]")


# -- queries other modules use -----------------------------------------------------------------

def current_event(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT uuid FROM events WHERE ended_at IS NULL ORDER BY started_at DESC LIMIT 1").fetchone()
    return row[0] if row else None


def highest_serial(db: sqlite_utils.Database, site: str, block: int) -> int:
    row = db.execute("SELECT max(serial) FROM issued_ids WHERE site = ? AND block = ?", [site, block]).fetchone()
    return row[0] or 0


def record_for(db: sqlite_utils.Database, uuid: str) -> dict[str, Any] | None:
    """The record an entry belongs to, whether ``uuid`` is the original or a later version."""
    rows = list(db["records"].rows_where("uuid = ? OR current_uuid = ?", [uuid, uuid], limit=1))
    return rows[0] if rows else None


class Resolver:
    """Tells validation whether a patient or entry reference exists on this PC."""

    def __init__(self, db: sqlite_utils.Database, snapshot: sqlite_utils.Database | None = None):
        self.db = db
        self.snapshot = snapshot

    def patient_exists(self, ref: str) -> bool:
        key = ref.strip().upper()
        for source in (self.db, self.snapshot):
            if source is not None and source.execute(
                    "SELECT 1 FROM patients WHERE id = ? OR uhid = ? OR downtime_id = ? LIMIT 1",
                    [key, key, key]).fetchone():
                return True
        # A downtime ID from another PC's block (an ER registration, say) is real if its check digit holds.
        return valid_id(key)

    def entry_exists(self, ref: str) -> bool:
        if self.db.execute("SELECT 1 FROM entries WHERE uuid = ? OR human_id = ? LIMIT 1",
                           [ref.strip(), ref.strip().upper()]).fetchone():
            return True
        return valid_id(ref)  # issued by another PC: the wristband or label came with the patient


# -- applying entries --------------------------------------------------------------------------

def insert_row(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> None:
    """A plain INSERT: sqlite-utils' insert() inspects the table first, which is most of the cost
    of replaying 100k entries."""
    columns = ", ".join(f"[{c}]" for c in row)
    db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def apply(db: sqlite_utils.Database, entry: Entry) -> None:
    if entry.human_id and entry.supersedes is None:
        _issue_id(db, entry.human_id, entry.uuid, entry.kind)
    if entry.kind in RECORD_KINDS:
        _new_record(db, entry)
    handler = HANDLERS.get(entry.kind)
    if handler:
        handler(db, entry, entry.payload)


def _issue_id(db: sqlite_utils.Database, human_id: str, entry_uuid: str, purpose: str) -> None:
    hid: HumanId = parse_id(human_id)
    insert_row(db, "issued_ids", {"id": human_id, "site": hid.site, "block": hid.block, "serial": hid.serial,
                             "entry_uuid": entry_uuid, "purpose": purpose})


def _new_record(db: sqlite_utils.Database, entry: Entry) -> None:
    kind = get_kind(entry.kind)
    # A registration or a birth report is itself the patient (the newborn) it creates.
    creates_patient = entry.kind in ("patient.register", "birth.report")
    patient = entry.human_id if creates_patient else entry.payload.get(kind.patient_field)
    insert_row(db, "records", {
        "uuid": entry.uuid, "kind": entry.kind, "human_id": entry.human_id, "patient": patient,
        "status": "active", "current_uuid": entry.uuid, "payload": json.dumps(entry.payload, ensure_ascii=False),
        "seq": entry.seq, "recorded_at": entry.recorded_at, "clinical_at": entry.clinical_at,
        "staff": entry.staff, "downtime_event": entry.downtime_event,
    })


def _patient_row(human_id: str, p: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": human_id, "downtime_id": human_id, "uhid": p.get("uhid"), "name": p.get("name"),
        "sex": p.get("sex"), "dob": p.get("dob"), "age_years": p.get("age_years"), "phone": p.get("phone"),
        "abha": (p.get("abha") or "").replace("-", "") or None, "relative": p.get("relative"),
        "relation_type": p.get("relation_type"), "address": p.get("address"), "pincode": p.get("pincode"),
        "source": "downtime",
    }


def _newborn_row(human_id: str, p: dict[str, Any]) -> dict[str, Any]:
    mother = p.get("mother_name", "")
    # Twins must not share a name on the wristband: "(twin 2)" is also what name matching reads as the order.
    twin = p.get("birth_order_in_delivery") if p.get("multiple_birth") else None
    order = f" (twin {twin})" if twin else ""
    return {
        "id": human_id, "downtime_id": human_id, "name": p.get("child_name") or f"B/O {mother}{order}",
        "sex": p.get("sex"), "dob": p.get("date_of_birth"), "age_years": 0, "relative": f"B/O {mother}",
        "relation_type": "bo", "address": p.get("address_at_birth"), "phone": p.get("mother_mobile"),
        "source": "downtime",
    }


def _on_register(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    patient_index.index_patient(db, _patient_row(entry.human_id or "", p))


def _on_birth(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    patient_index.index_patient(db, _newborn_row(entry.human_id or "", p))


def _on_admit(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    insert_row(db, "admissions", {
        "uuid": entry.uuid, "ip_number": entry.human_id, "patient": p["patient"], "ward": p.get("ward"),
        "bed": p.get("bed"), "department": p.get("department"), "status": "admitted",
        "admitted_at": p.get("admitted_at"),
    })
    _place_patient(db, p["patient"], p.get("ward"), p.get("bed"))


def _admission_of(db: sqlite_utils.Database, p: dict[str, Any]) -> dict[str, Any] | None:
    """The admission an entry refers to, or else the patient's open one."""
    ref = p.get("admission")
    if ref:
        rows = list(db["admissions"].rows_where("uuid = ? OR ip_number = ?", [ref, ref.upper()], limit=1))
    else:
        rows = list(db["admissions"].rows_where("patient = ? AND status = 'admitted'", [p.get("patient")],
                                                order_by="admitted_at desc", limit=1))
    return rows[0] if rows else None


def _on_transfer(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    adm = _admission_of(db, p)
    if adm:
        db["admissions"].update(adm["uuid"], {"ward": p.get("to_ward"), "bed": p.get("to_bed"),
                                              "department": p.get("to_department") or adm["department"]})
    _place_patient(db, p.get("patient"), p.get("to_ward"), p.get("to_bed"))


def _ending(status: str, time_field: str) -> Callable[[sqlite_utils.Database, Entry, dict[str, Any]], None]:
    def handler(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
        adm = _admission_of(db, p)
        if adm:
            db["admissions"].update(adm["uuid"], {"status": status, "ended_at": p.get(time_field)})
        _place_patient(db, p.get("patient"), None, None)
    return handler


def _place_patient(db: sqlite_utils.Database, patient: str | None, ward: str | None, bed: str | None) -> None:
    if patient:
        patient_index.place_patient(db, patient.upper(), ward, bed)


def _on_staff(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    db["staff"].upsert({"staff_id": p["staff_id"], "name": p["name"], "role": p["role"],
                        "added_at": entry.recorded_at, "entry_uuid": entry.uuid}, pk="staff_id")


def _on_reserve(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    for human_id in p["ids"]:
        _issue_id(db, human_id, entry.uuid, f"reserved:{p['form']}")


def _on_start(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    db["events"].insert({"uuid": entry.uuid, "reason": p.get("reason"), "started_at": p["started_at"],
                         "started_by": entry.staff})


def _on_end(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    if entry.downtime_event:
        db["events"].update(entry.downtime_event, {"ended_at": p["ended_at"], "ended_by": entry.staff})


def _on_print(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    """The printed record counts one more print, and so does every record a sheet lists (``entries``: the
    results on a lab report). A sheet from the snapshot alone names neither."""
    if p.get("outcome") == "failed":
        return
    refs = [ref for ref in (p.get("target"), *(p.get("entries") or [])) if ref]
    uuids = {record["uuid"] for ref in refs if (record := record_for(db, ref) or _record_by_human_id(db, ref))}
    for uuid in uuids:  # once each, however many ways the entry names it
        db.execute("UPDATE records SET prints = prints + 1 WHERE uuid = ?", [uuid])


def _record_by_human_id(db: sqlite_utils.Database, human_id: str) -> dict[str, Any] | None:
    rows = list(db["records"].rows_where("human_id = ?", [human_id.upper()], limit=1))
    return rows[0] if rows else None


def _on_correct(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    record = record_for(db, entry.supersedes or "")
    if record is None:
        return
    fields = p["fields"]
    # exported = 0: the corrected version has not travelled to the records office yet.
    db["records"].update(record["uuid"], {"status": "corrected", "current_uuid": entry.uuid, "exported": 0,
                                          "payload": json.dumps(fields, ensure_ascii=False)})
    human_id = record["human_id"] or ""
    if record["kind"] == "patient.register":
        patient_index.index_patient(db, _patient_row(human_id, fields))
    elif record["kind"] == "birth.report":
        patient_index.index_patient(db, _newborn_row(human_id, fields))
    elif record["kind"] == "encounter.admit":
        # Keep the admission's status: correcting a typo must not re-admit a discharged patient.
        db["admissions"].update(record["uuid"], {
            "patient": fields["patient"], "ward": fields.get("ward"), "bed": fields.get("bed"),
            "department": fields.get("department"), "admitted_at": fields.get("admitted_at")})


def _on_void(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    record = record_for(db, entry.supersedes or "")
    if record is None:
        return
    db["records"].update(record["uuid"], {"status": "voided", "current_uuid": entry.uuid, "exported": 0})
    if record["kind"] in ("patient.register", "birth.report") and record["human_id"]:
        patient_index.remove_patient(db, record["human_id"])
    if record["kind"] == "encounter.admit":
        adm = db["admissions"].get(record["uuid"])
        db["admissions"].delete(record["uuid"])
        _place_patient(db, adm["patient"], None, None)


def _on_export(db: sqlite_utils.Database, entry: Entry, p: dict[str, Any]) -> None:
    # A record counts as exported once its current version is inside a bundle that was read back intact.
    # Records never corrected are most of them, and need no lookup of their current version's seq.
    db.execute("UPDATE records SET exported = 1 WHERE exported = 0 AND current_uuid = uuid AND seq <= ?",
               [p["last_seq"]])
    db.execute("UPDATE records SET exported = 1 WHERE exported = 0 AND current_uuid != uuid AND "
               "(SELECT seq FROM entries WHERE uuid = records.current_uuid) <= ?", [p["last_seq"]])


HANDLERS: dict[str, Callable[[sqlite_utils.Database, Entry, dict[str, Any]], None]] = {
    "patient.register": _on_register,
    "birth.report": _on_birth,
    "encounter.admit": _on_admit,
    "encounter.transfer": _on_transfer,
    "encounter.discharge": _ending("discharged", "discharged_at"),
    "encounter.death": _ending("died", "died_at"),
    "staff.add": _on_staff,
    "ids.reserve": _on_reserve,
    "downtime.start": _on_start,
    "downtime.end": _on_end,
    "print.record": _on_print,
    "entry.correct": _on_correct,
    "entry.void": _on_void,
    "bundle.export": _on_export,
}
