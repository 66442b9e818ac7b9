"""What a statutory form can take from the patient record, so a clerk types each fact once.

The death, birth and still birth workflows all start from a ``PatientSummary`` (the deceased, or
the mother) and fill name, age, relatives and address from it; the clerk checks and completes the
rest. Everything here only proposes values: the entry kinds' validation still decides.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from downtime import viewer
from downtime.names import split_relation
from downtime.session import Session
from downtime.viewer import CurrentEncounter, PatientDetails, PatientSummary


def patient_ref(summary: PatientSummary) -> str:
    """The ID an entry names the patient by: the downtime ID, else the UHID (both resolve the same way)."""
    p = summary.patient
    return p.downtime_id or p.uhid or p.id


def born_on(details: PatientDetails) -> dt.date | None:
    try:
        return dt.date.fromisoformat((details.dob or "")[:10])
    except ValueError:
        return None


def age_years(details: PatientDetails, on: dt.date | None = None) -> int | None:
    """Completed years on ``on`` (today): from the date of birth, else from the age the record gives."""
    on = on or dt.date.today()
    born = born_on(details)
    if born is not None:
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    match = re.match(r"\s*(\d+)\s*y", details.age or "")
    if match:
        return int(match.group(1))
    return 0 if re.match(r"\s*\d+\s*[mdh]", details.age or "") else None  # "3 m", "10 d": a baby


def age_at(details: PatientDetails, at: dt.datetime) -> dict[str, int]:
    """Age at an event the way Form 2 and the MCCD ask for it: years, or months, days or hours under one.

    Without a date of birth only completed years are known, and only those are proposed.
    """
    born = born_on(details)
    if born is None:
        years = age_years(details, at.date())
        return {"age_years": years} if years is not None else {}
    years = age_years(details, at.date())
    if years:
        return {"age_years": years}
    months = (at.year - born.year) * 12 + at.month - born.month - (at.day < born.day)
    if months >= 1:
        return {"age_months": months}
    hours = int((at - dt.datetime.combine(born, dt.time())).total_seconds() // 3600)
    return {"age_days": hours // 24} if hours >= 24 else {"age_hours": max(hours, 0)}


@dataclass(frozen=True)
class Relatives:
    father: str | None = None
    spouse: str | None = None
    mother: str | None = None


def relatives(details: PatientDetails) -> Relatives:
    """Whom "S/o Ramesh Kumar" or "W/o Suresh" names: the father, or the husband."""
    _, code, name = split_relation(details.relation)
    if not name:
        return Relatives()
    if code in ("so", "do"):
        return Relatives(father=name)
    if code in ("wo", "ho"):
        return Relatives(spouse=name)
    if code == "bo":
        return Relatives(mother=name)
    return Relatives()


def institution(session: Session) -> str:
    """The hospital as it is written on statutory forms: its name and, if known, its address."""
    site = session.config.site
    return ", ".join(p for p in (site.get("name", ""), site.get("address", "")) if p)


def informant(session: Session) -> str:
    """For an event in a hospital the law makes the officer in charge the informant."""
    return f"Medical Superintendent, {session.config.site.get('name', '')}".strip(", ")


def without_blanks(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}



def current_admission(session: Session, summary: PatientSummary) -> CurrentEncounter | None:
    """Where the patient is admitted now, as this PC's entries have moved them since the snapshot."""
    snapshot = session.snapshot.db if session.snapshot else None
    return viewer.current_admission(snapshot, session.journal.db, patient_ref(summary))
