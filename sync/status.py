"""What the records office has received from each PC, and what is still missing.

Sequence numbers are gapless per PC (decision 1), so any hole in what has arrived is a bundle that
has not: the status names the exact seq range and what to bring. A PC counts as complete when nothing
is missing up to its newest entry received, and that entry comes after the end of the downtime on it
(or is the end of its whole journal, recovered from its disk), so no later bundle can be outstanding.

Open conflicts and blank-pack IDs not yet seen on any entry are listed too: they do not make a PC
incomplete (everything it wrote has arrived), but they must be resolved at reconciliation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from sync.workspace import Workspace

SHOW_IDS = 10  # reserved IDs listed by name in the text report; JSON lists them all


@dataclass(frozen=True)
class Gap:
    device: str
    first: int
    last: int

    @property
    def message(self) -> str:
        return (f"device {self.device}: seq {self.first}–{self.last} missing: bring its newest bundle "
                f"(or run 'downtime export --all' on that PC)")


@dataclass
class DeviceStatus:
    device: str
    ward: str
    local: bool
    received: list[tuple[int, int]]
    entries: int
    gaps: list[Gap]
    duplicates_skipped: int
    conflicts_open: int
    reserved_unaccounted: list[str]
    last_export: str | None
    downtime_open: bool
    journal_recovered: bool  # the newest entry held came from the PC's own journal.db, recovered whole
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.received) and not self.gaps and (not self.downtime_open or self.journal_recovered)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["gaps"] = [{"first": g.first, "last": g.last, "message": g.message} for g in self.gaps]
        data["received"] = [list(r) for r in self.received]
        data["complete"] = self.complete
        return data


@dataclass
class WorkspaceStatus:
    site: str
    devices: list[DeviceStatus]

    @property
    def complete(self) -> bool:
        return bool(self.devices) and all(d.complete for d in self.devices)

    def to_json(self) -> dict[str, Any]:
        return {"site": self.site, "complete": self.complete,
                "devices": [d.to_json() for d in self.devices],
                "totals": {"devices": len(self.devices),
                           "incomplete": sum(not d.complete for d in self.devices),
                           "entries": sum(d.entries for d in self.devices),
                           "gaps": sum(len(d.gaps) for d in self.devices),
                           "conflicts_open": sum(d.conflicts_open for d in self.devices),
                           "reserved_unaccounted": sum(len(d.reserved_unaccounted) for d in self.devices)}}


def workspace_status(ws: Workspace) -> WorkspaceStatus:
    db = ws.db
    mentioned = mentioned_ids(db, ws.site)
    devices = [_device_status(db, device, ward or "", bool(local), mentioned)
               for device, ward, local in db.execute("SELECT device, ward, local FROM devices ORDER BY ward, device")]
    return WorkspaceStatus(ws.site, devices)


def _device_status(db: sqlite_utils.Database, device: str, ward: str, local: bool,
                   mentioned: set[str]) -> DeviceStatus:
    received = _received_ranges(db, device)
    status = DeviceStatus(
        device=device, ward=ward, local=local, received=received,
        entries=sum(b - a + 1 for a, b in received), gaps=list(_gaps(device, received)),
        duplicates_skipped=_one(db, "SELECT coalesce(sum(duplicates), 0) FROM bundles WHERE device = ?", device),
        conflicts_open=_one(db, "SELECT count(*) FROM conflicts WHERE device = ? AND status = 'open'", device),
        reserved_unaccounted=sorted(_reserved(db, device) - mentioned),
        last_export=_last_export(db, device), downtime_open=_downtime_open(db, device),
        journal_recovered=bool(received) and _recovered_to(db, device) >= received[-1][1])
    status.problems = _problems(status)
    return status


def _received_ranges(db: sqlite_utils.Database, device: str) -> list[tuple[int, int]]:
    """Runs of consecutive seqs received ("gaps and islands": seq - row_number is constant in a run)."""
    return [(a, b) for a, b in db.execute(
        "SELECT min(seq), max(seq) FROM (SELECT seq, seq - row_number() OVER (ORDER BY seq) AS run "
        "FROM received WHERE device = ?) GROUP BY run ORDER BY 1", [device])]


def _gaps(device: str, received: list[tuple[int, int]]) -> Iterator[Gap]:
    expected = 1
    for first, last in received:
        if first > expected:
            yield Gap(device, expected, first - 1)
        expected = last + 1


def _one(db: sqlite_utils.Database, sql: str, *args: Any) -> int:
    return int(db.execute(sql, list(args)).fetchone()[0])


def _reserved(db: sqlite_utils.Database, device: str) -> set[str]:
    ids: set[str] = set()
    for (payload,) in db.execute("SELECT payload FROM entries WHERE device = ? AND kind = 'ids.reserve'", [device]):
        ids.update(str(i).upper() for i in json.loads(payload).get("ids", []))
    return ids


def mentioned_ids(db: sqlite_utils.Database, site: str, skip_kinds: tuple[str, ...] = ("ids.reserve",)) -> set[str]:
    """Every downtime ID some entry issued, carries in a field, or maps a paper row to (upper case).

    ``skip_kinds``: entries whose IDs do not count as used (a pack's reservation; for the report, a return too).
    """
    found = {h.upper() for (h,) in db.execute("SELECT human_id FROM entries WHERE human_id IS NOT NULL")}
    found |= {d.strip().upper() for (d,) in db.execute(
        "SELECT downtime_id FROM external_refs WHERE downtime_id IS NOT NULL")}
    # Only payloads that hold this site's ID prefix at all need to be read (in any case: IDs typed by hand,
    # e.g. in an ids.return of unused blank forms, may be in small letters).
    marks = ", ".join("?" * len(skip_kinds))
    for (payload,) in db.execute(f"SELECT payload FROM entries WHERE kind NOT IN ({marks}) AND "
                                 "instr(upper(payload), ?) > 0", [*skip_kinds, f"{site.upper()}-"]):
        found.update(_strings(json.loads(payload)))
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value.strip().upper()
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _last_export(db: sqlite_utils.Database, device: str) -> str | None:
    """The newest export this office knows of: a bundle it holds, or one a later bundle says was written."""
    times = [t for (t,) in db.execute("SELECT created_at FROM bundles WHERE device = ? AND source = 'bundle'",
                                      [device]) if t]
    times += [json.loads(p).get("created_at") for (p,) in db.execute(
        "SELECT payload FROM entries WHERE device = ? AND kind = 'bundle.export'", [device])]
    times = [t for t in times if t]
    return max(times) if times else None


def _recovered_to(db: sqlite_utils.Database, device: str) -> int:
    return _one(db, "SELECT coalesce(max(last_seq), 0) FROM bundles WHERE device = ? AND source = 'journal'", device)


def _downtime_open(db: sqlite_utils.Database, device: str) -> bool:
    row = db.execute("SELECT kind FROM entries WHERE device = ? AND kind IN ('downtime.start', 'downtime.end') "
                     "ORDER BY seq DESC LIMIT 1", [device]).fetchone()
    return bool(row) and row[0] == "downtime.start"


def _problems(s: DeviceStatus) -> list[str]:
    if not s.received:
        return [f"device {s.device}: nothing received yet: bring its bundles"]
    problems = [g.message for g in s.gaps]
    if s.downtime_open and not s.journal_recovered:
        problems.append(f"device {s.device}: its newest entry here is from before the downtime ended: end the "
                        "downtime on that PC ('downtime event end'), export, and bring that bundle")
    if s.conflicts_open:
        problems.append(f"device {s.device}: {s.conflicts_open} entries conflict with ones already imported "
                        "(same uuid, other content): review them at reconciliation")
    if s.reserved_unaccounted:
        shown = ", ".join(s.reserved_unaccounted[:SHOW_IDS])
        more = f" and {len(s.reserved_unaccounted) - SHOW_IDS} more" if len(s.reserved_unaccounted) > SHOW_IDS else ""
        problems.append(f"device {s.device}: {len(s.reserved_unaccounted)} blank-pack IDs not on any entry yet: "
                        f"{shown}{more}: find those paper forms and key them in ('downtime entry import')")
    return problems


def render_text(status: WorkspaceStatus) -> str:
    lines = [f"Records office, site {status.site}: {len(status.devices)} devices trusted"]
    ward = None
    for d in status.devices:
        if d.ward != ward:
            ward = d.ward
            lines.append(f"ward {ward or '(none)'}")
        recovered = ", whole journal recovered from its disk" if d.journal_recovered else ""
        lines.append(f"  {d.device}{' (this PC)' if d.local else ''}: {'complete' if d.complete else 'INCOMPLETE'}: "
                     f"seq {_ranges(d.received)} received ({d.entries} entries){recovered}; "
                     f"last export {_when(d.last_export)}")
        lines.append(f"      duplicates skipped {d.duplicates_skipped}, conflicts open {d.conflicts_open}, "
                     f"blank-pack IDs unaccounted {len(d.reserved_unaccounted)}")
        lines += [f"      {p}" for p in d.problems]
    incomplete = sum(not d.complete for d in status.devices)
    lines.append("all devices complete" if status.complete else f"{incomplete} of {len(status.devices)} devices "
                 "incomplete")
    return "\n".join(lines)


def _when(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "unknown"


def _ranges(ranges: list[tuple[int, int]]) -> str:
    return ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in ranges) or "none"
