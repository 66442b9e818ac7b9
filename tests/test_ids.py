"""Downtime IDs: the check digit catches every single wrong digit and every adjacent swap."""

from __future__ import annotations

import random

import pytest

from downtime import ids
from downtime.check_digit import verhoeff_digit, verhoeff_valid
from downtime.errors import DowntimeError
from downtime.ids import IdBlock, IdBlockExhaustedError


def _sample_ids(n: int = 300) -> list[str]:
    rng = random.Random(20221123)
    return [str(IdBlock("AIIMS", rng.randint(1, 999)).id_for(rng.randint(1, 99_999))) for _ in range(n)]


def _digit_positions(text: str) -> list[int]:
    """Positions of the digits a person copies: block, serial and check (not the site code)."""
    site_end = text.index("-")
    return [i for i, ch in enumerate(text) if ch.isdigit() and i > site_end]


def test_every_single_digit_error_is_caught_on_a_sample() -> None:
    tried = 0
    for good in _sample_ids():
        assert ids.validate(good)
        for pos in _digit_positions(good):
            for d in "0123456789":
                if d != good[pos]:
                    assert not ids.validate(good[:pos] + d + good[pos + 1:]), (good, pos, d)
                    tried += 1
    assert tried == 300 * 9 * 9


def test_every_adjacent_swap_is_caught_on_a_sample() -> None:
    tried = 0
    for good in _sample_ids():
        digits = "".join(good[i] for i in _digit_positions(good))
        for i in range(len(digits) - 1):
            if digits[i] == digits[i + 1]:
                continue  # swapping equal digits changes nothing
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
            bad = f"{good.split('-')[0]}-{swapped[:3]}-{swapped[3:8]}-{swapped[8]}"
            assert not ids.validate(bad), (good, bad)
            tried += 1
    assert tried > 1500


def test_verhoeff_known_vectors() -> None:
    assert verhoeff_digit("236") == "3"
    assert verhoeff_digit("12345") == "1"
    assert verhoeff_valid("2363") and not verhoeff_valid("2364")


def test_parse_says_what_is_wrong() -> None:
    good = str(IdBlock("AIIMS", 42).id_for(123))
    assert good.startswith("AIIMS-042-00123-")
    with pytest.raises(DowntimeError, match="check digit"):
        ids.parse(good[:-1] + str((int(good[-1]) + 1) % 10))
    with pytest.raises(DowntimeError, match="looks like"):
        ids.parse("12345")
    assert ids.parse(good.lower()) == ids.HumanId("AIIMS", 42, 123)


def test_block_warns_at_80_percent_and_stops_clearly_when_exhausted() -> None:
    block = IdBlock("AIIMS", 7, size=10)
    assert block.status(7).warning() is None
    assert "2 of 10" in (block.status(8).warning() or "")
    assert block.status(10).remaining == 0
    with pytest.raises(IdBlockExhaustedError, match="used all 10 IDs of its block 007"):
        block.id_for(11)
