"""Small platypus flowables the form layouts are built from.

They draw single lines through ``bilingual.draw_text`` (which shapes Devanagari),
so tick boxes, ICD-10 boxes and cut lines are bilingual like everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable

from forms.bilingual import draw_fitted, draw_text, text_width

LINE_H = 15.0  # one handwritten line


@dataclass(frozen=True)
class Option:
    text: str
    checked: bool


class CheckChoices(Flowable):
    """Tick boxes for a choice field, flowing left to right and wrapping; the chosen ones are crossed."""

    def __init__(self, options: list[Option], size: float = 8, box: float = 8.5, gap: float = 10) -> None:
        super().__init__()
        self.options, self.size, self.box, self.gap = options, size, box, gap
        self.line_h = max(box, size) + 5
        self._placed: list[tuple[float, float, Option, float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._placed = []
        x, line = 0.0, 0
        for option in self.options:
            width = min(self.box + 3 + text_width(option.text, self.size, bold=option.checked), avail_width)
            if x > 0 and x + width > avail_width:
                x, line = 0.0, line + 1
            self._placed.append((x, line, option, width))
            x += width + self.gap
        self.width = avail_width
        self.height = (line + 1) * self.line_h + 2
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        for x, line, option, width in self._placed:
            y = self.height - (line + 1) * self.line_h + 2
            canvas.setLineWidth(0.8)
            canvas.rect(x, y, self.box, self.box, stroke=1, fill=0)
            if option.checked:
                canvas.setLineWidth(1.6)
                canvas.line(x + 1.5, y + 1.5, x + self.box - 1.5, y + self.box - 1.5)
                canvas.line(x + 1.5, y + self.box - 1.5, x + self.box - 1.5, y + 1.5)
            draw_fitted(canvas, x + self.box + 3, y + 1, option.text, width - self.box - 3, self.size,
                        bold=option.checked)


class ValueBox(Flowable):
    """A filled-in value (any flowable) with room for at least ``min_height`` of handwriting."""

    def __init__(self, content: Flowable | None, min_height: float) -> None:
        super().__init__()
        self.content, self.min_height = content, min_height
        self._content_h = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._content_h = self.content.wrap(avail_width, avail_height)[1] if self.content else 0.0
        self.width = avail_width
        self.height = max(self._content_h, self.min_height)
        return self.width, self.height

    def draw(self) -> None:
        if self.content:
            self.content.drawOn(self.canv, 0, self.height - self._content_h)


class Shaded(Flowable):
    """A flowable on a filled, outlined band as wide as ``width``, padded like a table cell."""

    def __init__(self, content: Flowable, width: float, fill: Color, stroke: Color, pad: float = 3,
                 pad_top: float = 2, pad_bottom: float = 3) -> None:
        super().__init__()
        self.content, self.width, self.fill, self.stroke = content, width, fill, stroke
        self.pad, self.pad_top, self.pad_bottom = pad, pad_top, pad_bottom
        self._content_h = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._content_h = self.content.wrap(self.width - 2 * self.pad, avail_height)[1]
        self.height = self._content_h + self.pad_top + self.pad_bottom
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(self.fill)
        canvas.setStrokeColor(self.stroke)
        canvas.setLineWidth(0.5)
        canvas.rect(0, 0, self.width, self.height, stroke=1, fill=1)
        canvas.restoreState()
        self.content.drawOn(canvas, self.pad, self.pad_bottom)


class CharBoxes(Flowable):
    """One character per box, as on the MCCD's ICD-10 columns: ``[I][2][1].[9][ ]``."""

    def __init__(self, value: str, before_dot: int = 3, after_dot: int = 2, box: float = 13) -> None:
        super().__init__()
        chars = [c for c in value.upper() if c not in ". "]
        self.cells = [chars[i] if i < len(chars) else "" for i in range(before_dot + after_dot)]
        self.before_dot, self.box = before_dot, box
        self.width = box * len(self.cells) + 6
        self.height = box + 2

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setLineWidth(0.7)
        x = 0.0
        for i, char in enumerate(self.cells):
            if i == self.before_dot:
                canvas.circle(x + 3, 3, 0.9, stroke=0, fill=1)
                x += 6
            canvas.rect(x, 1, self.box, self.box, stroke=1, fill=0)
            if char:
                draw_text(canvas, x + self.box / 2, 4.5, char, 9.5, bold=True, align="centre")
            x += self.box


class RuledLines(Flowable):
    """Empty ruled lines to write on."""

    def __init__(self, count: int, spacing: float = LINE_H + 3) -> None:
        super().__init__()
        self.count, self.spacing = count, spacing

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, self.count * self.spacing
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setLineWidth(0.4)
        for i in range(self.count):
            y = i * self.spacing + 2
            self.canv.line(0, y, self.width, y)


class CutLine(Flowable):
    """A dashed line with "cut here" in both languages, above a detachable slip."""

    def __init__(self, text: str = "Cut here / यहाँ से काटें") -> None:
        super().__init__()
        self.text = text

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, 16
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        label_w = text_width(self.text, 7.5) + 12
        middle = self.width / 2
        canvas.saveState()
        canvas.setDash(4, 3)
        canvas.setLineWidth(0.8)
        canvas.line(0, 8, middle - label_w / 2, 8)
        canvas.line(middle + label_w / 2, 8, self.width, 8)
        canvas.restoreState()
        draw_text(canvas, middle, 5.5, self.text, 7.5, align="centre")


class Hook(Flowable):
    """Takes no space; calls ``action`` when laid out on a page (the renderer uses it to switch forms in a pack)."""

    def __init__(self, action: Callable[[], None]) -> None:
        super().__init__()
        self.action = action
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.action()
