"""Births and still births: Form 1 per child, which also registers the newborn, and Form 3.

A delivery of twins is two Form 1 reports (the law asks for one per child) that share the
parents, the place and the statistical part; each gets its own newborn downtime ID, and the
projection names the babies "B/O <mother>" with their order. ``record_births`` writes all the
children of one delivery together, so a half-registered set of twins cannot happen.
"""

from __future__ import annotations

from typing import Any

from downtime import prefill
from downtime.checks import check_entry
from downtime.journal import Entry, write_transaction
from downtime.kinds.validate import ValidationError
from downtime.session import Session
from downtime.viewer import PatientSummary

BIRTH, STILLBIRTH = "birth.report", "stillbirth.report"
# What differs between the children of one delivery; the rest of Form 1 is shared.
PER_CHILD = ("sex", "time_of_birth", "birth_weight_kg", "child_name")
MAX_CHILDREN = 4


class BirthFormsError(ValidationError):
    """A child's Form 1 did not validate; ``child`` is its order in the delivery (1, 2, ...)."""

    def __init__(self, child: int, error: ValidationError):
        self.child = child
        super().__init__(error.kind, error.errors)


def _mother(mother: PatientSummary) -> dict[str, Any]:
    """What Form 1 and Form 3 take from the mother's record."""
    p = mother.patient
    return {"mother": prefill.patient_ref(mother), "mother_name": p.name, "father_name": prefill.relatives(p).spouse}


def birth_draft(session: Session, mother: PatientSummary) -> dict[str, Any]:
    p = mother.patient
    return prefill.without_blanks({
        **_mother(mother), "mother_mobile": p.phone, "address_at_birth": p.address,
        "place_of_birth_type": "institution", "place_of_birth": prefill.institution(session),
        "informant_name": prefill.informant(session), "informant_address": session.config.site.get("address"),
        "mother_age_at_birth": prefill.age_years(p), "attention_at_delivery": "institutional_government",
    })


def stillbirth_draft(session: Session, mother: PatientSummary) -> dict[str, Any]:
    p = mother.patient
    return prefill.without_blanks({
        **_mother(mother), "address": p.address, "place_type": "institution",
        "place": prefill.institution(session), "informant_name": prefill.informant(session),
        "informant_address": session.config.site.get("address"), "mother_age": prefill.age_years(p),
        "attention_at_delivery": "institutional_government",
    })


def child_payloads(shared: dict[str, Any], children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One Form 1 payload per child; for twins or more each carries its order in the delivery."""
    many = len(children) > 1
    out = []
    for order, child in enumerate(children, start=1):
        payload = {**{k: v for k, v in shared.items() if k not in PER_CHILD}, **child}
        payload.pop("multiple_birth", None)
        payload.pop("birth_order_in_delivery", None)
        if many:
            payload |= {"multiple_birth": True, "birth_order_in_delivery": order}
        out.append(payload)
    return out


def record_births(session: Session, shared: dict[str, Any], children: list[dict[str, Any]]) -> list[Entry]:
    """Form 1 for each child of one delivery, all or none; each entry's human ID is the newborn's ID."""
    if not 1 <= len(children) <= MAX_CHILDREN:
        raise ValueError(f"a delivery has 1 to {MAX_CHILDREN} children, not {len(children)}")
    payloads = child_payloads(shared, children)
    for order, payload in enumerate(payloads, start=1):
        try:
            check_entry(session, BIRTH, payload)
        except ValidationError as exc:
            raise BirthFormsError(order, exc) from None
    with write_transaction(session.journal.db):
        return [session.record(BIRTH, payload) for payload in payloads]
