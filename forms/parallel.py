"""Render a big pack on several cores: contiguous slices of the jobs, one PDF each, joined in order.

A census pack of a 2,500-bed hospital is about 3,000 pages; reportlab lays a
document out on one core, so the pack is cut into as many parts as there are
cores (forms never straddle a cut, so "page x of y" stays right), the first part
is rendered here and each other one in a process of its own, and the parts are
joined with pypdf.

Every part embeds its own font subsets. reportlab names subsets AAAAAA+, AAAAAB+
... in every document, so each part gets its own range of names: two different
subsets under one name in one PDF confuse some printers' font caches.

Processes are started with "spawn" (safe beside the GUI's threads, and the only
way on Windows). A frozen (PyInstaller) build renders in one process: its
executable cannot be re-run as a worker without support in its entry point.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from pypdf import PdfWriter
from reportlab.pdfbase import ttfonts

if TYPE_CHECKING:
    from forms.render import FormJob

MIN_FORMS_PER_PART = 150  # below this, starting a process costs more than it saves
SUBSET_NAMES_PER_PART = 10_000  # subset numbers part k uses start at k * this (a pack uses a handful)

_subset_name = ttfonts.SUBSETN
T = TypeVar("T")


def workers_for(forms: int) -> int:
    """How many processes a pack of ``forms`` forms is worth on this PC."""
    if getattr(sys, "frozen", False):
        return 1
    return max(1, min(os.cpu_count() or 1, forms // MIN_FORMS_PER_PART))


def split(items: Sequence[T], parts: int) -> list[list[T]]:
    """``items`` in ``parts`` contiguous slices of (nearly) equal length; none empty."""
    size = -(-len(items) // max(1, parts))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def render_parts(parts: Sequence[Callable[[], list[FormJob]]]) -> bytes:
    """Render each part in its own process and join the PDFs in order.

    A part is a function that gathers its jobs (reading summaries from the snapshot takes a while): the
    later parts are gathered first and handed to workers as they start, then this process gathers and
    renders the first part itself, so gathering, starting processes and rendering overlap.
    """
    with ProcessPoolExecutor(max_workers=max(1, len(parts) - 1), mp_context=multiprocessing.get_context("spawn")) \
            as pool:
        rest = [pool.submit(_render_part, (k, gather())) for k, gather in enumerate(parts[1:], start=1)]
        pdfs = [_render_part((0, parts[0]()))] + [future.result() for future in rest]
    return join_pdfs(pdfs)


def _render_part(part: tuple[int, list[FormJob]]) -> bytes:
    from forms.render import pack_pdf  # in the worker process; render imports this module

    index, jobs = part
    ttfonts.SUBSETN = lambda n, *args: _subset_name(n + index * SUBSET_NAMES_PER_PART, *args)  # type: ignore[assignment]
    try:
        return pack_pdf(jobs)
    finally:
        ttfonts.SUBSETN = _subset_name


def join_pdfs(pdfs: Sequence[bytes]) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdfs[0]))  # the first part as it is: cheaper than appending it
    for pdf in pdfs[1:]:
        writer.append(io.BytesIO(pdf), import_outline=False)
    writer.add_metadata({"/Title": "Forms pack", "/Author": "Downtime continuity toolkit"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
