"""What the HMIS has acknowledged, so an interrupted write-back resumes instead of starting again.

Each thing sent (a FHIR transaction bundle, an HL7 message) has a stable key and a digest of its
exact bytes. Once the receiver acknowledges it, the key, digest and per-part digests are written to
``post_log`` in the workspace, one committed row per acknowledgement, so a crash or a pulled cable
loses at most the one in flight. A re-run sends only what has no acknowledgement:

* the same key with the same digest: already there, skipped;
* the same key with another digest: the records changed after the HMIS took them (a late correction,
  a late bundle). What was acknowledged and has changed or gone is listed part by part as *stale*: a
  conditional create does not update what the HMIS already holds, and re-sending an HL7 event would
  repeat it, so a person must update those parts by hand. Adapters whose re-sends are harmless (FHIR
  conditional create) send the new version anyway, so new parts (a result that came late) do arrive;
* a key acknowledged before and no longer produced at all (its records were voided, or the patient's
  decision changed): all its parts are stale.

``deliver`` is the one send loop the FHIR and MLLP adapters share: retries with exponential backoff
when there is no answer, no retry when the receiver answers with a refusal (it would refuse again),
and a stop once several items in a row got no answer at all (the receiver is down: run again later).

Files written with ``reconcile post --out`` (for an HMIS that only takes files) get no answer, but they
are the write-back all the same: ``hand_over`` logs each file as it was written (target = the output
folder, key = the file name, its digest and the entries it carries), marked ``delivery = 'file'`` so
the report can say "handed over as files in DIR" rather than "acknowledged by the HMIS at URL". Files are
always written in full: writing them again to another folder (a stick that went missing) is a new
target, and since the report counts entries, not files, nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from sync.adapters.records import CurrentRecords

migrations = Migrations("downtime.post_log")
ACKNOWLEDGED, FILE = "acknowledged", "file"  # post_log.delivery: the HMIS answered, or a file was handed over


@migrations()
def m001_post_log(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE post_log (
            adapter TEXT NOT NULL, target TEXT NOT NULL, key TEXT NOT NULL, digest TEXT NOT NULL,
            parts TEXT NOT NULL, entries TEXT NOT NULL, receipt TEXT NOT NULL, acknowledged_at TEXT NOT NULL,
            PRIMARY KEY (adapter, target, key))""")


@migrations()
def m002_files_handed_over(db: sqlite_utils.Database) -> None:
    # Rows from before this were all acknowledgements: files were not logged at all.
    db.execute(f"ALTER TABLE post_log ADD COLUMN delivery TEXT NOT NULL DEFAULT '{ACKNOWLEDGED}'")


class Rejected(Exception):
    """The receiver answered and refused the item: sending it again unchanged would be refused again."""


class NotDelivered(Exception):
    """No answer, or a passing fault (timeout, dropped connection, 503): worth another try."""


@dataclass(frozen=True)
class Outgoing:
    """One thing to send, exactly as it will go on the wire."""

    key: str                      # stable across runs: a bundle per patient, a message per record version
    body: bytes
    parts: dict[str, str]         # part name -> digest (a bundle's resources; a message is one part)
    entries: tuple[str, ...]      # the entry uuids (record versions) it carries, for the report's accounting

    @property
    def digest(self) -> str:
        return digest_of(self.body)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Failure:
    key: str
    reason: str


@dataclass
class PostReport:
    """What one run of an adapter did. ``complete`` when nothing failed and nothing was left unsent."""

    adapter: str
    target: str                   # the URL, mllp://host:port, or the output folder
    posted: int = 0               # sent and acknowledged now (or written, for files)
    skipped: int = 0              # acknowledged in an earlier run: not sent again
    failed: list[Failure] = field(default_factory=list)
    stale: list[Failure] = field(default_factory=list)   # acknowledged earlier, changed since: update by hand
    held: list[Failure] = field(default_factory=list)    # records not sent at all (undecided patient, voided, ...)
    not_attempted: int = 0        # left unsent because the receiver stopped answering
    voided: int = 0               # records voided on the wards: never sent
    files: list[Path] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failed and not self.not_attempted

    def describe(self) -> str:
        done = "written" if self.files else "sent"
        summary = (f"{self.adapter} to {self.target}: {self.posted} {done}, {self.skipped} already acknowledged "
                   f"(skipped), {len(self.failed)} failed, {len(self.held)} records held back, {self.voided} voided "
                   "(not sent)")
        lines = [summary]
        if self.not_attempted:
            lines.append(f"  {self.not_attempted} not sent: the receiver stopped answering; run again to resume")
        lines += [f"  failed {f.key}: {f.reason}" for f in self.failed]
        lines += [f"  to correct in the HMIS {f.key}: {f.reason}" for f in self.stale]
        lines += [f"  held {f.key}: {f.reason}" for f in self.held]
        return "\n".join(lines)


def report_for(adapter: str, target: str, current: CurrentRecords, not_carried: Iterable[Failure] = ()) -> PostReport:
    """A report that already accounts for what will not be sent: held records, and voided ones."""
    held = [Failure(h.record.name, h.reason) for h in current.held]
    return PostReport(adapter, target, held=[*held, *not_carried], voided=len(current.voided))


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5             # tries per item when there is no answer
    first_delay: float = 1.0      # seconds before the second try; doubled each time
    max_delay: float = 60.0
    give_up_after: int = 3        # items in a row with no answer at all: stop, the receiver is down

    def delay(self, attempt: int) -> float:
        return float(min(self.first_delay * 2 ** attempt, self.max_delay))


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class Acknowledged:
    digest: str
    parts: dict[str, str]
    acknowledged_at: str


class PostLog:
    """The acknowledgements one workspace has received, per adapter and target."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        migrations.apply(db)

    def acknowledged(self, adapter: str, target: str) -> dict[str, Acknowledged]:
        return {key: Acknowledged(d, json.loads(parts), at) for key, d, parts, at in self.db.execute(
            "SELECT key, digest, parts, acknowledged_at FROM post_log WHERE adapter = ? AND target = ? "
            "AND delivery = ?", [adapter, target, ACKNOWLEDGED])}

    def acknowledge(self, adapter: str, target: str, item: Outgoing, receipt: str) -> None:
        with self.db.atomic():  # committed at once: an interruption after this must not send it again
            self.db.execute(
                "INSERT INTO post_log (adapter, target, key, digest, parts, entries, receipt, acknowledged_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (adapter, target, key) DO UPDATE SET "
                "digest = excluded.digest, parts = excluded.parts, entries = excluded.entries, "
                "receipt = excluded.receipt, acknowledged_at = excluded.acknowledged_at",
                [adapter, target, item.key, item.digest, json.dumps(item.parts, sort_keys=True),
                 json.dumps(sorted(item.entries)), receipt[:2000], _now()])

    def hand_over(self, adapter: str, folder: Path, files: Iterable[Outgoing]) -> None:
        """Log files just written to ``folder`` (each item's key is its file name), in one transaction: files
        written but not logged (a crash in between) are counted as pending, never the other way round."""
        target = file_target(folder)
        with self.db.atomic():
            for item in files:
                self.db.execute(
                    "INSERT INTO post_log (adapter, target, key, digest, parts, entries, receipt, acknowledged_at, "
                    "delivery) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (adapter, target, key) DO UPDATE SET "
                    "digest = excluded.digest, parts = excluded.parts, entries = excluded.entries, "
                    "receipt = excluded.receipt, acknowledged_at = excluded.acknowledged_at, "
                    "delivery = excluded.delivery",
                    [adapter, target, item.key, item.digest, json.dumps(item.parts, sort_keys=True),
                     json.dumps(sorted(item.entries)), str(Path(target) / item.key), _now(), FILE])

    def posted_entries(self, adapter: str | None = None) -> set[str]:
        """Entry uuids (record versions) some acknowledged item or handed-over file carried: 'posted' in the
        report."""
        return set(self.delivered(adapter))

    def delivered(self, adapter: str | None = None) -> dict[str, str]:
        """Entry uuid -> how it reached the HMIS: ACKNOWLEDGED when any acknowledgement carried it (the
        stronger proof), else FILE."""
        sql, args = "SELECT entries, delivery FROM post_log", []
        if adapter:
            sql, args = sql + " WHERE adapter = ?", [adapter]
        found: dict[str, str] = {}
        for entries, delivery in self.db.execute(sql, args):
            for uuid in json.loads(entries):
                if found.get(uuid) != ACKNOWLEDGED:
                    found[uuid] = delivery
        return found


def file_target(folder: Path) -> str:
    """How a folder of written files is named in the log: its full path, so 'out' and './out' are one target."""
    return str(folder.resolve())


def written_file(path: Path, body: bytes, entries: Iterable[str]) -> Outgoing:
    """A file as ``hand_over`` logs it: named by its file name, one part, the entries it carries."""
    return Outgoing(path.name, body, {path.name: digest_of(body)}, tuple(dict.fromkeys(entries)))


def deliver(items: Iterable[Outgoing], send: Callable[[Outgoing], str], log: PostLog, report: PostReport, *,
            retry: RetryPolicy, resend_changed: bool, sleep: Callable[[float], None] = time.sleep) -> PostReport:
    """Send each item not yet acknowledged; record each acknowledgement as it comes."""
    acked = log.acknowledged(report.adapter, report.target)
    silent_in_a_row = 0
    seen: set[str] = set()
    pending = iter(items)
    for item in pending:
        seen.add(item.key)
        before = acked.get(item.key)
        if before is not None and before.digest == item.digest:
            report.skipped += 1
            continue
        if before is not None:
            report.stale += _stale_parts(item, before)
            if not resend_changed:
                continue
        answered = _send_with_retries(item, send, log, report, retry, sleep)
        silent_in_a_row = 0 if answered else silent_in_a_row + 1
        if silent_in_a_row >= retry.give_up_after:
            report.not_attempted = sum(1 for _ in _unacknowledged(pending, acked))
            break
    else:  # every item was considered: what was acknowledged before and is no longer produced went away
        report.stale += [Failure(part, f"acknowledged on {acked[key].acknowledged_at[:16]} but no longer among the "
                                       "records to send (voided, or the patient's decision changed); correct it in "
                                       "the HMIS by hand")
                         for key in sorted(set(acked) - seen) for part in sorted(acked[key].parts)]
    return report


def _send_with_retries(item: Outgoing, send: Callable[[Outgoing], str], log: PostLog, report: PostReport,
                       retry: RetryPolicy, sleep: Callable[[float], None]) -> bool:
    """Try until acknowledged, refused, or out of attempts; False if the receiver never answered."""
    problem = ""
    for attempt in range(retry.attempts):
        if attempt:
            sleep(retry.delay(attempt - 1))
        try:
            receipt = send(item)
        except Rejected as exc:
            report.failed.append(Failure(item.key, f"refused: {exc}"))
            return True
        except NotDelivered as exc:
            problem = str(exc)
            continue
        log.acknowledge(report.adapter, report.target, item, receipt)
        report.posted += 1
        return True
    report.failed.append(Failure(item.key, f"no answer after {retry.attempts} tries ({problem})"))
    return False


def _stale_parts(item: Outgoing, before: Acknowledged) -> list[Failure]:
    """Parts the HMIS acknowledged that have changed since, or are no longer there at all."""
    when = before.acknowledged_at[:16]
    changed = f"changed after the HMIS acknowledged it on {when}; update it in the HMIS by hand"
    gone = f"acknowledged on {when} but no longer in the records (corrected away or voided); remove or cancel it " \
           "in the HMIS by hand"
    return [Failure(part, changed if part in item.parts else gone) for part, d in sorted(before.parts.items())
            if item.parts.get(part) != d]


def _unacknowledged(items: Iterator[Outgoing], acked: dict[str, Acknowledged]) -> Iterator[Outgoing]:
    return (i for i in items if acked.get(i.key) is None or acked[i.key].digest != i.digest)


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
