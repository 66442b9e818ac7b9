"""One patient as record matching sees them: the fields of a registration or an MPI row, parsed once.

Both sides of a comparison (a downtime registration, an HMIS master-patient-index row) become a ``Person``,
so the blocking keys (``sync/mpi.py``) and the field comparisons (``sync/match.py``) read the same folded
name, the same birth information and the same canonical phone.

A registration often gives an age instead of a date of birth. The age is "in years, on the day it was
recorded", so a ``Person`` keeps the age together with that day, and ``birth_years`` turns it into the
range of birth years it allows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from downtime.names import NameParts, clean_text, name_parts, split_relation
from downtime.patient_index import normalize_abha, normalize_phone

SEXES = ("male", "female", "other")
_SEX_CODES = {"m": "male", "male": "male", "f": "female", "female": "female", "o": "other", "other": "other",
              "t": "other", "transgender": "other"}

# Relation codes (as in ``names.RELATIONS``) grouped by whom they name. A woman's register names her father
# before marriage and her husband after it, so D/o and W/o name different people and are not compared.
RELATION_GROUPS = {"so": "parent", "do": "parent", "wo": "spouse", "ho": "spouse", "bo": "mother", "co": "care"}


@dataclass(frozen=True, slots=True)
class Person:
    """The comparable facts about one patient. Every field may be missing (None or empty)."""

    ref: str                          # UHID for an MPI row, entry UUID (or downtime ID) for a registration
    name: str                         # as written, for the evidence text
    parts: NameParts
    sex: str | None = None
    dob: dt.date | None = None        # an exact day of birth
    birth_year: int | None = None     # from dob, or a year-only dob ("1985" in an HMIS export)
    age: int | None = None            # completed years on ``as_of``, when no dob was given
    as_of: dt.date | None = None      # the day the age was recorded (registration time)
    phone: str | None = None          # 10 digits
    address: str = ""                 # folded address words (see ``fold_address``), for similarity
    address_text: str | None = None   # as written
    pincode: str | None = None
    relation: str | None = None       # so/do/wo/ho/bo/co
    relative_text: str | None = None  # as written, e.g. "W/o Ramesh Kumar"
    relative: NameParts | None = None
    uhid: str | None = None
    abha: str | None = None

    @property
    def has_birth(self) -> bool:
        return self.birth_year is not None or self.age is not None

    def birth_years(self) -> tuple[int, int] | None:
        """The birth years this person's dob or age allows, widened by the age tolerance for an age."""
        if self.birth_year is not None:
            return self.birth_year, self.birth_year
        if self.age is None or self.as_of is None:
            return None
        tolerance = age_tolerance(self.age)
        # Aged a on day d: born after d - (a+1) years and on or before d - a years.
        return self.as_of.year - self.age - 1 - tolerance, self.as_of.year - self.age + tolerance

    def age_on(self, day: dt.date) -> int | None:
        """Completed years on ``day`` from the dob (year-only dob: the age at mid-year)."""
        if self.dob is not None:
            return age_between(self.dob, day)
        if self.birth_year is not None:
            return age_between(dt.date(self.birth_year, 7, 1), day)
        return None


def age_tolerance(age: int) -> int:
    """How far a stated age may be from the true one: relatives guess adults' ages, not a baby's."""
    if age < 2:
        return 0
    if age < 13:
        return 1
    return 2


def age_between(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def person_from(row: Mapping[str, Any], ref_field: str = "uhid") -> Person:
    """A ``Person`` from a registration or MPI row (patient.register field names); never raises.

    ``recorded_at`` (registration time) is the day an ``age_years`` refers to; an MPI row has none.
    """
    name = clean_text(str(row.get("name") or ""))
    relation, relative_text = _relation_of(row, name)
    dob, birth_year = parse_dob(row.get("dob"))
    age = _int_or_none(row.get("age_years")) if dob is None and birth_year is None else None
    as_of = parse_day(row.get("recorded_at")) if age is not None else None
    address_text = _text_or_none(row.get("address"))
    return Person(
        ref=str(row.get(ref_field) or row.get("entry_uuid") or row.get("uhid") or ""),
        name=name,
        parts=name_parts(name),
        sex=parse_sex(row.get("sex")),
        dob=dob, birth_year=birth_year, age=age, as_of=as_of,
        phone=normalize_phone(row.get("phone")) if row.get("phone") else None,
        address=fold_address(address_text),
        address_text=address_text,
        pincode=_pincode(row.get("pincode")),
        relation=relation,
        relative_text=relative_text,
        relative=name_parts(relative_name(relative_text)) if relative_text else None,
        uhid=_text_or_none(row.get("uhid")),
        abha=normalize_abha(row.get("abha")) if row.get("abha") else None,
    )


def _relation_of(row: Mapping[str, Any], name: str) -> tuple[str | None, str | None]:
    """(relation code, relative as written), from the relative field or from "Ramesh S/o Suresh" in the name."""
    text = _text_or_none(row.get("relative"))
    code = _text_or_none(row.get("relation_type"))
    if text:
        _, written_code, _ = split_relation(text)
        return (code or written_code), text
    _, name_code, relative = split_relation(name)
    if name_code and name_code != "bo" and relative:
        return name_code, relative
    if name_code == "bo" and relative:
        return "bo", relative  # "B/O Sunita": the mother is the relative
    return code, None


def relative_name(text: str) -> str:
    """The relative's own name in "S/o Ramesh Kumar" (or in a bare "Ramesh Kumar")."""
    before, _, after = split_relation(text)
    return before or after or ""


def parse_sex(value: Any) -> str | None:
    return _SEX_CODES.get(str(value).strip().lower()) if value else None


def parse_dob(value: Any) -> tuple[dt.date | None, int | None]:
    """(exact dob, birth year) from "YYYY-MM-DD", "DD/MM/YYYY", "DD-MM-YYYY" or a bare "YYYY"."""
    if not value:
        return None, None
    if isinstance(value, dt.date):
        return value, value.year
    text = str(value).strip()[:10]
    if len(text) == 4 and text.isdecimal():
        return None, int(text)
    day = _parse_date(text)
    return (day, day.year) if day else (None, None)


def parse_day(value: Any) -> dt.date | None:
    """The calendar day of a date or ISO date-time (the local day it was written, zone ignored)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _parse_date(str(value).strip()[:10]) if value else None


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)  # the usual case, and 20 times faster than strptime
    except ValueError:
        pass
    for fmt in ("%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _pincode(value: Any) -> str | None:
    # Indian PIN codes have 6 digits; other countries' postal codes (a Synthea export's ZIP) are kept too.
    digits = re.sub(r"\D", "", str(value)) if value else ""
    return digits if 4 <= len(digits) <= 10 and digits.strip("0") else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _text_or_none(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


# -- addresses --------------------------------------------------------------------------------------------
# Addresses are written freely ("H.No. 12, Gali 3, Nr Shiv Mandir, Sec-4"), so they are compared as sets of
# folded words. Abbreviations are expanded and filler words dropped, so the same house written two ways
# keeps most of its words, and the PIN code is compared on its own field.

_ADDRESS_WORDS = {
    "h": "", "hno": "", "house": "", "no": "", "number": "", "near": "", "nr": "", "opp": "", "opposite": "",
    "behind": "", "po": "", "ps": "", "dist": "", "distt": "", "district": "", "teh": "", "tehsil": "",
    "vill": "", "village": "", "gram": "", "post": "", "the": "", "of": "", "and": "", "at": "", "flat": "",
    "st": "street", "rd": "road", "ngr": "nagar", "sec": "sector", "sect": "sector", "col": "colony",
    "clny": "colony", "mohalla": "mohalla", "mohala": "mohalla", "mohl": "mohalla", "apt": "apartment",
    "apts": "apartment", "marg": "road", "blk": "block", "extn": "extension", "ext": "extension",
}
_ADDRESS_SPLIT = re.compile(r"[^0-9a-z\u0900-\u097f]+")
_PIN_IN_TEXT = re.compile(r"(?<!\d)\d{6}(?!\d)")


@lru_cache(maxsize=65536)
def fold_address(text: str | None) -> str:
    """Address words in written order (the first number is the house), lower-cased, abbreviations
    expanded, filler words, repeats and the PIN code dropped."""
    if not text:
        return ""
    text = _PIN_IN_TEXT.sub(" ", clean_text(text, limit=400).lower())
    words: dict[str, None] = {}
    for word in _ADDRESS_SPLIT.split(text):
        word = _ADDRESS_WORDS.get(word, word)
        if word:
            words[word] = None
    return " ".join(words)
