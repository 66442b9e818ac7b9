"""What every printed sheet carries, whatever the form (design decision 6).

Top to bottom: a black DOWNTIME band (so these pages stand out in the paper
chart for years), the hospital's logo, name, address and HFR ID with the form
title and the page's QR code, a strip with the patient's two identifiers and a
Code128 of the ID, then the form body, then a footer with when, where and by
whom it was printed, the form version, and "Page x of y".

"of y" is only known once a form is laid out, and a pack holds many forms, so
``NumberedCanvas`` holds every page back until the PDF is saved and then
numbers the pages of each form separately.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from forms.bilingual import bi, draw_fitted, draw_text
from forms.codes import draw_code128, draw_qr

MARGIN = 24.0  # about 8.5 mm: inside the unprintable edge of common laser printers
BAND_H = 20.0
HEADER_H = 74.0
STRIP_H = 46.0
FOOTER_H = 22.0
GAP = 6.0
QR_SIZE = 70.0  # about 25 mm; reads back from a 150 dpi scan with room to spare

# Letters as on Indian case sheets; there is no common Hindi abbreviation, and the label above is bilingual.
SEX_SHORT = {"male": "M", "female": "F", "other": "T"}


@dataclass(frozen=True)
class StripLine:
    """One labelled line of the identity strip, for sheets that are about a ward rather than a patient."""

    en: str
    hi: str
    value: str
    size: float = 9.5


@dataclass(frozen=True)
class PageIdentity:
    """Everything the furniture shows about one form; the same on each of its pages."""

    form_key: str  # tells forms in one pack apart, so each numbers its own pages
    form: str
    form_version: str
    title_en: str
    title_hi: str
    qr_payload: str
    barcode: str  # the ID the Code128 encodes: the patient's, or the form's own number when blank
    printed_at: dt.datetime
    device: str
    printed_by: str
    patient_name: str = ""
    patient_id: str = ""
    uhid: str = ""
    age_sex: str = ""
    relative: str = ""
    human_id: str = ""  # the entry's own number (IP number, accession number) when it is not the patient's
    human_id_en: str = "Form number"
    human_id_hi: str = "प्ररूप संख्या"
    reprint_note: str = ""
    strip: tuple[StripLine, ...] = ()  # replaces the patient's lines (a ward census names its ward)


@dataclass(frozen=True)
class PageNumberSlot:
    """Where the page number of one page goes, filled in when the whole PDF is known."""

    form_key: str
    x: float
    y: float
    size: float = 7.5

    def draw(self, canvas: Canvas, number: int, total: int) -> None:
        draw_text(canvas, self.x, self.y, f"Page {number} of {total} / पृष्ठ {number} / {total}",
                  self.size, bold=True, align="right")


class NumberedCanvas(Canvas):
    """A canvas that defers pages so each form in the PDF can print "Page x of y" (two passes, one layout)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deferred: list[tuple[dict[str, Any], PageNumberSlot | None]] = []
        self._slot: PageNumberSlot | None = None

    def set_page_number_slot(self, slot: PageNumberSlot) -> None:
        self._slot = slot

    def showPage(self) -> None:
        self._deferred.append((dict(self.__dict__), self._slot))
        self._slot = None
        self._startPage()

    def save(self) -> None:
        totals = Counter(slot.form_key for _, slot in self._deferred if slot)
        numbers: Counter[str] = Counter()
        for state, slot in self._deferred:
            self.__dict__.update(state)
            if slot:
                numbers[slot.form_key] += 1
                slot.draw(self, numbers[slot.form_key], totals[slot.form_key])
            super().showPage()
        super().save()


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height


def body_box(page_size: tuple[float, float]) -> Box:
    """The part of the page the form's own content may use."""
    width, height = page_size
    top = height - MARGIN - BAND_H - HEADER_H - STRIP_H - 2 * GAP
    bottom = MARGIN + FOOTER_H
    return Box(MARGIN, bottom, width - 2 * MARGIN, top - bottom)


def age_sex(age_years: Any, sex: str | None) -> str:
    age = "" if age_years in (None, "") else f"{age_years} y"
    return " / ".join(p for p in (age, SEX_SHORT.get(sex or "", "")) if p)


def draw_page(canvas: Canvas, site: dict[str, Any], page: PageIdentity,
              page_size: tuple[float, float]) -> None:
    """Draw the furniture of one page; the caller's content goes inside ``body_box``."""
    width, height = page_size
    top = height - MARGIN
    _band(canvas, MARGIN, top - BAND_H, width - 2 * MARGIN, page.reprint_note)
    top -= BAND_H + GAP
    _header(canvas, site, page, Box(MARGIN, top - HEADER_H, width - 2 * MARGIN, HEADER_H))
    top -= HEADER_H + GAP
    _patient_strip(canvas, page, Box(MARGIN, top - STRIP_H, width - 2 * MARGIN, STRIP_H))
    _footer(canvas, page, Box(MARGIN, MARGIN, width - 2 * MARGIN, FOOTER_H))


def _band(canvas: Canvas, x: float, y: float, width: float, reprint_note: str) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.rect(x, y, width, BAND_H, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    left = draw_text(canvas, x + 6, y + 6, "DOWNTIME / डाउनटाइम", 11, bold=True)
    right_text = f"REPRINT / पुनर्मुद्रण: {reprint_note}" if reprint_note else \
        "Paper record made while the HMIS was down / एचएमआईएस बंद रहने के दौरान बना काग़ज़ी रिकॉर्ड"
    draw_fitted(canvas, x + width - 6, y + 6.5, right_text, width - left - 30, 8.5 if reprint_note else 7.5,
                bold=bool(reprint_note), align="right")
    canvas.restoreState()


def _header(canvas: Canvas, site: dict[str, Any], page: PageIdentity, box: Box) -> None:
    x = box.x
    logo = _logo(site.get("logo_path"))
    if logo is not None:
        side = 52.0
        canvas.drawImage(logo, x, box.top - side, side, side, preserveAspectRatio=True, anchor="nw", mask="auto")
        x += side + 8
    text_width_max = box.x + box.width - QR_SIZE - 8 - x
    name = bi(site.get("name", ""), site.get("name_hi", ""))
    draw_fitted(canvas, x, box.top - 11, name, text_width_max, 12, bold=True)
    draw_fitted(canvas, x, box.top - 22, site.get("address", ""), text_width_max, 7.5)
    if site.get("hfr_id"):
        draw_text(canvas, x, box.top - 32, f"HFR ID: {site['hfr_id']}", 7.5)
    draw_fitted(canvas, x, box.top - 46, page.title_en, text_width_max, 12.5, bold=True)
    draw_fitted(canvas, x, box.top - 60, page.title_hi, text_width_max, 11.5, bold=True)
    if page.human_id:
        draw_fitted(canvas, x, box.top - 72, f"{bi(page.human_id_en, page.human_id_hi)}: {page.human_id}",
                    text_width_max, 8.5, bold=True)
    draw_qr(canvas, page.qr_payload, box.x + box.width - QR_SIZE, box.top - QR_SIZE, QR_SIZE)


def _patient_strip(canvas: Canvas, page: PageIdentity, box: Box) -> None:
    canvas.saveState()
    canvas.setLineWidth(1.2)
    canvas.rect(box.x, box.y, box.width, box.height, stroke=1, fill=0)
    canvas.restoreState()
    barcode_w = 250.0 if page.barcode else 0.0
    text_w = box.width - barcode_w - 16
    x, y = box.x + 6, box.top - 14
    for i, line in enumerate(page.strip or _patient_lines(page)):
        _labelled(canvas, x, y - 13.5 * i, line.en, line.hi, line.value, text_w, line.size)
    if page.barcode:
        right = box.x + box.width - 4
        draw_code128(canvas, page.barcode, right, box.y + 11, barcode_w, 30, align="right")
        draw_text(canvas, right - barcode_w / 2, box.y + 3, page.barcode, 7, align="centre")


def _patient_lines(page: PageIdentity) -> tuple[StripLine, ...]:
    ids = f"{page.patient_id}" + (f"   UHID: {page.uhid}" if page.uhid and page.uhid != page.patient_id else "")
    rest = page.age_sex + (f"   {page.relative}" if page.relative else "")
    return (StripLine("Name", "नाम", page.patient_name, 11), StripLine("ID / UHID", "आईडी", ids, 9.5),
            StripLine("Age/Sex", "आयु/लिंग", rest, 9))


def _labelled(canvas: Canvas, x: float, y: float, en: str, hi: str, value: str, width: float,
              size: float) -> None:
    """``Label / लेबल: value``; a blank value gets a line to write on (blank pre-numbered forms)."""
    label = f"{bi(en, hi)}: "
    label_w = draw_text(canvas, x, y, label, 7.5)
    if value:
        draw_fitted(canvas, x + label_w, y, value, width - label_w, size, bold=True)
    else:
        canvas.saveState()
        canvas.setLineWidth(0.5)
        canvas.line(x + label_w, y - 2, x + width, y - 2)
        canvas.restoreState()


def _footer(canvas: Canvas, page: PageIdentity, box: Box) -> None:
    canvas.saveState()
    canvas.setLineWidth(0.5)
    canvas.line(box.x, box.top - 4, box.x + box.width, box.top - 4)
    canvas.restoreState()
    printed = (f"Printed / मुद्रित: {page.printed_at:%d-%m-%Y %H:%M} · device / डिवाइस: {page.device}"
               f" · by / द्वारा: {page.printed_by}")
    draw_fitted(canvas, box.x, box.y + 8, printed, box.width * 0.62, 7)
    draw_text(canvas, box.x, box.y - 1, f"Form / प्ररूप: {page.form} v{page.form_version}", 6.5)
    if isinstance(canvas, NumberedCanvas):
        canvas.set_page_number_slot(PageNumberSlot(page.form_key, box.x + box.width, box.y + 8))


@lru_cache(maxsize=8)
def _logo(path: str | None) -> ImageReader | None:
    """The site logo, read once; a missing logo must never stop a form from printing during an outage."""
    if not path or not Path(path).is_file():
        return None
    try:
        return ImageReader(path)
    except OSError:
        return None
