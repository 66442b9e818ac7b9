"""Sheets: the ward census, the patient summary and the lab report, laid out from their specs and the viewer's data.

The snapshot stores times in UTC (ISO 8601); paper shows them in the PC's local
time (IST on a ward PC), day first, like every other form. Every sheet says
where its facts come from: when the snapshot was taken (nothing recorded in the
HMIS after that is on it), and whether this PC's downtime entries are in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from reportlab.platypus import Flowable, KeepTogether, Spacer

from downtime.lab_report import LabReport
from downtime.viewer import PatientSummary, WardCensus
from forms.bilingual import bi
from forms.codes import QrData
from forms.layout import heading
from forms.page import SEX_SHORT, PageIdentity, StripLine, age_sex
from forms.roster import Detail, Details, Roster, Row
from forms.sheet_data import SOURCES
from forms.spec import Column, FormSpec, SheetBlock, Text
from forms.textblock import TextBlock, bilingual, two_lines


@dataclass(frozen=True)
class SheetData:
    """What one sheet prints: a ``WardCensus``, a ``PatientSummary`` or a ``LabReport``, and when the snapshot
    was taken; ``source`` replaces the snapshot note when the sheet holds this PC's entries too."""

    value: WardCensus | PatientSummary | LabReport
    as_of: str | None  # ISO 8601, from the snapshot
    source: Text | None = None


# ---- values ----

def local_time(value: str) -> dt.datetime | None:
    """An ISO time from the snapshot in this PC's time zone (a time without a zone is taken as UTC)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone()


def format_cell(value: Any, fmt: str) -> str:
    if value is None or value == "":
        return ""
    text = str(value)
    if fmt in ("date", "datetime"):
        if len(text) <= 10:  # a date alone has no time zone to convert
            return _day_first(text)
        moment = local_time(text)
        if moment is not None:
            return moment.strftime("%d-%m-%Y" if fmt == "date" else "%d-%m-%Y %H:%M")
    if fmt == "sex":
        return SEX_SHORT.get(text, text)
    return text


def _day_first(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).strftime("%d-%m-%Y")
    except ValueError:
        return text  # a year alone, or the HMIS's own text


def cell_text(item: Any, column: Column) -> str:
    parts = (format_cell(getattr(item, name), column.format) for name in column.fields)
    return column.join.join(p for p in parts if p)


def as_of_text(as_of: str | None) -> str:
    moment = local_time(as_of) if as_of else None
    return moment.strftime("%d-%m-%Y %H:%M") if moment else "unknown / अज्ञात"


# ---- the body ----

def sheet_story(spec: FormSpec, data: SheetData, width: float) -> list[Flowable]:
    source = SOURCES[spec.data]
    note = TextBlock(bilingual(data.source.en, data.source.hi), 8) if data.source else _as_of_note(data.as_of)
    story: list[Flowable] = [note]
    for block in spec.blocks:
        parts: list[Flowable] = [heading(block.heading.en, block.heading.hi, width)]
        if block.note:
            parts.append(_static(block.note, 7.5, bold=False))
        rows = source.rows(data.value, block.source) if block.is_list else ()
        if rows or (block.is_list and block.blank_rows):
            story += [_roster(block, rows, width, parts), Spacer(1, 7)]  # splits between rows, heading on top
            continue
        item = None if block.is_list else source.item(data.value, block.source)
        body = _details(block, item) if item is not None else _empty(block)
        story += [KeepTogether([*parts, body]), Spacer(1, 7)]
    return story


def _static(text: Text, size: float, bold: bool) -> Flowable:
    return TextBlock(two_lines(text.en, text.hi, bold), size)


def _empty(block: SheetBlock) -> Flowable:
    return _static(block.empty or Text("None recorded in the snapshot.", "स्नैपशॉट में कुछ दर्ज नहीं।"), 9, True)


def _roster(block: SheetBlock, rows: tuple[Any, ...], width: float, caption: list[Flowable]) -> Roster:
    header = [bi(c.label.en, c.label.hi) for c in block.columns]
    widths = [width * c.width for c in block.columns]
    widths[-1] += width - sum(widths)  # the last column takes what the shares leave
    return Roster(header, widths, [_row(block, item) for item in rows], block.blank_rows, caption=caption)


def _row(block: SheetBlock, item: Any) -> Row:
    lit = block.highlight is not None and str(getattr(item, block.highlight.field)) in block.highlight.values
    return Row(tuple(cell_text(item, c) for c in block.columns), lit)


def _details(block: SheetBlock, item: Any) -> Details:
    return Details([Detail(bi(c.label.en, c.label.hi), cell_text(item, c)) for c in block.columns], block.per_row)


def _as_of_note(as_of: str | None) -> Flowable:
    when = as_of_text(as_of)
    return TextBlock(bilingual(f"From the HMIS snapshot taken {when}; anything recorded in the HMIS since then is "
                               "not shown.", f"एचएमआईएस स्नैपशॉट {when} से; उसके बाद का कुछ भी इसमें नहीं है।"), 8)


# ---- the page furniture ----

def sheet_identity(spec: FormSpec, data: SheetData, key: str, *, printed_at: dt.datetime, device: str,
                   printed_by: str, reprint_note: str = "") -> PageIdentity:
    """What the band, header and strip show: a ward for a census, the patient for a summary."""
    base = PageIdentity(form_key=key, form=spec.name, form_version=spec.version, title_en=spec.title.en,
                        title_hi=spec.title.hi, qr_payload="", barcode="", printed_at=printed_at, device=device,
                        printed_by=printed_by, reprint_note=reprint_note)
    value = data.value
    if isinstance(value, WardCensus):
        # No barcode: a census is about a ward, and each of its rows names its patient's ID.
        return replace(base, qr_payload=_qr(spec, value.ward), strip=(
            StripLine("Ward", "वार्ड", value.ward, 11),
            StripLine("In-patients", "भर्ती रोगी", str(value.count)),
            StripLine("Snapshot taken", "स्नैपशॉट का समय", as_of_text(data.as_of), 9)))
    patient = value.patient
    base = replace(base, qr_payload=_qr(spec, patient.id), barcode=patient.id, patient_name=patient.name,
                   patient_id=patient.id, uhid=patient.uhid or "", relative=patient.relation or "",
                   age_sex=" / ".join(p for p in (patient.age, age_sex(None, patient.sex)) if p))
    if isinstance(value, LabReport):
        # The lab files and finds its reports by sample: the barcode and QR carry the accession number,
        # and a scan of the QR at a ward PC opens the request it answers.
        qr = QrData(kind="lab.request", human_id=value.accession, form=spec.name, form_version=spec.version,
                    patient_id=patient.id or None)
        return replace(base, qr_payload=qr.payload(), barcode=value.accession, human_id=value.accession,
                       human_id_en=spec.human_id_label.en, human_id_hi=spec.human_id_label.hi)
    return base


def _qr(spec: FormSpec, subject: str) -> str:
    return QrData(kind=spec.data, human_id=subject, form=spec.name, form_version=spec.version).payload()
