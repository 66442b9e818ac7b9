"""Forms speed: the bilingual admission form with its QR, and a 2,500-patient census pack.

    python bench/bench_forms.py [--renders 1000] [--weasy-renders 20] [--census 2500]

Baseline, measured in the same run: WeasyPrint rendering an equivalent HTML admission form (the same
sections, bilingual labels, values and tick boxes, the DOWNTIME band, header, patient strip and footer
on every page, the QR and Code128 as inline SVG). WeasyPrint is installed only for the bench:

    .venv/bin/python -m pip install weasyprint

and needs Debian's Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
(without HarfBuzz-Subset it subsets fonts with fontTools, about three times slower).

Every render prints a different entry (its own uuid, IP number and so QR), so no cache sees the
same form twice; both renderers produce the PDF in memory, on one core. The census pack is the
real thing: census sheets of every ward plus a summary of every in-patient, read through the
snapshot viewer and rendered on up to 2 processes (its goal is for a 2-core ward PC).
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode import createBarcodeDrawing

from downtime import ids
from downtime.demo_data import generate_export
from downtime.snapshot import build_snapshot, open_snapshot
from forms.census import in_patients, render_census_pack
from forms.codes import QR_QUIET_MODULES, QrData, qr_modules
from forms.examples import SITE, example_ctx
from forms.layout import CHOICE_TYPES, format_value
from forms.render import FormContext, FormJob, pack_pdf
from forms.spec import FormSpec, Section, field_of, load_spec

FORM = "admission"
WEASY_PIP = ".venv/bin/python -m pip install weasyprint"
GOAL_RATIO = 20
GOAL_CENSUS_S = 30.0


def contexts(count: int) -> list[FormContext]:
    """``count`` admissions of the example patient, each its own entry."""
    base = example_ctx(FORM)
    assert base.entry is not None
    return [dataclasses.replace(base, entry={**base.entry, "uuid": f"00000000-0000-4000-8000-{i:012d}",
                                             "human_id": str(ids.HumanId("AIIMS", 42, 10_000 + i))})
            for i in range(count)]


def bench_ours(ctxs: list[FormContext]) -> float:
    pack_pdf([FormJob(FORM, ctxs[0])])  # fonts and specs load once per process, as in the app
    started = time.perf_counter()
    for ctx in ctxs:
        pack_pdf([FormJob(FORM, ctx)])
    return len(ctxs) / (time.perf_counter() - started)


# ---- the same form as HTML, for WeasyPrint ----

CSS = """
@page { size: A4; margin: 190pt 24pt 50pt 24pt;
  @top-left { content: element(furniture); width: 100%; vertical-align: top; }
  @bottom-left { content: element(footer); vertical-align: top; }
  @bottom-right { width: 45%; text-align: right; content: "Page " counter(page) " of " counter(pages) " / पृष्ठ " counter(page) " / " counter(pages);
                  font: bold 7.5pt 'Noto Sans', 'Noto Sans Devanagari'; vertical-align: top; } }
body { font-family: 'Noto Sans', 'Noto Sans Devanagari'; font-size: 7.5pt; margin: 0; }
.furniture { position: running(furniture); width: 547pt; padding-top: 24pt; }
.footer { position: running(footer); font-size: 7pt; border-top: 0.5pt solid black; width: 547pt; }
.band { background: black; color: white; font-weight: bold; font-size: 11pt; padding: 3pt 6pt; }
.band span { float: right; font-size: 7.5pt; font-weight: normal; }
.header { display: flex; justify-content: space-between; margin: 6pt 0; }
.header h1 { font-size: 12.5pt; margin: 2pt 0; } .header h2 { font-size: 11.5pt; margin: 0; }
.strip { border: 1.2pt solid black; padding: 3pt 6pt; display: flex; justify-content: space-between; }
.strip b { font-size: 11pt; }
h3 { background: #dbdbdb; border: 0.5pt solid #737373; font-size: 9.5pt; margin: 7pt 0 0; padding: 2pt 3pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; page-break-inside: avoid; }
td { border: 0.5pt solid #737373; padding: 2pt 3pt 3pt; vertical-align: top; }
.label { font-weight: bold; } .value { font-size: 10pt; min-height: 15pt; }
.box { display: inline-block; width: 7pt; height: 7pt; border: 0.8pt solid black; margin-right: 3pt; }
.checked { background: black; } .statement { font-size: 8.5pt; margin: 3pt 0; }
.sign { display: inline-block; width: 31%; border-top: 0.8pt solid black; margin: 30pt 1% 0 0; font-size: 7pt; }
"""


def qr_svg(payload: str, size: float) -> str:
    rows = qr_modules(payload)
    side = len(rows) + 2 * QR_QUIET_MODULES
    rects = "".join(f'<rect x="{c + QR_QUIET_MODULES}" y="{r + QR_QUIET_MODULES}" width="1" height="1"/>'
                    for r, row in enumerate(rows) for c, m in enumerate(row) if m == "1")
    return f'<svg width="{size}pt" height="{size}pt" viewBox="0 0 {side} {side}">{rects}</svg>'


def code128_svg(value: str) -> str:
    drawing = createBarcodeDrawing("Code128", value=value, barWidth=0.95, barHeight=30, humanReadable=False)
    return renderSVG.drawToString(drawing).split("?>", 1)[-1]


def _bi(en: str, hi: str) -> str:
    return html.escape(f"{en} / {hi}" if en and hi else en or hi)


def _value_html(section: Section, name: str, values: dict[str, Any]) -> str:
    field = field_of(section, name)
    value = values.get(name)
    if field.type in CHOICE_TYPES:
        options = [(c.label_en, c.label_hi, c.value == value or (isinstance(value, list) and c.value in value))
                   for c in field.choices] if field.type != "bool" else \
            [("Yes", "हाँ", value is True), ("No", "नहीं", value is False)]
        return " ".join(f'<span class="box{" checked" if on else ""}"></span>{_bi(en, hi)}&nbsp;&nbsp;'
                        for en, hi, on in options)
    return html.escape(format_value(field, value)).replace("\n", "<br>")


def _section_html(section: Section, values: dict[str, Any]) -> str:
    parts = [f"<h3>{_bi(section.heading.en, section.heading.hi)}</h3>"]
    if section.text:
        parts += [f'<p class="statement">{html.escape(section.text.en)}</p>',
                  f'<p class="statement">{html.escape(section.text.hi)}</p>']
    cells: list[str] = []
    used = 0
    rows: list[str] = []
    for slot in section.fields:
        field = field_of(section, slot.name)
        span = min(slot.span, section.columns)
        if used + span > section.columns:
            rows.append("<tr>" + "".join(cells) + "</tr>")
            cells, used = [], 0
        cells.append(f'<td colspan="{span}"><div class="label">{_bi(field.label_en, field.label_hi)}</div>'
                     f'<div class="value">{_value_html(section, slot.name, values)}</div></td>')
        used += span
    if cells:
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if rows:
        parts.append(f"<table>{''.join(rows)}</table>")
    parts += [f'<div class="sign">{_bi(s.en, s.hi)}</div>' for s in section.signatures]
    return "".join(parts)


def admission_html(spec: FormSpec, ctx: FormContext) -> str:
    entry, patient = ctx.entry or {}, ctx.patient or {}
    qr = QrData(spec.kind, entry["human_id"], spec.name, spec.version, entry["uuid"], patient["id"]).payload()
    body = "".join(_section_html(s, patient if s.source == "patient" else entry["payload"]) for s in spec.sections)
    return f"""<html><head><meta charset="utf-8"><style>{CSS}</style></head><body>
<div class="furniture">
 <div class="band">DOWNTIME / डाउनटाइम <span>Paper record made while the HMIS was down /
  एचएमआईएस बंद रहने के दौरान बना काग़ज़ी रिकॉर्ड</span></div>
 <div class="header"><div><b>{_bi(ctx.site['name'], ctx.site['name_hi'])}</b><br>{html.escape(ctx.site['address'])}
  <br>HFR ID: {ctx.site['hfr_id']}<h1>{html.escape(spec.title.en)}</h1><h2>{html.escape(spec.title.hi)}</h2>
  <b>{_bi(spec.human_id_label.en, spec.human_id_label.hi)}: {entry['human_id']}</b></div>{qr_svg(qr, 70)}</div>
 <div class="strip"><div>Name / नाम: <b>{html.escape(patient['name'])}</b><br>ID / UHID / आईडी: {patient['id']}
  <br>Age/Sex / आयु/लिंग: {patient['age_years']} y / F {html.escape(patient['relative'])}</div>
  <div>{code128_svg(patient['id'])}<br>{patient['id']}</div></div>
</div>
<div class="footer">Printed / मुद्रित: {ctx.printed_at:%d-%m-%Y %H:%M} · device / डिवाइस: {ctx.device} · by / द्वारा:
 {ctx.printed_by}<br>Form / प्ररूप: {spec.name} v{spec.version}</div>
{body}</body></html>"""


def bench_weasyprint(ctxs: list[FormContext]) -> float | None:
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:
        print(f"   weasyprint is not usable here ({exc}); install it with: {WEASY_PIP}")
        return None
    spec = load_spec(FORM)
    fonts = FontConfiguration()  # shared across renders: WeasyPrint's own cache, its best case
    weasyprint.HTML(string=admission_html(spec, ctxs[0])).write_pdf(font_config=fonts)
    started = time.perf_counter()
    for ctx in ctxs:
        weasyprint.HTML(string=admission_html(spec, ctx)).write_pdf(font_config=fonts)
    return len(ctxs) / (time.perf_counter() - started)


# ---- the census pack ----

def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_census(inpatients: int, root: Path) -> tuple[float, float, float, int, int]:
    """Seconds for the whole pack (reading the snapshot included), this process's and its workers' CPU
    seconds (on a busy machine the wall time says more about the neighbours), in-patients, pages."""
    export, db_path, key = root / "export", root / "snapshot.db", os.urandom(32)
    generate_export(export, patients=inpatients * 5, inpatients=inpatients, seed=2022)
    build_snapshot([export], db_path, key)
    ctx = dataclasses.replace(example_ctx(FORM), entry=None, patient=None)
    out = root / "census.pdf"
    with open_snapshot(db_path, key) as snap:
        started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        wards = in_patients(snap.db)
        render_census_pack(snap.db, wards, ctx, snap.meta.get("as_of"), out, summaries=True,
                           workers=min(2, os.cpu_count() or 1))
        elapsed = time.perf_counter() - started
        cpu, children = time.process_time() - cpu, _children_cpu() - children
    return elapsed, cpu, children, sum(w.count for w in wards), len(PdfReader(out).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=1000)
    parser.add_argument("--weasy-renders", type=int, default=20)
    parser.add_argument("--census", type=int, default=2500, help="in-patients in the census pack (0: skip)")
    args = parser.parse_args()
    print(f"   load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; site {SITE['name']}")
    ctxs = contexts(args.renders + args.weasy_renders)
    ours = bench_ours(ctxs[:args.renders])
    theirs = bench_weasyprint(ctxs[args.renders:]) if args.weasy_renders else None
    if theirs:
        print(f"forms.admission_per_s {ours:.1f} (weasyprint {theirs:.2f}/s, x{ours / theirs:.1f}; goal x{GOAL_RATIO})")
    else:
        why = "weasyprint not run" if not args.weasy_renders else f"weasyprint not installed: {WEASY_PIP}"
        print(f"forms.admission_per_s {ours:.1f} ({why}; goal x{GOAL_RATIO})")
    if args.census:
        with tempfile.TemporaryDirectory() as tmp:
            elapsed, cpu, children, patients, pages = bench_census(args.census, Path(tmp))
        print(f"forms.census_pack_s {elapsed:.1f} ({patients} in-patients, {pages} pages on "
              f"{min(2, os.cpu_count() or 1)} processes, CPU {cpu:.1f} s here + {children:.1f} s in the worker, "
              f"load average {os.getloadavg()[0]:.1f}; goal <= {GOAL_CENSUS_S:.0f} s on 2 cores)")


if __name__ == "__main__":
    main()
