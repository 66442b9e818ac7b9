"""Line breaking of form text: at spaces and newlines, never inside a word, widths from the shaped text."""

from __future__ import annotations

from forms.bilingual import text_width
from forms.textblock import Span, bilingual, layout, plain


def texts(lines: tuple[tuple[tuple[float, str, bool], ...], ...]) -> list[str]:
    return ["".join(text for _, text, _ in line) for line in lines]


def test_breaks_at_spaces_within_the_width() -> None:
    width = text_width("Community-acquired pneumonia", 10) + 1
    lines = layout(plain("Community-acquired pneumonia with sepsis"), width, 10)
    assert texts(lines) == ["Community-acquired pneumonia", "with sepsis"]
    assert all(sum(text_width(t, 10, b) for _, t, b in line) <= width for line in lines)


def test_newlines_force_a_break_and_a_long_word_keeps_its_own_line() -> None:
    assert texts(layout(plain("Tab A\nTab B"), 500, 9)) == ["Tab A", "Tab B"]
    assert texts(layout(plain("AIIMS-042-00123-7 x"), 20, 9)) == ["AIIMS-042-00123-7", "x"]


def test_weights_stay_with_their_words_and_pieces_are_placed_left_to_right() -> None:
    (line,) = layout(bilingual("Ward", "वार्ड"), 500, 8)
    assert [(text, bold) for _, text, bold in line] == [("Ward ", True), ("/ वार्ड", False)]  # a space joins its word
    assert line[1][0] == text_width("Ward ", 8, bold=True)
    (glued,) = layout((Span("Name", True), Span(": Sunita")), 500, 8)  # "Name:" is one word of two weights
    assert [(text, bold) for _, text, bold in glued] == [("Name", True), (": Sunita", False)]
