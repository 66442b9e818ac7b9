"""Render docs/ward-guide.md as a two-page A4 PDF to pin up beside the ward PC.

    .venv/bin/python docs/ward_guide_pdf.py        # writes docs/ward-guide.pdf

Reads only the little Markdown the guide uses (title, headings, bullets, one screenshot per
section, a key table, **bold**) and sets it with the forms' fonts and bilingual helpers, so the
Hindi headings are shaped correctly. Each section puts its text beside its screenshot.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from forms.bilingual import markup, style

DOCS = Path(__file__).resolve().parent
SOURCE, OUT = DOCS / "ward-guide.md", DOCS / "ward-guide.pdf"
MARGIN = 1.3 * cm
IMAGE_WIDTH = 8.6 * cm
BODY = 9.2


def inline(text: str) -> str:
    """Markup for one line: **bold** spans in the bold fonts; `code` and *emphasis* as plain text."""
    text = re.sub(r"(?<!\*)\*([^*]+)\*(?!\*)", r"\1", text.replace("`", ""))  # *emphasis*: no italic font
    parts = re.split(r"\*\*(.+?)\*\*", text)
    return "".join(markup(part, bold=i % 2 == 1) for i, part in enumerate(parts) if part)


def para(text: str, size: float = BODY, space_after: float = 0) -> Paragraph:
    return Paragraph(inline(text), style(size, space_after=space_after))


def bullets(lines: list[str]) -> list[Flowable]:
    return [Paragraph("• " + inline(line), style(BODY, space_after=2.5)) for line in lines]


def screenshot(path: Path) -> Image:
    image = Image(str(path))
    image.drawHeight = IMAGE_WIDTH * image.imageHeight / image.imageWidth
    image.drawWidth = IMAGE_WIDTH
    return image


def section(heading: str, image: Path | None, lines: list[str], width: float) -> Flowable:
    title = Paragraph(inline(f"**{heading}**"), style(11, space_after=3))
    if image is None:
        return KeepTogether([title, *bullets(lines), Spacer(0, 4)])
    body = Table([[bullets(lines), screenshot(image)]], colWidths=[width - IMAGE_WIDTH - 6, IMAGE_WIDTH + 6])
    body.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (0, 0), 8), ("RIGHTPADDING", (1, 0), (1, 0), 0)]))
    return KeepTogether([title, body, Spacer(0, 5)])


def key_table(rows: list[list[str]], width: float) -> Table:
    cells = [[Paragraph(inline(c), style(BODY)) for c in row] for row in rows]
    table = Table(cells, colWidths=[width * f for f in (0.16, 0.34, 0.16, 0.34)])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e8eb")),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    return table


def story(text: str, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    heading, image = "", None
    lines: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal heading, image, lines
        if heading:
            out.append(section(heading, image, lines, width))
        heading, image, lines = "", None, []

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("## "):
            flush()
            heading = line[3:]
        elif line.startswith("### "):
            out.append(para(line[4:], 11, space_after=4))
        elif line.startswith("# "):
            out.append(para(f"**{line[2:]}**", 16, space_after=2))
        elif line.startswith("!["):
            image = DOCS / re.search(r"\]\((.+?)\)", line).group(1)  # type: ignore[union-attr]
        elif line.startswith("- "):
            lines.append(line[2:])
        elif line.startswith("|"):
            if not set(line) <= set("|-: "):
                table.append([c.strip() for c in line.strip("|").split("|")])
        elif line.startswith("<!--"):
            continue
        elif line and not heading:
            out.append(para(line, BODY, space_after=4))
    flush()
    if table:
        out.append(key_table(table, width))
    return out


def main() -> int:
    width = A4[0] - 2 * MARGIN
    doc = SimpleDocTemplate(str(OUT), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title="Ward guide: working while the HMIS is down",
                            author="Downtime continuity toolkit")
    doc.build(story(SOURCE.read_text(encoding="utf-8"), width))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
