"""Power-cut safety: SIGKILL a writer at random moments; nothing acknowledged may be lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from downtime.session import login
from tests.conftest import NURSE_ID, NURSE_PIN

KILLS = 50
STARTUP_TIMEOUT_S = 30
ROOT = Path(__file__).resolve().parent.parent


def _run_and_kill(home: Path, delay: float, *, after_first_write: bool = True) -> list[tuple[str, str]]:
    """Start a writer and SIGKILL it ``delay`` seconds after its first acknowledged write (or after start).

    Counting from the first write keeps the kills inside the write loop however slow start-up is on a
    busy machine; ``after_first_write=False`` aims at start-up and unlock instead.
    """
    env = {**os.environ, "DOWNTIME_STAFF": NURSE_ID, "DOWNTIME_PIN": NURSE_PIN, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, str(ROOT / "tests" / "crash_writer.py"), str(home)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    acknowledged: list[tuple[str, str]] = []
    first = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            uuid, human_id = line.split()
            acknowledged.append((uuid, human_id))
            first.set()

    reader = threading.Thread(target=read)
    reader.start()
    if after_first_write:
        first.wait(timeout=STARTUP_TIMEOUT_S)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    reader.join()
    return acknowledged


def test_sigkill_during_writes_loses_nothing_acknowledged(home: Path) -> None:
    rng = random.Random(2022)
    acknowledged: list[tuple[str, str]] = []
    for i in range(KILLS):
        # Mostly mid-stream; every fifth kill lands during start-up and unlock instead.
        during_startup = i % 5 == 4
        acknowledged += _run_and_kill(home, rng.uniform(0.0, 1.0 if during_startup else 0.4),
                                      after_first_write=not during_startup)
    assert len(acknowledged) > KILLS, "the writer barely wrote anything; the test proves nothing"
    print(f"\n{KILLS} SIGKILLs, {len(acknowledged)} acknowledged entries")

    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        db = session.journal.db
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        result = session.journal.verify()
        assert result.ok, result
        stored = {row[0]: row[1] for row in db.execute("SELECT uuid, human_id FROM entries")}
        missing = [u for u, _ in acknowledged if u not in stored]
        assert not missing, f"{len(missing)} acknowledged entries lost"
        assert all(stored[u] == h for u, h in acknowledged)
        human_ids = [h for (h,) in db.execute("SELECT human_id FROM entries WHERE kind = 'patient.register'")]
        assert len(human_ids) == len(set(human_ids)), "an ID was issued twice"
    finally:
        session.close()


def test_two_programs_writing_at_once_keep_the_chain_whole(home: Path) -> None:
    """The app and a CLI command may write to one journal at the same time; neither may fork the chain."""
    results: list[list[tuple[str, str]]] = [[], []]

    def writer(i: int) -> None:
        results[i] = _run_and_kill(home, 1.5)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results), "both writers must have written"
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        assert session.journal.verify().ok
        stored = {row[0] for row in session.journal.db.execute("SELECT uuid FROM entries")}
        assert {u for r in results for u, _ in r} <= stored
    finally:
        session.close()
