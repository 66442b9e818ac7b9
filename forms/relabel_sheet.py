"""The relabel sheet: one ward's downtime IDs with the UHID each paper chart now gets, to tick off chart by chart.

After matching, every paper chart written during the outage still carries only its downtime ID. The
records office prints one sheet per ward (``sync/relabel.py`` gathers the rows); a ward clerk writes the
UHID on each chart and ticks the row. Charts whose patient is still under review, or not matched yet, are
listed apart under "not yet decided: do not relabel", so nobody writes a guess on a chart.

The layout is a sheet spec like the ward census (``forms/specs/records_office/relabel_sheet.toml``) on the
same page furniture. The rows to relabel are not a plain ``Roster``: each carries a Code128 of the
downtime ID and of the UHID (so a scanner at the HMIS desk reads them), and a tick box.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer

from downtime.atomic_file import write_atomic
from forms.bilingual import bi, draw_fitted
from forms.codes import QrData, compact_id, draw_code128
from forms.fonts import register_fonts
from forms.layout import heading
from forms.page import NumberedCanvas, PageIdentity, StripLine, body_box, draw_page
from forms.roster import GRID, HEADER_BG, PAD, Roster, Row
from forms.sheet_data import SOURCES, DataSource
from forms.sheets import cell_text
from forms.spec import Column, FormSpec, SheetBlock, load_spec
from forms.textblock import TextBlock, two_lines

SPEC_DIR = Path(__file__).parent / "specs" / "records_office"
FORM, DATA = "relabel_sheet", "relabel"
TO_RELABEL, NOT_YET = "relabel", "not_yet"  # the spec's blocks: WardRelabel's two lists
BAR_H = 15.0  # reads from a 150 dpi scan; taller only costs rows per page
SIZE = 9.0
TICK = 10.0
DECISIONS = {
    "matched": ("Matched to HMIS", "एचएमआईएस से मिलान"),
    "new": ("New patient", "नया रोगी"),
    "review": ("Under review", "समीक्षा में"),
    "undecided": ("Not matched yet", "अभी मिलान नहीं"),
    "conflict": ("Conflicting copies", "परस्पर विरोधी प्रतियाँ"),
}
WRITE_UHID = "Write the UHID the HMIS gave / एचएमआईएस से मिला यूएचआईडी लिखें:"


@dataclass(frozen=True)
class RelabelRow:
    """One registration (a patient or a newborn) as its ward knows it, with what the records office decided."""

    downtime_id: str
    name: str
    relative: str
    age_sex: str
    decision: str  # matched, new, review, undecided or conflict
    uhid: str = ""  # the HMIS UHID of a matched patient
    note: str = ""  # why it is not decided yet

    @property
    def decision_label(self) -> str:
        en, hi = DECISIONS.get(self.decision, (self.decision, ""))
        return f"{en}\n{hi}"  # one language a line: a narrow column would shrink "en / hi" unreadably

    @property
    def uhid_text(self) -> str:
        return self.uhid or (WRITE_UHID if self.decision == "new" else "")


@dataclass(frozen=True)
class WardRelabel:
    """One ward's sheet: the charts to relabel and the ones not decided yet, each sorted by downtime ID."""

    ward: str
    relabel: tuple[RelabelRow, ...]
    not_yet: tuple[RelabelRow, ...]


# The spec loader checks the spec's column names against these dataclasses, as it does for the census.
SOURCES.setdefault(DATA, DataSource(DATA, WardRelabel, items={"": WardRelabel},
                                    lists={TO_RELABEL: RelabelRow, NOT_YET: RelabelRow}))


def relabel_spec() -> FormSpec:
    return load_spec(FORM, SPEC_DIR)


def render_relabel_sheet(sheet: WardRelabel, site: dict[str, Any], out: Path, *, device: str, printed_by: str,
                         printed_at: dt.datetime | None = None) -> Path:
    """Write one ward's relabel sheet to ``out`` (atomically: a half-written sheet is never printed)."""
    write_atomic(out, relabel_pdf(sheet, site, device=device, printed_by=printed_by,
                                  printed_at=printed_at or dt.datetime.now()))
    return out


def relabel_pdf(sheet: WardRelabel, site: dict[str, Any], *, device: str, printed_by: str,
                printed_at: dt.datetime) -> bytes:
    register_fonts()
    spec = relabel_spec()
    page = _identity(spec, sheet, device, printed_by, printed_at)
    body = body_box(spec.page_size)

    def furniture(canvas: Any, _doc: BaseDocTemplate) -> None:
        draw_page(canvas, site, page, spec.page_size)

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=spec.page_size, title=f"{spec.title.en}: {sheet.ward}",
                          author="Downtime continuity toolkit", invariant=1)
    frame = Frame(body.x, body.y, body.width, body.height, leftPadding=0, rightPadding=0, topPadding=2,
                  bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="relabel", frames=[frame], onPageEnd=furniture)])
    story: list[Flowable] = []
    for block in spec.blocks:
        story += [*_block(block, getattr(sheet, block.source), body.width), Spacer(1, 8)]
    doc.build(story, canvasmaker=NumberedCanvas)
    return buf.getvalue()


def _identity(spec: FormSpec, sheet: WardRelabel, device: str, printed_by: str,
              printed_at: dt.datetime) -> PageIdentity:
    """The furniture names the ward, not a patient: every row names its own patient and IDs."""
    ward = sheet.ward or "no ward"
    # QR payloads are ASCII (zbar misreads UTF-8): a ward named in Hindi goes in escaped.
    qr = QrData(kind=spec.data, human_id=ward.encode("ascii", "backslashreplace").decode("ascii"), form=spec.name,
                form_version=spec.version).payload()
    return PageIdentity(
        form_key=ward, form=spec.name, form_version=spec.version, title_en=spec.title.en, title_hi=spec.title.hi,
        qr_payload=qr, barcode="", printed_at=printed_at, device=device, printed_by=printed_by,
        strip=(StripLine(spec.human_id_label.en, spec.human_id_label.hi, ward, 11),
               StripLine("Charts to relabel", "रीलेबल होने वाले चार्ट", str(len(sheet.relabel))),
               StripLine("Not yet decided", "अभी तय नहीं", str(len(sheet.not_yet)))))


def _block(block: SheetBlock, rows: Sequence[RelabelRow], width: float) -> list[Flowable]:
    caption: list[Flowable] = [heading(block.heading.en, block.heading.hi, width)]
    if block.note:
        caption.append(TextBlock(two_lines(block.note.en, block.note.hi), 8))
    if not rows:
        empty = block.empty
        return [KeepTogether([*caption, TextBlock(two_lines(empty.en, empty.hi, True), SIZE)])] if empty else caption
    header = [bi(c.label.en, c.label.hi) for c in block.columns]
    widths = [width * c.width for c in block.columns]
    widths[-1] += width - sum(widths)  # the last column takes what the shares leave
    if block.source == TO_RELABEL:
        return [CodedRoster(header, widths, [_coded_row(block.columns, r) for r in rows], caption=caption)]
    return [Roster(header, widths, [Row(tuple(cell_text(r, c) for c in block.columns)) for r in rows],
                   size=SIZE, caption=caption)]


# ---- the rows to relabel ----

@dataclass(frozen=True)
class Cell:
    lines: tuple[str, ...]
    code: str | None = None  # a Code128 of this value under the text
    tick: bool = False  # a box to tick instead of text
    write_in: bool = False  # the text is a hint, with a line under it to write the value on


def _coded_row(columns: Sequence[Column], row: RelabelRow) -> tuple[Cell, ...]:
    return tuple(_cell(column, row) for column in columns)


def _cell(column: Column, row: RelabelRow) -> Cell:
    if not column.fields:
        return Cell((), tick=True)
    lines = tuple(line for line in cell_text(row, column).split("\n") if line)
    if column.fields[0] == "downtime_id":
        return Cell(lines, compact_id(row.downtime_id) or None)
    if column.fields[0] == "uhid_text":
        return Cell(lines, row.uhid or None, write_in=not row.uhid)
    return Cell(lines)


class CodedRoster(Flowable):
    """Rows of one-line cells under a header row, some with a Code128 under their text, and a tick box.

    Splits between rows and repeats the header, like ``roster.Roster``; ``caption`` (heading and note) is
    drawn above the first part only, always with at least one row under it.
    """

    def __init__(self, header: Sequence[str], widths: Sequence[float], rows: Sequence[tuple[Cell, ...]],
                 caption: Sequence[Flowable] = (), size: float = SIZE, header_size: float = 7) -> None:
        super().__init__()
        self.header, self.widths, self.rows = tuple(header), tuple(widths), tuple(rows)
        self.caption, self.size, self.header_size = tuple(caption), size, header_size
        self.leading = size * 1.3
        self._caption_hs: list[float] = []

    def _header_h(self) -> float:
        return self.header_size * 1.3 + 2 * PAD + 1

    def _row_h(self, row: tuple[Cell, ...]) -> float:
        text = max((len(cell.lines) for cell in row), default=1) * self.leading
        coded = self.leading + 2 + BAR_H if any(cell.code or cell.write_in for cell in row) else 0.0
        return max(text, coded, TICK + 2) + 2 * PAD

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._caption_hs = [part.wrap(avail_width, avail_height)[1] for part in self.caption]
        self.width = sum(self.widths)
        self.height = sum(self._caption_hs) + self._header_h() + sum(self._row_h(r) for r in self.rows)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        used = sum(part.wrap(avail_width, avail_height)[1] for part in self.caption) + self._header_h()
        fit = 0
        for row in self.rows:
            used += self._row_h(row)
            if used > avail_height:
                break
            fit += 1
        if fit == 0 or fit == len(self.rows):
            return []
        return [CodedRoster(self.header, self.widths, self.rows[:fit], self.caption, self.size, self.header_size),
                CodedRoster(self.header, self.widths, self.rows[fit:], (), self.size, self.header_size)]

    def draw(self) -> None:
        top = self.height
        for part, height in zip(self.caption, self._caption_hs, strict=True):
            top -= height
            part.drawOn(self.canv, 0, top)
        tops = [top]
        for height in [self._header_h(), *(self._row_h(r) for r in self.rows)]:
            tops.append(tops[-1] - height)
        self._draw_grid(tops)
        self._draw_header(tops[0])
        for row, row_top in zip(self.rows, tops[1:-1], strict=True):
            self._draw_row(row, row_top)

    def _draw_grid(self, tops: list[float]) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(HEADER_BG)
        canvas.rect(0, tops[1], self.width, tops[0] - tops[1], stroke=0, fill=1)
        path = canvas.beginPath()
        path.rect(0, tops[-1], self.width, tops[0] - tops[-1])
        for y in tops[1:-1]:
            path.moveTo(0, y)
            path.lineTo(self.width, y)
        x = 0.0
        for w in self.widths[:-1]:
            x += w
            path.moveTo(x, tops[-1])
            path.lineTo(x, tops[0])
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.restoreState()

    def _draw_header(self, top: float) -> None:
        x = 0.0
        for text, w in zip(self.header, self.widths, strict=True):
            draw_fitted(self.canv, x + PAD, top - PAD - self.header_size, text, w - 2 * PAD, self.header_size,
                        bold=True)
            x += w

    def _draw_row(self, row: tuple[Cell, ...], top: float) -> None:
        canvas = self.canv
        x = 0.0
        for cell, w in zip(row, self.widths, strict=True):
            y = top - PAD - self.size
            if cell.tick:
                _tick_box(canvas, x + (w - TICK) / 2, top - PAD - TICK - 1)
            for i, line in enumerate(cell.lines):
                # The value (the ID, the name) in bold; what follows it (a relative, Hindi) and hints in regular.
                bold = i == 0 and not cell.write_in
                draw_fitted(canvas, x + PAD, y, line, w - 2 * PAD, self.size if bold else self.size - 1, bold=bold)
                y -= self.leading
            if cell.code:
                _barcode(canvas, cell.code, x + PAD, top - PAD - self.leading - 2 - BAR_H, w - 2 * PAD)
            elif cell.write_in:
                canvas.line(x + PAD, top - PAD - self.leading - BAR_H, x + w - PAD, top - PAD - self.leading - BAR_H)
            x += w


def _tick_box(canvas: Any, x: float, y: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(Color(0, 0, 0))
    canvas.setLineWidth(0.9)
    canvas.rect(x, y, TICK, TICK, stroke=1, fill=0)
    canvas.restoreState()


def _barcode(canvas: Any, value: str, x: float, y: float, width: float) -> None:
    """A Code128 as wide as the cell allows; a UHID too long to print readably keeps its text alone."""
    try:
        draw_code128(canvas, value, x, y, width, BAR_H)
    except ValueError:
        pass  # the value is printed above in full; a bar code too fine to scan would only mislead
