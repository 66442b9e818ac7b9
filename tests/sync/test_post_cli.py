"""``reconcile post`` as the records office runs it: posting an outage's records to the test FHIR endpoint and
MLLP listener (``tests/adapters``), twice, through a receiver that breaks halfway, and through a run that is
stopped while it waits for an answer.

A run that is stopped (Ctrl-C, kill -9) is a real ``downtime`` process, since only a process can be stopped
that way; every other run is the same command run in this process (click's CliRunner on ``downtime.cli:main``),
which spares a Python start-up per run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from click.testing import CliRunner

from downtime.cli import main
from downtime.logs import log
from sync.adapters.hl7v2 import validate_message
from sync.adapters.records import live_records
from sync.decisions import save_decisions
from sync.match import Decision, MatchDecision
from sync.workspace import Workspace
from tests.adapters.conftest import Scenario, build_scenario
from tests.adapters.test_fhir import assert_one_copy_each
from tests.conftest import ADMIN_ID, ADMIN_PIN
from tests.sync.conftest import PASSPHRASE
from tests.sync.post_servers import BreakingFhirEndpoint, BreakingMllpListener
from tests.sync.test_cli_sync import OFFICE, ok
from tests.test_cli import ROOT

UHID_SYSTEM = "https://hmis.aiims.example/uhid"
BUNDLES = 6  # Sunita, Mohan, the baby, Ravi, the snapshot in-patient, the brought-dead report (test_fhir.py)
REPORT = re.compile(r"(\d+) sent, (\d+) already acknowledged \(skipped\), (\d+) failed")


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The adapters' outage, with its match decisions stored in the workspace as 'reconcile match' stores them."""
    scenario = build_scenario(tmp_path_factory.mktemp("post-cli"))
    ws = Workspace.open(scenario.office, PASSPHRASE)
    try:
        uuids = {r.human_id: r.uuid for r in live_records(ws)}
        save_decisions(ws, [MatchDecision(uuids[i], i, cast(Decision, d), u, 1.0 if u else 0.0, [], [],
                                          "as decided at review") for i, (d, u) in scenario.decisions.items()])
    finally:
        ws.close()
    return scenario


@pytest.fixture
def office(decided: Scenario, tmp_path: Path) -> Path:
    """A private copy of the records office, so acknowledgements do not leak from one test to the next."""
    return Path(shutil.copytree(decided.office, tmp_path / "office"))


@pytest.fixture
def fhir(decided: Scenario) -> Iterator[BreakingFhirEndpoint]:
    """The HMIS's FHIR server, already holding the two patients the outage records know by UHID."""
    with BreakingFhirEndpoint() as server:
        for uhid in (decided.ids["ravi_uhid"], decided.ids["hmis_patient"]):
            server.seed({"resourceType": "Patient", "identifier": [{"system": UHID_SYSTEM, "value": uhid}]})
        yield server


@pytest.fixture
def mllp() -> Iterator[BreakingMllpListener]:
    with BreakingMllpListener() as server:
        yield server


def in_process(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The ``downtime`` command run in this process, answering as ``tests.test_cli.run`` does."""
    handlers = list(log.handlers)
    try:
        result = CliRunner().invoke(main, list(args),
                                    env={"DOWNTIME_STAFF": ADMIN_ID, "DOWNTIME_PIN": ADMIN_PIN, **env})
    finally:
        # The command points the process's log at its home; the next run must not log into this one.
        for handler in set(log.handlers) - set(handlers):
            log.removeHandler(handler)
            handler.close()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def post(office: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return in_process("--home", str(office), "reconcile", "post", *args, **OFFICE)


def fhir_args(url: str) -> tuple[str, ...]:
    return ("--adapter", "fhir", "--url", url, "--uhid-system", UHID_SYSTEM)


def mllp_args(server: BreakingMllpListener) -> tuple[str, ...]:
    host, port = server.address
    return ("--adapter", "hl7v2", "--url", f"mllp://{host}:{port}")


def counts(out: str) -> tuple[int, int, int]:
    """(sent, skipped, failed) from the report's first line."""
    found = REPORT.search(out)
    assert found, out
    sent, skipped, failed = (int(n) for n in found.groups())
    return sent, skipped, failed


def stopped_while_waiting(office: Path, args: tuple[str, ...], holding: threading.Event,
                          sig: signal.Signals) -> subprocess.CompletedProcess[str]:
    """Run a post as a real process (as ``tests.test_cli.run`` does), and stop it with ``sig`` once the receiver
    holds the item it will not answer."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **OFFICE}
    proc = subprocess.Popen([sys.executable, "-m", "downtime", "--home", str(office), "reconcile", "post", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            stdin=subprocess.DEVNULL)
    try:
        assert holding.wait(90), "the post never reached the item the receiver holds"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


# -- FHIR ----------------------------------------------------------------------------------------------

def test_fhir_posting_twice_creates_nothing_new_the_second_time(office: Path, fhir: BreakingFhirEndpoint) -> None:
    first = ok(post(office, *fhir_args(fhir.url)))
    assert counts(first) == (BUNDLES, 0, 0) and first.startswith(f"fhir to {fhir.url}: ")
    created, transactions = Counter(fhir.created), fhir.transactions
    assert created["Patient"] == 3 and transactions == BUNDLES

    again = ok(post(office, *fhir_args(fhir.url)))
    assert counts(again) == (0, BUNDLES, 0)
    assert fhir.transactions == transactions and fhir.created == created  # nothing even sent

    # The same server under another name (no acknowledgements for it): everything is sent, nothing created.
    blind = ok(post(office, *fhir_args(fhir.url.replace("127.0.0.1", "localhost"))))
    assert counts(blind) == (BUNDLES, 0, 0) and fhir.transactions == 2 * BUNDLES
    assert fhir.created == created
    assert_one_copy_each(fhir)


def test_fhir_endpoint_failing_halfway_then_a_rerun_posts_only_the_rest(office: Path,
                                                                          fhir: BreakingFhirEndpoint) -> None:
    fhir.breaks.refuse_after(2)
    cut = post(office, *fhir_args(fhir.url))
    assert cut.returncode == 1 and "Traceback" not in cut.stderr
    assert counts(cut.stdout) == (2, 0, BUNDLES - 2)
    failed = [line for line in cut.stdout.splitlines() if line.startswith("  failed ")]
    assert len(failed) == BUNDLES - 2
    assert all("refused: HTTP 401: the HMIS session has expired" in line for line in failed), failed

    fhir.breaks.release()
    rerun = ok(post(office, *fhir_args(fhir.url)))
    assert counts(rerun) == (BUNDLES - 2, 2, 0)
    assert fhir.transactions == BUNDLES  # the refused transactions stored nothing; each bundle is in once
    assert fhir.created["Patient"] == 3
    assert_one_copy_each(fhir)


def test_fhir_post_stopped_while_waiting_resumes_without_duplicates(office: Path,
                                                                    fhir: BreakingFhirEndpoint) -> None:
    fhir.hold_after(2)  # the third bundle is stored, and its answer never comes
    stopped = stopped_while_waiting(office, fhir_args(fhir.url), fhir.breaks.holding, signal.SIGINT)
    assert stopped.returncode == 130, stopped.stderr
    assert stopped.stderr.strip().splitlines() == [(
        "error: stopped before the end: what the HMIS acknowledged is kept; run the same command again to send "
        "the rest")]
    assert fhir.transactions == 3

    fhir.release()
    resumed = ok(post(office, *fhir_args(fhir.url)))
    # The bundle whose answer was lost is sent again: the server finds its resources and creates nothing.
    assert counts(resumed) == (BUNDLES - 2, 2, 0)
    assert fhir.created["Patient"] == 3
    assert_one_copy_each(fhir)


def test_fhir_without_the_hmis_uhid_system_refuses_matched_patients_only(office: Path,
                                                                          fhir: BreakingFhirEndpoint) -> None:
    # Without --uhid-system the UHIDs are looked up under a site-local system the HMIS does not use.
    guessed = post(office, "--adapter", "fhir", "--url", fhir.url)
    assert guessed.returncode == 1 and counts(guessed.stdout) == (BUNDLES - 2, 0, 2)
    assert "conditional reference Patient?identifier=urn:hmis:AIIMS:uhid|" in guessed.stdout
    fixed = ok(post(office, *fhir_args(fhir.url)))
    assert counts(fixed) == (2, BUNDLES - 2, 0)
    assert_one_copy_each(fhir)


# -- HL7 v2 over MLLP ----------------------------------------------------------------------------------

def test_hl7_listener_refusing_halfway_then_reruns_send_only_what_was_not_acknowledged(
        office: Path, mllp: BreakingMllpListener) -> None:
    host, port = mllp.address
    mllp.breaks.refuse_after(5)
    cut = post(office, *mllp_args(mllp))
    assert cut.returncode == 1 and "Traceback" not in cut.stderr
    assert cut.stdout.startswith(f"hl7v2 to mllp://{host}:{port}: ")
    sent, skipped, failed = counts(cut.stdout)
    assert (sent, skipped) == (5, 0) and failed > 5
    assert sum(1 for line in cut.stdout.splitlines() if line.startswith("  failed ") and "refused: AR" in line) \
        == failed

    mllp.breaks.release()
    rerun = ok(post(office, *mllp_args(mllp)))
    assert counts(rerun) == (failed, 5, 0)
    assert len(mllp.accepted) == len(set(mllp.accepted)) == 5 + failed  # each message accepted exactly once

    received = len(mllp.received)
    again = ok(post(office, *mllp_args(mllp)))
    assert counts(again) == (0, 5 + failed, 0) and len(mllp.received) == received  # nothing sent at all


def test_hl7_send_killed_while_waiting_resumes_from_the_unacknowledged(office: Path,
                                                                       mllp: BreakingMllpListener) -> None:
    mllp.breaks.hold_after(3)  # the fourth message arrives, and its ACK never leaves
    killed = stopped_while_waiting(office, mllp_args(mllp), mllp.breaks.holding, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    assert len(mllp.accepted) == 3 and len(mllp.received) == 4

    mllp.breaks.release()
    resumed = ok(post(office, *mllp_args(mllp)))
    sent, skipped, _ = counts(resumed)
    assert skipped == 3 and len(mllp.accepted) == 3 + sent
    # Only the message in flight arrived twice, under the same MSH-10 for the HMIS to de-duplicate by.
    control_ids = [m.split("\r", 1)[0].split("|")[9] for m in mllp.received]
    assert [c for c, n in Counter(control_ids).items() if n > 1] == [control_ids[3]]
    assert len(set(mllp.accepted)) == len(mllp.accepted)


# -- HL7 v2: the HMIS's assigning authority ------------------------------------------------------------

def test_hl7_files_carry_the_uhid_assigning_authority_the_officer_gives(office: Path, decided: Scenario,
                                                                        tmp_path: Path) -> None:
    out = tmp_path / "hl7"
    written = ok(post(office, "--adapter", "hl7v2", "--out", str(out), "--uhid-authority", "AIIMSHIS"))
    assert written.startswith(f"hl7v2 to {out}: ")
    ravi = decided.ids["ravi_uhid"]
    texts = [p.read_bytes().decode("utf-8") for p in sorted(out.glob("*.hl7"))]  # segments end in CR: no newline
    carrying = [text for text in texts if f"|{ravi}^" in text]
    assert carrying, "no message names the matched patient's UHID"
    for text in carrying:
        pid3 = next(s for s in text.split("\r") if s.startswith("PID|")).split("|")[3]
        assert pid3.split("~")[0] == f"{ravi}^^^AIIMSHIS^MR"  # PID-3.4 and the identifier type
        validate_message(text)  # hl7apy, STRICT, tables included

    default = ok(post(office, "--adapter", "hl7v2", "--out", str(tmp_path / "plain")))
    assert default.startswith("hl7v2 to ")
    assert any(f"|{ravi}^^^HMIS^MR" in p.read_bytes().decode("utf-8") for p in (tmp_path / "plain").glob("*.hl7"))


@pytest.mark.parametrize("args,words", [
    (("--adapter", "fhir", "--out", "x", "--uhid-authority", "AIIMSHIS"), "--uhid-authority is for the hl7v2"),
    (("--adapter", "hl7v2", "--out", "x", "--uhid-authority", "AIIMS|HIS"), "--uhid-authority"),
    (("--adapter", "hl7v2", "--out", "x", "--uhid-authority", "A" * 21), "20 characters"),
])
def test_a_wrong_uhid_authority_is_refused_in_one_line_before_anything_is_written(
        office: Path, tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    refused = post(office, *(str(tmp_path / a) if a == "x" else a for a in args))
    assert refused.returncode == 1 and words in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert not (tmp_path / "x").exists()
