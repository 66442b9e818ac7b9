"""Power-cut storms: run a piece of work in a forked child, SIGKILL it at a random moment, read what it reported.

A forked child already has the toolkit imported, so the kill lands in the work, not in Python's start-up.
What the child printed before it died is what it *acknowledged*: a line is written only after the call it
reports has returned, so anything reported must survive the kill.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlcipher3
from click.testing import CliRunner, Result

from downtime.cli import main
from downtime.journal import write_transaction
from downtime.logs import log
from downtime.session import login
from tests.conftest import NURSE_ID, NURSE_PIN, SUNITA


def _child(work: Callable[[], None], report_fd: int) -> None:
    # Everything the work prints (the CLI's own output included) goes to the parent, a line at a time.
    sys.stdout = open(report_fd, "w", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives until the kill
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    work()


def kill_during(work: Callable[[], None], delay: float) -> list[str]:
    """Run ``work`` in a forked child, SIGKILL it after ``delay`` seconds; the lines it printed by then."""
    read, write = os.pipe()
    child = multiprocessing.get_context("fork").Process(target=_child, args=(work, write), daemon=True)
    child.start()
    os.close(write)
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):  # it may have finished its work already
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]  # started, so it has a pid
    child.join()
    with os.fdopen(read, encoding="utf-8") as reported:
        return reported.read().splitlines()


def run_cli(*args: str, staff: str = NURSE_ID, pin: str = NURSE_PIN, **env: str) -> Result:
    """The ``downtime`` command, run in this process (as a user would type it, without Python's start-up)."""
    handlers = list(log.handlers)
    try:
        return CliRunner().invoke(main, list(args), env={"DOWNTIME_STAFF": staff, "DOWNTIME_PIN": pin, **env},
                                  catch_exceptions=False)
    finally:
        # The command points the process's log at its home; later tests must not log into this one.
        for handler in set(log.handlers) - set(handlers):
            log.removeHandler(handler)
            handler.close()


def cli_in_child(*args: str, **env: str) -> bool:
    """For a storm child: run one ``downtime`` command in this process, printing what it prints; did it succeed?"""
    os.environ.update({"DOWNTIME_STAFF": NURSE_ID, "DOWNTIME_PIN": NURSE_PIN, **env})
    try:
        main.main(list(args), standalone_mode=False)
    except SystemExit as exc:  # a command that fails exits; the storm goes on
        return exc.code in (0, None)
    return True


def integrity(path: Path, key: bytes) -> str:
    """SQLite's own check of an encrypted database file: 'ok' or the first problem.

    Opened bare, not through ``open_encrypted``, which would switch the file's journal mode."""
    conn = sqlcipher3.connect(str(path), timeout=30)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def add_patients_at_once(home: Path, count: int) -> None:
    """Register ``count`` patients in one commit: setting up a busy ward is not what these tests attack."""
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        with write_transaction(session.journal.db):
            for i in range(count):
                session.record("patient.register", {**SUNITA, "name": f"Patient {i}", "age_years": 20 + i % 60})
    finally:
        session.close()
