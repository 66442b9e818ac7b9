"""Check an entry the way ``Session.record`` will, without writing it.

A workflow that saves several entries at once (a death with its Form 2 and MCCD, a lab order of
several tubes) checks them all first, so the clerk sees every problem before confirming the
patient, and nothing is written until everything is right.
"""

from __future__ import annotations

from typing import Any

from downtime.home import RECORDS_OFFICE
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import validate
from downtime.projections import Resolver
from downtime.session import Session


def check_entry(session: Session, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The normalised payload, or ValidationError; references are checked as ``Session.record`` checks them."""
    resolver = None if session.config.role == RECORDS_OFFICE else Resolver(session.journal.db, session.journal.snapshot)
    return validate(get_kind(kind), payload, resolver)
