"""Sheets for the ward: the census pack, a patient summary and a lab report.

When an outage starts, each ward needs on paper who is in which bed and what
the HMIS knew about them; as it goes on, who is in which bed *now*. ``print_census``
lays that out as one pack: every ward's census sheet (the snapshot's in-patients as
this PC's admissions, transfers and discharges changed them, ``Session.census``,
exactly as the census screen lists them), then (with ``summaries``) one patient
summary per in-patient in ward and bed order, so the pack can be split by ward at the
printer. ``census_jobs`` and ``render_census_pack`` make the same pack from a snapshot
alone (the bench has no PC). ``print_lab_report`` prints one sample's results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import sqlite_utils

from downtime.errors import NotFoundError
from downtime.lab_report import LabReport, lab_report
from downtime.session import Session
from downtime.viewer import PatientSummary, WardCensus, census, patient_summary
from forms import parallel
from forms.entry_context import form_context
from forms.printing import PrintResult, pdf_path, queue_and_record
from forms.render import FormContext, FormJob, render_pack, render_pack_in_parts
from forms.sheets import SheetData, as_of_text
from forms.spec import Text

CENSUS_FORM = "ward_census"
SUMMARY_FORM = "patient_summary"
LAB_REPORT_FORM = "lab_report"

SummaryOf = Callable[[str], PatientSummary]


def in_patients(snapshot: sqlite_utils.Database, ward: str | None = None) -> list[WardCensus]:
    """Every ward's census (or one ward's) in the snapshot alone; an empty census is an error, not an empty pack."""
    wards = census(snapshot, ward)
    if not wards:
        raise NotFoundError(f"the snapshot has no in-patients{f' in ward {ward!r}' if ward else ''}")
    return wards


def census_jobs(snapshot: sqlite_utils.Database, wards: list[WardCensus], ctx: FormContext, as_of: str | None, *,
                summaries: bool = False) -> list[FormJob]:
    """Each ward's census sheet, followed by its patients' summaries if asked (from the snapshot alone)."""
    return _jobs(partial(patient_summary, snapshot), _plan(wards, summaries), ctx, _Source(as_of))


def render_census_pack(snapshot: sqlite_utils.Database, wards: list[WardCensus], ctx: FormContext,
                       as_of: str | None, out: Path, *, summaries: bool = False, workers: int | None = None) -> Path:
    """The census pack from the snapshot alone as one PDF; a big one is rendered in parts on several cores."""
    return _render(partial(patient_summary, snapshot), _plan(wards, summaries), ctx, _Source(as_of), out, workers)


# What the pack holds, in order, before anything is read: a ward's census sheet (patient None),
# then that ward's patients' summaries. Cheap to make, so the pack can be cut into even parts.
_Item = tuple[WardCensus, str | None]


@dataclass(frozen=True)
class _Source:
    """When the snapshot was taken, and what else the census sheets hold (None: the snapshot alone)."""

    as_of: str | None
    census: Text | None = None


def _plan(wards: list[WardCensus], summaries: bool) -> list[_Item]:
    plan: list[_Item] = []
    for ward in wards:
        plan.append((ward, None))
        if summaries:
            plan += [(ward, p.patient_id) for p in ward.patients]
    return plan


def _render(summary_of: SummaryOf, plan: list[_Item], ctx: FormContext, source: _Source, out: Path,
            workers: int | None = None) -> Path:
    count = workers if workers is not None else parallel.workers_for(len(plan))
    # Each part is gathered in this process (parallel.render_parts), so ``summary_of`` may read the session.
    return render_pack_in_parts([partial(_jobs, summary_of, part, ctx, source)
                                 for part in parallel.split(plan, count)], out)


def _jobs(summary_of: SummaryOf, plan: list[_Item], ctx: FormContext, source: _Source) -> list[FormJob]:
    jobs = []
    for ward, patient in plan:
        if patient is None:
            jobs.append(FormJob(CENSUS_FORM, ctx, data=SheetData(ward, source.as_of, source.census)))
        else:
            summary = summary_of(patient)
            jobs.append(FormJob(SUMMARY_FORM, ctx, data=SheetData(summary, source.as_of,
                                                                  summary_source(summary, source.as_of))))
    return jobs


# -- printing from a ward PC ----------------------------------------------------------------------

def ward_census(session: Session, ward: str | None = None) -> list[WardCensus]:
    """Who is in which bed now, per ward (or in one ward); nobody at all is an error, not an empty pack."""
    wards = session.census(ward)
    if not wards:
        where = f" in ward {ward!r}" if ward else ""
        raise NotFoundError(f"no in-patients{where} in the snapshot or among this PC's admissions; "
                            "check the ward's name")
    return wards


def print_census(session: Session, *, ward: str | None = None, summaries: bool = False, out: Path | None = None,
                 printer: str | None = None, pdf_only: bool = False) -> PrintResult:
    """Print the census pack; the audit entry says which wards and how many patients, never who."""
    wards = ward_census(session, ward)
    as_of = _as_of(session)
    source = _Source(as_of, census_source(as_of, dt.datetime.now()))
    pdf = _render(session.current_summary, _plan(wards, summaries), form_context(session, None), source,
                  pdf_path(session, out, CENSUS_FORM, ward or "all-wards"))
    subject = (f"ward census: {ward or 'all wards'}, {sum(w.count for w in wards)} in-patients"
               f"{', with patient summaries' if summaries else ''}")
    return queue_and_record(session, pdf, CENSUS_FORM, printer, pdf_only, subject=subject)


def print_patient_summary(session: Session, patient_id: str, *, out: Path | None = None,
                          printer: str | None = None, pdf_only: bool = False) -> PrintResult:
    """Print one patient's summary: from the snapshot with this PC's records, or, for a patient registered
    during the downtime, this PC's records alone."""
    summary = session.current_summary(patient_id)
    as_of = _as_of(session)
    job = FormJob(SUMMARY_FORM, form_context(session, None),
                  data=SheetData(summary, as_of, summary_source(summary, as_of)))
    pdf = render_pack([job], pdf_path(session, out, SUMMARY_FORM, summary.patient.id))
    return queue_and_record(session, pdf, SUMMARY_FORM, printer, pdf_only,
                            subject=f"patient summary: {summary.patient.id}")


def print_lab_report(session: Session, accession: str, *, patient_id: str | None = None, out: Path | None = None,
                     printer: str | None = None, pdf_only: bool = False) -> PrintResult:
    """Print the results of one sample (``patient_id``: who a sample requested on another PC is from)."""
    snapshot = session.snapshot.db if session.snapshot else None
    report = lab_report(session.journal.db, snapshot, accession, patient_id)
    job = FormJob(LAB_REPORT_FORM, form_context(session, None), data=SheetData(report, None, LAB_REPORT_SOURCE))
    pdf = render_pack([job], pdf_path(session, out, LAB_REPORT_FORM, report.accession))
    return queue_and_record(session, pdf, LAB_REPORT_FORM, printer, pdf_only, subject=_report_subject(report),
                            covers=report.records)


def _report_subject(report: LabReport) -> str:
    return (f"lab report: {report.accession}, {len(report.results)} result(s), "
            f"{report.abnormal_count} abnormal")


# -- where each sheet's facts come from (printed under its header) --------------------------------

LAB_REPORT_SOURCE = Text("Results entered on this PC during the downtime; they go to the HMIS when it is back.",
                         "डाउनटाइम में इस PC पर दर्ज परिणाम; एचएमआईएस लौटने पर उसमें जाएँगे।")


def census_source(as_of: str | None, now: dt.datetime) -> Text:
    until = now.strftime("%d-%m-%Y %H:%M")
    if as_of is None:
        return Text(f"This PC has no HMIS snapshot: only its own downtime admissions, up to {until}.",
                    f"इस PC पर एचएमआईएस स्नैपशॉट नहीं है: केवल इसकी डाउनटाइम भर्तियाँ, {until} तक।")
    when = as_of_text(as_of)
    return Text(f"The HMIS snapshot of {when}, with this PC's downtime admissions, transfers and discharges up to "
                f"{until}. Other PCs' entries are not shown.",
                f"एचएमआईएस स्नैपशॉट {when}, और इस PC पर {until} तक की डाउनटाइम भर्ती, स्थानांतरण और छुट्टी। "
                "दूसरे PC की प्रविष्टियाँ इसमें नहीं हैं।")


def summary_source(summary: PatientSummary, as_of: str | None) -> Text | None:
    """None keeps the snapshot's own note, for a summary with nothing from this PC (the bench's packs)."""
    if summary.patient.source != "snapshot":
        return Text("Registered on this PC during the downtime: the HMIS has no record of this patient yet. "
                    "Everything below is from this PC's downtime records.",
                    "डाउनटाइम में इस PC पर पंजीकृत: एचएमआईएस में इस रोगी का अभी कोई अभिलेख नहीं। नीचे सब कुछ इस PC "
                    "के डाउनटाइम अभिलेखों से है।")
    if not summary.downtime:
        return None
    when = as_of_text(as_of)
    return Text(f"From the HMIS snapshot taken {when}, with this PC's downtime records; anything recorded in the "
                "HMIS since the snapshot is not shown.",
                f"एचएमआईएस स्नैपशॉट {when} से, इस PC के डाउनटाइम अभिलेखों के साथ; स्नैपशॉट के बाद एचएमआईएस में दर्ज "
                "कुछ भी इसमें नहीं है।")


def _as_of(session: Session) -> str | None:
    """When the HMIS snapshot was taken; None on a PC that has none (its census is its own admissions)."""
    return session.snapshot.meta.get("as_of") if session.snapshot else None
