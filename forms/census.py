"""Sheets from the HMIS snapshot: the ward census pack and single patient summaries.

When an outage starts, each ward needs on paper who is in which bed and what
the HMIS knew about them. ``census_jobs`` lays that out as one pack: every
ward's census sheet, then (with ``summaries``) one patient summary per
in-patient in ward and bed order, so the pack can be split by ward at the
printer. The data come from ``downtime.viewer``, exactly as the screens show it.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import sqlite_utils

from downtime.errors import DowntimeError, NotFoundError
from downtime.session import Session
from downtime.viewer import WardCensus, census, patient_summary
from forms import parallel
from forms.entry_context import form_context
from forms.printing import PrintResult, pdf_path, queue_and_record
from forms.render import FormContext, FormJob, render_pack, render_pack_in_parts
from forms.sheets import SheetData

CENSUS_FORM = "ward_census"
SUMMARY_FORM = "patient_summary"


def in_patients(snapshot: sqlite_utils.Database, ward: str | None = None) -> list[WardCensus]:
    """Every ward's census (or one ward's); an empty census is an error, not an empty pack."""
    wards = census(snapshot, ward)
    if not wards:
        raise NotFoundError(f"the snapshot has no in-patients{f' in ward {ward!r}' if ward else ''}")
    return wards


def census_jobs(snapshot: sqlite_utils.Database, wards: list[WardCensus], ctx: FormContext, as_of: str | None, *,
                summaries: bool = False) -> list[FormJob]:
    """Each ward's census sheet, followed by its patients' summaries if asked."""
    return _jobs(snapshot, _plan(wards, summaries), ctx, as_of)


def render_census_pack(snapshot: sqlite_utils.Database, wards: list[WardCensus], ctx: FormContext,
                       as_of: str | None, out: Path, *, summaries: bool = False, workers: int | None = None) -> Path:
    """The census pack as one PDF; a big one is gathered and rendered in parts on several cores."""
    plan = _plan(wards, summaries)
    count = workers if workers is not None else parallel.workers_for(len(plan))
    parts = [partial(_jobs, snapshot, part, ctx, as_of) for part in parallel.split(plan, count)]
    return render_pack_in_parts(parts, out)


# What the pack holds, in order, before anything is read: a ward's census sheet (patient None),
# then that ward's patients' summaries. Cheap to make, so the pack can be cut into even parts.
_Item = tuple[WardCensus, str | None]


def _plan(wards: list[WardCensus], summaries: bool) -> list[_Item]:
    plan: list[_Item] = []
    for ward in wards:
        plan.append((ward, None))
        if summaries:
            plan += [(ward, p.patient_id) for p in ward.patients]
    return plan


def _jobs(snapshot: sqlite_utils.Database, plan: list[_Item], ctx: FormContext, as_of: str | None) -> list[FormJob]:
    return [FormJob(CENSUS_FORM, ctx, data=SheetData(ward, as_of)) if patient is None else
            FormJob(SUMMARY_FORM, ctx, data=SheetData(patient_summary(snapshot, patient), as_of))
            for ward, patient in plan]


def print_census(session: Session, *, ward: str | None = None, summaries: bool = False, out: Path | None = None,
                 printer: str | None = None, pdf_only: bool = False) -> PrintResult:
    """Print the census pack; the audit entry says which wards and how many patients, never who."""
    snapshot, as_of = _snapshot(session)
    wards = in_patients(snapshot, ward)
    pdf = render_census_pack(snapshot, wards, form_context(session, None), as_of,
                             pdf_path(session, out, CENSUS_FORM, ward or "all-wards"), summaries=summaries)
    subject = (f"ward census: {ward or 'all wards'}, {sum(w.count for w in wards)} in-patients"
               f"{', with patient summaries' if summaries else ''}")
    return queue_and_record(session, pdf, CENSUS_FORM, printer, pdf_only, subject=subject)


def print_patient_summary(session: Session, patient_id: str, *, out: Path | None = None,
                          printer: str | None = None, pdf_only: bool = False) -> PrintResult:
    snapshot, as_of = _snapshot(session)
    summary = patient_summary(snapshot, patient_id)
    job = FormJob(SUMMARY_FORM, form_context(session, None), data=SheetData(summary, as_of))
    pdf = render_pack([job], pdf_path(session, out, SUMMARY_FORM, summary.patient.id))
    return queue_and_record(session, pdf, SUMMARY_FORM, printer, pdf_only,
                            subject=f"patient summary: {summary.patient.id}")


def _snapshot(session: Session) -> tuple[sqlite_utils.Database, str | None]:
    """The session's open snapshot and the HMIS time it was taken."""
    if session.snapshot is None:
        raise DowntimeError("this PC has no snapshot of the HMIS yet; IT imports one with 'downtime snapshot import'")
    return session.snapshot.db, session.snapshot.meta.get("as_of")
