"""Wrapped text with bold and regular spans, drawn line by line through ``bilingual.draw_text``.

Labels, headings, statements and values on a form are short runs of plain text
in two weights ("**Name** / नाम"). reportlab's Paragraph can set them, but it
parses markup, shapes and measures every word and draws every fragment through
its general machinery on every form, which was most of a form's render time.
This module does only what forms need: break at spaces (and at newlines), keep
a word whose weight changes inside it in one piece, and draw each line's pieces
with ``draw_text``, which shapes Devanagari with HarfBuzz and caches each line.
A laid-out block is cached by its text, width and size, so labels that repeat
on every form of a pack are laid out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.platypus import Flowable

from forms.bilingual import draw_text, text_width

LEADING = 1.35  # x the font size: Devanagari needs room for matras above and below


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False


Rich = tuple[Span, ...]
Part = tuple[str, bool]  # text and weight
Piece = tuple[float, str, bool]  # x offset, text, weight
Line = tuple[Piece, ...]


def plain(text: str, bold: bool = False) -> Rich:
    return (Span(text, bold),)


def bilingual(en: str, hi: str, bold_en: bool = True, bold_hi: bool = False) -> Rich:
    """An English label followed by its Hindi form, the way every label on a form reads."""
    if not (en and hi):
        return plain(en or hi, bold_en if en else bold_hi)
    return (Span(en, bold_en), Span(" / ", False), Span(hi, bold_hi))


def two_lines(en: str, hi: str, bold: bool = False) -> Rich:
    """English on one line and Hindi under it (statements, notes)."""
    return (Span(en, bold), Span("\n", bold), Span(hi, bold)) if hi else plain(en, bold)


def _words(rich: Rich) -> list[tuple[Part, ...] | None]:
    """Words, each as its parts of one weight (most have one); None stands for a forced line break."""
    words: list[tuple[Part, ...] | None] = []
    parts: list[Part] = []

    def end_word() -> None:
        if parts:
            words.append(tuple(parts))
            parts.clear()

    for span in rich:
        for ch in span.text:
            if ch == "\n":
                end_word()
                words.append(None)
            elif ch.isspace():
                end_word()
            elif parts and parts[-1][1] == span.bold:
                parts[-1] = (parts[-1][0] + ch, span.bold)
            else:
                parts.append((ch, span.bold))
    end_word()
    return words


def _line(parts: list[Part], size: float) -> Line:
    """Merge neighbouring parts of one weight, then place them left to right."""
    merged: list[Part] = []
    for text, bold in parts:
        if merged and merged[-1][1] == bold:
            merged[-1] = (merged[-1][0] + text, bold)
        else:
            merged.append((text, bold))
    pieces, x = [], 0.0
    for text, bold in merged:
        pieces.append((x, text, bold))
        x += text_width(text, size, bold)
    return tuple(pieces)


@lru_cache(maxsize=16384)
def layout(rich: Rich, width: float, size: float) -> tuple[Line, ...]:
    """Greedy line breaking at spaces; a word wider than ``width`` gets a line of its own."""
    lines: list[Line] = []
    current: list[Part] = []
    used = 0.0
    for word in _words(rich):
        if word is None:
            lines.append(_line(current, size))
            current, used = [], 0.0
            continue
        word_w = sum(text_width(text, size, bold) for text, bold in word)
        space: Part = (" ", current[-1][1]) if current else ("", False)
        space_w = text_width(space[0], size, space[1]) if current else 0.0
        if current and used + space_w + word_w > width:
            lines.append(_line(current, size))
            current, used, space, space_w = [], 0.0, ("", False), 0.0
        current += [space, *word] if space[0] else list(word)
        used += space_w + word_w
    if current or not lines:
        lines.append(_line(current, size))
    return tuple(lines)


class TextBlock(Flowable):
    """A block of wrapped text (a label, a heading, a statement, a filled-in value)."""

    def __init__(self, rich: Rich, size: float, leading: float | None = None) -> None:
        super().__init__()
        self.rich, self.size = rich, size
        self.leading = leading if leading is not None else round(size * LEADING, 2)
        self._lines: tuple[Line, ...] = ()

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._lines = layout(self.rich, avail_width, self.size)
        self.width, self.height = avail_width, len(self._lines) * self.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []  # short texts; a table row holding one moves to the next page whole

    def draw(self) -> None:
        # The first baseline sits one font size below the top, as a Paragraph's does.
        y = self.height - self.size
        for line in self._lines:
            for x, text, bold in line:
                draw_text(self.canv, x, y, text, self.size, bold=bold)
            y -= self.leading
