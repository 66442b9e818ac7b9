"""The ward PC's read-only copy of the HMIS: import it from an export, open it for reading.

Input is what an HMIS can give while it is still up: a FHIR R4 Bulk Data export (one NDJSON file per
resource type, as ``$export`` writes them) or, for HMIS without FHIR, the CSV files described in
``docs/snapshot-csv-template.md``. Files are recognised by content (``resourceType`` per line, or the
CSV header), not by name.

How the import keeps its promises:

* **Constant memory.** NDJSON files are cut into byte ranges at line ends and parsed by worker
  processes; the main process writes each parsed batch to the database and forgets it. At most a few
  batches are in flight.
* **No bad line aborts it, none disappears.** A line that is not JSON, not a resource, or not usable
  (no id, no patient) is skipped and recorded with file, line number and a reason that carries no patient
  data. Records left out on purpose (finished encounters, stopped drugs, results older than 30 days,
  resource types the wards do not need) are counted by reason.
* **The old snapshot stays in use until the new one is complete.** The import builds
  ``<dest>.building``, fsyncs it and only then renames it over ``dest``; a crash or kill at any point
  leaves the previous file untouched. A lock file stops two imports from building at once.
* **Encrypted** with the caller's 32-byte key (SQLCipher, via ``encrypted_db.open_encrypted``).
* **"As of" comes from the export**: the Bulk export's transactionTime (manifest or export log), else
  the newest ``meta.lastUpdated``, else the newest file's modification time; ``as_of_source`` says which.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import marshal
import multiprocessing
import os
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

import sqlcipher3
import sqlite_utils

from downtime import patient_index
from downtime.atomic_file import fsync_dir
from downtime.encrypted_db import open_encrypted
from downtime.errors import DowntimeError
from downtime.patient_index import normalize_abha

SNAPSHOT_FORMAT = 1
RESULT_WINDOW_DAYS = 30
CHUNK_BYTES = 4 << 20            # one worker task; small enough to keep memory flat, big enough to amortise
IN_PROCESS_BELOW = 16 << 20      # smaller exports are parsed in this process: starting workers costs more
MAX_PROBLEMS_LISTED = 10_000     # the report lists this many bad lines in memory; the database keeps all
NAME_INDEX_ROWS = 50_000         # patients per segment of the name index: fewer, bigger segments merge faster
CENSUS_STATUSES = frozenset({"in-progress", "onleave"})
NDJSON_SUFFIXES = (".ndjson", ".jsonl", ".json")
MANIFEST_MAX_BYTES = 10 << 20    # a Bulk export manifest is small; a big .json file is NDJSON

ProgressCallback = Callable[[int, int], None]


class SnapshotError(DowntimeError):
    """The export cannot become a snapshot (nothing usable in it, or another import is running)."""


# -- the report -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineProblem:
    file: str      # file name as given
    line: int      # 1-based physical line number
    reason: str    # what was wrong, never the line's content


@dataclass
class ImportReport:
    """What an import did: the IT person's proof that nothing was silently dropped."""

    as_of: str                                  # ISO 8601, UTC
    as_of_source: str                           # where ``as_of`` came from
    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)    # rows in the snapshot, per table
    skipped: dict[str, int] = field(default_factory=dict)   # left out on purpose, per reason
    problems: list[LineProblem] = field(default_factory=list)
    problems_total: int = 0
    bytes: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase, to see where time goes
    cpu_timings: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds per phase

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """A few lines for the CLI and the drill sheet (no patient data)."""
        counts = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        lines = [f"Snapshot as of {self.as_of} ({self.as_of_source}): {counts}."]
        if self.skipped:
            lines.append("Left out on purpose: " + ", ".join(f"{n} {why}" for why, n in self.skipped.items()) + ".")
        if self.problems_total:
            lines.append(f"{self.problems_total} unusable line(s) skipped; see the import report.")
        return "\n".join(lines)


# -- tables -------------------------------------------------------------------------------------------
# Parsed rows are tuples in these column orders; the main process appends (src_file, src_line).

TABLES: dict[str, tuple[str, ...]] = {
    "encounters": ("id", "patient_ref", "status", "class", "ip_number", "admitted_at", "ward", "bed",
                   "locations", "type", "reason", "attending"),
    "locations": ("id", "name", "physical_type", "part_of", "identifiers", "status"),
    "allergies": ("id", "patient_ref", "substance", "code", "criticality", "type", "category", "clinical_status",
                  "verification", "reaction", "severity", "recorded"),
    "medications": ("id", "patient_ref", "medication", "dosage", "authored_on", "requester", "status", "intent",
                    "encounter_ref"),
    "results": ("id", "patient_ref", "code_system", "code", "name", "value", "value_num", "unit", "ref_low",
                "ref_high", "ref_text", "flag", "effective", "issued", "status", "encounter_ref"),
    "reports": ("id", "patient_ref", "name", "status", "effective", "conclusion", "results"),
}
# Tables whose rows belong to a patient: ``patient_id`` is resolved from ``patient_ref`` at the end.
PATIENT_TABLES = ("encounters", "allergies", "medications", "results", "reports")
_SRC = ("src_file", "src_line")
_REAL_COLUMNS = frozenset({"value_num", "ref_low", "ref_high"})


def _create_tables(db: sqlite_utils.Database) -> None:
    patient_index.create_patient_table(db)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE import_problems (src_file INTEGER, src_line INTEGER, reason TEXT)")
    # FHIR id -> UHID, only for patients whose resource id is not their UHID; dropped after the build.
    db.execute("CREATE TABLE fhir_patient (fhir_id TEXT PRIMARY KEY, patient_id TEXT) WITHOUT ROWID")
    for table, columns in TABLES.items():
        extra = ", patient_id TEXT" if table in PATIENT_TABLES else ""
        cols = ", ".join(f"{c} {'REAL' if c in _REAL_COLUMNS else 'TEXT'}" for c in columns[1:])
        db.execute(f"CREATE TABLE {table} (id TEXT PRIMARY KEY, {cols}{extra}, src_file INTEGER, src_line INTEGER)")


def _index_tables(db: sqlite_utils.Database) -> None:
    for table in PATIENT_TABLES:
        db.execute(f"CREATE INDEX {table}_patient ON {table}(patient_id)")


# -- parsing: one batch of lines ----------------------------------------------------------------------

@dataclass
class Batch:
    """Rows parsed from one piece of one file, with the line each came from."""

    file_index: int
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    line_count: int = 0          # physical lines in this piece (to number the next piece's lines)
    byte_count: int = 0
    newest_update: str | None = None

    def add(self, table: str, row: tuple[Any, ...], line: int) -> None:
        self.rows.setdefault(table, []).append(row)
        self.lines.setdefault(table, []).append(line)

    def shift_lines(self, offset: int) -> None:
        """Renumber from chunk-relative to file line numbers (a chunk does not know where it starts)."""
        if offset:
            self.lines = {table: [n + offset for n in lines] for table, lines in self.lines.items()}
            self.problems = [(n + offset, why) for n, why in self.problems]

    # A batch crosses from a parser process to the writer as a pickle. Its rows hold only what JSON and
    # CSV give (text, numbers, None, lists, dicts), which marshal writes four times faster than pickle
    # and reads faster too: for a million patients that is seconds of CPU on both sides.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        try:
            state["rows"] = marshal.dumps((self.rows, self.lines))
            del state["lines"]
        except ValueError:  # a value marshal does not know: pickle it as it is
            pass
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if isinstance(state["rows"], bytes):
            state["rows"], state["lines"] = marshal.loads(state["rows"])
        self.__dict__.update(state)


class Unusable(ValueError):
    """A line that is a resource but cannot be used; the message is the report's reason."""


@dataclass(frozen=True)
class ChunkTask:
    path: str
    file_index: int
    start: int
    end: int
    cutoff: str | None        # results older than this (UTC ISO) are left out; None: decided later
    stamp: str                # updated_at for rows without meta.lastUpdated


def parse_chunk(task: ChunkTask) -> Batch:
    """Parse the NDJSON lines in ``task``'s byte range (runs in a worker process)."""
    with open(task.path, "rb") as fh:
        fh.seek(task.start)
        data = fh.read(task.end - task.start)
    batch = Batch(task.file_index, byte_count=len(data))
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the range ends just after a newline
    batch.line_count = len(lines)
    mapper = _ResourceMapper(task.cutoff, task.stamp)
    with _gc_paused():
        for number, raw in enumerate(lines, start=1):
            if raw.strip():
                mapper.parse_line(raw, number, batch)
    return batch


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsed JSON and rows never form reference cycles, so the cycle collector only burns time (~20 %)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def line_aligned_ranges(path: Path, size: int) -> Iterator[tuple[int, int]]:
    """Byte ranges of about ``size`` that end just after a newline (or at the end of the file).

    Each range holds whole lines, so NDJSON can be parsed a range at a time (see ``parse_chunk``).
    """
    total = path.stat().st_size
    with open(path, "rb") as fh:
        start = 0
        while start < total:
            fh.seek(min(start + size, total))
            fh.readline()
            end = min(fh.tell(), total)
            if end <= start:
                end = total
            yield start, end
            start = end


# -- FHIR resources -> rows ---------------------------------------------------------------------------

class _ResourceMapper:
    """Maps one FHIR resource at a time to table rows. Tolerant of anything a real export holds."""

    def __init__(self, cutoff: str | None, stamp: str):
        self.cutoff = cutoff
        self.stamp = stamp
        self.last_update_seen: str | None = None
        self.handlers: dict[str, Callable[[dict[str, Any], int, Batch], None]] = {
            "Patient": self.patient, "Encounter": self.encounter, "Location": self.location,
            "AllergyIntolerance": self.allergy, "MedicationRequest": self.medication,
            "Observation": self.observation, "DiagnosticReport": self.report,
        }

    def parse_line(self, raw: bytes, number: int, batch: Batch) -> None:
        try:
            resource = _loads(raw[3:] if raw.startswith(_BOM) else raw)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError (bytes that are not UTF-8)
            batch.problems.append((number, _json_reason(exc)))
            return
        if not isinstance(resource, dict):
            batch.problems.append((number, "not a JSON object"))
            return
        kind = resource.get("resourceType")
        if not isinstance(kind, str) or not kind:
            batch.problems.append((number, "no resourceType"))
            return
        handler = self.handlers.get(kind)
        if handler is None:
            batch.skipped[f"{kind} (not used on the wards)"] += 1
            return
        try:
            handler(resource, number, batch)
        except Unusable as exc:
            batch.problems.append((number, f"{kind}: {exc}"))
            return
        except Exception as exc:  # noqa: BLE001 - one odd line must never abort the import
            # Valid JSON in an unexpected shape (a string where FHIR has a list...). The exception
            # message may quote a value, so only its type goes into the report.
            batch.problems.append((number, f"{kind}: unexpected structure ({type(exc).__name__})"))
            return
        updated = _get(resource, "meta", "lastUpdated")
        if isinstance(updated, str) and updated != self.last_update_seen:
            self.last_update_seen = updated  # exports repeat one stamp for millions of lines: parse it once
            if (utc := _utc(updated)) and (batch.newest_update or "") < utc:
                batch.newest_update = utc

    def patient(self, r: dict[str, Any], number: int, batch: Batch) -> None:
        fhir_id = _required_id(r)
        uhid, abha = _identifiers(r.get("identifier"))
        uhid = uhid or fhir_id
        sex = r.get("gender") if r.get("gender") in ("male", "female", "other") else None
        relative, relation = _relative(r, sex)
        birth = r.get("birthDate")
        address, pincode = _address(r.get("address"))
        batch.add("patients", patient_index.snapshot_values(
            uhid, _human_name(r.get("name")), sex, birth if isinstance(birth, str) else None,
            _phone(r.get("telecom")), abha, relative, relation, address, pincode,
            _get(r, "meta", "lastUpdated") or self.stamp), number)
        if fhir_id != uhid:
            batch.add("fhir_patient", (fhir_id, uhid), number)

    def encounter(self, r: dict[str, Any], number: int, batch: Batch) -> None:
        status = r.get("status")
        if status not in CENSUS_STATUSES:
            batch.skipped[f"Encounter ({status or 'no status'}: not a current stay)"] += 1
            return
        locations = [_encounter_location(entry) for entry in r.get("location") or []]
        batch.add("encounters", (
            _required_id(r), _patient_ref(r, "subject"), status, _get(r, "class", "code"),
            _first_identifier(r.get("identifier")), _get(r, "period", "start"), None, None,
            json.dumps(locations), _concepts_text(r.get("type")),
            _concepts_text(r.get("reasonCode")) or _references_text(r.get("reasonReference")),
            _participant(r.get("participant")),
        ), number)

    def location(self, r: dict[str, Any], number: int, batch: Batch) -> None:
        identifiers = [i.get("value") for i in r.get("identifier") or [] if isinstance(i, dict) and i.get("value")]
        batch.add("locations", (
            _required_id(r), r.get("name") or next(iter(_strings(r.get("alias"))), None), _code(r.get("physicalType")),
            _reference_key(_get(r, "partOf", "reference")), json.dumps(identifiers), r.get("status"),
        ), number)

    def allergy(self, r: dict[str, Any], number: int, batch: Batch) -> None:
        verification = _code(r.get("verificationStatus"))
        clinical = _code(r.get("clinicalStatus"))
        if verification in ("entered-in-error", "refuted") or clinical in ("inactive", "resolved"):
            batch.skipped[f"AllergyIntolerance ({verification if verification in ('entered-in-error', 'refuted') else clinical})"] += 1
            return
        reactions = [_concepts_text(x.get("manifestation")) for x in r.get("reaction") or [] if isinstance(x, dict)]
        severities = [x.get("severity") for x in r.get("reaction") or [] if isinstance(x, dict) and x.get("severity")]
        batch.add("allergies", (
            _required_id(r), _patient_ref(r, "patient"), _concept_text(r.get("code")) or "(substance not given)",
            _code(r.get("code")), r.get("criticality"), r.get("type"), ", ".join(_strings(r.get("category"))),
            clinical, verification, "; ".join(x for x in reactions if x) or None, _worst(severities),
            r.get("recordedDate") or r.get("onsetDateTime"),
        ), number)

    def medication(self, r: dict[str, Any], number: int, batch: Batch) -> None:
        status = r.get("status")
        if status != "active":
            batch.skipped[f"MedicationRequest ({status or 'no status'})"] += 1
            return
        medication = _concept_text(r.get("medicationCodeableConcept")) or _get(r, "medicationReference", "display")
        batch.add("medications", (
            _required_id(r), _patient_ref(r, "subject"), medication or "(medication not named)",
            _dosage_text(r.get("dosageInstruction")), r.get("authoredOn"), _get(r, "requester", "display"), status,
            r.get("intent"), _reference_key(_get(r, "encounter", "reference")),
        ), number)

    def observation(self, r: dict[str, Any], number: int, batch: Batch) -> None:
        status = r.get("status")
        if status in ("entered-in-error", "cancelled"):
            batch.skipped[f"Observation ({status})"] += 1
            return
        categories = _category_codes(r.get("category"))
        if categories and "laboratory" not in categories:
            batch.skipped["Observation (not a lab result)"] += 1
            return
        effective = _utc(r.get("effectiveDateTime") or _get(r, "effectivePeriod", "start") or r.get("issued"))
        if effective is None:
            batch.skipped["Observation (no date)"] += 1
            return
        if self.cutoff and effective < self.cutoff:
            batch.skipped[f"Observation (older than {RESULT_WINDOW_DAYS} days)"] += 1
            return
        value, number_value, unit = _observation_value(r)
        if value is None:
            batch.skipped["Observation (no value, e.g. a panel header)"] += 1
            return
        low, high, range_text = _reference_range(r.get("referenceRange"))
        coding = _first_coding(r.get("code"))
        batch.add("results", (
            _required_id(r), _patient_ref(r, "subject"), coding.get("system"), coding.get("code"),
            _concept_text(r.get("code")) or coding.get("code") or "(test not named)", value, number_value, unit,
            low, high, range_text, _interpretation(r.get("interpretation")), effective, _utc(r.get("issued")),
            status, _reference_key(_get(r, "encounter", "reference")),
        ), number)

    def report(self, r: dict[str, Any], number: int, batch: Batch) -> None:
        results = [_reference_key(x.get("reference")) for x in r.get("result") or [] if isinstance(x, dict)]
        batch.add("reports", (
            _required_id(r), _patient_ref(r, "subject"), _concept_text(r.get("code")) or "(report)", r.get("status"),
            _utc(r.get("effectiveDateTime") or _get(r, "effectivePeriod", "start") or r.get("issued")),
            r.get("conclusion"), json.dumps([x for x in results if x]),
        ), number)


_BOM = b"\xef\xbb\xbf"  # tolerated at the start of a file, as Windows tools write it


def _stdlib_loads(raw: bytes) -> Any:
    # Decode explicitly: json.loads(bytes) would guess UTF-16 from stray bytes; Bulk NDJSON is UTF-8.
    return json.loads(raw.decode("utf-8"))


try:  # orjson parses about twice as fast; a million-patient export is mostly JSON parsing
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - the standard library gives the same rows, only slower
    _loads = _stdlib_loads


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, UnicodeDecodeError) or "UTF-8" in str(getattr(exc, "msg", "")):
        return "not UTF-8 text"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at column {exc.colno})"
    return "not valid JSON"


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _required_id(r: dict[str, Any]) -> str:
    rid = r.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise Unusable("no id")
    return rid.strip()


def _reference_key(reference: Any) -> str | None:
    """The id a reference points at: "Patient/1", "urn:uuid:1", "https://x/fhir/Patient/1/_history/2" -> "1".

    A conditional reference ("Location?identifier=system|value") becomes "?value", resolved later by identifier.
    """
    if not isinstance(reference, str) or not reference.strip():
        return None
    ref = reference.strip()
    if "?" in ref:
        query = ref.split("?", 1)[1]
        for part in query.split("&"):
            name, _, value = part.partition("=")
            if name == "identifier" and value:
                return "?" + value.rsplit("|", 1)[-1]
        return None
    if ref.startswith(("urn:uuid:", "urn:oid:")):
        return ref.rsplit(":", 1)[1]
    parts = ref.split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return parts[-1] or None


def _patient_ref(r: dict[str, Any], member: str) -> str:
    key = _reference_key(_get(r, member, "reference"))
    if key is None:
        raise Unusable(f"no {member} reference")
    return key


_ABHA_LABEL = re.compile("abha|healthid|health-id|ndhm|abdm")


def _identifiers(identifiers: Any) -> tuple[str | None, str | None]:
    """(UHID, ABHA digits) from Patient.identifier, in one pass (this runs once per patient).

    The UHID is the identifier typed MR (HL7 v2-0203), else one whose system or type text says UHID/MRN.
    The ABHA number is one whose system or type names ABHA/ABDM/NDHM/health ID and has 14 digits.
    """
    uhid = labelled_uhid = abha = None
    for ident in identifiers if isinstance(identifiers, list) else ():
        value = ident.get("value") if isinstance(ident, dict) else None
        if not isinstance(value, str) or not value.strip():
            continue
        kind = ident.get("type")
        codes = []
        if isinstance(kind, dict):
            for coding in kind.get("coding") or ():
                if isinstance(coding, dict):
                    codes.append(coding.get("code"))
        if uhid is None and "MR" in codes:
            uhid = value.strip()
            continue
        label = f"{ident.get('system') or ''} {kind.get('text') or '' if isinstance(kind, dict) else ''} " \
                f"{' '.join(map(str, codes))}".lower()
        if abha is None and _ABHA_LABEL.search(label):
            abha = normalize_abha(value)
        elif labelled_uhid is None and ("uhid" in label or "mrn" in label):
            labelled_uhid = value.strip()
    return uhid or labelled_uhid, abha


_NAME_USE_ORDER = {"official": 0, "usual": 1, None: 2, "nickname": 3, "temp": 4, "anonymous": 5, "maiden": 6,
                   "old": 7}


def _preferred(items: Any, rank: Callable[[dict[str, Any]], Any]) -> dict[str, Any] | None:
    """The best-ranked dict of a FHIR list (most lists hold one item: skip the sort then)."""
    if not isinstance(items, list):
        return None
    if len(items) == 1:
        return items[0] if isinstance(items[0], dict) else None
    candidates = [i for i in items if isinstance(i, dict)]
    if len(candidates) < 2:
        return candidates[0] if candidates else None
    return min(candidates, key=rank)


def _human_name(names: Any) -> str:
    best = _preferred(names, _name_rank)
    if best is None:
        raise Unusable("no name")
    text = best.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()
    parts = [*_strings(best.get("given")), *_strings([best.get("family")])]
    if not parts:
        raise Unusable("no name")
    return " ".join(parts)


def _name_rank(name: dict[str, Any]) -> int:
    return _NAME_USE_ORDER.get(name.get("use"), 2)


def _strings(values: Any) -> list[str]:
    if isinstance(values, str):
        return [values]
    return [v.strip() for v in values or [] if isinstance(v, str) and v.strip()]


def _phone(telecoms: Any) -> str | None:
    phones = []
    for telecom in telecoms or ():
        if isinstance(telecom, dict) and telecom.get("system") == "phone" and telecom.get("value"):
            phones.append(telecom)
    best = _preferred(phones, _phone_rank)
    return str(best["value"]) if best else None


def _phone_rank(telecom: dict[str, Any]) -> bool:
    return telecom.get("use") != "mobile"


def _address(addresses: Any) -> tuple[str | None, str | None]:
    """(one-line address, PIN code) of the home address, or of the first one."""
    best = _preferred(addresses, _address_rank)
    if best is None:
        return None, None
    text = best.get("text")
    if not isinstance(text, str):
        city, district = best.get("city"), best.get("district")
        parts = _strings(best.get("line"))
        for value in (city, None if district == city else district, best.get("state")):
            if isinstance(value, str) and (value := value.strip()):
                parts.append(value)
        text = ", ".join(parts)
    pincode = best.get("postalCode")
    return text or None, str(pincode) if pincode is not None else None


def _address_rank(address: dict[str, Any]) -> bool:
    return address.get("use") != "home"


# Patient.contact relationship codes (HL7 v3 RoleCode and v2-0131) -> the register's S/o, D/o, W/o...
_PARENT_CODES = frozenset({"FTH", "MTH", "PRN", "NPRN", "NFTH", "NMTH", "FATHER", "MOTHER"})
_HUSBAND_CODES = frozenset({"HUSB"})
_SPOUSE_CODES = frozenset({"SPS", "WIFE", "DOMPART"})


def _relative(r: dict[str, Any], sex: str | None) -> tuple[str | None, str | None]:
    for contact in r.get("contact") or []:
        if not isinstance(contact, dict):
            continue
        written = contact.get("name")
        name = written.get("text") if isinstance(written, dict) else None
        name = name or " ".join([*_strings(_get(written, "given")), *_strings([_get(written, "family")])])
        if not name:
            continue
        codes = set()
        for relationship in contact.get("relationship") or ():
            if isinstance(relationship, dict):
                for coding in relationship.get("coding") or ():
                    if isinstance(coding, dict):
                        codes.add(str(coding.get("code", "")).upper())
        return name, _relation_code(codes, sex)
    return None, None


def _relation_code(codes: set[str], sex: str | None) -> str:
    if codes & _PARENT_CODES:
        return {"male": "so", "female": "do"}.get(sex or "", "co")
    if codes & _HUSBAND_CODES or (codes & _SPOUSE_CODES and sex == "female"):
        return "wo"
    if codes & _SPOUSE_CODES and sex == "male":
        return "ho"
    return "co"


def _encounter_location(entry: Any) -> dict[str, Any]:
    return {"ref": _reference_key(_get(entry, "location", "reference")),
            "display": _get(entry, "location", "display"),
            "type": _code(_get(entry, "physicalType")), "status": _get(entry, "status")}


def _first_identifier(identifiers: Any) -> str | None:
    for ident in identifiers or []:
        if isinstance(ident, dict) and isinstance(ident.get("value"), str):
            return ident["value"]
    return None


def _participant(participants: Any) -> str | None:
    for p in participants or []:
        if display := _get(p, "individual", "display"):
            return str(display)
    return None


def _first_coding(concept: Any) -> dict[str, Any]:
    for coding in _get(concept, "coding") or []:
        if isinstance(coding, dict):
            return coding
    return {}


def _code(concept: Any) -> str | None:
    code = _first_coding(concept).get("code")
    return str(code) if code is not None else None


def _concept_text(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        return concept["text"].strip()
    coding = _first_coding(concept)
    return coding.get("display") or None


def _concepts_text(concepts: Any) -> str | None:
    if isinstance(concepts, dict):
        concepts = [concepts]
    texts = [t for t in (_concept_text(c) for c in concepts or []) if t]
    return "; ".join(texts) or None


def _references_text(references: Any) -> str | None:
    texts = [str(r["display"]) for r in references or [] if isinstance(r, dict) and r.get("display")]
    return "; ".join(texts) or None


def _category_codes(categories: Any) -> set[str]:
    codes = set()
    for category in categories or []:
        for coding in _get(category, "coding") or []:
            if isinstance(coding, dict) and coding.get("code"):
                codes.add(str(coding["code"]).lower())
        if isinstance(_get(category, "text"), str):
            codes.add(category["text"].lower())
    return codes


_SEVERITY_ORDER = {"mild": 1, "moderate": 2, "severe": 3}


def _worst(severities: list[Any]) -> str | None:
    known = [s for s in severities if s in _SEVERITY_ORDER]
    return max(known, key=_SEVERITY_ORDER.__getitem__) if known else None


def _dosage_text(dosages: Any) -> str | None:
    texts = []
    for dosage in dosages or []:
        if not isinstance(dosage, dict):
            continue
        if isinstance(dosage.get("text"), str):
            texts.append(dosage["text"])
            continue
        dose = _get((_get(dosage, "doseAndRate") or [{}])[0], "doseQuantity")
        repeat = _get(dosage, "timing", "repeat") or {}
        parts = []
        if isinstance(dose, dict) and dose.get("value") is not None:
            parts.append(f"{_number(dose['value'])} {dose.get('unit') or ''}".strip())
        if repeat.get("frequency") and repeat.get("period"):
            parts.append(f"{repeat['frequency']} per {_number(repeat['period'])} {repeat.get('periodUnit', '')}".strip())
        if route := _concept_text(dosage.get("route")):
            parts.append(route)
        if dosage.get("asNeededBoolean"):
            parts.append("as needed")
        if parts:
            texts.append(", ".join(parts))
    return "; ".join(texts) or None


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _observation_value(r: dict[str, Any]) -> tuple[str | None, float | None, str | None]:
    quantity = r.get("valueQuantity")
    if isinstance(quantity, dict) and isinstance(quantity.get("value"), (int, float)):
        value = float(quantity["value"])
        comparator = quantity.get("comparator") or ""
        unit = quantity.get("unit") or quantity.get("code")
        return f"{comparator}{_number(quantity['value'])}", value, unit
    for key in ("valueString", "valueInteger", "valueBoolean", "valueDateTime"):
        if r.get(key) is not None:
            value = r[key]
            number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
            return str(value), number, None
    if text := _concept_text(r.get("valueCodeableConcept")):
        return text, None, None
    components = []
    for component in r.get("component") or []:
        if not isinstance(component, dict):
            continue
        shown, _, part_unit = _observation_value(component)  # e.g. systolic and diastolic of one reading
        if shown is not None:
            components.append(f"{_concept_text(component.get('code')) or ''}: {shown} {part_unit or ''}".strip())
    return ("; ".join(components), None, None) if components else (None, None, None)


def _reference_range(ranges: Any) -> tuple[float | None, float | None, str | None]:
    for rng in ranges or []:
        if not isinstance(rng, dict):
            continue
        low, high = _get(rng, "low", "value"), _get(rng, "high", "value")
        low = float(low) if isinstance(low, (int, float)) else None
        high = float(high) if isinstance(high, (int, float)) else None
        text = rng.get("text") if isinstance(rng.get("text"), str) else None
        if low is not None or high is not None or text:
            return low, high, text
    return None, None, None


def _interpretation(interpretations: Any) -> str | None:
    for concept in interpretations or []:
        if code := _code(concept):
            return code
        if text := _concept_text(concept):
            return text
    return None


def _utc(text: Any) -> str | None:
    """A FHIR date/dateTime as "YYYY-MM-DDTHH:MM:SSZ" (UTC), so that string order is time order."""
    if not isinstance(text, str) or len(text) < 4:
        return None
    try:
        if len(text) == 4:
            moment = dt.datetime(int(text), 1, 1, tzinfo=dt.UTC)
        elif len(text) == 7:
            moment = dt.datetime(int(text[:4]), int(text[5:7]), 1, tzinfo=dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # FHIR requires a zone on times; dates have none
    try:
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC: no usable time
        return None


# -- CSV template ---------------------------------------------------------------------------------------

CSV_KINDS: dict[str, tuple[str, ...]] = {
    # kind: the columns its header must have (see docs/snapshot-csv-template.md for all columns)
    "patients": ("uhid", "name"),
    "allergies": ("uhid", "substance"),
    "medications": ("uhid", "medication"),
    "results": ("uhid", "test_name"),
}
CSV_BATCH_ROWS = 20_000


def csv_kind(header: Sequence[str]) -> str | None:
    columns = set(_csv_columns(header))
    for kind in ("patients", "allergies", "medications", "results"):
        if set(CSV_KINDS[kind]) <= columns and (kind != "patients" or not columns & {"substance", "medication",
                                                                                     "test_name"}):
            return kind
    return None


def _csv_columns(header: Sequence[str]) -> list[str]:
    return [h.strip().lower().replace(" ", "_").lstrip("\ufeff") for h in header]


class _CountingLines:
    """Iterates a text file's lines and counts their characters: csv.reader forbids ``tell()``.

    ``line`` is the number of the physical line last read, counted as editors, ``grep -n`` and the NDJSON
    parser count: a lone CR inside a quoted cell does not start a line (csv.reader's ``line_num`` would
    count it), unless the header line ends with a lone CR (a file saved with old Mac line endings).
    """

    def __init__(self, fh: io.TextIOBase):
        self.fh = fh
        self.chars = 0
        self.line = 0
        self._ended = True
        self._cr_endings: bool | None = None

    def __iter__(self) -> _CountingLines:
        return self

    def __next__(self) -> str:
        line = next(self.fh)
        self.chars += len(line)
        if self._cr_endings is None:
            self._cr_endings = line.endswith("\r")
        if self._ended:
            self.line += 1
        self._ended = line.endswith("\n") or (self._cr_endings and line.endswith("\r"))
        return line


def csv_batches(path: Path, file_index: int, stamp: str) -> Iterator[Batch]:
    """Parse a CSV file in this process, a batch at a time (quoted newlines rule out byte-range chunks).

    ``file_index`` goes into each batch (the snapshot's number for the file); lines are numbered from 1.
    """
    size = path.stat().st_size
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        source = _CountingLines(fh)
        reader = csv.reader(source)
        records = _csv_records(reader)
        first = next(records, [])
        header = _csv_columns(first if isinstance(first, list) else [])
        kind = csv_kind(header)
        batch, reported = Batch(file_index), 0
        if isinstance(first, str):
            batch.problems.append((1, f"the header is not readable CSV ({first})"))
        for values in records:
            number = source.line
            if isinstance(values, str):
                batch.problems.append((number, f"not readable CSV ({values})"))
            elif any(v.strip() for v in values):
                row = {k: (v.strip() or None) for k, v in zip(header, values)}
                try:
                    _CSV_ROW[kind or ""](row, number, batch, stamp)
                except Unusable as exc:
                    batch.problems.append((number, f"{kind or 'unknown'} CSV: {exc}"))
            if len(batch.problems) + sum(len(r) for r in batch.rows.values()) >= CSV_BATCH_ROWS:
                batch.byte_count = min(source.chars, size) - reported
                reported += batch.byte_count
                yield batch
                batch = Batch(file_index)
        batch.byte_count = size - reported
        yield batch


def _csv_records(reader: Any) -> Iterator[list[str] | str]:
    """The reader's records; for one it cannot read (a cell over csv.field_size_limit), the reason instead:
    a hostile or broken file must not end the import. The reader resumes at the next line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield str(exc)


def _csv_patient(row: dict[str, Any], number: int, batch: Batch, stamp: str) -> None:
    uhid = row.get("uhid")
    if not uhid:
        raise Unusable("no UHID")
    if not row.get("name"):
        raise Unusable("no name")
    values = {k: row.get(k) for k in ("name", "sex", "phone", "abha", "relative", "relation_type", "address",
                                      "pincode", "age_years")}
    values["sex"] = _csv_sex(values["sex"])
    values["dob"] = _csv_date(row.get("dob"), "dob", allow_year=True)
    # isdecimal, not isdigit: "①" is a digit that int() refuses.
    if values["age_years"] is not None and not str(values["age_years"]).isdecimal():
        raise Unusable("age_years is not a whole number")
    # Checked before any row is added: a line gives rows or a problem, never both.
    admitted = _csv_time(row.get("admitted_at"), "admitted_at") if row.get("ward") else None
    batch.add("patients", patient_index.patient_values(
        {**values, "id": uhid, "uhid": uhid, "source": "snapshot", "updated_at": stamp}), number)
    if row.get("ward"):
        batch.add("encounters", (f"csv-{uhid}", uhid, "in-progress", "IMP", row.get("ip_number"),
                                 admitted, row["ward"], row.get("bed"), "[]",
                                 row.get("department"), row.get("diagnosis"), row.get("doctor")), number)


def _csv_allergy(row: dict[str, Any], number: int, batch: Batch, stamp: str) -> None:
    criticality = (row.get("criticality") or "").lower() or None
    if criticality not in (None, "low", "high", "unable-to-assess"):
        raise Unusable("criticality must be low, high or unable-to-assess")
    batch.add("allergies", (f"csv-{batch.file_index}-{number}", _csv_uhid(row), _csv_required(row, "substance"), None,
                            criticality, "allergy", row.get("category"), "active", "confirmed", row.get("reaction"),
                            None, _csv_date(row.get("recorded"), "recorded")), number)


def _csv_medication(row: dict[str, Any], number: int, batch: Batch, stamp: str) -> None:
    batch.add("medications", (f"csv-{batch.file_index}-{number}", _csv_uhid(row), _csv_required(row, "medication"),
                              row.get("dosage"), _csv_date(row.get("started"), "started"), row.get("doctor"),
                              "active", "order", None), number)


def _csv_result(row: dict[str, Any], number: int, batch: Batch, stamp: str) -> None:
    taken = _csv_time(row.get("taken_at"), "taken_at")
    if taken is None:
        raise Unusable("taken_at is missing or not a date and time")
    value = row.get("value")
    if value is None:
        raise Unusable("no value")
    batch.add("results", (f"csv-{batch.file_index}-{number}", _csv_uhid(row), "http://loinc.org" if row.get(
        "test_code") else None, row.get("test_code"), _csv_required(row, "test_name"), value, _float(value), row.get("unit"),
        _float(row.get("ref_low")), _float(row.get("ref_high")), row.get("ref_text"), row.get("flag"), taken, None,
        "final", None), number)


def _csv_unknown(row: dict[str, Any], number: int, batch: Batch, stamp: str) -> None:
    raise Unusable("the header matches none of the CSV templates")


_CSV_ROW: dict[str, Callable[[dict[str, Any], int, Batch, str], None]] = {
    "patients": _csv_patient, "allergies": _csv_allergy, "medications": _csv_medication, "results": _csv_result,
    "": _csv_unknown,
}


def _csv_uhid(row: dict[str, Any]) -> str:
    if not row.get("uhid"):
        raise Unusable("no UHID")
    return str(row["uhid"])


def _csv_required(row: dict[str, Any], column: str) -> str:
    """The cell the row's template cannot do without; a short row (cells missing at the end) lacks it."""
    if not row.get(column):
        raise Unusable(f"no {column}")
    return str(row[column])


def _csv_sex(value: str | None) -> str | None:
    if value is None:
        return None
    sex = {"m": "male", "male": "male", "f": "female", "female": "female", "o": "other", "t": "other",
           "other": "other", "transgender": "other"}.get(value.lower())
    if sex is None:
        raise Unusable("sex must be M, F or O")
    return sex


def _csv_date(value: str | None, column: str, *, allow_year: bool = False) -> str | None:
    """YYYY-MM-DD, or DD/MM/YYYY and DD-MM-YYYY as Indian registers write dates; YYYY alone if allowed."""
    if not value:
        return None
    text = value.strip()[:10]
    if allow_year and len(text) == 4 and text.isdecimal():
        return f"{int(text):04d}"  # "१९८४" as "1984", as strptime gives full dates; "①" is no decimal digit
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise Unusable(f"{column} is not a date (use YYYY-MM-DD)")


def _csv_time(value: str | None, column: str) -> str | None:
    if not value:
        return None
    if len(value.strip()) == 10:
        value = _csv_date(value, column)
    return _utc(value)


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


# -- "as of" ------------------------------------------------------------------------------------------

@dataclass
class _Sources:
    data: list[Path]                 # NDJSON and CSV files to import
    as_of: dt.datetime | None = None
    as_of_source: str = ""


def _discover(sources: Sequence[Path]) -> _Sources:
    """Expand folders, and read the export's transactionTime from a manifest or an export log."""
    files: list[Path] = []
    for source in map(Path, sources):
        if source.is_dir():
            files += sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in
                            (*NDJSON_SUFFIXES, ".csv"))
        elif source.is_file():
            files.append(source)
        else:
            raise SnapshotError(f"{source} does not exist; give the folder or files of the HMIS export")
    found = _Sources([])
    for path in files:
        kind, when = _sniff(path)
        if when and (found.as_of is None or when > found.as_of):
            found.as_of, found.as_of_source = when, f"transactionTime in {path.name}"
        if kind == "data":
            found.data.append(path)
    if not found.data:
        raise SnapshotError("no export files (FHIR NDJSON or CSV) were found in what was given")
    return found


def _sniff(path: Path) -> tuple[str, dt.datetime | None]:
    """("data" | "manifest" | "log", transactionTime if the file states one)."""
    if path.suffix.lower() == ".csv":
        return "data", None
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    first = head.lstrip()[:1]
    if first == b"{" and path.suffix.lower() == ".json" and path.stat().st_size < MANIFEST_MAX_BYTES:
        try:
            manifest = json.loads(path.read_bytes())
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than json can go
            manifest = None
        if isinstance(manifest, dict) and "transactionTime" in manifest and "resourceType" not in manifest:
            return "manifest", _parse_time(manifest.get("transactionTime"))
    line = head.split(b"\n", 1)[0]
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # the line parser reports a bad first line; sniffing only looks
        return "data", None
    if isinstance(record, dict) and "resourceType" not in record and ("eventId" in record or "exportId" in record):
        return "log", _log_transaction_time(path)
    return "data", None


def _log_transaction_time(path: Path) -> dt.datetime | None:
    """The Bulk export log (one event per line) names the transactionTime in its completion events."""
    newest = None
    with open(path, "rb") as fh:
        for raw in fh:
            try:
                when = _parse_time(_get(json.loads(raw), "eventDetail", "transactionTime"))
            except (ValueError, RecursionError):
                continue
            if when and (newest is None or when > newest):
                newest = when
    return newest


def _parse_time(text: Any) -> dt.datetime | None:
    utc = _utc(text)
    return dt.datetime.strptime(utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC) if utc else None


# -- building ------------------------------------------------------------------------------------------

def build_snapshot(sources: list[Path], dest: Path, key: bytes, *, progress: ProgressCallback | None = None,
                   workers: int | None = None) -> ImportReport:
    """Import an HMIS export into an encrypted snapshot at ``dest``, replacing the old one only when done.

    ``workers``: parser processes (default: one per CPU; 0 parses in this process). Raises
    ``SnapshotError`` if the export holds no usable patient, leaving any previous snapshot as it was.
    """
    dest = Path(dest)
    building = dest.with_suffix(".db.building")
    started = time.monotonic()
    with _build_lock(dest):
        _remove(building, Path(f"{building}-journal"))
        try:
            report = _build(sources, building, key, progress, workers)
            _fsync_file(building)
            os.replace(building, dest)
            fsync_dir(dest.parent)
        finally:
            _remove(building, Path(f"{building}-journal"))
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _build(sources: Sequence[Path], building: Path, key: bytes, progress: ProgressCallback | None,
           workers: int | None) -> ImportReport:
    found = _discover(sources)
    total = sum(p.stat().st_size for p in found.data)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    cutoff = _cutoff(found.as_of) if found.as_of else None
    db = open_encrypted(building, key, durable=False)
    try:
        _tune_for_bulk(db)
        db.conn.isolation_level = None  # transactions are explicit below
        db.execute("BEGIN")
        _create_tables(db)
        writer = _BatchWriter(db, [p.name for p in found.data], total, progress)
        with _gc_paused():  # also while the pool's thread unpickles batches: no cycles among rows either
            for batch in _parsed_batches(found.data, cutoff, stamp, workers, total):
                writer.write(batch)
        writer.lap("parse_and_write")
        as_of, as_of_source = _as_of(found, writer.newest_update)
        report = _finish(db, writer, as_of, as_of_source, cutoff)
        db.execute("COMMIT")
        db.execute("PRAGMA analysis_limit = 1000")
        db.execute("ANALYZE")  # so the OR of id/uhid/downtime_id lookups uses all three indexes
        writer.lap("commit_and_analyze")
        report.timings, report.cpu_timings = writer.timings, writer.cpu_timings
    finally:
        db.conn.close()
    if progress:
        progress(total, total)
    return report


def _tune_for_bulk(db: sqlite_utils.Database) -> None:
    # A fresh file that is renamed into place only when complete needs no crash safety while it is built.
    # 384 MB of page cache holds a million patients' snapshot whole: no page is encrypted, written, read back
    # and decrypted again before the commit (with 256 MB the import took a quarter more CPU).
    db.execute("PRAGMA cache_size = -393216")
    db.execute("PRAGMA temp_store = MEMORY")    # sort runs for CREATE INDEX must not land unencrypted in /tmp
    _bind_nulls_directly()


def _bind_nulls_directly() -> None:
    """Make binding None cheap: for every None, sqlcipher3 otherwise looks for an adapter by raising and
    formatting an AttributeError, which is two thirds of executemany's time for patient rows (most have
    five or more empty columns). Adapting None to itself binds the same NULL, for every connection in
    this process."""
    sqlcipher3.register_adapter(type(None), _none)


def _none(value: None) -> None:
    return value


def _cutoff(as_of: dt.datetime) -> str:
    return (as_of - dt.timedelta(days=RESULT_WINDOW_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_of(found: _Sources, newest_update: str | None) -> tuple[dt.datetime, str]:
    if found.as_of:
        return found.as_of, found.as_of_source
    if newest_update:
        return _parse_time(newest_update) or dt.datetime.now(dt.UTC), "newest meta.lastUpdated"
    newest = max(found.data, key=lambda p: p.stat().st_mtime)
    when = dt.datetime.fromtimestamp(newest.stat().st_mtime, dt.UTC).replace(microsecond=0)
    return when, f"modification time of {newest.name}"


def read_batches(path: Path, *, stamp: str | None = None) -> Iterator[Batch]:
    """Parse one export file (NDJSON or CSV) in this process, a batch at a time, lines numbered from 1.

    For other readers of HMIS exports (the records office's MPI loader): the same rows, reasons and
    line numbers as the snapshot import, without building a snapshot.
    """
    stamp = stamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if Path(path).suffix.lower() == ".csv":
        return csv_batches(Path(path), 0, stamp)
    return _ndjson_batches(Path(path), 0, None, stamp, None)


def _parsed_batches(files: Sequence[Path], cutoff: str | None, stamp: str, workers: int | None,
                    total: int) -> Iterator[Batch]:
    """Batches in file and line order; NDJSON parsed by a process pool when the export is big.

    Programs that call ``build_snapshot`` on a big export must guard their entry point with
    ``if __name__ == "__main__":`` (and frozen apps call ``multiprocessing.freeze_support()``): worker
    processes are started with "spawn", which re-imports the main module.
    """
    count = (os.cpu_count() or 1) if workers is None else workers
    pool = None
    if count > 0 and total >= IN_PROCESS_BELOW:
        # "spawn" everywhere: it is what Windows ward PCs do, and it never forks the open SQLCipher handle.
        pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))
    try:
        for index, path in enumerate(files):
            if path.suffix.lower() == ".csv":
                yield from csv_batches(path, index, stamp)
            else:
                yield from _ndjson_batches(path, index, cutoff, stamp, pool, 2 * count)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def _ndjson_batches(path: Path, index: int, cutoff: str | None, stamp: str, pool: ProcessPoolExecutor | None,
                    in_flight: int = 0) -> Iterator[Batch]:
    chunks = (ChunkTask(str(path), index, start, end, cutoff, stamp)
              for start, end in line_aligned_ranges(path, CHUNK_BYTES))
    first_line = 0
    for batch in (_pooled(pool, chunks, in_flight) if pool else map(parse_chunk, chunks)):
        batch.shift_lines(first_line)
        first_line += batch.line_count
        yield batch


def _pooled(pool: ProcessPoolExecutor, tasks: Iterator[ChunkTask], in_flight: int) -> Iterator[Batch]:
    """Results in task order, with at most ``in_flight`` tasks queued (memory stays flat)."""
    pending: deque[Future[Batch]] = deque()
    for task in tasks:
        pending.append(pool.submit(parse_chunk, task))
        if len(pending) >= in_flight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class _BatchWriter:
    """Writes parsed batches to the building database and keeps the running totals."""

    def __init__(self, db: sqlite_utils.Database, files: list[str], total: int, progress: ProgressCallback | None):
        self.db, self.files, self.total, self.progress = db, files, total, progress
        self.done = 0
        self.timings: dict[str, float] = {}
        self.cpu_timings: dict[str, float] = {}
        self._lap_start, self._lap_cpu = time.monotonic(), time.process_time()
        self.skipped: Counter[str] = Counter()
        self.newest_update: str | None = None
        self.sql = {t: _insert_sql(t) for t in ("patients", "fhir_patient", *TABLES)}
        self.indexed_rid = 0     # patients up to this rid are in the name index
        self.unindexed = 0       # patients written since
        if progress:
            progress(0, total)

    def write(self, batch: Batch) -> None:
        for table, rows in batch.rows.items():
            self._insert(table, rows, batch.lines[table], batch.file_index)
        self.unindexed += len(batch.rows.get("patients", ()))
        if self.unindexed >= NAME_INDEX_ROWS:
            # Indexed while the parsers work on the next batches, not in one pass after the last one.
            self.indexed_rid, self.unindexed = patient_index.index_names(self.db, self.indexed_rid), 0
        self.record_problems(batch.file_index, batch.problems)
        self.skipped.update(batch.skipped)
        if batch.newest_update and (self.newest_update or "") < batch.newest_update:
            self.newest_update = batch.newest_update
        self.done += batch.byte_count
        if self.progress:
            self.progress(min(self.done, self.total), self.total)

    def lap(self, phase: str) -> None:
        """Record the seconds (wall and this process's CPU) since the previous lap under ``phase``."""
        now = time.monotonic()
        cpu = time.process_time()  # the parsers' CPU is not in it: they are other processes
        self.timings[phase] = round(now - self._lap_start, 2)
        self.cpu_timings[phase] = round(cpu - self._lap_cpu, 2)
        self._lap_start, self._lap_cpu = now, cpu

    def _insert(self, table: str, rows: list[tuple[Any, ...]], lines: list[int], file_index: int) -> None:
        if table in TABLES:
            rows = [(*row, file_index, line) for row, line in zip(rows, lines)]
        # No savepoint to roll a batch back to: opening one makes FTS5 write its pending names out as a
        # small segment, and merging hundreds of those costs more than the rows. executemany stops at a
        # row that cannot be stored, after storing the rows before it, so the count of changes names it:
        # report that row and carry on after it.
        problems, start, conn = [], 0, self.db.conn
        while start < len(rows):
            before = conn.total_changes
            try:
                conn.executemany(self.sql[table], rows[start:] if start else rows)
                break
            except Exception as exc:
                reason = _row_problem(exc, table)
                if reason is None:
                    raise
                failed = start + conn.total_changes - before
                problems.append((lines[failed], reason))
                start = failed + 1
        self.record_problems(file_index, problems)

    def record_problems(self, file_index: int, problems: list[tuple[int, str]]) -> None:
        if problems:
            self.db.conn.executemany("INSERT INTO import_problems VALUES (?, ?, ?)",
                                     [(file_index, line, why) for line, why in problems])


def _insert_sql(table: str) -> str:
    if table == "patients":
        return patient_index.INSERT_SQL
    if table == "fhir_patient":
        return "INSERT INTO fhir_patient VALUES (?, ?)"
    columns = (*TABLES[table], *_SRC)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _row_problem(exc: Exception, table: str) -> str | None:
    """Why one parsed row cannot be stored (for the report), or None when the error is not the row's fault."""
    if type(exc).__name__ == "IntegrityError":
        what = "patient" if table in ("patients", "fhir_patient") else "resource"
        return f"duplicate {what}: same id as an earlier line, earlier one kept"
    if type(exc).__name__ == "InterfaceError" or isinstance(exc, OverflowError):
        # Valid JSON with an object, a list or a 30-digit number where FHIR has text (a "criticality" that
        # is an object): the parsers copy such values as they are, and SQLite cannot store them.
        return f"{table}: a value of an unexpected type (an object, a list or a huge number)"
    return None


def _finish(db: sqlite_utils.Database, writer: _BatchWriter, as_of: dt.datetime, as_of_source: str,
            cutoff: str | None) -> ImportReport:
    """Indexes, references, census and meta, once every line is in."""
    patient_index.finish_bulk_load(db, writer.indexed_rid)
    writer.lap("indexes")
    _index_tables(db)
    _resolve_patients(db, writer)
    if cutoff is None:
        late_cutoff = _cutoff(as_of)
        old = db.execute("DELETE FROM results WHERE effective < ?", [late_cutoff]).rowcount
        if old:
            writer.skipped[f"Observation (older than {RESULT_WINDOW_DAYS} days)"] += old
    _resolve_census(db)
    db.execute("DROP TABLE fhir_patient")
    writer.lap("references_and_census")
    report = _report(db, writer, as_of, as_of_source)
    if not report.counts.get("patients"):
        raise SnapshotError("the export holds no usable patient; the previous snapshot is kept")
    _write_meta(db, report)
    return report


def _resolve_patients(db: sqlite_utils.Database, writer: _BatchWriter) -> None:
    """Turn each row's FHIR patient reference into the patient's UHID; rows for unknown patients are reported."""
    for table in PATIENT_TABLES:
        db.execute(f"""
            UPDATE {table} SET patient_id = COALESCE(
                (SELECT patient_id FROM fhir_patient WHERE fhir_id = {table}.patient_ref),
                (SELECT id FROM patients WHERE id = {table}.patient_ref),
                CASE WHEN substr(patient_ref, 1, 1) = '?' THEN
                    (SELECT id FROM patients WHERE uhid = substr({table}.patient_ref, 2)) END)
            WHERE patient_id IS NULL""")
        orphans = db.execute(f"SELECT src_file, src_line FROM {table} WHERE patient_id IS NULL").fetchall()
        for file_index, line in orphans:
            writer.record_problems(file_index, [(line, "refers to a patient who is not in the export")])
        db.execute(f"DELETE FROM {table} WHERE patient_id IS NULL")


def _resolve_census(db: sqlite_utils.Database) -> None:
    """Ward and bed of each current stay, from its locations; then mark the patients as admitted."""
    places = _Places(db)
    stays = db.execute("SELECT id, patient_id, ward, bed, locations FROM encounters "
                       "ORDER BY admitted_at").fetchall()
    updates, current = [], {}
    for encounter_id, patient_id, ward, bed, locations in stays:
        if not ward:
            ward, bed = places.ward_and_bed(json.loads(locations or "[]"))
            updates.append((ward, bed, encounter_id))
        current[patient_id] = (ward or "(ward not given)", bed)  # the latest admission wins
    db.conn.executemany("UPDATE encounters SET ward = ?, bed = ? WHERE id = ?", updates)
    db.conn.executemany("UPDATE patients SET ward = ?, bed = ? WHERE id = ?",
                        [(w, b, pid) for pid, (w, b) in current.items()])


class _Places:
    """Locations by id and by identifier, to walk from a bed up to its ward."""

    def __init__(self, db: sqlite_utils.Database):
        self.by_id: dict[str, tuple[str | None, str | None, str | None]] = {}
        self.by_identifier: dict[str, str] = {}
        for lid, name, kind, part_of, identifiers in db.execute(
                "SELECT id, name, physical_type, part_of, identifiers FROM locations"):
            self.by_id[lid] = (name, kind, part_of)
            for value in json.loads(identifiers or "[]"):
                self.by_identifier.setdefault(value, lid)

    def resolve(self, ref: str | None) -> str | None:
        if ref and ref.startswith("?"):
            return self.by_identifier.get(ref[1:])
        return ref if ref in self.by_id else None

    def ward_and_bed(self, entries: list[dict[str, Any]]) -> tuple[str | None, str | None]:
        current = [e for e in entries if e.get("status") not in ("completed",)] or entries
        ward = bed = fallback = None
        for entry in current:
            lid = self.resolve(entry.get("ref"))
            name, kind, _ = self.by_id.get(lid or "", (None, None, None))
            kind = entry.get("type") or kind
            label = name or entry.get("display")
            if kind in ("bd", "ro") and not bed:
                bed = label
                ward = ward or self._ward_above(lid)
            elif kind == "wa":
                ward = label
            fallback = fallback or label
        return ward or fallback, bed

    def _ward_above(self, lid: str | None) -> str | None:
        seen = set()
        while lid and lid not in seen:
            seen.add(lid)
            name, kind, part_of = self.by_id.get(lid, (None, None, None))
            if kind == "wa":
                return name
            lid = self.resolve(part_of)
        return None


def _report(db: sqlite_utils.Database, writer: _BatchWriter, as_of: dt.datetime, as_of_source: str) -> ImportReport:
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("patients", "encounters", "locations", "allergies", "medications", "results", "reports")}
    total = db.execute("SELECT count(*) FROM import_problems").fetchone()[0]
    listed = [LineProblem(writer.files[f], line, why) for f, line, why in db.execute(
        "SELECT src_file, src_line, reason FROM import_problems ORDER BY src_file, src_line LIMIT ?",
        [MAX_PROBLEMS_LISTED])]
    return ImportReport(as_of=as_of.strftime("%Y-%m-%dT%H:%M:%SZ"), as_of_source=as_of_source, files=writer.files,
                        counts=counts, skipped=dict(sorted(writer.skipped.items())), problems=listed,
                        problems_total=total, bytes=writer.total)


def _write_meta(db: sqlite_utils.Database, report: ImportReport) -> None:
    meta = {"format": SNAPSHOT_FORMAT, "as_of": report.as_of, "as_of_source": report.as_of_source,
            "files": report.files, "counts": report.counts, "skipped": report.skipped,
            "problems_total": report.problems_total, "built_at": dt.datetime.now(dt.UTC).isoformat(
                timespec="seconds")}
    db.conn.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])


@contextmanager
def _build_lock(dest: Path) -> Iterator[None]:
    """One import at a time per snapshot: a scheduled refresh and a manual one must not share a file."""
    with open(dest.with_suffix(".db.lock"), "a+b") as fh:  # closing releases the lock, and so does dying
        try:
            _lock(fh)
        except OSError:
            raise SnapshotError("another snapshot import is running on this PC; wait for it to finish") from None
        yield


def _lock(fh: io.BufferedRandom) -> None:
    if os.name == "nt":
        import msvcrt
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # Windows-only module
    else:
        import fcntl
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


# -- reading ----------------------------------------------------------------------------------------------

@dataclass
class Snapshot:
    """An open snapshot: the database (read-only) and what its import recorded."""

    path: Path
    db: sqlite_utils.Database
    meta: dict[str, Any]

    @property
    def as_of(self) -> dt.datetime:
        return dt.datetime.strptime(self.meta["as_of"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)

    def age_hours(self, now: dt.datetime | None = None) -> float:
        """How old the copy is, for the banner and the readiness drill."""
        now = now or dt.datetime.now(dt.UTC)
        return (now - self.as_of).total_seconds() / 3600

    def problems(self, limit: int = MAX_PROBLEMS_LISTED) -> list[LineProblem]:
        """The unusable lines of the import that built this snapshot."""
        files = self.meta.get("files", [])
        return [LineProblem(files[f] if f < len(files) else str(f), line, why) for f, line, why in self.db.execute(
            "SELECT src_file, src_line, reason FROM import_problems ORDER BY src_file, src_line LIMIT ?", [limit])]

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_snapshot(path: Path, key: bytes) -> Snapshot:
    """Open a snapshot for reading; raises ``WrongKeyError`` for a wrong key, ``SnapshotError`` if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise SnapshotError("there is no snapshot on this PC yet; IT imports one with 'downtime snapshot import'")
    # durable=False keeps the rollback journal: switching a read-only file to WAL would write to it.
    db = open_encrypted(path, key, durable=False)
    try:
        db.execute("PRAGMA query_only = ON")
        rows = db.execute("SELECT key, value FROM meta").fetchall()
    except Exception as exc:
        db.conn.close()
        raise SnapshotError(f"{path.name} is not a downtime snapshot") from exc
    meta = {k: json.loads(v) for k, v in rows}
    if meta.get("format") != SNAPSHOT_FORMAT:
        db.conn.close()
        raise SnapshotError(f"{path.name} was made by another version of the toolkit; import the export again")
    return Snapshot(path, db, meta)
