"""The HMIS master patient index (MPI), loaded for matching downtime registrations against it.

Input is the restored HMIS's patient list, as a FHIR Bulk export (Patient NDJSON) or as the patients CSV
of the snapshot template. Both are read by the snapshot importer's own parsers (``downtime.snapshot``), so a
real export that the wards' snapshot accepts is accepted here too, and a bad line is reported, not fatal.

The index is built for a million rows in a few hundred MB, in memory:

* the rows are kept column by column (one list per field), so a row costs its strings and no object;
* blocking keys (``record_keys``) map to the row numbers that carry them; a key held by a single row is
  stored as a bare int, which is most keys;
* term frequencies of given names, surnames and PIN codes (``NameStats``) say how much an agreement is
  worth: two "Ram"s agreeing proves less than two "Bhupinder"s.

``Person`` objects (``sync/person.py``) are built only for the rows a registration is compared with.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from downtime import patient_index, snapshot
from downtime.names import phonetic_key
from sync.person import Person, person_from

MPI_FORMATS = ("ndjson", "csv")

# A key carried by more rows than this says nothing useful (a placeholder phone "9999999999", the Ram
# born in 1980 in a 40-million MPI); probing it would only cost time. Other keys still find the person.
MAX_BLOCK = 2000
# How many of the best-ranked blocked rows are compared field by field.
DEFAULT_CANDIDATES = 30
# Probe weights for ranking blocked rows before the full comparison: a shared phone or a shared full name
# is a stronger hint than a given name born in the same years.
_PROBE_WEIGHTS = {"p": 3, "n": 2, "g": 2, "s": 1, "z": 1}
_PERSON_CACHE_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class MpiRecord:
    """One HMIS patient, in the register's field names (canonical phone and ABHA, ISO dob)."""

    uhid: str
    name: str
    sex: str | None = None
    dob: str | None = None            # YYYY-MM-DD, or YYYY when the HMIS only has the year
    phone: str | None = None
    address: str | None = None
    pincode: str | None = None
    relative: str | None = None       # father/husband/mother, as written ("S/o Ramesh" or "Ramesh")
    relation_type: str | None = None  # so/do/wo/ho/bo/co
    abha: str | None = None

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in MPI_FIELDS}


MPI_FIELDS = tuple(f.name for f in fields(MpiRecord))


@dataclass
class LoadReport:
    """What loading an MPI file found: rows kept, and lines that could not be used (line number, reason)."""

    rows: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


# -- reading --------------------------------------------------------------------------------------------

def read_mpi(path: Path | str, fmt: str | None = None, report: LoadReport | None = None) -> Iterator[MpiRecord]:
    """Stream the patients of an MPI file (``fmt`` 'ndjson' or 'csv'; guessed from the name if None)."""
    path = Path(path)
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "ndjson")
    if fmt not in MPI_FORMATS:
        raise ValueError(f"MPI format must be one of {MPI_FORMATS}")
    report = report if report is not None else LoadReport()
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for batch in (_ndjson_batches(path, stamp) if fmt == "ndjson" else snapshot.csv_batches(path, 0, stamp)):
        # Everything the snapshot parsers found that is not a patient (encounters, allergies...) is ignored.
        report.problems.extend(batch.problems)
        report.skipped.update(batch.skipped)
        for values in batch.rows.get("patients", []):
            report.rows += 1
            yield _record_from_columns(values)


def _ndjson_batches(path: Path, stamp: str) -> Iterator[snapshot.Batch]:
    """The snapshot importer's NDJSON parsing, one chunk at a time in this process (memory stays flat)."""
    first_line = 0
    for start, end in snapshot.line_aligned_ranges(path, snapshot.CHUNK_BYTES):
        batch = snapshot.parse_chunk(snapshot.ChunkTask(str(path), 0, start, end, None, stamp))
        batch.problems = [(first_line + line, reason) for line, reason in batch.problems]
        first_line += batch.line_count
        yield batch


_COLUMN = {name: patient_index.COLUMNS.index(name) for name in MPI_FIELDS}


def _record_from_columns(values: tuple[Any, ...]) -> MpiRecord:
    row = {name: values[i] for name, i in _COLUMN.items()}
    return MpiRecord(**{k: (str(v) if v is not None and k != "uhid" else v) for k, v in row.items()})


def write_mpi_csv(records: Iterable[MpiRecord], path: Path | str) -> int:
    """Write records as an MPI CSV that ``read_mpi`` reads back (for tests, the bench and exports)."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(MPI_FIELDS)
        for record in records:
            writer.writerow(["" if v is None else v for v in (getattr(record, f) for f in MPI_FIELDS)])
            count += 1
    return count


def write_mpi_ndjson(records: Iterable[MpiRecord], path: Path | str) -> int:
    """Write records as FHIR R4 Patient NDJSON, as an HMIS Bulk export would."""
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(fhir_patient(record), ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


_CONTACT_CODES = {"so": "FTH", "do": "FTH", "wo": "HUSB", "ho": "WIFE", "bo": "MTH", "co": "C"}


def fhir_patient(record: MpiRecord) -> dict[str, Any]:
    """A minimal FHIR R4 Patient for ``record`` (UHID as the MR identifier, ABHA, relative as a contact)."""
    identifiers: list[dict[str, Any]] = [{
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
        "system": "urn:hmis:uhid", "value": record.uhid}]
    if record.abha:
        identifiers.append({"system": "https://healthid.abdm.gov.in", "type": {"text": "ABHA"},
                            "value": patient_index.format_abha(record.abha)})
    resource: dict[str, Any] = {"resourceType": "Patient", "id": record.uhid, "identifier": identifiers,
                                "name": [{"use": "official", "text": record.name}]}
    if record.sex:
        resource["gender"] = record.sex
    if record.dob:
        resource["birthDate"] = record.dob
    if record.phone:
        resource["telecom"] = [{"system": "phone", "value": record.phone, "use": "mobile"}]
    if record.address or record.pincode:
        resource["address"] = [{"use": "home", "text": record.address or "", "postalCode": record.pincode}]
    if record.relative:
        code = _CONTACT_CODES.get(record.relation_type or "", "C")
        resource["contact"] = [{"relationship": [{"coding": [{"code": code}]}], "name": {"text": record.relative}}]
    return resource


# -- blocking keys ---------------------------------------------------------------------------------------
# A record is filed under a few keys; a registration probes the keys its own fields could share with the
# right record despite the usual errors. Each key survives a different error:
#   p|phone                       any name error (not a changed phone)
#   n|sound(given)|sound(surname) spelling variants, swapped order, age error (not a typo that changes a sound)
#   g|sound(given)|birth year     surname missing, changed at marriage or mistyped
#   s|sound(surname)|initial|year "R. K. Sharma", a typo in the given name
#   z|pincode|sound(given)        no usable birth information, surname mistyped

def record_keys(person: Person) -> set[str]:
    """The keys an MPI record (or a registration, for dedupe) is filed under."""
    parts = person.parts
    keys: set[str] = set()
    if person.phone:
        keys.add(f"p|{person.phone}")
    year = str(person.birth_year) if person.birth_year is not None else "?"
    first = parts.given[0] if parts.given else None
    if first:
        keys.add(f"g|{phonetic_key(first)}|{year}")
        if person.pincode:
            keys.add(f"z|{person.pincode}|{phonetic_key(first)}")
    if first and parts.surname:
        keys.add("n|" + "|".join(sorted((phonetic_key(first), phonetic_key(parts.surname)))))
        keys.add(f"s|{phonetic_key(parts.surname)}|{first[0]}|{year}")
    if parts.initials and len(parts.full) == 1:
        # "R. K. Sharma" in the MPI: the one full word may be the surname.
        keys.update(f"s|{phonetic_key(parts.full[0])}|{initial}|{year}" for initial in parts.initials)
    return keys


def probe_keys(person: Person) -> dict[str, int]:
    """The keys to look up for a registration, each with its ranking weight (see ``_PROBE_WEIGHTS``).

    Every full name word is tried as the given name and as the surname, because the order is often
    swapped; an age probes every birth year it allows.
    """
    parts = person.parts
    sounds = [phonetic_key(t) for t in parts.full]
    years = _probe_years(person)
    keys: dict[str, int] = {}
    if person.phone:
        keys[f"p|{person.phone}"] = _PROBE_WEIGHTS["p"]
    for i, sound in enumerate(sounds):
        for year in years:
            keys[f"g|{sound}|{year}"] = _PROBE_WEIGHTS["g"]
        if person.pincode:
            keys[f"z|{person.pincode}|{sound}"] = _PROBE_WEIGHTS["z"]
        for other in sounds[i + 1:]:
            keys["n|" + "|".join(sorted((sound, other)))] = _PROBE_WEIGHTS["n"]
    for j, sound in enumerate(sounds):
        # This word as the surname, and the first letter of any other word (or an initial) as the given name.
        letters = {t[0] for i, t in enumerate(parts.full) if i != j} | set(parts.initials)
        for letter in letters:
            for year in years:
                keys[f"s|{sound}|{letter}|{year}"] = _PROBE_WEIGHTS["s"]
    return keys


def _probe_years(person: Person) -> list[str]:
    """Birth years to probe: dob ±1 (a mistyped year), an age's range, and always "?" (MPI rows with no dob)."""
    span = person.birth_years()
    if span is None:
        return ["?"]
    low, high = span
    if person.dob is not None or person.birth_year is not None:
        low, high = low - 1, high + 1
    return [str(y) for y in range(low, high + 1)] + ["?"]


class BlockIndex:
    """Blocking keys -> row numbers. Also used on its own to dedupe registrations against each other."""

    def __init__(self) -> None:
        self._postings: dict[str, int | list[int]] = {}

    def add(self, rid: int, person: Person) -> None:
        postings = self._postings
        for key in record_keys(person):
            held = postings.get(key)
            if held is None:
                postings[key] = rid
            elif isinstance(held, int):
                postings[key] = [held, rid]
            else:
                held.append(rid)

    def candidates(self, person: Person, limit: int = DEFAULT_CANDIDATES) -> list[int]:
        """Rows sharing probe keys with ``person``, best-ranked first, at most ``limit``."""
        hits: Counter[int] = Counter()
        for key, weight in probe_keys(person).items():
            held = self._postings.get(key)
            if held is None:
                continue
            if isinstance(held, int):
                hits[held] += weight
            elif len(held) <= MAX_BLOCK:
                for _ in range(weight):
                    hits.update(held)  # Counter.update on a list runs in C
        return [rid for rid, _ in hits.most_common(limit)]

    def __len__(self) -> int:
        return len(self._postings)


# -- term frequencies -------------------------------------------------------------------------------------

# The share a value of each field has when nothing is known (a given name is one of a few hundred...).
# The share a value has when nothing is known about it (one given name in a few hundred...), and how many
# people's worth of weight that guess carries against the counts.
_TYPICAL_SHARE = {"given": 1 / 300, "surname": 1 / 100, "initial": 1 / 20, "pincode": 1 / 300,
                  "full": 1 / 30_000, "relative": 1 / 10_000}
_PSEUDO_PEOPLE = 1000
_TYPICAL_WITHIN_SURNAME = 1 / 50   # a given name's share among the people of one surname
_PSEUDO_WITHIN_SURNAME = 20      # (also used for a PIN code's share among the people of one given name)


@dataclass
class NameStats:
    """How common each given name, surname, name pair, relative's name and PIN code is among the people indexed.

    Names are counted together with their surname because they are not independent: a "Mary" is rare in
    the MPI as a whole but common among the Nairs, so "Mary Nair" proves less than the two shares multiplied.
    """

    total: int = 0
    given: Counter[str] = field(default_factory=Counter)
    surname: Counter[str] = field(default_factory=Counter)
    full: Counter[str] = field(default_factory=Counter)       # "given|surname"
    relative: Counter[str] = field(default_factory=Counter)   # "given|surname" and "given|" of the relative
    local: Counter[str] = field(default_factory=Counter)      # "given|pincode"
    names: Counter[str] = field(default_factory=Counter)      # every full name word, the relatives' too
    initial: Counter[str] = field(default_factory=Counter)
    pincode: Counter[str] = field(default_factory=Counter)

    def add(self, person: Person) -> None:
        self.total += 1
        parts = person.parts
        self.given.update(parts.given)
        self.names.update(parts.full)
        if parts.surname:
            self.surname[parts.surname] += 1
            if parts.given:
                self.full[f"{parts.given[0]}|{parts.surname}"] += 1
        if parts.first:
            self.initial[parts.first[0]] += 1
        if person.pincode:
            self.pincode[person.pincode] += 1
            if parts.given:
                self.local[f"{parts.given[0]}|{person.pincode}"] += 1
        relative = person.relative
        if relative is not None and relative.first:
            self.relative[f"{relative.first}|"] += 1
            self.names.update(relative.full)
            if relative.surname:
                self.relative[f"{relative.first}|{relative.surname}"] += 1

    def share(self, counter_name: str, value: str) -> float:
        """The fraction of people with this value, smoothed towards a typical share by ``_PSEUDO_PEOPLE``.

        Smoothing keeps an unseen name rare rather than impossible, and keeps a small MPI (a test's, a
        small hospital's) from calling every name common.
        """
        counter: Counter[str] = getattr(self, counter_name)
        typical = _TYPICAL_SHARE[counter_name]
        return (counter.get(value, 0) + _PSEUDO_PEOPLE * typical) / (self.total + _PSEUDO_PEOPLE)

    def given_share(self, given: str, surname: str | None = None) -> float:
        """A given name's share among everyone, or among the people of ``surname`` when that agreed too."""
        if surname is None:
            return self.share("given", given)
        pair = self.full.get(f"{given}|{surname}", 0)
        return (pair + _PSEUDO_WITHIN_SURNAME * _TYPICAL_WITHIN_SURNAME) / (
            self.surname.get(surname, 0) + _PSEUDO_WITHIN_SURNAME)

    def pincode_share(self, pincode: str, given: str | None = None) -> float:
        """A PIN code's share among everyone, or among the people called ``given`` when the name agreed too:
        names are regional, so a Sheeba in a Kochi PIN code is no coincidence."""
        overall = self.share("pincode", pincode)
        if given is None:
            return overall
        return (self.local.get(f"{given}|{pincode}", 0) + _PSEUDO_WITHIN_SURNAME * overall) / (
            self.given.get(given, 0) + _PSEUDO_WITHIN_SURNAME)

    def is_known_name(self, token: str) -> bool:
        """Whether other people carry this name: a real name, not a one-off typo."""
        return self.names.get(token, 0) >= 2


# -- the index --------------------------------------------------------------------------------------------

class MpiIndex:
    """The MPI in memory: rows by number, UHID and ABHA lookups, blocking keys and name statistics."""

    def __init__(self) -> None:
        self._columns: dict[str, list[Any]] = {name: [] for name in MPI_FIELDS}
        self._by_uhid: dict[str, int] = {}
        self._by_abha: dict[str, list[int]] = {}
        self.blocks = BlockIndex()
        self.stats = NameStats()
        self.duplicate_uhids = 0
        self._people: dict[int, Person] = {}
        self._interned: dict[str, str] = {}

    @classmethod
    def build(cls, records: Iterable[MpiRecord | Mapping[str, Any]]) -> MpiIndex:
        index = cls()
        for record in records:
            index.add(record if isinstance(record, MpiRecord) else _record_from_mapping(record))
        return index

    @classmethod
    def load(cls, path: Path | str, fmt: str | None = None, report: LoadReport | None = None) -> MpiIndex:
        return cls.build(read_mpi(path, fmt, report))

    def add(self, record: MpiRecord) -> None:
        """Index one record. A repeated UHID keeps the first row (counted in ``duplicate_uhids``)."""
        uhid_key = record.uhid.strip().upper()
        if uhid_key in self._by_uhid:
            self.duplicate_uhids += 1
            return
        rid = len(self)
        for name in MPI_FIELDS:
            self._columns[name].append(self._intern(name, getattr(record, name)))
        self._by_uhid[uhid_key] = rid
        person = person_from(record.as_row())
        if person.abha:
            self._by_abha.setdefault(person.abha, []).append(rid)
        self.blocks.add(rid, person)
        self.stats.add(person)

    def _intern(self, name: str, value: Any) -> Any:
        # Sexes, PIN codes and dates repeat across a million rows: keep one copy of each string.
        if value is None or name not in ("sex", "pincode", "dob", "relation_type"):
            return value
        return self._interned.setdefault(value, value)

    def __len__(self) -> int:
        return len(self._columns["uhid"])

    def record(self, rid: int) -> MpiRecord:
        return MpiRecord(**{name: column[rid] for name, column in self._columns.items()})

    def person(self, rid: int) -> Person:
        """The row as a ``Person``; cached, because a household's rows are compared again and again."""
        person = self._people.get(rid)
        if person is None:
            if len(self._people) >= _PERSON_CACHE_ROWS:
                self._people.clear()
            person = self._people[rid] = person_from(self.record(rid).as_row())
        return person

    def find_uhid(self, uhid: str | None) -> int | None:
        return self._by_uhid.get(uhid.strip().upper()) if uhid else None

    def find_abha(self, abha: str | None) -> list[int]:
        normalized = patient_index.normalize_abha(abha) if abha else None
        return list(self._by_abha.get(normalized, ())) if normalized else []

    def candidates(self, person: Person, limit: int = DEFAULT_CANDIDATES) -> list[int]:
        return self.blocks.candidates(person, limit)


def _record_from_mapping(row: Mapping[str, Any]) -> MpiRecord:
    uhid = str(row.get("uhid") or row.get("id") or "").strip()
    if not uhid:
        raise ValueError("an MPI row needs a UHID")

    def text(name: str) -> str | None:
        value = row.get(name)
        return (str(value).strip() or None) if value is not None else None

    return MpiRecord(uhid, text("name") or "", text("sex"), text("dob"), patient_index.normalize_phone(row.get("phone")),
                     text("address"), text("pincode"), text("relative"), text("relation_type"),
                     patient_index.normalize_abha(row.get("abha")))
