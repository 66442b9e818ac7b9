"""Label stock: specimen labels (a sheet of 3 x 8 on A4, or one 50 x 25 mm label per page) and the like.

A label is too small for the page furniture, so it carries its own: a black
"DT" tag (downtime), the patient's name and ID with age/sex, a Code128 of the
accession number (or of whatever ``LabelStock`` says), the values the spec asks
for, and, where there is room, the QR. Labels of several entries flow on across
sheets, so a ward prints one sheet for many samples.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from forms.bilingual import draw_fitted, draw_text
from forms.codes import compact_id, draw_code128, draw_qr
from forms.page import Box
from forms.spec import LabelStock

QR_MIN = 36.0  # about 13 mm: the smallest QR that read back reliably from a 150 dpi scan here


@dataclass(frozen=True)
class LabelContent:
    patient_name: str
    patient_id: str
    age_sex: str
    barcode: str
    barcode_text: str
    values: tuple[str, ...]
    qr_payload: str


def label_boxes(stock: LabelStock) -> list[Box]:
    """Label rectangles on one page, left to right then top to bottom."""
    page_h = stock.page_size[1]
    boxes = []
    for row in range(stock.rows):
        for col in range(stock.columns):
            x = stock.origin[0] + col * stock.pitch[0]
            top = page_h - stock.origin[1] - row * stock.pitch[1]
            boxes.append(Box(x, top - stock.label_size[1], *stock.label_size))
    return boxes


def draw_labels(canvas: Canvas, stock: LabelStock, labels: list[LabelContent]) -> None:
    """Draw each label ``stock.copies`` times, starting a new page when a sheet is full."""
    boxes = label_boxes(stock)
    queue = [label for label in labels for _ in range(stock.copies)]
    for i, label in enumerate(queue):
        if i and i % stock.per_page == 0:
            canvas.showPage()
        inner = boxes[i % stock.per_page]
        if stock.cut_guides:
            _cut_guide(canvas, inner)
        _draw_label(canvas, stock, Box(inner.x + stock.inset, inner.y + stock.inset,
                                       inner.width - 2 * stock.inset, inner.height - 2 * stock.inset), label)
    canvas.showPage()


def _draw_label(canvas: Canvas, stock: LabelStock, box: Box, label: LabelContent) -> None:
    # Sizes scale with the label's height, so one layout serves 25 mm and 37 mm stock.
    unit = box.height / 60
    bar_y, bar_h = 7 * unit, 18 * unit
    qr = min(box.height - bar_y - bar_h - 3, box.width * 0.3)  # the QR sits above the barcode, at the right
    qr_w = qr + 3 if stock.qr and qr >= QR_MIN and label.qr_payload else 0.0
    text_w = box.width - qr_w
    y = box.top - 8.5 * unit
    tag_w = _tag(canvas, box.x, y, 8 * unit)
    draw_fitted(canvas, box.x + tag_w + 3, y, label.patient_name or "", text_w - tag_w - 3, 8.5 * unit, bold=True)
    y -= 8 * unit
    draw_fitted(canvas, box.x, y, "  ".join(p for p in (label.patient_id, label.age_sex) if p), text_w, 7 * unit)
    y -= 7.5 * unit
    draw_fitted(canvas, box.x, y, " · ".join(label.values), text_w, 6.5 * unit)
    if qr_w:
        draw_qr(canvas, label.qr_payload, box.x + box.width - qr, box.top - qr, qr)
    value = compact_id(label.barcode) if stock.compact_barcode else label.barcode
    draw_code128(canvas, value, box.x + box.width / 2, box.y + bar_y, box.width, bar_h, align="centre")
    draw_text(canvas, box.x + box.width / 2, box.y + 0.5 * unit, label.barcode_text, 6 * unit, bold=True,
              align="centre")


def _cut_guide(canvas: Canvas, box: Box) -> None:
    canvas.saveState()
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.4)
    canvas.setStrokeColor(colors.grey)
    canvas.rect(box.x, box.y, box.width, box.height, stroke=1, fill=0)
    canvas.restoreState()


def _tag(canvas: Canvas, x: float, baseline: float, size: float) -> float:
    """A black "DT" (downtime) tag: the lab must see at once that this tube came from a paper workflow."""
    width = size * 1.9
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.rect(x, baseline - size * 0.25, width, size * 1.15, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    draw_text(canvas, x + width / 2, baseline, "DT", size * 0.85, bold=True, align="centre")
    canvas.restoreState()
    return width
