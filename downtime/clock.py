"""The PC's clock, read in one place.

Ward PCs run for years without a network time source, and a flat CMOS battery sets the clock back to
the year the board was made. Everything the core stamps with a time (entries, lockouts, the downtime
start) reads it here, so tests can set the clock days wrong and ``clock_check.py`` can warn about it.
"""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The PC's local time, with its UTC offset."""
    return dt.datetime.now().astimezone()


def now_naive() -> dt.datetime:
    """The PC's local time without an offset, for comparing with times staff type (which carry none)."""
    return now().replace(tzinfo=None)
