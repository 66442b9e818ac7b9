"""Hindi must come out shaped: in कि the i-matra stands before the consonant.

Checked from pixels, as a reader would: the i-matra's stem rises above the headline
(shirorekha), and क has nothing above it. So when shaping works, the leftmost columns of
ink reach above the headline; when it does not, the matra is drawn after क and they do not.
Each test first proves that the detector sees the difference, with shaping switched off.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from forms import bilingual
from forms.bilingual import Run, draw_text, markup, para, split_runs
from forms.fonts import DEVANAGARI, register_fonts
from forms.textblock import TextBlock, plain

KI = "कि"
Draw = Callable[[Canvas], None]


def render(draw: Draw, tmp_path: Path) -> Image.Image:
    pdf = tmp_path / "ki.pdf"
    canvas = Canvas(str(pdf), pagesize=(120, 80))
    draw(canvas)
    canvas.save()
    png = subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf)], capture_output=True,
                         check=True).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def matra_stands_first(image: Image.Image) -> bool:
    width, height = image.size
    px = image.load()
    ink = [[px[x, y] < 128 for x in range(width)] for y in range(height)]
    headline = max(range(height), key=lambda y: sum(ink[y]))  # the shirorekha is the longest dark row
    columns = [x for x in range(width) if any(ink[y][x] for y in range(height))]
    left, right = min(columns), max(columns)
    leftmost = range(left, left + max(2, (right - left) // 8))
    above = sum(ink[y][x] for y in range(headline - 3) for x in leftmost)
    return above > 10


def via_draw_text(canvas: Canvas) -> None:
    draw_text(canvas, 20, 25, KI, 48)


def via_paragraph(canvas: Canvas) -> None:
    p = para(KI, 48)
    p.wrap(100, 80)
    p.drawOn(canvas, 20, 10)


def via_text_block(canvas: Canvas) -> None:
    block = TextBlock(plain(KI), 48)  # labels, headings, statements and values on every form
    block.wrap(100, 80)
    block.drawOn(canvas, 20, 10)


def unshaped(canvas: Canvas) -> None:
    register_fonts()
    canvas.setFont(DEVANAGARI, 48)
    canvas.drawString(20, 25, KI)  # the silently unshaped path this package must never use


@pytest.mark.parametrize("draw", [via_draw_text, via_paragraph, via_text_block], ids=["canvas", "paragraph", "block"])
def test_devanagari_is_shaped(draw: Draw, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not matra_stands_first(render(unshaped, tmp_path))
    with monkeypatch.context() as off:
        off.setattr(bilingual, "SHAPING", False)
        assert not matra_stands_first(render(draw, tmp_path)), "the detector cannot see unshaped text"
    assert matra_stands_first(render(draw, tmp_path)), "कि came out unshaped"


def test_runs_split_by_script_and_neutrals_follow_their_word() -> None:
    assert split_runs("Sex / लिंग (M/F)") == [Run("Sex / ", False), Run("लिंग ", True), Run("(M/F)", False)]
    assert split_runs("मेडिको-लीगल केस (एमएलसी)") == [Run("मेडिको-लीगल केस (एमएलसी)", True)]
    assert split_runs("आभा (ABHA) संख्या") == [Run("आभा ", True), Run("(ABHA) ", False), Run("संख्या", True)]


def test_a_word_that_switches_script_is_split_for_paragraphs() -> None:
    # A Paragraph shapes a whole word in one font, so "ABHAआभा" must become two words.
    assert [r.text for r in split_runs("ABHAआभा", word_safe=True)] == ["ABHA ", "आभा"]
    assert [r.text for r in split_runs("ABHAआभा")] == ["ABHA", "आभा"]


def test_markup_escapes_patient_text_and_keeps_lines() -> None:
    text = markup("Ward <7> & ICU\nगली नं. 4")
    assert "&lt;7&gt; &amp; ICU" in text and "<br/>" in text and f'name="{DEVANAGARI}"' in text
