"""Clock skew: a ward PC whose clock is days wrong still keeps entries in order, and says its clock is wrong.

The core reads the time in one place (``downtime/clock.py``); these tests move that clock days back and
forth between entries. Order must follow the device sequence everywhere (the journal, the ward's record
of corrections, the bundles, what the records office sends to the HMIS), and the PC must warn (banner,
login, drill) when its clock is before the downtime start or behind a time it already recorded.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from pytestqt.qtbot import QtBot

from downtime import clock
from downtime.gui.main_window import MainWindow
from downtime.readiness import FAIL, PASS, check_clock
from downtime.session import Session, login
from sync.adapters.records import live_records
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN, NURSE_ID, NURSE_PIN, SUNITA
from tests.robustness.conftest import Campaign
from tests.robustness.pc_clock import Clock
from tests.robustness.soak import trials
from tests.robustness.storm import run_cli
from tests.sync.conftest import PASSPHRASE, device_key, make_office, seal_to

# -- order follows the device sequence --------------------------------------------------------------

def test_corrections_win_in_the_order_they_were_made_whatever_the_clock(
        home: Path, tmp_path: Path, pc_clock: Clock, campaign: Campaign) -> None:
    office = make_office(tmp_path / "office")
    seal_to(home, office)
    nurse = login(home, NURSE_ID, NURSE_PIN)
    try:
        patient = nurse.record("patient.register", SUNITA)
        made = []
        for days, age in ((-3, 46), (5, 47), (-6, 48)):  # the last correction carries the oldest time
            pc_clock.set(days=days)
            made.append(nurse.correct(patient.uuid, {**SUNITA, "age_years": age}, "age misheard").uuid)
        pc_clock.set(days=0)
        seqs = [e.seq for e in nurse.journal.entries()]
        ward_view = nurse.lookup_record(patient.human_id or "")
        history = [r["current_uuid"] for r in nurse.patient_history(patient.human_id or "")]
        assert nurse.journal.verify().ok
    finally:
        nurse.close()
    assert seqs == sorted(seqs)
    assert ward_view is not None and ward_view["payload"]["age_years"] == 48
    assert history[:1] == [made[-1]]

    usb = tmp_path / "usb"
    usb.mkdir()
    assert run_cli("--home", str(home), "export", "--out", str(usb)).exit_code == 0
    ws = Workspace.open(office, PASSPHRASE)
    try:
        ws.trust(device_key(home))
        ws.import_file(next(usb.iterdir()))
        record = next(r for r in live_records(ws) if r.uuid == patient.uuid)
    finally:
        ws.close()
    # What the HMIS is sent is the last correction made, not the one with the latest clock time.
    ok = record.fields["age_years"] == 48 and [v.uuid for v in record.versions[1:]] == made
    campaign.record("clock skew: order of corrections", 1, int(not ok))
    assert ok, [(v.seq, v.recorded_at, v.fields["age_years"]) for v in record.versions]


def test_random_clock_jumps_keep_the_journal_in_device_order(home: Path, pc_clock: Clock,
                                                             campaign: Campaign) -> None:
    """Property: whatever the clock does between entries, order is the sequence and the warning is exact."""
    rng = random.Random(3)
    nurse = login(home, NURSE_ID, NURSE_PIN)
    failures, notes = 0, []
    n = trials(40, 600)
    try:
        recorded: list[str] = []
        latest = pc_clock.start
        for i in range(n):
            pc_clock.set(days=rng.choice((0, 0, rng.uniform(-10, 10))), minutes=rng.uniform(-3, 3))
            now = clock.now()
            warning = nurse.clock_warning()
            behind = now + dt.timedelta(minutes=5) < max(latest, _event_start(nurse))
            if bool(warning) != behind:
                failures += 1
                notes.append(f"trial {i}: clock {now:%Y-%m-%d %H:%M}, latest {latest:%Y-%m-%d %H:%M}: {warning}")
            entry = nurse.record("patient.register", {**SUNITA, "name": f"Patient {i}"})
            recorded.append(entry.uuid)
            latest = max(latest, dt.datetime.fromisoformat(entry.recorded_at))
        in_journal = [e.uuid for e in nurse.journal.entries("patient.register")]
        if in_journal != recorded or not nurse.journal.verify().ok:
            failures += 1
            notes.append("the journal's order is not the order the entries were made in")
    finally:
        nurse.close()
    campaign.record("clock skew: random jumps", n, failures, "; ".join(notes[:1]))
    assert not failures, notes[:5]


def _event_start(session: Session) -> dt.datetime:
    event = session.current_event()
    assert event is not None
    return dt.datetime.fromisoformat(event["started_at"]).astimezone()


# -- the warning: core, login, drill, banner --------------------------------------------------------

def test_a_clock_before_the_downtime_start_is_warned_about_everywhere(
        home: Path, pc_clock: Clock, qtbot: QtBot, campaign: Campaign) -> None:
    pc_clock.set(days=-2)
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        warning = session.clock_warning()
        assert warning and "before the start of this downtime" in warning and "set the PC's date" in warning
        assert session.banner().clock_warning == warning
        check = check_clock(session)
        assert check.outcome == FAIL and check.detail == warning  # the drill says the same thing
        window = MainWindow(session, idle_timeout_ms=600_000)
        qtbot.addWidget(window)
        shown = window.banner.clock_warning_label
        assert not shown.isHidden() and shown.text() == warning
        window.session = None  # the test closes its session itself
    finally:
        session.close()
    cli = run_cli("--home", str(home), "search", "Sunita")
    assert cli.exit_code == 0 and cli.stderr.strip() == f"warning: {warning}"
    campaign.record("clock skew: warnings shown", 1, 0)


def test_a_clock_behind_an_earlier_entry_is_warned_about(home: Path, pc_clock: Clock) -> None:
    admin = login(home, ADMIN_ID, ADMIN_PIN)
    admin.end_downtime()
    started = pc_clock.start - dt.timedelta(days=10)  # the HMIS went down long ago
    admin.start_downtime("HMIS down", started_at=f"{started:%Y-%m-%dT%H:%M}")
    admin.close()
    nurse = login(home, NURSE_ID, NURSE_PIN)
    try:
        nurse.record("patient.register", SUNITA)
        assert nurse.clock_warning() is None
        assert check_clock(nurse).outcome == PASS
        pc_clock.set(minutes=-3)  # a nudge by a time server is not worth a warning
        assert nurse.clock_warning() is None
        pc_clock.set(days=-1)  # still after the downtime start: only the entries show the step back
        warning = nurse.clock_warning()
        assert warning and "behind an entry already recorded" in warning
        pc_clock.set(days=-4000)  # a flat CMOS battery: back to the year the board was made
        assert "before this toolkit was made" in (nurse.clock_warning() or "")
    finally:
        nurse.close()


def test_no_warning_once_the_clock_is_right(home: Path, pc_clock: Clock, qtbot: QtBot) -> None:
    pc_clock.set(days=4)  # ahead: the entries made now carry times in the future
    nurse = login(home, NURSE_ID, NURSE_PIN)
    nurse.record("patient.register", SUNITA)
    nurse.close()
    pc_clock.set(days=5)
    session = login(home, NURSE_ID, NURSE_PIN)
    try:
        assert session.clock_warning() is None
        window = MainWindow(session, idle_timeout_ms=600_000)
        qtbot.addWidget(window)
        assert window.banner.clock_warning_label.isHidden()
        window.session = None
    finally:
        session.close()
