"""The workspace's entries as current records, grouped by patient: what the write-back adapters send.

The workspace holds every entry exactly as a ward journaled it. The HMIS must get the records as they
stand now, so:

* a correction (``entry.correct``) replaces the fields of the record it supersedes; when a record was
  corrected more than once, the latest correction wins (by the wall-clock time it was recorded, then
  device and seq, so the order is the same on every run);
* a void (``entry.void``) removes the record: voided records are never sent. A void wins over a
  correction made on another PC, because someone said the record was made in error;
* a record with an open import conflict (two PCs sent the same entry uuid with different content) is
  held until the conflict is resolved at review: which copy is right is a person's decision. Once
  resolved, the copy the officer took is the one sent;
* records are grouped by patient. A patient is a registration (``patient.register``, or a newborn's
  ``birth.report``) named by its downtime ID, or a UHID typed during the outage for a patient already
  in the HMIS. The records office's decision for each downtime ID (from matching and review) says
  whether it is an HMIS patient (matched, with the UHID) or a new one. Undecided, doubtful (review) or
  voided patients are held back with a reason, never guessed.

A blank-pack form keyed in later carries the ID printed on the paper (``external_refs.downtime_id``)
while its entry got a new ID at the records office: both name the same record, so both resolve here.

Nothing here writes: ``current_records`` is a pure function of the workspace and the decisions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from downtime import projections
from downtime.ids import looks_like_id
from downtime.ids import validate as valid_id
from downtime.kinds.schema import get_kind
from sync.workspace import Workspace

# The matcher's outcome for one downtime ID: ("matched", "UHID"), ("new", None) or ("review", None).
Decision = tuple[str, str | None]
Decisions = Mapping[str, Decision]
GroupDecision = Literal["matched", "new", "none"]
T = TypeVar("T")

PATIENT_KINDS = frozenset({"patient.register", "birth.report"})  # entries that create a patient
# The hospital's records (not system entries such as logins), as in downtime.projections.RECORD_KINDS.
RECORD_KINDS = frozenset({
    "patient.register", "encounter.admit", "encounter.transfer", "encounter.discharge", "encounter.death",
    "lab.request", "lab.result", "birth.report", "death.report", "stillbirth.report", "mccd", "note",
})
ADMISSION_EVENTS = frozenset({"encounter.transfer", "encounter.discharge", "encounter.death"})
STATUTORY_REPORTS = frozenset({"birth.report", "death.report", "stillbirth.report", "mccd"})
SUPERSEDING = frozenset({"entry.correct", "entry.void"})


def system(site: str, what: str) -> str:
    """The identifier system of downtime IDs of one sort (patient, admission, accession, entry) at a site."""
    return f"urn:downtime:{site}:{what}"


@dataclass(frozen=True)
class Version:
    """One journaled version of a record: the original entry, or a correction of it."""

    uuid: str
    device: str
    seq: int
    staff: str
    recorded_at: str
    fields: dict[str, Any]
    reason: str | None = None  # why it was corrected (None for the original)

    @property
    def order(self) -> tuple[str, int]:
        # A record is corrected only on the PC whose journal holds it, so that PC's sequence says which
        # correction came last; its clock may have been days wrong when it stamped recorded_at.
        return (self.device, self.seq)


@dataclass(frozen=True)
class Record:
    """A record as it stands: its original entry's identity and its winning version's fields."""

    uuid: str                   # the original entry's uuid: the record's identity in every adapter
    kind: str
    human_id: str | None        # the downtime ID it issued (patient ID, IP number, accession), if any
    device: str
    clinical_at: str | None
    versions: tuple[Version, ...]  # the original first, then corrections in the order they win

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def fields(self) -> dict[str, Any]:
        return self.current.fields

    @property
    def corrected(self) -> bool:
        return len(self.versions) > 1

    @property
    def original(self) -> Version:
        return self.versions[0]

    @property
    def utc_offset(self) -> dt.tzinfo:
        """The zone of the PC that recorded it: the clinical times typed there are local times of that zone."""
        return dt.datetime.fromisoformat(self.original.recorded_at).tzinfo or dt.UTC

    def field_time(self, name: str) -> dt.datetime | None:
        """A date/datetime field as an aware datetime in the recording PC's zone (None if blank)."""
        value = self.fields.get(name)
        if not value:
            return None
        parsed = dt.datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.utc_offset)

    @property
    def name(self) -> str:
        """How reports name it: its kind and the ID it issued (else its uuid)."""
        return f"{self.kind} {self.human_id or self.uuid}"

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.clinical_at or self.original.recorded_at, self.original.recorded_at)


@dataclass(frozen=True)
class Held:
    """A record not sent, and why (so the report can account for it)."""

    record: Record
    code: str      # undecided | review | conflict | no_patient | no_registration | not_received | no_request,
                   # or patient_<why> / request_<why> when what it hangs on is voided or in conflict
    reason: str


@dataclass
class PatientGroup:
    """One patient's records, and how the HMIS knows the patient."""

    key: str                         # "uhid:<UHID>", "downtime:<ID>", or "report:<uuid>" for no patient
    decision: GroupDecision          # matched (an HMIS patient), new, or none (a report about a non-patient)
    uhid: str | None
    downtime_ids: list[str]          # the registration's ID first, then IDs printed on its paper forms
    registration: Record | None      # the entry that created the patient (new patients always have one)
    records: list[Record] = field(default_factory=list)  # everything else, in clinical order
    _admissions: dict[str, Record] = field(default_factory=dict, repr=False)

    @property
    def all_records(self) -> list[Record]:
        """The registration (if any) and then the other records: what a patient's bundle is made of."""
        return [*_optional(self.registration), *self.records]

    def admission_for(self, record: Record, refs: Mapping[str, str]) -> Record | None:
        """The downtime admission an admission event or lab request belongs to, or None.

        An explicit IP number (or uuid) wins. An HMIS IP number means an admission from before the outage,
        which is not in the workspace. Otherwise: the patient's latest downtime admission at or before it."""
        if record.kind not in ADMISSION_EVENTS and record.kind != "lab.request":
            return None
        ref = str(record.fields.get("admission") or "")
        if ref.strip():
            return self._admissions.get(resolve(refs, ref) or "")
        if record.fields.get("hmis_ip_number"):
            return None
        earlier = [a for a in self._admissions.values() if a.sort_key <= record.sort_key]
        return max(earlier, key=lambda a: a.sort_key) if earlier else None


@dataclass
class CurrentRecords:
    site: str
    groups: list[PatientGroup]
    held: list[Held]
    voided: list[Record]
    refs: dict[str, str]  # every downtime ID and entry uuid a record can be named by -> its record's uuid
    _by_uuid: dict[str, Record] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_uuid = {r.uuid: r for g in self.groups for r in g.all_records}

    def admission_for(self, group: PatientGroup, record: Record) -> Record | None:
        return group.admission_for(record, self.refs)

    def request_for(self, result: Record) -> Record | None:
        return self._by_uuid.get(resolve(self.refs, str(result.fields.get("accession") or "")) or "")


def current_records(ws: Workspace, decisions: Decisions) -> CurrentRecords:
    """Every record in the workspace as it stands, grouped by patient, with what is held back and why."""
    records, voided, held = _fold_versions(_read_entries(ws))
    unavailable = {r.uuid: ("voided", "was voided") for r in voided}
    for record in _in_conflict(ws, records):
        del records[record.uuid]
        held.append(Held(record, "conflict", "two PCs sent different copies of this entry: resolve the conflict "
                                             "at review first"))
        unavailable[record.uuid] = ("conflict", "has conflicting copies to resolve at review")
    paper = _paper_ids(ws)
    every = {**records, **{h.record.uuid: h.record for h in held}, **{r.uuid: r for r in voided}}
    missing = {ref: unavailable[uuid] for ref, uuid in _refs(every, paper).items() if uuid in unavailable}
    return _Grouping(ws.site, records, _refs(records, paper), missing, decisions).run(voided, held)


def live_records(ws: Workspace) -> list[Record]:
    """The records as they stand (corrections applied), without voided ones or those held for an open conflict."""
    records, _, _ = _fold_versions(_read_entries(ws))
    for record in _in_conflict(ws, records):
        del records[record.uuid]
    return sorted(records.values(), key=lambda r: r.sort_key)


def patient_row(record: Record) -> dict[str, Any]:
    """The patient a registration or birth report describes, exactly as the ward PC indexed it (one rule for
    a newborn's name, "B/O <mother> (twin n)", wherever it is shown or sent)."""
    as_patient = projections._newborn_row if record.kind == "birth.report" else projections._patient_row
    return as_patient(record.human_id or "", record.fields)


def lab_order_id(accession: str, test: str) -> str:
    """The order for one test of a sample: named by the test, not its place in the list, so a correction that
    adds, drops or reorders tests leaves every other test's order where it was."""
    name = " ".join(str(test).split()).casefold()
    return f"{accession}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:6].upper()}"


def is_number(value: str) -> bool:
    """A result written as a plain decimal (9.8, -2, 140): sent as a number; anything else (<0.5, Positive) as text."""
    return re.fullmatch(r"[+-]?\d+(\.\d+)?", value.strip()) is not None


def same_test(a: str, b: str) -> bool:
    return " ".join(str(a).split()).casefold() == " ".join(str(b).split()).casefold()


def choice_label(kind: str, name: str, value: Any) -> str:
    """The English label of a choice field's value (as the kind's schema names it), or the value itself."""
    choice = get_kind(kind).field(name).choice(str(value)) if value not in (None, "") else None
    return choice.label_en if choice else str(value or "")


# -- versions ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    uuid: str
    device: str
    seq: int
    kind: str
    human_id: str | None
    payload: dict[str, Any]
    staff: str
    recorded_at: str
    clinical_at: str | None
    supersedes: str | None


def _read_entries(ws: Workspace) -> list[_Entry]:
    """Every record and superseding entry, with the copy an officer took at review in place of the one held."""
    kinds = sorted(RECORD_KINDS | SUPERSEDING)
    marks = ", ".join("?" * len(kinds))
    taken = _taken_copies(ws)
    entries = [_Entry(u, d, s, k, h, json.loads(p), st, r, c, sup) for u, d, s, k, h, p, st, r, c, sup in ws.db.execute(
        "SELECT uuid, device, seq, kind, human_id, payload, staff, recorded_at, clinical_at, supersedes "
        f"FROM entries WHERE kind IN ({marks}) ORDER BY device, seq", kinds)]
    return [taken.get(e.uuid, e) for e in entries]


def _taken_copies(ws: Workspace) -> dict[str, _Entry]:
    """The later copies chosen when two PCs sent different content under one uuid (``conflicts.status``)."""
    copies: dict[str, _Entry] = {}
    for (text,) in ws.db.execute("SELECT row FROM conflicts WHERE status = 'taken'"):
        row = json.loads(text)
        copies[row["uuid"]] = _Entry(row["uuid"], row["device"], row["seq"], row["kind"], row["human_id"],
                                     json.loads(row["payload"]), row["staff"], row["recorded_at"],
                                     row["clinical_at"], row["supersedes"])
    return copies


def _fold_versions(entries: list[_Entry]) -> tuple[dict[str, Record], list[Record], list[Held]]:
    """Apply corrections and voids: (live records by uuid, voided records, corrections of unknown entries)."""
    originals = {e.uuid: e for e in entries if e.kind in RECORD_KINDS}
    superseding = {e.uuid: e for e in entries if e.kind in SUPERSEDING}
    corrections: dict[str, list[Version]] = {}
    voids: set[str] = set()
    orphans: list[Held] = []
    for e in superseding.values():
        root = _root(e.supersedes, originals, superseding)
        if root is None:
            if e.kind == "entry.correct":  # the corrected original is in a bundle not imported yet
                orphans.append(Held(_record(e, [_version(e)]), "not_received",
                                    f"corrects entry {e.supersedes}, which has not been received"))
            continue
        if e.kind == "entry.void":
            voids.add(root)
        else:
            corrections.setdefault(root, []).append(_version(e))
    live: dict[str, Record] = {}
    voided: list[Record] = []
    for uuid, e in originals.items():
        later = sorted(corrections.get(uuid, []), key=lambda v: v.order)
        record = _record(e, [_version(e), *later])
        if uuid in voids:
            voided.append(record)
        else:
            live[uuid] = record
    return live, voided, orphans


def _in_conflict(ws: Workspace, records: Mapping[str, Record]) -> list[Record]:
    conflicted = {u for (u,) in ws.db.execute("SELECT DISTINCT uuid FROM conflicts WHERE status = 'open'")}
    return [r for r in records.values() if any(v.uuid in conflicted for v in r.versions)]


def _root(uuid: str | None, originals: Mapping[str, _Entry], superseding: Mapping[str, _Entry]) -> str | None:
    """The original entry a chain of corrections leads back to (a correction may supersede a correction)."""
    seen: set[str] = set()
    while uuid and uuid not in originals:
        if uuid in seen or uuid not in superseding:
            return None
        seen.add(uuid)
        uuid = superseding[uuid].supersedes
    return uuid


def _version(e: _Entry) -> Version:
    if e.kind == "entry.correct":
        return Version(e.uuid, e.device, e.seq, e.staff, e.recorded_at, dict(e.payload.get("fields", {})),
                       str(e.payload.get("reason") or ""))
    return Version(e.uuid, e.device, e.seq, e.staff, e.recorded_at, dict(e.payload))


def _record(e: _Entry, versions: list[Version]) -> Record:
    return Record(e.uuid, e.kind, e.human_id.upper() if e.human_id else None, e.device, e.clinical_at,
                  tuple(versions))


# -- references --------------------------------------------------------------------------------------------------

def resolve(refs: Mapping[str, T], ref: str) -> T | None:
    """What a typed reference names in ``refs`` (keyed by downtime IDs in capitals and entry uuids in small
    letters): the reference as typed may be either, in any case."""
    text = ref.strip()
    found = refs.get(text.upper())
    return found if found is not None else refs.get(text.lower())


def _paper_ids(ws: Workspace) -> dict[str, str]:
    """IDs printed on blank-pack forms keyed in later -> the entry each became."""
    return {d.upper(): u for d, u in ws.db.execute(
        "SELECT downtime_id, entry_uuid FROM external_refs WHERE downtime_id IS NOT NULL AND entry_uuid IS NOT NULL")}


def _refs(records: Mapping[str, Record], paper: Mapping[str, str]) -> dict[str, str]:
    refs = {uuid: uuid for uuid in records}
    refs.update({r.human_id: uuid for uuid, r in records.items() if r.human_id})
    refs.update({hid: uuid for hid, uuid in paper.items() if uuid in records})
    return refs


# -- grouping ----------------------------------------------------------------------------------------------------

class _Grouping:
    def __init__(self, site: str, records: dict[str, Record], refs: dict[str, str],
                 unavailable: dict[str, tuple[str, str]], decisions: Decisions):
        self.site = site
        self.records = records
        self.refs = refs
        self.unavailable = unavailable  # IDs of records not sent (voided, in conflict) -> (code, why)
        self.decisions = {k.strip().upper(): v for k, v in decisions.items()}
        self.aliases: dict[str, list[str]] = {}
        for hid, uuid in refs.items():  # the IDs each record is known by besides its own uuid
            if hid != uuid:
                self.aliases.setdefault(uuid, []).append(hid)
        self.groups: dict[str, PatientGroup] = {}
        self.held: list[Held] = []

    def run(self, voided: list[Record], held: list[Held]) -> CurrentRecords:
        ordered = sorted(self.records.values(), key=lambda r: r.sort_key)
        for record in ordered:
            if record.kind in PATIENT_KINDS:
                self._place(record, self._registration_group(record))
        for record in ordered:
            if record.kind not in PATIENT_KINDS:
                self._place(record, self._group_of(record))
        for group in self.groups.values():
            group._admissions = {r.uuid: r for r in group.records if r.kind == "encounter.admit"}
        self.held = held + self.held
        return CurrentRecords(self.site, sorted(self.groups.values(), key=lambda g: g.key), self.held, voided,
                              self.refs)

    def _place(self, record: Record, outcome: PatientGroup | Held) -> None:
        if isinstance(outcome, Held):
            self.held.append(outcome)
        elif record.kind in PATIENT_KINDS and outcome.registration is None:
            outcome.registration = record
        else:
            outcome.records.append(record)

    def _registration_group(self, reg: Record) -> PatientGroup | Held:
        ids = list(dict.fromkeys(i for i in [reg.human_id, *sorted(self.aliases.get(reg.uuid, []))] if i))
        decision = next((self.decisions[i] for i in ids if i in self.decisions), None)
        if decision is None:
            return Held(reg, "undecided", f"patient {_first(ids, reg.uuid)} has no match decision yet")
        outcome, uhid = decision
        if outcome == "matched" and uhid:
            return self._group(f"uhid:{uhid.strip().upper()}", "matched", uhid.strip().upper(), ids)
        if outcome == "new":
            return self._group(f"downtime:{_first(ids, reg.uuid)}", "new", None, ids)
        return Held(reg, "review" if outcome == "review" else "undecided",
                    f"patient {_first(ids, reg.uuid)} is {outcome}{' without a UHID' if outcome == 'matched' else ''}:"
                    " decide it at review first")

    def _group(self, key: str, decision: GroupDecision, uhid: str | None, ids: Iterable[str]) -> PatientGroup:
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = PatientGroup(key, decision, uhid, [], None)
        group.downtime_ids += [i for i in ids if i not in group.downtime_ids]
        return group

    def _group_of(self, record: Record) -> PatientGroup | Held:
        if record.kind == "lab.result":
            return self._result_group(record)
        patient_field = get_kind(record.kind).patient_field
        ref = str(record.fields.get(patient_field) or "").strip().upper() if patient_field else ""
        if not ref:
            if record.kind in STATUTORY_REPORTS:  # e.g. a death report of someone brought in dead
                return self._group(f"report:{record.uuid}", "none", None, [])
            return Held(record, "no_patient", f"{record.kind} {record.uuid} names no patient")
        return self._patient(ref, record)

    def _patient(self, ref: str, record: Record) -> PatientGroup | Held:
        reg = self.records.get(resolve(self.refs, ref) or "")
        if reg is not None and reg.kind in PATIENT_KINDS:
            outcome = self._registration_group(reg)
            if isinstance(outcome, Held):
                return Held(record, outcome.code, outcome.reason)
            return outcome
        unavailable = resolve(self.unavailable, ref)
        if unavailable:
            code, why = unavailable
            return Held(record, f"patient_{code}", f"the registration of patient {ref} {why}")
        if looks_like_id(ref):
            return self._unregistered(ref, record)
        return self._group(f"uhid:{ref}", "matched", ref, [])  # a UHID typed during the outage

    def _unregistered(self, ref: str, record: Record) -> PatientGroup | Held:
        """A downtime patient ID with no registration here (its PC's bundle not imported?), unless matched."""
        decision = self.decisions.get(ref)
        if decision and decision[0] == "matched" and decision[1]:
            return self._group(f"uhid:{decision[1].strip().upper()}", "matched", decision[1].strip().upper(), [ref])
        if not valid_id(ref):
            return Held(record, "no_registration", f"patient ID {ref} is not a valid downtime ID")
        return Held(record, "no_registration", f"patient {ref} has no registration here: its PC's bundle may "
                    "not have been imported")

    def _result_group(self, result: Record) -> PatientGroup | Held:
        accession = str(result.fields.get("accession") or "").strip().upper()
        request = self.records.get(resolve(self.refs, accession) or "")
        unavailable = resolve(self.unavailable, accession)
        if unavailable:
            code, why = unavailable
            return Held(result, f"request_{code}", f"the lab request of accession {accession} {why}")
        if request is None or request.kind != "lab.request":
            return Held(result, "no_request", f"lab result for accession {accession}, which has no lab request here "
                        "(its PC's bundle not imported?)")
        outcome = self._group_of(request)
        return Held(result, outcome.code, outcome.reason) if isinstance(outcome, Held) else outcome


def _first(ids: list[str], fallback: str) -> str:
    return ids[0] if ids else fallback


def _optional(record: Record | None) -> list[Record]:
    return [record] if record is not None else []
