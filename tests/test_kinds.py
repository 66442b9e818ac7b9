"""Entry kinds: one schema each, bilingual labels, and messages that name the field."""

from __future__ import annotations

import re

import pytest

from downtime.kinds.schema import all_kinds, get_kind
from downtime.kinds.validate import ValidationError, validate
from downtime.session import Session
from forms.printing import reserve_blank_pack

REQUIRED_KINDS = {
    "patient.register", "encounter.admit", "encounter.transfer", "encounter.discharge", "encounter.death",
    "lab.request", "lab.result", "birth.report", "death.report", "stillbirth.report", "mccd", "note",
    "entry.correct", "entry.void", "downtime.start", "downtime.end",
}
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def test_all_required_kinds_exist_with_bilingual_labels() -> None:
    kinds = {k.name: k for k in all_kinds()}
    assert REQUIRED_KINDS <= set(kinds)
    for kind in kinds.values():
        assert DEVANAGARI.search(kind.label_hi), kind.name
        for f in kind.fields:
            assert f.label_en and DEVANAGARI.search(f.label_hi), (kind.name, f.name)
            for c in f.choices:
                assert c.label_en and c.label_hi, (kind.name, f.name, c.value)


def test_patient_register_has_the_contract_fields() -> None:
    names = set(get_kind("patient.register").field_names())
    assert {"name", "sex", "dob", "age_years", "phone", "address", "pincode", "relative", "uhid", "abha"} <= names
    assert [c.value for c in get_kind("patient.register").field("sex").choices] == ["male", "female", "other"]


def test_dob_or_age_is_enough_but_one_is_needed() -> None:
    kind = get_kind("patient.register")
    assert validate(kind, {"name": "Ramu", "sex": "male", "dob": "1961-01-01"})["dob"] == "1961-01-01"
    assert validate(kind, {"name": "Ramu", "sex": "m", "age_years": "63"})["age_years"] == 63
    with pytest.raises(ValidationError, match=r"give Date of birth \(dob\) or Age \(years\) \(age_years\)"):
        validate(kind, {"name": "Ramu", "sex": "male"})


@pytest.mark.parametrize("field,value,words", [
    ("dob", "15/03/1984", "YYYY-MM-DD"),
    ("dob", "2199-01-01", "in the future"),
    ("phone", "98765", "10-digit"),
    ("pincode", "11002", "6-digit PIN"),
    ("abha", "12-3456", "14-digit ABHA"),
    ("sex", "x", "choose one of: male, female, other"),
    ("age_years", "about 40", "whole number"),
    ("age_years", 150, "at most 130"),
    ("name", "Sunita\x00", "control characters"),
])
def test_messages_name_the_field_and_the_fix(field: str, value: object, words: str) -> None:
    payload = {"name": "Sunita", "sex": "female", "age_years": 40, field: value}
    with pytest.raises(ValidationError) as err:
        validate(get_kind("patient.register"), payload)
    [problem] = err.value.errors
    assert problem.field == field
    assert f"({field})" in problem.message and words in problem.message


def test_normalises_what_clerks_type() -> None:
    out = validate(get_kind("patient.register"), {
        "name": "  Sunita Devi ", "sex": "F", "age_years": 40, "phone": "+91 98765-43210",
        "abha": "91 1234 5678 9012", "pincode": " 110029 "})
    assert out == {"name": "Sunita Devi", "sex": "female", "age_years": 40, "phone": "9876543210",
                   "abha": "91-1234-5678-9012", "pincode": "110029"}


def test_digits_typed_on_a_hindi_keyboard_are_digits_and_circled_ones_are_not() -> None:
    out = validate(get_kind("patient.register"), {"name": "Sunita Devi", "sex": "F", "age_years": 40,
                                                  "phone": "९८७६५४३२१०", "pincode": "११००२९"})
    assert (out["phone"], out["pincode"]) == ("9876543210", "110029")
    for field, value in (("phone", "①②③④⑤⑥⑦⑧⑨⓪"), ("pincode", "¹¹⁰⁰²⁹")):
        with pytest.raises(ValidationError) as err:
            validate(get_kind("patient.register"), {"name": "Sunita Devi", "sex": "F", "age_years": 40, field: value})
        assert [p.field for p in err.value.errors] == [field]


def test_odd_unicode_digits_never_crash_pins_ids_or_dates() -> None:
    from downtime.auth import check_pin_strength
    from downtime.check_digit import verhoeff_valid
    from downtime.errors import DowntimeError
    from sync.person import parse_dob

    with pytest.raises(DowntimeError, match="digits"):
        check_pin_strength("①②③④⑤⑦")
    assert verhoeff_valid("①②③") is False
    assert parse_dob("①②③④") == (None, None) and parse_dob("१९८४") == (None, 1984)


def test_unknown_fields_are_refused_not_dropped() -> None:
    with pytest.raises(ValidationError, match="'nmae' is not a field of patient.register"):
        validate(get_kind("patient.register"), {"nmae": "Sunita", "name": "S", "sex": "female", "age_years": 3})


def test_required_if_rule() -> None:
    admit = {"patient": "X", "admitted_at": "2026-11-20 10:00", "ward": "Casualty", "admitting_doctor": "Dr A",
             "mlc": "yes"}
    with pytest.raises(ValidationError, match="police_station"):
        validate(get_kind("encounter.admit"), admit)


def test_aadhaar_check_digit() -> None:
    kind = get_kind("patient.register")
    base = {"name": "S", "sex": "female", "age_years": 3}
    good = "234123412346"  # valid Verhoeff
    assert validate(kind, {**base, "aadhaar": good})["aadhaar"] == good
    with pytest.raises(ValidationError, match="Aadhaar"):
        validate(kind, {**base, "aadhaar": "234123412347"})


def test_a_list_field_takes_as_many_items_as_its_kind_declares(nurse: Session) -> None:
    # A pack of 500 blank forms, reserved through the same call 'print FORM --blank' uses: one entry lists them all.
    ids = reserve_blank_pack(nurse, "admission", 500)
    [entry] = nurse.journal.entries("ids.reserve")
    assert len(set(ids)) == 500 and entry.payload == {"form": "admission", "count": 500, "ids": ids}
    reserve = get_kind("ids.reserve")
    assert reserve.field("ids").max == reserve.field("count").max == 5000  # as many IDs as forms
    with pytest.raises(ValidationError, match=r"Reserved IDs \(ids\) has 5001 items; at most 5000"):
        validate(reserve, {"form": "admission", "count": 5000, "ids": [f"AIIMS-007-{i:05d}" for i in range(5001)]})
    # A list field that declares no cap keeps the default one.
    with pytest.raises(ValidationError, match=r"Tests \(tests\) has 51 items; at most 50"):
        validate(get_kind("lab.request"), {"patient": "AIIMS-007-00001-4", "tests": [f"T{i}" for i in range(51)],
                                           "sample_type": "blood", "requesting_clinician": "Dr Anil Rao"})
