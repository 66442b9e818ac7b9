"""The append-only, hash-chained journal: the source of truth on a ward PC.

Every user action is one entry. Entries are never changed or deleted (the
database itself refuses, through triggers); a correction or a void is a new
entry that names the one it supersedes. Each entry carries the hash of the one
before it, so ``verify()`` can prove that nothing was altered, inserted or
removed, and name the first entry where the chain breaks.

The current-state tables (patients, admissions, ...) are projections of the
journal, written in the same transaction as the entry and rebuildable from it
at any time (``projections.py``).
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from downtime import clock, projections
from downtime.disk_full import DiskFullError, disk_full, is_disk_full
from downtime.errors import DowntimeError, NotFoundError
from downtime.ids import BlockStatus, IdBlock
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import validate

GENESIS = "0" * 64
PAGE = 1000
HASHED_FIELDS = ("uuid", "device", "seq", "kind", "human_id", "payload", "staff", "recorded_at",
                 "clinical_at", "downtime_event", "supersedes", "prev_hash")

migrations = Migrations("downtime.journal")


@migrations()
def m001_entries(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE entries (
            seq INTEGER NOT NULL,
            device TEXT NOT NULL,
            uuid TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            human_id TEXT,
            payload TEXT NOT NULL,
            staff TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            clinical_at TEXT,
            downtime_event TEXT,
            supersedes TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (device, seq)
        )""")
    db.execute("CREATE INDEX entries_human_id ON entries(human_id)")
    db.execute("CREATE INDEX entries_kind ON entries(kind)")
    db.execute("CREATE INDEX entries_supersedes ON entries(supersedes)")
    # The database, not just this module, keeps the journal append-only and gapless,
    # so a bug or a hand-typed SQL statement cannot quietly rewrite history.
    db.execute("""
        CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
        BEGIN SELECT RAISE(ABORT, 'journal entries cannot be changed: record a correction instead'); END""")
    db.execute("""
        CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
        BEGIN SELECT RAISE(ABORT, 'journal entries cannot be deleted: record a void instead'); END""")
    db.execute(f"""
        CREATE TRIGGER entries_chained BEFORE INSERT ON entries
        WHEN NEW.seq != (SELECT coalesce(max(seq), 0) + 1 FROM entries WHERE device = NEW.device)
          OR NEW.prev_hash != coalesce(
                (SELECT hash FROM entries WHERE device = NEW.device ORDER BY seq DESC LIMIT 1), '{GENESIS}')
        BEGIN SELECT RAISE(ABORT, 'journal entries must follow the last one (gapless seq, chained hash)'); END""")


@migrations()
def m002_projections(db: sqlite_utils.Database) -> None:
    projections.create_tables(db)


@migrations()
def m003_recorded_at_index(db: sqlite_utils.Database) -> None:
    # The clock check (clock_check.py) asks for the latest recorded time at each login and banner refresh.
    db.execute("CREATE INDEX IF NOT EXISTS entries_recorded_at ON entries(recorded_at)")


@dataclass(frozen=True)
class Entry:
    seq: int
    device: str
    uuid: str
    kind: str
    human_id: str | None
    payload: dict[str, Any]
    staff: str
    recorded_at: str
    clinical_at: str | None
    downtime_event: str | None
    supersedes: str | None
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Entry:
        return cls(**{**row, "payload": json.loads(row["payload"])})


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str = ""


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_json(value: Any) -> str:
    """The one JSON spelling that hashes are computed over (one encoder, reused: it is on every append)."""
    return _CANONICAL.encode(value)


def entry_hash(row: dict[str, Any]) -> str:
    """SHA-256 over every field but the hash itself; the payload as the exact text stored."""
    material = canonical_json({k: row[k] for k in HASHED_FIELDS})
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def now_iso() -> str:
    return clock.now().isoformat(timespec="seconds")


class Journal:
    """One device's journal inside an open (decrypted) database."""

    def __init__(self, db: sqlite_utils.Database, device: str, id_block: IdBlock | None = None):
        self.db = db
        self.device = device
        self.id_block = id_block
        # Set once a snapshot is open, so a UHID typed on a form can be checked against it.
        self.snapshot: sqlite_utils.Database | None = None
        migrations.apply(db)

    # -- writing -------------------------------------------------------------------------------

    def append(self, kind: str, payload: dict[str, Any], staff: str, *, supersedes: str | None = None,
               check_refs: bool = True) -> Entry:
        """Validate and durably write one entry with its projections; all of it or nothing."""
        k = get_kind(kind)
        clean = validate(k, payload, projections.Resolver(self.db, self.snapshot) if check_refs else None)
        with write_transaction(self.db):
            target = self._check_supersedes(kind, supersedes, clean)
            human_id = self._next_id(kind) if k.issues_id else (target.human_id if target else None)
            row = self._new_row(kind, clean, staff, supersedes, human_id)
            projections.insert_row(self.db, "entries", row)
            entry = Entry.from_row(row)
            projections.apply(self.db, entry)
        return entry

    def _new_row(self, kind: str, payload: dict[str, Any], staff: str, supersedes: str | None,
                 human_id: str | None) -> dict[str, Any]:
        last = self.db.execute(
            "SELECT seq, hash FROM entries WHERE device = ? ORDER BY seq DESC LIMIT 1", [self.device]
        ).fetchone()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        row: dict[str, Any] = {
            "seq": seq,
            "device": self.device,
            "uuid": str(uuidlib.uuid4()),
            "kind": kind,
            "human_id": human_id,
            "payload": canonical_json(payload),
            "staff": staff,
            "recorded_at": now_iso(),
            "clinical_at": _clinical_time(kind, payload),
            "downtime_event": projections.current_event(self.db),
            "supersedes": supersedes,
            "prev_hash": prev_hash,
        }
        row["hash"] = entry_hash(row)
        return row

    def _check_supersedes(self, kind: str, supersedes: str | None, payload: dict[str, Any]) -> Entry | None:
        if kind not in ("entry.correct", "entry.void"):
            if supersedes:
                raise DowntimeError("only a correction or a void may supersede another entry")
            return None
        if not supersedes:
            raise DowntimeError(f"{kind} must name the entry it supersedes")
        target = self.get(supersedes)
        record = projections.record_for(self.db, target.uuid)
        if record is None:
            raise DowntimeError(f"entry {supersedes} cannot be corrected or voided (it is a system entry)")
        if record["status"] == "voided":
            raise DowntimeError(f"entry {supersedes} was voided; register it again instead of correcting it")
        if kind == "entry.correct":
            original_kind = get_kind(record["kind"])
            payload["fields"] = validate(original_kind, payload.get("fields", {}),
                                         projections.Resolver(self.db, self.snapshot))
        return Entry.from_row(self._row(record["uuid"]))

    def _next_id(self, kind: str) -> str:
        if self.id_block is None:
            raise DowntimeError("this PC has no block of downtime IDs; stage it first (downtime stage apply)")
        used = self.id_block_used()
        return str(self.id_block.id_for(used + 1))

    def reserve_ids(self, count: int) -> list[str]:
        """Issue ``count`` IDs for paper packs; the caller journals them in the same transaction."""
        if self.id_block is None:
            raise DowntimeError("this PC has no block of downtime IDs; stage it first (downtime stage apply)")
        used = self.id_block_used()
        return [str(self.id_block.id_for(used + i)) for i in range(1, count + 1)]

    def id_block_used(self) -> int:
        assert self.id_block is not None
        return projections.highest_serial(self.db, self.id_block.site, self.id_block.block)

    def block_status(self) -> BlockStatus | None:
        if self.id_block is None:
            return None
        return self.id_block.status(self.id_block_used())

    # -- reading -------------------------------------------------------------------------------

    def _row(self, uuid: str) -> dict[str, Any]:
        rows = list(self.db["entries"].rows_where("uuid = ?", [uuid]))
        if not rows:
            raise NotFoundError(f"no entry {uuid} in this journal")
        return rows[0]

    def get(self, ref: str) -> Entry:
        """An entry by uuid, or the newest entry that issued or carries a human ID."""
        ref = ref.strip()
        rows = list(self.db["entries"].rows_where("uuid = ?", [ref]))
        if not rows:
            rows = list(self.db["entries"].rows_where(
                "human_id = ? AND supersedes IS NULL", [ref.upper()], order_by="seq", limit=1))
        if not rows:
            raise NotFoundError(f"no entry {ref!r} on this PC; check the ID or uuid")
        return Entry.from_row(rows[0])

    def entries(self, kind: str | None = None, since_seq: int = 0) -> Iterator[Entry]:
        """Entries in seq order, read in pages so no cursor stays open while the caller writes."""
        where, args = "device = ? AND seq > ?", [self.device]
        if kind:
            where += " AND kind = ?"
        last = since_seq
        while True:
            page = list(self.db["entries"].rows_where(where, [*args, last, *([kind] if kind else [])],
                                                      order_by="seq", limit=PAGE))
            for row in page:
                yield Entry.from_row(row)
            if len(page) < PAGE:
                return
            last = page[-1]["seq"]

    def head(self) -> tuple[int, str]:
        last = self.db.execute(
            "SELECT seq, hash FROM entries WHERE device = ? ORDER BY seq DESC LIMIT 1", [self.device]
        ).fetchone()
        return (last[0], last[1]) if last else (0, GENESIS)

    # -- checking ------------------------------------------------------------------------------

    def verify(self) -> VerifyResult:
        """Walk the chain from the first entry; name the first seq that does not hold."""
        expected_seq, prev = 1, GENESIS
        count = 0
        cursor = self.db.execute(f"SELECT {', '.join(HASHED_FIELDS)}, hash FROM entries WHERE device = ? "
                                 "ORDER BY seq", [self.device])
        columns = [*HASHED_FIELDS, "hash"]
        for values in cursor:
            row = dict(zip(columns, values, strict=True))
            problem = _chain_problem(row, expected_seq, prev)
            if problem:
                return VerifyResult(False, count, row["seq"], problem)
            prev, expected_seq, count = row["hash"], expected_seq + 1, count + 1
        return VerifyResult(True, count)

    def rebuild_projections(self) -> int:
        with write_transaction(self.db):
            projections.drop_tables(self.db)
            projections.create_tables(self.db)
            n = 0
            for entry in self.entries():
                projections.apply(self.db, entry)
                n += 1
        return n


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """BEGIN IMMEDIATE: take the write lock before reading the chain head, so two programs writing
    to the same journal (the app and a CLI command) queue up instead of both claiming the next seq."""
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        yield
        db.conn.commit()
    except BaseException as exc:
        db.conn.rollback()
        full = _disk_full_error(db, exc)
        if full:
            raise full from None
        raise


def _disk_full_error(db: sqlite_utils.Database, exc: BaseException) -> DiskFullError | None:
    """The error to show if ``exc`` is the disk running full, naming the folder that needs space."""
    if not isinstance(exc, OSError) and getattr(exc, "sqlite_errorcode", None) is None:
        return None  # not a storage error (a validation or permission error, say): nothing to look up
    path = next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "")
    folder = Path(path).parent if path else Path.cwd()
    return disk_full(folder) if is_disk_full(exc, folder) else None


def _chain_problem(row: dict[str, Any], expected_seq: int, prev: str) -> str:
    if row["seq"] != expected_seq:
        return f"entries {expected_seq}-{row['seq'] - 1} are missing"
    if row["prev_hash"] != prev:
        return "it does not follow the entry before it (the chain is broken)"
    if entry_hash(row) != row["hash"]:
        return "its contents were changed after it was written"
    return ""


def _clinical_time(kind: str, payload: dict[str, Any]) -> str | None:
    field = get_kind(kind).clinical_time_field
    value = payload.get(field) if field else None
    return str(value) if value is not None else None

