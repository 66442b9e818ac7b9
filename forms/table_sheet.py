"""A plain A4 sheet with a bilingual title and one table: drill results, the IT staging summary.

These are working papers for IT, not patient forms, so they carry no DOWNTIME band or patient identifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from forms.bilingual import bi_para, para
from forms.fonts import register_fonts

USABLE_WIDTH_MM = 174


def render_table_sheet(out: Path, *, title_en: str, title_hi: str, subtitle: str, header: Sequence[str],
                       rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
                       cell_colours: dict[tuple[int, int], str] | None = None, footer: str = "") -> Path:
    """``cell_colours`` maps (column, row) of the body (row 0 = first body row) to a hex colour."""
    register_fonts()
    body = [[para(h, bold=True) for h in header]] + [[para(str(c), size=9) for c in row] for row in rows]
    table = Table(body, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e8eb"))]
    style += [("BACKGROUND", (c, r + 1), (c, r + 1), colors.HexColor(hex_colour))
              for (c, r), hex_colour in (cell_colours or {}).items()]
    table.setStyle(TableStyle(style))
    story = [bi_para(title_en, title_hi, size=16), para(subtitle, size=10), Spacer(1, 6 * mm), table]
    if footer:
        story += [Spacer(1, 14 * mm), para(footer, size=10)]
    SimpleDocTemplate(str(out), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                      title=title_en).build(story)
    return out
