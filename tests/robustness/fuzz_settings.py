"""What the fuzz tests share: hypothesis settings for the short and the soak run, hostile text, and a counter.

The short run (inside `make test`) is derandomized, so CI sees the same examples every time and a failure
there can be reproduced; the soak run draws fresh examples for minutes. No example database is kept:
the tests must not write into the working tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.robustness.soak import SOAK, trials


def fuzz_settings(short: int, long: int) -> settings:
    """``max_examples=trials(short, long)``, no deadline, derandomized unless soaking."""
    return settings(max_examples=trials(short, long), deadline=None, derandomize=not SOAK, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=not SOAK)


ZWJ, ZWNJ, RLM, LRM, RLO = "\u200d", "\u200c", "\u200f", "\u200e", "\u202e"

# Pieces a hostile or unlucky user produces: scripts, joiners, direction marks, controls, FTS5 and SQL
# syntax, quotes, path tricks and the odd lone surrogate (which JSON can carry as "\ud800").
HOSTILE_PIECES = (
    "सुनीता", "क्ष", "द्ध", f"क{ZWJ}्", f"क्{ZWNJ}ष", "ਗੁਰਪ੍ਰੀਤ", "محمد", "Ž", "ß", "İ", "ﬁ", "①", "९८७६",
    ZWJ, ZWNJ, RLM, LRM, RLO, "\u2066", "\ufeff", "\x00", "\x07", "\t", "\n", "\r\n", "\x7f", "\ud800", "\udfff",
    '"', "'", "''", '""', "*", "^", "-", "+", ":", "(", ")", "{", "}", "[", "]", "\\", "/", "../", "%", "_",
    "NEAR(", "NEAR(a b, 3)", "AND", "OR", "NOT", "name:", "name_norm:", "{name}:", "rowid", ";--", "' OR 1=1 --",
    "DROP TABLE patients", "null", "NaN", "-1", "0", "1e999", "99999999999999999999", " ", "  ",
)


def hostile_text(max_pieces: int = 12) -> st.SearchStrategy[str]:
    """Text glued from hostile pieces and arbitrary characters (surrogates included)."""
    piece = st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=8),
                      st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF).map(str))
    return st.lists(piece, max_size=max_pieces).map("".join)


def long_text(size: int = 10_000) -> st.SearchStrategy[str]:
    """A string of about ``size`` characters made of one hostile piece repeated (a paste gone wrong)."""
    return st.sampled_from(HOSTILE_PIECES + ("a", "सु", "Sunita ")).map(lambda p: (p * (size // len(p) + 1))[:size])


def hostile_value() -> st.SearchStrategy[Any]:
    """Any JSON value a hostile file can hold for a field: wrong types, huge numbers, hostile text."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**400), max_value=10**400),
        st.floats(allow_nan=True, allow_infinity=True), hostile_text(), long_text(5000),
        st.sampled_from(["0000-00-00", "0001-01-01", "9999-12-31", "1889-12-31", "2999-01-01 10:00",
                         "0001-01-01T00:00+05:30", "24:61", "-1", "1e400", "१९८४-०३-१५", "yes", "haan"]),
    )
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                        max_leaves=6)


@dataclass
class Count:
    """Examples a fuzz test ran, to report through the ``campaign`` fixture."""

    n: int = 0

    def __call__(self) -> None:
        self.n += 1


@contextmanager
def tallied(campaign: Any, name: str, note: str = "") -> Iterator[Count]:
    """Count the examples run inside; record them (and one failure if the block raised) under ``name``."""
    count = Count()
    try:
        yield count
    except BaseException:
        campaign.record(name, count.n, 1, note)
        raise
    campaign.record(name, count.n, 0, note)
