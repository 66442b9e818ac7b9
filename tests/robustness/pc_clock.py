"""A ward PC clock that tests can set days wrong: ``downtime.clock.now``, stopped and offset."""

from __future__ import annotations

import datetime as dt

import pytest

from downtime import clock

REAL = clock.now


class Clock:
    """The PC's clock, stopped at the moment the test began and set ``offset`` away from it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.start = REAL()
        self.offset = dt.timedelta(0)
        monkeypatch.setattr(clock, "now", lambda: self.start + self.offset)

    def set(self, **delta: float) -> None:
        self.offset = dt.timedelta(**delta)
