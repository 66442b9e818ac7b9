"""HL7 v2.5 write-back: every message parses and validates with hl7apy; MLLP delivery with ACKs and resume."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from downtime.errors import DowntimeError
from sync.adapters.hl7v2 import (
    Hl7Invalid,
    Hl7Settings,
    build_messages,
    mllp_address,
    send_hl7,
    validate_message,
    write_hl7,
)
from sync.adapters.post_state import RetryPolicy
from sync.adapters.records import current_records, lab_order_id
from sync.workspace import Workspace
from tests.adapters.conftest import Scenario, bring_in, on_the_ward
from tests.adapters.mllp_listener import MllpListener
from tests.conftest import NURSE_ID, NURSE_PIN

FAST = RetryPolicy(attempts=2, first_delay=0.01, give_up_after=2)
TRIGGERS = ["ADT^A04", "ADT^A08", "ADT^A01", "ADT^A08", "ADT^A08", "ORM^O01", "ORU^R01", "ORU^R01", "ORU^R01",
            "ADT^A02", "ADT^A03"]  # Sunita: registered, corrected, admitted, bed corrected twice, labs, moved, home
TOTAL = len(TRIGGERS) + 3 + 1 + 2 + 1  # and Mohan (A04 A01 A03), the baby (A04), the in-patient (A02 ORM), Ravi (A01)


def messages(ws: Workspace, scenario: Scenario) -> dict[str, list[str]]:
    """Trigger lists and texts per patient key, in sending order."""
    current = current_records(ws, scenario.decisions)
    built, _ = build_messages(current, Hl7Settings(ws.site))
    by_patient: dict[str, list[str]] = {}
    for m in built:
        by_patient.setdefault(_pid3(m.text).split("^")[0], []).append(m.text)
    return by_patient


def _pid3(text: str) -> str:
    return next(s for s in text.split("\r") if s.startswith("PID|")).split("|")[3]


def _field(text: str, segment: str, number: int) -> str:
    line = next(s for s in text.split("\r") if s.startswith(segment + "|"))
    return line.split("|")[number - 1 if segment == "MSH" else number]


@pytest.fixture
def listener() -> Iterator[MllpListener]:
    with MllpListener() as server:
        yield server


def test_every_message_parses_and_validates_with_hl7apy(ws: Workspace, scenario: Scenario, tmp_path: Path) -> None:
    report = write_hl7(ws, scenario.decisions, tmp_path / "hl7")
    assert report.posted == len(report.files) == TOTAL and not report.failed
    for path in report.files:
        text = path.read_bytes().decode("utf-8")
        message = parse_message(text, validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
        assert message.msh.msh_12.to_er7() == "2.5"
        validate_message(text)
    kinds = sorted({p.name.split("_", 1)[1].rsplit("_", 1)[0] for p in report.files})
    assert kinds == ["ADT_A01", "ADT_A02", "ADT_A03", "ADT_A04", "ADT_A08", "ORM_O01", "ORU_R01"]
    held = " ".join(f.reason for f in report.held)
    assert "MCCD" in held and "death report" in held and "review" in held


def test_written_messages_are_logged_as_handed_over_one_entry_version_each(ws: Workspace, scenario: Scenario,
                                                                          tmp_path: Path) -> None:
    report = write_hl7(ws, scenario.decisions, tmp_path / "hl7")
    logged = {key: (digest, json.loads(entries), delivery) for key, digest, entries, delivery in ws.db.execute(
        "SELECT key, digest, entries, delivery FROM post_log WHERE adapter = 'hl7v2' AND target = ?",
        [str((tmp_path / "hl7").resolve())])}
    assert set(logged) == {p.name for p in report.files}
    built, _ = build_messages(current_records(ws, scenario.decisions), Hl7Settings(ws.site))
    by_control_id = {m.control_id: m for m in built}
    for path in report.files:
        digest, entries, delivery = logged[path.name]
        message = by_control_id[path.stem.rsplit("_", 1)[1]]
        assert (digest, entries, delivery) == (hashlib.sha256(path.read_bytes()).hexdigest(), list(message.entries),
                                               "file")


def test_each_version_is_an_event_and_each_correction_an_update(ws: Workspace, scenario: Scenario) -> None:
    sunita = messages(ws, scenario)[scenario.ids["sunita"]]
    assert [_field(t, "MSH", 9).rsplit("^", 1)[0] for t in sunita] == TRIGGERS
    admit, *bed_fixes = [t for t in sunita if "^A01^" in t or ("^A08^" in t and "PV1|1|I" in t)]
    assert _field(admit, "PV1", 3) == "W7^^12"
    assert [_field(t, "PV1", 3) for t in bed_fixes] == ["W7^^14", "W7^^15"]
    register, update = sunita[0], sunita[1]
    assert _field(register, "PID", 13).startswith("9876543210") and _field(update, "PID", 13).startswith("9812345678")
    results = [t for t in sunita if "^R01^" in t]
    assert [(_field(t, "OBX", 5), _field(t, "OBX", 11)) for t in results] == [("8.9", "F"), ("1.9", "F"), ("1.4", "C")]
    orders = [t for t in sunita if "^O01^" in t]
    assert [_field(t, "ORC", 1) for t in orders] == ["NW"]
    assert [s.split("|")[4] for s in orders[0].split("\r") if s.startswith("OBR|")] == ["^Haemoglobin",
                                                                                    "^Serum creatinine"]


def test_pid_names_the_patient_as_the_hmis_knows_them(ws: Workspace, scenario: Scenario) -> None:
    by_patient = messages(ws, scenario)
    ravi = by_patient[scenario.ids["ravi_uhid"]]
    assert _pid3(ravi[0]).split("~") == [f"{scenario.ids['ravi_uhid']}^^^HMIS^MR",
                                         f"{scenario.ids['ravi']}^^^DT-AIIMS&urn:downtime:AIIMS:patient&URI^PI"]
    assert [_field(t, "MSH", 9) for t in ravi] == ["ADT^A01^ADT_A01"]  # no A04: he is already in the HMIS
    known_by_uhid = by_patient[scenario.ids["hmis_patient"]]
    assert _field(known_by_uhid[0], "PID", 5) == '""'
    assert _field(known_by_uhid[0], "PV1", 3) == "Surgery Ward 3^^S3-09"
    mohan = by_patient[scenario.ids["mohan"]]
    death = next(t for t in mohan if "^A03^" in t)
    assert _field(death, "PV1", 36) == "20" and _field(death, "PID", 30) == "Y"
    # Delimiters typed in the address are escaped: the fields after it stay where they belong.
    assert _field(mohan[0], "PID", 11).startswith("Gali 3 \\F\\ Block B \\S\\ near temple \\T\\ school")
    assert _field(mohan[0], "PID", 13) == "9833333333^PRN^CP"
    baby = by_patient[scenario.ids["baby"]]
    assert _field(baby[0], "PID", 21).startswith(scenario.ids["sunita"] + "^")


def test_validation_refuses_what_hl7apy_flags(ws: Workspace, scenario: Scenario) -> None:
    text = messages(ws, scenario)[scenario.ids["sunita"]][0]
    with pytest.raises(Hl7Invalid, match="HL70001"):
        validate_message(text.replace("||F|||", "||X|||", 1))  # sex X is not in table 0001
    with pytest.raises(Hl7Invalid, match="PID_5"):
        validate_message(text.replace("|Sunita Devi|", "||", 1))


def test_mllp_round_trip_with_acks_and_nothing_sent_twice(ws: Workspace, scenario: Scenario,
                                                          listener: MllpListener) -> None:
    host, port = listener.address
    report = send_hl7(ws, scenario.decisions, host, port, retry=FAST)
    assert (report.posted, report.skipped, report.complete) == (TOTAL, 0, True)
    assert len(listener.received) == TOTAL
    again = send_hl7(ws, scenario.decisions, host, port, retry=FAST)
    assert (again.posted, again.skipped) == (0, TOTAL) and len(listener.received) == TOTAL


def test_an_interrupted_send_resumes_where_the_acks_stopped(ws: Workspace, scenario: Scenario,
                                                            listener: MllpListener) -> None:
    host, port = listener.address
    listener.drop_after(5)
    cut = send_hl7(ws, scenario.decisions, host, port, retry=FAST)
    assert cut.posted == 5 and not cut.complete and cut.not_attempted == TOTAL - 5 - len(cut.failed)
    listener.drop_after(None)
    resumed = send_hl7(ws, scenario.decisions, host, port, retry=FAST)
    assert (resumed.posted, resumed.skipped, resumed.complete) == (TOTAL - 5, 5, True)
    control_ids = [_field(t, "MSH", 10) for t in listener.received]
    # Messages whose ACK was lost arrived again, with the same MSH-10 for the HMIS to de-duplicate by;
    # every other message arrived exactly once.
    built, _ = build_messages(current_records(ws, scenario.decisions), Hl7Settings(ws.site))
    unacknowledged = {m.control_id for m in built if m.key in {f.key for f in cut.failed}}
    assert len(set(control_ids)) == TOTAL and unacknowledged
    assert {c for c in control_ids if control_ids.count(c) > 1} == unacknowledged


def test_a_rejected_message_is_reported_and_sent_again_next_time(ws: Workspace, scenario: Scenario,
                                                                 listener: MllpListener, tmp_path: Path) -> None:
    host, port = listener.address
    first_file = write_hl7(ws, scenario.decisions, tmp_path / "hl7").files[2]
    refused = _field(first_file.read_bytes().decode(), "MSH", 10)
    listener.reject.add(refused)
    report = send_hl7(ws, scenario.decisions, host, port, retry=FAST)
    assert report.posted == TOTAL - 1 and len(report.failed) == 1 and "AR" in report.failed[0].reason
    listener.reject.clear()
    retry = send_hl7(ws, scenario.decisions, host, port, retry=FAST)
    assert (retry.posted, retry.skipped) == (1, TOTAL - 1)
    assert _field(listener.received[-1], "MSH", 10) == refused


def test_many_messages_are_validated_in_worker_processes_with_the_same_outcome(
        ws: Workspace, scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.adapters import hl7v2
    one = write_hl7(ws, scenario.decisions, tmp_path / "one")
    monkeypatch.setattr(hl7v2, "PARALLEL_MIN", 2)
    monkeypatch.setattr(hl7v2, "WORKERS", 2)
    pooled = write_hl7(ws, scenario.decisions, tmp_path / "pooled")
    assert [p.read_bytes() for p in pooled.files] == [p.read_bytes() for p in one.files] and not pooled.failed


def test_a_corrected_order_changes_what_stayed_orders_what_was_added_and_cancels_what_was_dropped(
        ws: Workspace, scenario: Scenario, tmp_path: Path) -> None:
    accession = scenario.ids["sunita_accession"]
    with on_the_ward(scenario, NURSE_ID, NURSE_PIN) as nurse:
        request = nurse.journal.get(accession)
        nurse.correct(accession, {**request.payload, "tests": ["Serum iron", "Haemoglobin"]}, "wrong test ticked")
    bring_in(ws, scenario, tmp_path / "usb2")
    report = write_hl7(ws, scenario.decisions, tmp_path / "hl7")
    assert not report.failed
    original, corrected = [p.read_bytes().decode() for p in report.files if "_ORM_O01_" in p.name][:2]
    orders = [(s.split("|")[1], s.split("|")[2]) for s in corrected.split("\r") if s.startswith("ORC|")]
    assert orders == [("NW", lab_order_id(accession, "Serum iron")), ("XO", lab_order_id(accession, "Haemoglobin")),
                      ("CA", lab_order_id(accession, "Serum creatinine"))]
    assert [s.split("|")[1] for s in original.split("\r") if s.startswith("ORC|")] == ["NW", "NW"]


def test_an_mllp_url_names_host_and_port() -> None:
    assert mllp_address("mllp://hmis.aiims.local:2575") == ("hmis.aiims.local", 2575)
    with pytest.raises(DowntimeError, match="mllp://host:port"):
        mllp_address("http://hmis:2575")
