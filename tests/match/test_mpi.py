"""Loading the MPI (a real FHIR Bulk export, our own NDJSON and CSV), its blocking keys, and name roles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from downtime.names import name_parts
from sync.match import Matcher
from sync.mpi import LoadReport, MpiIndex, MpiRecord, read_mpi, write_mpi_csv, write_mpi_ndjson

SYNTHEA = Path(__file__).resolve().parents[1] / "fixtures" / "fhir-bulk-synthea-10" / "Patient.000.ndjson"

RECORDS = [
    MpiRecord("UH1000001", "Ramesh Kumar Sharma", "male", "1962-05-01", "9876543210", "12, Shiv Nagar, Patna",
              "800001", "Suresh Sharma", "so", "91123456789012"),
    MpiRecord("UH1000002", "B/O Sunita Devi", "female", "2025-02-20", "9876543210", "12, Shiv Nagar, Patna",
              "800001", "Sunita Devi", "bo"),
    MpiRecord("UH1000003", "Mohd Salim", "male", "1975", None, None, None, None, None, None),
]


@pytest.mark.skipif(not SYNTHEA.exists(), reason="the shared Synthea fixture is not beside the repository")
def test_real_synthea_bulk_export_loads_as_it_is() -> None:
    report = LoadReport()
    index = MpiIndex.load(SYNTHEA, report=report)
    assert len(index) == report.rows == 13 and not report.problems
    first = index.record(0)
    assert first.uhid == "129c6ac7-8d06-89de-ad63-0204a93e76c3"  # the MR identifier
    assert (first.name, first.sex, first.dob, first.phone) == ("Sumiko254 Larue605 Medhurst46", "female",
                                                               "1927-05-21", "5558107203")
    assert index.find_uhid("129C6AC7-8D06-89DE-AD63-0204A93E76C3") == 0  # typed in capitals
    decision = Matcher(index).match({"entry_uuid": "e1", "name": "Sumiko Medhurst", "sex": "female",
                                     "dob": "1927-05-21", "phone": "555-810-7203", "recorded_at": "2025-03-01"})
    assert (decision.decision, decision.uhid) == ("matched", first.uhid)


@pytest.mark.parametrize("writer, fmt", [(write_mpi_csv, "csv"), (write_mpi_ndjson, "ndjson")])
def test_our_exports_read_back(tmp_path: Path, writer, fmt: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"mpi.{fmt}"
    assert writer(RECORDS, path) == 3
    report = LoadReport()
    expected = RECORDS
    if fmt == "ndjson":
        # FHIR has no "baby of" relationship: the mother comes back as a parent (the name keeps "B/O").
        expected = [RECORDS[0], dataclasses.replace(RECORDS[1], relation_type="do"), RECORDS[2]]
    assert list(read_mpi(path, fmt, report)) == expected
    assert report.rows == 3 and not report.problems


def test_bad_lines_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "mpi.ndjson"
    write_mpi_ndjson(RECORDS[:1], path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"resourceType": "Patient", "name": [{"text": "No Id"}]}\nnot json\n')
    report = LoadReport()
    assert [r.uhid for r in read_mpi(path, report=report)] == ["UH1000001"]
    assert [line for line, _ in report.problems] == [2, 3]


def test_index_lookups_and_repeated_uhids() -> None:
    index = MpiIndex.build([*RECORDS, {"uhid": "uh1000001", "name": "Someone Else"}])
    assert len(index) == 3 and index.duplicate_uhids == 1
    assert index.find_abha("91-1234-5678-9012") == [0]
    assert index.find_uhid("UH1000003") == 2 and index.find_uhid("UH404") is None


def test_stats_weigh_names_by_how_common_they_are() -> None:
    index = MpiIndex.build([{"uhid": f"U{i}", "name": "Ram Kumar"} for i in range(50)]
                           + [{"uhid": "V1", "name": "Bhupinder Grewal"}])
    assert index.stats.share("given", "ram") > 10 * index.stats.share("given", "bhupinder")


@pytest.mark.parametrize("written, given, surname, initials, baby_of", [
    ("Ramesh Kumar Sharma", ("rames",), "sarma", (), False),
    ("R. K. Sharma", ("sarma",), None, ("r", "k"), False),
    ("Md. Saleem Khan", ("salim",), "khan", (), False),
    ("Mohd Salim", ("salim",), None, (), False),
    ("Smt. Suneeta Devi", ("sunita",), None, (), False),
    ("B/O Sunita Devi", ("sunita",), None, (), True),
    ("Sachin Ramesh Patil", ("sachin", "rames"), "patil", (), False),
    ("", (), None, (), False),
])
def test_name_parts(written: str, given: tuple[str, ...], surname: str | None, initials: tuple[str, ...],
                    baby_of: bool) -> None:
    parts = name_parts(written)
    assert (parts.given, parts.surname, parts.initials, parts.baby_of) == (given, surname, initials, baby_of)
