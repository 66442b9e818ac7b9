"""What the entry forms offer while a clerk types: the doctors this PC knows and a ward's free beds.

A doctor's name and a bed number are typed on almost every admission, and typed differently each time
("Dr. Rao", "dr anil rao") they split one doctor into several at reconciliation. So the screens offer:

* doctors: the names typed on this PC before (newest first: the ward's own doctors), then the staff list's
  doctors, then the attending doctors of the ward's census (the snapshot's, as this PC changed it);
  one spelling per doctor, so "Dr. Anil Rao" and "Dr Anil Rao" appear once;
* free beds: the ward's beds that nobody occupies now. The ward's beds are the snapshot's bed locations
  under that ward, and any bed the census or this PC's admissions named in it (a snapshot from CSV files
  has no locations); the occupied ones are those of ``viewer.current_census``.

Both are only offers: any text is still accepted (a visiting consultant, a trolley in the corridor).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from downtime.patient_index import has_table
from downtime.viewer import current_census, natural_key

# The fields in which a clerk types a doctor's name, by kind: every one of them feeds the list.
DOCTOR_FIELDS: dict[str, str] = {
    "encounter.admit": "admitting_doctor",
    "encounter.transfer": "ordered_by",
    "encounter.discharge": "discharging_doctor",
    "encounter.death": "declared_by",
    "lab.request": "requesting_clinician",
    "mccd": "certifier_name",
}
TYPED_DOCTORS_LIMIT = 200  # the names typed most recently; older ones are mostly visitors long gone
_OPEN_BED = ("active", None)  # a suspended or inactive bed (under repair, closed) is not offered


@dataclass(frozen=True)
class Suggestions:
    doctors: tuple[str, ...]
    free_beds: tuple[str, ...]  # in natural order: M7-2 before M7-10


def ward_suggestions(snapshot: sqlite_utils.Database | None, journal: sqlite_utils.Database,
                     ward: str | None) -> Suggestions:
    """The doctors and free beds to offer on a form for ``ward`` (no ward: every ward's doctors, no beds)."""
    census = [entry for ward_census in current_census(snapshot, journal, ward) for entry in ward_census.patients]
    doctors = distinct([*typed_doctors(journal), *staff_doctors(journal), *sorted(
        (e.attending for e in census if e.attending), key=str.casefold)])
    if not ward:
        return Suggestions(tuple(doctors), ())
    occupied = {e.bed.strip().casefold() for e in census if e.bed}
    beds = {b.strip().casefold(): b.strip() for b in [*location_beds(snapshot, ward),
                                                      *_census_beds(snapshot, journal, ward)] if b.strip()}
    free = sorted((b for key, b in beds.items() if key not in occupied), key=natural_key)
    return Suggestions(tuple(doctors), tuple(free))


def typed_doctors(journal: sqlite_utils.Database) -> list[str]:
    """Doctors' names in this PC's records (as corrected, voided ones left out), most recently used first."""
    cases = " ".join(f"WHEN '{kind}' THEN json_extract(payload, '$.{field}')" for kind, field in DOCTOR_FIELDS.items())
    kinds = ", ".join(f"'{kind}'" for kind in DOCTOR_FIELDS)
    rows = journal.execute(
        f"SELECT name FROM (SELECT CASE kind {cases} END AS name, max(seq) AS latest FROM records "
        f"WHERE kind IN ({kinds}) AND status != 'voided' GROUP BY name) WHERE name IS NOT NULL "
        "ORDER BY latest DESC LIMIT ?", [TYPED_DOCTORS_LIMIT]).fetchall()
    return [row[0] for row in rows]


def staff_doctors(journal: sqlite_utils.Database) -> list[str]:
    return [row[0] for row in journal.execute("SELECT name FROM staff WHERE role = 'doctor' ORDER BY name")]


def location_beds(snapshot: sqlite_utils.Database | None, ward: str) -> list[str]:
    """The open beds the snapshot's locations put under ``ward`` (directly, or in one of its rooms)."""
    if snapshot is None or not has_table(snapshot, "locations"):
        return []
    rows = snapshot.execute("SELECT id, name, physical_type, part_of, status, identifiers FROM locations").fetchall()
    places = {lid: (name, kind, part_of, status) for lid, name, kind, part_of, status, _ in rows}
    by_identifier = {value: lid for lid, *_, identifiers in rows for value in json.loads(identifiers or "[]")}

    def ward_of(lid: str | None) -> str | None:
        seen: set[str] = set()
        while lid and lid not in seen:
            seen.add(lid)
            name, kind, part_of, _ = places.get(lid, (None, None, None, None))
            if kind == "wa":
                return name
            # A conditional reference ("?value") names its location by identifier.
            lid = by_identifier.get(part_of[1:]) if part_of and part_of.startswith("?") else part_of
        return None

    wanted = ward.casefold()
    return [name for lid, (name, kind, part_of, status) in places.items()
            if kind == "bd" and name and status in _OPEN_BED and (ward_of(lid) or "").casefold() == wanted]


def _census_beds(snapshot: sqlite_utils.Database | None, journal: sqlite_utils.Database, ward: str) -> list[str]:
    """Beds the snapshot's census or this PC's admissions and transfers ever placed someone in, in ``ward``."""
    beds = [row[0] for row in journal.execute(
        "SELECT bed FROM admissions WHERE bed IS NOT NULL AND ward = ? COLLATE NOCASE", [ward])]
    if snapshot is not None and has_table(snapshot, "encounters"):
        beds += [row[0] for row in snapshot.execute(
            "SELECT bed FROM encounters WHERE bed IS NOT NULL AND ward = ? COLLATE NOCASE", [ward])]
    return beds


def distinct(names: Iterable[str]) -> list[str]:
    """Each name once, in its first spelling: case, dots, spacing and a leading "Dr" do not make another."""
    seen: set[str] = set()
    out = []
    for name in names:
        key = _key(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name.strip())
    return out


def _key(name: str) -> str:
    words = re.sub(r"[^\w]+", " ", name.casefold()).split()
    return " ".join(words[1:] if words[:1] == ["dr"] else words)
