"""Import is idempotent, keeps conflicts for review, refuses a forked chain, and reports exact gaps."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from downtime.errors import DowntimeError
from downtime.journal import GENESIS, entry_hash
from downtime.session import login
from sync.bundle import BundleRejected, Span, seal_bundle
from sync.export import export_bundle
from sync.status import DeviceStatus, workspace_status
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN
from tests.sync.conftest import add_patients, device_key, export, make_ward, nurse_session, seal_to, workspace_rows


def _device(ws: Workspace, device: str = "W7-PC2") -> DeviceStatus:
    return next(d for d in workspace_status(ws).devices if d.device == device)


def test_export_then_import_holds_every_entry_exactly(ward: Path, ws: Workspace, usb: Path) -> None:
    add_patients(ward, 12)
    result = export(ward, usb)
    assert result.first_seq == 1 and result.counts["patient.register"] == 12
    imported = ws.import_file(result.path)
    assert (imported.new, imported.duplicates, imported.conflicts) == (result.entries, 0, 0)
    session = nurse_session(ward)
    try:
        ours = dict(session.journal.db.execute("SELECT uuid, hash FROM entries WHERE seq <= ?", [result.last_seq]))
    finally:
        session.close()
    theirs = dict(ws.db.execute("SELECT uuid, hash FROM entries WHERE device = 'W7-PC2'").fetchall())
    assert theirs == ours


def test_importing_the_same_bundle_twice_adds_no_rows(ward: Path, ws: Workspace, usb: Path) -> None:
    add_patients(ward, 4)
    path = export(ward, usb).path
    ws.import_file(path)
    before = {t: len(rows) for t, rows in workspace_rows(ws).items()}
    again = ws.import_file(path)
    assert (again.new, again.conflicts, again.seen_before) == (0, 0, True)
    assert again.duplicates == again.last_seq - again.first_seq + 1
    assert {t: len(rows) for t, rows in workspace_rows(ws).items()} == before


def test_exporting_the_same_range_again_imports_as_pure_duplicates(ward: Path, ws: Workspace, usb: Path) -> None:
    add_patients(ward, 3)
    first = export(ward, usb)
    ws.import_file(first.path)
    everything = export(ward, usb, full=True)
    assert everything.first_seq == 1
    result = ws.import_file(everything.path)
    assert result.duplicates == first.entries and result.new == everything.entries - first.entries


def test_default_export_takes_only_what_was_not_exported_and_marks_it(ward: Path, usb: Path) -> None:
    add_patients(ward, 2)
    first = export(ward, usb)
    add_patients(ward, 1)
    second = export(ward, usb)
    assert second.first_seq == first.last_seq + 1
    session = nurse_session(ward)
    try:
        marks = list(session.journal.entries("bundle.export"))
        assert [m.payload["last_seq"] for m in marks] == [first.last_seq, second.last_seq]
        assert session.journal.db.execute("SELECT count(*) FROM records WHERE exported = 0").fetchone()[0] == 0
    finally:
        session.close()


def test_gap_between_bundles_is_reported_exactly_and_closes(ward: Path, ws: Workspace, usb: Path) -> None:
    bundles = []
    for n in (3, 4, 5):
        add_patients(ward, n)
        bundles.append(export(ward, usb))
    ws.import_file(bundles[0].path)
    ws.import_file(bundles[2].path)
    status = _device(ws)
    gap = (bundles[1].first_seq, bundles[1].last_seq)
    assert [(g.first, g.last) for g in status.gaps] == [gap]
    assert status.received == [(1, bundles[0].last_seq), (bundles[2].first_seq, bundles[2].last_seq)]
    assert status.gaps[0].message.startswith(f"device W7-PC2: seq {gap[0]}–{gap[1]} missing: bring its newest bundle")
    assert not status.complete
    ws.import_file(bundles[1].path)
    status = _device(ws)
    assert status.gaps == [] and status.received == [(1, bundles[2].last_seq)]


def test_pc_is_complete_once_a_bundle_after_the_downtime_ended_arrives(ward: Path, ws: Workspace, usb: Path) -> None:
    ws.import_file(export(ward, usb).path)
    assert _device(ws).downtime_open and not workspace_status(ws).complete
    admin = login(ward, ADMIN_ID, ADMIN_PIN)
    admin.end_downtime("HMIS restored")
    admin.close()
    ws.import_file(export(ward, usb).path)
    assert _device(ws).complete and workspace_status(ws).complete


def test_export_right_after_export_carries_only_the_mark_so_the_chain_stays_whole(ward: Path, usb: Path,
                                                                                   tmp_path: Path) -> None:
    session = nurse_session(ward)
    try:
        first = export_bundle(session, usb)
        second = export_bundle(session, usb)
        assert (second.first_seq, second.counts) == (first.last_seq + 1, {"bundle.export": 1})
        assert second.path != first.path
        with pytest.raises(DowntimeError, match="is not a folder"):
            export_bundle(session, tmp_path / "no-stick", full=True)
    finally:
        session.close()


def test_pc_without_the_office_key_cannot_export(home: Path, usb: Path) -> None:
    with pytest.raises(DowntimeError, match="keys trust-office"):
        export(home, usb)


def test_a_cloned_pc_is_refused_as_a_forked_chain(ward: Path, ws: Workspace, usb: Path, tmp_path: Path) -> None:
    add_patients(ward, 2)
    clone = tmp_path / "clone"
    shutil.copytree(ward, clone)  # the same disk image on two PCs: same code, same keys, same history so far
    add_patients(ward, 1)
    add_patients(clone, 1)
    ws.import_file(export(ward, usb).path)
    before = workspace_rows(ws)
    with pytest.raises(BundleRejected, match="restored from an old copy or cloned") as rejected:
        ws.import_file(export(clone, tmp_path).path)
    assert (rejected.value.check, rejected.value.device) == ("continuity", "W7-PC2")
    assert workspace_rows(ws) == before


def test_same_uuid_with_other_content_is_held_as_a_conflict(ward: Path, ws: Workspace, usb: Path,
                                                             tmp_path: Path, office_home: Path) -> None:
    add_patients(ward, 3)
    ws.import_file(export(ward, usb).path)
    # A PC re-staged under a new code with the old journal's entries copied in: same uuids, other device.
    other = make_ward(tmp_path / "w8", device="W8-PC1", block=8)
    seal_to(other, office_home)
    ws.trust(device_key(other))
    copied = _rechain(list(ws.db.execute("SELECT * FROM entries WHERE device = 'W7-PC2' ORDER BY seq LIMIT 5")),
                      "W8-PC1")
    span = Span(1, 5, GENESIS, copied[-1]["hash"], dict(Counter(r["kind"] for r in copied)))
    entries = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in copied)
    session = nurse_session(other)
    try:
        sealed = seal_bundle(entries, span, site="AIIMS", site_name="AIIMS New Delhi", device="W8-PC1",
                             signing_key=session.secrets.signing_key,
                             office_public=bytes(ws.office.sealing_key.public_key), full=False,
                             created_at="2026-11-22T10:00:00+05:30")
    finally:
        session.close()
    result = ws.import_bytes(sealed.data, "w8.dtb")
    assert (result.new, result.conflicts) == (0, 5)
    assert ws.db.execute("SELECT count(*) FROM entries WHERE device = 'W8-PC1'").fetchone()[0] == 0
    status = _device(ws, "W8-PC1")
    assert status.conflicts_open == 5 and status.gaps == [] and status.received == [(1, 5)]
    again = ws.import_bytes(sealed.data, "w8.dtb")
    assert (again.new, again.conflicts, again.duplicates) == (0, 0, 5)
    assert ws.db.execute("SELECT count(*) FROM conflicts").fetchone()[0] == 5


def _rechain(rows: list[tuple], device: str) -> list[dict]:
    columns = ["seq", "device", "uuid", "kind", "human_id", "payload", "staff", "recorded_at", "clinical_at",
               "downtime_event", "supersedes", "prev_hash", "hash"]
    prev, out = GENESIS, []
    for values in rows:
        row = dict(zip(columns, values[:13], strict=True))
        row.update(device=device, prev_hash=prev)
        row["hash"] = entry_hash(row)
        prev = row["hash"]
        out.append(row)
    return out
