"""Code128 barcodes and QR codes, drawn as vectors so they stay sharp on any printer.

Sizes come from decoding tests on this machine (pdftoppm + zxing-cpp): a Code128
module of 0.9 pt reads reliably from a 150 dpi scan, 0.65 pt needs 203 dpi (a
label printer); a vector QR at ECC level M reads at 150 dpi from 36 pt up.

QR symbols are encoded by zint (the C library, through ``zint-bindings``), which
scores all eight mask patterns as ISO/IEC 18004 asks, in about 0.3 ms. reportlab's
pure-Python encoder took 20-30 ms a symbol, which a pack of 2,500 pages, each
with its own QR, could not afford. The symbol is drawn here as one vector path.

QR payloads are ASCII-only JSON because zbar, which many back-entry scanners
use, misreads UTF-8; the keys are one or two letters to keep the code small
(fewer modules means bigger modules on the same paper).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import zint
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from downtime import ids

QR_ECC_LEVEL = "M"
QR_ZINT_ECC_M = 2  # zint's option_1 for error correction level M (1 L, 2 M, 3 Q, 4 H)
QR_QUIET_MODULES = 4  # the quiet zone the QR standard asks for
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
    """Read a page's QR text back (the inverse of ``QrData.payload``); ValueError if it is not one of ours.

    A scanner types whatever a code holds, so the values must be ASCII text, as ``payload`` writes them.
    """
    data = json.loads(payload)
    qr = QrData(kind=data["k"], human_id=data["id"], form=data["f"], form_version=data["v"],
                entry_uuid=data.get("u"), patient_id=data.get("p", data["id"]))
    values = (qr.kind, qr.human_id, qr.form, qr.form_version, qr.entry_uuid or "", qr.patient_id or "")
    if not all(isinstance(v, str) and v.isascii() for v in values):
        raise ValueError("a page's QR code holds ASCII text values only")
    return qr


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


def _check_ascii(payload: str) -> None:
    if not payload.isascii():
        raise ValueError("QR payloads must be ASCII (zbar misreads UTF-8)")


@lru_cache(maxsize=1024)
def qr_modules(payload: str) -> tuple[str, ...]:
    """The QR symbol at ECC level M as rows of "1" (dark) and "0" (light), without the quiet zone."""
    _check_ascii(payload)
    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.QRCODE
    symbol.option_1 = QR_ZINT_ECC_M
    symbol.encode(payload.encode("ascii"))
    # zint packs each row's modules into bytes, least significant bit first, in a fixed-width buffer.
    data = symbol.encoded_data
    packed, stride = data.tobytes(), data.nbytes // (data.shape or (1,))[0]
    width = symbol.width
    return tuple(format(int.from_bytes(packed[r * stride:(r + 1) * stride], "little"), f"0{stride * 8}b")[::-1][:width]
                 for r in range(symbol.rows))


_DARK = re.compile("1+")


def _qr_runs(payload: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Module count and the dark runs (row, first column, length) of the symbol."""
    rows = qr_modules(payload)
    runs = tuple((r, m.start(), m.end() - m.start()) for r, row in enumerate(rows) for m in _DARK.finditer(row))
    return len(rows), runs


@lru_cache(maxsize=4096)
def _qr_path(payload: str) -> tuple[int, str]:
    """The QR's side in modules (quiet zone included) and its dark runs as PDF path operators, in modules.

    Nothing in it depends on the page or the document, so each payload is turned into operators once.
    """
    count, runs = _qr_runs(payload)
    side = count + 2 * QR_QUIET_MODULES
    ops = " ".join(f"{c + QR_QUIET_MODULES} {side - r - QR_QUIET_MODULES - 1} {length} 1 re" for r, c, length in runs)
    return side, ops


def draw_qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """Draw a QR code (quiet zone included) with its lower left corner at (x, y).

    One filled path, scaled from module units by the transformation matrix, so the operators for a
    payload are built once (a graphics node per run made the QR half the cost of a page).
    """
    side, ops = _qr_path(payload)
    module = size / side
    canvas.addLiteral(f"q 0 g {fp_str(module)} 0 0 {fp_str(module)} {fp_str(x, y)} cm {ops} f Q")


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
