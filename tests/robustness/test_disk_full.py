"""Disk full, a write-protected stick and a stick pulled out mid-write: one clear line, nothing damaged, retry works.

The export target and the ward PC's own disk are size-limited tmpfs mounts, filled to a random few bytes
short of what the write needs. Whatever happens, the user sees one error line that names the folder and
what to do, the journal is exactly as before (it verifies, and nothing but the login was added), no
half-written file is left where the records office could pick it up, and once space is freed (or the stick
is back) the same command succeeds.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

import sync.export
from downtime.demo_data import generate_export
from downtime.disk_full import DiskFullError
from downtime.encrypted_db import open_encrypted
from downtime.home import Home
from downtime.session import login
from downtime.vault import open_secrets, unwrap_secret
from sync.bundle import SUFFIX
from sync.workspace import Workspace
from tests.conftest import NURSE_ID, NURSE_PIN, SUNITA
from tests.robustness.conftest import Campaign
from tests.robustness.mounts import fill, free_space, pull, require_root, set_read_only, tmpfs
from tests.robustness.soak import trials
from tests.robustness.storm import add_patients_at_once, run_cli
from tests.sync.conftest import PASSPHRASE, add_patients, device_key, make_office, make_ward, seal_to

pytestmark = pytest.mark.skipif(os.name != "posix", reason="tmpfs mounts are Linux")


def journal_state(home: Path) -> tuple[list[tuple[int, str, str]], bool]:
    """(seq, kind, hash) of every entry, and whether the chain verifies; logging in adds its own entry."""
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        rows = session.journal.db.execute("SELECT seq, kind, hash FROM entries ORDER BY seq").fetchall()
        return [tuple(r) for r in rows], session.journal.verify().ok
    finally:
        session.close()


def only_logins_added(before: list[tuple[int, str, str]], after: list[tuple[int, str, str]]) -> bool:
    """The failed command changed nothing: the old entries are all there, and it journaled only its login."""
    return after[:len(before)] == before and all(kind == "auth.login" for _, kind, _ in after[len(before):])


def one_error_line(stderr: str, *words: str) -> bool:
    lines = stderr.strip().splitlines()
    return len(lines) == 1 and lines[0].startswith("error: ") and all(w in lines[0] for w in words)


@pytest.fixture
def ward(tmp_path: Path) -> tuple[Path, Path]:
    """A ward PC with 150 patients, sealing to a records office that trusts it: (ward, office)."""
    require_root()
    office = make_office(tmp_path / "office")
    ward = make_ward(tmp_path / "ward")
    seal_to(ward, office)
    ws = Workspace.open(office, PASSPHRASE)
    ws.trust(device_key(ward))
    ws.close()
    add_patients_at_once(ward, 150)
    return ward, office


def _bundle_size(ward: Path, tmp_path: Path) -> int:
    out = tmp_path / "measure"
    out.mkdir()
    assert run_cli("--home", str(ward), "export", "--out", str(out), "--all").exit_code == 0
    (bundle,) = out.iterdir()
    return bundle.stat().st_size


def _imports(office: Path, bundle: Path) -> bool:
    ws = Workspace.open(office, PASSPHRASE)
    try:
        ws.import_file(bundle)
        return True
    finally:
        ws.close()


# -- the export target ------------------------------------------------------------------------------

def test_export_to_a_full_stick(ward: tuple[Path, Path], tmp_path: Path, campaign: Campaign) -> None:
    home, office = ward
    size = _bundle_size(home, tmp_path)
    rng = random.Random(5)
    failures, refused, notes = 0, 0, []
    n = trials(3, 40)
    with tmpfs(tmp_path / "stick", f"{(size * 3) // 1024 + 64}k") as stick:
        for trial in range(n):
            # Mostly short of space; now and then just enough, which must simply work.
            fill(stick, leave=rng.randint(0, size + 8192) if trial else 0)
            before, _ = journal_state(home)
            result = run_cli("--home", str(home), "export", "--out", str(stick), "--all")
            after, intact = journal_state(home)
            written = [p for p in stick.iterdir() if p.name != "filler.bin"]
            if result.exit_code == 0:
                ok = intact and len(written) == 1 and written[0].suffix == SUFFIX
            else:
                refused += 1
                ok = (one_error_line(result.stderr, str(stick), "export again") and intact
                      and only_logins_added(before, after) and not written)
            free_space(stick)
            retry = run_cli("--home", str(home), "export", "--out", str(stick), "--all")
            bundles = sorted(stick.glob(f"*{SUFFIX}"))
            ok = ok and retry.exit_code == 0 and bool(bundles) and _imports(office, bundles[-1])
            for path in stick.iterdir():
                path.unlink()
            if not ok:
                failures += 1
                notes.append(f"trial {trial}: {result.stderr.strip() or result.output.strip()}")
    campaign.record("disk full: export target", n, failures, "; ".join(notes[:1]))
    assert not failures, notes
    assert refused, "the stick never ran out of space; the test proves nothing"


def test_export_to_a_write_protected_stick(ward: tuple[Path, Path], tmp_path: Path, campaign: Campaign) -> None:
    home, office = ward
    with tmpfs(tmp_path / "stick", "4m") as stick:
        set_read_only(stick, True)
        before, _ = journal_state(home)
        result = run_cli("--home", str(home), "export", "--out", str(stick))
        after, intact = journal_state(home)
        ok = (result.exit_code == 1 and one_error_line(result.stderr, str(stick), "write-protected")
              and intact and only_logins_added(before, after))
        set_read_only(stick, False)  # the clerk slides the lock on the stick back
        retry = run_cli("--home", str(home), "export", "--out", str(stick))
        ok = ok and retry.exit_code == 0 and _imports(office, next(stick.glob(f"*{SUFFIX}")))
    campaign.record("read-only export target", 1, int(not ok), "" if ok else result.stderr.strip())
    assert ok, (result.stderr, retry.output)


PULL_POINTS = ("before the export", "before writing", "after writing", "before reading back")


def _pull_at(point: str, stick: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrange for the stick to be pulled out at ``point`` of the export that runs next."""
    if point == "before the export":
        pull(stick)
        return
    name = "_read_from_device" if point == "before reading back" else "_write_durably"
    original = getattr(sync.export, name)

    def pulled(*args: Any) -> Any:
        if point != "after writing":
            pull(stick)
        result = original(*args)
        if point == "after writing":
            pull(stick)
        return result

    monkeypatch.setattr(sync.export, name, pulled)


def _last_exported(home: Path) -> int:
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        row = session.journal.db.execute("SELECT payload FROM entries WHERE kind = 'bundle.export' "
                                         "ORDER BY seq DESC LIMIT 1").fetchone()
        return int(json.loads(row[0])["last_seq"]) if row else 0
    finally:
        session.close()


def test_stick_pulled_out_during_export(ward: tuple[Path, Path], tmp_path: Path, campaign: Campaign,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    home, office = ward
    stick_dir = tmp_path / "stick"
    rng = random.Random(13)
    n = trials(len(PULL_POINTS), 40)
    failures, notes = 0, []
    for trial in range(n):
        point = PULL_POINTS[trial] if trial < len(PULL_POINTS) else rng.choice(PULL_POINTS)
        add_patients_at_once(home, 5)
        first_unexported = _last_exported(home) + 1
        before, _ = journal_state(home)
        with tmpfs(stick_dir, "4m") as stick:
            _pull_at(point, stick, monkeypatch)
            result = run_cli("--home", str(home), "export", "--out", str(stick))
            monkeypatch.undo()
        after, intact = journal_state(home)
        ok = (result.exit_code == 1 and one_error_line(result.stderr, str(stick_dir), "USB stick")
              and intact and only_logins_added(before, after))
        with tmpfs(stick_dir, "4m") as stick:  # plugged in again
            retry = run_cli("--home", str(home), "export", "--out", str(stick))
            bundles = list(stick.glob(f"*{SUFFIX}"))
            # The pulled export marked nothing as exported, so the retry starts where the last good one ended.
            ok = (ok and retry.exit_code == 0 and len(bundles) == 1 and _imports(office, bundles[0])
                  and f"seq {first_unexported}–" in retry.output)
        if not ok:
            failures += 1
            notes.append(f"{point}: {result.stderr.strip() or result.output.strip()} | {retry.output.strip()}")
    campaign.record("pulled stick during export", n, failures, "; ".join(notes[:1]))
    assert not failures, notes


# -- the ward PC's own disk -------------------------------------------------------------------------

def test_a_full_ward_pc_disk(tmp_path: Path, campaign: Campaign) -> None:
    rng = random.Random(11)
    patient = tmp_path / "patient.json"
    patient.write_text('{"name": "Asha Devi", "sex": "female", "age_years": 30}', encoding="utf-8")
    export = tmp_path / "hmis"
    generate_export(export, patients=300, inpatients=10, seed=4)
    n = trials(1, 40)
    failures, refused, notes = 0, 0, []
    with tmpfs(tmp_path / "disk", "24m") as disk:
        home = make_ward(disk / "home")
        add_patients(home, 20)
        assert run_cli("--home", str(home), "snapshot", "import", str(export)).exit_code == 0
        snapshot_before = Home(home).snapshot_info()
        acknowledged: set[str] = set()
        for trial in range(n):
            before = journal_rows_without_login(home)
            fill(disk, leave=rng.randint(0, 48 * 1024) if trial else 0)
            add = run_cli("--home", str(home), "entry", "add", "patient.register", "--json", str(patient))
            snap = run_cli("--home", str(home), "snapshot", "import", str(export))
            free_space(disk)
            ok = True
            if add.exit_code == 0:
                acknowledged.add(add.stdout.split()[1])
            else:
                refused += 1
                ok = one_error_line(add.stderr, str(home), "full", "free some space")
            if snap.exit_code != 0:
                ok = ok and one_error_line(snap.stderr, str(home), "full", "free some space")
                ok = ok and Home(home).snapshot_info() == snapshot_before  # the previous snapshot still in use
                ok = ok and run_cli("--home", str(home), "snapshot", "import", str(export)).exit_code == 0
            after, intact = journal_state(home)
            ok = ok and intact and after[:len(before)] == before
            stored = {uuid for (uuid,) in _uuids(home)}
            ok = ok and acknowledged <= stored
            retry = run_cli("--home", str(home), "entry", "add", "patient.register", "--json", str(patient))
            ok = ok and retry.exit_code == 0
            if retry.exit_code == 0:
                acknowledged.add(retry.stdout.split()[1])
            snapshot_before = Home(home).snapshot_info()
            current = Home(home).snapshot_info()["generation"]  # type: ignore[index]
            stray = [p.name for p in home.iterdir() if ".tmp-" in p.name] + [
                p.name for p in (home / "snapshots").iterdir() if not p.name.startswith((current, "import."))]
            ok = ok and not stray
            if not ok:
                failures += 1
                notes.append(f"trial {trial}: {add.stderr.strip()} | {snap.stderr.strip()} | stray {stray}")
    campaign.record("disk full: ward PC disk", n, failures, "; ".join(notes[:1]))
    assert not failures, notes
    assert refused, "the disk never ran out of space; the test proves nothing"


def journal_rows_without_login(home: Path) -> list[tuple[int, str, str]]:
    """The journal as it stands, read without logging in (a login writes to it)."""
    h = Home(home)
    vault_key = unwrap_secret(h.load_keyring()["staff"][NURSE_ID]["wrap"], NURSE_PIN)
    db = open_encrypted(h.journal_path, open_secrets(h.vault_path, vault_key).db_key)
    try:
        return [tuple(r) for r in db.execute("SELECT seq, kind, hash FROM entries ORDER BY seq")]
    finally:
        db.close()


def _uuids(home: Path) -> list[tuple[str]]:
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        return session.journal.db.execute("SELECT uuid FROM entries").fetchall()
    finally:
        session.close()


def test_an_open_session_when_the_disk_fills(tmp_path: Path, campaign: Campaign) -> None:
    """The app stays open while the disk fills: saving says so in words, and works again once there is room."""
    with tmpfs(tmp_path / "disk", "8m") as disk:
        home = make_ward(disk / "home")
        session = login(home, NURSE_ID, NURSE_PIN)
        try:
            before = session.journal.db.execute("SELECT count(*) FROM entries").fetchone()[0]
            fill(disk)
            with pytest.raises(DiskFullError, match=f"{home}.*full.*free some space") as caught:
                for _ in range(200):  # the write-ahead log has a little room left in pages already taken
                    session.record("patient.register", SUNITA)
            saved = session.journal.db.execute("SELECT count(*) FROM entries").fetchone()[0]
            free_space(disk)
            entry = session.record("patient.register", SUNITA)
            ok = session.journal.verify().ok and session.journal.get(entry.uuid).seq == saved + 1
        finally:
            session.close()
    campaign.record("disk full: open session", 1, int(not ok), str(caught.value) if not ok else "")
    assert ok and saved >= before


def test_opening_the_journal_on_a_full_disk_says_so(tmp_path: Path) -> None:
    """SQLite cannot open a WAL database without room for its shared-memory file: that is a full disk, not
    a damaged journal or a wrong key, and the message must say so."""
    with tmpfs(tmp_path / "disk", "8m") as disk:
        home = Home(make_ward(disk / "home"))
        vault_key = unwrap_secret(home.load_keyring()["staff"][NURSE_ID]["wrap"], NURSE_PIN)
        key = open_secrets(home.vault_path, vault_key).db_key
        fill(disk)
        with pytest.raises(DiskFullError, match=f"{home.path} is full"):
            open_encrypted(home.journal_path, key).close()
        free_space(disk)
        open_encrypted(home.journal_path, key).close()
