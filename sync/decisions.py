"""The records office's match decisions, kept in the workspace (``match_decisions``).

One row per registration (a ``patient.register``, or a newborn's ``birth.report``): matched to a UHID, new,
or review, with the score and the per-field evidence behind it. ``source`` says who decided: the matcher
(``reconcile match``) or a records officer at review. Running the matcher again replaces its own decisions
but never an officer's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from sync.adapters.records import PATIENT_KINDS, Decision, live_records, patient_row
from sync.match import MatchDecision
from sync.workspace import Workspace

migrations = Migrations("downtime.match_decisions")
CROSSWALK_COLUMNS = ("downtime_id", "entry_uuid", "external_ref", "decision", "uhid", "score")
MATCHER, OFFICER = "matcher", "officer"


@migrations()
def m001_match_decisions(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE match_decisions (
            entry_uuid TEXT PRIMARY KEY, downtime_id TEXT, decision TEXT NOT NULL, uhid TEXT, score REAL NOT NULL,
            evidence TEXT NOT NULL, decided_at TEXT NOT NULL, decided_by TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('matcher', 'officer')),
            CHECK (decision IN ('matched', 'new', 'review')))""")


def registrations(ws: Workspace) -> list[dict[str, Any]]:
    """The registrations to match, as they stand (corrections applied, voided and conflicted ones left out)."""
    return [{**patient_row(r), "entry_uuid": r.uuid, "recorded_at": r.original.recorded_at}
            for r in live_records(ws) if r.kind in PATIENT_KINDS]


def save_decisions(ws: Workspace, decisions: Iterable[MatchDecision], *, decided_by: str = MATCHER,
                   source: str = MATCHER) -> int:
    """Store decisions; a matcher decision never replaces an officer's. Returns how many were stored."""
    migrations.apply(ws.db)
    officer = {u for (u,) in ws.db.execute("SELECT entry_uuid FROM match_decisions WHERE source = ?", [OFFICER])}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows = [[d.entry_uuid, d.downtime_id, d.decision, d.uhid, d.score,
             json.dumps([dataclasses.asdict(e) for e in d.evidence], ensure_ascii=False), now, decided_by, source]
            for d in decisions if source == OFFICER or d.entry_uuid not in officer]
    with ws.db.atomic():
        ws.db.conn.executemany(
            "INSERT OR REPLACE INTO match_decisions (entry_uuid, downtime_id, decision, uhid, score, evidence, "
            "decided_at, decided_by, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


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
