"""Power loss: SIGKILL storms during entry writes, export, snapshot import and reconciliation import.

After every kill, whatever was acknowledged is still there, each database passes SQLite's integrity_check,
the journal chain verifies through ``downtime journal verify``, and the program starts again cleanly: a
fresh login works, and the interrupted operation succeeds when run again.

"Acknowledged" means, per operation: an entry whose write returned (its ID was printed); a bundle that
``downtime export`` reported writing; a snapshot import that finished (the command printed its summary);
a bundle that ``downtime reconcile import`` reported importing.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import pytest

from downtime.demo_data import generate_export
from downtime.home import Home
from downtime.journal import HASHED_FIELDS, entry_hash
from downtime.session import login
from downtime.snapshot_store import SNAPSHOT_DIR, snapshot_files, snapshot_key
from sync.office import OfficePaths, unlock_office
from sync.workspace import Workspace
from tests.conftest import NURSE_ID, NURSE_PIN, SUNITA
from tests.robustness.conftest import Campaign
from tests.robustness.soak import trials
from tests.robustness.storm import add_patients_at_once, cli_in_child, integrity, kill_during, run_cli
from tests.sync.conftest import PASSPHRASE, device_key, export, make_office, make_ward, seal_to

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")
ROOT = Path(__file__).resolve().parents[2]
OFFICE_ENV = {"DOWNTIME_PASSPHRASE": PASSPHRASE}


# -- what must hold on a ward PC after any kill ------------------------------------------------------

def ward_problems(home: Path, acknowledged: set[str]) -> list[str]:
    """Everything that does not hold on the ward PC; [] when it restarts clean with nothing lost."""
    problems = []
    verify = run_cli("--home", str(home), "journal", "verify")  # a fresh login, then the chain
    if verify.exit_code != 0:
        problems.append(f"journal verify: {verify.output.strip()}")
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        stored = {uuid for (uuid,) in session.journal.db.execute("SELECT uuid FROM entries")}
        key = session.secrets.db_key
    finally:
        session.close()
    if (status := integrity(home / "journal.db", key)) != "ok":
        problems.append(f"journal.db integrity_check: {status}")
    if lost := acknowledged - stored:
        problems.append(f"{len(lost)} acknowledged entries lost")
    return problems


def _tally(campaign: Campaign, name: str, problems_per_trial: list[list[str]]) -> None:
    failed = [p for p in problems_per_trial if p]
    campaign.record(name, len(problems_per_trial), len(failed), "; ".join(failed[0]) if failed else "")
    assert not failed, failed[:3]


def _patient_file(tmp_path: Path) -> Path:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(SUNITA), encoding="utf-8")
    return path


# -- (a) entry writes -------------------------------------------------------------------------------

def _writer_killed_after(home: Path, delay: float) -> list[str]:
    """tests/crash_writer.py, SIGKILLed ``delay`` s after its first acknowledged entry: the uuids it printed."""
    env = {**os.environ, "DOWNTIME_STAFF": NURSE_ID, "DOWNTIME_PIN": NURSE_PIN, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "crash_writer.py"), str(home)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    acknowledged: list[str] = []
    first = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            acknowledged.append(line.split()[0])
            first.set()

    reader = threading.Thread(target=read)
    reader.start()
    first.wait(timeout=60)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    reader.join()
    return acknowledged


def test_kills_during_entry_writes(home: Path, tmp_path: Path, campaign: Campaign) -> None:
    rng = random.Random(8)
    patient = _patient_file(tmp_path)
    acknowledged: set[str] = set()
    outcomes = []
    for _ in range(trials(3, 120)):
        acknowledged |= set(_writer_killed_after(home, rng.uniform(0.0, 0.3)))
        problems = ward_problems(home, acknowledged)
        again = run_cli("--home", str(home), "entry", "add", "patient.register", "--json", str(patient))
        if again.exit_code != 0:
            problems.append(f"entry add after the kill: {again.output.strip()}")
        outcomes.append(problems)
    assert len(acknowledged) > len(outcomes), "the writer barely wrote; the storm proves nothing"
    _tally(campaign, "power loss: entry writes", outcomes)


# -- (b) downtime export ----------------------------------------------------------------------------

@pytest.fixture
def sealed_ward(home: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The ward PC of tests/conftest.py, sealing to a records office that trusts it: (ward, office)."""
    office = make_office(tmp_path / "office")
    seal_to(home, office)
    ws = Workspace.open(office, PASSPHRASE)
    ws.trust(device_key(home))
    ws.close()
    return home, office


def _export_cycles(home: Path, usb: Path, patient: Path) -> None:
    """The storm child: staff keep recording while someone exports, new entries and then everything."""
    while True:
        for _ in range(2):
            cli_in_child("--home", str(home), "entry", "add", "patient.register", "--json", str(patient))
        cli_in_child("--home", str(home), "export", "--out", str(usb))
        cli_in_child("--home", str(home), "export", "--out", str(usb), "--all")


def test_kills_during_export(sealed_ward: tuple[Path, Path], tmp_path: Path, campaign: Campaign) -> None:
    ward, office = sealed_ward
    add_patients_at_once(ward, 300)  # bundles big enough that kills land inside writing and reading back
    usb = tmp_path / "usb"
    usb.mkdir()
    patient = _patient_file(tmp_path)
    rng = random.Random(22)
    entries: set[str] = set()
    bundles: set[str] = set()
    outcomes = []
    for _ in range(trials(4, 150)):
        lines = kill_during(lambda: _export_cycles(ward, usb, patient), rng.uniform(0.05, 0.8))
        entries |= {line.split()[1] for line in lines if line.startswith("AIIMS-")}
        bundles |= {line.split()[1].rstrip(":") for line in lines if line.startswith("wrote ")}
        problems = ward_problems(ward, entries)
        if missing := [name for name in bundles if not (usb / name).is_file()]:
            problems.append(f"reported bundles missing from the stick: {missing}")
        run_cli("--home", str(ward), "entry", "add", "patient.register", "--json", str(patient))
        again = run_cli("--home", str(ward), "export", "--out", str(usb))
        if again.exit_code != 0 or not again.output.startswith("wrote "):
            problems.append(f"export after the kill: {again.output.strip()}")
        outcomes.append(problems)
    assert bundles, "no export finished between the kills; the storm proves little"

    # The office takes the stick as it is: every finished bundle imports, a .partial is never picked up.
    result = run_cli("--home", str(office), "reconcile", "import", str(usb), **OFFICE_ENV)
    if result.exit_code != 0:
        outcomes.append([f"reconcile import of the stick: {result.output.strip()[-300:]}"])
    session = login(ward, NURSE_ID, NURSE_PIN)
    journal = dict(session.journal.db.execute("SELECT seq, hash FROM entries"))
    exported = json.loads(session.journal.db.execute("SELECT payload FROM entries WHERE kind = 'bundle.export' "
                                                     "ORDER BY seq DESC LIMIT 1").fetchone()[0])["last_seq"]
    session.close()
    ws = Workspace.open(office, PASSPHRASE)
    held = dict(ws.db.execute("SELECT seq, hash FROM entries WHERE device = 'W7-PC2'").fetchall())
    ws.close()
    # Up to the last export: an exact, gapless prefix of the journal, nothing missing, nothing invented.
    if held != {seq: journal[seq] for seq in range(1, exported + 1)}:
        outcomes.append([f"the office holds seq 1-{max(held, default=0)} ({len(held)} entries) of the journal's "
                         + f"exported 1-{exported}, or other content"])
    _tally(campaign, "power loss: export", outcomes)


# -- (c) snapshot import ----------------------------------------------------------------------------

def _snapshot_cycles(home: Path, exports: list[Path]) -> None:
    while True:
        for path in exports:
            if cli_in_child("--home", str(home), "snapshot", "import", str(path)):
                print(f"imported {path.name}")


def _snapshot_problems(home: Path, last_done: str | None, exports: list[Path], patients: dict[str, int]) -> list[str]:
    """The snapshot in use is whole and is the last import that finished (or the one after it)."""
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        info = Home(home).snapshot_info()
        if last_done is None and info is None:
            return []
        if info is None or session.snapshot is None:
            return ["no snapshot in use after an import finished"]
        files = snapshot_files(Home(home))
        assert files is not None
        key = snapshot_key(Home(home), session.secrets.sealing_key)
        assert key is not None
        count = session.snapshot.db.execute("SELECT count(*) FROM patients").fetchone()[0]
    finally:
        session.close()
    problems = []
    if (status := integrity(files[0], key)) != "ok":
        problems.append(f"snapshot integrity_check: {status}")
    if count != info["counts"]["patients"]:
        problems.append(f"the snapshot holds {count} patients, snapshot.json says {info['counts']['patients']}")
    names = [p.name for p in exports]
    allowed = {patients[n] for n in names} if last_done is None else {
        patients[last_done], patients[names[(names.index(last_done) + 1) % len(names)]]}
    if count not in allowed:
        problems.append(f"the snapshot in use ({count} patients) is older than the last import that finished")
    return problems


def test_kills_during_snapshot_import(home: Path, tmp_path: Path, campaign: Campaign) -> None:
    exports = [tmp_path / "export-a", tmp_path / "export-b"]
    patients = {}
    for n, path in zip((1500, 2500), exports, strict=True):  # imported whole once: what each one holds
        generate_export(path, patients=n, inpatients=30, seed=n)
        assert run_cli("--home", str(home), "snapshot", "import", str(path)).exit_code == 0
        patients[path.name] = Home(home).snapshot_info()["counts"]["patients"]  # type: ignore[index]
    rng = random.Random(19)
    last_done: str | None = exports[-1].name
    outcomes = []
    for _ in range(trials(4, 80)):
        lines = kill_during(lambda: _snapshot_cycles(home, exports), rng.uniform(0.02, 0.6))
        done = [line.split()[1] for line in lines if line.startswith("imported ")]
        last_done = done[-1] if done else last_done
        problems = ward_problems(home, set()) + _snapshot_problems(home, last_done, exports, patients)
        again = run_cli("--home", str(home), "snapshot", "import", str(exports[0]))
        if again.exit_code != 0:
            problems.append(f"snapshot import after the kill: {again.output.strip()}")
        last_done = exports[0].name
        generation = Home(home).snapshot_info()["generation"]  # type: ignore[index]  # the import just ran
        leftovers = sorted(p.name for p in (home / SNAPSHOT_DIR).iterdir()
                           if not p.name.startswith((f"{generation}.", "import.")))
        if leftovers:
            problems.append(f"files of killed imports were left behind: {leftovers}")
        outcomes.append(problems)
    _tally(campaign, "power loss: snapshot import", outcomes)


# -- (d) reconcile import ---------------------------------------------------------------------------

@pytest.fixture
def bundles_for_office(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A records office that trusts two ward PCs, and eight bundles of theirs that it has not imported."""
    office = make_office(tmp_path / "office")
    stick = tmp_path / "stick"
    stick.mkdir()
    ws = Workspace.open(office, PASSPHRASE)
    for device, block in (("W7-PC2", 7), ("W3-PC1", 3)):
        ward = make_ward(tmp_path / device, device=device, block=block)
        seal_to(ward, office)
        ws.trust(device_key(ward))
        for _ in range(4):
            add_patients_at_once(ward, 150)
            export(ward, stick)
    ws.close()
    return office, sorted(stick.iterdir())


def workspace_problems(office: Path, acknowledged: list[str], bundle_seqs: dict[str, tuple[str, int, int]]) -> list[str]:
    """The workspace after a kill: intact, holding every acknowledged bundle, and made of whole imports only."""
    secrets = unlock_office(Home(office), PASSPHRASE)
    problems = []
    if (status := integrity(OfficePaths(office).workspace, secrets.db_key)) != "ok":
        return [f"workspace.db integrity_check: {status}"]
    ws = Workspace.open(office, PASSPHRASE)
    try:
        held = {(r["device"], r["seq"]): r for r in ws.db.query("SELECT * FROM entries")}
        imports = list(ws.db.query("SELECT bundle_id, device, first_seq, last_seq FROM bundles"))
    finally:
        ws.close()
    for name in acknowledged:
        device, first, last = bundle_seqs[name]
        if any((device, seq) not in held for seq in range(first, last + 1)):
            problems.append(f"{name} was reported imported but its entries are not all there")
    ids = {b["bundle_id"] for b in imports}
    if strays := [key for key, row in held.items() if row["bundle_id"] not in ids]:
        problems.append(f"{len(strays)} entries belong to no recorded import")
    for b in imports:  # each import is one transaction: all of its range, or none of it
        if any((b["device"], seq) not in held for seq in range(b["first_seq"], b["last_seq"] + 1)):
            problems.append(f"import {b['bundle_id']} is recorded but part of its range is missing")
    for (device, seq), row in held.items():
        if entry_hash({k: row[k] for k in HASHED_FIELDS}) != row["hash"]:
            problems.append(f"{device} seq {seq} does not match its own hash")
        before = held.get((device, seq - 1))
        if before and row["prev_hash"] != before["hash"]:
            problems.append(f"{device} seq {seq} does not follow seq {seq - 1}")
    return problems


def test_kills_during_reconcile_import(bundles_for_office: tuple[Path, list[Path]], tmp_path: Path,
                                       campaign: Campaign) -> None:
    pristine, files = bundles_for_office
    args = ["reconcile", "import", *map(str, files)]
    # One whole run first: how long it takes (to aim the kills) and what the workspace ends up holding.
    whole = tmp_path / "whole"
    shutil.copytree(pristine, whole)
    started = time.monotonic()
    result = run_cli("--home", str(whole), *args, **OFFICE_ENV)
    took = time.monotonic() - started
    assert result.exit_code == 0, result.output
    bundle_seqs = {}
    for line in result.output.splitlines():  # NAME.dtb: device W7-PC2: seq 1–152: ...
        name, _, rest = line.partition(": device ")
        device, _, seqs = rest.partition(": seq ")
        first, last = seqs.split(":")[0].split("–")
        bundle_seqs[name] = (device, int(first), int(last))
    assert len(bundle_seqs) == len(files)
    expected = _entries(whole)

    rng = random.Random(7)
    outcomes = []
    for n in range(trials(3, 100)):
        office = tmp_path / f"office-{n}"
        shutil.copytree(pristine, office)
        lines = kill_during(partial(cli_in_child, "--home", str(office), *args, **OFFICE_ENV),
                            rng.uniform(0.0, took * 1.05))
        acknowledged = [line.split(": device ")[0] for line in lines if ": device " in line]
        problems = workspace_problems(office, acknowledged, bundle_seqs)
        again = run_cli("--home", str(office), *args, **OFFICE_ENV)
        if again.exit_code != 0:
            problems.append(f"reconcile import after the kill: {again.output.strip()[-300:]}")
        elif _entries(office) != expected:
            problems.append("the import run again does not end where an uninterrupted one does")
        if run_cli("--home", str(office), "reconcile", "status", **OFFICE_ENV).exit_code != 0:
            problems.append("reconcile status fails after the kill")
        outcomes.append(problems)
        shutil.rmtree(office)
    _tally(campaign, "power loss: reconcile import", outcomes)


def _entries(office: Path) -> set[tuple[str, int, str]]:
    ws = Workspace.open(office, PASSPHRASE)
    try:
        return set(ws.db.execute("SELECT device, seq, hash FROM entries").fetchall())
    finally:
        ws.close()
