"""Helpers that read a printed PDF back (text, pixels, codes); the example entries are in forms.examples."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image


def page_png(pdf: Path, page: int = 1, dpi: int = 150) -> Image.Image:
    """Rasterise one page with poppler, as a scanner would see it."""
    png = subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                          str(pdf)], capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png))


def pdf_texts(pdf: Path) -> list[str]:
    """The text of each page, by poppler's pdftotext (pypdf takes seconds on a 100-page pack)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    return out.decode("utf-8").split("\f")[:-1]


@dataclass(frozen=True)
class Codes:
    qr: list[str]
    code128: list[str]


def decode(image: Image.Image) -> Codes:
    found = zxingcpp.read_barcodes(image)
    return Codes(qr=[r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode],
                 code128=[r.text for r in found if r.format == zxingcpp.BarcodeFormat.Code128])


@pytest.fixture(scope="session")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("forms")
