"""A ward PC that will not boot: its copied journal imports with an admin PIN, with the same checks and result."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from downtime.errors import DowntimeError
from downtime.vault import WrongPinError
from sync.recover import recover_journal
from sync.status import workspace_status
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN, NURSE_ID, NURSE_PIN
from tests.sync.conftest import add_patients, export, workspace_rows


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_recovered_journal_imports_like_a_bundle_and_the_copy_is_untouched(ward: Path, ws: Workspace, usb: Path,
                                                                           tmp_path: Path) -> None:
    add_patients(ward, 3)
    ws.import_file(export(ward, usb).path)
    add_patients(ward, 4)  # written after the last bundle: only the disk has these
    copy = tmp_path / "from-dead-pc"
    shutil.copytree(ward, copy, ignore=shutil.ignore_patterns("logs", "snapshots"))
    before = _digests(copy)
    result = recover_journal(ws, copy, ADMIN_ID, ADMIN_PIN)
    assert result.first_seq == 1 and result.new == 4 + 2  # the patients, a login, the export mark
    assert result.duplicates == result.last_seq - result.new
    assert _digests(copy) == before
    # Its downtime never ended (the PC died), but nothing can come after its whole journal.
    status = next(d for d in workspace_status(ws).devices if d.device == "W7-PC2")
    assert status.downtime_open and status.journal_recovered and status.complete
    assert ws.db.execute("SELECT source FROM bundles ORDER BY imported_at DESC, rowid DESC").fetchone()[0] == "journal"


def test_recovery_needs_an_admin_pin_of_that_pc(ward: Path, ws: Workspace, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(ward, copy)
    before = workspace_rows(ws)
    with pytest.raises(DowntimeError, match="not an admin of W7-PC2"):
        recover_journal(ws, copy, NURSE_ID, NURSE_PIN)
    with pytest.raises(WrongPinError):
        recover_journal(ws, copy, ADMIN_ID, "135792")
    assert workspace_rows(ws) == before


def test_recovery_names_the_missing_files(ws: Workspace, ward: Path, tmp_path: Path) -> None:
    copy = tmp_path / "only-the-journal"
    copy.mkdir()
    shutil.copy(ward / "journal.db", copy)
    with pytest.raises(DowntimeError, match="lacks device.json, keyring.json, vault.bin"):
        recover_journal(ws, copy, ADMIN_ID, ADMIN_PIN)
