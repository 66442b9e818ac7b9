"""The one table of "patients you can find", shared by the snapshot and the journal.

The snapshot fills it from the HMIS export (``source='snapshot'``, id = UHID); the journal's projection
fills it from downtime registrations and births (``source='downtime'``, id = downtime ID). Search
(``search.py``) reads both through the same shape, so a patient registered on this PC an hour ago is
found exactly like one from the HMIS.

Names are stored twice more, folded (``name_norm``) and as sound-alike keys (``name_phonetic``), and
both are indexed by an FTS5 table kept in sync by triggers. Identifiers are stored in one canonical
form (ABHA as 14 digits, phone as 10 digits) so exact lookups are plain index hits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlite_utils

from downtime.names import RELATIONS, NormalizedName, normalize_name, split_relation

# Tables this module owns; a projection rebuild drops and recreates all of them.
TABLES = ("patients", "patients_fts", "placements")
SOURCES = ("snapshot", "downtime")

# Columns a caller may give, in table order (rid and the derived name columns are filled here).
COLUMNS = ("id", "uhid", "downtime_id", "name", "sex", "dob", "age_years", "phone", "abha", "relative",
           "relation_type", "address", "pincode", "ward", "bed", "source", "name_norm", "name_phonetic",
           "updated_at")

# ``rid`` is an explicit INTEGER PRIMARY KEY because the FTS index refers to rows by rowid, and VACUUM
# renumbers implicit rowids; ``id`` (UHID or downtime ID) is the unique key everybody else uses.
# IDs compare case-insensitively: people type "aiims-042-00123-7" as often as the printed capitals.
_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS patients (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE COLLATE NOCASE,
    uhid TEXT COLLATE NOCASE,
    downtime_id TEXT COLLATE NOCASE,
    name TEXT,
    sex TEXT,
    dob TEXT,
    age_years INTEGER,
    phone TEXT,
    abha TEXT,
    relative TEXT,
    relation_type TEXT,
    address TEXT,
    pincode TEXT,
    ward TEXT,
    bed TEXT,
    source TEXT NOT NULL CHECK (source IN ('snapshot', 'downtime')),
    name_norm TEXT NOT NULL DEFAULT '',
    name_phonetic TEXT NOT NULL DEFAULT '',
    updated_at TEXT
)
"""
# Partial indexes: most rows have no ABHA or downtime ID, and "col = ?" still uses them.
_DOWNTIME_ID_INDEX = ("CREATE INDEX IF NOT EXISTS patients_downtime_id ON patients(downtime_id) "
                      "WHERE downtime_id IS NOT NULL")
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS patients_uhid ON patients(uhid) WHERE uhid IS NOT NULL",
    _DOWNTIME_ID_INDEX,
    "CREATE INDEX IF NOT EXISTS patients_phone ON patients(phone) WHERE phone IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS patients_abha ON patients(abha) WHERE abha IS NOT NULL",
)
# content="patients" makes it an external-content index (no second copy of the names) that
# sqlite-utils also recognises, so ``db["patients"].search()`` works on it (the bench compares them).
# prefix='1 2 3' keeps one- to three-letter type-ahead prefixes to a single index lookup.
# Marks (M*) are token characters so that Bengali or Tamil names are not split at their vowel signs.
_CREATE_FTS = """
CREATE VIRTUAL TABLE patients_fts USING fts5(
    name_norm, name_phonetic,
    content="patients", content_rowid="rid",
    prefix='1 2 3',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
)
"""
_FTS_DEFAULT_AUTOMERGE, _FTS_DEFAULT_CRISISMERGE = 4, 16   # SQLite's own defaults
_MAX_SEGMENTS_BEFORE_MERGE = 1000                          # during a bulk load; FTS5 allows 2000 in all
_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS patients_ai AFTER INSERT ON patients BEGIN
        INSERT INTO patients_fts(rowid, name_norm, name_phonetic) VALUES (new.rid, new.name_norm, new.name_phonetic);
    END""",
    """CREATE TRIGGER IF NOT EXISTS patients_ad AFTER DELETE ON patients BEGIN
        INSERT INTO patients_fts(patients_fts, rowid, name_norm, name_phonetic)
            VALUES ('delete', old.rid, old.name_norm, old.name_phonetic);
    END""",
    """CREATE TRIGGER IF NOT EXISTS patients_au AFTER UPDATE OF rid, name_norm, name_phonetic ON patients BEGIN
        INSERT INTO patients_fts(patients_fts, rowid, name_norm, name_phonetic)
            VALUES ('delete', old.rid, old.name_norm, old.name_phonetic);
        INSERT INTO patients_fts(rowid, name_norm, name_phonetic) VALUES (new.rid, new.name_norm, new.name_phonetic);
    END""",
)
# Where the journal last put a patient (admit/transfer/discharge), also for snapshot patients that
# have no row in this database; a NULL ward means discharged or died during the downtime.
_CREATE_PLACEMENTS = """
CREATE TABLE IF NOT EXISTS placements (
    patient_id TEXT PRIMARY KEY COLLATE NOCASE,
    ward TEXT,
    bed TEXT,
    updated_at TEXT
)
"""

_COLUMN_SET = frozenset(COLUMNS)
_NO_NAME = NormalizedName(())
INSERT_SQL = f"INSERT INTO patients ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


def create_patient_table(db: sqlite_utils.Database) -> None:
    """The table and an empty name index without triggers, for a bulk load in one transaction.

    Fill the table a batch at a time, call ``index_names`` every few batches (per-row triggers cost about
    ten times more than one statement per batch), then ``finish_bulk_load`` once.
    """
    db.execute(_CREATE_TABLE)
    db.execute(_CREATE_FTS)
    # Bulk-loaded rows (the HMIS's) never have a downtime ID: kept up during the load this index costs
    # nothing, while creating it afterwards would read the whole table once more.
    db.execute(_DOWNTIME_ID_INDEX)
    # Each index_names call writes one segment of the name index. Merging them level by level as they come
    # rewrites each name several times; finish_bulk_load merges them all once.
    _set_fts_option(db, "automerge", 0)
    _set_fts_option(db, "crisismerge", _MAX_SEGMENTS_BEFORE_MERGE)


def index_names(db: sqlite_utils.Database, after_rid: int) -> int:
    """Add the rows with ``rid > after_rid`` to the name index; returns the highest rid now indexed."""
    db.execute("INSERT INTO patients_fts(rowid, name_norm, name_phonetic) "
               "SELECT rid, name_norm, name_phonetic FROM patients WHERE rid > ?", [after_rid])
    return db.execute("SELECT max(rid) FROM patients").fetchone()[0] or after_rid


def finish_bulk_load(db: sqlite_utils.Database, indexed_rid: int) -> None:
    """Index the names after ``indexed_rid``, merge the name index into one segment (the fastest to
    search), and create the identifier indexes and the triggers that keep the name index up to date."""
    index_names(db, indexed_rid)
    db.execute("INSERT INTO patients_fts(patients_fts) VALUES ('optimize')")
    _set_fts_option(db, "automerge", _FTS_DEFAULT_AUTOMERGE)  # later writes merge as usual
    _set_fts_option(db, "crisismerge", _FTS_DEFAULT_CRISISMERGE)
    ensure_patient_index(db)


def _set_fts_option(db: sqlite_utils.Database, name: str, value: int) -> None:
    db.execute("INSERT INTO patients_fts(patients_fts, rank) VALUES (?, ?)", [name, value])


def ensure_patient_index(db: sqlite_utils.Database) -> None:
    """Create the table, its indexes, the FTS index and its triggers; safe to call again.

    If the FTS table is new it is built from the rows already there (a projection rebuild); a bulk load
    that created it with ``create_patient_table`` has filled it already.
    """
    db.execute(_CREATE_TABLE)
    for sql in _INDEXES:
        db.execute(sql)
    if not db["patients_fts"].exists():
        db.execute(_CREATE_FTS)
        db.execute("INSERT INTO patients_fts(patients_fts) VALUES ('rebuild')")
    for sql in _TRIGGERS:
        db.execute(sql)
    db.execute(_CREATE_PLACEMENTS)


def patient_values(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The full column tuple (``COLUMNS`` order) for one patient, with the derived columns filled."""
    return tuple(map(clean_row(row).get, COLUMNS))


def snapshot_values(uhid: str, name: str, sex: str | None, dob: str | None, phone: Any, abha: Any,
                    relative: str | None, relation_type: str | None, address: str | None, pincode: str | None,
                    updated_at: str) -> tuple[Any, ...]:
    """``patient_values`` of one HMIS patient (id = UHID), built directly: an import makes a million of them."""
    normalized = normalize_name(name)
    relative, relation_type = _relation_columns(normalized, relative, relation_type)
    return (uhid, uhid, None, name, sex, dob, None, normalize_phone(phone) if phone is not None else None,
            normalize_abha(abha) if abha is not None else None, relative, relation_type, address, pincode,
            None, None, "snapshot", normalized.text, normalized.phonetic, updated_at)


def _relation_columns(normalized: NormalizedName, relative: str | None,
                      relation_type: str | None) -> tuple[str | None, str | None]:
    """The relative and S/o-W/o code, also when they were written into the name ("Ramesh S/o Suresh")."""
    if not relative and normalized.relative:
        relative, relation_type = normalized.relative, relation_type or normalized.relation
    if relative and not relation_type:
        relation_type = split_relation(relative)[1]
    return relative, relation_type


def clean_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical identifiers and derived name columns for the keys ``row`` has.

    Keys that ``row`` lacks stay absent, so an upsert changes only what the caller gave.
    """
    if not row.keys() <= _COLUMN_SET:
        raise ValueError(f"unknown patient columns: {', '.join(sorted(row.keys() - _COLUMN_SET))}")
    if not row.get("id"):
        raise ValueError("a patient row needs an id (UHID or downtime ID)")
    if row.get("source") not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    clean = dict(row)
    clean["id"] = str(row["id"]).strip()
    if row.get("phone") is not None:
        clean["phone"] = normalize_phone(row["phone"])
    if row.get("abha") is not None:
        clean["abha"] = normalize_abha(row["abha"])
    if row.get("age_years") is not None:
        clean["age_years"] = _int_or_none(row["age_years"])
    normalized = normalize_name(row["name"]) if "name" in row else None
    if normalized is not None:
        clean["name_norm"] = normalized.text
        clean["name_phonetic"] = normalized.phonetic
    if normalized is not None or clean.get("relative"):
        relative, relation = _relation_columns(normalized or _NO_NAME, clean.get("relative"),
                                               clean.get("relation_type"))
        if relative:
            clean["relative"], clean["relation_type"] = relative, relation
    if not clean.get("updated_at"):
        clean["updated_at"] = _now()
    return clean


def index_patient(db: sqlite_utils.Database, row: Mapping[str, Any]) -> None:
    """Insert a patient, or update the columns ``row`` gives of the patient with that id."""
    clean = clean_row(row)
    columns = list(clean)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    db.execute(
        f"INSERT INTO patients ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT(id) DO UPDATE SET {updates}",
        [clean[c] for c in columns],
    )


def remove_patient(db: sqlite_utils.Database, patient_id: str) -> None:
    """Take a voided registration out of search (the journal keeps the entry itself)."""
    db.execute("DELETE FROM patients WHERE id = ?", [patient_id.strip()])
    db.execute("DELETE FROM placements WHERE patient_id = ?", [patient_id.strip()])


def place_patient(db: sqlite_utils.Database, patient_id: str, ward: str | None, bed: str | None) -> None:
    """Record where the patient now is (``ward=None``: no longer admitted); search shows it over the snapshot."""
    now = _now()
    db.execute(
        "INSERT INTO placements (patient_id, ward, bed, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(patient_id) DO UPDATE SET ward = excluded.ward, bed = excluded.bed, "
        "updated_at = excluded.updated_at",
        [patient_id.strip(), ward, bed if ward else None, now],
    )
    db.execute("UPDATE patients SET ward = ?, bed = ?, updated_at = ? WHERE id = ?",
               [ward, bed if ward else None, now, patient_id.strip()])


def query_dicts(db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows as dicts (the snapshot and journal connections return plain tuples)."""
    cursor = db.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def has_table(db: sqlite_utils.Database, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone() is not None


def relation_text(relation_type: str | None, relative: str | None) -> str | None:
    """ "W/o Ramesh Kumar" for display, whether or not the stored relative already carries its marker."""
    if not relative:
        return None
    name, code, after = split_relation(relative)
    if code and not name:
        return f"{RELATIONS[code]} {after or ''}".strip()
    label = RELATIONS.get(relation_type or "")
    return f"{label} {relative.strip()}" if label else relative.strip()


def age_text(dob: str | None, age_years: int | None, today: dt.date | None = None) -> str | None:
    """ "45 y", or months/days for babies; from the date of birth if known, else the age given."""
    today = today or dt.date.today()
    born = _parse_date(dob)
    if born is None:
        if age_years is not None:
            return f"{age_years} y"
        if dob and dob[:4].isdecimal():  # not isdigit: int() refuses "①", a digit to isdigit
            return f"{today.year - int(dob[:4])} y"  # only the year is known ("age 76" in the HMIS)
        return None
    days = (today - born).days
    if days < 0:
        return None
    if days < 31:
        return f"{days} d"
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 12:
        return f"{months} m"
    return f"{months // 12} y"


def _parse_date(text: str | None) -> dt.date | None:
    if not text or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# -- identifiers ----------------------------------------------------------------------------------

_NON_DIGITS = re.compile(r"\D+")
ABHA_DIGITS = 14


def digits_of(text: Any) -> str:
    return _NON_DIGITS.sub("", str(text)) if text is not None else ""


def normalize_abha(text: Any) -> str | None:
    """14 digits from "91-1234-5678-9012", "91 1234 5678 9012"...; None if it is not 14 digits."""
    digits = digits_of(text)
    return digits if len(digits) == ABHA_DIGITS else None


def format_abha(digits: str | None) -> str | None:
    """ "NN-NNNN-NNNN-NNNN", the way an ABHA card prints it."""
    if not digits or len(digits) != ABHA_DIGITS:
        return digits
    return f"{digits[:2]}-{digits[2:6]}-{digits[6:10]}-{digits[10:]}"


def normalize_phone(text: Any) -> str | None:
    """An Indian number as its 10 digits: +91/91/0 prefixes dropped; other lengths kept as digits.

    Returns None when there are too few digits to be a phone number at all.
    """
    digits = digits_of(text)
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return digits if len(digits) >= 6 else None


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
