"""Patient search over the snapshot and this PC's downtime registrations."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from downtime import patient_index
from downtime.encrypted_db import open_encrypted
from downtime.search import PatientHit, search

SNAPSHOT_PATIENTS = [
    {"id": "100200300401", "uhid": "100200300401", "name": "Smt. Sunita Devi", "sex": "female", "dob": "1979-03-12",
     "phone": "+91 98765 43210", "abha": "91-1234-5678-9012", "relative": "Ramesh Kumar", "relation_type": "wo",
     "ward": "Medicine Ward 7", "bed": "M7-12"},
    {"id": "100200300402", "uhid": "100200300402", "name": "Sumita Sharma", "sex": "female", "dob": "1990-01-01"},
    {"id": "100200300403", "uhid": "100200300403", "name": "R. K. Sharma", "sex": "male", "age_years": 61},
    {"id": "100200300404", "uhid": "100200300404", "name": "Ramesh Kumar Sharma", "sex": "male", "dob": "1970-05-05",
     "relative": "S/o Suresh Sharma"},
    {"id": "100200300405", "uhid": "100200300405", "name": "Mohd. Salim Ansari", "sex": "male", "dob": "1948"},
    {"id": "100200300406", "uhid": "100200300406", "name": "Lakshmi Narayanan", "sex": "female", "dob": "1985-02-02"},
    {"id": "UH-77", "uhid": "UH-77", "name": "Gurpreet Kaur", "sex": "female", "dob": "1992-07-07"},
]
DOWNTIME_PATIENTS = [
    {"id": "AIIMS-042-00123-7", "downtime_id": "AIIMS-042-00123-7", "name": "B/O Sunita Devi", "sex": "male",
     "dob": "2025-01-13", "relative": "B/O Sunita Devi", "relation_type": "bo"},
    {"id": "AIIMS-042-00124-5", "downtime_id": "AIIMS-042-00124-5", "name": "Suneeta Kumari", "sex": "female",
     "age_years": 19, "phone": "09811122233"},
]


def _db(path: Path, rows: list[dict], source: str) -> sqlite_utils.Database:
    db = open_encrypted(path, os.urandom(32))
    patient_index.ensure_patient_index(db)
    for row in rows:
        patient_index.index_patient(db, {**row, "source": source})
    return db


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[sqlite_utils.Database]]:
    base = tmp_path_factory.mktemp("search")
    snapshot = _db(base / "snapshot.db", SNAPSHOT_PATIENTS, "snapshot")
    journal = _db(base / "journal.db", DOWNTIME_PATIENTS, "downtime")
    yield [snapshot, journal]
    for db in (snapshot, journal):
        db.conn.close()


def names(hits: list[PatientHit]) -> list[str]:
    return [h.name for h in hits]


@pytest.mark.parametrize("query", ["91-1234-5678-9012", "91 1234 5678 9012", "91123456789012", "9112-3456-7890-12",
                                   " 91.1234.5678.9012 "])
def test_abha_in_any_grouping(dbs: list[sqlite_utils.Database], query: str) -> None:
    hits = search(dbs, query)
    assert names(hits) == ["Smt. Sunita Devi"]
    assert hits[0].matched_on == "abha" and hits[0].abha == "91-1234-5678-9012"


@pytest.mark.parametrize("query", ["9876543210", "+91 98765 43210", "+91-9876543210", "09876543210", "98765-43210"])
def test_phone_with_or_without_prefix(dbs: list[sqlite_utils.Database], query: str) -> None:
    assert names(search(dbs, query)) == ["Smt. Sunita Devi"]


@pytest.mark.parametrize(("query", "expected"), [
    ("100200300403", "R. K. Sharma"),
    ("uh-77", "Gurpreet Kaur"),
    ("UH 77", "Gurpreet Kaur"),
    ("AIIMS-042-00124-5", "Suneeta Kumari"),
    ("aiims 042 00124 5", "Suneeta Kumari"),
    ("aiims04200124 5", "Suneeta Kumari"),
])
def test_exact_identifiers(dbs: list[sqlite_utils.Database], query: str, expected: str) -> None:
    hits = search(dbs, query)
    assert hits and hits[0].name == expected
    assert hits[0].matched_on in ("uhid", "downtime_id")


def test_type_ahead_multi_word_prefix(dbs: list[sqlite_utils.Database]) -> None:
    assert "Smt. Sunita Devi" in names(search(dbs, "sun dev"))
    assert set(names(search(dbs, "r k sha"))) == {"R. K. Sharma", "Ramesh Kumar Sharma"}
    assert names(search(dbs, "sharma r k"))[:2] == ["R. K. Sharma", "Ramesh Kumar Sharma"]
    assert names(search(dbs, "laks")) == ["Lakshmi Narayanan"]


def test_results_carry_what_the_ward_checks(dbs: list[sqlite_utils.Database]) -> None:
    hit = search(dbs, "sunita devi")[0]
    assert hit.name == "Smt. Sunita Devi" and hit.identifiers == ("100200300401",)
    assert (hit.ward, hit.bed) == ("Medicine Ward 7", "M7-12")
    assert hit.relation == "W/o Ramesh Kumar" and hit.age_sex.endswith("/ F") and hit.source == "snapshot"
    baby = next(h for h in search(dbs, "b/o sunita") if h.source == "downtime")
    assert baby.relation == "B/O Sunita Devi" and baby.identifiers == ("AIIMS-042-00123-7",)
    elderly = search(dbs, "mohd salim")[0]
    assert elderly.age is not None and elderly.age.endswith(" y")  # known only by year of birth


def test_mother_ranks_above_her_baby(dbs: list[sqlite_utils.Database]) -> None:
    assert names(search(dbs, "sunita devi"))[:2] == ["Smt. Sunita Devi", "B/O Sunita Devi"]


def test_downtime_registrations_are_found_with_the_snapshot(dbs: list[sqlite_utils.Database]) -> None:
    sources = {h.source for h in search(dbs, "sun")}
    assert sources == {"snapshot", "downtime"}


def test_transliteration_variants(dbs: list[sqlite_utils.Database]) -> None:
    assert "Smt. Sunita Devi" in names(search(dbs, "Suneeta", sound_alike=True))
    assert "Suneeta Kumari" in names(search(dbs, "Sunita"))
    assert names(search(dbs, "Mohammed Saleem")) == ["Mohd. Salim Ansari"]
    assert names(search(dbs, "laxmi")) == ["Lakshmi Narayanan"]
    assert names(search(dbs, "लक्ष्मी")) == ["Lakshmi Narayanan"]


def test_sound_alike_mode_is_opt_in(dbs: list[sqlite_utils.Database]) -> None:
    assert "Smt. Sunita Devi" not in names(search(dbs, "Sunitha"))
    assert names(search(dbs, "Sunitha", sound_alike=True))[0] in ("Smt. Sunita Devi", "Suneeta Kumari")
    assert "Sumita Sharma" not in names(search(dbs, "Sunita", sound_alike=True))  # n and m stay apart


def test_filler_in_query_lifts_names_that_have_it(dbs: list[sqlite_utils.Database]) -> None:
    assert names(search(dbs, "gurpreet kaur")) == ["Gurpreet Kaur"]
    assert names(search(dbs, "sunita kumari"))[0] == "Suneeta Kumari"


def test_limit(dbs: list[sqlite_utils.Database]) -> None:
    assert len(search(dbs, "s", limit=2)) == 2
    assert search(dbs, "s", limit=0) == []


def test_index_follows_corrections_voids_and_placements(tmp_path: Path) -> None:
    snapshot = _db(tmp_path / "s.db", SNAPSHOT_PATIENTS[:1], "snapshot")
    journal = _db(tmp_path / "j.db", [], "downtime")
    patient_index.index_patient(journal, {"id": "X-001-00001-1", "downtime_id": "X-001-00001-1", "name": "Anil Rao",
                                          "sex": "male", "source": "downtime"})
    patient_index.index_patient(journal, {"id": "X-001-00001-1", "name": "Sunil Rao", "source": "downtime"})
    assert names(search([snapshot, journal], "anil")) == []
    hit = search([snapshot, journal], "sunil rao")[0]
    assert hit.sex == "male"  # a correction of the name keeps what it did not mention
    patient_index.remove_patient(journal, "x-001-00001-1")
    assert search([snapshot, journal], "sunil") == []
    # A snapshot patient discharged during the downtime: the journal's placement wins over the census.
    patient_index.place_patient(journal, "100200300401", None, None)
    hit = search([snapshot, journal], "100200300401")[0]
    assert (hit.ward, hit.bed) == (None, None)
    patient_index.place_patient(journal, "100200300401", "Surgery Ward 3", "S3-01")
    assert search([snapshot, journal], "sunita")[0].ward == "Surgery Ward 3"


def test_sqlite_utils_sees_the_same_fts_index(dbs: list[sqlite_utils.Database]) -> None:
    # The benchmark compares against sqlite-utils' ranked search on this very index.
    rows = list(dbs[0]["patients"].search('"sarma"*'))
    assert {r["name"] for r in rows} == {"Sumita Sharma", "R. K. Sharma", "Ramesh Kumar Sharma"}


HOSTILE = ['"', '""', '"sun', "sun*", "*", "NEAR(", "NEAR(sun dev, 2)", "sun AND", "OR", "NOT sun", "AND OR NOT",
           "name_norm:sun", "{name_norm}: x", "sun^", "-sun", "+", "(", ")", "'; DROP TABLE patients; --",
           "\x00", "sun\x00ita", "\u200d", "su\u200cnita", "\u202esunita\u202c", "\u200fسنيتا", "सुनीता देवी",
           "ज़ाकिर", "😀", "\ufeff", "x" * 10_000, "सु" * 5000, "1" * 10_000, "+91", "--", "...", "/", "b/o",
           "\\", "%", "_", "?", "NEAR", "near(", "sun\"*dev", "'", "` ~ ! @ # $"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(dbs: list[sqlite_utils.Database], query: str,
                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="downtime.search"):
        for sound_alike in (False, True):
            assert isinstance(search(dbs, query, sound_alike=sound_alike), list)
    assert not caplog.records, "a query reached FTS5 unescaped"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=120), st.booleans())
def test_any_query_never_raises(dbs: list[sqlite_utils.Database], query: str, sound_alike: bool) -> None:
    logger = logging.getLogger("downtime.search")
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        hits = search(dbs, query, sound_alike=sound_alike)
    finally:
        logger.removeHandler(handler)
    assert isinstance(hits, list) and not seen
