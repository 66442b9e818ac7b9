"""The records office's review: the doubtful matches and the import conflicts, decided by a records officer.

The matcher (``sync/match.py``) sends a registration to review rather than guess. The queue lists those
registrations in a stable order (and, to revisit, every decided one), with how many are still to decide.
One item shows the registration beside each candidate the matcher weighed, field by field, marked with
the matcher's own evidence (``sync/compare.py``, kept by ``sync/decisions.py``): the review never compares
again, so the officer sees exactly what made the matcher hesitate.

Every decision is first one journal entry on this PC (``match.decision`` or ``conflict.resolve``) under the
officer's staff ID, then written to the workspace: ``match_decisions`` (source officer, which
``reconcile match`` never replaces) with a line of history, or the conflict's status. Changing one's mind
is a new decision, never an edit.

A conflict is an entry two PCs sent with the same uuid and different content (``sync/workspace.py``). The
copy imported first is held in ``entries``; each later copy waits in ``conflicts``. Resolving one keeps the
held copy or takes a later one: every copy of that uuid is then ``taken`` or ``set_aside``, and the write-back
(``sync/adapters/records.py``) and ``reconcile status`` stop holding the entry back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from downtime.errors import DowntimeError, NotFoundError, PermissionDeniedError
from downtime.kinds.schema import get_kind
from downtime.patient_index import format_abha, normalize_abha, relation_text
from downtime.session import Session
from sync.decisions import OfficerDecision, migrations, officer_history, save_officer_decision
from sync.person import parse_day, person_from
from sync.workspace import Workspace

Outcome = Literal["agree", "partial", "disagree", "missing", "unchecked"]
Scope = Literal["review", "all"]
SCOPES: tuple[Scope, ...] = ("review", "all")

# The rows of the side-by-side comparison, in the order a records officer reads a registration.
ROWS = ("name", "sex", "dob", "phone", "relative", "address", "pincode", "ids")
# Which row each field of the matcher's evidence speaks about ("household" is the cap, not a field).
_ROW_OF_EVIDENCE = {"name": "name", "surname": "name", "initials": "name", "newborn": "name", "twin": "name",
                    "sex": "sex", "dob": "dob", "phone": "phone", "relative": "relative", "address": "address",
                    "pincode": "pincode", "uhid": "ids", "abha": "ids"}
MATCH_DECISION, CONFLICT_RESOLVE = "match.decision", "conflict.resolve"
TAKEN, SET_ASIDE, OPEN = "taken", "set_aside", "open"


def require_reviewer(session: Session) -> None:
    """Only the roles that may journal a match decision (records, admin) may review."""
    roles = get_kind(MATCH_DECISION).roles
    if session.staff.role not in roles:
        raise PermissionDeniedError(f"{session.staff.staff_id} is logged in as {session.staff.role or 'no role'}; "
                                    f"deciding matches needs one of: {', '.join(roles)}. Ask a records officer")


# -- what the queue shows -------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueItem:
    entry_uuid: str
    downtime_id: str | None
    name: str
    decision: str               # as it stands: matched | new | review
    uhid: str | None
    source: str                 # matcher | officer

    @property
    def left(self) -> bool:
        """Still to decide: nobody has said who this patient is."""
        return self.decision == "review"


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    left: int                   # registrations still in review
    total: int                  # registrations the matcher sent to review, or still in it

    def progress(self) -> str:
        return f"{self.left:,} of {self.total:,} left"

    def replaced(self, item: QueueItem, left: int, total: int) -> Queue:
        """The same queue with one item as it stands after a decision (re-reading 50,000 rows takes a second)."""
        return Queue([item if i.entry_uuid == item.entry_uuid else i for i in self.items], left, total)

    def next_left(self, after: str | None) -> QueueItem | None:
        """The next item still to decide after the one with entry uuid ``after``, wrapping round."""
        uuids = [i.entry_uuid for i in self.items]
        start = uuids.index(after) + 1 if after in uuids else 0
        for item in self.items[start:] + self.items[:start]:
            if item.left:
                return item
        return None


@dataclass(frozen=True)
class Cell:
    """One field of one side: its value as written, and (candidates only) how it compares."""

    text: str
    outcome: Outcome | None = None      # None for the registration's own column
    notes: tuple[str, ...] = ()         # the matcher's sentences about this field


@dataclass(frozen=True)
class CandidateView:
    number: int                 # 1-based, as the officer picks it (keys 1-9)
    uhid: str
    score: float                # the matcher's probability that this record is the patient
    blockers: tuple[str, ...]   # why the matcher would not link it by itself
    cells: dict[str, Cell]
    suggested: bool             # what "accept" links
    chosen: bool                # the registration is linked to it now
    rejected: bool              # an officer said it is not this patient (and has not changed their mind)
    known: bool                 # its MPI fields were kept (false: matched before the fields were kept)


@dataclass(frozen=True)
class ItemView:
    entry_uuid: str
    downtime_id: str | None
    registration: dict[str, Cell]
    candidates: tuple[CandidateView, ...]
    matcher_decision: str | None  # None: matched before the matcher's view was kept; run the matcher again
    matcher_reason: str
    decision: str
    uhid: str | None
    source: str
    history: tuple[OfficerDecision, ...]
    same_as: tuple[str, ...]        # registrations of the same patient on other PCs
    maybe_same_as: tuple[str, ...]

    @property
    def suggested(self) -> CandidateView | None:
        return next((c for c in self.candidates if c.suggested), None)

    def candidate(self, uhid: str) -> CandidateView:
        found = next((c for c in self.candidates if c.uhid.upper() == uhid.strip().upper()), None)
        if found is None:
            shown = ", ".join(c.uhid for c in self.candidates) or "none"
            raise NotFoundError(f"{uhid} is not a candidate for {self.downtime_id or self.entry_uuid} "
                                f"(candidates: {shown}); pick one of them, or mark the patient new")
        return found


# -- what a conflict shows ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Copy:
    device: str
    seq: int
    hash: str
    kind: str
    staff: str
    recorded_at: str
    clinical_at: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class FieldPair:
    """One field of both copies; ``meta`` rows say where and when each copy was recorded."""

    name: str
    held: str
    new: str
    meta: bool = False
    label_en: str = ""
    label_hi: str = ""

    @property
    def same(self) -> bool:
        return self.held == self.new


@dataclass(frozen=True)
class ConflictView:
    uuid: str
    held: Copy
    new: Copy
    status: str                 # open | taken (the later copy counts) | set_aside
    found_at: str
    fields: tuple[FieldPair, ...]

    @property
    def same_content(self) -> bool:
        """Only where and when it was recorded differ: the same record copied to another PC."""
        return all(f.same for f in self.fields if not f.meta)


@dataclass(frozen=True)
class ConflictResolution:
    uuid: str
    keep: Literal["held", "new"]
    kept: Copy
    journal_uuid: str
    decided_by: str


# -- the review -----------------------------------------------------------------------------------------

_QUEUE_SELECT = ("SELECT d.entry_uuid, d.downtime_id, coalesce(json_extract(s.registration, '$.name'), ''), "
                 "d.decision, d.uhid, d.source FROM match_decisions d LEFT JOIN match_suggestions s USING (entry_uuid)")
_IN_REVIEW = "(s.decision = 'review' OR d.decision = 'review')"


class Review:
    """One records officer reviewing: the office workspace, and the officer's session on this PC."""

    def __init__(self, ws: Workspace, session: Session):
        require_reviewer(session)
        self.ws = ws
        self.session = session
        migrations.apply(ws.db)

    # -- the queue ----------------------------------------------------------------------------------

    def queue(self, scope: Scope = "review") -> Queue:
        """Registrations to review (or, with scope "all", every decided one), ordered by downtime ID."""
        if scope not in SCOPES:
            raise DowntimeError(f"scope must be one of {', '.join(SCOPES)}")
        rows = self.ws.db.execute(
            f"{_QUEUE_SELECT} {'' if scope == 'all' else 'WHERE ' + _IN_REVIEW} "
            "ORDER BY d.downtime_id IS NULL, d.downtime_id, d.entry_uuid").fetchall()
        return Queue([QueueItem(*row) for row in rows], *self.progress())

    def queue_item(self, entry_uuid: str) -> QueueItem:
        """One queue line as it stands now."""
        row = self.ws.db.execute(f"{_QUEUE_SELECT} WHERE d.entry_uuid = ?", [entry_uuid]).fetchone()
        if row is None:
            raise NotFoundError(f"registration {entry_uuid} has no match decision: run 'reconcile match' first")
        return QueueItem(*row)

    def progress(self) -> tuple[int, int]:
        """(still to decide, sent to review): the registrations the matcher or an officer left in review."""
        left, total = self.ws.db.execute(
            "SELECT count(*) FILTER (WHERE d.decision = 'review'), count(*) FROM match_decisions d "
            f"LEFT JOIN match_suggestions s USING (entry_uuid) WHERE {_IN_REVIEW}").fetchone()
        return int(left), int(total)

    def item(self, entry_uuid: str) -> ItemView:
        """One registration beside each candidate, field by field, with its decision and history."""
        current = self.ws.db.execute(
            "SELECT downtime_id, decision, uhid, source FROM match_decisions WHERE entry_uuid = ?",
            [entry_uuid]).fetchone()
        if current is None:
            raise NotFoundError(f"registration {entry_uuid} has no match decision: run 'reconcile match' first")
        downtime_id, decision, uhid, source = current
        suggestion = self.ws.db.execute(
            "SELECT decision, reason, registration, same_as, maybe_same_as FROM match_suggestions "
            "WHERE entry_uuid = ?", [entry_uuid]).fetchone()
        matcher_decision, reason, registration, same_as, maybe = suggestion or (None, "", "{}", "[]", "[]")
        reg = json.loads(registration)
        history = tuple(officer_history(self.ws, entry_uuid))
        rejected = _rejected(history)
        rows = self.ws.db.execute(
            "SELECT rank, uhid, score, evidence, blockers, record FROM match_candidates WHERE entry_uuid = ? "
            "ORDER BY rank", [entry_uuid]).fetchall()
        linked = uhid.upper() if decision == "matched" and uhid else None
        suggest = _suggestion([r[1] for r in rows], linked, rejected,
                              offer=decision != "new" or matcher_decision not in (None, "new"))
        candidates = tuple(
            CandidateView(rank, cand, score, tuple(json.loads(blockers)),
                          candidate_cells(reg, json.loads(record) if record else {"uhid": cand}, json.loads(evidence)),
                          suggested=cand == suggest, chosen=cand.upper() == linked,
                          rejected=cand.upper() in rejected, known=record is not None)
            for rank, cand, score, evidence, blockers, record in rows)
        return ItemView(entry_uuid, downtime_id, registration_cells(reg), candidates, matcher_decision, reason,
                        decision, uhid, source, history, tuple(json.loads(same_as)), tuple(json.loads(maybe)))

    # -- deciding a match ---------------------------------------------------------------------------

    def accept(self, entry_uuid: str, reason: str = "") -> OfficerDecision:
        """Link the registration to the suggested candidate."""
        item = self.item(entry_uuid)
        if item.suggested is None:
            raise DowntimeError(f"no candidate is suggested for {_name(item)}: pick one (1-9), or mark the "
                                "patient new")
        return self._decide(item, "accept", "matched", item.suggested, reason)

    def pick(self, entry_uuid: str, uhid: str, reason: str = "") -> OfficerDecision:
        """Link the registration to another of its candidates."""
        item = self.item(entry_uuid)
        return self._decide(item, "pick", "matched", item.candidate(uhid), reason)

    def reject(self, entry_uuid: str, uhid: str, reason: str) -> OfficerDecision:
        """Say that a candidate is not this patient; the registration stays in review until someone decides."""
        item = self.item(entry_uuid)
        candidate = item.candidate(uhid)
        if not reason.strip():
            raise DowntimeError(f"write why {candidate.uhid} is not this patient (the reason), then reject again")
        return self._decide(item, "reject", "rejected", candidate, reason)

    def mark_new(self, entry_uuid: str, reason: str = "") -> OfficerDecision:
        """Say that the patient is not in the HMIS: a new UHID will be created at write-back."""
        return self._decide(self.item(entry_uuid), "new", "new", None, reason)

    def _decide(self, item: ItemView, action: str, decision: str, candidate: CandidateView | None,
                reason: str) -> OfficerDecision:
        reason = reason.strip()
        payload: dict[str, Any] = {"target": item.downtime_id or item.entry_uuid, "decision": decision}
        if decision == "matched" and candidate is not None:
            payload["uhid"] = candidate.uhid
        if candidate is not None:
            payload["candidate"] = candidate.uhid
        if reason:
            payload["reason"] = reason
        entry = self.session.record(MATCH_DECISION, payload)  # the journal first: it is the source of truth
        decided = OfficerDecision(entry.uuid, item.entry_uuid, item.downtime_id, action, decision,
                                  payload.get("uhid"), payload.get("candidate"), reason, entry.staff,
                                  entry.recorded_at)
        score, evidence = self._candidate_evidence(item.entry_uuid, candidate) if decision == "matched" else (0.0, "[]")
        save_officer_decision(self.ws, decided, score=score, evidence=evidence)
        return decided

    def _candidate_evidence(self, entry_uuid: str, candidate: CandidateView | None) -> tuple[float, str]:
        row = self.ws.db.execute("SELECT score, evidence FROM match_candidates WHERE entry_uuid = ? AND uhid = ?",
                                 [entry_uuid, candidate.uhid if candidate else ""]).fetchone()
        return (float(row[0]), str(row[1])) if row else (0.0, "[]")

    # -- conflicts ----------------------------------------------------------------------------------

    def conflicts(self, *, resolved: bool = False) -> list[ConflictView]:
        """Import conflicts, oldest found first: the open ones (and, with ``resolved``, those decided)."""
        where = "" if resolved else "WHERE c.status = 'open'"
        rows = self.ws.db.execute(
            "SELECT c.uuid, c.row, c.status, c.found_at, e.device, e.seq, e.hash, e.kind, e.staff, e.recorded_at, "
            "e.clinical_at, e.payload FROM conflicts c JOIN entries e ON e.uuid = c.uuid "
            f"{where} ORDER BY c.found_at, c.device, c.seq").fetchall()
        return [_conflict_view(*row) for row in rows]

    def conflict(self, uuid: str, new_hash: str) -> ConflictView:
        found = [c for c in self.conflicts(resolved=True) if c.uuid == uuid and c.new.hash == new_hash]
        if not found:
            raise NotFoundError(f"no import conflict for entry {uuid} with a copy {new_hash[:12]}; "
                                "list them again, another officer may have resolved it")
        return found[0]

    def resolve_conflict(self, uuid: str, new_hash: str, keep: Literal["held", "new"],
                         reason: str = "") -> ConflictResolution:
        """Keep the copy already held, or take the later copy ``new_hash``; every other copy is set aside."""
        if keep not in ("held", "new"):
            raise DowntimeError("keep must be 'held' (the copy already imported) or 'new' (the later copy)")
        conflict = self.conflict(uuid, new_hash)
        kept = conflict.held if keep == "held" else conflict.new
        payload: dict[str, Any] = {"entry": uuid, "keep": keep, "kept_hash": kept.hash, "kept_device": kept.device}
        if reason.strip():
            payload["reason"] = reason.strip()
        entry = self.session.record(CONFLICT_RESOLVE, payload)
        taken = new_hash if keep == "new" else None
        with self.ws.db.atomic():
            self.ws.db.execute("UPDATE conflicts SET status = CASE WHEN hash = ? THEN ? ELSE ? END WHERE uuid = ?",
                               [taken, TAKEN, SET_ASIDE, uuid])
        return ConflictResolution(uuid, keep, kept, entry.uuid, entry.staff)


# -- the side-by-side cells -------------------------------------------------------------------------------

def registration_cells(reg: Mapping[str, Any]) -> dict[str, Cell]:
    """The registration's column: each row's value as the ward wrote it."""
    age = reg.get("age_years")
    if reg.get("dob"):
        birth = str(reg["dob"])
    elif age not in (None, ""):
        day = str(reg.get("recorded_at") or "")[:10]
        birth = f"{age} y" + (f" ({day})" if day else "")
    else:
        birth = ""
    return {
        "name": Cell(str(reg.get("name") or "")),
        "sex": Cell(str(reg.get("sex") or "")),
        "dob": Cell(birth),
        "phone": Cell(str(reg.get("phone") or "")),
        "relative": Cell(relation_text(reg.get("relation_type"), reg.get("relative")) or ""),
        "address": Cell(str(reg.get("address") or "")),
        "pincode": Cell(str(reg.get("pincode") or "")),
        "ids": Cell(_ids_text(reg.get("uhid"), reg.get("abha"))),
    }


def candidate_cells(reg: Mapping[str, Any], record: Mapping[str, Any],
                    evidence: Sequence[Mapping[str, Any]]) -> dict[str, Cell]:
    """A candidate's column: each row's value, marked with what the matcher's evidence says about it."""
    texts = {"name": str(record.get("name") or ""), "sex": str(record.get("sex") or ""),
             "dob": _record_birth(record, reg), "phone": str(record.get("phone") or ""),
             "relative": relation_text(record.get("relation_type"), record.get("relative")) or "",
             "address": str(record.get("address") or ""), "pincode": str(record.get("pincode") or ""),
             "ids": _ids_text(record.get("uhid"), record.get("abha"))}
    said: dict[str, list[Mapping[str, Any]]] = {row: [] for row in ROWS}
    for item in evidence:
        row = _ROW_OF_EVIDENCE.get(str(item.get("field")))
        if row:
            said[row].append(item)
    mine = registration_cells(reg)
    cells = {}
    for row in ROWS:
        notes = tuple(str(e.get("text") or "") for e in said[row])
        outcome = _outcome([str(e.get("outcome")) for e in said[row]])
        if row == "ids" and not said[row]:
            outcome = _identifier_outcome(reg, record)
        elif outcome is None:
            # The matcher stops early for another given name and another age: the rest was not compared.
            outcome = "missing" if not (texts[row] and mine[row].text) else "unchecked"
        cells[row] = Cell(texts[row], outcome, notes)
    return cells


def _outcome(outcomes: Iterable[str]) -> Outcome | None:
    """One mark for a row from its evidence: all agree, all differ, some of each (partly), or nothing given."""
    seen = {o for o in outcomes if o != "missing"}
    if not seen:
        return "missing" if outcomes else None
    if seen == {"agree"}:
        return "agree"
    if seen == {"disagree"}:
        return "disagree"
    return "partial"


def _identifier_outcome(reg: Mapping[str, Any], record: Mapping[str, Any]) -> Outcome:
    """A UHID or ABHA on both sides: the same identifier or not, as the matcher looks them up."""
    pairs = [(str(reg.get("uhid") or "").strip().upper(), str(record.get("uhid") or "").strip().upper()),
             (normalize_abha(reg.get("abha")) or "", normalize_abha(record.get("abha")) or "")]
    compared = [a == b for a, b in pairs if a and b]
    if not compared:
        return "missing"
    return "agree" if all(compared) else "disagree"


def _record_birth(record: Mapping[str, Any], reg: Mapping[str, Any]) -> str:
    """The MPI's dob, with the age it gives on the day the registration was made (what was compared)."""
    dob = str(record.get("dob") or "")
    day = parse_day(reg.get("recorded_at")) or dt.date.today()
    age = person_from(record).age_on(day) if dob else None
    return f"{dob} ({age} y)" if age is not None else dob


def _ids_text(uhid: Any, abha: Any) -> str:
    parts = [f"UHID {uhid}"] if uhid else []
    if abha:
        parts.append(f"ABHA {format_abha(normalize_abha(abha)) or abha}")
    return " · ".join(parts)


def _rejected(history: Sequence[OfficerDecision]) -> set[str]:
    """Candidates whose latest mention by an officer is a rejection."""
    latest: dict[str, str] = {}
    for decision in history:
        if decision.candidate:
            latest[decision.candidate.upper()] = decision.decision
    return {uhid for uhid, decision in latest.items() if decision == "rejected"}


def _suggestion(uhids: Sequence[str], linked: str | None, rejected: set[str], *, offer: bool) -> str | None:
    """What "accept" links: the record linked now, else the best candidate not rejected (none for a
    registration the matcher itself called new: nothing was suggested)."""
    if linked:
        return next((u for u in uhids if u.upper() == linked), None)
    if not offer:
        return None
    return next((u for u in uhids if u.upper() not in rejected), None)


def _name(item: ItemView) -> str:
    return item.registration["name"].text or item.downtime_id or item.entry_uuid


# -- conflicts --------------------------------------------------------------------------------------------

_META = ("kind", "device", "seq", "staff", "recorded_at", "clinical_at")


def _conflict_view(uuid: str, row: str, status: str, found_at: str, device: str, seq: int, hash_: str, kind: str,
                   staff: str, recorded_at: str, clinical_at: str | None, payload: str) -> ConflictView:
    held = Copy(device, seq, hash_, kind, staff, recorded_at, clinical_at, json.loads(payload))
    other = json.loads(row)
    new = Copy(other["device"], int(other["seq"]), other["hash"], other["kind"], other["staff"],
               other["recorded_at"], other.get("clinical_at"), json.loads(other["payload"]))
    pairs = [FieldPair(name, _shown(getattr(held, name)), _shown(getattr(new, name)), meta=True) for name in _META]
    pairs += _payload_pairs(held, new)
    return ConflictView(uuid, held, new, status, found_at, tuple(pairs))


def _payload_pairs(held: Copy, new: Copy) -> list[FieldPair]:
    """The fields of both copies in the order of the kind's schema, then any the schema does not name."""
    try:
        kind = get_kind(held.kind)
        schema = {f.name: f for f in kind.fields}
    except DowntimeError:
        schema = {}
    names = [n for n in schema if n in held.payload or n in new.payload]
    names += sorted((set(held.payload) | set(new.payload)) - set(names))
    return [FieldPair(n, _shown(held.payload.get(n)), _shown(new.payload.get(n)),
                      label_en=schema[n].label_en if n in schema else n,
                      label_hi=schema[n].label_hi if n in schema else n) for n in names]


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
