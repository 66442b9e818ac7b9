"""Tables of plain values for sheets: a roster (a row per patient, allergy, result) and a details grid.

A ward census pack prints thousands of rows, so these do not build a platypus
Table of Paragraphs: cells are wrapped word by word and each line is drawn with
``bilingual.draw_fitted``, which shapes Devanagari through HarfBuzz (names and
addresses from the HMIS may be in Hindi) and caches each shaped line. A roster
splits between rows and repeats its header on every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable

from forms.bilingual import draw_fitted, text_width

PAD = 2.5
GRID = colors.Color(0.45, 0.45, 0.45)
HEADER_BG = colors.Color(0.86, 0.86, 0.86)
HIGHLIGHT_BG = colors.Color(0.9, 0.9, 0.9)
BLANK_ROW_H = 22.0  # room to write one row by hand


@lru_cache(maxsize=32768)
def wrap_text(text: str, width: float, size: float, bold: bool = False) -> tuple[str, ...]:
    """Greedy word wrap on spaces and newlines; a word wider than ``width`` keeps a line of its own
    (``draw_fitted`` then shrinks it, so an ID is never cut in two)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size, bold) > width:
                lines.append(line)
                candidate = word
            line = candidate
        if line:
            lines.append(line)
    return tuple(lines)


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    highlight: bool = False


class Roster(Flowable):
    """Rows under a header row; splits between rows, repeating the header.

    ``caption`` (the block's heading and note) is drawn above the first part only, and always with at least
    one row under it: a KeepTogether around a roster longer than a page would leave a page empty instead.
    """

    def __init__(self, header: Sequence[str], widths: Sequence[float], rows: Sequence[Row], blank_rows: int = 0,
                 size: float = 8, header_size: float = 7, caption: Sequence[Flowable] = ()) -> None:
        super().__init__()
        self.header, self.widths, self.rows = tuple(header), tuple(widths), tuple(rows)
        self.blank_rows, self.size, self.header_size = blank_rows, size, header_size
        self.caption = tuple(caption)
        self.leading = size * 1.3
        self._header_lines = self._lines(self.header, header_size, bold=True)
        self._row_lines = [self._lines(row.cells, size, row.highlight) for row in self.rows]
        self._caption_hs: list[float] = []

    def _lines(self, cells: Sequence[str], size: float, bold: bool) -> tuple[tuple[str, ...], ...]:
        return tuple(wrap_text(text, w - 2 * PAD, size, bold) for text, w in zip(cells, self.widths, strict=True))

    def _height_of(self, lines: tuple[tuple[str, ...], ...], leading: float) -> float:
        return max((len(cell) for cell in lines), default=0) * leading + 2 * PAD + 1

    def _heights(self) -> tuple[float, list[float]]:
        header = self._height_of(self._header_lines, self.header_size * 1.3)
        rows = [max(self._height_of(lines, self.leading), self.leading + 2 * PAD + 1) for lines in self._row_lines]
        return header, rows + [BLANK_ROW_H] * self.blank_rows

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        header, rows = self._heights()
        self._caption_hs = [part.wrap(avail_width, avail_height)[1] for part in self.caption]
        self.width, self.height = sum(self.widths), sum(self._caption_hs) + header + sum(rows)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        header, rows = self._heights()
        used, fit = sum(part.wrap(avail_width, avail_height)[1] for part in self.caption) + header, 0
        for height in rows:
            if used + height > avail_height:
                break
            used, fit = used + height, fit + 1
        if fit == 0 or fit == len(rows):
            return []
        kept_blank = max(0, fit - len(self.rows))  # blank rows that still fit on this page
        return [Roster(self.header, self.widths, self.rows[:fit], kept_blank, self.size, self.header_size,
                       self.caption),
                Roster(self.header, self.widths, self.rows[fit:], self.blank_rows - kept_blank, self.size,
                       self.header_size)]

    def draw(self) -> None:
        header, rows = self._heights()
        top = self.height
        for part, height in zip(self.caption, self._caption_hs, strict=True):
            top -= height
            part.drawOn(self.canv, 0, top)
        # (top, height, lines, size, bold, fill) of the header row and then of every row
        blank: tuple[tuple[str, ...], ...] = tuple(() for _ in self.widths)
        placed = [(top, header, self._header_lines, self.header_size, True, HEADER_BG)]
        top -= header
        for i, height in enumerate(rows):
            row = self.rows[i] if i < len(self.rows) else None
            lit = bool(row and row.highlight)
            placed.append((top, height, self._row_lines[i] if row else blank, self.size, lit,
                           HIGHLIGHT_BG if lit else None))
            top -= height
        self._draw_grid(placed)
        for row_top, _, lines, size, bold, _ in placed:
            self._draw_text(row_top, lines, size, bold)

    def _draw_grid(self, placed: list[tuple[float, float, tuple[tuple[str, ...], ...], float, bool, Any]]) -> None:
        """Shading, then every rule of the table as one path: a few operators instead of a state per row."""
        canvas = self.canv
        canvas.saveState()
        for top, height, _, _, _, fill in placed:
            if fill is not None:
                canvas.setFillColor(fill)
                canvas.rect(0, top - height, self.width, height, stroke=0, fill=1)
        path = canvas.beginPath()
        bottom = placed[-1][0] - placed[-1][1]
        path.rect(0, bottom, self.width, placed[0][0] - bottom)
        for top, _, _, _, _, _ in placed[1:]:
            path.moveTo(0, top)
            path.lineTo(self.width, top)
        x = 0.0
        for w in self.widths[:-1]:
            x += w
            path.moveTo(x, bottom)
            path.lineTo(x, placed[0][0])
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.restoreState()

    def _draw_text(self, top: float, lines: tuple[tuple[str, ...], ...], size: float, bold: bool) -> None:
        leading = size * 1.3
        x = 0.0
        for cell, w in zip(lines, self.widths, strict=True):
            y = top - PAD - size
            for line in cell:
                draw_fitted(self.canv, x + PAD, y, line, w - 2 * PAD, size, bold=bold)
                y -= leading
            x += w


@dataclass(frozen=True)
class Detail:
    label: str  # bilingual, e.g. "Ward / वार्ड"
    value: str


class Details(Flowable):
    """Labelled values, ``per_row`` side by side in boxes: the label small, the value bold under it."""

    def __init__(self, items: Sequence[Detail], per_row: int, label_size: float = 7, size: float = 9) -> None:
        super().__init__()
        self.items, self.per_row = tuple(items), per_row
        self.label_size, self.size = label_size, size
        self._cells: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        self._row_heights: list[float] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        inner = avail_width / self.per_row - 2 * PAD
        self._cells = [(wrap_text(item.label, inner, self.label_size), wrap_text(item.value, inner, self.size, True))
                       for item in self.items]
        self._row_heights = [
            max(self._cell_height(*cell) for cell in self._cells[i:i + self.per_row])
            for i in range(0, len(self._cells), self.per_row)
        ]
        self.height = sum(self._row_heights)
        return self.width, self.height

    def _cell_height(self, label: tuple[str, ...], value: tuple[str, ...]) -> float:
        return len(label) * self.label_size * 1.3 + max(len(value), 1) * self.size * 1.3 + 2 * PAD + 2

    def draw(self) -> None:
        canvas = self.canv
        column_w = self.width / self.per_row
        top = self.height
        for r, row_h in enumerate(self._row_heights):
            for c, (label, value) in enumerate(self._cells[r * self.per_row:(r + 1) * self.per_row]):
                x = c * column_w
                canvas.saveState()
                canvas.setStrokeColor(GRID)
                canvas.setLineWidth(0.5)
                canvas.rect(x, top - row_h, column_w, row_h, stroke=1, fill=0)
                canvas.restoreState()
                y = top - PAD - self.label_size
                for line in label:
                    draw_fitted(canvas, x + PAD, y, line, column_w - 2 * PAD, self.label_size)
                    y -= self.label_size * 1.3
                y += self.label_size * 1.3 - self.size * 1.3 - 1  # first value line, under the last label line
                for line in value:
                    draw_fitted(canvas, x + PAD, y, line, column_w - 2 * PAD, self.size, bold=True)
                    y -= self.size * 1.3
            top -= row_h
