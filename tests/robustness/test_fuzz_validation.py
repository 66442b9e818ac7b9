"""Fuzz every entry kind's validation: hostile values never crash it, and every complaint names its field.

Three layers: every field of every kind against a fixed table of hostile values (wrong types, huge and
negative numbers, NUL, lone surrogates, Devanagari with joiners, right-to-left marks, impossible dates);
random whole payloads per kind (missing, extra and hostile fields); and a sample through
``Session.record``, where a refused entry must leave the journal exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from downtime.kinds.schema import Kind, all_kinds, get_kind, kind_names
from downtime.kinds.validate import ValidationError, validate
from downtime.session import Session
from tests.conftest import SUNITA
from tests.robustness.fuzz_settings import RLM, RLO, ZWJ, ZWNJ, fuzz_settings, hostile_value, tallied

TABLE: tuple[Any, ...] = (
    None, True, False, 0, -1, -(2**63), 2**63, 10**400, -(10**400), 1e308, float("inf"), float("nan"), 0.5,
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "x" * 100_000, "सुनीता" * 2000, f"सु{ZWJ}नीता {ZWNJ}देवी",
    f"{RLM}Sunita{RLO}", "0000-00-00", "0001-01-01", "9999-12-31", "1889-12-31", "1984-02-30",
    "0001-01-01T00:00+05:30", "9999-12-31T23:59-12:00", "24:61", "१९८४-०३-१५", "९८७६५४३२१०", "٣", "1e999",
    "99999999999999999999", "-99999999", [], [None], ["x" * 300] * 60, [[["deep"]]], {}, {"a": {"b": [1]}},
)


def names_its_field(kind: Kind, error: Any) -> bool:
    """A complaint about a field says which one: its key or its English label (or the unknown key itself)."""
    known = {f.name: f for f in kind.fields}
    if error.field in known:
        f = known[error.field]
        return f.name in error.message or f.label_en in error.message
    return repr(error.field) in error.message or error.field in error.message


def check_outcome(kind: Kind, payload: Any) -> dict[str, Any] | None:
    """Validate; the only exception allowed is ValidationError, and each of its errors names the field."""
    try:
        clean = validate(kind, payload)
    except ValidationError as exc:
        assert exc.errors, "a ValidationError must list what is wrong"
        for error in exc.errors:
            if isinstance(payload, dict):
                assert names_its_field(kind, error), (kind.name, error)
        return None
    assert isinstance(payload, dict) and set(clean) <= {f.name for f in kind.fields}
    return clean


def test_every_field_of_every_kind_against_the_hostile_table(campaign: Any) -> None:
    with tallied(campaign, "fuzz: validation, field x hostile value") as count:
        for kind in all_kinds():
            for f in kind.fields:
                for value in TABLE:
                    count()
                    check_outcome(kind, {f.name: value})


def test_the_fixed_crashes_stay_fixed() -> None:
    """Found by this campaign: a 400-digit number overflowed the range check, and a lone surrogate passed
    validation only to crash the journal's hash. Both are now a message naming the field."""
    death = get_kind("death.report")
    with pytest.raises(ValidationError, match=r"age_years.*too large"):
        validate(death, {"age_years": 10**400})
    with pytest.raises(ValidationError, match=r"birth_weight_kg"):
        validate(get_kind("birth.report"), {"birth_weight_kg": -(10**400)})
    with pytest.raises(ValidationError, match=r"Full name \(name\) contains invisible control characters"):
        validate(get_kind("patient.register"), {**SUNITA, "name": "Sunita\ud800"})


@pytest.mark.parametrize("kind_name", kind_names())
def test_random_payloads_per_kind(kind_name: str, campaign: Any) -> None:
    kind = get_kind(kind_name)
    fields = st.sampled_from([f.name for f in kind.fields] + ["", "name ", "../x", "\ud800", "__proto__"])
    payloads = st.one_of(st.dictionaries(fields, hostile_value(), max_size=8), hostile_value())

    with tallied(campaign, "fuzz: validation, random payloads") as count:
        @fuzz_settings(15, 2000)
        @given(payloads)
        def check(payload: Any) -> None:
            count()
            check_outcome(kind, payload)

        check()


# -- through Session.record: a refused entry writes nothing -------------------------------------------------

def _admission(patient: str) -> dict[str, Any]:
    when = (dt.datetime.now() - dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    return {"patient": patient, "admitted_at": when, "ward": "Medicine Ward 7", "admitting_doctor": "Dr Anil Rao"}


def _journal_state(session: Session) -> tuple[Any, ...]:
    db = session.journal.db
    return (session.journal.head(), db.execute("SELECT count(*) FROM records").fetchone()[0],
            db.execute("SELECT count(*) FROM patients").fetchone()[0])


def test_record_refuses_hostile_payloads_without_writing(nurse: Session, campaign: Any) -> None:
    patient = nurse.record("patient.register", SUNITA).human_id or ""
    bases = {"patient.register": dict(SUNITA), "encounter.admit": _admission(patient),
             "note": {"patient": patient, "text": "Seen on the ward round"}}
    kinds = st.sampled_from(sorted(bases))

    with tallied(campaign, "fuzz: Session.record with hostile fields") as count:
        @fuzz_settings(40, 1500)
        @given(kinds, st.data())
        def check(kind_name: str, data: st.DataObject) -> None:
            count()
            kind = get_kind(kind_name)
            payload = dict(bases[kind_name])
            for name in data.draw(st.lists(st.sampled_from(kind.field_names()), min_size=1, max_size=3)):
                payload[name] = data.draw(hostile_value())
            before = _journal_state(nurse)
            try:
                entry = nurse.record(kind_name, payload)
            except ValidationError as exc:
                assert all(names_its_field(kind, e) for e in exc.errors), exc
                assert _journal_state(nurse) == before, "a refused entry changed the journal"
                return
            assert entry.payload == validate(kind, payload)
            assert _journal_state(nurse)[0][0] == before[0][0] + 1

        check()
    assert nurse.journal.verify().ok
