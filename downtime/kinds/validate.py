"""Check and normalise an entry's payload against its kind.

Messages are written for a ward clerk: each names the field (its English label
and its key) and says what to write instead. Every problem in the payload is
reported at once, so a form is corrected in one pass, not one error at a time.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from downtime import clock
from downtime.check_digit import verhoeff_valid
from downtime.errors import DowntimeError
from downtime.kinds.schema import Field, Kind

TEXT_MAX = 200
INT_DIGITS = 9  # whole numbers typed on a form; a longer one is a slip (and would overflow SQLite)
TEXTAREA_MAX = 4000
LIST_MAX_ITEMS = 50
FUTURE_TOLERANCE = dt.timedelta(days=1)  # a ward PC clock may be a little fast
OLDEST_DATE = dt.date(1890, 1, 1)

# Lone surrogates (a broken paste, or "\ud800" in a JSON file) cannot be stored as UTF-8: refuse them here.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
_UHID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/.\-]{0,29}$")
_TRUE = {"true", "yes", "y", "1", "haan", "हाँ", "हां"}
_FALSE = {"false", "no", "n", "0", "nahin", "नहीं"}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ValidationError(DowntimeError):
    def __init__(self, kind: str, errors: list[FieldError]):
        self.kind = kind
        self.errors = errors
        if len(errors) == 1:
            text = f"{kind}: {errors[0].message}"
        else:
            text = f"{kind}: {len(errors)} problems: " + "; ".join(e.message for e in errors)
        super().__init__(text)


class RefResolver(Protocol):
    """Answers whether a reference typed on a form points at something real."""

    def patient_exists(self, ref: str) -> bool: ...

    def entry_exists(self, ref: str) -> bool: ...


class Problem(ValueError):
    """Raised by a normaliser with the words that follow the field's name."""


def _now() -> dt.datetime:
    return clock.now_naive()


def _text(f: Field, v: Any) -> str:
    if not isinstance(v, (str, int, float)) or isinstance(v, bool):
        raise Problem("write it as plain text")
    s = str(v).strip()
    if _CONTROL.search(s):
        raise Problem("contains invisible control characters; retype it")
    limit = f.max_length or (TEXTAREA_MAX if f.type == "textarea" else TEXT_MAX)
    if len(s) > limit:
        raise Problem(f"is too long ({len(s)} characters); keep it under {limit}")
    return s


def _int(f: Field, v: Any) -> int:
    if isinstance(v, bool):
        raise Problem("write a whole number")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", v):
        v = int(v)
    if not isinstance(v, int):
        raise Problem(f"write a whole number, for example {int(f.min or 0) + 1}")
    if abs(v) >= 10 ** INT_DIGITS:
        raise Problem(f"is too large; write a whole number of at most {INT_DIGITS} digits")
    _check_range(f, v)
    return v


def _number(f: Field, v: Any) -> float:
    if isinstance(v, bool):
        raise Problem("write a number")
    try:
        n = float(str(v).strip()) if isinstance(v, str) else float(v)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a whole number beyond any float
        raise Problem("write a number, for example 2.8") from None
    if n != n or n in (float("inf"), float("-inf")):
        raise Problem("write a number, for example 2.8")
    _check_range(f, n)
    return n


def _check_range(f: Field, n: float) -> None:
    if f.min is not None and n < f.min:
        raise Problem(f"must be at least {_num(f.min)} (you wrote {_num(n)})")
    if f.max is not None and n > f.max:
        raise Problem(f"must be at most {_num(f.max)} (you wrote {_num(n)})")


def _num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


def _date(f: Field, v: Any) -> str:
    try:
        d = dt.date.fromisoformat(str(v).strip())
    except ValueError:
        raise Problem("write the date as YYYY-MM-DD, for example 1984-03-15") from None
    if d < OLDEST_DATE:
        raise Problem(f"{d.isoformat()} is too long ago; check the year")
    if d > (_now() + FUTURE_TOLERANCE).date():
        raise Problem(f"{d.isoformat()} is in the future; check the date")
    return d.isoformat()


def _datetime(f: Field, v: Any) -> str:
    s = str(v).strip().replace(" ", "T", 1)
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        raise Problem("write the date and time as YYYY-MM-DD HH:MM, for example 2026-11-22 14:30") from None
    t = t.replace(tzinfo=None, second=0, microsecond=0)
    if t.date() < OLDEST_DATE:
        raise Problem(f"{t:%Y-%m-%d} is too long ago; check the year")
    if t > _now() + FUTURE_TOLERANCE:
        raise Problem(f"{t:%Y-%m-%d %H:%M} is in the future; check the date and the PC clock")
    return t.strftime("%Y-%m-%dT%H:%M")


def _time(f: Field, v: Any) -> str:
    try:
        t = dt.time.fromisoformat(str(v).strip())
    except ValueError:
        raise Problem("write the time as HH:MM (24-hour), for example 14:30") from None
    return t.strftime("%H:%M")


def _bool(f: Field, v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().casefold()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise Problem("answer yes or no")


def _choice_value(f: Field, v: Any) -> str:
    s = str(v).strip().casefold()
    for c in f.choices:
        if s in (c.value.casefold(), c.label_en.casefold(), c.label_hi.casefold()):
            return c.value
    # One letter is enough when it is unambiguous (M/F/O on a paper register).
    starting = [c for c in f.choices if len(s) == 1 and c.value.casefold().startswith(s)]
    if len(starting) == 1:
        return starting[0].value
    raise Problem("choose one of: " + ", ".join(c.value for c in f.choices))


def _multichoice(f: Field, v: Any) -> list[str]:
    items = _split_list(v)
    return [_choice_value(f, item) for item in items]


def _split_list(v: Any) -> list[Any]:
    if isinstance(v, str):
        return [p.strip() for p in re.split(r"[,;\n]", v) if p.strip()]
    if isinstance(v, (list, tuple)):
        return list(v)
    raise Problem("write a list, for example CBC, LFT")


def _list(f: Field, v: Any) -> list[str]:
    items = [_text(f, item) for item in _split_list(v)]
    items = [i for i in items if i]
    # A list field's ``max`` in its kind is its most items (a pack of blank forms lists thousands of IDs).
    limit = int(f.max) if f.max is not None else LIST_MAX_ITEMS
    if len(items) > limit:
        raise Problem(f"has {len(items)} items; at most {limit}")
    return items


def _digits(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise Problem("write digits only")
    # Digits typed on a Hindi keyboard (०-९) are the same digits; "①" or "²" are not digits to a phone.
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
                   for ch in re.sub(r"[\s\-().+]", "", str(v)))


def _phone(f: Field, v: Any) -> str:
    d = _digits(v)
    if len(d) == 12 and d.startswith("91"):
        d = d[2:]
    elif len(d) == 11 and d.startswith("0"):
        d = d[1:]
    if not (d.isascii() and d.isdecimal()) or len(d) != 10:
        raise Problem(f"write a 10-digit phone number, for example 9876543210 (found {len(d)} characters)")
    return d


def _pincode(f: Field, v: Any) -> str:
    d = _digits(v)
    if not re.fullmatch(r"[1-9]\d{5}", d):
        raise Problem("write the 6-digit PIN code, for example 110029")
    return d


def _abha(f: Field, v: Any) -> str:
    d = _digits(v)
    if not re.fullmatch(r"\d{14}", d):
        raise Problem("write the 14-digit ABHA number, for example 91-1234-5678-9012")
    return f"{d[:2]}-{d[2:6]}-{d[6:10]}-{d[10:]}"


def _aadhaar(f: Field, v: Any) -> str:
    d = _digits(v)
    if not re.fullmatch(r"[2-9]\d{11}", d):
        raise Problem("write the 12-digit Aadhaar number")
    if not verhoeff_valid(d):
        raise Problem("is not a valid Aadhaar number (check digit does not match); check each digit")
    return d


def _email(f: Field, v: Any) -> str:
    s = _text(f, v)
    if not _EMAIL.match(s):
        raise Problem("write an e-mail address like name@example.com")
    return s


def _uhid(f: Field, v: Any) -> str:
    s = _text(f, v).upper()
    if not _UHID.match(s):
        raise Problem("write the UHID as printed on the hospital card (letters, digits, - / .)")
    return s


def _icd10(f: Field, v: Any) -> str:
    s = _text(f, v).upper().replace(" ", "")
    if not _ICD10.match(s):
        raise Problem("write an ICD-10 code like I21.9 or A09")
    return s


def _ref(f: Field, v: Any) -> str:
    s = _text(f, v)
    if not s:
        raise Problem("is required")
    return s


def _object(f: Field, v: Any) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise Problem("must be a set of fields")
    return v


NORMALISERS: dict[str, Callable[[Field, Any], Any]] = {
    "text": _text, "textarea": _text, "int": _int, "number": _number, "date": _date,
    "datetime": _datetime, "time": _time, "bool": _bool, "choice": _choice_value,
    "multichoice": _multichoice, "phone": _phone, "pincode": _pincode, "abha": _abha,
    "aadhaar": _aadhaar, "email": _email, "uhid": _uhid, "patient_ref": _ref, "entry_ref": _ref,
    "icd10": _icd10, "list": _list, "object": _object,
}


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, (list, dict)) and not v)


def _name(f: Field) -> str:
    return f"{f.label_en} ({f.name})"


def validate(kind: Kind, payload: Any, resolver: RefResolver | None = None) -> dict[str, Any]:
    """Return the normalised payload, or raise ValidationError listing every problem."""
    if not isinstance(payload, dict):
        raise ValidationError(kind.name, [FieldError("", "the entry must be a set of named fields (a JSON object)")])
    errors: list[FieldError] = []
    known = {f.name: f for f in kind.fields}
    for key in payload:
        if key not in known:
            errors.append(FieldError(str(key), f"{key!r} is not a field of {kind.name}; the fields are: "
                                     + ", ".join(known)))
    clean: dict[str, Any] = {}
    for f in kind.fields:
        raw = payload.get(f.name)
        if _is_blank(raw):
            continue
        try:
            clean[f.name] = NORMALISERS[f.type](f, raw)
        except Problem as p:
            errors.append(FieldError(f.name, f"{_name(f)} {p}"))
    errors += _required(kind, clean, payload)
    errors += _references(kind, clean, resolver)
    if errors:
        raise ValidationError(kind.name, errors)
    return clean


def _required(kind: Kind, clean: dict[str, Any], payload: dict[str, Any]) -> list[FieldError]:
    errors = []
    for f in kind.fields:
        if f.required and f.name not in clean and f.name in payload and not _is_blank(payload[f.name]):
            continue  # already reported as badly written
        if f.required and f.name not in clean:
            errors.append(FieldError(f.name, f"{_name(f)} is required"))
    for group in kind.require_one_of:
        if not any(name in clean or not _is_blank(payload.get(name)) for name in group):
            labels = " or ".join(_name(kind.field(n)) for n in group)
            errors.append(FieldError(group[0], f"give {labels}"))
    for rule in kind.rules:
        if rule.type == "required_if" and clean.get(rule.when_field) in rule.when_values:
            if rule.field not in clean and _is_blank(payload.get(rule.field)):
                f = kind.field(rule.field)
                why = rule.message_en or f"is required when {kind.field(rule.when_field).label_en} is " \
                    f"{clean[rule.when_field]}"
                errors.append(FieldError(f.name, f"{_name(f)}: {why}"))
    return errors


def _references(kind: Kind, clean: dict[str, Any], resolver: RefResolver | None) -> list[FieldError]:
    if resolver is None:
        return []
    errors = []
    for f in kind.fields:
        ref = clean.get(f.name)
        if ref is None:
            continue
        if f.type == "patient_ref" and not resolver.patient_exists(ref):
            errors.append(FieldError(f.name, f"{_name(f)}: no patient {ref!r} on this PC; search for the "
                                     "patient first, or register them"))
        elif f.type == "entry_ref" and not resolver.entry_exists(ref):
            errors.append(FieldError(f.name, f"{_name(f)}: no entry {ref!r} on this PC; check the number"))
    return errors
