"""Keys and PINs: lockout and its end, a wrong records-office passphrase, and a ward PC whose key is lost.

The lost key is recovered exactly as docs/SECURITY.md and the IT and records-office guides say, through
the commands they show: the PC is re-staged under a device code of its own, the office trusts the new key
from the plan, and the old PC's bundles still on sticks import as before.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest

from downtime.auth import LockedOutError
from downtime.home import Home
from downtime.session import login
from downtime.vault import WrongPinError, b64
from sync.office import WrongPassphraseError, office_key_file
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN, NURSE_ID, NURSE_PIN
from tests.robustness.conftest import Campaign
from tests.robustness.pc_clock import Clock
from tests.robustness.soak import trials
from tests.robustness.storm import run_cli
from tests.sync.conftest import PASSPHRASE, add_patients, device_key, export, make_office, seal_to

WRONG_PIN = "111222"


# -- lockout -----------------------------------------------------------------------------------------

def _set_lockout(home: Path, minutes: float) -> None:
    h = Home(home)
    config = h.load_config()
    config.settings["lockout_minutes"] = minutes
    h.save_config(config)


def test_five_wrong_pins_lock_out_until_the_configured_time_has_passed(home: Path, pc_clock: Clock,
                                                                        campaign: Campaign) -> None:
    rng = random.Random(5)
    failures, notes = 0, []
    n = trials(2, 30)
    for trial in range(n):
        minutes = rng.choice((1, 5, 15, 60))
        _set_lockout(home, minutes)
        problems = []
        for left in (4, 3, 2, 1):
            try:
                login(home, NURSE_ID, WRONG_PIN)
                problems.append("a wrong PIN logged in")
            except WrongPinError as exc:
                if f"{left} tr" not in str(exc):
                    problems.append(f"wrong count of tries left: {exc}")
        for pin in (WRONG_PIN, NURSE_PIN):  # the fifth wrong PIN locks; then even the right one waits
            with pytest.raises(LockedOutError):
                login(home, NURSE_ID, pin)
        pc_clock.set(minutes=pc_clock.offset.total_seconds() / 60 + minutes * rng.uniform(0.1, 0.95))
        try:
            login(home, NURSE_ID, NURSE_PIN).close()
            problems.append(f"the lock of {minutes} min ended early")
        except LockedOutError:
            pass
        pc_clock.set(minutes=pc_clock.offset.total_seconds() / 60 + minutes + 1)
        try:
            login(home, NURSE_ID, NURSE_PIN).close()
        except LockedOutError as exc:
            problems.append(f"still locked after {minutes} min: {exc}")
        if problems:
            failures += 1
            notes.append(f"trial {trial}: {problems}")
    admin = login(home, ADMIN_ID, ADMIN_PIN)
    kinds = [e.kind for e in admin.journal.entries()]
    admin.close()
    # Every wrong PIN and every lockout is in the journal: five failures and one lock per trial.
    journaled = kinds.count("auth.login_failed") == 5 * n and kinds.count("auth.lockout") == n
    campaign.record("keys: PIN lockout", n, failures + int(not journaled), "; ".join(notes[:1]))
    assert not failures and journaled, notes


def test_a_clock_set_back_after_a_lockout_does_not_lock_for_days(home: Path, pc_clock: Clock) -> None:
    pc_clock.set(days=3)  # the clock ran days ahead when the PINs were mistyped
    for _ in range(5):
        with pytest.raises((WrongPinError, LockedOutError)):
            login(home, NURSE_ID, WRONG_PIN)
    with pytest.raises(LockedOutError):
        login(home, NURSE_ID, NURSE_PIN)
    pc_clock.set(days=0)  # IT corrects the clock: the lock is no longer than the 15 minutes it was set for
    login(home, NURSE_ID, NURSE_PIN).close()
    # The failures were journaled at that login, although their times are now "in the future".
    admin = login(home, ADMIN_ID, ADMIN_PIN)
    kinds = [e.kind for e in admin.journal.entries()]
    admin.close()
    assert kinds.count("auth.login_failed") == 5 and kinds.count("auth.lockout") == 1


# -- the records-office passphrase -------------------------------------------------------------------

def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "logs" not in p.parts}


def test_a_wrong_office_passphrase_changes_nothing(home: Path, tmp_path: Path, campaign: Campaign) -> None:
    office = tmp_path / "office"
    made = run_cli("--home", str(office), "init", "--site", "AIIMS New Delhi", "--device", "RO-PC1",
                   "--records-office", staff=ADMIN_ID, pin=ADMIN_PIN, DOWNTIME_PASSPHRASE=PASSPHRASE)
    assert made.exit_code == 0, made.output  # without --block: the office takes the last block, 999
    seal_to(home, office)
    ws = Workspace.open(office, PASSPHRASE)
    ws.trust(device_key(home))
    ws.close()
    add_patients(home, 5)
    stick = tmp_path / "stick"
    stick.mkdir()
    export(home, stick)
    before = _digests(office)
    problems = []
    for command in (("reconcile", "import", str(stick)), ("reconcile", "status"), ("reconcile", "recover", str(home))):
        result = run_cli("--home", str(office), *command, staff=ADMIN_ID, pin=ADMIN_PIN,
                         DOWNTIME_PASSPHRASE="seven wards of glass")
        lines = result.stderr.strip().splitlines()
        if result.exit_code != 1 or len(lines) != 1 or "wrong records-office passphrase" not in lines[0]:
            problems.append(f"{command[1]}: exit {result.exit_code}: {result.stderr.strip()}")
    with pytest.raises(WrongPassphraseError, match="DOWNTIME_PASSPHRASE"):
        Workspace.open(office, "Seven wards of paper")
    if _digests(office) != before:
        problems.append("a wrong passphrase changed the office's files")
    right = run_cli("--home", str(office), "reconcile", "import", str(stick), DOWNTIME_PASSPHRASE=PASSPHRASE)
    if right.exit_code != 0:
        problems.append(f"the right passphrase then fails: {right.output}")
    campaign.record("keys: wrong office passphrase", 3, int(bool(problems)), "; ".join(problems))
    assert not problems, problems


# -- a lost device key -------------------------------------------------------------------------------

SITE = """
[site]
name = "AIIMS New Delhi"
code = "AIIMS"

[[wards]]
code = "W7"
name = "Medicine Ward 7"
{devices}
[[staff]]
id = "ADMIN1"
name = "IT Admin"
role = "admin"
setup_code = "503917"

[[staff]]
id = "N1042"
name = "Kavita Sharma"
role = "ward"
setup_code = "731946"

[records_office]
public_key = "{office_key}"
"""
STAGING = {"DOWNTIME_STAGING_PASSPHRASE": "monsoon-ward-7-staging"}
OFFICE = {"DOWNTIME_PASSPHRASE": PASSPHRASE}


def _site_file(folder: Path, office: Path, devices: list[str]) -> Path:
    path = folder / "site.toml"
    rows = "".join(f'\n[[devices]]\ncode = "{d}"\nward = "W7"\n' for d in devices)
    path.write_text(SITE.format(devices=rows, office_key=b64(office_key_file(Home(office)).key)), "utf-8")
    return path


def _stage(it: Path, device: str, pc: Path) -> None:
    """IT packages ``device`` and applies it on the PC; the admin and the nurse choose their PINs."""
    package = it / f"{device}.dtpkg"
    result = run_cli("stage", "package", "--site", str(it / "site.toml"), "--device", device, "--out", str(package),
                     **STAGING)
    assert result.exit_code == 0, result.output
    assert run_cli("--home", str(pc), "stage", "apply", str(package), **STAGING).exit_code == 0
    for staff, code, pin in ((ADMIN_ID, "503917", ADMIN_PIN), (NURSE_ID, "731946", NURSE_PIN)):
        chosen = run_cli("--home", str(pc), "staff", "set-pin", "--pin-env", "NEW_PIN", staff=staff, pin=code,
                         NEW_PIN=pin)
        assert chosen.exit_code == 0, chosen.output
    assert run_cli("--home", str(pc), "event", "start", "--reason", "HMIS down", staff=ADMIN_ID,
                   pin=ADMIN_PIN).exit_code == 0


def _record_and_export(pc: Path, count: int, stick: Path) -> str:
    add_patients(pc, count)
    stick.mkdir()
    result = run_cli("--home", str(pc), "export", "--out", str(stick))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_lost_device_key_is_recovered_as_documented(tmp_path: Path, campaign: Campaign) -> None:
    it = tmp_path / "it"
    it.mkdir()
    office = make_office(tmp_path / "office")
    _site_file(it, office, ["W7-PC1", "W7-PC2"])
    assert run_cli("stage", "plan", "--site", str(it / "site.toml"), "--devices", "2").exit_code == 0
    old_pc = tmp_path / "w7-pc2"
    _stage(it, "W7-PC2", old_pc)
    assert run_cli("--home", str(office), "reconcile", "trust", str(it / "plan.json"), **OFFICE).exit_code == 0
    _record_and_export(old_pc, 4, tmp_path / "stick-1")
    assert run_cli("--home", str(office), "reconcile", "import", str(tmp_path / "stick-1"), **OFFICE).exit_code == 0
    _record_and_export(old_pc, 3, tmp_path / "stick-2")  # still on its way to the office

    shutil.rmtree(old_pc)  # the PC is gone (stolen, or its disk died), and its key with it

    # The tempting shortcut: packaging the same device again would reuse its ID block. It is refused.
    again = run_cli("stage", "package", "--site", str(it / "site.toml"), "--device", "W7-PC2", "--out",
                    str(it / "again.dtpkg"), **STAGING)
    refused = again.exit_code == 1 and "needs a device code of its own" in again.stderr
    # The documented path: a device code of its own for the replacement PC, then trust the plan again.
    _site_file(it, office, ["W7-PC1", "W7-PC2", "W7-PC3"])
    assert run_cli("stage", "plan", "--site", str(it / "site.toml"), "--devices", "3").exit_code == 0
    new_pc = tmp_path / "w7-pc3"
    _stage(it, "W7-PC3", new_pc)
    _record_and_export(new_pc, 5, tmp_path / "stick-3")
    trust = run_cli("--home", str(office), "reconcile", "trust", str(it / "plan.json"), **OFFICE)
    imported = run_cli("--home", str(office), "reconcile", "import", str(tmp_path / "stick-2"),
                       str(tmp_path / "stick-3"), **OFFICE)
    status = run_cli("--home", str(office), "reconcile", "status", **OFFICE)

    ws = Workspace.open(office, PASSPHRASE)
    try:
        ids = [h for (h,) in ws.db.execute("SELECT human_id FROM entries WHERE kind = 'patient.register'")]
        held = dict(ws.db.execute("SELECT device, count(*) FROM entries GROUP BY device").fetchall())
        conflicts = ws.db.execute("SELECT count(*) FROM conflicts").fetchone()[0]
    finally:
        ws.close()
    problems = [text for ok, text in (
        (refused, f"packaging W7-PC2 again was not refused: {again.output}"),
        (trust.exit_code == 0 and "device W7-PC3 trusted" in trust.output, f"trust: {trust.output}"),
        (imported.exit_code == 0, f"import of the old PC's last bundle and the new PC's: {imported.output}"),
        (len(ids) == 12 and len(set(ids)) == 12, f"downtime IDs collide: {sorted(ids)}"),
        ({"W7-PC2", "W7-PC3"} <= set(held) and conflicts == 0, f"held {held}, {conflicts} conflicts"),
        (status.exit_code == 0 and "W7-PC2" in status.output and "W7-PC3" in status.output, status.output),
    ) if not ok]
    campaign.record("keys: lost device key", 1, int(bool(problems)), "; ".join(problems))
    assert not problems, problems
