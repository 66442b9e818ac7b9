"""Row checks, in one process and split over worker processes: the same verdicts either way."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from sync import rows
from sync.bundle import BundleRejected, Span
from sync.rows import check_ndjson, journal_ndjson
from tests.sync.conftest import add_patients, nurse_session


@pytest.fixture(params=["one process", "worker processes"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "worker processes":
        if "fork" not in multiprocessing.get_all_start_methods():
            pytest.skip("worker processes are forked, and this platform cannot fork")
        monkeypatch.setattr(rows, "PARALLEL_MIN", 1)
        monkeypatch.setattr(rows, "WORKERS", 2)
    return str(request.param)


@pytest.fixture
def journal(home: Path) -> tuple[bytes, Span]:
    add_patients(home, 40)
    session = nurse_session(home)
    try:
        return journal_ndjson(session.journal.db, "W7-PC2", 1)
    finally:
        session.close()


def test_intact_rows_pass_and_match_the_journal(mode: str, journal: tuple[bytes, Span]) -> None:
    entries, span = journal
    checked = check_ndjson(entries, "W7-PC2", span)
    assert [r.seq for r in checked] == list(range(1, span.last_seq + 1))
    assert checked[-1].hash == span.head_hash


def test_a_changed_row_late_in_the_file_is_named(mode: str, journal: tuple[bytes, Span]) -> None:
    entries, span = journal
    lines = entries.split(b"\n")
    target = len(lines) * 3 // 4
    lines[target] = lines[target].replace(b"Patient", b"Patiant", 1)
    with pytest.raises(BundleRejected, match=f"seq {target + 1} was changed after it was written"):
        check_ndjson(b"\n".join(lines), "W7-PC2", span)


def test_a_missing_row_breaks_the_chain(mode: str, journal: tuple[bytes, Span]) -> None:
    entries, span = journal
    lines = entries.split(b"\n")
    del lines[len(lines) // 2]
    with pytest.raises(BundleRejected) as rejected:
        check_ndjson(b"\n".join(lines), "W7-PC2", span)
    assert rejected.value.check in ("chain", "counts")


def test_rows_of_another_device_are_refused(mode: str, journal: tuple[bytes, Span]) -> None:
    entries, span = journal
    with pytest.raises(BundleRejected, match="belongs to device W7-PC2"):
        check_ndjson(entries, "W8-PC1", span)
