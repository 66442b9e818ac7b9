"""Snapshot import: real and synthetic exports, bad lines, crashes, encryption, and the viewer on top."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from downtime import patient_index, snapshot
from downtime.demo_data import generate_export
from downtime.encrypted_db import WrongKeyError, open_encrypted
from downtime.search import search
from downtime.snapshot import LineProblem, SnapshotError, build_snapshot, open_snapshot
from downtime.viewer import census, patient_summary
from tests.conftest import SYNTHEA  # noqa: E402

DOCS = Path(__file__).resolve().parents[1] / "docs"
KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    generate_export(out, patients=3000, inpatients=120, seed=11)
    return out


@pytest.fixture(scope="module")
def demo_snapshot(demo_export: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("snap") / "snapshot.db"
    build_snapshot([demo_export], dest, KEY)
    return dest


# -- real exports ---------------------------------------------------------------------------------

@pytest.mark.skipif(not SYNTHEA.is_dir(), reason="shared Synthea fixture not present")
def test_synthea_bulk_export_imports_as_it_is(tmp_path: Path) -> None:
    dest = tmp_path / "snapshot.db"
    report = build_snapshot([SYNTHEA], dest, KEY)
    assert report.problems_total == 0
    assert report.counts["patients"] == 13
    assert report.counts["allergies"] == 11
    assert report.counts["medications"] == 23             # the active ones
    assert report.counts["encounters"] == 0                # all finished: no census in this export
    assert report.skipped["Encounter (finished: not a current stay)"] == 1215
    assert report.skipped["MedicationRequest (stopped)"] == 1722
    assert report.skipped["Organization (not used on the wards)"] == 43
    assert (report.as_of, report.as_of_source) == ("2024-08-06T18:12:57Z", "transactionTime in log.ndjson")
    with open_snapshot(dest, KEY) as snap:
        hit = search([snap.db], "sumiko medhurst")[0]  # Synthea's digits ("Sumiko254") are not part of names
        assert hit.name.startswith("Sumiko254") and hit.phone == "5558107203"
        allergic = snap.db.execute("SELECT patient_id FROM allergies WHERE substance = 'Aspirin'").fetchone()[0]
        summary = patient_summary(snap.db, allergic)
        assert summary.allergy_status == "recorded"
        assert any(a.substance == "Aspirin" and a.criticality == "low" for a in summary.allergies)


# -- synthetic export, census and summary ---------------------------------------------------------

def test_demo_export_census_and_summary(demo_snapshot: Path) -> None:
    with open_snapshot(demo_snapshot, KEY) as snap:
        assert snap.meta["as_of_source"] == "transactionTime in manifest.json"
        wards = census(snap.db)
        assert sum(w.count for w in wards) == 120
        assert all(p.bed for w in wards for p in w.patients)
        assert len({(w.ward, p.bed) for w in wards for p in w.patients}) == 120  # one patient per bed
        medicine = census(snap.db, "medicine ward 7")
        assert len(medicine) == 1 and medicine[0].ward == "Medicine Ward 7"
        beds = [p.bed for p in medicine[0].patients]
        assert beds == sorted(beds, key=lambda b: int(b.split("-")[1]))
        entry = medicine[0].patients[0]
        summary = patient_summary(snap.db, entry.patient_id)
        assert summary.encounter is not None and summary.encounter.bed == entry.bed
        assert summary.as_of == "2025-01-15T06:00:00Z"
        window = "2024-12-16T06:00:00Z"  # 30 days before the export
        results = [r for w in wards for p in w.patients for r in patient_summary(snap.db, p.patient_id).results]
        assert results and all(r.taken_at >= window for r in results)
        assert all(r.reference_range for r in results)
        assert any(r.abnormal and r.flag in ("H", "L") for r in results)
        assert snap.db.execute("SELECT count(*) FROM medications WHERE status != 'active'").fetchone()[0] == 0


def test_no_allergy_record_is_not_no_known_allergy(demo_snapshot: Path) -> None:
    with open_snapshot(demo_snapshot, KEY) as snap:
        statuses = {patient_summary(snap.db, p.patient_id).allergy_status
                    for w in census(snap.db) for p in w.patients}
    assert statuses == {"recorded", "no known allergies", "not recorded"}


def test_the_file_holds_no_plaintext(demo_snapshot: Path, demo_export: Path) -> None:
    first = json.loads((demo_export / "Patient.000.ndjson").open(encoding="utf-8").readline())
    data = demo_snapshot.read_bytes()
    for secret in (first["name"][0]["text"], first["id"], "Medicine Ward", "SQLite format"):
        assert secret.encode() not in data
    with pytest.raises(WrongKeyError):
        open_snapshot(demo_snapshot, OTHER_KEY)
    assert sorted(p.name for p in demo_snapshot.parent.iterdir()) == ["snapshot.db", "snapshot.db.lock"]


# -- bad lines --------------------------------------------------------------------------------------

BAD_LINES = [
    b'{"resourceType":"Patient","id":"x1","name":[{"text":"Cut off',
    b"[1, 2, 3]",
    b'{"id":"x2","name":[{"text":"No type"}]}',
    b'{"resourceType":"Patient","name":[{"text":"No id"}]}',
    b'{"resourceType":"Patient","id":"x3"}',
    b'{"resourceType":"Patient","id":"x4","name":[{"text":"A"}],"telecom":5}',
    b'\xff\xfe{"resourceType":"Patient"}',
    b'{"resourceType":"Patient","id":"x5","name":[{"text":"Trailing"}]},',
    b"null",
    b'{"resourceType":"AllergyIntolerance","id":"a1","code":{"text":"Penicillin"}}',
]


@pytest.mark.parametrize("parser", ["default", "stdlib"])
def test_one_percent_malformed_lines_are_listed_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        parser: str) -> None:
    if parser == "stdlib":  # orjson is optional: the standard library must give the same report
        monkeypatch.setattr(snapshot, "_loads", snapshot._stdlib_loads)
    export = tmp_path / "export"
    generate_export(export, patients=2000, inpatients=40, seed=5)
    path = export / "Patient.000.ndjson"
    lines = path.read_bytes().split(b"\n")[:-1]
    bad_numbers = set(range(7, len(lines) + 1, 100))  # 1 %, spread through the file
    for i, n in enumerate(sorted(bad_numbers)):
        lines[n - 1] = BAD_LINES[i % len(BAD_LINES)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = build_snapshot([export], tmp_path / "snapshot.db", KEY)
    listed = {(p.file, p.line) for p in report.problems}
    assert listed == {("Patient.000.ndjson", n) for n in bad_numbers}
    assert report.problems_total == len(bad_numbers)
    assert report.counts["patients"] == len(lines) - len(bad_numbers)
    reasons = {p.reason for p in report.problems}
    assert any(r.startswith("not valid JSON") for r in reasons) and "not UTF-8 text" in reasons
    assert {"Patient: no id", "Patient: no name", "no resourceType", "not a JSON object",
            "Patient: unexpected structure (TypeError)", "AllergyIntolerance: no patient reference"} <= reasons
    assert not any("Cut off" in r or "x1" in r for r in reasons)  # reasons never quote the line


def test_process_pool_numbers_lines_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = tmp_path / "export"
    generate_export(export, patients=1500, inpatients=30, seed=8)
    path = export / "Patient.000.ndjson"
    lines = path.read_bytes().split(b"\n")[:-1]
    for n in (5, 777, 1499):
        lines[n - 1] = b"{broken"
    path.write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.setattr(snapshot, "CHUNK_BYTES", 64 << 10)   # many chunks per file
    monkeypatch.setattr(snapshot, "IN_PROCESS_BELOW", 0)     # use the worker processes even for this
    pooled = build_snapshot([export], tmp_path / "pooled.db", KEY, workers=2)
    single = build_snapshot([export], tmp_path / "single.db", KEY, workers=0)
    assert [(p.file, p.line) for p in pooled.problems] == [("Patient.000.ndjson", n) for n in (5, 777, 1499)]
    assert pooled.counts == single.counts and pooled.problems == single.problems
    # Other readers of exports (the records office's MPI loader) get the same lines and numbers.
    read = [n for batch in snapshot.read_batches(path) for n, _ in batch.problems]
    assert read == [5, 777, 1499]


def test_references_in_every_form_and_orphans(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    mr = {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
          "value": "UH1"}
    resources = [
        {"resourceType": "Patient", "id": "p-uuid-1", "meta": {"lastUpdated": "2025-02-01T10:00:00+05:30"},
         "identifier": [mr], "name": [{"given": ["Sunita"], "family": "Devi"}], "gender": "female"},
        {"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "urn:uuid:p-uuid-1"},
         "code": {"text": "Penicillin"}, "criticality": "high"},
        {"resourceType": "MedicationRequest", "id": "m1", "status": "active",
         "subject": {"reference": "Patient?identifier=https://hmis.example/uhid|UH1"},
         "medicationCodeableConcept": {"text": "Tab. Paracetamol 650 mg"}},
        {"resourceType": "Observation", "id": "o1", "status": "final",
         "subject": {"reference": "https://hmis.example/fhir/Patient/p-uuid-1/_history/3"},
         "code": {"text": "Haemoglobin"}, "effectiveDateTime": "2025-01-30T08:00:00+05:30",
         "valueQuantity": {"value": 9.1, "unit": "g/dL"},
         "referenceRange": [{"low": {"value": 12}, "high": {"value": 15.5}}]},
        {"resourceType": "Observation", "id": "o2", "status": "final", "subject": {"reference": "Patient/p-uuid-1"},
         "code": {"text": "Old result"}, "effectiveDateTime": "2024-11-01", "valueString": "x"},
        {"resourceType": "AllergyIntolerance", "id": "a2", "patient": {"reference": "Patient/nobody"},
         "code": {"text": "Sulfa"}},
        {"resourceType": "Encounter", "id": "e1", "status": "in-progress", "subject": {"reference": "Patient/UH1"},
         "period": {"start": "2025-01-29T09:00:00+05:30"},
         "location": [{"location": {"reference": "Location?identifier=https://hmis.example/loc|B-7"}}]},
        {"resourceType": "Location", "id": "bed7", "identifier": [{"value": "B-7"}], "name": "M7-07",
         "physicalType": {"coding": [{"code": "bd"}]}, "partOf": {"reference": "Location/w7"}},
        {"resourceType": "Location", "id": "w7", "name": "Medicine Ward 7", "physicalType": {"coding": [{"code": "wa"}]}},
    ]
    (export / "all.ndjson").write_text("\n".join(json.dumps(r) for r in resources) + "\n", encoding="utf-8")
    report = build_snapshot([export / "all.ndjson"], tmp_path / "s.db", KEY)
    assert report.as_of_source == "newest meta.lastUpdated" and report.as_of == "2025-02-01T04:30:00Z"
    assert report.problems == [LineProblem("all.ndjson", 6, "refers to a patient who is not in the export")]
    assert report.skipped == {"Observation (older than 30 days)": 1}
    with open_snapshot(tmp_path / "s.db", KEY) as snap:
        summary = patient_summary(snap.db, "uh1")
        assert [a.substance for a in summary.allergies] == ["Penicillin"]
        assert [m.name for m in summary.medications] == ["Tab. Paracetamol 650 mg"]
        (hb,) = summary.results
        assert (hb.flag, hb.abnormal, hb.reference_range) == ("L", True, "12–15.5 g/dL")
        assert summary.encounter is not None
        assert (summary.encounter.ward, summary.encounter.bed) == ("Medicine Ward 7", "M7-07")


def test_duplicate_patients_are_reported(tmp_path: Path) -> None:
    line = json.dumps({"resourceType": "Patient", "id": "p1", "name": [{"text": "Asha"}]})
    (tmp_path / "p.ndjson").write_text(f"{line}\n\n{line}\n", encoding="utf-8")
    report = build_snapshot([tmp_path / "p.ndjson"], tmp_path / "s.db", KEY)
    assert report.counts["patients"] == 1
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, "duplicate patient: same id as an earlier line, earlier one kept")]
    assert report.as_of_source == "modification time of p.ndjson"


def test_unstorable_rows_in_one_batch_are_each_reported(tmp_path: Path) -> None:
    def patient(pid: str, name: str) -> dict[str, object]:
        return {"resourceType": "Patient", "id": pid, "name": [{"text": name}]}
    resources = [patient("p1", "Asha Rani"), patient("p2", "Bina Devi"), patient("p1", "Later Asha"),
                 patient("P2", "Later Bina"),  # ids compare without case
                 patient("p3", "Chanda Kumari"),
                 {"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/p1"},
                  "code": {"text": "Penicillin"}, "criticality": {"odd": "an object where FHIR has a code"}},
                 {"resourceType": "AllergyIntolerance", "id": "a2", "patient": {"reference": "Patient/p3"},
                  "code": {"text": "Sulfa"}},
                 patient("p3", "Last Line Again")]
    (tmp_path / "p.ndjson").write_text("\n".join(json.dumps(r) for r in resources) + "\n", encoding="utf-8")
    report = build_snapshot([tmp_path / "p.ndjson"], tmp_path / "s.db", KEY)
    duplicate = "duplicate patient: same id as an earlier line, earlier one kept"
    assert [(p.line, p.reason) for p in report.problems] == [
        (3, duplicate), (4, duplicate),
        (6, "allergies: a value of an unexpected type (an object, a list or a huge number)"), (8, duplicate)]
    assert (report.counts["patients"], report.counts["allergies"]) == (3, 1)
    with open_snapshot(tmp_path / "s.db", KEY) as snap:  # every stored patient is in the name index
        assert [search([snap.db], name)[0].id for name in ("asha", "bina", "chanda")] == ["p1", "p2", "p3"]
        assert search([snap.db], "later") == []


def test_name_index_built_in_pieces_equals_one_built_at_once(demo_export: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "CHUNK_BYTES", 64 << 10)     # batches of about 80 patients
    monkeypatch.setattr(snapshot, "NAME_INDEX_ROWS", 400)      # a segment of the name index every few batches
    dest = tmp_path / "s.db"
    report = build_snapshot([demo_export], dest, KEY, workers=0)
    db = open_encrypted(dest, KEY, durable=False)
    try:
        db.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, patients_fts, 'instance')")
        built = db.execute("SELECT * FROM temp.terms ORDER BY 1, 2, 3, 4").fetchall()
        db.execute("INSERT INTO patients_fts(patients_fts) VALUES ('rebuild')")
        assert db.execute("SELECT * FROM temp.terms ORDER BY 1, 2, 3, 4").fetchall() == built
        assert len({doc for _, doc, _, _ in built}) == report.counts["patients"] > 3000
        db.execute("INSERT INTO patients_fts(patients_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        db.conn.close()


def test_csv_template_sample_imports_cleanly(tmp_path: Path) -> None:
    report = build_snapshot([DOCS / "snapshot-csv-sample.csv"], tmp_path / "s.db", KEY)
    assert report.problems_total == 0 and report.counts["patients"] == 5 and report.counts["encounters"] == 3
    with open_snapshot(tmp_path / "s.db", KEY) as snap:
        assert [w.ward for w in census(snap.db)] == ["Medicine Ward 7", "NICU", "Surgery Ward 3"]
        hit = search([snap.db], "91-1234-5678-9012")[0]
        assert (hit.name, hit.relation, hit.ward, hit.bed) == ("Sunita Devi", "W/o Ramesh Kumar", "Medicine Ward 7",
                                                               "M7-12")
        assert search([snap.db], "8123456789")[0].dob == "1948"


def test_csv_bad_rows_and_other_kinds(tmp_path: Path) -> None:
    (tmp_path / "patients.csv").write_text(
        "UHID,Name,Sex,DOB\nU1,Asha Rani,F,31/12/1980\n,No Uhid,F,\nU2,Bad Date,M,1980-13-45\nU3,Bad Sex,X,\n",
        encoding="utf-8")
    (tmp_path / "allergies.csv").write_text("uhid,substance,criticality\nU1,Penicillin,high\nU9,Sulfa,low\n",
                                            encoding="utf-8")
    (tmp_path / "results.csv").write_text(
        "uhid,test_name,value,unit,ref_low,ref_high,taken_at\nU1,Haemoglobin,17.9,g/dL,12,15.5,2099-01-01T10:00:00+05:30\n",
        encoding="utf-8")
    report = build_snapshot([tmp_path], tmp_path / "s.db", KEY)
    assert [(p.file, p.line, p.reason) for p in report.problems] == [
        ("allergies.csv", 3, "refers to a patient who is not in the export"),
        ("patients.csv", 3, "patients CSV: no UHID"),
        ("patients.csv", 4, "patients CSV: dob is not a date (use YYYY-MM-DD)"),
        ("patients.csv", 5, "patients CSV: sex must be M, F or O"),
    ]
    with open_snapshot(tmp_path / "s.db", KEY) as snap:
        summary = patient_summary(snap.db, "U1")
        assert summary.patient.dob == "1980-12-31"
        assert summary.results[0].flag == "H"


# -- replacing the old snapshot -------------------------------------------------------------------

def test_an_empty_export_keeps_the_previous_snapshot(demo_snapshot: Path, tmp_path: Path) -> None:
    (tmp_path / "Patient.000.ndjson").write_text('{"resourceType":"Organization","id":"o"}\n', encoding="utf-8")
    before = demo_snapshot.read_bytes()
    with pytest.raises(SnapshotError):
        build_snapshot([tmp_path], demo_snapshot, KEY)
    assert demo_snapshot.read_bytes() == before
    assert not demo_snapshot.with_suffix(".db.building").exists()


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from downtime.snapshot import build_snapshot

    def progress(done, total):
        print(done, total, flush=True)

    if __name__ == "__main__":
        build_snapshot([Path(sys.argv[1])], Path(sys.argv[2]), bytes(range(32)), progress=progress, workers=0)
""")


def test_kill_halfway_leaves_the_previous_snapshot(demo_snapshot: Path, tmp_path: Path) -> None:
    dest = tmp_path / "snapshot.db"
    dest.write_bytes(demo_snapshot.read_bytes())
    export = tmp_path / "big"
    generate_export(export, patients=40_000, inpatients=50, seed=3)
    script = tmp_path / "kill_me.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, str(script), str(export), str(dest)], stdout=subprocess.PIPE,
                            env=env, start_new_session=True, text=True)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            done, total = map(int, line.split())
            if total and done >= total * 0.4:
                break
        else:
            pytest.fail("the import finished before it could be killed")
        assert dest.with_suffix(".db.building").exists()
        os.killpg(proc.pid, signal.SIGKILL)  # like a power cut: no cleanup runs
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with open_snapshot(demo_snapshot, KEY) as old:
        old_meta = old.meta
    with open_snapshot(dest, KEY) as snap:
        assert snap.meta == old_meta  # still the previous snapshot, complete and readable
        assert snap.db.execute("SELECT count(*) FROM patients").fetchone()[0] == old_meta["counts"]["patients"]
    # The next import cleans up the half-built file and replaces the snapshot.
    started = time.monotonic()
    report = build_snapshot([export], dest, KEY)
    assert report.counts["patients"] >= 40_000 and time.monotonic() - started < 30
    assert not dest.with_suffix(".db.building").exists()


def test_two_imports_cannot_build_at_once(tmp_path: Path, demo_export: Path) -> None:
    dest = tmp_path / "snapshot.db"
    with snapshot._build_lock(dest), pytest.raises(SnapshotError, match="another snapshot import"):
        build_snapshot([demo_export], dest, KEY)


def test_progress_reports_bytes(demo_export: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    build_snapshot([demo_export], tmp_path / "s.db", KEY, progress=lambda d, t: seen.append((d, t)))
    total = seen[0][1]
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))


def test_open_snapshot_errors(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no snapshot"):
        open_snapshot(tmp_path / "missing.db", KEY)
    from downtime.encrypted_db import open_encrypted
    other = open_encrypted(tmp_path / "other.db", KEY)
    other.execute("CREATE TABLE x (a)")
    other.conn.close()
    with pytest.raises(SnapshotError, match="not a downtime snapshot"):
        open_snapshot(tmp_path / "other.db", KEY)


def test_the_fast_patient_row_equals_the_generic_one() -> None:
    fields = {"uhid": "U1", "name": "Sunita W/o Ramesh", "sex": "female", "dob": "1980", "phone": "+91 98765 43210",
              "abha": "91-1234-5678-9012", "relative": None, "relation_type": None, "address": "a",
              "pincode": "110001", "updated_at": "2025-01-15T06:00:00Z"}
    fast = patient_index.snapshot_values(**fields)
    assert fast == patient_index.patient_values({"id": "U1", "source": "snapshot", **fields})
    assert fast[patient_index.COLUMNS.index("relative")] == "Ramesh"
