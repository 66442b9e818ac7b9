"""The records office's workspace: every ward PC's entries, brought together and checked.

``workspace.db`` is a SQLCipher database like a ward journal. Its key is one of the office secrets
(``office.py``), so it opens with the records-office passphrase. It holds:

    devices        the ward PCs whose bundles this office accepts, with their signing keys
    entries        every entry received, exactly as its PC journaled it (append-only, like the journal)
    conflicts      entries whose uuid is already here with other content: held for review, never merged
    bundles        each bundle (or recovered journal) imported: range, counts, duplicates skipped
    external_refs  which entry each row of an imported CSV file became (from entry.import entries)

Every way in (a bundle, a recovered journal, the office PC's own journal) ends in ``_insert``, after the
same row checks (``rows.check_ndjson``) and the same continuity checks against what is already held.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from nacl.signing import VerifyKey
from sqlite_utils.migrations import Migrations

from downtime.encrypted_db import open_encrypted
from downtime.errors import DowntimeError
from downtime.home import Home
from downtime.journal import GENESIS
from downtime.session import Session
from downtime.vault import Secrets, b64, unb64
from sync.bundle import MAX_BUNDLE_BYTES, BundleRejected, OpenedBundle, open_bundle
from sync.keys import KeyFile, device_key_file
from sync.office import OfficePaths, create_office, unlock_office
from sync.rows import ROW_FIELDS, Row, check_ndjson, journal_ndjson

migrations = Migrations("downtime.workspace")
CHUNK = 500  # uuids per IN (...) query: well under SQLite's limit on parameters


@migrations()
def m001_workspace(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("""
        CREATE TABLE devices (
            device TEXT PRIMARY KEY, site TEXT NOT NULL, ward TEXT, public_key TEXT NOT NULL,
            fingerprint TEXT NOT NULL, trusted_at TEXT NOT NULL, local INTEGER NOT NULL DEFAULT 0)""")
    db.execute("""
        CREATE TABLE entries (
            seq INTEGER NOT NULL, device TEXT NOT NULL, uuid TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
            human_id TEXT, payload TEXT NOT NULL, staff TEXT NOT NULL, recorded_at TEXT NOT NULL,
            clinical_at TEXT, downtime_event TEXT, supersedes TEXT, prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL, bundle_id TEXT NOT NULL,
            PRIMARY KEY (device, seq))""")
    db.execute("CREATE INDEX entries_kind ON entries(kind)")
    db.execute("CREATE INDEX entries_human_id ON entries(human_id)")
    # Received entries are evidence of what each ward did: like the journal, they are never rewritten.
    db.execute("""CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
                  BEGIN SELECT RAISE(ABORT, 'received entries cannot be changed'); END""")
    db.execute("""CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
                  BEGIN SELECT RAISE(ABORT, 'received entries cannot be deleted'); END""")
    db.execute("""
        CREATE TABLE conflicts (
            uuid TEXT NOT NULL, device TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,
            prev_hash TEXT NOT NULL, row TEXT NOT NULL, existing_device TEXT NOT NULL,
            existing_seq INTEGER NOT NULL, existing_hash TEXT NOT NULL, bundle_id TEXT NOT NULL,
            found_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open',
            PRIMARY KEY (uuid, hash))""")
    db.execute("CREATE INDEX conflicts_device_seq ON conflicts(device, seq)")
    # What has arrived for each (device, seq), whether it went into entries or is held as a conflict.
    db.execute("""CREATE VIEW received AS
                  SELECT device, seq, uuid, hash, prev_hash FROM entries
                  UNION ALL SELECT device, seq, uuid, hash, prev_hash FROM conflicts""")
    db.execute("""
        CREATE TABLE bundles (
            bundle_id TEXT PRIMARY KEY, device TEXT NOT NULL, source TEXT NOT NULL, file TEXT,
            first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, entries INTEGER NOT NULL,
            new INTEGER NOT NULL, duplicates INTEGER NOT NULL, conflicts INTEGER NOT NULL,
            created_at TEXT, imported_at TEXT NOT NULL, times_imported INTEGER NOT NULL DEFAULT 1)""")
    db.execute("""
        CREATE TABLE external_refs (
            entry_uuid TEXT PRIMARY KEY, kind TEXT NOT NULL, external_ref TEXT NOT NULL, row INTEGER,
            ward TEXT, downtime_id TEXT, source TEXT, import_uuid TEXT NOT NULL)""")
    db.execute("CREATE INDEX external_refs_ref ON external_refs(kind, external_ref)")


@dataclass(frozen=True)
class Batch:
    """Checked rows of one device, ready to be held against the workspace and inserted."""

    bundle_id: str
    device: str
    source: str  # "bundle", "journal" (a recovered ward journal) or "local" (this office PC's journal)
    file: str | None
    created_at: str | None
    rows: list[Row]

    @property
    def first_seq(self) -> int:
        return int(self.rows[0].seq)

    @property
    def last_seq(self) -> int:
        return int(self.rows[-1].seq)

    @property
    def prev_hash(self) -> str:
        return str(self.rows[0].prev_hash)

    @property
    def head_hash(self) -> str:
        return str(self.rows[-1].hash)

    @classmethod
    def from_bundle(cls, bundle: OpenedBundle, source: str, file: str | None) -> Batch:
        m = bundle.manifest
        return cls(m.bundle_id, m.device, source, file, m.created_at, check_ndjson(bundle.entries, m.device, m.span))


@dataclass(frozen=True)
class ImportResult:
    file: str | None
    device: str
    first_seq: int
    last_seq: int
    new: int
    duplicates: int
    conflicts: int
    seen_before: bool  # this very bundle was imported before

    def describe(self) -> str:
        again = " (this bundle was imported before)" if self.seen_before else ""
        return (f"device {self.device}: seq {self.first_seq}–{self.last_seq}: {self.new} new, "
                f"{self.duplicates} duplicates skipped, {self.conflicts} conflicts for review{again}")


@dataclass(frozen=True)
class TrustResult:
    device: str
    fingerprint: str
    replaced: bool
    already: bool


class Workspace:
    def __init__(self, home: Home, db: sqlite_utils.Database, office: Secrets):
        self.home = home
        self.db = db
        self.office = office
        self.local_import: ImportResult | None = None  # what opening brought in from this PC's own journal
        # Importing 100k entries touches index pages for random uuids all over the file: give it room.
        db.execute("PRAGMA cache_size = -65536")
        migrations.apply(db)

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def create(cls, session: Session, passphrase: str) -> Workspace:
        """Set up the office keys and the workspace in a records-office home that was just made."""
        office = create_office(session.home, passphrase)
        ws = cls(session.home, open_encrypted(OfficePaths(session.home.path).workspace, office.db_key), office)
        config = session.config
        with ws.db.atomic():
            for key, value in {"site": config.site["code"], "site_name": config.site["name"],
                               "office_device": config.device, "created_at": _now(),
                               # Lets the workspace read this PC's own journal (paper keyed in here).
                               "local_journal_key": b64(session.secrets.db_key)}.items():
                ws.db.table("meta").insert({"key": key, "value": value})
            ws._add_device(device_key_file(config), ward=config.ward or "records office", local=True)
        config.keys["office_public"] = b64(bytes(office.sealing_key.public_key))
        session.home.save_config(config)
        ws.ingest_local()
        return ws

    @classmethod
    def open(cls, home_path: Path, passphrase: str) -> Workspace:
        """Open with the passphrase, and bring in what was journaled on this office PC since last time."""
        home = Home(home_path).require()
        office = unlock_office(home, passphrase)
        ws = cls(home, open_encrypted(OfficePaths(home.path).workspace, office.db_key), office)
        ws.local_import = ws.ingest_local()
        return ws

    def close(self) -> None:
        self.db.close()

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    @property
    def site(self) -> str:
        return self.meta("site") or ""

    # -- trust ---------------------------------------------------------------------------------

    def trust(self, key_file: KeyFile, *, replace: bool = False, ward: str | None = None) -> TrustResult:
        """Accept bundles signed by this device key from now on."""
        if key_file.site != self.site:
            raise DowntimeError(f"{key_file.device}'s key belongs to site {key_file.site}; this records office "
                                f"is site {self.site}. Check that IT gave you the right device.pub")
        known = self.db.execute("SELECT public_key, fingerprint FROM devices WHERE device = ?",
                                [key_file.device]).fetchone()
        if known and unb64(known[0]) == key_file.key:
            return TrustResult(key_file.device, key_file.fingerprint, replaced=False, already=True)
        if known and not replace:
            raise DowntimeError(f"device {key_file.device} is already trusted with another key ({known[1]}); if "
                                "the PC was re-staged, trust the new key with --replace")
        with self.db.atomic():
            self._add_device(key_file, ward=ward, local=False)
        return TrustResult(key_file.device, key_file.fingerprint, replaced=bool(known), already=False)

    def _add_device(self, key_file: KeyFile, *, ward: str | None, local: bool) -> None:
        self.db.table("devices").upsert({
            "device": key_file.device, "site": key_file.site,
            "ward": ward or key_file.ward or ward_of(key_file.device),
            "public_key": b64(key_file.key), "fingerprint": key_file.fingerprint, "trusted_at": _now(),
            "local": int(local)}, pk="device")

    def trusted_key(self, device: str) -> VerifyKey | None:
        row = self.db.execute("SELECT public_key FROM devices WHERE device = ?", [device]).fetchone()
        return VerifyKey(unb64(row[0])) if row else None

    # -- importing -----------------------------------------------------------------------------

    def import_file(self, path: Path) -> ImportResult:
        """Import one bundle file; raise BundleRejected (nothing written) if any check fails."""
        try:
            info = path.stat()
        except OSError:
            raise DowntimeError(f"{path} cannot be read; check the name and that the stick is plugged in") from None
        if not stat.S_ISREG(info.st_mode):
            raise BundleRejected("format", "this is not a regular file")
        if info.st_size > MAX_BUNDLE_BYTES:
            raise BundleRejected("size", f"the file is {info.st_size // 2**20} MB, more than a bundle can be")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DowntimeError(f"{path} cannot be read ({exc.strerror}); copy it from the stick again") from None
        return self.import_bytes(data, path.name)

    def import_bytes(self, data: bytes, name: str | None, *, source: str = "bundle") -> ImportResult:
        bundle = open_bundle(data, self.office.sealing_key, self.trusted_key)
        if bundle.manifest.site != self.site:
            raise BundleRejected("site", f"the bundle is from site {bundle.manifest.site}, not {self.site}",
                                 bundle.manifest.device)
        return self._insert(Batch.from_bundle(bundle, source, name))

    def ingest_local(self) -> ImportResult | None:
        """Bring in entries journaled on this office PC since last time (e.g. paper keyed in here)."""
        device, key = self.meta("office_device"), self.meta("local_journal_key")
        if not device or not key:
            return None
        (held,) = self.db.execute("SELECT coalesce(max(seq), 0) FROM received WHERE device = ?", [device]).fetchone()
        journal = open_encrypted(self.home.journal_path, unb64(key))
        try:
            (head,) = journal.execute("SELECT coalesce(max(seq), 0) FROM entries WHERE device = ?",
                                      [device]).fetchone()
            if head <= held:
                return None
            entries, span = journal_ndjson(journal, device, held + 1)
        finally:
            journal.close()
        rows = check_ndjson(entries, device, span)
        return self._insert(Batch(f"local:{device}:{span.head_hash}", device, "local", None, _now(), rows))

    def _insert(self, batch: Batch) -> ImportResult:
        held = self._held(batch)
        _check_continuity(batch, held)
        fresh = [row for row in batch.rows if row.seq not in held]
        elsewhere = self._same_uuid_elsewhere(fresh)
        new = [row for row in fresh if row.uuid not in elsewhere]
        conflicts = [(row, elsewhere[row.uuid]) for row in fresh if row.uuid in elsewhere]
        duplicates = len(batch.rows) - len(fresh)
        seen = self.db.execute("SELECT 1 FROM bundles WHERE bundle_id = ?", [batch.bundle_id]).fetchone()
        with self.db.atomic():
            self._insert_entries(batch.bundle_id, new)
            self._insert_conflicts(batch.bundle_id, conflicts)
            self._insert_external_refs(new)
            self._record_bundle(batch, len(new), duplicates, len(conflicts))
        return ImportResult(batch.file, batch.device, batch.first_seq, batch.last_seq, len(new), duplicates,
                            len(conflicts), seen_before=bool(seen))

    def _held(self, batch: Batch) -> dict[int, tuple[str, str, str]]:
        """What the workspace already holds for this device, from one before the batch to one after it."""
        return {seq: (uuid, hash_, prev) for seq, uuid, hash_, prev in self.db.execute(
            "SELECT seq, uuid, hash, prev_hash FROM received WHERE device = ? AND seq BETWEEN ? AND ?",
            [batch.device, batch.first_seq - 1, batch.last_seq + 1])}

    def _same_uuid_elsewhere(self, rows: list[Row]) -> dict[str, tuple[str, int, str]]:
        """uuids of ``rows`` that the workspace already holds at another place (so with other content)."""
        found: dict[str, tuple[str, int, str]] = {}
        uuids = [row.uuid for row in rows]
        for start in range(0, len(uuids), CHUNK):
            chunk = uuids[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for uuid, device, seq, hash_ in self.db.execute(
                    f"SELECT uuid, device, seq, hash FROM entries WHERE uuid IN ({marks})", chunk):
                found[uuid] = (device, seq, hash_)
        return found

    def _insert_entries(self, bundle_id: str, rows: list[Row]) -> None:
        columns = [*ROW_FIELDS, "bundle_id"]
        tail = (bundle_id,)
        self.db.conn.executemany(
            f"INSERT INTO entries ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            (row + tail for row in rows))

    def _insert_conflicts(self, bundle_id: str, conflicts: list[tuple[Row, tuple[str, int, str]]]) -> None:
        found_at = _now()
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO conflicts (uuid, device, seq, hash, prev_hash, row, existing_device, "
            "existing_seq, existing_hash, bundle_id, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ([row.uuid, row.device, row.seq, row.hash, row.prev_hash,
              json.dumps(row._asdict(), ensure_ascii=False), *existing, bundle_id, found_at]
             for row, existing in conflicts))

    def _insert_external_refs(self, rows: Iterable[Row]) -> None:
        for row in rows:
            if row.kind != "entry.import":
                continue
            payload = json.loads(row.payload)
            for ref, item in payload.get("rows", {}).items():
                self.db.execute(
                    "INSERT OR IGNORE INTO external_refs (entry_uuid, kind, external_ref, row, ward, downtime_id, "
                    "source, import_uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [item.get("uuid"), payload.get("kind"), ref, item.get("row"), item.get("ward"),
                     item.get("downtime_id"), payload.get("source"), row.uuid])

    def _record_bundle(self, batch: Batch, new: int, duplicates: int, conflicts: int) -> None:
        self.db.execute(
            "INSERT INTO bundles (bundle_id, device, source, file, first_seq, last_seq, entries, new, duplicates, "
            "conflicts, created_at, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (bundle_id) DO UPDATE SET times_imported = times_imported + 1, "
            "duplicates = duplicates + excluded.duplicates, imported_at = excluded.imported_at",
            [batch.bundle_id, batch.device, batch.source, batch.file, batch.first_seq, batch.last_seq,
             len(batch.rows), new, duplicates, conflicts, batch.created_at, _now()])


def _check_continuity(batch: Batch, held: dict[int, tuple[str, str, str]]) -> None:
    """The batch must agree with every entry already held for its device, and join the ones around it."""
    device = batch.device
    for row in batch.rows:
        have = held.get(row.seq)
        if have and have[1] != row.hash:
            raise BundleRejected("continuity", f"seq {row.seq} differs from the entry already imported from "
                                 f"{device}: this PC's journal was restored from an old copy or cloned. Keep "
                                 "both bundles and call IT", device)
    before, after = held.get(batch.first_seq - 1), held.get(batch.last_seq + 1)
    expected_prev = before[1] if before else (GENESIS if batch.first_seq == 1 else None)
    if expected_prev is not None and batch.prev_hash != expected_prev:
        raise BundleRejected("continuity", f"seq {batch.first_seq} does not follow seq {batch.first_seq - 1} "
                             f"already imported from {device}; keep both bundles and call IT", device)
    if after and after[2] != batch.head_hash:
        raise BundleRejected("continuity", f"seq {batch.last_seq + 1} already imported from {device} does not "
                             f"follow this bundle's last entry; keep both bundles and call IT", device)


def ward_of(device: str) -> str:
    """The ward in a device code that follows the convention WARD-PCn (W7-PC2 → W7), else ''."""
    match = re.fullmatch(r"([A-Z0-9]+)-PC\d+", device)
    return match.group(1) if match else ""


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def describe_trust(result: TrustResult) -> str:
    if result.already:
        return f"device {result.device} was already trusted with this key ({result.fingerprint})"
    verb = "now trusted with its new key" if result.replaced else "trusted"
    return f"device {result.device} {verb}: fingerprint {result.fingerprint}"

