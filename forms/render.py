"""Render forms to PDF: one entry, a blank pre-numbered form, or a pack of many in one file.

    render_form("admission", ctx, Path("out.pdf"))
    render_blank("admission", ctx, "AIIMS-042-00123-7", Path("blank.pdf"))
    render_pack([FormJob("discharge_slip", ctx) for ctx in contexts], Path("pack.pdf"))
    render_sheet("ward_census", ctx, SheetData(ward_census, as_of), Path("census.pdf"))

The forms of a pack are laid out in one reportlab document (one font subset,
one pass), or, for a big pack, in one document per core, joined afterwards
(``parallel.py``); each form numbers its own pages. The PDF is written
atomically, so a crash never leaves half a form to be printed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.flowables import PageBreakIfNotEmpty

from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError
from forms import parallel, speedups
from forms.codes import QrData
from forms.flowables import Hook
from forms.fonts import register_fonts
from forms.labels import LabelContent, draw_labels
from forms.layout import SlipIdentity, format_value, section_flowables
from forms.page import NumberedCanvas, PageIdentity, age_sex, body_box, draw_page
from forms.sheets import SheetData, sheet_identity, sheet_story
from forms.spec import FormSpec, Section, forms_for, load_spec


@dataclass(frozen=True)
class FormContext:
    """Everything a form needs besides its spec."""

    site: dict[str, Any]  # name, address, hfr_id, optional logo_path and name_hi
    # uuid, seq, device, kind, human_id, payload, staff, recorded_at, clinical_at, supersedes
    entry: dict[str, Any] | None
    patient: dict[str, Any] | None  # name, id (downtime ID or UHID), uhid, age_years, sex, relative, ...
    printed_by: str
    device: str
    printed_at: dt.datetime
    reprint_note: str | None = None


@dataclass(frozen=True)
class FormJob:
    """One form in a pack; ``blank_id`` makes it a blank form pre-numbered with that reserved ID,
    ``data`` is what a sheet (ward census, patient summary) prints instead of an entry."""

    form: str
    ctx: FormContext
    blank_id: str | None = None
    data: SheetData | None = None


@dataclass
class _PackState:
    """Which form the page being laid out belongs to; Hook flowables move it on."""

    site: dict[str, Any] = field(default_factory=dict)
    page: PageIdentity | None = None


def render_form(form: str, ctx: FormContext, out: Path) -> Path:
    """Print one entry on its form."""
    if ctx.entry is None:
        raise DowntimeError(f"form {form} needs an entry to print; use a blank form for paper capture")
    return render_pack([FormJob(form, ctx)], out)


def render_blank(form: str, ctx: FormContext, human_id: str, out: Path) -> Path:
    """Print a blank form pre-numbered with ``human_id`` (reserved from the device's block by the caller)."""
    return render_pack([FormJob(form, ctx, blank_id=human_id)], out)


def render_blank_pack(form: str, ctx: FormContext, human_ids: Sequence[str], out: Path) -> Path:
    """A pack of blank forms, one per reserved ID: the fallback for when the PC itself is down."""
    return render_pack([FormJob(form, ctx, blank_id=h) for h in human_ids], out)


def render_sheet(form: str, ctx: FormContext, data: SheetData, out: Path) -> Path:
    """Print one sheet: a ward's census, or a patient's summary."""
    return render_pack([FormJob(form, ctx, data=data)], out)


def render_pack(jobs: Iterable[FormJob], out: Path, *, workers: int | None = None) -> Path:
    """Lay many forms of the same stock out in one PDF (a census pack, a blank pack, a sheet of labels).

    A big pack of A4 forms is rendered on several cores (``parallel.py``); ``workers=1`` keeps it in this
    process. Labels always stay in one process: a cut between parts would waste half-used label sheets.
    """
    jobs = list(jobs)
    specs = _checked_specs(jobs)
    count = workers if workers is not None else parallel.workers_for(len(jobs))
    if count > 1 and not specs[0].is_labels:
        return render_pack_in_parts([partial(list, part) for part in parallel.split(jobs, count)], out)
    out = Path(out)
    write_atomic(out, pack_pdf(jobs))
    return out


def render_pack_in_parts(parts: Sequence[Callable[[], list[FormJob]]], out: Path) -> Path:
    """One PDF of several parts, each a function that gathers its jobs, rendered on as many cores."""
    out = Path(out)
    write_atomic(out, parallel.render_parts(parts) if len(parts) > 1 else pack_pdf(parts[0]()))
    return out


def pack_pdf(jobs: Sequence[FormJob]) -> bytes:
    """The PDF of ``jobs``, laid out in this process."""
    specs = _checked_specs(jobs)
    with _binary_streams():
        return _labels_pdf(specs, list(jobs)) if specs[0].is_labels else _sheets_pdf(specs, list(jobs))


def _checked_specs(jobs: Sequence[FormJob]) -> list[FormSpec]:
    if not jobs:
        raise DowntimeError("there is nothing to print")
    register_fonts()
    speedups.install()
    specs = [load_spec(job.form) for job in jobs]
    for spec, job in zip(specs, jobs, strict=True):
        _check_fits(spec, job)
    if len({(s.is_labels, s.page_size) for s in specs}) > 1:
        raise DowntimeError("one PDF can only hold forms printed on the same paper; "
                            "print labels and A4 forms separately")
    return specs


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Write PDF streams as plain deflate: ASCII85 on top makes them a quarter bigger and, without
    reportlab's C accelerator, takes a tenth of the render time."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _check_fits(spec: FormSpec, job: FormJob) -> None:
    """Refuse to print an entry on a form meant for another kind or variant: the paper would lie."""
    if spec.is_sheet != (job.data is not None):
        raise DowntimeError(f"form {spec.name} prints {'snapshot data' if spec.is_sheet else 'journal entries'}; "
                            f"use render_{'sheet' if spec.is_sheet else 'form'} for it")
    entry = job.ctx.entry
    if job.blank_id or entry is None or spec.is_sheet:
        return
    if not spec.prints(entry["kind"], entry.get("payload") or {}):
        right = ", ".join(forms_for(entry["kind"], entry.get("payload") or {})) or "none"
        raise DowntimeError(f"form {spec.name} is not for this {entry['kind']} entry; the forms for it are: {right}")


# ---- what the furniture shows ----

def page_identity(spec: FormSpec, job: FormJob, key: str) -> PageIdentity:
    ctx = job.ctx
    if job.data is not None:
        return sheet_identity(spec, job.data, key, printed_at=ctx.printed_at, device=ctx.device,
                              printed_by=ctx.printed_by, reprint_note=ctx.reprint_note or "")
    entry = {} if job.blank_id else (ctx.entry or {})
    patient = {} if job.blank_id else (ctx.patient or {})
    human_id = job.blank_id or entry.get("human_id") or ""
    patient_id = str(patient.get("id") or "")
    # Entries that issue no ID of their own (an MCCD of an unregistered patient) are still findable by
    # device and sequence number, which are unique by construction.
    fallback = f"{entry.get('device')}-{entry.get('seq')}" if entry.get("device") else ""
    own_id = human_id or patient_id or fallback
    qr = QrData(kind=spec.kind, human_id=own_id, form=spec.name, form_version=spec.version,
                entry_uuid=entry.get("uuid"), patient_id=patient_id or None)
    return PageIdentity(
        form_key=key, form=spec.name, form_version=spec.version,
        title_en=spec.title.en, title_hi=spec.title.hi,
        qr_payload=qr.payload(),
        barcode=patient_id or own_id,
        printed_at=ctx.printed_at, device=ctx.device, printed_by=ctx.printed_by,
        patient_name=str(patient.get("name") or ""),
        patient_id=patient_id,
        uhid=str(patient.get("uhid") or ""),
        age_sex=age_sex(patient.get("age_years"), patient.get("sex")),
        relative=str(patient.get("relative") or ""),
        human_id=own_id if own_id != patient_id else "",
        human_id_en=spec.human_id_label.en, human_id_hi=spec.human_id_label.hi,
        reprint_note=ctx.reprint_note or "",
    )


def section_values(section: Section, job: FormJob) -> dict[str, Any]:
    if job.blank_id:
        return {}
    if section.source == "patient":
        return dict(job.ctx.patient or {})
    return dict((job.ctx.entry or {}).get("payload") or {})


# ---- A4 sheets ----

def _sheets_pdf(specs: list[FormSpec], jobs: list[FormJob]) -> bytes:
    page_size = specs[0].page_size
    body = body_box(page_size)
    state = _PackState()

    def furniture(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        if state.page is not None:
            draw_page(canvas, state.site, state.page, page_size)

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=page_size, title=specs[0].title.en if len(jobs) == 1 else "Forms pack",
                          author="Downtime continuity toolkit", invariant=1,
                          leftMargin=body.x, rightMargin=body.x, topMargin=0, bottomMargin=body.y)
    frame = Frame(body.x, body.y, body.width, body.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=2, bottomPadding=0)
    # Furniture is drawn at the end of each page, when the Hook of the form on it has already run.
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPageEnd=furniture)])
    story: list[Flowable] = []
    for i, (spec, job) in enumerate(zip(specs, jobs, strict=True)):
        page = page_identity(spec, job, key=str(i))
        story += [PageBreakIfNotEmpty(), Hook(_switch(state, job.ctx.site, page))]
        story += _form_story(spec, job, page, body.width)
    doc.build(story, canvasmaker=NumberedCanvas)
    return buf.getvalue()


def _switch(state: _PackState, site: dict[str, Any], page: PageIdentity) -> Callable[[], None]:
    def action() -> None:
        state.site, state.page = site, page
    return action


def _form_story(spec: FormSpec, job: FormJob, page: PageIdentity, width: float) -> list[Flowable]:
    if job.data is not None:
        return sheet_story(spec, job.data, width)
    slip = SlipIdentity(hospital=job.ctx.site.get("name", ""), name=page.patient_name,
                        patient_id=page.patient_id or page.human_id, barcode=page.barcode)
    story: list[Flowable] = []
    for section in spec.sections:
        if section.page_break_before:
            story.append(PageBreakIfNotEmpty())
        story += section_flowables(section, section_values(section, job), width, slip)
    return story


# ---- label stock ----

def _labels_pdf(specs: list[FormSpec], jobs: list[FormJob]) -> bytes:
    stock = specs[0].labels
    assert stock is not None
    labels = [_label_content(spec, job) for spec, job in zip(specs, jobs, strict=True)]
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=stock.page_size, invariant=1)
    canvas.setTitle(specs[0].title.en)
    draw_labels(canvas, stock, labels)
    canvas.save()
    return buf.getvalue()


def _label_content(spec: FormSpec, job: FormJob) -> LabelContent:
    stock = spec.labels
    assert stock is not None
    page = page_identity(spec, job, key="label")
    kind = spec.kind_schema()
    payload = section_values(Section(spec.title, spec.kind, "entry"), job)
    values = tuple(v for v in (format_value(kind.field(n), payload.get(n), compact=True)
                               for n in stock.fields) if v)
    own_id = page.human_id or page.barcode
    barcode = page.barcode if stock.barcode == "patient" else own_id
    return LabelContent(patient_name=page.patient_name, patient_id=page.patient_id, age_sex=page.age_sex,
                        barcode=barcode, barcode_text=barcode, values=values, qr_payload=page.qr_payload)


__all__ = ["FormContext", "FormJob", "SheetData", "pack_pdf", "page_identity", "render_blank", "render_blank_pack",
           "render_form", "render_pack", "render_pack_in_parts", "render_sheet"]
