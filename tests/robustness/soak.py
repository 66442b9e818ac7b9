"""How hard the robustness campaign pushes: a short run inside `make test`, the long one under `make soak`.

Each campaign test asks ``trials(short, long)`` how many trials to run, and reports what happened through
the ``campaign`` fixture, so `make soak` can print one table of trials and failures at the end.
"""

from __future__ import annotations

import os

SOAK = os.environ.get("DOWNTIME_SOAK") == "1"


def trials(short: int, long: int) -> int:
    """The number of trials for this run: ``long`` under `make soak`, ``short`` otherwise."""
    return long if SOAK else short
