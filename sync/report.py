"""The reconciliation report: proof that every entry a ward wrote during the outage is accounted for.

Every entry the records office received (``entries`` in the workspace, plus the conflicting copies held in
``conflicts``) falls in exactly one of five places. The first four are the entries that carry care for the
HMIS (the hospital's records, and the corrections and voids of them); the fifth holds the rest:

    posted      a write-back carried this entry (``post_state.PostLog``): the HMIS acknowledged it (a FHIR
                transaction bundle or an HL7 v2 message it answered with success), or it was handed over in
                a file written with ``reconcile post --out`` (FHIR bundles, HL7 messages or CSV, for an HMIS
                that only takes files). The report says which: "acknowledged by the HMIS at URL" or "handed
                over as files in DIR"; an entry both acknowledged and in a file counts as acknowledged. For a
                record that was corrected, this is its original entry: the record's identity in every adapter.
    merged      its content reached the HMIS folded into another record, so no record of its own exists there:
                * a correction, once a write-back carrying it was posted: the adapters send a record as it
                  stands (FHIR, CSV) or as an update of it (HL7 v2 A08), never as a record of its own;
                * a registration (``patient.register``, and its corrections) of a patient matched to an HMIS
                  UHID: the adapters create nothing for it, and the patient's records are filed under the
                  HMIS's own patient. A second registration of the same patient (on another PC) matched to the
                  same UHID is merged the same way;
                * a conflicting copy whose conflict was resolved at review: it is merged into the copy that
                  counts (both carry one uuid, so the HMIS gets one record); while that copy is pending,
                  so is this one.
    voided      a record voided on a ward (each of its versions), and every void entry.
    pending     not in the HMIS yet: held for review, undecided, in an import conflict, waiting on a patient or
                lab request that is itself held or voided, decided but not yet posted (never sent or written,
                the post failed, or it was corrected after it was posted), or a kind the adapter used does
                not carry. Each pending entry is named in the unresolved list with what to do next.
    audit only  entries never sent to the HMIS: logins, print records, blank-pack reservations and returns,
                downtime start and end, bundle exports, staff, CSV import records, the records office's match
                and conflict decisions, and corrections or voids of such entries. They stay as evidence.

So received = posted + merged + voided + pending, and received + audit only = every entry in the workspace.
``build_report`` checks both, and that no entry is counted twice, and raises ``ReportDoesNotAddUp`` otherwise.

Files written again (to another folder, when a stick went missing) add a target, not entries: each entry is
counted once, however many files or acknowledgements carry it.

Every ID reserved for a blank pre-numbered pack (``ids.reserve``) is used (some received entry carries it: an
ID it issued, an ID printed on a paper form keyed in later, or a field), returned (declared unused or spoiled
by an ``ids.return`` entry), or unaccounted. IDs issued without a pack need no accounting.

The report is COMPLETE when nothing is unresolved: no pending entry, no sequence gap or incomplete PC (see
``status.py``), and no unaccounted blank-pack ID.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

from downtime.atomic_file import write_atomic
from sync.adapters.post_state import ACKNOWLEDGED, FILE, PostLog
from sync.adapters.records import (
    PATIENT_KINDS,
    RECORD_KINDS,
    CurrentRecords,
    Held,
    Record,
    current_records,
    patient_row,
)
from sync.decisions import load_decisions
from sync.status import WorkspaceStatus, mentioned_ids, workspace_status
from sync.workspace import Workspace

POSTED, MERGED, VOIDED, PENDING, AUDIT_ONLY = "posted", "merged", "voided", "pending", "audit_only"
BUCKETS = (POSTED, MERGED, VOIDED, PENDING)
LABELS = {
    "received": ("Received", "प्राप्त"), POSTED: ("Posted", "भेजी गई"), MERGED: ("Merged", "विलय हुई"),
    VOIDED: ("Voided", "रद्द"), PENDING: ("Pending", "बाकी"), AUDIT_ONLY: ("Kept as audit only", "केवल लेखा-रिकॉर्ड"),
}
DEFINITIONS = {
    POSTED: "a write-back carried it: acknowledged by the HMIS, or handed over in a file written for the HMIS "
            "('reconcile post --out'); for a corrected record: its original entry",
    MERGED: "its content reached the HMIS folded into another record: a correction carried with the record it "
            "corrects; a registration of a patient matched to an HMIS UHID (duplicates on other PCs included); "
            "a conflicting copy once the conflict is resolved (merged into the copy that counts)",
    VOIDED: "a voided record (each of its versions), and each void entry",
    PENDING: "not in the HMIS yet: held for review, undecided, in conflict, waiting on a held record, not yet "
             "posted, or not carried by the adapter used; each is in the unresolved list",
    AUDIT_ONLY: "never sent to the HMIS: logins, prints, blank-pack reservations and returns, downtime start/end, "
                "exports, staff, import records, match and conflict decisions",
}
RETURN_KIND = "ids.return"
RESERVE_KIND = "ids.reserve"
CARE_KINDS = RECORD_KINDS | {"entry.correct", "entry.void"}
SHOW_IDS = 10  # IDs named in one unresolved line; the JSON's packs list them all
ROUTE_WORDS = {ACKNOWLEDGED: "acknowledged by the HMIS at", FILE: "handed over as files in"}

# What to do about each kind of unresolved item (the item's own detail says which record or device).
NEXT_STEP = {
    "review": "decide it in the review queue ('reconcile review'): accept a candidate, pick another, or mark the "
              "patient new",
    "undecided": "run 'reconcile match --mpi FILE', or decide it in the review queue",
    "conflict": "compare both copies in the review queue ('reconcile review') and keep the right one",
    "not_posted": "write it back: 'reconcile post --adapter fhir|hl7v2 --url ...', or as files for an HMIS that "
                  "takes only files ('reconcile post --adapter fhir|hl7v2|csv --out DIR'); if a post failed, its "
                  "output says why",
    "not_carried": "the adapter used does not carry this record (FHIR: ward notes, events on an HMIS admission; "
                   "HL7 v2: statutory reports, notes): post it with another adapter or enter it in the HMIS by hand",
    "late_correction": "corrected after the record was posted: post (or write the files) again, and update the "
                       "HMIS by hand if it does not show the corrected values",
    "gap": "bring that PC's newest bundle (or run 'downtime export --all' on it) and import it",
    "blank_ids": "find those paper forms and key them in ('downtime entry import KIND FILE.csv' with a "
                 "downtime_id column), or declare them unused or spoiled ('downtime entry add ids.return')",
    "voided_after_post": "it was posted (acknowledged, or handed over in a file) before it was voided on the ward: "
                         "cancel it in the HMIS by hand",
    "returned_but_used": "declared unused, yet an entry carries this ID: check the paper form and the entry",
    "returned_not_reserved": "declared unused, but no pack reserved this ID: check the ID was typed right",
}
HELD_STEP = {  # records held for a reason other than their own registration's decision (codes of records.Held)
    "review": "decide its patient in the review queue; this record follows",
    "undecided": "match its patient ('reconcile match') or decide it in the review queue; this record follows",
    "patient_voided": "its patient's registration was voided: void this record too, or correct it to name the "
                      "right patient",
    "patient_conflict": "resolve the conflict of its patient's registration in the review queue",
    "request_voided": "its lab request was voided: void this result too, or correct its accession number",
    "request_conflict": "resolve the conflict of its lab request in the review queue",
    "no_patient": "correct it to name the patient (downtime ID or UHID)",
    "no_registration": "import the bundle of the PC that registered the patient, or correct the patient ID",
    "not_received": "import the bundle that holds the entry it corrects",
    "no_request": "import the bundle with the lab request, or correct the accession number",
}
CATEGORY_LABELS = {
    "review": ("Reviews still open", "खुली समीक्षाएँ"),
    "undecided": ("Registrations not decided", "बिना निर्णय के पंजीकरण"),
    "held": ("Records held back", "रोके गए रिकॉर्ड"),
    "conflict": ("Import conflicts", "आयात में टकराव"),
    "not_posted": ("Not yet posted to the HMIS", "एचएमआईएस को अभी नहीं भेजे गए"),
    "not_carried": ("Not carried by the adapter used", "इस्तेमाल किए गए एडेप्टर से नहीं गए"),
    "late_correction": ("Corrected after posting", "भेजने के बाद सुधरे"),
    "gap": ("Sequence gaps: bundles missing", "क्रम में अंतराल: बंडल बाकी"),
    "device": ("PCs not complete", "अधूरे कंप्यूटर"),
    "blank_ids": ("Blank-pack IDs unaccounted", "खाली पैक की बेहिसाब आईडी"),
    "voided_after_post": ("Voided after they were posted", "भेजे जाने के बाद रद्द"),
    "returned_but_used": ("Returned as unused, yet used", "अप्रयुक्त बताकर लौटाई, पर इस्तेमाल हुई"),
    "returned_not_reserved": ("Returned, never reserved", "लौटाई गई, कभी आरक्षित नहीं"),
}


class ReportDoesNotAddUp(AssertionError):
    """The accounting broke its own rule (an entry counted twice or not at all): a fault in this module."""


@dataclass
class Tally:
    posted: int = 0
    merged: int = 0
    voided: int = 0
    pending: int = 0
    audit_only: int = 0

    @property
    def received(self) -> int:
        return self.posted + self.merged + self.voided + self.pending

    @property
    def total(self) -> int:
        return self.received + self.audit_only

    def add(self, bucket: str) -> None:
        setattr(self, bucket, getattr(self, bucket) + 1)

    def __iadd__(self, other: Tally) -> Self:
        for bucket in (*BUCKETS, AUDIT_ONLY):
            setattr(self, bucket, getattr(self, bucket) + getattr(other, bucket))
        return self

    def to_json(self) -> dict[str, int]:
        return {"received": self.received, **{b: getattr(self, b) for b in BUCKETS}, "audit_only": self.audit_only,
                "total": self.total}


@dataclass(frozen=True)
class Unresolved:
    """One thing to do before the report can say COMPLETE (or, in ``to_check``, to look at by hand)."""

    category: str
    subject: str     # what it is about: a record, a patient, a PC, a blank pack
    device: str
    entries: int     # received entries it keeps pending (0 for gaps and IDs)
    detail: str
    next_step: str


@dataclass
class DeviceLine:
    device: str
    ward: str
    local: bool
    complete: bool   # status.py: everything it wrote up to the end of the downtime has arrived
    gaps: int
    tally: Tally = field(default_factory=Tally)


@dataclass
class WardLine:
    ward: str
    devices: list[str]
    tally: Tally = field(default_factory=Tally)


@dataclass
class BlankPack:
    device: str
    reservation: str  # the ids.reserve entry
    form: str
    reserved_at: str
    ids: list[str]
    used: list[str]
    returned: list[str]
    unaccounted: list[str]


@dataclass(frozen=True)
class PostTarget:
    """Where write-backs went: an HMIS address that acknowledged them, or a folder files were handed over in."""

    delivery: str    # post_state.ACKNOWLEDGED or post_state.FILE
    adapter: str
    target: str      # the URL (or mllp://host:port), or the folder's full path
    items: int       # bundles, messages or files
    entries: int     # distinct entries they carry
    latest: str      # when the last one was acknowledged or written

    @property
    def description(self) -> str:
        return f"{ROUTE_WORDS[self.delivery]} {self.target}"


@dataclass(frozen=True)
class PostedBy:
    """The posted entries split by how they reached the HMIS (posted = acknowledged + files)."""

    acknowledged: int
    files: int
    urls: list[str]      # the addresses that acknowledged them
    folders: list[str]   # the folders they were handed over in (only those that carry posted entries)

    def phrase(self) -> str:
        """'4 acknowledged by the HMIS at URL, 2 handed over as files in DIR' (the non-zero parts)."""
        parts = [f"{n} {ROUTE_WORDS[route]} {_places(places, noun)}" for n, route, places, noun in (
            (self.acknowledged, ACKNOWLEDGED, self.urls, "addresses"), (self.files, FILE, self.folders, "folders"))
            if n]
        return ", ".join(parts)


@dataclass
class ReconcileReport:
    site: str
    site_name: str
    generated_at: str
    totals: Tally
    workspace_entries: int   # rows of ``entries``
    conflict_copies: int     # rows of ``conflicts``: received too, held apart
    devices: list[DeviceLine]
    wards: list[WardLine]
    decisions: dict[str, int]
    packs: list[BlankPack]
    posts: list[PostTarget]
    posted_by: PostedBy
    unresolved: list[Unresolved]
    to_check: list[Unresolved]

    @property
    def complete(self) -> bool:
        return not self.unresolved

    @property
    def verdict(self) -> str:
        return "COMPLETE" if self.complete else "NOT COMPLETE"

    @property
    def ids(self) -> dict[str, int]:
        return {"reserved": sum(len(p.ids) for p in self.packs), "used": sum(len(p.used) for p in self.packs),
                "returned": sum(len(p.returned) for p in self.packs),
                "unaccounted": sum(len(p.unaccounted) for p in self.packs)}

    def equation(self) -> str:
        t = self.totals
        return (f"received {t.received} = posted {t.posted} + merged {t.merged} + voided {t.voided} + "
                f"pending {t.pending}")

    def summary(self) -> str:
        """The one line ``reconcile report`` prints."""
        t, ids = self.totals, self.ids
        tail = "" if self.complete else f"; {len(self.unresolved)} unresolved"
        how = f" (posted: {self.posted_by.phrase()})" if t.posted else ""
        return (f"{self.verdict}: {self.equation()}{how}; {t.audit_only} kept as audit only ({t.total} entries in the "
                f"workspace); blank-pack IDs {ids['reserved']} = {ids['used']} used + {ids['returned']} returned + "
                f"{ids['unaccounted']} unaccounted{tail}")

    def to_json(self) -> dict[str, Any]:
        return {
            "site": self.site, "site_name": self.site_name, "generated_at": self.generated_at,
            "verdict": self.verdict, "complete": self.complete, "equation": self.totals.to_json(),
            "workspace": {"entries": self.workspace_entries, "conflict_copies": self.conflict_copies},
            "definitions": DEFINITIONS,
            "wards": [{"ward": w.ward, "devices": w.devices, **w.tally.to_json()} for w in self.wards],
            "devices": [{"device": d.device, "ward": d.ward, "local": d.local, "complete": d.complete,
                         "gaps": d.gaps, **d.tally.to_json()} for d in self.devices],
            "decisions": self.decisions,
            "blank_ids": {**self.ids, "packs": [asdict(p) for p in self.packs]},
            "posted_by": asdict(self.posted_by),
            "posts": [{**asdict(p), "description": p.description} for p in self.posts],
            "unresolved": [asdict(u) for u in self.unresolved],
            "to_check": [asdict(u) for u in self.to_check],
        }


def write_json(report: ReconcileReport, path: Path) -> Path:
    """The report's figures as JSON: the same numbers the PDF shows."""
    write_atomic(path, json.dumps(report.to_json(), ensure_ascii=False, indent=1).encode("utf-8"))
    return path


# -- building ------------------------------------------------------------------------------------------------------

def build_report(ws: Workspace, *, now: dt.datetime | None = None) -> ReconcileReport:
    """Account for every entry in the workspace; raise ReportDoesNotAddUp if the accounting does not hold."""
    current = current_records(ws, load_decisions(ws))
    delivered = PostLog(ws.db).delivered()
    posted = set(delivered)
    status = workspace_status(ws)
    ledger = _Ledger(dict(ws.db.execute("SELECT uuid, device FROM entries").fetchall()))
    _account_groups(current, posted, ledger)
    _account_held(current.held, ledger)
    _account_voided(current.voided, posted, ledger)
    _account_the_rest(ws, ledger)
    _account_conflict_copies(ws, ledger)
    packs, id_items, id_checks = _blank_packs(ws)
    devices = _device_lines(status, ledger)
    posts = _post_targets(ws)
    report = ReconcileReport(
        site=ws.site, site_name=ws.meta("site_name") or ws.site,
        generated_at=(now or dt.datetime.now().astimezone()).isoformat(timespec="seconds"),
        totals=_sum(d.tally for d in devices),
        workspace_entries=_count(ws, "entries"), conflict_copies=_count(ws, "conflicts"),
        devices=devices, wards=_ward_lines(devices), decisions=_decisions(current), packs=packs,
        posts=[p for p, _ in posts], posted_by=_posted_by(ledger, delivered, posts),
        unresolved=ledger.unresolved + _status_items(status) + id_items,
        to_check=ledger.to_check + id_checks)
    _check(report, ledger)
    return report


class _Ledger:
    """Where each received entry went. An entry placed twice is a fault, not a choice."""

    def __init__(self, devices: dict[str, str]):
        self.device_of = devices                    # entry uuid -> the PC that wrote it
        self.bucket: dict[str, str] = {}            # entry uuid -> bucket
        self.copies: list[tuple[str, str]] = []     # (device, bucket) of each conflicting copy
        self.unresolved: list[Unresolved] = []
        self.to_check: list[Unresolved] = []

    def put(self, uuid: str, bucket: str) -> None:
        if uuid in self.bucket:
            raise ReportDoesNotAddUp(f"entry {uuid} was counted as {self.bucket[uuid]} and again as {bucket}")
        if uuid not in self.device_of:
            raise ReportDoesNotAddUp(f"entry {uuid} is counted but is not in the workspace")
        self.bucket[uuid] = bucket

    def pending(self, record: Record, uuids: list[str], category: str, detail: str, step: str) -> None:
        for uuid in uuids:
            self.put(uuid, PENDING)
        self.unresolved.append(Unresolved(category, _subject(record), record.device, len(uuids), detail, step))


def _account_groups(current: CurrentRecords, posted: set[str], ledger: _Ledger) -> None:
    for group in current.groups:
        group_posted = any(v.uuid in posted for r in group.all_records for v in r.versions)
        for record in group.all_records:
            merged_registration = record.kind == "patient.register" and group.decision == "matched"
            waiting: list[str] = []
            for n, version in enumerate(record.versions):
                if version.uuid in posted:
                    ledger.put(version.uuid, POSTED if n == 0 else MERGED)
                elif merged_registration:
                    ledger.put(version.uuid, MERGED)
                else:
                    waiting.append(version.uuid)
            if not waiting:
                continue
            if record.versions[0].uuid in posted:
                ledger.pending(record, waiting, "late_correction", f"{len(waiting)} correction(s) made after it "
                               "was posted", NEXT_STEP["late_correction"])
            elif group_posted:
                ledger.pending(record, waiting, "not_carried", "its patient's other records were posted, "
                               "this one was not", NEXT_STEP["not_carried"])
            else:
                ledger.pending(record, waiting, "not_posted", f"patient {group.uhid or _first(group.downtime_ids)} "
                               f"is decided ({group.decision}); nothing of it posted yet",
                               NEXT_STEP["not_posted"])


def _account_held(held: list[Held], ledger: _Ledger) -> None:
    for h in held:
        own_decision = h.record.kind in PATIENT_KINDS and h.code in ("review", "undecided")
        if own_decision:
            category, step = h.code, NEXT_STEP[h.code]
        elif h.code == "conflict":
            category, step = "conflict", NEXT_STEP["conflict"]
        else:
            category, step = "held", HELD_STEP.get(h.code, "see the detail")
        ledger.pending(h.record, [v.uuid for v in h.record.versions], category, h.reason, step)


def _account_voided(voided: list[Record], posted: set[str], ledger: _Ledger) -> None:
    for record in voided:
        for version in record.versions:
            ledger.put(version.uuid, VOIDED)
        if any(v.uuid in posted for v in record.versions):
            ledger.to_check.append(Unresolved("voided_after_post", _subject(record), record.device, 0,
                                              "voided on the ward after it was posted",
                                              NEXT_STEP["voided_after_post"]))


def _account_the_rest(ws: Workspace, ledger: _Ledger) -> None:
    """Void entries, and everything that never goes to the HMIS. A record left over here is a fault."""
    rows = {u: (k, s) for u, k, s in ws.db.execute("SELECT uuid, kind, supersedes FROM entries")}
    for uuid, (kind, supersedes) in rows.items():
        if uuid in ledger.bucket:
            continue
        if kind in RECORD_KINDS:
            raise ReportDoesNotAddUp(f"{kind} entry {uuid} is neither sent, held nor voided")
        root = _root_kind(supersedes, rows)
        if kind == "entry.void" and (root is None or root in RECORD_KINDS):  # None: its target has not arrived
            ledger.put(uuid, VOIDED)
        elif kind == "entry.correct" and root is None:
            raise ReportDoesNotAddUp(f"correction {uuid} of an entry not received is not held")
        else:
            ledger.put(uuid, AUDIT_ONLY)


def _root_kind(uuid: str | None, rows: Mapping[str, tuple[str, str | None]]) -> str | None:
    """The kind of the entry a chain of corrections and voids leads back to (None if it has not arrived)."""
    seen: set[str] = set()
    while uuid and uuid in rows and uuid not in seen:
        seen.add(uuid)
        kind, supersedes = rows[uuid]
        if kind not in ("entry.correct", "entry.void"):
            return kind
        uuid = supersedes
    return None


def _account_conflict_copies(ws: Workspace, ledger: _Ledger) -> None:
    """A conflicting copy shares its uuid with the entry held: open, it waits for review; resolved (one copy
    taken, the others set aside), it is merged into the copy that counts, and waits while that one waits."""
    for uuid, device, seq, row, status in ws.db.execute(
            "SELECT uuid, device, seq, row, status FROM conflicts ORDER BY device, seq"):
        kind = json.loads(row).get("kind", "")
        kept = ledger.bucket.get(uuid)
        subject = f"conflicting copy of {kind} {uuid}"
        if kind not in CARE_KINDS or kept == AUDIT_ONLY:
            bucket = AUDIT_ONLY
        elif status == "open" or kept in (None, PENDING):
            bucket = PENDING
        else:
            bucket = MERGED if kept == POSTED else kept
        ledger.copies.append((device, bucket))
        if status == "open":
            (ledger.unresolved if bucket == PENDING else ledger.to_check).append(Unresolved(
                "conflict", subject, device, int(bucket == PENDING),
                f"seq {seq} has the same uuid as an entry already imported, with other content",
                NEXT_STEP["conflict"]))
        elif bucket == PENDING:
            ledger.unresolved.append(Unresolved("held", subject, device, 1, "the conflict is resolved; the entry "
                                                "it is a copy of is still pending", "see that entry's own line"))


def _device_lines(status: WorkspaceStatus, ledger: _Ledger) -> list[DeviceLine]:
    # Ward PCs by ward, W2 before W10; this records-office PC last.
    ordered = sorted(status.devices, key=lambda d: (d.local, natural_key(d.ward), natural_key(d.device)))
    lines = {d.device: DeviceLine(d.device, d.ward or "(none)", d.local, d.complete, len(d.gaps)) for d in ordered}
    for uuid, bucket in ledger.bucket.items():
        lines[ledger.device_of[uuid]].tally.add(bucket)
    for device, bucket in ledger.copies:
        lines[device].tally.add(bucket)
    return list(lines.values())


def _ward_lines(devices: list[DeviceLine]) -> list[WardLine]:
    wards: dict[str, WardLine] = {}
    for d in devices:
        ward = wards.setdefault(d.ward, WardLine(d.ward, []))
        ward.devices.append(d.device)
        ward.tally += d.tally
    return list(wards.values())  # in the PCs' order


def _decisions(current: CurrentRecords) -> dict[str, int]:
    """Registrations as they stand (voided ones left out), by the records office's decision."""
    counts = {"matched": 0, "new": 0, "review": 0, "undecided": 0, "held": 0}
    for group in current.groups:
        counts[group.decision] += sum(1 for r in group.all_records if r.kind in PATIENT_KINDS)
    for h in current.held:
        if h.record.kind in PATIENT_KINDS:
            counts[h.code if h.code in ("review", "undecided") else "held"] += 1
    return counts


def _post_targets(ws: Workspace) -> list[tuple[PostTarget, set[str]]]:
    """Each HMIS address and each folder of files, with the entries that went there (addresses first)."""
    carried: dict[tuple[str, str, str], set[str]] = {}
    times: dict[tuple[str, str, str], list[str]] = {}
    for delivery, adapter, target, entries, at in ws.db.execute(
            "SELECT delivery, adapter, target, entries, acknowledged_at FROM post_log"):
        key = (delivery, adapter, target)
        carried.setdefault(key, set()).update(json.loads(entries))
        times.setdefault(key, []).append(at)
    order = sorted(times, key=lambda k: (k[0] != ACKNOWLEDGED, k[1], k[2]))
    return [(PostTarget(*key, items=len(times[key]), entries=len(carried[key]), latest=max(times[key])), carried[key])
            for key in order]


def _posted_by(ledger: _Ledger, delivered: Mapping[str, str],
               posts: list[tuple[PostTarget, set[str]]]) -> PostedBy:
    """Split the posted entries by how they reached the HMIS, naming the places that carry them."""
    posted = {uuid for uuid, bucket in ledger.bucket.items() if bucket == POSTED}
    by_file = {uuid for uuid in posted if delivered[uuid] == FILE}
    acknowledged = posted - by_file
    return PostedBy(len(acknowledged), len(by_file),
                    urls=[p.target for p, e in posts if p.delivery == ACKNOWLEDGED and e & acknowledged],
                    folders=[p.target for p, e in posts if p.delivery == FILE and e & by_file])


def _status_items(status: WorkspaceStatus) -> list[Unresolved]:
    """Sequence gaps and incomplete PCs, as status.py finds them (open conflicts and IDs are counted here)."""
    items: list[Unresolved] = []
    for d in status.devices:
        items += [Unresolved("gap", f"device {g.device} seq {g.first}–{g.last}", g.device, 0,
                             f"{g.last - g.first + 1} entries not received", NEXT_STEP["gap"]) for g in d.gaps]
        if d.complete or d.gaps:
            continue
        if not d.received:
            why, step = "nothing received yet", "bring its bundles and import them ('reconcile import')"
        elif d.local:
            why, step = "a downtime is still open on this PC", "end it here ('downtime event end')"
        else:
            why = "its newest entry here is from before the downtime ended on it"
            step = ("end the downtime on that PC ('downtime event end'), export, and import that bundle; or recover "
                    "its journal ('reconcile recover')")
        items.append(Unresolved("device", f"device {d.device}", d.device, 0, why, step))
    return items


# -- blank packs ---------------------------------------------------------------------------------------------------

def _blank_packs(ws: Workspace) -> tuple[list[BlankPack], list[Unresolved], list[Unresolved]]:
    """Each reserved pack's IDs split into used, returned and unaccounted; and what needs a look."""
    used = _used_ids(ws)
    returned = _returned_ids(ws)
    packs: list[BlankPack] = []
    reserved: set[str] = set()
    for uuid, device, recorded_at, payload in ws.db.execute(
            "SELECT uuid, device, recorded_at, payload FROM entries WHERE kind = ? ORDER BY device, seq",
            [RESERVE_KIND]):
        p = json.loads(payload)
        ids = [str(i).strip().upper() for i in p.get("ids", [])]
        reserved.update(ids)
        packs.append(BlankPack(device, uuid, str(p.get("form", "")), recorded_at, ids,
                               used=[i for i in ids if i in used],
                               returned=[i for i in ids if i in returned and i not in used],
                               unaccounted=[i for i in ids if i not in used and i not in returned]))
    items = [Unresolved("blank_ids", f"pack of {len(p.ids)} {p.form} forms reserved {_when(p.reserved_at)}",
                        p.device, 0, f"{len(p.unaccounted)} of {len(p.ids)} IDs unaccounted: {_shown(p.unaccounted)}",
                        NEXT_STEP["blank_ids"])
             for p in packs if p.unaccounted]
    checks = [Unresolved("returned_but_used", i, returned[i], 0, "declared unused or spoiled, and carried by an entry",
                         NEXT_STEP["returned_but_used"]) for i in sorted(set(returned) & used & reserved)]
    checks += [Unresolved("returned_not_reserved", i, returned[i], 0, "declared unused or spoiled; no pack has it",
                          NEXT_STEP["returned_not_reserved"]) for i in sorted(set(returned) - reserved)]
    return packs, items, checks


def _used_ids(ws: Workspace) -> set[str]:
    """Every downtime ID a received entry issued, was keyed in under, or carries in a field."""
    return mentioned_ids(ws.db, ws.site, skip_kinds=(RESERVE_KIND, RETURN_KIND))


def _returned_ids(ws: Workspace) -> dict[str, str]:
    """IDs declared unused or spoiled -> the PC that declared them."""
    return {str(i).strip().upper(): device for device, payload in ws.db.execute(
        "SELECT device, payload FROM entries WHERE kind = ? ORDER BY device, seq", [RETURN_KIND])
        for i in json.loads(payload).get("ids", [])}


# -- checks and small helpers ----------------------------------------------------------------------------------

def _check(report: ReconcileReport, ledger: _Ledger) -> None:
    """received = posted + merged + voided + pending, and with audit only, every entry in the workspace."""
    t = report.totals
    counted = len(ledger.bucket) + len(ledger.copies)
    in_workspace = report.workspace_entries + report.conflict_copies
    if t.total != in_workspace or counted != in_workspace:
        raise ReportDoesNotAddUp(f"{t.total} entries accounted for ({counted} placed), but the workspace holds "
                                 f"{in_workspace}")
    buckets = [b for b in ledger.bucket.values()] + [b for _, b in ledger.copies]
    if [buckets.count(b) for b in BUCKETS] != [getattr(t, b) for b in BUCKETS]:
        raise ReportDoesNotAddUp(f"the device totals do not match the entries placed: {report.equation()}")
    if t.received != t.posted + t.merged + t.voided + t.pending:
        raise ReportDoesNotAddUp(report.equation())
    if report.posted_by.acknowledged + report.posted_by.files != t.posted:
        raise ReportDoesNotAddUp(f"posted {t.posted}, but {report.posted_by.phrase()}")
    waiting = sum(u.entries for u in report.unresolved)
    if waiting != t.pending:
        raise ReportDoesNotAddUp(f"{t.pending} entries pending, but the unresolved list names {waiting}")
    ids = report.ids
    if ids["reserved"] != ids["used"] + ids["returned"] + ids["unaccounted"]:
        raise ReportDoesNotAddUp(f"blank-pack IDs do not add up: {ids}")


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for t in tallies:
        total += t
    return total


def _count(ws: Workspace, table: str) -> int:
    return int(ws.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _subject(record: Record) -> str:
    """How the report names a record: kind and ID, and for a registration the patient's name."""
    if record.kind in PATIENT_KINDS:
        name = patient_row(record).get("name")
        return f"{record.name} ({name})" if name else record.name
    return record.name


def _first(ids: list[str]) -> str:
    return ids[0] if ids else "?"


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """W2 before W10: digits compare as numbers (ward and PC codes are numbered)."""
    return tuple((0, int(part)) if part.isdecimal() else (1, part.casefold())
                 for part in re.split(r"(\d+)", text) if part)


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _places(places: list[str], noun: str) -> str:
    """One place by name; several by number (the report's table of write-backs names each)."""
    return places[0] if len(places) == 1 else f"{len(places)} {noun}"


def _shown(ids: list[str]) -> str:
    more = f" and {len(ids) - SHOW_IDS} more" if len(ids) > SHOW_IDS else ""
    return ", ".join(ids[:SHOW_IDS]) + more
