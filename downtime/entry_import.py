"""Key in many entries of one kind from a CSV file.

Used for paper from blank packs keyed in after the outage (at the records office or on a ward PC), and
for rows that come from another system. The columns are the kind's own field names, plus:

    row_id       required: the row's own reference (a form serial, a source system's key). It is kept
                 with the entry, so a row can be traced both ways, and a file imported again skips the
                 rows already imported.
    ward         optional: the ward the paper came from (and the entry's own ward field, if its kind has one)
    downtime_id  optional: the ID pre-printed on a blank-pack form, checked by its check digit

Every row is checked on its own: good rows are imported, bad rows are reported with their row number
(as a spreadsheet shows it: the header is row 1) and the field's message. All good rows are written in
one transaction, together with ``entry.import`` entries that record which row became which entry.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from downtime.errors import DowntimeError
from downtime.ids import parse as parse_id
from downtime.journal import write_transaction
from downtime.kinds.schema import Kind, get_kind
from downtime.kinds.validate import ValidationError
from downtime.session import Session

ROW_ID, WARD, DOWNTIME_ID = "row_id", "ward", "downtime_id"
CONTEXT_COLUMNS = (ROW_ID, WARD, DOWNTIME_ID)
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
PART_ROWS = 500  # rows per entry.import entry, so no single entry grows large
WARD_MAX = 60


@dataclass(frozen=True)
class RowProblem:
    row: int
    row_id: str
    message: str

    def describe(self) -> str:
        ref = f" ({self.row_id})" if self.row_id else ""
        return f"row {self.row}{ref}: {self.message}"


@dataclass
class CsvImportResult:
    kind: str
    source: str
    imported: list[dict[str, Any]] = field(default_factory=list)  # row, row_id, uuid, human_id
    already_imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def describe(self) -> str:
        total = len(self.imported) + self.already_imported + len(self.problems)
        skipped = f"; {self.already_imported} imported before, skipped" if self.already_imported else ""
        return f"imported {len(self.imported)} of {total} rows of {self.kind} from {self.source}{skipped}"


def import_csv(session: Session, kind: str, path: Path) -> CsvImportResult:
    """Record one entry per good row of ``path``; report the bad ones. Nothing is written on an error
    that concerns the whole file (unreadable, unknown columns, not allowed for this staff member)."""
    k = get_kind(kind)
    data = _read(path)
    rows = _rows(data, k, path.name)
    result = CsvImportResult(kind, path.name)
    done = _imported_before(session, kind)
    seen: set[str] = set()
    with write_transaction(session.journal.db):
        for number, row in rows:
            _import_row(session, k, number, row, done, seen, result)
        _record_mapping(session, kind, path.name, hashlib.sha256(data).hexdigest(), result.imported)
    return result


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DowntimeError(f"{path.name} is over {MAX_FILE_BYTES // 2**20} MB; split it into smaller files")
        return path.read_bytes()
    except FileNotFoundError:
        raise DowntimeError(f"{path} does not exist; check the file name") from None
    except IsADirectoryError:
        raise DowntimeError(f"{path} is a folder; give the CSV file inside it") from None
    except OSError as exc:
        raise DowntimeError(f"cannot read {path}: {exc.strerror}") from None


def _rows(data: bytes, kind: Kind, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")  # spreadsheet programs often start a UTF-8 CSV with a BOM
    except UnicodeDecodeError:
        raise DowntimeError(f"{name} is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    _check_header(header, kind, name)
    return _data_rows(reader, header, name)


def _data_rows(reader: Any, header: list[str], name: str) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        for number, values in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                raise DowntimeError(f"{name} has more than {MAX_ROWS} rows; split it into smaller files")
            if any(v.strip() for v in values):
                yield number, dict(zip(header, (v.strip() for v in values), strict=False))
    except csv.Error as exc:
        raise DowntimeError(f"{name} is not a readable CSV file ({exc}); check its quotes") from None


def _check_header(header: list[str], kind: Kind, name: str) -> None:
    if not any(header):
        raise DowntimeError(f"{name} is empty; the first row must name the columns")
    allowed = list(dict.fromkeys([*CONTEXT_COLUMNS, *kind.field_names()]))
    unknown = [h for h in header if h not in allowed]
    if unknown:
        raise DowntimeError(f"{name}: column {', '.join(repr(u) for u in unknown)} is not a field of {kind.name}; "
                            f"the columns may be: {', '.join(allowed)}")
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise DowntimeError(f"{name}: column {', '.join(repeated)} appears twice; keep one")
    if ROW_ID not in header:
        raise DowntimeError(f"{name} needs a {ROW_ID} column: a reference of each row (such as the form's serial "
                            "number), so that importing the file again skips rows already imported")


def _imported_before(session: Session, kind: str) -> set[str]:
    refs: set[str] = set()
    for entry in session.journal.entries("entry.import"):
        if entry.payload.get("kind") == kind:
            refs.update(entry.payload.get("rows", {}))
    return refs


def _import_row(session: Session, kind: Kind, number: int, row: dict[str, str], done: set[str], seen: set[str],
                result: CsvImportResult) -> None:
    row_id = row.get(ROW_ID, "")
    problem = _context_problem(row, row_id, seen)
    if problem:
        result.problems.append(RowProblem(number, row_id, problem))
        return
    seen.add(row_id)
    if row_id in done:
        result.already_imported += 1
        return
    fields = kind.field_names()  # a kind may have a field of its own called ward (encounter.admit does)
    payload = {k: v for k, v in row.items() if k in fields and v}
    try:
        entry = session.record(kind.name, payload)
    except ValidationError as exc:
        result.problems.append(RowProblem(number, row_id, str(exc)))
        return
    item = {"row": number, "row_id": row_id, "uuid": entry.uuid, "human_id": entry.human_id}
    item.update({k: row[k].upper() if k == DOWNTIME_ID else row[k] for k in (WARD, DOWNTIME_ID) if row.get(k)})
    result.imported.append(item)


def _context_problem(row: dict[str, str], row_id: str, seen: set[str]) -> str:
    if not row_id:
        return f"{ROW_ID} is empty: give each row its own reference"
    if row_id in seen:
        return f"{ROW_ID} {row_id} is used by an earlier row of this file: give each row its own reference"
    if len(row.get(WARD, "")) > WARD_MAX:
        return f"{WARD} is too long; keep it under {WARD_MAX} characters"
    if row.get(DOWNTIME_ID):
        try:
            parse_id(row[DOWNTIME_ID])
        except DowntimeError as exc:
            return f"{DOWNTIME_ID}: {exc}"
    return ""


def _record_mapping(session: Session, kind: str, source: str, sha256: str, imported: list[dict[str, Any]]) -> None:
    for part, start in enumerate(range(0, len(imported), PART_ROWS), start=1):
        rows = {item["row_id"]: {k: v for k, v in item.items() if k != "row_id" and v is not None}
                for item in imported[start:start + PART_ROWS]}
        session.record_import({"source": source, "sha256": sha256, "kind": kind, "part": part, "rows": rows})

