"""The campaign's tally: every robustness test records its trials and failures, printed as a table at the end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.robustness.pc_clock import Clock
from tests.robustness.soak import SOAK


@dataclass
class Tally:
    trials: int = 0
    failures: int = 0
    notes: list[str] = field(default_factory=list)


_TALLY: dict[str, Tally] = {}


class Campaign:
    """What one test saw: ``record(name, trials, failures)``, added up per name across tests."""

    def record(self, name: str, trials: int, failures: int = 0, note: str = "") -> None:
        tally = _TALLY.setdefault(name, Tally())
        tally.trials += trials
        tally.failures += failures
        if note:
            tally.notes.append(note)


@pytest.fixture
def campaign() -> Iterator[Campaign]:
    yield Campaign()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _TALLY:
        return
    mode = "soak" if SOAK else "short"
    terminalreporter.section(f"robustness campaign ({mode} run)")
    width = max(len(name) for name in _TALLY)
    terminalreporter.write_line(f"{'attack':<{width}}  {'trials':>8}  {'failures':>8}")
    for name, tally in sorted(_TALLY.items()):
        terminalreporter.write_line(f"{name:<{width}}  {tally.trials:>8}  {tally.failures:>8}")
        for note in tally.notes:
            terminalreporter.write_line(f"{'':<{width}}    {note}")


@pytest.fixture
def pc_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The ward PC's clock (``downtime.clock``), stopped, for a test to set days wrong."""
    return Clock(monkeypatch)
