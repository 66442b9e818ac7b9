"""Fuzz the search box: FTS5 syntax, 10 kB strings, Devanagari with ZWJ/ZWNJ, right-to-left marks, NUL and
lone surrogates never raise and never reach SQLite as syntax.

``search`` swallows an FTS error so that a ward's search box cannot crash, and logs a warning instead;
so "never a SQLite syntax error" is checked by asserting that no such warning was logged. The same text
goes through the scanner path of the GUI search box (``resolve_code``), the registration screen's likely
matches, a sample of `downtime search --json` processes, and one pass through the real widget.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from downtime.gui.search_box import SearchBox, resolve_code
from downtime.session import Session
from tests.conftest import ADMIN_ID, ADMIN_PIN, SUNITA
from tests.robustness.fuzz_settings import (
    HOSTILE_PIECES,
    LRM,
    RLM,
    RLO,
    ZWJ,
    ZWNJ,
    fuzz_settings,
    hostile_text,
    long_text,
    tallied,
)

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("Sunita Devi", "सुनीता देवी", "Gurpreet Kaur", "Mohd. Imran", "B/O Asha Rani", "क्षमा शर्मा")
FTS = ('"', '""', "*", "NEAR(", "NEAR(a b, 2)", "AND", "OR", "NOT", "name:", "name_norm:", "{name_norm}:", "^",
       "(", ")", "-", "+", ":", "'", "col:x*", 'name_norm : "su"*', "\x00", "sunita", "devi", "सुनीता")
FORMAT_MARKS = (ZWJ, ZWNJ, RLM, LRM, RLO, "\u2066", "\ufeff")

queries = st.one_of(
    hostile_text(),
    long_text(10_000),
    st.lists(st.sampled_from(FTS), min_size=1, max_size=10).map(" ".join),
    st.lists(st.sampled_from(FTS), min_size=1, max_size=10).map("".join),
    st.text(max_size=40),
    st.sampled_from(HOSTILE_PIECES),
    st.builds(lambda d: "{" + d, st.text(max_size=30)),  # a broken QR scan
    st.builds(json.dumps, st.dictionaries(st.sampled_from(["k", "id", "f", "v", "u", "p"]),
                                          st.one_of(st.text(max_size=12), st.integers(), st.none(),
                                                    st.lists(st.integers(), max_size=2)), max_size=6)),
)


@pytest.fixture
def registered(nurse: Session) -> Session:
    for name in NAMES:
        nurse.record("patient.register", {**SUNITA, "name": name, "phone": "9876543210"})
    return nurse


def no_fts_failures(caplog: pytest.LogCaptureFixture) -> None:
    failures = [r.getMessage() for r in caplog.records if "FTS" in r.getMessage()]
    assert not failures, failures


def test_search_never_raises_nor_reaches_sqlite_as_syntax(registered: Session, caplog: pytest.LogCaptureFixture,
                                                         campaign: Any) -> None:
    caplog.set_level(logging.WARNING, logger="downtime")
    with tallied(campaign, "fuzz: search (core, scanner path, likely matches)") as count:
        @fuzz_settings(120, 20_000)
        @given(queries)
        # Found by the soak run: "①" is a digit to str.isdigit but int() refuses it; as the likely matches'
        # date of birth it raised ValueError. Superscripts are the same trap; Devanagari digits are numbers.
        @example("①" * 10_000)
        @example("²⁰²⁴")
        @example("१९८४")
        def check(query: str) -> None:
            count()
            for sound_alike in (False, True):
                hits = registered.search(query, limit=20, sound_alike=sound_alike)
                assert isinstance(hits, list) and len(hits) <= 20
            resolve_code(registered, query)
            registered.likely_matches({"name": query, "phone": query, "relative": query, "age_years": query,
                                       "dob": query, "sex": query})
            no_fts_failures(caplog)

        check()


def test_invisible_marks_do_not_hide_a_patient(registered: Session, campaign: Any) -> None:
    """Joiners and direction marks only change rendering: a name typed or pasted with them still finds the patient."""
    with tallied(campaign, "fuzz: search with invisible marks finds the patient") as count:
        @fuzz_settings(40, 5000)
        @given(st.sampled_from(NAMES), st.lists(st.tuples(st.integers(0, 30), st.sampled_from(FORMAT_MARKS)),
                                                max_size=4))
        def check(name: str, marks: list[tuple[int, str]]) -> None:
            count()
            query = name
            for at, mark in marks:
                query = query[:at] + mark + query[at:]
            assert name in [h.name for h in registered.search(query, limit=20)], query

        check()


def _search_cli(home: Path, query: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "DOWNTIME_STAFF": ADMIN_ID, "DOWNTIME_PIN": ADMIN_PIN, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "downtime", "--home", str(home), "search", query, "--json"],
                          capture_output=True, env=env, timeout=120, stdin=subprocess.DEVNULL, check=False)


def test_cli_search_sample(home: Path, campaign: Any) -> None:
    # Each process costs a second or two, so two queries carry it all: FTS syntax with 10 kB of Devanagari,
    # joiners and RTL marks; and bytes that are not UTF-8 (Python hands them on as lone surrogates).
    sample = [b'NEAR("su" OR name_norm:*) AND NOT ^" ' + "सु\u200dनी\u200cता \u200f".encode() * 1000,
              b"Sunita \xff\xfe not UTF-8 \xed\xa0\x80"]
    with tallied(campaign, "fuzz: downtime search --json (processes)") as count:
        for query in sample:
            count()
            done = _search_cli(home, query)
            assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
            assert isinstance(json.loads(done.stdout), list)
            assert not (home / "logs" / "errors.log").exists()


def test_gui_search_box_takes_hostile_text(qtbot: Any, registered: Session, caplog: pytest.LogCaptureFixture,
                                           campaign: Any) -> None:
    box = SearchBox()
    qtbot.addWidget(box)
    box.set_session(registered)
    caplog.set_level(logging.WARNING, logger="downtime")
    # setText, not keyClicks: typing non-ASCII through qtbot crashes the test process (DESIGN.md).
    sample = [*FTS, *NAMES, "x" * 10_000, f"{RLM}सु{ZWJ}नीता", "1\ud800", '{"k":"x","id":5,"f":1,"v":1}', "{",
              '{"k":"x","id":"A1","f":1,"v":1,"u":["a"]}', "9876543210", "AIIMS-001-00001-2"]
    with tallied(campaign, "fuzz: GUI search box (widget)") as count:
        for text in sample:
            count()
            box.edit.setText(text)
            box.activate()
    no_fts_failures(caplog)


def test_the_scanner_path_refuses_codes_that_are_not_ours(registered: Session) -> None:
    """Found by this campaign: a QR-like scan with a number or a list for its ID, or a lone surrogate in a
    typed code, raised (AttributeError, UnicodeEncodeError) inside the search box's Enter handler."""
    for text in ('{"k":"x","id":5,"f":"admission","v":"1"}', '{"k":"x","id":"A1","f":"a","v":"1","u":["a"]}',
                 '{"k":"x","id":"A1","f":"a","v":"1","p":7}', '{"k":"x","id":"\\ud800","f":"a","v":"1"}', "1\ud800"):
        assert resolve_code(registered, text) is None, text
