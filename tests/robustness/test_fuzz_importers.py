"""Fuzz the importers: the snapshot's NDJSON and CSV, the records office's MPI reader, and `entry import`.

The promise under test: no input aborts an import, and no line disappears. Every non-blank line of an
export becomes rows, a reported problem (file and line), or a count of records left out on purpose; a
snapshot built from it holds those rows or lists the line. An `entry import` CSV imports exactly its good
rows and reports each bad one by its row number with a message that names the field.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from downtime.entry_import import import_csv
from downtime.errors import DowntimeError
from downtime.kinds.schema import get_kind
from downtime.session import Session
from downtime.snapshot import SnapshotError, build_snapshot, open_snapshot, read_batches
from sync.mpi import LoadReport, MpiIndex
from sync.person import person_from
from tests.robustness.fuzz_settings import ZWJ, ZWNJ, fuzz_settings, hostile_text, hostile_value, tallied

KEY = bytes(range(32))
PATIENT_IDS = ("p1", "p2", "UHID-9", "P 4")
DATES = ("2024-05-01", "1984-03-15T10:00:00+05:30", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-12:00",
         "2024-13-45", "1948", "२०२४-०१-०१", "", "T")
KINDS = ("Patient", "Encounter", "Location", "AllergyIntolerance", "MedicationRequest", "Observation",
         "DiagnosticReport", "Organization", "")

# -- NDJSON lines ------------------------------------------------------------------------------------------

dates = st.one_of(st.sampled_from(DATES), hostile_value())
references = st.one_of(st.sampled_from([{"reference": f"Patient/{p}"} for p in PATIENT_IDS]),
                       st.builds(lambda v: {"reference": v}, hostile_value()), hostile_value())

patients = st.fixed_dictionaries(
    {"resourceType": st.just("Patient"), "id": st.sampled_from(PATIENT_IDS),
     "name": st.one_of(st.builds(lambda t: [{"text": t}], hostile_text()), hostile_value())},
    optional={"gender": st.one_of(st.sampled_from(["male", "female", "other"]), hostile_value()),
              "birthDate": dates, "telecom": st.builds(lambda v: [{"system": "phone", "value": v}], hostile_value()),
              "identifier": hostile_value(), "address": hostile_value(), "contact": hostile_value(),
              "meta": st.one_of(st.builds(lambda d: {"lastUpdated": d}, dates), hostile_value())})

resources = st.fixed_dictionaries(
    {"resourceType": st.one_of(st.sampled_from(KINDS), hostile_value())},
    optional={"id": st.one_of(st.sampled_from(("r1", "r2", "r3")), hostile_value()),
              "status": st.one_of(st.sampled_from(["active", "in-progress", "final", "finished"]), hostile_value()),
              "subject": references, "patient": references, "criticality": hostile_value(),
              "class": hostile_value(), "code": hostile_value(), "category": hostile_value(),
              "effectiveDateTime": dates, "issued": dates, "valueQuantity": hostile_value(),
              "location": hostile_value(), "partOf": hostile_value(), "reaction": hostile_value(),
              "meta": st.one_of(st.builds(lambda d: {"lastUpdated": d}, dates), hostile_value())})


def _json_line(value: Any, ascii_only: bool) -> bytes:
    # A lone surrogate can only travel as a JSON escape; otherwise write UTF-8 as exports do.
    try:
        text = json.dumps(value, ensure_ascii=ascii_only)
        return text.encode("utf-8")
    except (UnicodeEncodeError, ValueError, OverflowError):
        return json.dumps(value, ensure_ascii=True, default=str).encode("utf-8")


ndjson_lines = st.one_of(
    st.builds(_json_line, patients, st.booleans()),
    st.builds(_json_line, resources, st.booleans()),
    st.binary(max_size=80),                                                  # not JSON, not UTF-8
    st.builds(lambda line, cut: line[:cut], st.builds(_json_line, patients, st.just(False)), st.integers(1, 60)),
    st.sampled_from([b"", b"   ", b"\r", b"\xef\xbb\xbf", b"[" * 5000, b'{"resourceType":"Patient"}', b"null"]),
)


def ndjson_file(path: Path, lines: list[bytes], bom: bool, crlf: bool) -> list[int]:
    """Write the lines; return the numbers of the non-blank ones (what the importer must account for)."""
    clean = [line.replace(b"\n", b" ") for line in lines]
    data = b"\n".join(line + (b"\r" if crlf else b"") for line in clean) + b"\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    physical = path.read_bytes().split(b"\n")[:-1]
    return [n for n, line in enumerate(physical, start=1) if line.strip()]


def parsed(path: Path) -> tuple[dict[int, list[tuple[str, tuple[Any, ...]]]], dict[int, str], int]:
    """(rows by line, problems by line, records left out on purpose) as the importer's parser sees the file."""
    rows: dict[int, list[tuple[str, tuple[Any, ...]]]] = {}
    problems: dict[int, str] = {}
    skipped = 0
    for batch in read_batches(path):
        for table, lines in batch.lines.items():
            for line, row in zip(lines, batch.rows[table]):
                rows.setdefault(line, []).append((table, row))
        problems.update(batch.problems)
        skipped += sum(batch.skipped.values())
    return rows, problems, skipped


def assert_every_line_accounted(path: Path, nonblank: list[int]) -> tuple[dict[int, Any], dict[int, str]]:
    rows, problems, skipped = parsed(path)
    assert not set(rows) & set(problems), "a line both imported and reported"
    assert set(rows) | set(problems) <= set(nonblank), "a row or problem on a blank or missing line"
    assert len(rows) + len(problems) + skipped == len(nonblank), "a line was silently dropped"
    for reason in problems.values():  # reasons are for IT: they never quote the line's content
        assert "Sunita" not in reason and len(reason) < 200, reason
    return rows, problems


def test_ndjson_parser_accounts_for_every_line(tmp_path: Path, campaign: Any) -> None:
    with tallied(campaign, "fuzz: snapshot NDJSON lines") as count:
        @fuzz_settings(40, 3000)
        @given(st.lists(ndjson_lines, min_size=1, max_size=12), st.booleans(), st.booleans())
        def check(lines: list[bytes], bom: bool, crlf: bool) -> None:
            count()
            path = tmp_path / "Patient.ndjson"
            assert_every_line_accounted(path, ndjson_file(path, lines, bom, crlf))

        check()


# -- CSV ---------------------------------------------------------------------------------------------------

HEADERS = (
    ["uhid", "name", "sex", "dob", "age_years", "phone", "abha", "relative", "ward", "bed", "admitted_at"],
    ["UHID", " Name ", "SEX", "DOB"],
    ["uhid", "substance", "criticality", "recorded"],
    ["uhid", "medication", "dosage", "started"],
    ["uhid", "test_name", "value", "unit", "ref_low", "ref_high", "taken_at"],
    ["\ufeffuhid", "name"], ["what", "is", "this"], ["uhid"],
)
HUGE = "<a cell of 200 kB, over the csv module's field limit>"
# Found by the soak run: a row that stops before its template's required cell (KeyError: 'substance',
# 'medication'); a lone CR inside a quoted cell (numbered as a line of its own, so the next row's problem
# named a line past it); a patient with a ward but an impossible admitted_at (its row kept and its line
# reported as well).
SHORT_ALLERGY = (HEADERS[2], [["U1"]])
SHORT_MEDICATION = (HEADERS[3], [["U1"]])
SHORT_RESULT = (HEADERS[4], [["U1"], ["U2", "", "5", "", "", "", "2024-05-01T10:00:00+05:30"]])
LONE_CR = (HEADERS[0], [["U1", "U1", "0\r"], ["U2", "Asha\rRani", "F"]])
BAD_ADMISSION = (HEADERS[0], [["U1", "Asha", "F", "", "", "", "", "", "Ward 7", "", "2024-13-45"]])
cells = st.one_of(st.sampled_from(["U1", "U2", "Sunita Devi", "F", "m", "x", "1980-01-01", "31/12/1980", "45",
                                   "9876543210", "high", "12.5", "2024-05-01T10:00:00+05:30", "Ward 7", "१२"]),
                  st.sampled_from(DATES), hostile_text(6).map(lambda t: t.encode("utf-8", "replace").decode()),
                  st.just(HUGE))


def _cell(value: str) -> str:
    return "x" * 200_000 if value == HUGE else value


def csv_file(path: Path, header: list[str], records: list[list[str]]) -> list[int]:
    """Write a well-quoted CSV; return the physical line on which each non-blank record ends.

    A record with a cell over the csv module's limit keeps its other cells on one line: after such a cell
    the reader resumes at the next line, and a quoted line break would then open a new (garbled) field.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    ends, line = [], 1
    for raw in records:
        record = [_cell(v) for v in raw]
        if HUGE in raw:
            record = [v.replace("\n", " ").replace("\r", " ") for v in record]
        text = io.StringIO(newline="")
        csv.writer(text).writerow(record)
        line += text.getvalue().count("\n")
        buffer.write(text.getvalue())
        if any(cell.strip() for cell in record):
            ends.append(line)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return ends


def test_csv_parser_accounts_for_every_row(tmp_path: Path, campaign: Any) -> None:
    with tallied(campaign, "fuzz: snapshot CSV rows") as count:
        @fuzz_settings(40, 3000)
        @given(st.sampled_from(HEADERS), st.lists(st.lists(cells, max_size=12), min_size=1, max_size=10))
        @example(*SHORT_ALLERGY)
        @example(*SHORT_MEDICATION)
        @example(*SHORT_RESULT)
        @example(*LONE_CR)
        @example(*BAD_ADMISSION)
        def check(header: list[str], records: list[list[str]]) -> None:
            count()
            path = tmp_path / "patients.csv"
            ends = csv_file(path, header, records)
            rows, problems, skipped = parsed(path)
            assert skipped == 0 and not set(rows) & set(problems)
            assert set(rows) | set(problems) == set(ends), "a CSV row was silently dropped"

        check()


def test_an_oversized_csv_cell_is_one_reported_row(tmp_path: Path) -> None:
    """Found by this campaign: one cell over 128 kB made the csv module raise and the whole import stop."""
    path = tmp_path / "patients.csv"
    path.write_text("uhid,name\nU1,Asha\nU2," + "x" * 200_000 + "\nU3,Ravi\n", encoding="utf-8")
    report = build_snapshot([path], tmp_path / "s.db", KEY)
    assert report.counts["patients"] == 2
    assert [(p.file, p.line) for p in report.problems] == [("patients.csv", 3)]
    assert "field larger than field limit" in report.problems[0].reason


def test_short_rows_and_lone_carriage_returns_are_reported_by_their_line(tmp_path: Path) -> None:
    """Found by the soak run (see SHORT_ALLERGY, LONE_CR, BAD_ADMISSION): each bad row is one problem on
    the line an editor shows, and the good rows around it are imported."""
    (tmp_path / "patients.csv").write_bytes(
        b"uhid,name,dob,age_years,ward,admitted_at\r\n"
        b'U1,"Asha\rRani",,40,,\r\n'                 # a lone CR inside a quoted cell: still line 2
        b"U2,Ravi,,,Ward 7,2024-13-45\r\n"            # an impossible admission: the whole row is reported
        b"U3,Sita,\xe0\xa5\xa7\xe0\xa5\xaf\xe0\xa5\xae\xe0\xa5\xaa,,Ward 7,2024-05-01\r\n"   # dob "१९८४"
        b"U4,Meena,,\xe2\x91\xa0,,\r\n")                 # age_years "①": a digit that is no number
    (tmp_path / "allergies.csv").write_text("uhid,substance,criticality\nU3\nU3,Penicillin,high\n", encoding="utf-8")
    (tmp_path / "medications.csv").write_text("uhid,medication,dosage\nU3,,1 tab\n", encoding="utf-8")
    report = build_snapshot([tmp_path], tmp_path / "s.db", KEY, workers=0)
    assert [(p.file, p.line, p.reason) for p in report.problems] == [
        ("allergies.csv", 2, "allergies CSV: no substance"),
        ("medications.csv", 2, "medications CSV: no medication"),
        ("patients.csv", 3, "patients CSV: admitted_at is not a date (use YYYY-MM-DD)"),
        ("patients.csv", 5, "patients CSV: age_years is not a whole number"),
    ]
    assert (report.counts["patients"], report.counts["allergies"]) == (2, 1)
    with open_snapshot(tmp_path / "s.db", KEY) as snap:
        rows = dict(snap.db.execute("SELECT id, dob FROM patients").fetchall())
        placed = snap.db.execute("SELECT patient_id, src_line FROM encounters").fetchall()
    assert rows == {"U1": None, "U3": "1984"} and placed == [("U3", 4)]


# -- the snapshot as built ------------------------------------------------------------------------------------

GOOD_PATIENT = b'{"resourceType":"Patient","id":"good-1","name":[{"text":"Asha Rani"}],"gender":"female"}'


def test_snapshot_build_keeps_or_lists_every_line(tmp_path: Path, campaign: Any) -> None:
    """Whole imports: what the parser made of a line is in the snapshot, or the line is listed as a problem."""
    built = []
    with tallied(campaign, "fuzz: snapshot build (NDJSON + CSV)") as count:
        @fuzz_settings(12, 300)
        @given(st.builds(lambda lines, at: [*lines[:at], GOOD_PATIENT, *lines[at:]],  # so most builds succeed
                         st.lists(st.one_of(ndjson_lines, st.builds(_json_line, patients, st.just(False))),
                                  max_size=15), st.integers(0, 15)),
               st.lists(st.lists(cells, min_size=2, max_size=4), max_size=4))
        # Found by the soak run: "[[[[..." as the first line made the file sniffer raise RecursionError.
        @example([b"[" * 5000, GOOD_PATIENT], [])
        def check(lines: list[bytes], records: list[list[str]]) -> None:
            count()
            export = tmp_path / "export"
            export.mkdir(exist_ok=True)
            for old in export.iterdir():
                old.unlink()
            ndjson = export / "Patient.000.ndjson"
            ndjson_file(ndjson, lines, False, False)
            csv_file(export / "patients.csv", ["uhid", "name", "ward"], records)
            expected, _ = assert_every_line_accounted(ndjson, ndjson_file(ndjson, lines, False, False))
            dest = tmp_path / "snapshot.db"
            try:
                report = build_snapshot([export], dest, KEY, workers=0)
            except SnapshotError as exc:  # nothing usable at all: a clear refusal, not a crash
                assert "no usable patient" in str(exc)
                return
            built.append(report.counts["patients"])
            listed = {(p.file, p.line) for p in report.problems}
            assert report.problems_total == len(report.problems)
            assert all(f in ("Patient.000.ndjson", "patients.csv") and line >= 1 for f, line in listed)
            with open_snapshot(dest, KEY) as snap:
                ids = {r[0] for r in snap.db.execute("SELECT id FROM patients")}
                stored = {t: {r[0] for r in snap.db.execute(f"SELECT src_line FROM {t} WHERE src_file = 0")}
                          for t in ("encounters", "locations", "allergies", "medications", "reports")}
            for line, made in expected.items():
                if ("Patient.000.ndjson", line) in listed:
                    continue
                for table, row in made:
                    if table == "patients":
                        assert row[0] in ids, f"line {line}: patient neither stored nor listed"
                    elif table in stored:
                        assert line in stored[table], f"line {line}: {table} row neither stored nor listed"

        check()
    campaign.record("fuzz: snapshot build (NDJSON + CSV)", 0, 0,
                    f"{len(built)} built ({sum(built)} patients), the rest refused: no usable patient")


def test_values_of_the_wrong_type_are_listed_not_fatal(tmp_path: Path) -> None:
    """Found by this campaign: an object where FHIR has text (an allergy's criticality, an encounter's class
    code) reached SQLite as is, and the binding error stopped the whole snapshot import."""
    lines = [{"resourceType": "Patient", "id": "p1", "name": [{"text": "Asha Rani"}]},
             {"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/p1"},
              "criticality": {"high": True}},
             {"resourceType": "Encounter", "id": "e1", "status": "in-progress", "subject": {"reference": "Patient/p1"},
              "class": {"code": ["IMP"]}},
             {"resourceType": "Patient", "id": "p2", "name": [{"text": "Ravi"}],
              "meta": {"lastUpdated": "0001-01-01T00:00:00+05:00"}}]  # before year 1 in UTC: was an OverflowError
    path = tmp_path / "x.ndjson"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    report = build_snapshot([path], tmp_path / "s.db", KEY, workers=0)
    assert report.counts["patients"] == 2
    assert [(p.line, p.reason.split(":")[0]) for p in report.problems] == [(2, "allergies"), (3, "encounters")]


# -- the records office's MPI reader ----------------------------------------------------------------------------

def test_mpi_reader_survives_hostile_exports(tmp_path: Path, campaign: Any) -> None:
    with tallied(campaign, "fuzz: MPI reader (NDJSON and CSV)") as count:
        @fuzz_settings(25, 2000)
        @given(st.lists(ndjson_lines, min_size=1, max_size=10), st.sampled_from(HEADERS),
               st.lists(st.lists(cells, max_size=11), max_size=6),
               st.dictionaries(st.sampled_from(["name", "dob", "age_years", "phone", "pincode", "relative", "sex",
                                                "abha", "address", "recorded_at"]), hostile_value()))
        @example([b""], *LONE_CR, {})
        @example([b""], *SHORT_MEDICATION, {})
        @example([b""], *SHORT_ALLERGY, {})
        def check(lines: list[bytes], header: list[str], records: list[list[str]], registration: dict[str, Any]) -> None:
            count()
            for path, nonblank in ((tmp_path / "mpi.ndjson", None), (tmp_path / "mpi.csv", None)):
                if path.suffix == ".csv":
                    nonblank = csv_file(path, header, records)
                else:
                    nonblank = ndjson_file(path, lines, False, False)
                report = LoadReport()
                index = MpiIndex.load(path, report=report)
                assert len(index) + index.duplicate_uhids == report.rows
                assert {line for line, _ in report.problems} <= set(nonblank)
                person = person_from(registration, ref_field="name")
                assert all(0 <= rid < len(index) for rid in index.candidates(person))

        check()


# -- entry import ------------------------------------------------------------------------------------------------

GOOD_NAMES = ("Sunita Devi", "सुनीता देवी", f"सु{ZWJ}नीता", f"क्{ZWNJ}षमा", "Mohd. Imran", "B/O Asha")
# One field definitely wrong per bad row: (column, value, words the message must contain)
BAD_FIELDS = (("sex", "zz", "sex"), ("age_years", "abc", "age_years"), ("age_years", "99999999999", "age_years"),
              ("age_years", "-5", "age_years"), ("phone", "12", "phone"), ("dob", "2999-01-01", "dob"),
              ("name", "Asha\x00Rani", "name"), ("pincode", "000000", "pincode"), ("name", "x" * 300, "name"),
              ("abha", "1234", "abha"), ("dob", "१९८४-०३-१५", "dob"))
COLUMNS = ["row_id", "name", "sex", "age_years", "dob", "phone", "pincode", "abha"]


@st.composite
def import_rows(draw: st.DrawFn) -> list[tuple[dict[str, str], str | None]]:
    """Rows with what each must give: None for imported, else words its problem must contain."""
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        row = {"name": draw(st.sampled_from(GOOD_NAMES)), "sex": draw(st.sampled_from(["female", "M", "other"])),
               "age_years": str(draw(st.integers(0, 120))), "dob": "", "phone": draw(st.sampled_from(["", "9876543210",
                                                                                                      "+91 98765 43210"])),
               "pincode": "", "abha": ""}
        expect = None
        if draw(st.booleans()):
            column, value, words = draw(st.sampled_from(BAD_FIELDS))
            row[column] = value
            if column == "dob":
                row["age_years"] = ""
            expect = words
        rows.append((row, expect))
    return rows


def test_entry_import_takes_good_rows_and_names_bad_fields(nurse: Session, tmp_path: Path, campaign: Any) -> None:
    kind = get_kind("patient.register")
    batch = iter(range(1, 10**6))
    with tallied(campaign, "fuzz: entry import CSV") as count:
        @fuzz_settings(20, 600)
        @given(import_rows(), st.booleans())
        def check(rows: list[tuple[dict[str, str], str | None]], repeat_an_id: bool) -> None:
            count()
            prefix = f"B{next(batch)}-"
            records = [[f"{prefix}{i}", *(row[c] for c in COLUMNS[1:])] for i, (row, _) in enumerate(rows)]
            expect = [e for _, e in rows]
            if repeat_an_id and len(records) > 1:
                records[-1][0] = records[0][0]
                expect[-1] = "row_id"
            path = tmp_path / "paper.csv"
            csv_file(path, COLUMNS, records)
            before = nurse.journal.head()[0]
            result = import_csv(nurse, kind.name, path)
            wanted = [f"{prefix}{i}" for i, e in enumerate(expect) if e is None]
            assert [r["row_id"] for r in result.imported] == wanted
            assert [p.row for p in result.problems] == [i + 2 for i, e in enumerate(expect) if e is not None]
            for problem, words in zip(result.problems, [e for e in expect if e is not None]):
                assert words in problem.message, problem.describe()
            for item in result.imported:
                assert nurse.journal.get(item["uuid"]).kind == kind.name
            assert nurse.journal.head()[0] == before + len(wanted) + (1 if wanted else 0)

        check()
    assert nurse.journal.verify().ok


def test_entry_import_refuses_an_unreadable_file_whole(nurse: Session, tmp_path: Path) -> None:
    """A cell over the csv module's limit makes the file unreadable as CSV: refused whole, nothing written."""
    path = tmp_path / "paper.csv"
    path.write_text("row_id,name,sex,age_years\nR1,Asha,F,30\nR2," + "x" * 200_000 + ",F,30\n", encoding="utf-8")
    before = nurse.journal.head()
    with pytest.raises(DowntimeError, match="paper.csv is not a readable CSV file"):
        import_csv(nurse, "patient.register", path)
    assert nurse.journal.head() == before
    path.write_bytes(b"row_id,name\nR1,\xff\xfe\n")
    with pytest.raises(DowntimeError, match="not UTF-8"):
        import_csv(nurse, "patient.register", path)
    assert nurse.journal.head() == before and os.path.exists(path)
