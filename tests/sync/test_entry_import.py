"""Paper keyed in from a CSV file: good rows become entries, bad rows are named; row_id travels with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from downtime.entry_import import import_csv
from downtime.errors import DowntimeError
from downtime.session import Session, login
from sync.status import workspace_status
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN
from tests.sync.conftest import PASSPHRASE, export, nurse_session

HEADER = "row_id,ward,name,sex,dob,age_years,phone,address,pincode,relative,uhid\n"
ROWS = [
    "R001,W7,Sunita Devi,F,,45,9876543210,\"House 12, Sector 4, R K Puram\",110022,W/o Ramesh Kumar,",
    "R002,W7,Mohd. Imran,male,1984-03-15,,98765 43211,,,S/o Abdul Rashid,",
    "R003,W7,Baby,x,,0,,,,B/O Sunita,",                      # sex not known
    "R004,W7,Laxmi Kumari,female,,31,98765,,,,",              # phone too short
    "R002,W7,Someone Else,male,,50,,,,,",                     # row_id repeated
    ",,,,,,,,,,",                                             # a blank line from the spreadsheet
    "R005,W3,,female,,60,,,,,",                               # no name
]


def _csv(tmp_path: Path, rows: list[str], name: str = "regs.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n", "utf-8-sig")
    return path


def test_good_rows_are_imported_and_bad_rows_named_by_row_number(nurse: Session, tmp_path: Path) -> None:
    result = import_csv(nurse, "patient.register", _csv(tmp_path, ROWS))
    assert [i["row_id"] for i in result.imported] == ["R001", "R002"]
    problems = {p.row: (p.row_id, p.message) for p in result.problems}
    assert set(problems) == {4, 5, 6, 8}
    assert "Sex (sex) choose one of: male, female, other" in problems[4][1]
    assert "10-digit phone" in problems[5][1]
    assert "used by an earlier row" in problems[6][1]
    assert "Full name (name) is required" in problems[8][1]
    sunita = nurse.journal.get(result.imported[0]["uuid"])
    assert sunita.payload["sex"] == "female" and sunita.human_id == result.imported[0]["human_id"]
    [mapping] = list(nurse.journal.entries("entry.import"))
    assert mapping.payload["rows"]["R001"] == {"row": 2, "uuid": sunita.uuid, "human_id": sunita.human_id,
                                               "ward": "W7"}


def test_importing_the_file_again_skips_rows_already_imported(nurse: Session, tmp_path: Path) -> None:
    path = _csv(tmp_path, ROWS[:2])
    import_csv(nurse, "patient.register", path)
    again = import_csv(nurse, "patient.register", path)
    assert (again.imported, again.already_imported, again.problems) == ([], 2, [])
    assert len(list(nurse.journal.entries("patient.register"))) == 2


@pytest.mark.parametrize("header,words", [
    ("row_id,name,sex,colour\n", "column 'colour' is not a field of patient.register"),
    ("name,sex,age_years\n", "needs a row_id column"),
    ("row_id,name,name,sex\n", "column name appears twice"),
    ("", "is empty"),
])
def test_a_bad_header_refuses_the_whole_file(nurse: Session, tmp_path: Path, header: str, words: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(header + "R1,Ramu,male\n" if header else "")
    with pytest.raises(DowntimeError, match=words):
        import_csv(nurse, "patient.register", path)
    assert list(nurse.journal.entries("patient.register")) == []


def test_not_utf8_is_a_clear_error(nurse: Session, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "R1,W7,Jos\xe9,male,,40,,,,,\n").encode("latin-1"))
    with pytest.raises(DowntimeError, match="save it from the spreadsheet as 'CSV UTF-8'"):
        import_csv(nurse, "patient.register", path)


def test_row_ids_reach_the_workspace_as_external_references(ward: Path, ws: Workspace, usb: Path,
                                                            tmp_path: Path) -> None:
    session = nurse_session(ward)
    try:
        imported = import_csv(session, "patient.register", _csv(tmp_path, ROWS[:2])).imported
    finally:
        session.close()
    ws.import_file(export(ward, usb).path)
    refs = {r["external_ref"]: r for r in ws.db["external_refs"].rows}
    assert {ref: r["entry_uuid"] for ref, r in refs.items()} == {i["row_id"]: i["uuid"] for i in imported}
    assert refs["R001"]["ward"] == "W7" and refs["R001"]["source"] == "regs.csv"


def test_blank_pack_ids_are_unaccounted_until_their_paper_is_keyed_in(ward: Path, ws: Workspace, usb: Path,
                                                                       office_home: Path, tmp_path: Path) -> None:
    session = nurse_session(ward)
    try:
        ids = session.journal.reserve_ids(3)
        session.record("ids.reserve", {"form": "patient.register", "count": 3, "ids": ids})
    finally:
        session.close()
    ws.import_file(export(ward, usb).path)
    status = next(d for d in workspace_status(ws).devices if d.device == "W7-PC2")
    assert status.reserved_unaccounted == sorted(ids)
    assert any("3 blank-pack IDs not on any entry yet" in p for p in status.problems)

    # The records office keys in one paper form of that pack on its own PC.
    office = login(office_home, ADMIN_ID, ADMIN_PIN)
    try:
        row = "P1,W7,Ramu Prasad,male,,70,,,,,\n"
        path = tmp_path / "pack.csv"
        path.write_text(HEADER.replace("\n", ",downtime_id\n") + row.replace("\n", f",{ids[1].lower()}\n"))
        assert len(import_csv(office, "patient.register", path).imported) == 1
    finally:
        office.close()
    ws.close()
    reopened = Workspace.open(office_home, PASSPHRASE)  # opening brings in the office PC's own journal
    try:
        assert reopened.local_import is not None and reopened.local_import.new >= 2
        status = next(d for d in workspace_status(reopened).devices if d.device == "W7-PC2")
        assert status.reserved_unaccounted == sorted([ids[0], ids[2]])
    finally:
        reopened.close()


def test_a_kind_with_its_own_ward_field_keeps_it(doctor: Session, tmp_path: Path) -> None:
    path = tmp_path / "admissions.csv"
    path.write_text("row_id,patient,admitted_at,ward,bed,admitting_doctor,provisional_diagnosis\n"
                    "A1,AIIMS-001-00001-2,2026-11-20 10:30,W7,12,Dr Anil Rao,Fever for 5 days\n")
    [item] = import_csv(doctor, "encounter.admit", path).imported
    assert doctor.journal.get(item["uuid"]).payload["ward"] == "W7" and item["ward"] == "W7"
