"""Turns the sections of a form spec, plus an entry's values, into platypus flowables.

A field prints as its kind's label (English, then Hindi) over a box holding the
value, or writing room when the form is blank. Choice and yes/no fields print
every option as a tick box, with the recorded one crossed, so the paper form and
the screen read the same way and a blank form can be filled by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from downtime.kinds.schema import Field
from forms.bilingual import NO_EN, NO_HI, YES_EN, YES_HI, bi
from forms.codes import code128
from forms.flowables import LINE_H, CharBoxes, CheckChoices, CutLine, Option, RuledLines, Shaded, ValueBox
from forms.spec import FieldSlot, Section, TableSpec, field_of
from forms.textblock import Span, TextBlock, bilingual, plain

LABEL_SIZE = 7.5
HELP_SIZE = 6.5
VALUE_SIZE = 10
HEADING_BG = colors.Color(0.86, 0.86, 0.86)
GRID = colors.Color(0.45, 0.45, 0.45)
CHOICE_TYPES = frozenset({"choice", "multichoice", "bool"})

Values = dict[str, Any]


@dataclass(frozen=True)
class SlipIdentity:
    """What a detachable slip repeats about its patient, since it leaves the rest of the page behind."""

    hospital: str
    name: str
    patient_id: str
    barcode: str


# ---- values ----

def format_value(field: Field, value: Any, compact: bool = False) -> str:
    """A stored value as it should read on paper: dates day-first, choices by their labels.

    ``compact`` is for labels: one line, and English only, the lab's working language.
    """
    if value is None or value == "" or value == []:
        return ""
    formatter = _FORMATTERS.get(field.type)
    return formatter(field, value, compact) if formatter else str(value)


def _date(_: Field, value: Any, __: bool) -> str:
    return dt.date.fromisoformat(str(value)[:10]).strftime("%d-%m-%Y")


def _datetime(_: Field, value: Any, __: bool) -> str:
    return dt.datetime.fromisoformat(str(value)).strftime("%d-%m-%Y %H:%M")


def _choice(field: Field, value: Any, compact: bool) -> str:
    values = value if isinstance(value, list) else [value]
    labels = []
    for v in values:
        choice = field.choice(str(v))
        if choice is None:
            labels.append(str(v))
        else:
            labels.append(choice.label_en if compact else bi(choice.label_en, choice.label_hi))
    return ", ".join(labels)


def _bool(_: Field, value: Any, compact: bool) -> str:
    if compact:
        return YES_EN if value else NO_EN
    return bi(YES_EN, YES_HI) if value else bi(NO_EN, NO_HI)


def _list(_: Field, value: Any, compact: bool) -> str:
    if not isinstance(value, list):
        return str(value)
    return ("; " if compact else "\n").join(str(v) for v in value)


_FORMATTERS: dict[str, Callable[[Field, Any, bool], str]] = {
    "date": _date, "datetime": _datetime, "choice": _choice, "multichoice": _choice, "bool": _bool, "list": _list,
}


# ---- one field ----

def _options(field: Field, value: Any) -> list[Option]:
    if field.type == "bool":
        return [Option(bi(YES_EN, YES_HI), value is True), Option(bi(NO_EN, NO_HI), value is False)]
    chosen = {str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")}
    options = [Option(bi(c.label_en, c.label_hi), c.value in chosen) for c in field.choices]
    # A value the schema no longer lists must still be printed, never silently dropped.
    options += [Option(v, True) for v in sorted(chosen - {c.value for c in field.choices})]
    return options


def value_flowable(field: Field, slot: FieldSlot, value: Any) -> Flowable:
    if field.type in CHOICE_TYPES and slot.style != "value":
        return CheckChoices(_options(field, value))
    if field.type == "icd10":
        return CharBoxes(str(value or ""))
    lines = slot.lines or (2 if field.type == "textarea" else 1)
    text = format_value(field, value)
    content = TextBlock(plain(text), VALUE_SIZE) if text else None
    return ValueBox(content, lines * LINE_H)


def field_label(field: Field) -> Flowable:
    return TextBlock(bilingual(field.label_en, field.label_hi), LABEL_SIZE)


def field_cell(field: Field, slot: FieldSlot, value: Any) -> list[Flowable]:
    cell: list[Flowable] = [field_label(field)]
    if slot.help and (field.help_en or field.help_hi):
        cell.append(TextBlock(bilingual(field.help_en, field.help_hi, False, False), HELP_SIZE))
    cell.append(Spacer(1, 2))
    cell.append(value_flowable(field, slot, value))
    return cell


# ---- sections ----

def _grid_style(extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    return TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *extra,
    ])


def labelled_text(en: str, hi: str, value: str, size: float) -> TextBlock:
    """``Label / लेबल: value``, the value in bold."""
    return TextBlock((Span(f"{bi(en, hi)}: "), Span(value or "", True)), size)


def heading(en: str, hi: str, width: float) -> Flowable:
    """A section heading in bold on a grey band (a one-cell Table did the same at several times the cost)."""
    return Shaded(TextBlock(bilingual(en, hi, True, True), 9.5), width, HEADING_BG, GRID)


def fields_grid(section: Section, values: Values, width: float) -> Table:
    """Lay the section's fields out ``columns`` to a row, a field spanning ``span`` columns."""
    columns = section.columns
    rows: list[list[Any]] = []
    spans: list[tuple[Any, ...]] = []
    row: list[Any] = []
    for slot in section.fields:
        span = min(slot.span, columns)
        if len(row) + span > columns:
            rows.append(row + [""] * (columns - len(row)))
            row = []
        if span > 1:
            spans.append(("SPAN", (len(row), len(rows)), (len(row) + span - 1, len(rows))))
        row += [field_cell(field_of(section, slot.name), slot, values.get(slot.name))] + [""] * (span - 1)
    if row:
        rows.append(row + [""] * (columns - len(row)))
    return Table(rows, colWidths=[width / columns] * columns, style=_grid_style(spans))


def cause_table(section: Section, table: TableSpec, values: Values, width: float) -> Table:
    """Rows of related fields under column headings; each row is introduced by its first field's label."""
    head = [TextBlock(bilingual(c.en, c.hi, True, True), 7) for c in table.columns]
    rows: list[list[Any]] = [head]
    for names in table.rows:
        cells = [value_flowable(f, FieldSlot(f.name), values.get(f.name))
                 for f in (field_of(section, n) for n in names)]
        rows.append([[field_label(field_of(section, names[0])), cells[0]], *cells[1:]])
    widths = [width * c.width for c in table.columns]
    shading = [("BACKGROUND", (0, 0), (-1, 0), HEADING_BG), ("VALIGN", (1, 1), (-1, -1), "MIDDLE")]
    return Table(rows, colWidths=widths, repeatRows=1, style=_grid_style(shading))


def signatures(section: Section, width: float) -> Table:
    """Signature lines side by side, with a gap between them so each reads as its own line."""
    count = len(section.signatures)
    gap = 14.0
    line_w = (width - gap * (count - 1)) / count
    top: list[Any] = []
    bottom: list[Any] = []
    widths: list[float] = []
    for i, sig in enumerate(section.signatures):
        if i:
            top.append("")
            bottom.append("")
            widths.append(gap)
        top.append(Spacer(1, 30))
        bottom.append(TextBlock(bilingual(sig.en, sig.hi, False, False), 7))
        widths.append(line_w)
    lines = [("LINEABOVE", (i, 1), (i, 1), 0.8, colors.black) for i in range(0, len(widths), 2)]
    return Table([top, bottom], colWidths=widths, style=TableStyle([
        *lines, ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 1), (-1, 1), 2), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))


def slip_header(slip: SlipIdentity, width: float) -> Table:
    """The slip's own identifiers: it is cut off from the page's header, band and QR."""
    text = [
        TextBlock(plain("DOWNTIME / डाउनटाइम", True), 8),
        TextBlock(plain(slip.hospital, True), 9),
        labelled_text("Name", "नाम", slip.name, 9),
        labelled_text("ID", "आईडी", slip.patient_id, 9),
    ]
    barcode_w = min(230.0, width * 0.45)
    barcode = code128(slip.barcode, barcode_w, 26) if slip.barcode else ""
    return Table([[text, barcode]], colWidths=[width - barcode_w, barcode_w], style=TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]))


def section_flowables(section: Section, values: Values, width: float,
                      slip: SlipIdentity | None = None) -> list[Flowable]:
    """All of one section, kept on one page when it fits (a heading never ends a page alone)."""
    parts: list[Flowable] = []
    if section.slip and slip:
        parts += [CutLine(), slip_header(slip, width), Spacer(1, 3)]
    if section.heading.en or section.heading.hi:
        parts.append(heading(section.heading.en, section.heading.hi, width))
    if section.text:
        parts += [Spacer(1, 3), TextBlock(plain(section.text.en), 8.5), TextBlock(plain(section.text.hi), 8.5),
                  Spacer(1, 3)]
    if section.fields:
        parts.append(fields_grid(section, values, width))
    if section.table:
        parts.append(cause_table(section, section.table, values, width))
    if section.writing_lines:
        parts.append(RuledLines(section.writing_lines))
    if section.signatures:
        parts += [Spacer(1, 4), signatures(section, width)]
    return [KeepTogether(parts), Spacer(1, 7)]
