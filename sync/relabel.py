"""Relabel sheets: per ward, each downtime ID with the UHID its paper chart now gets (``reconcile crosswalk
--sheets DIR``).

The rows are the registrations as the write-back sees them (``records.current_records`` with the stored
match decisions), so a sheet never tells a ward to relabel a chart the HMIS was not told about: matched
and new patients are to relabel; those under review, not matched yet, or with conflicting copies are
listed apart; voided registrations are left out. A registration belongs to the ward its CSV row named
(paper keyed in at the records office), else to the ward of the PC that recorded it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from downtime.patient_index import age_text
from forms.page import SEX_SHORT
from forms.relabel_sheet import RelabelRow, WardRelabel, render_relabel_sheet
from sync.adapters.records import PATIENT_KINDS, Record, current_records, patient_row
from sync.decisions import load_decisions
from sync.workspace import Workspace

PRINTED_BY = "records office"
NO_WARD = "no ward"
NOT_YET = {  # held code -> (row decision, why, in English and Hindi)
    "review": ("review", ("The match is doubtful: the records office decides it at review.\n"
                          "मिलान संदिग्ध है: अभिलेख कार्यालय समीक्षा में तय करेगा।")),
    "undecided": ("undecided", "Not matched to the HMIS yet.\nअभी एचएमआईएस से मिलान नहीं हुआ।"),
    "conflict": ("conflict", ("Two PCs sent different copies of this registration: resolved at review.\n"
                              "दो पीसी से इस पंजीकरण की अलग-अलग प्रतियाँ आईं: समीक्षा में सुलझेगा।")),
}


@dataclass(frozen=True)
class WrittenSheet:
    ward: str
    path: Path
    relabel: int
    not_yet: int

    def describe(self) -> str:
        return f"{self.ward or NO_WARD}: {self.relabel} to relabel, {self.not_yet} not yet decided ({self.path.name})"


def ward_sheets(ws: Workspace) -> list[WardRelabel]:
    """Every ward's rows, wards in name order, rows by downtime ID."""
    current = current_records(ws, load_decisions(ws))
    wards = _wards(ws)
    to_relabel: dict[str, list[RelabelRow]] = {}
    not_yet: dict[str, list[RelabelRow]] = {}
    for group in current.groups:
        if group.decision not in ("matched", "new"):
            continue  # a statutory report about someone who was never a patient here: no chart
        for record in group.all_records:
            if record.kind in PATIENT_KINDS:
                to_relabel.setdefault(wards(record), []).append(_row(record, group.decision, group.uhid or ""))
    for held in current.held:
        if held.record.kind in PATIENT_KINDS and held.code in NOT_YET:
            decision, why = NOT_YET[held.code]
            not_yet.setdefault(wards(held.record), []).append(_row(held.record, decision, "", why))
    return [WardRelabel(ward, _sorted(to_relabel.get(ward, ())), _sorted(not_yet.get(ward, ())))
            for ward in sorted(to_relabel.keys() | not_yet.keys())]


def write_relabel_sheets(ws: Workspace, out: Path) -> list[WrittenSheet]:
    """One PDF per ward in ``out`` (created if need be), named after the ward."""
    out.mkdir(parents=True, exist_ok=True)
    config = ws.home.load_config()
    site = _site(config.site)
    written: list[WrittenSheet] = []
    for sheet in ward_sheets(ws):
        name = _file_name(sheet.ward)
        if any(w.path.name == f"relabel-{name}.pdf" for w in written):  # "W 7" and "W-7" must not overwrite
            name += f"-{len(written) + 1}"
        path = render_relabel_sheet(sheet, site, out / f"relabel-{name}.pdf", device=config.device,
                                    printed_by=PRINTED_BY)
        written.append(WrittenSheet(sheet.ward, path, len(sheet.relabel), len(sheet.not_yet)))
    return written


def _wards(ws: Workspace) -> _WardOf:
    devices = dict(ws.db.execute("SELECT device, coalesce(ward, '') FROM devices").fetchall())
    typed = dict(ws.db.execute("SELECT entry_uuid, ward FROM external_refs WHERE coalesce(ward, '') != ''"
                               ).fetchall())
    return _WardOf(devices, typed)


@dataclass(frozen=True)
class _WardOf:
    devices: Mapping[str, str]  # device -> its ward
    typed: Mapping[str, str]    # entry uuid -> the ward its CSV row named

    def __call__(self, record: Record) -> str:
        return str(self.typed.get(record.uuid) or self.devices.get(record.device) or "").strip()


def _row(record: Record, decision: str, uhid: str, note: str = "") -> RelabelRow:
    patient = patient_row(record)
    name, relative = str(patient.get("name") or ""), str(patient.get("relative") or "")
    # Today's age, as the ward sees the patient now: from the date of birth if known (days for a newborn).
    age = age_text(patient.get("dob"), patient.get("age_years"))
    return RelabelRow(downtime_id=record.human_id or record.uuid, name=name,
                      relative="" if relative == name else relative,  # a newborn is named "B/O <mother>"
                      age_sex=" / ".join(p for p in (age, SEX_SHORT.get(patient.get("sex") or "")) if p),
                      decision=decision, uhid=uhid, note=note)


def _sorted(rows: Iterable[RelabelRow]) -> tuple[RelabelRow, ...]:
    return tuple(sorted(rows, key=lambda r: r.downtime_id))


def _site(site: Mapping[str, Any]) -> dict[str, Any]:
    """The site configuration under the names the page header uses."""
    return {"name": site.get("name", ""), "name_hi": site.get("name_hi", ""), "address": site.get("address", ""),
            "hfr_id": site.get("hfr_id", ""), "logo_path": site.get("logo") or None}


def _file_name(ward: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", ward).strip("-") or NO_WARD.replace(" ", "-")
