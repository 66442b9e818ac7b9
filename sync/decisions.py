"""The records office's match decisions, kept in the workspace (``match_decisions``).

One row per registration (a ``patient.register``, or a newborn's ``birth.report``): matched to a UHID, new,
or review, with the score and the per-field evidence behind it. ``source`` says who decided: the matcher
(``reconcile match``) or a records officer at review. Running the matcher again replaces its own decisions
but never an officer's.

Beside the decisions, so that the review queue works weeks later without loading the MPI again:

    match_suggestions   what the matcher decided for each registration and why, and the registration's
                        fields exactly as it compared them (refreshed on every run, officer-decided or not)
    match_candidates    the MPI records it weighed (best first), with their fields and per-field evidence
    officer_decisions   every decision a records officer made at review, each with the journal entry that
                        records it; append-only, like the journal, so a revisited decision adds a row
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from sync.adapters.records import PATIENT_KINDS, Decision, live_records, patient_row
from sync.match import Candidate, Evidence, MatchDecision
from sync.mpi import MpiIndex
from sync.workspace import Workspace

migrations = Migrations("downtime.match_decisions")
CROSSWALK_COLUMNS = ("downtime_id", "entry_uuid", "external_ref", "decision", "uhid", "score")
MATCHER, OFFICER = "matcher", "officer"
# The registration fields kept with a suggestion: what the matcher compared, and what the queue shows.
REGISTRATION_FIELDS = ("downtime_id", "name", "sex", "dob", "age_years", "phone", "relative", "relation_type",
                       "address", "pincode", "uhid", "abha", "recorded_at")


@migrations()
def m001_match_decisions(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE match_decisions (
            entry_uuid TEXT PRIMARY KEY, downtime_id TEXT, decision TEXT NOT NULL, uhid TEXT, score REAL NOT NULL,
            evidence TEXT NOT NULL, decided_at TEXT NOT NULL, decided_by TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('matcher', 'officer')),
            CHECK (decision IN ('matched', 'new', 'review')))""")


@migrations()
def m002_review(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE match_suggestions (
            entry_uuid TEXT PRIMARY KEY, downtime_id TEXT, decision TEXT NOT NULL, uhid TEXT, score REAL NOT NULL,
            reason TEXT NOT NULL, registration TEXT NOT NULL, same_as TEXT NOT NULL, maybe_same_as TEXT NOT NULL,
            matched_at TEXT NOT NULL)""")
    db.execute("""
        CREATE TABLE match_candidates (
            entry_uuid TEXT NOT NULL, rank INTEGER NOT NULL, uhid TEXT NOT NULL, score REAL NOT NULL,
            evidence TEXT NOT NULL, blockers TEXT NOT NULL, record TEXT,
            PRIMARY KEY (entry_uuid, rank))""")
    db.execute("""
        CREATE TABLE officer_decisions (
            journal_uuid TEXT PRIMARY KEY, entry_uuid TEXT NOT NULL, downtime_id TEXT, action TEXT NOT NULL,
            decision TEXT NOT NULL, uhid TEXT, candidate TEXT, reason TEXT NOT NULL, decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            CHECK (action IN ('accept', 'reject', 'pick', 'new')))""")
    db.execute("CREATE INDEX officer_decisions_entry ON officer_decisions(entry_uuid)")
    # An officer's decision is evidence of who decided what: a change of mind is a new row, never an edit.
    db.execute("""CREATE TRIGGER officer_decisions_no_update BEFORE UPDATE ON officer_decisions
                  BEGIN SELECT RAISE(ABORT, 'officer decisions cannot be changed: record a new one'); END""")
    db.execute("""CREATE TRIGGER officer_decisions_no_delete BEFORE DELETE ON officer_decisions
                  BEGIN SELECT RAISE(ABORT, 'officer decisions cannot be deleted: record a new one'); END""")


@dataclass(frozen=True)
class OfficerDecision:
    """One decision a records officer made at review, as journaled in ``journal_uuid``."""

    journal_uuid: str
    entry_uuid: str
    downtime_id: str | None
    action: str                 # accept | reject | pick | new
    decision: str               # matched | new | rejected (as the match.decision entry says)
    uhid: str | None            # the UHID linked (matched only)
    candidate: str | None       # the candidate looked at (accepted, picked or rejected)
    reason: str
    decided_by: str             # the officer's staff ID
    decided_at: str


def registrations(ws: Workspace) -> list[dict[str, Any]]:
    """The registrations to match, as they stand (corrections applied, voided and conflicted ones left out)."""
    return [{**patient_row(r), "entry_uuid": r.uuid, "recorded_at": r.original.recorded_at}
            for r in live_records(ws) if r.kind in PATIENT_KINDS]


_read_registrations = registrations  # save_decisions takes a parameter of that name


def save_decisions(ws: Workspace, decisions: Iterable[MatchDecision], *, decided_by: str = MATCHER,
                   source: str = MATCHER, mpi: MpiIndex | None = None,
                   registrations: Iterable[Mapping[str, Any]] | None = None) -> int:
    """Store decisions; a matcher decision never replaces an officer's. Returns how many were stored.

    The matcher's view of every registration (its suggestion, the candidates with their MPI fields from
    ``mpi``, and the registration as compared: ``registrations``, read again if not given) is kept for the
    review queue, officer-decided or not: an officer revisiting a decision sees what the latest run found.
    """
    migrations.apply(ws.db)
    decisions = list(decisions)
    officer = {u for (u,) in ws.db.execute("SELECT entry_uuid FROM match_decisions WHERE source = ?", [OFFICER])}
    now = _now()
    rows = [[d.entry_uuid, d.downtime_id, d.decision, d.uhid, d.score, _evidence_json(d.evidence), now, decided_by,
             source] for d in decisions if source == OFFICER or d.entry_uuid not in officer]
    with ws.db.atomic():
        ws.db.conn.executemany(
            "INSERT OR REPLACE INTO match_decisions (entry_uuid, downtime_id, decision, uhid, score, evidence, "
            "decided_at, decided_by, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        if source == MATCHER:
            compared = _read_registrations(ws) if registrations is None else registrations
            _save_suggestions(ws, decisions, mpi, {str(r.get("entry_uuid")): r for r in compared}, now)
    return len(rows)


def _save_suggestions(ws: Workspace, decisions: list[MatchDecision], mpi: MpiIndex | None,
                      registrations: Mapping[str, Mapping[str, Any]], now: str) -> None:
    ws.db.conn.executemany(
        "INSERT OR REPLACE INTO match_suggestions (entry_uuid, downtime_id, decision, uhid, score, reason, "
        "registration, same_as, maybe_same_as, matched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ([d.entry_uuid, d.downtime_id, d.decision, d.uhid, d.score, d.reason,
          json.dumps(_registration_fields(registrations.get(d.entry_uuid, {})), ensure_ascii=False),
          json.dumps(d.same_as), json.dumps(d.maybe_same_as), now] for d in decisions))
    entries = [[d.entry_uuid] for d in decisions]
    ws.db.conn.executemany("DELETE FROM match_candidates WHERE entry_uuid = ?", entries)
    ws.db.conn.executemany(
        "INSERT INTO match_candidates (entry_uuid, rank, uhid, score, evidence, blockers, record) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        ([d.entry_uuid, rank, c.uhid, c.score, _evidence_json(c.evidence), json.dumps(c.blockers, ensure_ascii=False),
          _record_json(mpi, c)] for d in decisions for rank, c in enumerate(d.candidates, 1)))


def _registration_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: row.get(name) for name in REGISTRATION_FIELDS if row.get(name) not in (None, "")}


def _record_json(mpi: MpiIndex | None, candidate: Candidate) -> str | None:
    rid = mpi.find_uhid(candidate.uhid) if mpi is not None else None
    if mpi is None or rid is None:
        return None
    record = {k: v for k, v in mpi.record(rid).as_row().items() if v not in (None, "")}
    return json.dumps(record, ensure_ascii=False)


def save_officer_decision(ws: Workspace, decision: OfficerDecision, *, score: float = 0.0,
                          evidence: str = "[]") -> None:
    """Store what an officer decided (already journaled as ``decision.journal_uuid``): the registration's
    decision from now on, which ``reconcile match`` will not replace, and one more line of its history.

    A rejected candidate leaves the registration in review: someone must still say who the patient is.
    """
    migrations.apply(ws.db)
    outcome = {"matched": "matched", "new": "new"}.get(decision.decision, "review")
    with ws.db.atomic():
        ws.db.execute(
            "INSERT OR REPLACE INTO match_decisions (entry_uuid, downtime_id, decision, uhid, score, evidence, "
            "decided_at, decided_by, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [decision.entry_uuid, decision.downtime_id, outcome, decision.uhid if outcome == "matched" else None,
             score, evidence, decision.decided_at, decision.decided_by, OFFICER])
        ws.db.table("officer_decisions").insert(dataclasses.asdict(decision))


def officer_history(ws: Workspace, entry_uuid: str) -> list[OfficerDecision]:
    """The officers' decisions on one registration, oldest first."""
    migrations.apply(ws.db)
    fields = [f.name for f in dataclasses.fields(OfficerDecision)]
    return [OfficerDecision(*row) for row in ws.db.execute(
        f"SELECT {', '.join(fields)} FROM officer_decisions WHERE entry_uuid = ? ORDER BY decided_at, rowid",
        [entry_uuid])]


def load_decisions(ws: Workspace) -> dict[str, Decision]:
    """``{downtime_id: (decision, uhid)}``, as the write-back adapters take it (entry uuid if no downtime ID)."""
    migrations.apply(ws.db)
    return {(d or u): (decision, uhid) for u, d, decision, uhid in ws.db.execute(
        "SELECT entry_uuid, downtime_id, decision, uhid FROM match_decisions ORDER BY entry_uuid")}


def crosswalk_rows(ws: Workspace) -> list[dict[str, Any]]:
    """One row per decided registration: its downtime ID, entry, CSV row reference (if imported), decision."""
    migrations.apply(ws.db)
    return [dict(zip(CROSSWALK_COLUMNS, row, strict=True)) for row in ws.db.execute(
        "SELECT m.downtime_id, m.entry_uuid, x.external_ref, m.decision, m.uhid, round(m.score, 4) "
        "FROM match_decisions m LEFT JOIN external_refs x ON x.entry_uuid = m.entry_uuid "
        "ORDER BY m.downtime_id, m.entry_uuid")]


_JSON = json.JSONEncoder(ensure_ascii=False)


def _evidence_json(evidence: Iterable[Evidence]) -> str:
    # Evidence's own fields, not dataclasses.asdict: its deep copy made storing 50,000 decisions take a minute.
    return _JSON.encode([e.__dict__ for e in evidence])


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
