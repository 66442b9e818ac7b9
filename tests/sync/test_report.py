"""The reconciliation report on a real outage: two ward PCs, voids, a correction, one patient registered on both
PCs and matched to the HMIS, an open review, a blank pack with used, returned and unaccounted IDs, and a FHIR
write-back the HMIS acknowledged (or, at a site whose HMIS takes only files, CSV files handed over on a stick).
The numbers must add up exactly, in the report, its JSON and its PDF, and say how the posted entries went."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner

from downtime.cli import main
from downtime.entry_import import import_csv
from downtime.session import login
from sync import report as report_module
from sync.adapters.fhir import post_fhir
from sync.adapters.records import CurrentRecords, Decisions, current_records
from sync.decisions import OFFICER, load_decisions, registrations, save_decisions
from sync.match import MatchDecision, match_all
from sync.mpi import MpiIndex, MpiRecord
from sync.report import PostedBy, ReportDoesNotAddUp, build_report, write_json
from sync.report_pdf import render_report_pdf
from sync.status import workspace_status
from sync.workspace import Workspace
from tests.adapters.fhir_endpoint import FhirEndpoint
from tests.conftest import ADMIN_ID, ADMIN_PIN
from tests.sync.conftest import PASSPHRASE, device_key, export, make_office, make_ward, nurse_session, seal_to
from tests.sync.test_cli_sync import OFFICE, ok
from tests.sync.test_post_cli import in_process

UHID_SYSTEM = "urn:hmis:AIIMS:uhid"  # the adapter's stand-in when no HMIS system is configured
RAVI = {"name": "Ravi Kumar", "sex": "male", "age_years": 52, "relative": "S/o Mohan Lal", "phone": "9811111111",
        "pincode": "110029"}
KAMLA = {"name": "Kamla Bai", "sex": "female", "age_years": 61, "pincode": "110075"}
MPI = [MpiRecord("AIIMS-000124", "Ravi Kumar", "male", "1974", "9811111111", None, "110029", "Mohan Lal", "so"),
       # Two namesakes of the same age in the same PIN code: the matcher must not pick one, so Kamla is a review.
       MpiRecord("AIIMS-000301", "Kamla Bai", "female", "1965", None, None, "110075"),
       MpiRecord("AIIMS-000302", "Kamla Bai", "female", "1965", None, None, "110075")]


@dataclass
class Outage:
    office: Path          # matched, and posted to the HMIS's FHIR endpoint
    unposted: Path        # the same office before anything was posted
    endpoint: FhirEndpoint
    ids: dict[str, str] = field(default_factory=dict)
    pack: list[str] = field(default_factory=list)


def _ward_w7(home: Path, root: Path, outage: Outage) -> None:
    nurse = nurse_session(home)
    try:
        sunita = nurse.record("patient.register", {"name": "Sunita Devi", "sex": "female", "age_years": 45,
                                                   "phone": "9876543210"})
        outage.ids["sunita"] = sunita.human_id or ""
        nurse.correct(sunita.uuid, {"name": "Sunita Devi", "sex": "female", "age_years": 45, "phone": "9876543219"},
                      "phone number misread")
        nurse.record("encounter.admit", {"patient": sunita.human_id, "admitted_at": "2026-11-20T10:00", "ward": "W7",
                                         "bed": "12", "admitting_doctor": "Dr Anil Rao"})
        nurse.record("lab.request", {"patient": sunita.human_id, "tests": ["Haemoglobin"], "sample_type": "blood",
                                     "priority": "urgent", "requesting_clinician": "Dr Anil Rao"})
        nurse.record("patient.register", RAVI)
        wrong = nurse.record("patient.register", {"name": "Wrong Entry", "sex": "male", "age_years": 30})
        nurse.void(wrong.uuid, "registered twice")
        # A pack of three blank forms: one filled in and keyed in later, one spoiled, one not seen again.
        outage.pack = list(nurse.reserve_ids("patient.register", 3).payload["ids"])
        paper = root / "pack.csv"
        paper.write_text("row_id,ward,name,sex,dob,age_years,phone,address,pincode,relative,uhid,downtime_id\n"
                         f"P1,W7,Geeta Rani,female,,33,,,,,,{outage.pack[0]}\n", "utf-8")
        assert len(import_csv(nurse, "patient.register", paper).imported) == 1
        nurse.record("ids.return", {"ids": [outage.pack[1]], "outcome": "spoiled", "note": "torn"})
    finally:
        nurse.close()


def _ward_w9(home: Path, outage: Outage) -> None:
    nurse = nurse_session(home)
    try:
        ravi = nurse.record("patient.register", RAVI)  # Ravi again, on another ward: the same HMIS patient
        nurse.record("encounter.admit", {"patient": ravi.human_id, "admitted_at": "2026-11-20T11:00", "ward": "W9",
                                         "bed": "4", "admitting_doctor": "Dr Anil Rao"})
        kamla = nurse.record("patient.register", KAMLA)
        outage.ids["kamla"], outage.ids["kamla_uuid"] = kamla.human_id or "", kamla.uuid
        nurse.record("lab.request", {"patient": kamla.human_id, "tests": ["CBC"], "sample_type": "blood",
                                     "priority": "routine", "requesting_clinician": "Dr Anil Rao"})
    finally:
        nurse.close()


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    """Bundles from both PCs imported, registrations matched, and a FHIR write-back the HMIS acknowledged."""
    root = tmp_path_factory.mktemp("outage")
    with FhirEndpoint() as endpoint:
        for uhid in ("AIIMS-000124", "AIIMS-000301"):
            endpoint.seed({"resourceType": "Patient", "identifier": [{"system": UHID_SYSTEM, "value": uhid}]})
        result = Outage(make_office(root / "office"), root / "office-unposted", endpoint)
        w7, w9 = make_ward(root / "w7", "W7-PC2", 7), make_ward(root / "w9", "W9-PC1", 9)
        _ward_w7(w7, root, result)
        _ward_w9(w9, result)
        ws = Workspace.open(result.office, PASSPHRASE)
        try:
            for ward in (w7, w9):
                seal_to(ward, result.office)
                ws.trust(device_key(ward))
                admin = login(ward, ADMIN_ID, ADMIN_PIN)
                admin.end_downtime()
                admin.close()
                usb = root / f"usb-{ward.name}"
                usb.mkdir()
                ws.import_file(export(ward, usb).path)
            save_decisions(ws, match_all(registrations(ws), MpiIndex.build(MPI)))
        finally:
            ws.close()
        shutil.copytree(result.office, result.unposted)
        ws = Workspace.open(result.office, PASSPHRASE)
        try:
            posted = post_fhir(ws, load_decisions(ws), url=endpoint.url)
            assert posted.posted == 3 and not posted.failed  # Sunita, Geeta, Ravi's admission
        finally:
            ws.close()
        yield result


def squeezed(cell: str | None) -> str:
    """A table cell's text without spaces or line breaks: a long path wraps anywhere in a narrow column."""
    return "".join((cell or "").split())


@pytest.fixture
def ws(outage: Outage, tmp_path: Path) -> Iterator[Workspace]:
    """A copy of the records office, so what one test resolves leaves the outage as it was for the next."""
    office = Path(shutil.copytree(outage.office, tmp_path / "office"))
    workspace = Workspace.open(office, PASSPHRASE)
    yield workspace
    workspace.close()


def test_received_is_posted_plus_merged_plus_voided_plus_pending(ws: Workspace, outage: Outage) -> None:
    report = build_report(ws)
    t = report.totals
    # W7: Sunita (registration, its correction, admission, lab request), Ravi, the voided registration and its
    # void, Geeta from the blank pack. W9: Ravi again, his admission, Kamla (in review) and her lab request.
    assert (t.received, t.posted, t.merged, t.voided, t.pending) == (12, 5, 3, 2, 2)
    in_workspace = ws.db.execute("SELECT count(*) FROM entries").fetchone()[0]
    assert t.audit_only == in_workspace - 12 and t.total == in_workspace and report.conflict_copies == 0
    by_device = {d.device: d.tally.to_json() for d in report.devices}
    assert {k: by_device["W7-PC2"][k] for k in ("received", "posted", "merged", "voided", "pending")} == \
        {"received": 8, "posted": 4, "merged": 2, "voided": 2, "pending": 0}
    assert {k: by_device["W9-PC1"][k] for k in ("received", "posted", "merged", "voided", "pending")} == \
        {"received": 4, "posted": 1, "merged": 1, "voided": 0, "pending": 2}
    assert by_device["RO-PC1"]["received"] == 0 and by_device["RO-PC1"]["audit_only"] > 0
    assert [(w.ward, w.tally.received) for w in report.wards] == [("W7", 8), ("W9", 4), ("records office", 0)]
    assert report.decisions == {"matched": 2, "new": 2, "review": 1, "undecided": 0, "held": 0}
    assert report.posted_by == PostedBy(acknowledged=5, files=0, urls=[outage.endpoint.url], folders=[])

    [pack] = report.packs
    assert (pack.device, pack.used, pack.returned, pack.unaccounted) == \
        ("W7-PC2", outage.pack[:1], outage.pack[1:2], outage.pack[2:])
    assert report.ids == {"reserved": 3, "used": 1, "returned": 1, "unaccounted": 1}

    assert not report.complete and report.verdict == "NOT COMPLETE"
    assert [(u.category, u.entries) for u in report.unresolved] == [("review", 1), ("held", 1), ("blank_ids", 0)]
    review, held, blank = report.unresolved
    assert outage.ids["kamla"] in review.subject and "Kamla Bai" in review.subject and "review queue" in review.next_step
    assert held.subject.startswith("lab.request") and outage.ids["kamla"] in held.detail
    assert outage.pack[2] in blank.detail and "ids.return" in blank.next_step


def test_the_json_and_the_pdf_show_the_same_figures(ws: Workspace, outage: Outage, tmp_path: Path) -> None:
    report = build_report(ws)
    data = json.loads(write_json(report, tmp_path / "report.json").read_text("utf-8"))
    assert data["equation"] == {"received": 12, "posted": 5, "merged": 3, "voided": 2, "pending": 2,
                                "audit_only": report.totals.audit_only, "total": report.totals.total}
    assert data["verdict"] == "NOT COMPLETE" and data["complete"] is False
    assert data["blank_ids"]["unaccounted"] == 1 and len(data["unresolved"]) == 3
    assert [(w["ward"], w["received"], w["pending"]) for w in data["wards"]] == \
        [("W7", 8, 0), ("W9", 4, 2), ("records office", 0, 0)]
    assert set(data["definitions"]) == {"posted", "merged", "voided", "pending", "audit_only"}
    url = outage.endpoint.url
    assert data["posted_by"] == {"acknowledged": 5, "files": 0, "urls": [url], "folders": []}
    [post] = data["posts"]
    assert {k: post[k] for k in ("delivery", "adapter", "target", "items", "entries", "description")} == {
        "delivery": "acknowledged", "adapter": "fhir", "target": url, "items": 3, "entries": 6,
        "description": f"acknowledged by the HMIS at {url}"}

    with pdfplumber.open(render_report_pdf(report, tmp_path / "report.pdf")) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
        cells = [" ".join((cell or "").split()) for page in pdf.pages[2:] for table in page.extract_tables()
                 for row in table for cell in row]
    cover = pages[0]
    assert "NOT COMPLETE" in cover and "Reconciliation report" in cover
    assert "Received 12 = posted 5 + merged 3 + voided 2 + pending 2." in cover
    assert f"Kept as audit only {report.totals.audit_only}." in cover
    assert "Blank-pack IDs: 3 reserved = 1 used + 1 returned unused or spoiled + 1 unaccounted." in cover
    assert "12 = 5 + 3 + 2 + 2" in cover  # the big equation
    assert f"Posted 5: 5 acknowledged by the HMIS at {url}." in " ".join(cover.split())
    assert "handed over as files" not in cover
    tables = pages[1]
    assert "W9 1 4 1 1 0 2" in tables and "All wards 3 12 5 3 2 2" in tables
    with pdfplumber.open(tmp_path / "report.pdf") as pdf:
        posts = [[squeezed(c) for c in row] for row in pdf.pages[1].extract_tables()[2]]
    assert posts[1][:4] == ["fhir", squeezed(f"acknowledged by the HMIS at {url}"), "3", "6"]
    unresolved = "\n".join(pages[2:])
    assert "Reviews still open (1)" in unresolved
    assert f"patient.register {outage.ids['kamla']} (Kamla Bai)" in cells and outage.pack[2] in " ".join(cells)
    assert "Blank-pack IDs unaccounted (1)" in unresolved
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_a_record_left_unaccounted_stops_the_report(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    def losing_the_held(workspace: Workspace, decisions: Decisions) -> CurrentRecords:
        current = current_records(workspace, decisions)
        current.held.clear()
        return current

    monkeypatch.setattr(report_module, "current_records", losing_the_held)
    with pytest.raises(ReportDoesNotAddUp, match="neither sent, held nor voided"):
        build_report(ws)


def _resolve_everything(office: Path, outage: Outage) -> None:
    """A records officer decides Kamla, and the last blank form comes back unused (nothing posted yet)."""
    admin = login(office, ADMIN_ID, ADMIN_PIN)
    try:
        admin.record("ids.return", {"ids": [outage.pack[2].lower()], "outcome": "unused"})
    finally:
        admin.close()
    ws = Workspace.open(office, PASSPHRASE)  # brings in the office PC's own journal
    try:
        save_decisions(ws, [MatchDecision(outage.ids["kamla_uuid"], outage.ids["kamla"], "matched", "AIIMS-000301",
                                          1.0, [], [], "phone call with the family: the older namesake")],
                       decided_by=ADMIN_ID, source=OFFICER)
        assert all(not d.reserved_unaccounted for d in workspace_status(ws).devices)
    finally:
        ws.close()


def report_cli(office: Path, pdf: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return in_process("--home", str(office), "reconcile", "report", "--out", str(pdf), *args, **OFFICE)


def csv_to(office: Path, folder: Path) -> str:
    """'reconcile post --adapter csv --out FOLDER', as an officer writes the files for the HMIS on a stick."""
    return ok(in_process("--home", str(office), "reconcile", "post", "--adapter", "csv", "--out", str(folder),
                         **OFFICE))


def test_reconcile_report_exits_3_until_complete_then_0(outage: Outage, tmp_path: Path) -> None:
    office = Path(shutil.copytree(outage.office, tmp_path / "office"))
    pdf = tmp_path / "out" / "report.pdf"
    pdf.parent.mkdir()
    first = report_cli(office, pdf)
    assert first.returncode == 3, first.stderr
    [line] = first.stdout.strip().splitlines()
    url = outage.endpoint.url
    assert line.startswith("NOT COMPLETE: received 12 = posted 5 + merged 3 + voided 2 + pending 2 (posted: 5 "
                           f"acknowledged by the HMIS at {url});"), line
    assert "blank-pack IDs 3 = 1 used + 1 returned + 1 unaccounted; 3 unresolved" in line
    data = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert data["verdict"] == "NOT COMPLETE" and pdf.read_bytes().startswith(b"%PDF")

    # Kamla decided; her lab request goes to the HMIS in a CSV file, the rest was acknowledged before.
    _resolve_everything(office, outage)
    stick = tmp_path / "stick"
    assert csv_to(office, stick).startswith(f"csv to {stick}: 9 written")  # rows: matched patients' too
    done = report_cli(office, pdf, "--json", str(tmp_path / "r.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("COMPLETE: received 12 = posted 6 + merged 4 + voided 2 + pending 0 (posted: 5 "
                                  f"acknowledged by the HMIS at {url}, 1 handed over as files in {stick}); "), \
        done.stdout
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert (data["complete"], data["unresolved"], data["blank_ids"]["returned"]) == (True, [], 2)
    assert [(d["device"], d["pending"]) for d in data["devices"]] == [("W7-PC2", 0), ("W9-PC1", 0), ("RO-PC1", 0)]
    assert data["posted_by"] == {"acknowledged": 5, "files": 1, "urls": [url], "folders": [str(stick)]}
    with pdfplumber.open(pdf) as doc:
        cover = doc.pages[0].extract_text() or ""
    assert "COMPLETE" in cover and "NOT COMPLETE" not in cover
    assert "Received 12 = posted 6 + merged 4 + voided 2 + pending 0." in cover


def test_a_site_whose_hmis_takes_only_files_reaches_complete_and_a_second_stick_counts_nothing_twice(
        outage: Outage, tmp_path: Path) -> None:
    office = Path(shutil.copytree(outage.unposted, tmp_path / "office"))
    _resolve_everything(office, outage)
    pdf = tmp_path / "report.pdf"
    before = report_cli(office, pdf)
    assert before.returncode == 3 and "received 12 = posted 0 + merged 3 + voided 2 + pending 7;" in before.stdout

    first, second = tmp_path / "stick-1", tmp_path / "stick-2"
    csv_to(office, first)
    done = report_cli(office, pdf)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("COMPLETE: received 12 = posted 6 + merged 4 + voided 2 + pending 0 (posted: 6 "
                                  f"handed over as files in {first}); "), done.stdout

    # The first stick is lost on the way: the files are written again, to another one.
    csv_to(office, second)
    again = report_cli(office, pdf)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith("COMPLETE: received 12 = posted 6 + merged 4 + voided 2 + pending 0 (posted: 6 "
                                   "handed over as files in 2 folders); "), again.stdout
    data = json.loads(pdf.with_suffix(".json").read_text("utf-8"))
    assert data["equation"]["posted"] == 6 and data["posted_by"] == {
        "acknowledged": 0, "files": 6, "urls": [], "folders": [str(first), str(second)]}
    # Each stick holds the 12 record files, columns.csv and held.csv: the seven entries they carry, once each.
    assert [(p["delivery"], p["target"], p["items"], p["entries"]) for p in data["posts"]] == [
        ("file", str(first), 14, 7), ("file", str(second), 14, 7)]
    assert data["posts"][0]["description"] == f"handed over as files in {first}"
    with pdfplumber.open(pdf) as doc:
        cover = " ".join((doc.pages[0].extract_text() or "").split())
        posts = [[squeezed(c) for c in row] for row in doc.pages[1].extract_tables()[2]]
    assert "Posted 6: 6 handed over as files in 2 folders. Files get no answer from the HMIS" in cover
    assert [row[:4] for row in posts[1:]] == [["csv", squeezed(f"handed over as files in {folder}"), "14", "7"]
                                             for folder in (first, second)]


def test_a_pdf_named_like_its_json_is_refused_in_one_line(outage: Outage, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(outage.office), "reconcile", "report", "--out",
                                       str(tmp_path / "report.json")], env=OFFICE)
    assert result.exit_code == 1 and result.output.strip() == \
        "error: --out report.json would be overwritten by the JSON: name the PDF report.pdf"
    assert not (tmp_path / "report.json").exists()
