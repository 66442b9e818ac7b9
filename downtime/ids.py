"""Short human IDs for patients, admissions and specimens captured during downtime.

An ID looks like ``AIIMS-042-00123-7``: the site code, the device's block
number (assigned at staging, so two PCs can never issue the same ID), a serial
within the block, and a Verhoeff check digit over the block and serial. It is
short enough to read over the phone, and one wrong or swapped digit is caught.

Allocation happens inside the journal transaction that writes the entry (see
``journal.py``), so an ID is either issued together with its entry or not at all,
and never reused, not even after a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from downtime.check_digit import verhoeff_digit, verhoeff_valid
from downtime.errors import DowntimeError

MAX_BLOCK = 999
MAX_SERIAL = 99_999
LOW_WATER = 0.8  # warn when this share of the block is used

_FORMAT = re.compile(r"^([A-Z0-9]{1,8})-(\d{3})-(\d{5})-(\d)$")


class IdBlockExhaustedError(DowntimeError):
    pass


@dataclass(frozen=True)
class HumanId:
    site: str
    block: int
    serial: int

    def __str__(self) -> str:
        body = f"{self.block:03d}{self.serial:05d}"
        return f"{self.site}-{self.block:03d}-{self.serial:05d}-{verhoeff_digit(body)}"


@dataclass(frozen=True)
class IdBlock:
    """The range of IDs this device may issue: serials 1..size of block number ``block``."""

    site: str
    block: int
    size: int = MAX_SERIAL

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z0-9]{1,8}", self.site):
            raise ValueError("site code must be 1-8 capital letters or digits")
        if not 1 <= self.block <= MAX_BLOCK:
            raise ValueError(f"block number must be 1..{MAX_BLOCK}")
        if not 1 <= self.size <= MAX_SERIAL:
            raise ValueError(f"block size must be 1..{MAX_SERIAL}")

    def id_for(self, serial: int) -> HumanId:
        if serial > self.size:
            raise IdBlockExhaustedError(
                f"this PC has used all {self.size} IDs of its block {self.block:03d}; ask IT for a new "
                "block (downtime stage apply), and until then use a pre-numbered paper pack"
            )
        return HumanId(self.site, self.block, serial)

    def status(self, used: int) -> BlockStatus:
        return BlockStatus(used=used, size=self.size)


@dataclass(frozen=True)
class BlockStatus:
    used: int
    size: int

    @property
    def remaining(self) -> int:
        return max(self.size - self.used, 0)

    @property
    def low(self) -> bool:
        return self.used >= LOW_WATER * self.size

    def warning(self) -> str | None:
        if self.remaining == 0:
            return "No downtime IDs left on this PC: ask IT for a new block now."
        if self.low:
            return (f"Only {self.remaining} of {self.size} downtime IDs left on this PC: "
                    "ask IT for a new block soon.")
        return None


def parse(text: str) -> HumanId:
    """Parse and check an ID; raise DowntimeError saying what is wrong."""
    s = text.strip().upper()
    m = _FORMAT.match(s)
    if not m:
        raise DowntimeError(f"{text!r} is not a downtime ID; it looks like SITE-042-00123-7")
    site, block, serial, check = m.groups()
    if not verhoeff_valid(block + serial + check):
        raise DowntimeError(f"{text!r} has a wrong digit or two digits swapped (the check digit does not "
                            "match); read the number again from the wristband or form")
    return HumanId(site, int(block), int(serial))


def validate(text: str) -> bool:
    """True if ``text`` is a well-formed downtime ID whose check digit matches."""
    try:
        parse(text)
    except DowntimeError:
        return False
    return True


def looks_like_id(text: str) -> bool:
    """True for anything shaped like a downtime ID, valid or not (to route scanner input)."""
    return bool(_FORMAT.match(text.strip().upper()))
