"""The readiness drill's paper side: every form renders, the printer prints, and the PASS/FAIL sheet.

``downtime drill`` runs the core checks (``downtime/readiness.py``) and these,
saves the sheet in the home's drills/ folder and prints it, so a drilled PC
has a signed paper record of the day it was last proven ready.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from downtime.readiness import FAIL, PASS, WARN, CheckResult, overall, run_checks
from downtime.session import Session
from forms.examples import render_example
from forms.print_queue import PrintQueueError, send_pdf
from forms.spec import spec_names
from forms.table_sheet import render_table_sheet

TONE = {PASS: "#d7f0dc", WARN: "#ffe9a8", FAIL: "#f6c6c6"}


@dataclass(frozen=True)
class DrillResult:
    results: list[CheckResult]
    outcome: str
    sheet: Path
    printed: bool


def check_forms(session: Session) -> CheckResult:
    """Render every form with example data, in a scratch folder that is removed afterwards."""
    failed = []
    with tempfile.TemporaryDirectory(dir=session.home.path) as scratch:
        for name in spec_names():
            try:
                render_example(name, Path(scratch) / f"{name}.pdf")
            except Exception as exc:  # noqa: BLE001 - one broken form is a finding, not a crash
                failed.append(f"{name} ({type(exc).__name__})")
    if failed:
        return CheckResult("Forms", FAIL, "these forms do not render: " + ", ".join(failed))
    return CheckResult("Forms", PASS, f"all {len(spec_names())} forms render in Hindi and English")


def check_printer(pdf: Path, printer: str | None) -> CheckResult:
    try:
        job = send_pdf(pdf, printer, "Downtime readiness drill")
    except PrintQueueError as exc:
        return CheckResult("Printer", FAIL, f"{exc}; the sheet is saved at {pdf}")
    return CheckResult("Printer", PASS, f"the drill sheet went to {job.printer} ({job.job_id}): check it came out")


def run_drill(session: Session, *, printer: str | None = None, no_print: bool = False,
              now: dt.datetime | None = None) -> DrillResult:
    now = now or dt.datetime.now()
    results = run_checks(session) + [check_forms(session)]
    folder = session.home.path / "drills"
    folder.mkdir(exist_ok=True)
    sheet = folder / f"drill-{now:%Y%m%d-%H%M}.pdf"
    render_sheet(session, results, sheet, now)
    if no_print:
        results.append(CheckResult("Printer", WARN, "not tried (--no-print)"))
    else:
        results.append(check_printer(sheet, printer or _site_printer(session)))
    render_sheet(session, results, sheet, now)  # again, so the paper in the folder says how printing went
    return DrillResult(results, overall(results), sheet, printed=results[-1].outcome == PASS)


def _site_printer(session: Session) -> str | None:
    ward = session.config.ward
    for p in session.config.site.get("printers", []):
        if not ward or p.get("ward") == ward:
            return str(p["name"])
    return None


def render_sheet(session: Session, results: list[CheckResult], out: Path, now: dt.datetime) -> Path:
    cfg = session.config
    return render_table_sheet(
        out, title_en=f"Readiness drill: {overall(results)}", title_hi="तैयारी अभ्यास",
        subtitle=f"{cfg.site['name']} · device {cfg.device}" + (f" · ward {cfg.ward}" if cfg.ward else "")
        + f" · {now:%d-%m-%Y %H:%M} · run by {session.staff.name} ({session.staff.staff_id})",
        header=("Check", "Result", "Detail"), rows=[(r.name, r.outcome, r.detail) for r in results],
        widths_mm=(35, 20, 119), cell_colours={(1, i): TONE[r.outcome] for i, r in enumerate(results)},
        footer="Checked by (name, signature): ______________________________     Date: ____________")
