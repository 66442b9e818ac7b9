"""Is the PC's clock plausible? Warn when it is behind times this PC has already recorded.

The journal orders entries by the device sequence, never by the clock, so a wrong clock loses nothing;
but every entry carries the time it was recorded, and forms print it. Two facts on the PC itself show a
clock that was set back: it is before the start of the running downtime, or before the recorded time of
an entry already in the journal (so that entry, from the clock's point of view, was written in the
future). A clock that runs ahead cannot be caught this way; the banner shows the time for staff to see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from downtime import clock

# Older than any build of this toolkit: a clock this early was reset by a flat CMOS battery.
EARLIEST = dt.datetime(2024, 1, 1)
# Clocks drift and get nudged by a few minutes; only a real step back is worth a warning.
TOLERANCE = dt.timedelta(minutes=5)
FIX = "set the PC's date and time (entries keep their order, but the times they carry will be wrong)"


def clock_problem(db: sqlite_utils.Database, event: dict[str, Any] | None,
                  now: dt.datetime | None = None) -> str | None:
    """One sentence saying why the clock is wrong, or None. ``event``: the running downtime, if any."""
    now = (now or clock.now()).astimezone()
    local = now.replace(tzinfo=None)
    shown = f"{local:%Y-%m-%d %H:%M}"
    if local < EARLIEST:
        return f"the PC clock says {shown}, before this toolkit was made: {FIX}"
    started = _local(event.get("started_at") if event else None)
    if started and local + TOLERANCE < started:
        return f"the PC clock ({shown}) is before the start of this downtime ({started:%Y-%m-%d %H:%M}): {FIX}"
    last = _latest_entry_time(db)
    if last and now + TOLERANCE < last:
        return (f"the PC clock ({shown}) is behind an entry already recorded at "
                f"{last.astimezone().replace(tzinfo=None):%Y-%m-%d %H:%M}: the clock is wrong now, or was wrong "
                f"then; {FIX}")
    return None


def _latest_entry_time(db: sqlite_utils.Database) -> dt.datetime | None:
    (text,) = db.execute("SELECT max(recorded_at) FROM entries").fetchone()
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.astimezone()


def _local(text: str | None) -> dt.datetime | None:
    """A downtime start as staff typed it (local, no offset); None if absent or unreadable."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(str(text).replace(" ", "T", 1))
    except ValueError:
        return None
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
