"""A logged-in staff member at one PC: every user action is one method here.

The GUI, the CLI and the tests all act through ``Session``, so a workflow
behaves the same whichever way it is started, and the role checks live in one
place.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.utils
import sqlite_utils

from downtime import auth, clock, lab_report, viewer
from downtime.clock_check import clock_problem
from downtime.encrypted_db import open_encrypted
from downtime.errors import DowntimeError, NotFoundError, PermissionDeniedError
from downtime.home import RECORDS_OFFICE, WARD, DeviceConfig, Home, site_code_from, validate_device_code
from downtime.ids import MAX_BLOCK, BlockStatus
from downtime.journal import Entry, Journal, write_transaction
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError
from downtime.search import PatientHit, likely_matches, search
from downtime.snapshot import Snapshot, open_snapshot
from downtime.snapshot_store import snapshot_files, snapshot_key
from downtime.suggestions import Suggestions, ward_suggestions
from downtime.vault import Secrets, b64, open_secrets, seal_secrets
from downtime.viewer import PatientSummary

PENDING_TIMES = ("at", "locked_until")  # the times a pending auth event carries
SYSTEM_KINDS = frozenset({"auth.login", "auth.logout", "auth.login_failed", "auth.lockout", "print.record",
                          "bundle.export", "entry.import"})


@dataclass(frozen=True)
class Banner:
    """What the permanent banner of the main window shows."""

    site: str
    device: str
    staff: str
    role: str
    event_reason: str | None
    event_started_at: str | None
    snapshot_as_of: str | None
    snapshot_stale: bool
    ids_left: int | None
    ids_warning: str | None
    clock_warning: str | None = None  # the PC clock is behind what this PC already recorded


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    name: str
    role: str


def _now_local() -> str:
    return clock.now_naive().strftime("%Y-%m-%dT%H:%M")


class PinChangeRequiredError(DowntimeError):
    """The staff member used a one-time setup code and must choose their own PIN."""


@dataclass(frozen=True)
class NewStaff:
    staff_id: str
    name: str
    role: str
    pin: str
    setup_code: bool = False


def init_home(path: Path, *, site_name: str, device: str, admin_id: str, admin_name: str, admin_pin: str,
              records_office: bool = False, site_code: str | None = None, block: int | None = None,
              block_size: int = 99_999) -> Session:
    """Create a new home with its secrets, its journal and its first admin; return the admin's session.

    Without staging, a ward PC takes block 1 and the records office block 999 (the last), so paper keyed in
    at the office can never carry the same ID as a ward's entry.
    """
    if block is None:
        block = MAX_BLOCK if records_office else 1
    code = (site_code or site_code_from(site_name)).upper()
    config = DeviceConfig(
        site={"name": site_name.strip(), "code": code, "address": "", "hfr_id": "", "logo": ""},
        device=device, role=RECORDS_OFFICE if records_office else WARD,
        id_block={"block": block, "size": block_size},
    )
    admin = NewStaff(auth.check_staff_id(admin_id), admin_name.strip(), "admin", admin_pin)
    return create_home(Home(path), config, Secrets.generate(), [admin], via="init")


def create_home(home: Home, config: DeviceConfig, secrets: Secrets, staff: list[NewStaff], *,
                via: str) -> Session:
    """Write a new home: config, vault, keyring, and a journal that starts with its staff."""
    config.device = validate_device_code(config.device)
    config.block()  # reject a bad site code or block before anything is written
    for member in staff:
        auth.check_pin_strength(member.pin)
    admin = next((m for m in staff if m.role == "admin"), None)
    if admin is None:
        raise DowntimeError("a new PC needs an admin among its staff")
    home.make()
    vault_key = nacl.utils.random(32)
    config.keys = {"signing_public": b64(bytes(secrets.signing_key.verify_key)),
                   "sealing_public": b64(bytes(secrets.sealing_key.public_key)),
                   "office_public": config.keys.get("office_public")}
    seal_secrets(home.vault_path, secrets, vault_key)
    for member in staff:
        auth.add_pin(home, member.staff_id, vault_key, member.pin, setup_code=member.setup_code)
    home.save_config(config)
    session = Session(home, config, secrets, vault_key, StaffMember(admin.staff_id, admin.name, "admin"))
    for member in staff:
        session._system("staff.add", {"staff_id": member.staff_id, "name": member.name, "role": member.role})
    session._system("auth.login", {"staff_id": admin.staff_id, "via": via})
    return session


def login(home_path: Path, staff_id: str, pin: str, *, via: str = "gui", new_pin: str | None = None) -> Session:
    """Unlock this PC for a staff member. After a one-time setup code, ``new_pin`` becomes their PIN."""
    home = Home(home_path).require()
    config = home.load_config()
    sid = staff_id.strip().upper()
    if auth.needs_new_pin(home, sid) and new_pin is None:
        auth.unlock(home, config, sid, pin)  # a wrong code still counts toward the lockout
        raise PinChangeRequiredError(f"{sid} used a one-time setup code: choose a PIN of your own now")
    vault_key = auth.unlock(home, config, sid, pin)
    if new_pin is not None:
        auth.set_pin(home, sid, vault_key, new_pin)
    secrets = open_secrets(home.vault_path, vault_key)
    session = Session(home, config, secrets, vault_key, StaffMember(sid, sid, ""))
    pending = auth.pending_events(home)
    for event in pending:
        session._journal_pending(dict(event))
    auth.clear_pending_events(home, len(pending))
    rows = list(session.journal.db["staff"].rows_where("staff_id = ?", [sid]))
    if not rows:
        session.close()
        raise DowntimeError(f"{sid} can unlock this PC but is not in its staff list; ask an admin to add them "
                            "again")
    session.staff = StaffMember(sid, rows[0]["name"], rows[0]["role"])
    session._system("auth.login", {"staff_id": sid, "via": "new_pin" if new_pin else via})
    return session


class Session:
    def __init__(self, home: Home, config: DeviceConfig, secrets: Secrets, vault_key: bytes, staff: StaffMember):
        self.home = home
        self.config = config
        self.secrets = secrets
        self._vault_key = vault_key
        self.staff = staff
        db = open_encrypted(home.journal_path, secrets.db_key)
        self.journal = Journal(db, config.device, config.block())
        self._snapshot: Snapshot | None = None
        self.open_snapshot()

    # -- the snapshot --------------------------------------------------------------------------

    def open_snapshot(self) -> Snapshot | None:
        """Open (or re-open, after a refresh) this PC's snapshot; None if it has none."""
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None
        key = snapshot_key(self.home, self.secrets.sealing_key)
        files = snapshot_files(self.home)
        if key is not None and files is not None:
            self._snapshot = open_snapshot(files[0], key)
        # Validation checks a typed UHID against the snapshot, so the journal sees it too.
        self.journal.snapshot = self._snapshot.db if self._snapshot else None
        return self._snapshot

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    def _patient_dbs(self) -> list[sqlite_utils.Database]:
        """Where patients are found: the snapshot (if any), then this PC's journal."""
        return [db for db in (self._snapshot.db if self._snapshot else None, self.journal.db) if db is not None]

    def search(self, query: str, *, limit: int = 20, sound_alike: bool = False) -> list[PatientHit]:
        """Patients in the snapshot and those registered on this PC during the downtime."""
        return search(self._patient_dbs(), query, limit=limit, sound_alike=sound_alike)

    def likely_matches(self, payload: dict[str, Any]) -> list[PatientHit]:
        """Patients who may already be the one a registration ``payload`` describes (shown before saving)."""
        return likely_matches(self._patient_dbs(), payload)

    def note_registration_check(self, patient: str, shown: list[str], *, picked: bool) -> Entry:
        """Journal the clerk's answer to the likely matches shown at registration, as a note on ``patient``.

        ``picked``: the clerk chose this existing patient instead of registering a new one. Otherwise
        ``patient`` was just registered as new and ``shown`` are the candidates the clerk ruled out. The
        records office reads it as evidence when it matches patients, not as its own match decision
        (``match.decision`` is the records office's, and ward roles may not write it).
        """
        others = ", ".join(shown) or "none"
        if picked:
            text = (f"Registration check: chosen from the likely matches instead of registering a new patient "
                    f"(candidates shown: {others}).")
        else:
            text = f"Registration check: registered as a new patient; likely matches shown and ruled out: {others}."
        return self.record("note", {"patient": patient, "text": text})

    def census(self, ward: str | None = None) -> list[viewer.WardCensus]:
        """In-patients per ward: the snapshot's census as this PC's admissions, transfers and discharges changed it."""
        return viewer.current_census(self._snapshot.db if self._snapshot else None, self.journal.db, ward)

    def suggestions(self, ward: str | None = None) -> Suggestions:
        """What entry forms offer while typing: the doctors this PC knows and the free beds of ``ward``
        (by default this PC's ward)."""
        return ward_suggestions(self._snapshot.db if self._snapshot else None, self.journal.db,
                                ward or self.config.ward)

    def current_admission(self, patient_id: str) -> viewer.CurrentEncounter | None:
        """The patient's admission now (a downtime one on this PC, or the snapshot's if not ended here)."""
        return viewer.current_admission(self._snapshot.db if self._snapshot else None, self.journal.db, patient_id)

    def last_payload(self, kind: str) -> dict[str, Any] | None:
        """The newest ``kind`` record on this PC (as corrected, voided ones skipped): screens prefill from it."""
        row = self.journal.db.execute("SELECT payload FROM records WHERE kind = ? AND status != 'voided' "
                                      "ORDER BY seq DESC LIMIT 1", [kind]).fetchone()
        return json.loads(row[0]) if row else None

    def records_on(self, day: str) -> list[dict[str, Any]]:
        """This PC's records first written on ``day`` (YYYY-MM-DD, local), newest first, with their status,
        print count and export flag, the current version's payload and the patient's name."""
        rows = self.journal.db.query("SELECT * FROM records WHERE recorded_at LIKE ? ORDER BY seq DESC",
                                     [f"{day}%"])
        return [{**r, "payload": json.loads(r["payload"]), "patient_name": self._patient_name(r["patient"])}
                for r in rows]

    def lookup_record(self, ref: str) -> dict[str, Any] | None:
        """The record (with status and patient) that an entry uuid or human ID (IP number, accession) names."""
        ref = ref.strip()
        rows = list(self.journal.db["records"].rows_where(
            "uuid = ? OR current_uuid = ? OR human_id = ?", [ref, ref, ref.upper()], limit=1))
        return {**rows[0], "payload": json.loads(rows[0]["payload"])} if rows else None

    def _patient_name(self, patient_id: str | None) -> str | None:
        if not patient_id:
            return None
        for db in self._patient_dbs():
            row = db.execute("SELECT name FROM patients WHERE id = ? OR uhid = ? OR downtime_id = ? LIMIT 1",
                             [patient_id] * 3).fetchone()
            if row:
                return row[0]
        return None

    def patient_summary(self, ref: str) -> PatientSummary:
        """One patient as the snapshot knows them, or as registered on this PC during the downtime."""
        for db in (self._snapshot.db if self._snapshot else None, self.journal.db):
            if db is None:
                continue
            try:
                return viewer.patient_summary(db, ref)
            except NotFoundError:
                continue
        raise NotFoundError(f"no patient {ref!r} in the snapshot or on this PC; search by name, or register them")

    def patient_history(self, patient_id: str) -> list[dict[str, Any]]:
        """This PC's downtime records about a patient, newest first (current versions, voids included)."""
        ids = {patient_id.strip().upper()}
        rows = self.journal.db.execute("SELECT uhid, downtime_id FROM patients WHERE id = ? OR uhid = ? "
                                       "OR downtime_id = ?", [patient_id.strip()] * 3).fetchall()
        ids |= {v.upper() for row in rows for v in row if v}
        marks = ", ".join("?" * len(ids))
        # A lab result names its accession, not the patient: it is the patient of that lab request.
        return [{**r, "payload": json.loads(r["payload"])} for r in self.journal.db.query(
            f"SELECT * FROM records WHERE upper(patient) IN ({marks}) OR (kind = 'lab.result' AND "
            "upper(json_extract(payload, '$.accession')) IN (SELECT human_id FROM records WHERE kind = 'lab.request' "
            f"AND upper(patient) IN ({marks}))) ORDER BY seq DESC", sorted(ids) * 2)]

    def current_summary(self, ref: str) -> PatientSummary:
        """The patient as the ward sees them now, on screen and on the printed summary: the snapshot's summary
        (or this PC's registration) with the admission this PC's entries leave, the lab results entered here,
        and this PC's records about them."""
        summary = self.patient_summary(ref)
        history = self.patient_history(summary.patient.id)
        return viewer.with_downtime(summary, self.current_admission(summary.patient.id), history,
                                    lab_report.entered_results(history), lab_report.staff_names(self.journal.db))

    # -- recording -----------------------------------------------------------------------------

    def record(self, kind: str, payload: dict[str, Any]) -> Entry:
        """Record one entry of a clinical or administrative kind, if this staff member's role may."""
        if kind in SYSTEM_KINDS or kind in ("entry.correct", "entry.void"):
            raise DowntimeError(f"{kind} entries are written by the toolkit itself, or through correct/void")
        self._require_role(kind)
        return self.journal.append(kind, payload, self.staff.staff_id,
                                   check_refs=self.config.role != RECORDS_OFFICE)

    def correct(self, ref: str, fields: dict[str, Any], reason: str) -> Entry:
        """Record a corrected version of an entry; the original stays in the journal."""
        target = self.journal.get(ref)
        self._require_role(target.kind)
        return self.journal.append("entry.correct", {"reason": reason, "fields": fields}, self.staff.staff_id,
                                   supersedes=target.uuid)

    def void(self, ref: str, reason: str) -> Entry:
        target = self.journal.get(ref)
        self._require_role(target.kind)
        return self.journal.append("entry.void", {"reason": reason}, self.staff.staff_id, supersedes=target.uuid)

    def _system(self, kind: str, payload: dict[str, Any]) -> Entry:
        return self.journal.append(kind, payload, self.staff.staff_id)

    def _journal_pending(self, event: dict[str, Any]) -> Entry:
        """A failed login or lockout kept while the journal was locked. Its times come from the clock of
        that moment; if the clock ran days ahead then and has been set right since, they are "in the
        future" now. The event is kept without them: it must never stop every later login on this PC."""
        kind = event.pop("kind")
        try:
            return self._system(kind, event)
        except ValidationError:
            return self._system(kind, {k: v for k, v in event.items() if k not in PENDING_TIMES})

    def _require_role(self, kind: str) -> None:
        roles = get_kind(kind).roles
        if roles and self.staff.role not in roles:
            raise PermissionDeniedError(
                f"{self.staff.staff_id} is logged in as {self.staff.role or 'no role'}; "
                f"{get_kind(kind).label_en} needs one of: {', '.join(roles)}")

    def record_export(self, payload: dict[str, Any]) -> Entry:
        """Journal a bundle that was written and read back intact; this marks its entries as exported."""
        return self._system("bundle.export", payload)

    def record_import(self, payload: dict[str, Any]) -> Entry:
        """Journal which file rows became which entries (their external references)."""
        return self._system("entry.import", payload)

    def record_print(self, payload: dict[str, Any]) -> Entry:
        """Journal one print of a form (printed, failed, or saved as PDF only): the print audit trail."""
        return self._system("print.record", payload)

    def reserve_ids(self, form: str, count: int) -> Entry:
        """Take ``count`` IDs from this PC's block for a blank pre-numbered pack, and journal them in the
        same transaction, so no ID is ever handed out twice or left unaccounted for at reconciliation."""
        self._require_role("ids.reserve")
        with write_transaction(self.journal.db):
            ids = self.journal.reserve_ids(count)
            return self.journal.append("ids.reserve", {"form": form, "count": count, "ids": ids},
                                       self.staff.staff_id)

    def trust_office(self, office_public: bytes) -> None:
        """Seal this PC's bundles to the records office with this public key from now on (admin)."""
        self._require_role("staff.add")
        self.config.keys["office_public"] = b64(office_public)
        self.home.save_config(self.config)

    # -- staff ---------------------------------------------------------------------------------

    def add_staff(self, staff_id: str, name: str, role: str, pin: str) -> Entry:
        self._require_role("staff.add")
        sid = auth.check_staff_id(staff_id)
        role = auth.check_role(role)
        if not name.strip():
            raise DowntimeError("name is required for a new staff member")
        auth.add_pin(self.home, sid, self._vault_key, pin)
        return self.journal.append("staff.add", {"staff_id": sid, "name": name.strip(), "role": role},
                                   self.staff.staff_id)

    def staff_list(self) -> list[StaffMember]:
        return [StaffMember(r["staff_id"], r["name"], r["role"])
                for r in self.journal.db["staff"].rows_where(order_by="staff_id")]

    def unlock_staff(self, staff_id: str) -> None:
        self._require_role("staff.add")
        auth.clear_lockout(self.home, auth.check_staff_id(staff_id))

    # -- downtime events -----------------------------------------------------------------------

    def start_downtime(self, reason: str, started_at: str | None = None) -> Entry:
        """Declare a downtime; ``started_at`` lets an admin record when the HMIS actually went down."""
        if self.current_event():
            raise DowntimeError("a downtime is already running on this PC; end it before starting another")
        return self.record("downtime.start", {"reason": reason, "started_at": started_at or _now_local()})

    def end_downtime(self, note: str = "") -> Entry:
        if not self.current_event():
            raise DowntimeError("no downtime is running on this PC")
        return self.record("downtime.end", {"ended_at": _now_local(), **({"note": note} if note else {})})

    def current_event(self) -> dict[str, Any] | None:
        rows = list(self.journal.db["events"].rows_where("ended_at IS NULL", order_by="started_at desc",
                                                         limit=1))
        return rows[0] if rows else None

    # -- state for the banner ------------------------------------------------------------------

    def block_status(self) -> BlockStatus | None:
        return self.journal.block_status()

    def snapshot_as_of(self) -> str | None:
        """The HMIS export time of this PC's snapshot, or None if it has none yet."""
        info = self.home.snapshot_info()
        return info.get("as_of") if info else None

    def snapshot_stale(self, now: dt.datetime | None = None) -> bool:
        """True when there is no snapshot, or it is older than the site's warning threshold."""
        as_of = self.snapshot_as_of()
        if not as_of:
            return True
        taken = dt.datetime.fromisoformat(as_of)
        now = now or dt.datetime.now(taken.tzinfo)
        return now - taken > dt.timedelta(hours=float(self.config.setting("snapshot_warn_hours")))

    def clock_warning(self) -> str | None:
        """Why the PC clock looks wrong (behind the downtime start or an earlier entry), or None."""
        return clock_problem(self.journal.db, self.current_event())

    def banner(self) -> Banner:
        event = self.current_event()
        status = self.block_status()
        return Banner(
            site=self.config.site["name"], device=self.config.device, staff=self.staff.name,
            role=self.staff.role, event_reason=event["reason"] if event else None,
            event_started_at=event["started_at"] if event else None, snapshot_as_of=self.snapshot_as_of(),
            snapshot_stale=self.snapshot_stale(),
            ids_left=status.remaining if status else None, ids_warning=status.warning() if status else None,
            clock_warning=self.clock_warning(),
        )

    def logout(self, *, via: str = "gui") -> None:
        self._system("auth.logout", {"staff_id": self.staff.staff_id, "via": via})
        self.close()

    def close(self) -> None:
        if self._snapshot is not None:
            self._snapshot.close()
        self.journal.db.close()
