"""Pulled USB stick: kill the exporting process at random moments; no file may import as valid but partial."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest

from downtime.journal import write_transaction
from downtime.session import login
from sync.bundle import SUFFIX, BundleRejected
from sync.export import PARTIAL, export_bundle
from sync.workspace import Workspace
from tests.conftest import NURSE_ID, NURSE_PIN, SUNITA
from tests.sync.conftest import nurse_session

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")
KILLS = 30


def _export_forever(home: Path, usb: Path, report: int) -> None:
    """The exporting process: logs in and writes full bundles until it is killed."""
    session = login(home, NURSE_ID, NURSE_PIN)
    while True:
        result = export_bundle(session, usb, full=True)
        os.write(report, f"{result.path.name}\n".encode())


def _fill(home: Path, count: int) -> None:
    session = nurse_session(home)
    try:
        with write_transaction(session.journal.db):  # one commit: the set-up is not what is tested
            for i in range(count):
                session.record("patient.register", {**SUNITA, "name": f"Patient {i}"})
    finally:
        session.close()


def _export_and_kill(home: Path, usb: Path, delay: float) -> list[str]:
    # A forked child already has the toolkit imported, so the kill lands on the export, not on start-up.
    read, write = os.pipe()
    child = multiprocessing.get_context("fork").Process(target=_export_forever, args=(home, usb, write))
    child.start()
    os.close(write)
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    with os.fdopen(read) as reported:
        return reported.read().split()


def test_killing_the_export_never_leaves_a_valid_partial_bundle(ward: Path, ws: Workspace, usb: Path,
                                                                 tmp_path: Path) -> None:
    _fill(ward, 500)
    rng = random.Random(2022)
    reported: list[str] = []
    for run in range(KILLS):
        # Unlocking takes about 0.05 s; after that the child writes a bundle every 0.05 s or so.
        reported += _export_and_kill(ward, usb, rng.uniform(0.03, 0.15))
        taken = tmp_path / "office-desk" / f"stick-{run}"  # the stick is pulled and carried off as it is
        taken.mkdir(parents=True)
        for f in usb.iterdir():
            shutil.move(f, taken / f.name)
    files = sorted((tmp_path / "office-desk").glob("*/*"))
    partial = [f for f in files if f.name.endswith(PARTIAL)]
    complete = [f for f in files if f.suffix == SUFFIX]
    assert {f.name for f in complete} >= set(reported), "a bundle reported as written is missing"
    assert len(complete) >= 5 and partial, "the kills missed the interesting moments; the test proves little"

    for path in files:
        try:
            result = ws.import_file(path)
        except BundleRejected:
            assert path in partial, f"{path.name} was renamed into place but does not import"
            continue
        # A .partial that imports was killed after it was fully written (during the read-back): it is whole.
        assert result.first_seq == 1 and result.conflicts == 0

    session = nurse_session(ward)
    try:
        assert session.journal.verify().ok
        journal = dict(session.journal.db.execute("SELECT seq, hash FROM entries"))
    finally:
        session.close()
    held = dict(ws.db.execute("SELECT seq, hash FROM entries WHERE device = 'W7-PC2'").fetchall())
    # Whatever imported is an exact, gapless prefix of the PC's journal: nothing partial, nothing invented.
    assert held == {seq: journal[seq] for seq in range(1, len(held) + 1)}
