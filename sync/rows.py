"""Journal rows on the move: out of a journal as NDJSON, and back in as checked rows.

A row is one journal entry exactly as the journal stores it, the payload as its stored text, so that
``journal.entry_hash`` gives the row's own hash again wherever it arrives. Every way into the
workspace (a bundle, a recovered journal, the office PC's own journal) goes through
``check_ndjson``: each row's fields, its own hash, its place in the chain, and the totals the
manifest promised.

The journal writes the NDJSON itself (SQLite's ``json_object``), and a big bundle is checked in two
worker processes, because parsing and hashing 100k rows is most of an import's time and the office
PC has a second core. A line need not be canonical JSON: the hash is taken over canonical JSON of the
parsed row, never over the line.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from operator import itemgetter
from typing import Any, NamedTuple

import sqlite_utils

from downtime.journal import GENESIS, HASHED_FIELDS, entry_hash
from sync.bundle import BundleRejected, Span

ROW_FIELDS = (*HASHED_FIELDS, "hash")


class Row(NamedTuple):
    """One journal row, in the journal's column order (checked below against ``journal.HASHED_FIELDS``)."""

    uuid: str
    device: str
    seq: int
    kind: str
    human_id: str | None
    payload: str
    staff: str
    recorded_at: str
    clinical_at: str | None
    downtime_event: str | None
    supersedes: str | None
    prev_hash: str
    hash: str


if Row._fields != ROW_FIELDS:  # a new journal column must travel in bundles too
    raise ImportError(f"sync.rows.Row does not match the journal's fields {ROW_FIELDS}")

PARALLEL_MIN = 20_000  # below this, starting worker processes costs more than it saves
# Workers are forked: a spawned one would start the program again (and a frozen Windows build would need
# freeze_support), so where fork does not exist the rows are checked in this process.
WORKERS = min(2, os.cpu_count() or 1) if "fork" in multiprocessing.get_all_start_methods() else 1

_ROW_KEYS = frozenset(ROW_FIELDS)
_VALUES = itemgetter(*ROW_FIELDS)
_TEXT = ("device", "uuid", "kind", "payload", "staff", "recorded_at", "prev_hash", "hash")
_OPTIONAL_TEXT = ("human_id", "clinical_at", "downtime_event", "supersedes")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_JSON_OBJECT = "json_object(" + ", ".join(f"'{f}', {f}" for f in ROW_FIELDS) + ")"


# -- out of a journal --------------------------------------------------------------------------

def journal_ndjson(db: sqlite_utils.Database, device: str, first: int, last: int | None = None) -> tuple[bytes, Span]:
    """A device's rows from ``first`` (to ``last``, or the newest) as NDJSON, and the span they cover."""
    where = "device = ? AND seq >= ?" + (" AND seq <= ?" if last is not None else "")
    args: list[Any] = [device, first, *([last] if last is not None else [])]
    # One pass: the seq and kind of each row beside its line, so the span needs no second scan.
    rows = db.execute(f"SELECT seq, kind, prev_hash, hash, {_JSON_OBJECT} FROM entries WHERE {where} ORDER BY seq",
                      args).fetchall()
    if not rows:
        raise BundleRejected("entries", f"the journal holds no entries from seq {first}", device)
    span = Span(rows[0][0], rows[-1][0], rows[0][2], rows[-1][3], dict(Counter(row[1] for row in rows)))
    if len(rows) != span.entries:  # the journal's trigger makes this impossible; a copied file may not have it
        raise BundleRejected("chain", f"the journal itself has a gap between seq {span.first_seq} and "
                             f"{span.last_seq}", device)
    return ("\n".join([row[4] for row in rows]) + "\n").encode("utf-8"), span


# -- back in -----------------------------------------------------------------------------------

def check_ndjson(entries: bytes, device: str, span: Span) -> list[Row]:
    """Every row checked against its own hash, the chain, and ``span``; raise BundleRejected if one fails."""
    if not entries.endswith(b"\n"):
        raise BundleRejected("entries", "the last entry is cut short", device)
    chunks = _chunks(entries, span.first_seq, WORKERS * 2 if span.entries >= PARALLEL_MIN and WORKERS > 1 else 1)
    jobs = [(chunk, seq, device) for seq, chunk in chunks]
    if len(jobs) == 1:
        results = [_check_chunk(jobs[0])]
    else:
        with ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_check_chunk, jobs))
    rows: list[Row] = []
    for result in results:
        if isinstance(result, tuple):
            raise BundleRejected(result[0], result[1], device)
        _link(rows, result, device, span)
        rows += result
    _check_totals(rows, device, span)
    return rows


def _chunks(entries: bytes, first_seq: int, parts: int) -> list[tuple[int, bytes]]:
    """Split at line ends into about ``parts`` pieces, each with the seq its first line should have."""
    chunks, start, seq = [], 0, first_seq
    for i in range(1, parts + 1):
        end = len(entries) if i == parts else entries.find(b"\n", len(entries) * i // parts) + 1
        if end <= start:
            continue
        chunks.append((seq, entries[start:end]))
        seq += entries.count(b"\n", start, end)
        start = end
    return chunks


def _check_chunk(job: tuple[bytes, int, str]) -> list[Row] | tuple[str, str]:
    """Check one piece (in a worker process): the rows, or (check, problem) for the first that fails.

    Returns rather than raises, so nothing depends on pickling an exception between processes."""
    chunk, seq, device = job
    rows: list[Row] = []
    prev: str | None = None
    for line in chunk[:-1].split(b"\n"):
        try:
            row = json.loads(line)
        except ValueError:
            return "entries", f"entry seq {seq} is not readable JSON"
        problem = _row_problem(row, seq, device, prev)
        if problem:
            return problem
        rows.append(Row._make(_VALUES(row)))
        prev, seq = row["hash"], seq + 1
    return rows


def _row_problem(row: Any, seq: int, device: str, prev: str | None) -> tuple[str, str] | None:
    # hash and prev_hash need no format check of their own: they are compared with hashes computed here.
    if not (type(row) is dict and row.keys() == _ROW_KEYS and type(row["seq"]) is int
            and all(type(row[k]) is str for k in _TEXT)
            and all(row[k] is None or type(row[k]) is str for k in _OPTIONAL_TEXT)
            and _UUID.match(row["uuid"]) and row["payload"][:1] == "{"):
        return "entries", f"entry seq {seq} lacks fields a journal entry has, or has others"
    if row["device"] != device:
        return "entries", f"entry seq {seq} belongs to device {row['device']}"
    if row["seq"] != seq:
        return "chain", f"seq {seq} is missing inside the bundle"
    if prev is not None and row["prev_hash"] != prev:
        return "chain", f"seq {seq} does not follow the entry before it"
    if entry_hash(row) != row["hash"]:
        return "entries", f"seq {seq} was changed after it was written (its hash does not match)"
    return None


def _link(done: list[Row], chunk: list[Row], device: str, span: Span) -> None:
    """A chunk's first row must follow the previous chunk's last row (or the span's start)."""
    if not chunk:
        return
    expected = done[-1].hash if done else span.prev_hash
    if chunk[0].prev_hash != expected:
        raise BundleRejected("chain", f"seq {chunk[0].seq} does not follow the entry before it", device)


def _check_totals(rows: list[Row], device: str, span: Span) -> None:
    if len(rows) != span.entries:
        raise BundleRejected("counts", f"the manifest promises {span.entries} entries and the bundle holds "
                             f"{len(rows)}", device)
    if rows[-1].hash != span.head_hash:
        raise BundleRejected("chain", "the last entry is not the chain head the manifest names", device)
    if span.first_seq == 1 and span.prev_hash != GENESIS:
        raise BundleRejected("chain", "the first entry of the journal does not start the chain", device)
    if len({row.uuid for row in rows}) != len(rows):
        raise BundleRejected("entries", "two entries share one uuid", device)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    if counts != span.counts:
        raise BundleRejected("counts", "the entries per kind differ from the counts in the manifest", device)
