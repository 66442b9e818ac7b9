"""Readiness drill: each check says PASS/WARN/FAIL in words IT can act on, and the sheet is saved."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from downtime.readiness import FAIL, PASS, WARN
from downtime.session import Session
from downtime.snapshot_store import install_snapshot
from forms.readiness import run_drill
from tests.conftest import SYNTHEA


def _by_name(results: list) -> dict[str, object]:  # type: ignore[type-arg]
    return {r.name: r for r in results}


def test_drill_without_snapshot_fails_and_says_what_to_do(nurse: Session) -> None:
    result = run_drill(nurse, no_print=True)
    checks = _by_name(result.results)
    assert checks["Snapshot"].outcome == FAIL and "snapshot import" in checks["Snapshot"].detail
    assert checks["Forms"].outcome == PASS
    assert checks["Journal"].outcome == PASS
    assert result.outcome == FAIL
    text = "".join(page.extract_text() for page in PdfReader(result.sheet).pages)
    assert "Readiness drill: FAIL" in text and "Snapshot" in text


def test_old_snapshot_warns_and_a_missing_printer_fails_but_keeps_the_sheet(nurse: Session) -> None:
    install_snapshot(nurse.home, sorted(SYNTHEA.glob("*.ndjson")))
    nurse.open_snapshot()
    result = run_drill(nurse, printer="NoSuchPrinter-42")
    checks = _by_name(result.results)
    assert checks["Snapshot"].outcome == WARN and "days old" in checks["Snapshot"].detail
    assert checks["Printer"].outcome == FAIL and str(result.sheet) in checks["Printer"].detail
    assert result.sheet.is_file() and not result.printed
    assert Path(result.sheet).parent == nurse.home.path / "drills"
