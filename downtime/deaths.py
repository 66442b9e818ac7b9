"""A death in hospital: the encounter.death entry, the Form 2 death report and the MCCD, kept consistent.

One death produces three entries that must agree: the ward records the death, the doctor
certifies the cause (MCCD, Form 4 or 4A), and Form 2 carries only the *underlying* cause from
that certificate (the lowest line used in Part I). ``record_death`` writes them together, all or
nothing. When no doctor is at hand, the ward records the death and Form 2 now and a doctor
certifies later with ``certify``, which also corrects Form 2 with the underlying cause, so the two
papers never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from downtime import prefill
from downtime.checks import check_entry
from downtime.errors import DowntimeError
from downtime.journal import Entry, write_transaction
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError
from downtime.session import Session
from downtime.viewer import PatientSummary

DEATH, REPORT, MCCD = "encounter.death", "death.report", "mccd"
PART_ONE = ("cause_a", "cause_b", "cause_c")
AGE_FIELDS = ("age_years", "age_months", "age_days", "age_hours")


class DeathFormsError(DowntimeError):
    """One or more of the three forms did not validate; ``errors`` holds each kind's problems."""

    def __init__(self, errors: dict[str, ValidationError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors.values()))


@dataclass(frozen=True)
class DeathEntries:
    death: Entry | None
    report: Entry | None
    mccd: Entry | None


@dataclass(frozen=True)
class DeathOnFile:
    """What this PC already holds about a patient's death (the records' current payloads)."""

    death: dict[str, Any] | None
    report: dict[str, Any] | None
    mccd: dict[str, Any] | None

    @property
    def needs_certificate(self) -> bool:
        return self.death is not None and self.mccd is None


def can_certify(role: str) -> bool:
    """Only a doctor-capable role signs an MCCD (the kind's roles say which)."""
    return role in get_kind(MCCD).roles


def underlying_cause(mccd: dict[str, Any]) -> str | None:
    """The underlying cause is on the lowest line of Part I that the doctor used."""
    return next((mccd[f] for f in reversed(PART_ONE) if mccd.get(f)), None)


def _died_at(death: dict[str, Any]) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(death.get("died_at") or "").replace(" ", "T", 1))
    except ValueError:
        return dt.datetime.now()


# ---- drafts ------------------------------------------------------------------------------------

def death_draft(session: Session, summary: PatientSummary) -> dict[str, Any]:
    admission = prefill.current_admission(session, summary)
    if admission is None:
        return {"patient": prefill.patient_ref(summary)}
    return prefill.without_blanks({
        "patient": prefill.patient_ref(summary), "ward": admission.ward, "bed": admission.bed,
        # Only an admission made on a downtime PC has an entry to refer to; the HMIS's has its own number.
        "admission": admission.ip_number if admission.kind == "downtime" else None})


def mccd_draft(session: Session, summary: PatientSummary, death: dict[str, Any]) -> dict[str, Any]:
    """The MCCD's header: who died, where and when; the doctor writes the causes and signs.
    A death in this hospital is institutional (Form 4); the doctor may switch to Form 4A."""
    p = summary.patient
    return prefill.without_blanks({
        "form_variant": "form4",
        "patient": prefill.patient_ref(summary), "hospital_name": session.config.site.get("name"),
        "ward": death.get("ward"), "died_at": death.get("died_at"), "deceased_name": p.name, "sex": p.sex,
        **prefill.age_at(p, _died_at(death)),
    })


def report_draft(session: Session, summary: PatientSummary, death: dict[str, Any],
                 mccd: dict[str, Any] | None) -> dict[str, Any]:
    """Form 2 as far as the record, the death entry and the MCCD can fill it."""
    p = summary.patient
    family = prefill.relatives(p)
    place = prefill.institution(session)
    if death.get("ward"):
        place = f"{death['ward']}, {place}"
    return prefill.without_blanks({
        "patient": prefill.patient_ref(summary), "deceased_name": p.name, "sex": p.sex,
        **prefill.age_at(p, _died_at(death)),
        "father_name": family.father, "spouse_name": family.spouse, "mother_name": family.mother,
        "address_at_death": p.address, "place_of_death_type": "hospital_institution", "place_of_death": place,
        "informant_name": prefill.informant(session), "informant_address": session.config.site.get("address"),
        "medical_attention": "institutional", **report_from_mccd(death, mccd, p.sex),
    })


def report_from_mccd(death: dict[str, Any], mccd: dict[str, Any] | None, sex: str | None) -> dict[str, Any]:
    """The Form 2 fields that follow from the death entry and the certificate: keep them in step."""
    died = str(death.get("died_at") or "")[:10]
    values: dict[str, Any] = {"date_of_death": died or None}
    if mccd and mccd.get("cause_a"):
        values |= {"medically_certified": True, "underlying_cause": underlying_cause(mccd)}
        if sex == "female" and mccd.get("pregnancy_associated"):
            values["female_pregnancy_related"] = mccd["pregnancy_associated"]
    return values


IDENTITY = ("deceased_name", "sex", *AGE_FIELDS)


def compose(session: Session, summary: PatientSummary, death: dict[str, Any], report: dict[str, Any],
            mccd: dict[str, Any] | None) -> dict[str, dict[str, Any] | None]:
    """The three payloads from what was typed on each form, with everything that follows from the others.

    Who died is typed (or checked) once, on Form 2; the MCCD takes it from there, and when and where
    from the death entry. Form 2 takes the date and the underlying cause from those in turn.
    """
    ref = prefill.patient_ref(summary)
    death = {**death, "patient": ref}
    certificate = None
    if mccd is not None:
        header = {k: v for k, v in mccd_draft(session, summary, death).items() if k not in IDENTITY}
        certificate = {**header, **{k: report[k] for k in IDENTITY if k in report}, **mccd}
    report = {**report, "patient": ref, **report_from_mccd(death, certificate, report.get("sex"))}
    return {DEATH: death, REPORT: report, MCCD: certificate}


# ---- checking and writing ----------------------------------------------------------------------

def check(session: Session, forms: dict[str, dict[str, Any] | None]) -> dict[str, dict[str, Any]]:
    """Validate every form given (kind -> payload; None = not part of this save) and the roles, before
    anything is written; raise DeathFormsError naming each form's problems. Returns the clean payloads."""
    if forms.get(MCCD) is not None and not can_certify(session.staff.role):
        raise DowntimeError(f"only a doctor can sign the MCCD; {session.staff.staff_id} is logged in as "
                            f"{session.staff.role or 'no role'}")
    clean, errors = {}, {}
    for kind, payload in forms.items():
        if payload is None:
            continue
        try:
            clean[kind] = check_entry(session, kind, payload)
        except ValidationError as exc:
            errors[kind] = exc
    if errors:
        raise DeathFormsError(errors)
    return clean


def record_death(session: Session, death: dict[str, Any], report: dict[str, Any],
                 mccd: dict[str, Any] | None = None) -> DeathEntries:
    """Write the death, its Form 2 and (if a doctor is signing now) the MCCD, all or none."""
    check(session, {DEATH: death, REPORT: report, MCCD: mccd})
    with write_transaction(session.journal.db):
        death_entry = session.record(DEATH, death)
        mccd_entry = session.record(MCCD, mccd) if mccd is not None else None
        report_entry = session.record(REPORT, report)
    return DeathEntries(death_entry, report_entry, mccd_entry)


def certify(session: Session, patient_id: str, mccd: dict[str, Any]) -> DeathEntries:
    """A doctor certifies a death recorded earlier: the MCCD, and Form 2 corrected to carry its cause."""
    on_file = death_on_file(session, patient_id)
    if on_file.death is None:
        raise DowntimeError(f"no death is recorded for {patient_id} on this PC; record the death first")
    if on_file.mccd is not None:
        raise DowntimeError(f"an MCCD for {patient_id} is already on this PC; correct it instead")
    clean = check(session, {MCCD: mccd})[MCCD]
    with write_transaction(session.journal.db):
        mccd_entry = session.record(MCCD, clean)
        report_entry = None
        if on_file.report is not None:
            fields = {**on_file.report["payload"],
                      **report_from_mccd(on_file.death["payload"], clean, on_file.report["payload"].get("sex"))}
            report_entry = session.correct(on_file.report["uuid"], fields,
                                           "underlying cause added from the MCCD signed by the doctor")
    return DeathEntries(None, report_entry, mccd_entry)


def death_on_file(session: Session, patient_id: str) -> DeathOnFile:
    """The current (not voided) death, Form 2 and MCCD records this PC holds for the patient."""
    found: dict[str, dict[str, Any] | None] = {DEATH: None, REPORT: None, MCCD: None}
    for record in session.patient_history(patient_id):  # newest first
        if record["kind"] in found and record["status"] != "voided" and found[record["kind"]] is None:
            found[record["kind"]] = record
    return DeathOnFile(found[DEATH], found[REPORT], found[MCCD])
