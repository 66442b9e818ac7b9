"""``reconcile crosswalk --sheets DIR``: one relabel sheet per ward, read back from the PDF (text, fonts, Code128)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pytest

from downtime.entry_import import import_csv
from downtime.session import Session, login
from forms.codes import id_from_barcode
from forms.relabel_sheet import RelabelRow, WardRelabel, render_relabel_sheet
from sync.adapters.records import live_records
from sync.decisions import save_decisions
from sync.match import Decision, MatchDecision
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN, SUNITA
from tests.forms.conftest import decode, page_png
from tests.sync.conftest import PASSPHRASE, device_key, export, make_office, make_ward, nurse_session, seal_to
from tests.sync.test_cli_sync import OFFICE, ok
from tests.test_cli import run

NOT_YET_HEADING = "Not yet decided: do not relabel"
WRITE_IN = "Write the UHID the HMIS gave"


@dataclass
class Site:
    office: Path
    ids: dict[str, str] = field(default_factory=dict)  # who -> downtime ID
    ward_of: dict[str, str] = field(default_factory=dict)  # who -> the ward whose sheet lists them
    decided: dict[str, tuple[Decision, str | None]] = field(default_factory=dict)  # who -> (decision, uhid)


def _register(session: Session, site: Site, who: str, ward: str, payload: dict[str, object]) -> str:
    entry = session.record("patient.register", payload)
    site.ids[who], site.ward_of[who] = entry.human_id or "", ward
    return entry.uuid


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """Two wards and the records office: registrations matched, new, under review, undecided and voided."""
    root = tmp_path_factory.mktemp("sheets")
    office = make_office(root / "ro")
    w7, w3 = make_ward(root / "w7", "W7-PC2", 7), make_ward(root / "w3", "W3-PC1", 3)
    s = Site(office)
    for ward in (w7, w3):
        seal_to(ward, office)
    nurse = nurse_session(w7)
    try:
        _register(nurse, s, "sunita", "W7", SUNITA)
        _register(nurse, s, "ravi", "W7", {"name": "Ravi Kumar", "sex": "male", "age_years": 52,
                                           "relative": "S/o Mohan Lal"})
        _register(nurse, s, "kamla", "W7", {"name": "Kamla Bai", "sex": "female", "age_years": 61})
        wrong = _register(nurse, s, "voided", "W7", {"name": "Wrong Entry", "sex": "male", "age_years": 30})
        nurse.void(wrong, "registered twice")
        baby = nurse.record("birth.report", {
            "date_of_birth": (dt.date.today() - dt.timedelta(days=2)).isoformat(), "time_of_birth": "06:40",
            "sex": "female", "mother": s.ids["sunita"], "mother_name": "Sunita Devi",
            "address_at_birth": SUNITA["address"], "place_of_birth_type": "institution",
            "place_of_birth": "AIIMS New Delhi", "informant_name": "Records Officer", "birth_weight_kg": 2.8})
        s.ids["baby"], s.ward_of["baby"] = baby.human_id or "", "W7"
    finally:
        nurse.close()
    nurse = nurse_session(w3)
    try:
        _register(nurse, s, "imran", "W3", {"name": "Mohd. Imran", "sex": "male", "dob": "1984-03-15"})
        _register(nurse, s, "lakshmi", "W3", {"name": "लक्ष्मी देवी", "sex": "female", "age_years": 38,
                                              "relative": "पत्नी रमेश"})
        _register(nurse, s, "anjali", "W3", {"name": "Anjali Verma", "sex": "female", "age_years": 29})
        _register(nurse, s, "geeta", "W3", {"name": "Geeta Rani", "sex": "female", "age_years": 50})  # not matched
    finally:
        nurse.close()
    # Paper from W3 keyed in at the records office: W3's sheet, not the records office's.
    paper = root / "w3-paper.csv"
    paper.write_text("row_id,ward,name,sex,age_years\nW3-BOX1-01,W3,Pooja Sharma,female,33\n", "utf-8")
    admin = login(office, ADMIN_ID, ADMIN_PIN)
    try:
        [row] = import_csv(admin, "patient.register", paper).imported
        s.ids["pooja"], s.ward_of["pooja"] = row["human_id"], "W3"
    finally:
        admin.close()

    s.decided = {"sunita": ("new", None), "ravi": ("matched", "AIIMS-000124"), "kamla": ("review", None),
                 "voided": ("matched", "AIIMS-000555"), "baby": ("new", None), "imran": ("matched", "AIIMS-000456"),
                 "lakshmi": ("matched", "AIIMS-000789"), "anjali": ("new", None), "pooja": ("matched", "900000321")}
    ws = Workspace.open(office, PASSPHRASE)
    try:
        for ward in (w7, w3):
            ws.trust(device_key(ward))
            usb = root / f"usb-{ward.name}"
            usb.mkdir()
            ws.import_file(export(ward, usb).path)
        uuids = {r.human_id: r.uuid for r in live_records(ws)}
        uuids[s.ids["voided"]] = wrong  # decided before the void arrived
        save_decisions(ws, [MatchDecision(uuids[s.ids[who]], s.ids[who], decision, uhid, 0.97, [], [], "test")
                            for who, (decision, uhid) in s.decided.items()])
    finally:
        ws.close()
    return s


@pytest.fixture(scope="module")
def sheets(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    out = tmp_path_factory.mktemp("out")
    said = ok(run("--home", str(site.office), "reconcile", "crosswalk", "--out", str(out / "crosswalk.csv"),
                  "--sheets", str(out / "sheets"), **OFFICE))
    yield out, said


def page_texts(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def sections(pdf: Path) -> tuple[str, str]:
    """The text before the not-yet heading (charts to relabel) and from it on."""
    text = "\n".join(page_texts(pdf))
    assert text.count(NOT_YET_HEADING) == 1, text
    before, after = text.split(NOT_YET_HEADING)
    return before, after


def test_one_sheet_per_ward_named_after_it(sheets: tuple[Path, str]) -> None:
    out, said = sheets
    assert sorted(p.name for p in (out / "sheets").iterdir()) == ["relabel-W3.pdf", "relabel-W7.pdf"]
    assert "relabel sheets for 2 wards" in said
    assert "W3: 4 to relabel, 1 not yet decided (relabel-W3.pdf)" in said
    assert "W7: 3 to relabel, 1 not yet decided (relabel-W7.pdf)" in said


def test_each_ward_lists_its_ids_with_their_uhids_and_the_undecided_apart(site: Site,
                                                                           sheets: tuple[Path, str]) -> None:
    out, _ = sheets
    for ward in ("W3", "W7"):
        relabel, not_yet = sections(out / "sheets" / f"relabel-{ward}.pdf")
        mine = {who for who, w in site.ward_of.items() if w == ward}
        for who in mine:
            decision, uhid = site.decided.get(who, ("review", None))  # not matched yet: listed with review
            downtime_id = site.ids[who]
            if who == "voided":
                assert downtime_id not in relabel + not_yet  # voided on the ward: no chart to relabel
            elif decision == "matched":
                line = next(x for x in relabel.splitlines() if downtime_id in x)
                assert uhid and uhid in line and "Matched to HMIS" in line and downtime_id not in not_yet
            elif decision == "new":
                line = next(x for x in relabel.splitlines() if downtime_id in x)
                assert WRITE_IN in line and "New patient" in line and downtime_id not in not_yet
            else:
                assert downtime_id in not_yet and downtime_id not in relabel
        for who in site.ids.keys() - mine:
            assert site.ids[who] not in relabel + not_yet  # another ward's chart
    _, w7_not_yet = sections(out / "sheets" / "relabel-W7.pdf")
    _, w3_not_yet = sections(out / "sheets" / "relabel-W3.pdf")
    assert "Under review" in w7_not_yet and "Not matched yet" in w3_not_yet


def test_rows_are_in_downtime_id_order_and_agree_with_the_crosswalk(site: Site, sheets: tuple[Path, str]) -> None:
    out, _ = sheets
    with (out / "crosswalk.csv").open(newline="", encoding="utf-8") as fh:
        crosswalk = {r["downtime_id"]: (r["decision"], r["uhid"]) for r in csv.DictReader(fh)}
    for ward in ("W3", "W7"):
        relabel, _ = sections(out / "sheets" / f"relabel-{ward}.pdf")
        listed = [i for line in relabel.splitlines() for i in [line.split(" ")[0]] if i in crosswalk]
        assert listed == sorted(listed) and listed
        for downtime_id in listed:
            decision, uhid = crosswalk[downtime_id]
            assert decision in ("matched", "new") and (uhid in relabel if uhid else True)


def test_the_code128s_on_a_page_decode_to_the_ids_and_uhids(site: Site, sheets: tuple[Path, str]) -> None:
    out, _ = sheets
    codes = decode(page_png(out / "sheets" / "relabel-W3.pdf", dpi=150)).code128
    expected = {site.ids[w] for w in ("imran", "lakshmi", "anjali", "pooja")}
    expected |= {"AIIMS-000456", "AIIMS-000789", "900000321"}
    assert {id_from_barcode(c) for c in codes} == expected  # nothing for Geeta: she is not decided


def test_hindi_names_are_set_in_a_devanagari_font(sheets: tuple[Path, str]) -> None:
    out, _ = sheets
    with pdfplumber.open(out / "sheets" / "relabel-W3.pdf") as doc:
        fonts = {c["fontname"].split("+")[-1] for c in doc.pages[0].chars}
    assert any("Devanagari" in f for f in fonts) and any(f.startswith("NotoSans-") for f in fonts), fonts


def test_a_long_ward_flows_over_pages_with_the_header_on_each(tmp_path: Path) -> None:
    rows = tuple(RelabelRow(f"AIIMS-007-{n:05d}-0", f"Patient {n}", "S/o Someone", "40 y / M", "matched",
                            f"AIIMS-{n:06d}") for n in range(1, 41))
    pdf = render_relabel_sheet(WardRelabel("W7", rows, ()), {"name": "AIIMS New Delhi"}, tmp_path / "long.pdf",
                               device="RO-PC1", printed_by="records office")
    texts = page_texts(pdf)
    assert len(texts) > 2
    for number, text in enumerate(texts, start=1):
        assert "Downtime ID" in text and "Ward / " in text and f"Page {number} of {len(texts)}" in text
    listed = [line.split(" ")[0] for text in texts for line in text.splitlines() if line.startswith("AIIMS-007-")]
    assert listed == [r.downtime_id for r in rows]  # each once, in order, none lost at a page break
    assert "None: every chart of this ward is decided." in texts[-1]
