"""Readiness drill: is this PC ready for an outage right now?

Each check answers PASS, WARN or FAIL with one sentence a ward clerk or IT can
act on. The checks here need only the core; printing and form rendering are
checked by ``forms/readiness.py``, and ``downtime drill`` runs both.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass

from downtime import clock
from downtime.session import Session
from downtime.snapshot_store import snapshot_files

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
MIN_FREE_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class CheckResult:
    name: str
    outcome: str
    detail: str


Check = Callable[[Session], CheckResult]


def check_snapshot(session: Session) -> CheckResult:
    as_of = session.snapshot_as_of()
    if as_of is None:
        return CheckResult("Snapshot", FAIL, "no snapshot on this PC: import the HMIS export "
                                             "(downtime snapshot import)")
    try:
        snapshot_files(session.home)
    except Exception as exc:  # noqa: BLE001 - any problem here is the finding itself
        return CheckResult("Snapshot", FAIL, str(exc))
    taken = dt.datetime.fromisoformat(as_of)
    age_h = (dt.datetime.now(taken.tzinfo) - taken).total_seconds() / 3600
    limit = float(session.config.setting("snapshot_warn_hours"))
    age = f"{age_h / 24:.0f} days" if age_h >= 48 else f"{age_h:.1f} h"
    if session.snapshot_stale():
        return CheckResult("Snapshot", WARN, f"the snapshot is {age} old (limit {limit:g} h): check the "
                                             "scheduled refresh")
    return CheckResult("Snapshot", PASS, f"{age} old (limit {limit:g} h)")


def check_id_block(session: Session) -> CheckResult:
    status = session.block_status()
    if status is None:
        return CheckResult("Downtime IDs", FAIL, "this PC has no ID block: stage it (downtime stage apply)")
    warning = status.warning()
    text = f"{status.remaining:,} of {status.size:,} IDs left"
    return CheckResult("Downtime IDs", WARN if warning else PASS, f"{text}. {warning}" if warning else text)


def check_keys(session: Session) -> CheckResult:
    keys = session.config.keys
    if not keys.get("signing_public") or not keys.get("sealing_public"):
        return CheckResult("Keys", FAIL, "this PC's own keys are missing from device.json: re-stage it")
    if not keys.get("office_public"):
        return CheckResult("Keys", WARN, "no records-office key yet: bundles cannot be exported "
                                         "(downtime keys trust-office FILE)")
    return CheckResult("Keys", PASS, "device keys and the records-office key are present")


def check_journal(session: Session) -> CheckResult:
    result = session.journal.verify()
    if not result.ok:
        return CheckResult("Journal", FAIL, f"broken at seq {result.first_bad_seq}: {result.reason}")
    return CheckResult("Journal", PASS, f"{result.entries} entries, chain intact")


def check_disk(session: Session) -> CheckResult:
    free = shutil.disk_usage(session.home.path).free
    text = f"{free / 1024 ** 3:.1f} GB free"
    return CheckResult("Disk space", PASS if free >= MIN_FREE_BYTES else FAIL,
                       text if free >= MIN_FREE_BYTES else f"only {text}: free some space on this PC")


def check_clock(session: Session) -> CheckResult:
    """The same check as the banner's and the login's warning (``clock_check.py``)."""
    problem = session.clock_warning()
    if problem:
        return CheckResult("Clock", FAIL, problem)
    return CheckResult("Clock", PASS, f"{clock.now_naive():%Y-%m-%d %H:%M}")


CORE_CHECKS: tuple[Check, ...] = (check_snapshot, check_id_block, check_keys, check_journal, check_disk,
                                  check_clock)


def run_checks(session: Session, checks: tuple[Check, ...] = CORE_CHECKS) -> list[CheckResult]:
    results = []
    for check in checks:
        try:
            results.append(check(session))
        except Exception as exc:  # noqa: BLE001 - a drill reports a broken check, it does not stop
            results.append(CheckResult(check.__name__.removeprefix("check_").replace("_", " ").capitalize(),
                                       FAIL, f"the check itself failed ({type(exc).__name__})"))
    return results


def overall(results: list[CheckResult]) -> str:
    outcomes = {r.outcome for r in results}
    return FAIL if FAIL in outcomes else WARN if WARN in outcomes else PASS
