"""Code128 barcodes and QR codes, drawn as vectors so they stay sharp on any printer.

Sizes come from decoding tests on this machine (pdftoppm + zxing-cpp): a Code128
module of 0.9 pt reads reliably from a 150 dpi scan, 0.65 pt needs 203 dpi (a
label printer); a vector QR at ECC level M reads at 150 dpi from 36 pt up.

QR payloads are ASCII-only JSON because zbar, which many back-entry scanners
use, misreads UTF-8; the keys are one or two letters to keep the code small
(fewer modules means bigger modules on the same paper).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfgen.canvas import Canvas

from downtime import ids

QR_ECC_LEVEL = "M"
QR_QUIET_MODULES = 4  # the quiet zone the QR standard asks for, as QrCodeWidget draws it
CODE128_MODULE_PT = 0.95  # preferred bar width on paper read back from 150 dpi scans
CODE128_MIN_MODULE_PT = 0.65  # below this even a 203 dpi label printer cannot print a readable bar
CODE128_QUIET_MODULES = 10  # blank margin each side, as the Code128 standard asks

# QR payload keys (documented here, parsed by back-entry): the entry's uuid, its kind, its human ID,
# the form and form version printed, and the patient's ID when it differs from the human ID.
QR_KEYS = {"u": "entry uuid", "k": "entry kind", "id": "human ID", "f": "form", "v": "form version",
           "p": "patient ID"}

_COMPACT_ID = re.compile(r"^([A-Z0-9]{1,8}?)(\d{3})(\d{5})(\d)$")


@dataclass(frozen=True)
class QrData:
    """What the QR on a printed page says about the page."""

    kind: str
    human_id: str
    form: str
    form_version: str
    entry_uuid: str | None = None  # None on a blank pre-numbered form
    patient_id: str | None = None

    def payload(self) -> str:
        data = {"u": self.entry_uuid, "k": self.kind, "id": self.human_id, "f": self.form,
                "v": self.form_version, "p": self.patient_id}
        if data["p"] == data["id"]:
            data["p"] = None
        return json.dumps({k: v for k, v in data.items() if v}, ensure_ascii=True,
                          separators=(",", ":"), sort_keys=True)


def parse_qr(payload: str) -> QrData:
    """Read a page's QR text back (the inverse of ``QrData.payload``)."""
    data = json.loads(payload)
    return QrData(kind=data["k"], human_id=data["id"], form=data["f"], form_version=data["v"],
                  entry_uuid=data.get("u"), patient_id=data.get("p", data["id"]))


def compact_id(human_id: str) -> str:
    """A downtime ID without its hyphens, for narrow label stock.

    Code128 packs digit pairs into one symbol only when they are not split by hyphens,
    so ``AIIMS042001237`` is about a quarter narrower than ``AIIMS-042-00123-7``.
    Anything that is not a downtime ID (a UHID, say) is returned unchanged.
    """
    return human_id.replace("-", "") if ids.validate(human_id) else human_id


def id_from_barcode(text: str) -> str:
    """The ID a scanned barcode stands for: hyphens restored when it is a compact downtime ID."""
    text = text.strip().upper()
    if ids.looks_like_id(text):
        return text
    m = _COMPACT_ID.match(text)
    if m:
        candidate = "-".join(m.groups())
        if ids.validate(candidate):
            return candidate
    return text


def qr_drawing(payload: str, size: float) -> Drawing:
    """The QR as a reportlab Drawing (a flowable), for layouts that place it like any other flowable."""
    _check_ascii(payload)
    widget = QrCodeWidget(payload, barLevel=QR_ECC_LEVEL, barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing


def _check_ascii(payload: str) -> None:
    if not payload.isascii():
        raise ValueError("QR payloads must be ASCII (zbar misreads UTF-8)")


@lru_cache(maxsize=1024)
def _qr_runs(payload: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Module count and the dark runs (row, first column, length) of the QR that QrCodeWidget would draw."""
    _check_ascii(payload)
    widget = QrCodeWidget(payload, barLevel=QR_ECC_LEVEL)
    widget.qr.make()
    runs = []
    for r, row in enumerate(widget.qr.modules):
        c = 0
        for dark, group in itertools.groupby(bool(m) for m in row):
            count = len(list(group))
            if dark:
                runs.append((r, c, count))
            c += count
    return widget.qr.getModuleCount(), tuple(runs)


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw a QR code (quiet zone included) with its lower left corner at (x, y).

    Same encoder and geometry as ``QrCodeWidget`` at ECC M, but drawn as one filled path: the widget
    builds a node per run, which made the QR half the cost of a whole page in a 2,500-page pack.
    """
    count, runs = _qr_runs(payload)
    module = size / (count + 2 * QR_QUIET_MODULES)
    path = canvas.beginPath()
    for r, c, length in runs:
        path.rect(x + (c + QR_QUIET_MODULES) * module, y + size - (r + QR_QUIET_MODULES + 1) * module,
                  length * module, module)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


@lru_cache(maxsize=1024)
def _code128_modules(value: str) -> float:
    """Width in modules, quiet zones included (Code128 picks its code sets by content, so it varies)."""
    bare = Code128(value, barWidth=1, barHeight=10, quiet=0, humanReadable=0)
    return bare.wrap(0, 0)[0] + 2 * CODE128_QUIET_MODULES


@lru_cache(maxsize=1024)
def code128(value: str, max_width: float, height: float, module: float = CODE128_MODULE_PT) -> Code128:
    """A Code128 flowable (quiet zones included) no wider than ``max_width``, bars as wide as fits up to ``module``.

    Drawn straight onto the canvas; the Drawing/widget route costs a graphics node per bar.
    """
    modules = _code128_modules(value)
    bar = min(module, max_width / modules)
    if bar < CODE128_MIN_MODULE_PT:
        raise ValueError(f"barcode of {value!r} needs {modules * CODE128_MIN_MODULE_PT:.0f} pt, "
                         f"only {max_width:.0f} pt available")
    quiet = CODE128_QUIET_MODULES * bar
    barcode = Code128(value, barWidth=bar, barHeight=height, quiet=1, lquiet=quiet, rquiet=quiet, humanReadable=0)
    barcode.wrap(0, 0)
    return barcode


def draw_code128(canvas: Canvas, value: str, x: float, y: float, max_width: float, height: float,
                 module: float = CODE128_MODULE_PT, align: str = "left") -> float:
    """Draw a Code128 with its lower left (or right, with align="right") at (x, y); return its width."""
    barcode = code128(value, max_width, height, module)
    if align == "right":
        x -= barcode.width
    elif align == "centre":
        x -= barcode.width / 2
    barcode.drawOn(canvas, x, y)
    return barcode.width
