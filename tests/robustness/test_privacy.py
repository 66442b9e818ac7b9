"""Privacy: every workflow at log level DEBUG, then no patient name, phone, UHID, ABHA number or downtime ID
in any log, any temp file, or any file of the downtime folders outside the encrypted databases.

The run is one outage end to end: IT sets up a ward PC and the records office and imports a snapshot;
ward staff register (CLI and screen), admit, transfer, discharge, request labs and enter results, record a
birth and a death with its MCCD, correct and void, search and print; the ward exports; the records office
imports, matches, writes the crosswalk and posts to files. The CLI commands run in this process (so an
audit hook sees every file they write), the screens' workflows through the core calls they make.

What may hold patient data, by design: the encrypted databases, printed PDFs in ``<home>/prints`` (0700,
documented in docs/SECURITY.md), and the files a user asked for (a PDF with --out, the crosswalk, the
write-back files). Everything else is scanned.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, ClassVar

import pdfplumber
import pytest
from click.testing import CliRunner

from downtime import births, deaths, lab
from downtime.cli import main
from downtime.session import Session, login
from forms.print_queue import printers, send_pdf
from forms.printing import print_entry
from sync.mpi import MpiRecord, write_mpi_ndjson

PASSPHRASE = "seven wards of paper"
ADMIN = {"DOWNTIME_STAFF": "ADMIN1", "DOWNTIME_PIN": "482916"}
NURSE, DOCTOR, LAB = ("N1042", "735190"), ("D2001", "264810"), ("L3001", "918273")
CUPS_QUEUE = os.environ.get("DOWNTIME_CUPS_QUEUE", "DowntimePDF")
CUPS_SPOOL = Path("/var/spool/cups")
WHEN = (dt.datetime.now() - dt.timedelta(hours=3)).replace(second=0, microsecond=0)

# The patients of this outage. Every value is distinctive, so finding it anywhere means it leaked.
REGISTERED = {"name": "Zorawar Pratapgarhia", "sex": "male", "age_years": 52, "phone": "9812376540",
              "relative": "S/o Harbhajan Pratapgarhia", "address": "House 77, Gali Kucha Patiram",
              "pincode": "110006", "abha": "91-7654-3210-9876"}
HINDI = {"name": "कुसुमलता बघेल", "sex": "female", "age_years": 31, "phone": "9823456701",
         "relative": "W/o Raghuveer Baghel", "address": "Gali 4, Sangam Vihar"}
SNAPSHOT_PATIENT = ("AIIMS-775511", "Tejinder Walia", "9834567812", "91-1111-2222-3333")
KEYED_IN = ("Bhanupriya Kothandaraman", "9845678123")
MPI_UHID = "AIIMS-880042"
SECRETS = ["Zorawar", "Pratapgarhia", "Harbhajan", "Patiram", "9812376540", "91-7654-3210-9876", "91765432109876",
           "कुसुमलता", "बघेल", "Raghuveer", "9823456701", "Sangam Vihar",
           "Tejinder", "Walia", "9834567812", "AIIMS-775511", "91-1111-2222-3333", "91111122223333",
           "Bhanupriya", "Kothandaraman", "9845678123", MPI_UHID]


# -- watching what is written ----------------------------------------------------------------------------

class WriteWatch:
    """Files this process opens for writing while on. An audit hook cannot be removed, so one is installed
    for the session and switched on and off."""

    installed: ClassVar[bool] = False
    active: ClassVar[bool] = False
    paths: ClassVar[set[str]] = set()

    @classmethod
    def hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if not cls.active or event != "open" or not isinstance(args[0], (str, Path)):
            return
        mode, flags = args[1], args[2] if len(args) > 2 else 0
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
            (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writes:
            cls.paths.add(os.path.abspath(args[0]))


@contextmanager
def watching_writes() -> Iterator[set[str]]:
    if not WriteWatch.installed:
        sys.addaudithook(WriteWatch.hook)
        WriteWatch.installed = True
    WriteWatch.paths = set()
    WriteWatch.active = True
    try:
        yield WriteWatch.paths
    finally:
        WriteWatch.active = False


@contextmanager
def debug_logging(capture: Path) -> Iterator[None]:
    """Every logger at DEBUG into ``capture`` (what any library would log), and the toolkit's own file
    handler re-created per command, so each downtime folder gets its own log as in real use."""
    root, ours = logging.getLogger(), logging.getLogger("downtime")
    saved = (root.level, list(ours.handlers), ours.level)
    handler = logging.FileHandler(capture, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        _drop_file_handlers()
        root.setLevel(saved[0])
        ours.handlers = saved[1]
        ours.setLevel(saved[2])


def _drop_file_handlers() -> None:
    ours = logging.getLogger("downtime")
    for h in [h for h in ours.handlers if isinstance(h, RotatingFileHandler)]:
        ours.removeHandler(h)
        h.close()


def cli(home: Path, *args: str, **env: str) -> str:
    """One `downtime` command, in this process, as a staff member would run it."""
    _drop_file_handlers()  # setup_logging attaches once per process; here each command names its own home
    result = CliRunner().invoke(main, ["--home", str(home), *args], env={**ADMIN, **env}, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return result.output


# -- the outage --------------------------------------------------------------------------------------------

def set_up(ward: Path, office: Path, io: Path) -> None:
    """IT: a records office and a ward PC that trust each other, a snapshot, staff, a downtime."""
    cli(office, "init", "--site", "AIIMS New Delhi", "--device", "RO-PC1", "--records-office", "--block", "999",
        DOWNTIME_PASSPHRASE=PASSPHRASE)
    cli(ward, "init", "--site", "AIIMS New Delhi", "--device", "W7-PC2", "--block", "7")
    cli(office, "reconcile", "pubkey", "--out", str(io / "office.pub"), DOWNTIME_PASSPHRASE=PASSPHRASE)
    cli(ward, "keys", "export", "--out", str(io / "device.pub"))
    cli(ward, "keys", "trust-office", str(io / "office.pub"))
    cli(office, "reconcile", "trust", str(io / "device.pub"), DOWNTIME_PASSPHRASE=PASSPHRASE)
    for (sid, pin), role in ((NURSE, "ward"), (DOCTOR, "doctor"), (LAB, "lab")):
        cli(ward, "staff", "add", "--id", sid, "--name", f"Staff {sid}", "--role", role, "--pin-env", "NEW_PIN",
            NEW_PIN=pin)
    uhid, name, phone, abha = SNAPSHOT_PATIENT
    export = io / "hmis-export"
    export.mkdir()
    (export / "patients.csv").write_text(f"uhid,name,sex,age_years,phone,abha,ward,bed\n"
                                         f"{uhid},{name},M,60,{phone},{abha},Medicine Ward 7,M7-3\n", "utf-8")
    cli(ward, "snapshot", "import", str(export))
    cli(ward, "event", "start", "--reason", "HMIS down")


def ward_work(ward: Path, io: Path) -> str | None:
    """Ward staff, through the CLI and through the core calls the screens make; the CUPS job, if printed."""
    (io / "p.json").write_text(json.dumps(REGISTERED), "utf-8")
    cli(ward, "entry", "add", "patient.register", "--json", str(io / "p.json"))
    (io / "paper.csv").write_text(f"row_id,name,sex,age_years,phone\nF-001,{KEYED_IN[0]},female,40,{KEYED_IN[1]}\n",
                                  "utf-8")
    cli(ward, "entry", "import", "patient.register", str(io / "paper.csv"))

    nurse = login(ward, *NURSE)
    try:
        zorawar = nurse.search("Zorawar")[0].id
        kusum = nurse.record("patient.register", HINDI).human_id or ""
        nurse.likely_matches(HINDI)
        when = WHEN.strftime("%Y-%m-%d %H:%M")
        admission = nurse.record("encounter.admit", {"patient": zorawar, "admitted_at": when, "ward": "Medicine Ward 7",
                                                     "bed": "12", "admitting_doctor": "Dr Anil Rao"})
        nurse.record("encounter.transfer", {"patient": zorawar, "transferred_at": when, "to_ward": "ICU"})
        nurse.record("encounter.admit", {"patient": kusum, "admitted_at": when, "ward": "Labour Room",
                                         "admitting_doctor": "Dr Anil Rao"})
        [request] = lab.request_tests(nurse, {"patient": zorawar, "priority": "urgent",
                                              "requesting_clinician": "Dr Anil Rao"},
                                      lab.plan_samples(lab.lab_catalogue(nurse), ["CBC"]))
        shared = {**births.birth_draft(nurse, nurse.patient_summary(kusum)), "date_of_birth": WHEN.date().isoformat()}
        births.record_births(nurse, shared, [{"sex": "female", "birth_weight_kg": "2.9"}])
        note = nurse.record("note", {"patient": zorawar, "text": "Relatives informed"})
        nurse.correct(note.uuid, {"patient": zorawar, "text": "Relatives informed by phone"}, "wording")
        nurse.void(nurse.record("note", {"patient": kusum, "text": "wrong patient"}).uuid, "entered on the wrong patient")
        for query in ("Zorawar Prat", "कुसुम", "9812376540", "91-7654-3210-9876", "AIIMS-775511", admission.human_id or ""):
            nurse.search(query, sound_alike=True)
        print_entry(nurse, admission.human_id or "", form="admission", pdf_only=True)
        print_entry(nurse, admission.human_id or "", form="admission", out=io / "asked-for.pdf", pdf_only=True)
        job = print_entry(nurse, admission.human_id or "", form="admission", printer=CUPS_QUEUE).job_id \
            if CUPS_QUEUE in printers() else None
    finally:
        nurse.close()

    tech = login(ward, *LAB)
    try:
        order = lab.find_order(tech, request.human_id or "")
        lab.record_results(tech, order.accession, [{"test": "Haemoglobin", "value": "6.1", "flag": "critical",
                                                     "verified_by": "Lab technician"}])
    finally:
        tech.close()

    doctor = login(ward, *DOCTOR)
    try:
        doctor.record("encounter.discharge", {"patient": zorawar, "discharged_at": when, "discharge_type": "normal",
                                              "discharging_doctor": "Dr Anil Rao"})
        summary = doctor.patient_summary(kusum)
        death = {**deaths.death_draft(doctor, summary), "died_at": when, "declared_by": "Dr Anil Rao"}
        mccd = {**deaths.mccd_draft(doctor, summary, death), "cause_a": "Postpartum haemorrhage",
                "interval_a": "6 hours", "certifier_name": "Dr Anil Rao", "certifier_registration_number": "DMC-1"}
        deaths.record_death(doctor, death, deaths.report_draft(doctor, summary, death, mccd), mccd)
    finally:
        doctor.close()

    cli(ward, "search", "Pratapgarhia", "--json")
    cli(ward, "print", "admission", "--entry", admission.human_id or "", "--pdf-only")
    cli(ward, "journal", "verify")
    cli(ward, "export", "--out", str(io / "usb"))
    return job


def office_work(office: Path, io: Path) -> None:
    office_env = {"DOWNTIME_PASSPHRASE": PASSPHRASE}
    cli(office, "reconcile", "import", str(io / "usb"), **office_env)
    write_mpi_ndjson([MpiRecord(MPI_UHID, "Zorawar Pratapgarhia", "male", "1973", "9812376540",
                                "House 77, Gali Kucha Patiram", "110006", "Harbhajan Pratapgarhia", "so")],
                     io / "mpi.ndjson")
    cli(office, "reconcile", "match", "--mpi", str(io / "mpi.ndjson"), **office_env)
    cli(office, "reconcile", "crosswalk", "--out", str(io / "crosswalk.csv"), **office_env)
    for adapter in ("csv", "fhir", "hl7v2"):
        cli(office, "reconcile", "post", "--adapter", adapter, "--out", str(io / f"post-{adapter}"), **office_env)
    cli(office, "reconcile", "status", **office_env)


def downtime_ids(ward: Path) -> list[str]:
    session: Session = login(ward, *NURSE)
    try:
        return sorted({e.human_id for e in session.journal.entries() if e.human_id})
    finally:
        session.close()


# -- scanning ----------------------------------------------------------------------------------------------

ENCRYPTED = ("journal.db", "workspace.db", ".db-wal", ".db-shm", ".db-journal")


def readable_text(path: Path) -> str:
    """The file's bytes as text, plus a PDF's extracted text (its streams are compressed)."""
    data = path.read_bytes()
    text = data.decode("utf-8", "replace")
    if data.startswith(b"%PDF"):
        with pdfplumber.open(path) as pdf:
            text += "\n".join(page.extract_text() or "" for page in pdf.pages)
    return text


def leaks(paths: list[Path], secrets: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        text = readable_text(path)
        hits = [s for s in secrets if s in text or s in path.name]
        if hits:
            found[str(path)] = hits
    return found


def scanned_files(homes: list[Path]) -> list[Path]:
    """Every file of the downtime folders but the encrypted databases and the private prints folder."""
    files = []
    for home in homes:
        for path in home.rglob("*"):
            inside = path.relative_to(home).parts
            if path.is_file() and inside[0] != "prints" and not path.name.endswith(ENCRYPTED) \
                    and not (inside[0] == "snapshots" and path.suffix == ".db"):
                files.append(path)
    return files


def test_no_patient_data_outside_the_encrypted_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      campaign: Any) -> None:
    temp, io = tmp_path / "tmp", tmp_path / "io"
    ward, office = tmp_path / "ward", tmp_path / "office"
    for folder in (temp, io, io / "usb"):
        folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    monkeypatch.setenv("DOWNTIME_LOG_LEVEL", "DEBUG")
    errors_log = Path.home() / ".downtime-errors.log"
    errors_before = errors_log.stat().st_mtime if errors_log.exists() else None
    capture = tmp_path / "every-logger-at-debug.log"

    with debug_logging(capture), watching_writes() as written:
        set_up(ward, office, io)
        assert logging.getLogger("downtime").level == logging.DEBUG  # DOWNTIME_LOG_LEVEL took effect
        job = ward_work(ward, io)
        office_work(office, io)
    secrets = SECRETS + downtime_ids(ward)

    logs = sorted([*ward.glob("logs/*"), *office.glob("logs/*")])
    assert logs and any(p.stat().st_size for p in logs), "the commands wrote no log at all"
    scanned = [*scanned_files([ward, office]), *temp.rglob("*"), capture]
    scanned = [p for p in scanned if p.is_file()]
    found = leaks(scanned, secrets)
    campaign.record("privacy: files scanned after every workflow at DEBUG", len(scanned), len(found),
                    f"{len(secrets)} patient values looked for in {len(scanned)} files")
    assert not found, found
    # The scanner does see patient data where it belongs (a PDF's text is compressed, so it is extracted).
    assert {"Zorawar", "Pratapgarhia"} <= set(leaks([io / "asked-for.pdf"], secrets)[str(io / "asked-for.pdf")])

    # Files written outside the downtime folders and what the user asked for must be temp files, gone now.
    allowed = [ward, office, io, capture, temp]
    stray = sorted(p for p in written if not any(Path(p).is_relative_to(a) for a in allowed)
                   and "__pycache__" not in p)
    leftover = sorted(str(p) for p in temp.rglob("*"))
    assert not stray and not leftover, (stray, leftover)
    # Made and removed within the run: hl7apy's validation reports (tmp*.txt) and tempfile's own probes.
    transient = sorted({Path(p).suffix or "(no suffix)" for p in written if Path(p).is_relative_to(temp)})
    campaign.record("privacy: temp files made and removed", len([p for p in written if Path(p).is_relative_to(temp)]),
                    0, "kinds: " + ", ".join(transient))

    if job:  # CUPS keeps each job's control file: it must not name the patient's downtime ID
        control = CUPS_SPOOL / f"c{int(job.rpartition('-')[2]):05d}"
        if os.access(control, os.R_OK):
            assert not [i for i in secrets if i.encode() in control.read_bytes()], control
            kept = control.with_name(f"d{control.name[1:]}-001")
            if kept.exists():  # an OS setting (PreserveJobFiles), written up as open in docs/SECURITY.md
                campaign.record("privacy: CUPS spool keeps a copy of printed PDFs", 1, 0,
                                f"{kept} (set PreserveJobFiles No in cupsd.conf)")

    prints = ward / "prints"
    assert stat.S_IMODE(prints.stat().st_mode) == 0o700 and any(prints.glob("*.pdf"))
    assert errors_before == (errors_log.stat().st_mtime if errors_log.exists() else None)


def test_print_jobs_reach_cups_without_the_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by this campaign: lp was given the PDF's path, and CUPS kept its name, which carries the
    downtime ID, as the job's document name in its job history. The PDF now goes in on standard input."""
    fake = tmp_path / "bin" / "lp"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$0.args"\ncat > "$0.stdin"\n'
                    'echo "request id is DowntimePDF-7 (1 file(s))"\n', "utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    pdf = tmp_path / "20261122-101500-admission-AIIMS-007-00004-2.pdf"
    pdf.write_bytes(b"%PDF-1.4 a form")
    job = send_pdf(pdf, "DowntimePDF", title="downtime-admission")
    assert job.job_id == "DowntimePDF-7"
    args = fake.with_name("lp.args").read_text("utf-8")
    assert "AIIMS-007-00004-2" not in args and "downtime-admission" in args
    assert fake.with_name("lp.stdin").read_bytes() == pdf.read_bytes()
