"""The reconciliation report as a PDF: the verdict and the completeness equation first, then the tables.

Page 1 is what a medical superintendent signs off: COMPLETE or NOT COMPLETE, received = posted + merged +
voided + pending with the numbers, the blank-pack IDs, what each word means, a bar chart per ward and a pie
of the match decisions. Then the totals per ward and per PC, the write-backs (acknowledged by the HMIS at an
address, or handed over as files in a folder: the posted entries are split the same way on page 1), each
blank pack, and the unresolved list with what to do next. Every figure comes from one ``ReconcileReport``,
the same object the JSON is written from.

It is a working paper of the records office, not a patient form, so it has no DOWNTIME band or identity
strip; it shares the forms' fonts and bilingual text (``forms.bilingual``: Hindi labels, and patient names in
either script, are shaped) and their "Page x of y" (``forms.page.NumberedCanvas``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from downtime.atomic_file import write_atomic
from forms.bilingual import bi, bi_para, draw_fitted, markup, para, style
from forms.fonts import LATIN, LATIN_BOLD, register_fonts
from forms.page import NumberedCanvas, PageNumberSlot
from sync.report import (
    AUDIT_ONLY,
    BUCKETS,
    CATEGORY_LABELS,
    DEFINITIONS,
    LABELS,
    MERGED,
    PENDING,
    POSTED,
    VOIDED,
    ReconcileReport,
    Tally,
    Unresolved,
)

MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN
FOOTER_Y = 9 * mm
MAX_ROWS = 60  # unresolved items shown per category; the JSON lists them all
BUCKET_COLOURS = {POSTED: "#2e7d32", MERGED: "#1565c0", VOIDED: "#8d8d8d", PENDING: "#e65100"}
DECISION_COLOURS = {"matched": "#1565c0", "new": "#2e7d32", "review": "#f9a825", "undecided": "#e65100",
                    "held": "#8d8d8d"}
VERDICT_COLOURS = {True: "#1b5e20", False: "#b71c1c"}
VERDICT_HI = {True: "पूर्ण", False: "अपूर्ण"}
GRID = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9e9e9e")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e8eb"))]
TALLY_HEADER = ["Received / प्राप्त", *(bi(*LABELS[b]) for b in BUCKETS), bi(*LABELS[AUDIT_ONLY]), "Total / कुल"]


def render_report_pdf(report: ReconcileReport, out: Path) -> Path:
    """Write the report to ``out`` (atomically: a half-written report is never left behind)."""
    register_fonts()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                          bottomMargin=MARGIN + 6 * mm, title=f"Reconciliation report: {report.site_name}",
                          author="Downtime continuity toolkit")
    frame = Frame(MARGIN, MARGIN + 6 * mm, WIDTH, A4[1] - 2 * MARGIN - 6 * mm, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("report", [frame], onPage=lambda c, d: _footer(c, report))])
    doc.build([*_cover(report), PageBreak(), *_tables(report), *_unresolved(report)], canvasmaker=NumberedCanvas)
    write_atomic(out, buffer.getvalue())
    return out


# -- page 1 --------------------------------------------------------------------------------------------------------

def _cover(r: ReconcileReport) -> list[Flowable]:
    t = r.totals
    ids = r.ids
    return [
        bi_para("Reconciliation report", "मिलान रिपोर्ट", size=18),
        Spacer(1, 1 * mm),
        para(f"{r.site_name} ({r.site}) · generated {_when(r.generated_at)} · "
             f"{len(r.devices)} PCs in {len(r.wards)} wards", size=9.5),
        Spacer(1, 4 * mm),
        _verdict(r),
        Spacer(1, 4 * mm),
        _equation(t),
        Spacer(1, 2 * mm),
        para(f"Received {t.received} = posted {t.posted} + merged {t.merged} + voided {t.voided} + pending "
             f"{t.pending}. Kept as audit only {t.audit_only}. Entries in the workspace: {t.total} "
             f"({r.workspace_entries} stored + {r.conflict_copies} conflicting copies held apart).", size=9.5),
        *_posted_line(r),
        para(f"Blank-pack IDs: {ids['reserved']} reserved = {ids['used']} used + {ids['returned']} returned unused "
             f"or spoiled + {ids['unaccounted']} unaccounted.", size=9.5),
        Spacer(1, 3 * mm),
        _definitions(),
        Spacer(1, 4 * mm),
        _charts(r),
        Spacer(1, 6 * mm),
        para("Checked by (records officer: name, signature): ______________________________     "
             "Date: ____________", size=9.5),
    ]


def _posted_line(r: ReconcileReport) -> list[Flowable]:
    """How the posted entries reached the HMIS: an acknowledgement, or files handed over (which nobody answered:
    the records officer checks that the HMIS loaded them)."""
    if not r.totals.posted:
        return []
    line = f"Posted {r.totals.posted}: {r.posted_by.phrase()}."
    if r.posted_by.files:
        line += " Files get no answer from the HMIS: check with the HMIS team that every file was loaded."
    return [para(line, size=9.5)]


def _verdict(r: ReconcileReport) -> Table:
    if r.complete:
        line = "Every entry received is posted, merged or voided, every blank-pack ID is accounted for, and " \
               "nothing is unresolved."
    else:
        line = (f"{len(r.unresolved)} unresolved items ({r.totals.pending} entries pending): each is listed "
                "with what to do next at the end of this report.")
    colour = VERDICT_COLOURS[r.complete]
    verdict = f'<font color="{colour}">{markup(f"{r.verdict} / {VERDICT_HI[r.complete]}", bold=True)}</font>'
    cell = [Paragraph(verdict, style(22, "centre")),
            Spacer(1, 1.5 * mm), para(line, size=9.5, align="centre")]
    table = Table([[cell]], colWidths=[WIDTH])
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 2.5, colors.HexColor(colour)),
                               ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return table


def _equation(t: Tally) -> Table:
    """received = posted + merged + voided + pending, as big numbers over their bilingual names."""
    names = ["received", *BUCKETS]
    values = [t.received, t.posted, t.merged, t.voided, t.pending]
    signs = ["=", "+", "+", "+"]
    numbers: list[Flowable | str] = []
    labels: list[Flowable | str] = []
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        numbers.append(Paragraph(markup(str(value), bold=True), style(20, "centre")))
        labels.append(bi_para(*LABELS[name], size=8.5, bold_en=True, align="centre"))
        if i < len(signs):
            numbers.append(Paragraph(markup(signs[i], bold=True), style(20, "centre")))
            labels.append("")
    sign = 16.0
    cell = (WIDTH - 4 * sign) / 5
    table = Table([numbers, labels], colWidths=[cell, sign] * 4 + [cell])
    table.setStyle(TableStyle(
        [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 1),
         ("RIGHTPADDING", (0, 0), (-1, -1), 1), ("LINEBELOW", (0, 0), (0, 0), 2, colors.black)]
        + [("LINEBELOW", (c, 0), (c, 0), 2, colors.HexColor(BUCKET_COLOURS[b])) for c, b in zip((2, 4, 6, 8), BUCKETS)]))
    return table


def _definitions() -> Table:
    rows = [[bi_para(*LABELS[b], size=8.5), para(DEFINITIONS[b], size=8.5)] for b in (*BUCKETS, AUDIT_ONLY)]
    table = Table(rows, colWidths=[38 * mm, WIDTH - 38 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                               ("LINEBELOW", (0, 0), (-1, -2), 0.3, colors.HexColor("#cfcfcf"))]))
    return table


def _charts(r: ReconcileReport) -> Table:
    titles = [bi_para("Entries per ward", "वार्ड अनुसार प्रविष्टियाँ", size=9.5),
              bi_para("Registrations by decision", "निर्णय अनुसार पंजीकरण", size=9.5)]
    left, right = WIDTH * 0.6, WIDTH * 0.4
    table = Table([titles, [_ward_bars(r, left), _decision_pie(r, right)]], colWidths=[left, right])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _ward_bars(r: ReconcileReport, width: float) -> Drawing:
    """One stacked bar per ward: posted, merged, voided, pending (audit-only entries are left out)."""
    height = 200.0
    wards = [w for w in r.wards if w.tally.received] or r.wards
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34, 48, width - 50, height - 60
    chart.data = [[getattr(w.tally, b) for w in wards] for b in BUCKETS]
    chart.categoryAxis.categoryNames = [w.ward for w in wards]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = LATIN, 7.5
    chart.categoryAxis.labels.angle = 30 if len(wards) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(wards) > 6 else "n"
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = LATIN, 7.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    top = max([w.tally.received for w in wards] + [1])
    chart.valueAxis.valueMax = top * 1.1
    chart.valueAxis.valueStep = _step(top)
    chart.barSpacing = 2
    for i, b in enumerate(BUCKETS):
        chart.bars[i].fillColor = colors.HexColor(BUCKET_COLOURS[b])
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 34, 14
    legend.alignment, legend.columnMaximum = "right", 1
    legend.fontName, legend.fontSize = LATIN, 7.5
    legend.dx = legend.dy = 7
    legend.deltax = (width - 50) / 4
    legend.colorNamePairs = [(colors.HexColor(BUCKET_COLOURS[b]), LABELS[b][0]) for b in BUCKETS]
    drawing.add(legend)
    return drawing


def _decision_pie(r: ReconcileReport, width: float) -> Drawing:
    height = 200.0
    drawing = Drawing(width, height)
    slices = [(name, n) for name, n in r.decisions.items() if n]
    if not slices:
        drawing.add(String(width / 2, height / 2, "no registrations", fontName=LATIN, fontSize=9,
                           textAnchor="middle"))
        return drawing
    pie = Pie()
    size = min(width - 40, height - 70)
    pie.x, pie.y, pie.width, pie.height = (width - size) / 2, 56, size, size
    pie.data = [n for _, n in slices]
    total = sum(n for _, n in slices)
    pie.labels = [str(n) if n >= total / 20 else "" for _, n in slices]  # the legend names the thin slices
    pie.simpleLabels = True
    pie.slices.fontName, pie.slices.fontSize = LATIN_BOLD, 8
    pie.slices.strokeColor = colors.white
    pie.slices.labelRadius = 0.65
    pie.slices.fontColor = colors.white
    for i, (name, _) in enumerate(slices):
        pie.slices[i].fillColor = colors.HexColor(DECISION_COLOURS[name])
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 10, 40
    legend.alignment, legend.columnMaximum = "right", 3
    legend.fontName, legend.fontSize = LATIN, 7.5
    legend.dx = legend.dy = 7
    legend.deltax = width / 2 - 10
    legend.colorNamePairs = [(colors.HexColor(DECISION_COLOURS[name]), f"{name} {n}") for name, n in slices]
    drawing.add(legend)
    return drawing


def _step(top: int) -> float:
    """A round value-axis step giving about five gridlines."""
    raw = max(top / 5, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    return float(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


# -- tables --------------------------------------------------------------------------------------------------------

def _tables(r: ReconcileReport) -> list[Flowable]:
    story: list[Flowable] = [_heading("Totals per ward", "वार्ड अनुसार योग")]
    story.append(_table(["Ward / वार्ड", "PCs", *TALLY_HEADER],
                        [[w.ward, str(len(w.devices)), *_tally_cells(w.tally)] for w in r.wards]
                        + [["All wards", str(len(r.devices)), *_tally_cells(r.totals)]],
                        [30, 12, 20, 20, 20, 20, 20, 24, 18], total_row=True,
                        tone=[(6, i, bool(t.pending)) for i, t in enumerate([*(w.tally for w in r.wards), r.totals])]))
    story += [Spacer(1, 5 * mm), _heading("Totals per PC", "कंप्यूटर अनुसार योग")]
    story.append(_table(["PC", "Ward / वार्ड", "All received?", *TALLY_HEADER],
                        [[d.device + (" (this PC)" if d.local else ""), d.ward,
                          "yes" if d.complete else f"NO ({d.gaps} gaps)" if d.gaps else "NO",
                          *_tally_cells(d.tally)] for d in r.devices],
                        [26, 20, 18, 17, 17, 17, 17, 17, 20, 15],
                        tone=[(c, i, flag) for i, d in enumerate(r.devices)
                              for c, flag in ((2, not d.complete), (7, bool(d.tally.pending)))]))
    story += [Spacer(1, 5 * mm), _heading("Write-back: acknowledged by the HMIS, or handed over as files",
                                          "राइट-बैक: एचएमआईएस द्वारा स्वीकार, या फ़ाइलों के रूप में सौंपा गया")]
    if r.posts:
        story.append(_table(["Adapter", "How and where", "Items", "Entries", "Last"],
                            [[p.adapter, p.description, str(p.items), str(p.entries), _when(p.latest)]
                             for p in r.posts],
                            [18, 92, 16, 18, 34]))
    else:
        story.append(para("Nothing posted yet: run 'reconcile post --adapter fhir|hl7v2 --url ...', or write files "
                          "with '--out DIR' for an HMIS that takes only files.", size=9))
    story += [Spacer(1, 5 * mm), _heading("Blank pre-numbered packs", "खाली पूर्व-क्रमांकित पैक")]
    if r.packs:
        story.append(_table(["PC", "Form", "Reserved", "IDs", "Used", "Returned", "Unaccounted"],
                            [[p.device, p.form, _when(p.reserved_at), f"{p.ids[0]} … {p.ids[-1]}" if p.ids else "",
                              str(len(p.used)), str(len(p.returned)), str(len(p.unaccounted))] for p in r.packs],
                            [20, 28, 24, 50, 13, 18, 22], tone=[(6, i, bool(p.unaccounted))
                                                                for i, p in enumerate(r.packs)]))
    else:
        story.append(para("No blank packs were reserved.", size=9))
    return story


def _tally_cells(t: Tally) -> list[str]:
    return [str(getattr(t, b)) for b in ("received", *BUCKETS, AUDIT_ONLY)] + [str(t.total)]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float], *,
           total_row: bool = False, tone: Sequence[tuple[int, int, bool]] = ()) -> Table:
    """A grid with a bilingual header; ``tone`` marks (column, body row) cells red when the flag is set."""
    body = [[para(h, size=7.5, bold=True) for h in header]]
    body += [[para(c, size=8.5, bold=total_row and i == len(rows) - 1, align="right" if c.isdigit() else "left")
              for c in row] for i, row in enumerate(rows)]
    scale = WIDTH / (sum(widths_mm) * mm)
    table = Table(body, colWidths=[w * mm * scale for w in widths_mm], repeatRows=1)
    commands = list(GRID)
    commands += [("BACKGROUND", (c, r + 1), (c, r + 1), colors.HexColor("#f6c6c6")) for c, r, flag in tone if flag]
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black))
    table.setStyle(TableStyle(commands))
    return table


def _heading(en: str, hi: str) -> Flowable:
    return KeepTogether([bi_para(en, hi, size=12), Spacer(1, 2 * mm)])


# -- unresolved ----------------------------------------------------------------------------------------------------

def _unresolved(r: ReconcileReport) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), _heading("Unresolved: what to do next", "अनसुलझा: आगे क्या करें")]
    if not r.unresolved:
        story.append(para("Nothing is unresolved.", size=10))
    story += _item_sections(r.unresolved)
    if r.to_check:
        story += [Spacer(1, 6 * mm), _heading("To check by hand (does not change the verdict)",
                                              "हाथ से जाँचें (निर्णय पर असर नहीं)")]
        story += _item_sections(r.to_check)
    return story


def _item_sections(items: list[Unresolved]) -> list[Flowable]:
    story: list[Flowable] = []
    for category in CATEGORY_LABELS:
        mine = [u for u in items if u.category == category]
        if not mine:
            continue
        en, hi = CATEGORY_LABELS[category]
        story += [CondPageBreak(40 * mm), Spacer(1, 3 * mm),
                  bi_para(f"{en} ({len(mine)})", hi, size=10.5), Spacer(1, 1.5 * mm)]
        shown = mine[:MAX_ROWS]
        steps = {u.next_step for u in mine}
        if len(steps) == 1:  # one next step for the whole list: say it once, above it
            story += [para(f"Next step: {steps.pop()}", size=9), Spacer(1, 1.5 * mm)]
            story.append(_table(["What", "PC", "Detail"], [[u.subject, u.device, u.detail] for u in shown],
                                [62, 22, 96]))
        else:
            story.append(_table(["What", "PC", "Detail", "Next step"],
                                [[u.subject, u.device, u.detail, u.next_step] for u in shown], [46, 20, 52, 62]))
        if len(mine) > MAX_ROWS:
            story.append(para(f"… and {len(mine) - MAX_ROWS} more, listed in the report's JSON file.", size=8.5))
    return story


# -- page furniture ------------------------------------------------------------------------------------------------

def _footer(canvas: Canvas, r: ReconcileReport) -> None:
    canvas.saveState()
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, FOOTER_Y + 9, A4[0] - MARGIN, FOOTER_Y + 9)
    canvas.restoreState()
    text = f"Reconciliation report / मिलान रिपोर्ट · {r.site_name} · {_when(r.generated_at)} · {r.verdict}"
    draw_fitted(canvas, MARGIN, FOOTER_Y, text, WIDTH * 0.7, 7.5)
    if isinstance(canvas, NumberedCanvas):
        canvas.set_page_number_slot(PageNumberSlot("report", A4[0] - MARGIN, FOOTER_Y))


def _when(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d-%m-%Y %H:%M")
    except ValueError:
        return iso
