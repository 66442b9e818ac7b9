"""CSV write-back: one documented file per record type, records as corrected, held records listed apart."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from downtime.kinds.schema import get_kind
from sync.adapters.csv_out import COMMON, FILES, write_csv
from sync.adapters.post_state import PostLog
from sync.workspace import Workspace
from tests.adapters.conftest import Scenario


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_one_file_per_record_type_with_documented_columns(ws: Workspace, scenario: Scenario, tmp_path: Path) -> None:
    report = write_csv(ws, scenario.decisions, tmp_path / "csv")
    assert {p.name for p in report.files} == {*FILES.values(), "columns.csv", "held.csv"}
    documented = {(r["file"], r["column"]) for r in read(tmp_path / "csv" / "columns.csv")}
    for kind, name in FILES.items():
        with (tmp_path / "csv" / name).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        assert header[:len(COMMON)] == list(COMMON)
        assert len(header) == len(COMMON) + len(get_kind(kind).fields)  # every field of the kind, once
        assert {(name, column) for column in header} <= documented
    deaths = read(tmp_path / "csv" / "deaths.csv")
    assert deaths[0]["death_ward"] == "" and deaths[0]["ward"] == "W7"  # the kind's own ward field, renamed


def test_rows_carry_the_corrected_records_and_the_patients_decision(ws: Workspace, scenario: Scenario,
                                                                    tmp_path: Path) -> None:
    write_csv(ws, scenario.decisions, tmp_path / "csv")
    patients = {r["record_id"]: r for r in read(tmp_path / "csv" / "patients.csv")}
    sunita = patients[scenario.ids["sunita"]]
    assert (sunita["decision"], sunita["phone"], sunita["corrected"]) == ("new", "9812345678", "yes")
    assert sunita["correction_reason"] == "phone number misread"
    ravi = patients[scenario.ids["ravi"]]
    assert (ravi["decision"], ravi["uhid"], ravi["downtime_id"]) == ("matched", scenario.ids["ravi_uhid"],
                                                                      scenario.ids["ravi"])
    assert scenario.ids["voided"] not in patients and scenario.ids["kamla"] not in patients
    admissions = {r["record_id"]: r for r in read(tmp_path / "csv" / "admissions.csv")}
    assert admissions[scenario.ids["sunita_ip"]]["bed"] == "15"
    results = read(tmp_path / "csv" / "lab_results.csv")
    assert {(r["test"], r["value"], r["admission"]) for r in results} == {
        ("Haemoglobin", "8.9", scenario.ids["sunita_ip"]), ("Serum creatinine", "1.4", scenario.ids["sunita_ip"])}
    requests = read(tmp_path / "csv" / "lab_requests.csv")
    assert {r["tests"] for r in requests} == {"Haemoglobin; Serum creatinine", "Blood sugar (random)"}
    held = {(r["kind"], r["code"]) for r in read(tmp_path / "csv" / "held.csv")}
    assert held == {("patient.register", "review"), ("lab.request", "review"), ("encounter.admit", "patient_voided")}


def logged(ws: Workspace, folder: Path) -> dict[str, tuple[str, str, set[str]]]:
    """post_log for files written to ``folder``: file name -> (digest, delivery, entries)."""
    return {key: (digest, delivery, set(json.loads(entries))) for key, digest, delivery, entries in ws.db.execute(
        "SELECT key, digest, delivery, entries FROM post_log WHERE adapter = 'csv' AND target = ?",
        [str(folder.resolve())])}


def test_the_files_are_logged_as_handed_over_and_a_second_folder_counts_nothing_twice(
        ws: Workspace, scenario: Scenario, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    first = write_csv(ws, scenario.decisions, stick)
    files = logged(ws, stick)
    assert set(files) == {p.name for p in first.files}
    for path in first.files:
        digest, delivery, _ = files[path.name]
        assert (digest, delivery) == (hashlib.sha256(path.read_bytes()).hexdigest(), "file")
    # A file carries every version of the records in it; a matched patient's own row creates nothing (merged).
    patients = read(stick / "patients.csv")
    assert files["patients.csv"][2] == {r[c] for r in patients if r["decision"] != "matched"
                                        for c in ("entry_uuid", "current_uuid")}
    # Sunita's registration and its correction, and Mohan's; Ravi's row (matched) names his UHID only.
    assert scenario.uuids["sunita"] in files["patients.csv"][2] and len(files["patients.csv"][2]) == 3
    assert files["held.csv"][2] == files["columns.csv"][2] == set()
    log = PostLog(ws.db)
    delivered = log.delivered()
    assert set(delivered.values()) == {"file"} and not log.acknowledged("csv", str(stick.resolve()))

    # The stick went missing: the same files again, to another one. Nothing is skipped, nothing counted twice.
    again = write_csv(ws, scenario.decisions, tmp_path / "second-stick")
    assert again.posted == first.posted and [p.read_bytes() for p in again.files] == [p.read_bytes()
                                                                                      for p in first.files]
    assert log.delivered() == delivered
    targets = {t for (t,) in ws.db.execute("SELECT DISTINCT target FROM post_log")}
    assert targets == {str(stick.resolve()), str((tmp_path / "second-stick").resolve())}
