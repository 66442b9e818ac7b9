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

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from downtime.readiness import FAIL, PASS, WARN, CheckResult, overall, run_checks
from downtime.session import Session
from forms.bilingual import bi_para, para
from forms.examples import render_example
from forms.fonts import register_fonts
from forms.print_queue import PrintQueueError, send_pdf
from forms.spec import spec_names

TONE = {PASS: colors.HexColor("#d7f0dc"), WARN: colors.HexColor("#ffe9a8"), FAIL: colors.HexColor("#f6c6c6")}


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
    register_fonts()
    cfg = session.config
    verdict = overall(results)
    story = [
        bi_para(f"Readiness drill: {verdict}", "तैयारी अभ्यास", size=16),
        para(f"{cfg.site['name']} · device {cfg.device}" + (f" · ward {cfg.ward}" if cfg.ward else "")
             + f" · {now:%d-%m-%Y %H:%M} · run by {session.staff.name} ({session.staff.staff_id})", size=10),
        Spacer(1, 6 * mm),
        _table(results),
        Spacer(1, 14 * mm),
        para("Checked by (name, signature): ______________________________     Date: ____________", size=10),
    ]
    SimpleDocTemplate(str(out), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                      title="Readiness drill").build(story)
    return out


def _table(results: list[CheckResult]) -> Table:
    rows = [[para("Check", bold=True), para("Result", bold=True), para("Detail", bold=True)]]
    rows += [[para(r.name), para(r.outcome, bold=True), para(r.detail, size=9)] for r in results]
    table = Table(rows, colWidths=[35 * mm, 20 * mm, 119 * mm], repeatRows=1)
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e8eb"))]
    style += [("BACKGROUND", (1, i), (1, i), TONE[r.outcome]) for i, r in enumerate(results, start=1)]
    table.setStyle(TableStyle(style))
    return table
