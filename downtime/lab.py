"""Lab requests and results: one request per sample tube, results entered against its accession number.

A ward orders tests; tests that go in different tubes (CBC in EDTA, KFT in a plain tube) are
different samples, so ``plan_samples`` splits the order and ``request_tests`` writes one
``lab.request`` per tube, each with its own accession number and label. The lab scans a
label, ``find_order`` finds the request (or, for a sample from another PC, only its number),
and ``record_results`` writes one ``lab.result`` per measured value, each flagged against its
reference range.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from downtime.checks import check_entry
from downtime.errors import DowntimeError
from downtime.ids import validate as valid_id
from downtime.journal import Entry, write_transaction
from downtime.lab_catalogue import Analyte, Catalogue, catalogue
from downtime.patient_index import query_dicts
from downtime.session import Session

REQUEST, RESULT = "lab.request", "lab.result"


@dataclass(frozen=True)
class Sample:
    """One tube: the tests it serves, and what the label and the request call it."""

    sample_type: str
    container: str
    tests: tuple[str, ...]
    sample_type_other: str | None = None  # what "other" is, for tests typed freely


def lab_catalogue(session: Session) -> Catalogue:
    return catalogue(session.snapshot.db if session.snapshot else None)


def plan_samples(cat: Catalogue, tests: Sequence[str], sample_type: str | None = None,
                 sample_type_other: str | None = None) -> list[Sample]:
    """Group the ordered tests by tube; tests typed freely (not in the catalogue) go in ``sample_type``'s."""
    tubes: dict[str, Sample] = {}
    for line in dict.fromkeys(t.strip() for t in tests if t.strip()):  # each test once, in order
        test = cat.find(line)
        if test is not None:
            key, kind, container, label = test.container, test.sample_type, test.container, test.label
        else:
            kind = sample_type or "other"
            key, container, label = f"typed:{kind}", "", line
        held = tubes.get(key)
        other = sample_type_other if test is None and kind == "other" else None
        tubes[key] = Sample(kind, container, (*held.tests, label) if held else (label,), other)
    return list(tubes.values())


def check_requests(session: Session, payload: dict[str, Any], samples: Sequence[Sample]) -> None:
    """Raise the first ValidationError any of the requests would raise, before anything is written."""
    if not samples:
        raise DowntimeError("choose at least one test")
    for sample in samples:
        check_entry(session, REQUEST, _request(payload, sample))


def _request(payload: dict[str, Any], sample: Sample) -> dict[str, Any]:
    request = {**payload, "tests": list(sample.tests), "sample_type": sample.sample_type}
    if sample.sample_type_other:
        request["sample_type_other"] = sample.sample_type_other
    return request


def request_tests(session: Session, payload: dict[str, Any], samples: Sequence[Sample]) -> list[Entry]:
    """One lab.request per sample, all or none; ``payload`` holds what they share (patient, priority...)."""
    check_requests(session, payload, samples)
    with write_transaction(session.journal.db):
        return [session.record(REQUEST, _request(payload, s)) for s in samples]


@dataclass(frozen=True)
class LabOrder:
    """A scanned accession number and what this PC knows about it."""

    accession: str
    patient_id: str | None
    tests: tuple[str, ...]
    sample_type: str | None
    priority: str | None
    on_this_pc: bool  # False: the request was made on another PC (the ward's); tests come from the paper
    results: tuple[dict[str, Any], ...]  # results already entered here, oldest first


def find_order(session: Session, accession: str, patient_id: str | None = None) -> LabOrder:
    """The request with this accession number. A number issued by another PC is still accepted (its check
    digit must hold): the lab then reads the tests off the requisition that came with the sample."""
    key = accession.strip().upper()
    db = session.journal.db
    rows = query_dicts(db, "SELECT payload, status FROM records WHERE kind = ? AND human_id = ? LIMIT 1",
                       [REQUEST, key])
    results = tuple(json.loads(r["payload"]) for r in query_dicts(
        db, "SELECT payload FROM records WHERE kind = ? AND status != 'voided' AND "
            "upper(json_extract(payload, '$.accession')) = ? ORDER BY seq", [RESULT, key]))
    if rows:
        if rows[0]["status"] == "voided":
            raise DowntimeError(f"request {key} was cancelled (voided) on this PC; ask the ward for a new sample")
        p = json.loads(rows[0]["payload"])
        return LabOrder(key, p.get("patient"), tuple(p.get("tests", ())), p.get("sample_type"), p.get("priority"),
                        True, results)
    if not valid_id(key):
        raise DowntimeError(f"{accession.strip()} is not an accession number; scan the barcode on the sample label")
    return LabOrder(key, patient_id, (), None, None, False, results)


@dataclass(frozen=True)
class ResultLine:
    """One value the lab writes: an analyte from the catalogue, or a test typed freely (analyte None)."""

    test: str  # the request line it belongs to
    name: str
    analyte: Analyte | None


def result_lines(cat: Catalogue, tests: Sequence[str]) -> list[ResultLine]:
    lines = []
    for line in tests:
        test = cat.find(line)
        if test is None:
            lines.append(ResultLine(line, line, None))
        else:
            lines += [ResultLine(line, a.name, a) for a in test.analytes]
    return lines


def record_results(session: Session, accession: str, results: Sequence[dict[str, Any]]) -> list[Entry]:
    """One lab.result per value typed, all or none (a half-saved report is worse than none)."""
    if not results:
        raise DowntimeError("type at least one result")
    with write_transaction(session.journal.db):
        return [session.record(RESULT, {**r, "accession": accession}) for r in results]
