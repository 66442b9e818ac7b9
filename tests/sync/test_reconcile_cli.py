"""``reconcile match``, ``crosswalk`` and ``post`` as the records office runs them: real processes, from a ward
PC's registrations to a crosswalk and write-back files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sync.decisions import CROSSWALK_COLUMNS
from sync.mpi import MpiRecord, write_mpi_ndjson
from sync.workspace import Workspace
from tests.sync.conftest import PASSPHRASE, device_key, make_office, make_ward, seal_to
from tests.sync.test_cli_sync import OFFICE, ok
from tests.test_cli import assert_one_line_error, run

REGISTRATIONS = (
    "row_id,ward,name,sex,dob,age_years,phone,address,pincode,relative,uhid\n"
    "R001,W7,Sunita Devi,female,,45,9876543210,\"House 12, Sector 4, R K Puram\",110022,W/o Ramesh Kumar,"
    "AIIMS-000123\n"  # typed her UHID
    "R002,W7,Mohd. Imran,male,1984-03-15,,9812345678,\"Flat 3, Jamia Nagar\",110025,S/o Abdul Rashid,\n"  # no UHID
    "R003,W7,Anjali Verma,female,,29,9900112233,\"Lane 2, Dwarka\",110075,D/o Suresh Verma,\n"  # not in the HMIS
)
MPI = [
    MpiRecord("AIIMS-000123", "Sunita Devi", "female", "1981", "9876543210", "House 12, Sector 4, R K Puram",
              "110022", "Ramesh Kumar", "wo"),
    MpiRecord("AIIMS-000124", "Ramesh Kumar", "male", "1976", "9876543210", "House 12, Sector 4, R K Puram",
              "110022"),
    MpiRecord("AIIMS-000456", "Mohammed Imran", "male", "1984-03-15", "9812345678", "Flat 3, Jamia Nagar",
              "110025", "Abdul Rashid", "so"),
    MpiRecord("AIIMS-000789", "Kavita Verma", "female", "1960", "9900112233", "Lane 2, Dwarka", "110075"),
]


def test_match_crosswalk_and_post_from_ward_registrations(tmp_path: Path) -> None:
    ro, ward, usb = str(tmp_path / "ro"), str(tmp_path / "ward"), tmp_path / "usb"
    make_office(Path(ro))
    make_ward(Path(ward))  # downtime declared; staged by IT (in-process: the key commands have their own tests)
    seal_to(Path(ward), Path(ro))
    ws = Workspace.open(Path(ro), PASSPHRASE)
    ws.trust(device_key(Path(ward)))
    ws.close()
    usb.mkdir()
    (tmp_path / "regs.csv").write_text(REGISTRATIONS, "utf-8")
    ok(run("--home", ward, "entry", "import", "patient.register", str(tmp_path / "regs.csv")))
    ok(run("--home", ward, "export", "--out", str(usb)))
    ok(run("--home", ro, "reconcile", "import", str(usb), **OFFICE))

    mpi = tmp_path / "mpi.ndjson"
    write_mpi_ndjson(MPI, mpi)
    out = ok(run("--home", ro, "reconcile", "match", "--mpi", str(mpi), "--mpi-format", "ndjson", **OFFICE))
    assert "3 registrations against 4 HMIS patients" in out and "2 matched, 1 new, 0 to review" in out, out

    crosswalk = tmp_path / "crosswalk.csv"
    ok(run("--home", ro, "reconcile", "crosswalk", "--out", str(crosswalk), **OFFICE))
    with crosswalk.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == CROSSWALK_COLUMNS == (
            "downtime_id", "entry_uuid", "external_ref", "decision", "uhid", "score")
        rows = {r["external_ref"]: r for r in reader}
    assert {ref: (r["decision"], r["uhid"]) for ref, r in rows.items()} == {
        "R001": ("matched", "AIIMS-000123"), "R002": ("matched", "AIIMS-000456"), "R003": ("new", "")}
    assert all(r["downtime_id"] and r["entry_uuid"] for r in rows.values())
    assert float(rows["R001"]["score"]) == 1.0 and float(rows["R002"]["score"]) >= 0.9

    out = ok(run("--home", ro, "reconcile", "post", "--adapter", "csv", "--out", str(tmp_path / "csv"), **OFFICE))
    assert out.startswith("csv to ") and "3 written" in out, out
    with (tmp_path / "csv" / "patients.csv").open(newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 3
    out = ok(run("--home", ro, "reconcile", "post", "--adapter", "fhir", "--out", str(tmp_path / "fhir"), **OFFICE))
    # A matched patient with only a registration is merged into the HMIS's record: only the new one is created.
    [bundle] = (tmp_path / "fhir").glob("*.json")
    assert "1 written" in out and "0 failed" in out and rows["R003"]["downtime_id"] in bundle.name, out
    resources = [e["resource"] for e in json.loads(bundle.read_text("utf-8"))["entry"]]
    assert [r["name"][0]["text"] for r in resources if r["resourceType"] == "Patient"] == ["Anjali Verma"]


def test_post_without_decisions_or_a_target_is_one_line(tmp_path: Path) -> None:
    ro = str(make_office(tmp_path / "ro"))
    assert_one_line_error(run("--home", ro, "reconcile", "post", "--adapter", "csv", "--out", str(tmp_path / "o"),
                              **OFFICE), "run 'reconcile match")
    assert_one_line_error(run("--home", ro, "reconcile", "post", "--adapter", "fhir", **OFFICE), "--url or --out")
    (tmp_path / "empty.ndjson").write_text("", "utf-8")
    assert_one_line_error(run("--home", ro, "reconcile", "match", "--mpi", str(tmp_path / "empty.ndjson"),
                              **OFFICE), "holds no patients")
