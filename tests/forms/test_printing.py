"""Printing from the journal: the PDF, the print queue, the audit entry, reprints, voids and blank packs."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from downtime import ids
from downtime.errors import DowntimeError
from downtime.journal import Entry
from downtime.session import Session, login
from forms.codes import id_from_barcode, parse_qr
from forms.print_queue import printers
from forms.printing import PRINTS_DIR, PrintFailedError, print_blank_pack, print_entry
from tests.conftest import NURSE_ID, NURSE_PIN, SUNITA
from tests.forms.conftest import decode, page_png, pdf_texts
from tests.test_cli import assert_one_line_error, run

CUPS_QUEUE = os.environ.get("DOWNTIME_CUPS_QUEUE", "DowntimePDF")
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")


def admit(session: Session, **changes: str) -> Entry:
    patient = session.record("patient.register", SUNITA).human_id
    assert patient
    return session.record("encounter.admit", {
        "patient": patient, "admitted_at": "2025-01-05T14:20", "ward": "Medicine Ward 7", "bed": "12",
        "department": "Medicine", "admitting_doctor": "Dr. Anil Sharma", "consent_given": True,
        "provisional_diagnosis": "Community-acquired pneumonia", **changes})


def prints_of(session: Session) -> list[dict[str, object]]:
    return [e.payload for e in session.journal.entries("print.record")]


def text_of(pdf: Path) -> str:
    return "\n".join(pdf_texts(pdf))


def test_print_entry_writes_the_pdf_and_journals_the_print(nurse: Session) -> None:
    admission = admit(nurse)
    result = print_entry(nurse, admission.human_id or "", form="admission", pdf_only=True)
    assert result.pdf.parent == nurse.home.path / PRINTS_DIR and result.pdf.is_file()
    assert stat.S_IMODE(result.pdf.parent.stat().st_mode) == 0o700  # plaintext PDFs: this user only
    text = text_of(result.pdf)
    for expected in ("Sunita Devi", admission.human_id, "Medicine Ward 7", "Community-acquired pneumonia"):
        assert expected in text
    assert "REPRINT" not in text
    assert prints_of(nurse) == [{"target": admission.uuid, "form": "admission", "copies": 1, "outcome": "pdf_only",
                                 "reprint": False}]
    assert result.audit.kind == "print.record" and result.audit.staff == NURSE_ID
    assert nurse.journal.db["records"].get(admission.uuid)["prints"] == 1
    qr = parse_qr(decode(page_png(result.pdf)).qr[0])
    assert (qr.entry_uuid, qr.human_id) == (admission.uuid, admission.human_id)


def test_a_failed_print_keeps_the_pdf_and_says_where_in_one_line(nurse: Session) -> None:
    admission = admit(nurse)
    with pytest.raises(PrintFailedError) as failed:
        print_entry(nurse, admission.uuid, form="admission", printer="NoSuchPrinter-Ward99")
    message = str(failed.value)
    assert "\n" not in message and "printing admission failed" in message
    assert str(failed.value.pdf) in message and failed.value.pdf.is_file()
    assert prints_of(nurse)[-1]["outcome"] == "failed"
    assert nurse.journal.db["records"].get(admission.uuid)["prints"] == 0  # a failed print is not a copy


def test_the_cli_error_for_a_failed_print_is_one_line(home: Path, nurse: Session) -> None:
    admission = admit(nurse)
    result = run("--home", str(home), "print", "admission", "--entry", admission.human_id or "",
                 "--printer", "NoSuchPrinter-Ward99", staff=NURSE_ID, pin=NURSE_PIN)
    assert_one_line_error(result, "printing admission failed", "the PDF is kept at", str(home / PRINTS_DIR))


def test_a_reprint_of_a_corrected_entry_prints_the_current_version_and_says_so(nurse: Session) -> None:
    admission = admit(nurse)
    first = print_entry(nurse, admission.human_id or "", form="admission", pdf_only=True)
    fields = {**admission.payload, "ward": "MICU", "bed": "3"}
    correction = nurse.correct(admission.human_id or "", fields, "moved before the first print was filed")
    again = print_entry(nurse, correction.uuid, form="admission", pdf_only=True)
    pages = pdf_texts(again.pdf)
    assert all("REPRINT" in page and "this is the current version" in page for page in pages)
    text = "\n".join(pages)
    assert "MICU" in text and "Medicine Ward 7" not in text and "Medicine Ward 7" in text_of(first.pdf)
    assert prints_of(nurse)[-1] == {"target": admission.uuid, "form": "admission", "copies": 1,
                                    "outcome": "pdf_only", "reprint": True}
    # The QR still names the record (the original uuid), so paper found later leads to every version.
    assert parse_qr(decode(page_png(again.pdf)).qr[0]).entry_uuid == admission.uuid


def test_a_voided_entry_is_not_printed(nurse: Session) -> None:
    admission = admit(nurse)
    nurse.void(admission.uuid, "admitted to the wrong patient")
    with pytest.raises(DowntimeError, match="was voided and cannot be printed"):
        print_entry(nurse, admission.human_id or "", form="admission", pdf_only=True)
    assert prints_of(nurse) == []


def test_system_entries_and_wrong_forms_are_refused(nurse: Session) -> None:
    admission = admit(nurse)
    login_entry = next(nurse.journal.entries("auth.login"))
    with pytest.raises(DowntimeError, match="only patient records can be printed"):
        print_entry(nurse, login_entry.uuid, pdf_only=True)
    with pytest.raises(DowntimeError, match="say which form"):  # admission and wristband both print it
        print_entry(nurse, admission.uuid, pdf_only=True)
    with pytest.raises(DowntimeError, match="not for this encounter.admit entry"):
        print_entry(nurse, admission.uuid, form="lab_request", pdf_only=True)


def test_a_blank_pack_of_50_reserves_50_ids_and_prints_each_once(nurse: Session) -> None:
    result = print_blank_pack(nurse, "admission", 50, pdf_only=True)
    reserve = [e for e in nurse.journal.entries("ids.reserve")]
    assert len(reserve) == 1 and reserve[0].payload["count"] == 50
    reserved = reserve[0].payload["ids"]
    pages = pdf_texts(result.pdf)
    per_form = len(pages) // 50
    printed = [next(m for m in re.findall(r"AIIMS-\d{3}-\d{5}-\d", page)) for page in pages[::per_form]]
    assert printed == reserved and len(set(printed)) == 50 and all(ids.validate(i) for i in printed)
    rows = nurse.journal.db.execute("SELECT id, purpose, entry_uuid FROM issued_ids WHERE purpose LIKE 'reserved:%'")
    assert sorted(rows) == sorted((i, "reserved:admission", reserve[0].uuid) for i in reserved)
    for page in (1, len(pages) - per_form + 1):  # the barcodes and QR of the first and the last form
        codes = decode(page_png(result.pdf, page=page))
        expected = reserved[(page - 1) // per_form]
        assert [id_from_barcode(c) for c in codes.code128] == [expected]
        assert parse_qr(codes.qr[0]).human_id == expected
    # The IDs are spent: the next registration takes the one after the pack.
    after = nurse.record("patient.register", SUNITA).human_id or ""
    assert ids.parse(after).serial == ids.parse(reserved[-1]).serial + 1
    assert prints_of(nurse)[-1]["target"] == reserve[0].uuid


def test_print_list_and_pdf_only_through_the_cli(home: Path, nurse: Session, tmp_path: Path) -> None:
    admission = admit(nurse)
    listed = run("--home", str(home), "print", "--list")
    assert listed.returncode == 0 and "ward_census" in listed.stdout and "mccd_form4a" in listed.stdout
    out = tmp_path / "admission.pdf"
    done = run("--home", str(home), "print", "admission", "--entry", admission.human_id or "", "--out", str(out),
               "--pdf-only", staff=NURSE_ID, pin=NURSE_PIN)
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout and "Sunita Devi" in text_of(out)
    assert_one_line_error(run("--home", str(home), "print", "form_99", "--entry", "x"), "no form called 'form_99'")
    assert_one_line_error(run("--home", str(home), "print", "admission", staff=NURSE_ID, pin=NURSE_PIN),
                          "--entry")
    assert_one_line_error(run("--home", str(home), "print", "admission", "--blank", "--count", "5", "--out",
                              str(tmp_path / "no-such-folder" / "x.pdf"), staff=NURSE_ID, pin=NURSE_PIN),
                          "does not exist")
    assert len(prints_of(nurse)) == 1 and not list(nurse.journal.entries("ids.reserve"))  # no ID taken in vain


# ---- a real print queue ----

@pytest.fixture
def cups_queue() -> Iterator[str]:
    """The cups-pdf queue CI sets up (installer/cups-pdf-queue.sh); skipped without one, unless CI requires it."""
    if CUPS_QUEUE not in printers():
        reason = f"no CUPS queue {CUPS_QUEUE!r} on this machine (installer/cups-pdf-queue.sh sets one up as root)"
        if os.environ.get("DOWNTIME_REQUIRE_CUPS") == "1":
            pytest.fail(f"DOWNTIME_REQUIRE_CUPS=1 but {reason}")
        pytest.skip(reason)
    yield CUPS_QUEUE


def cups_pdf_dirs() -> list[Path]:
    """Where cups-pdf writes its PDFs: ``Out`` in cups-pdf.conf (default ~/PDF), or its anonymous folder."""
    out = "${HOME}/PDF"
    if CUPS_PDF_CONF.is_file():
        out = next((line.split(None, 1)[1].strip() for line in CUPS_PDF_CONF.read_text().splitlines()
                    if line.startswith("Out ")), out)
    import pwd  # POSIX only, like CUPS

    # cups-pdf takes the job owner's home from the password database, not from $HOME.
    homes = {pwd.getpwuid(os.getuid()).pw_dir, str(Path.home())}
    return [Path(out.replace("${HOME}", home)) for home in sorted(homes)] + [Path("/var/spool/cups-pdf/ANONYMOUS")]


def wait_for_job_pdf(job_id: str, timeout_s: float = 60) -> Path:
    number = job_id.rsplit("-", 1)[-1]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for folder in cups_pdf_dirs():
            for pdf in folder.glob(f"*job_{number}.pdf"):
                done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=False)
                if done.returncode == 0:  # fully written, not still being written
                    return pdf
        time.sleep(0.3)
    raise AssertionError(f"cups-pdf wrote no PDF for job {job_id} in {timeout_s:.0f} s (looked in "
                         f"{', '.join(map(str, cups_pdf_dirs()))})")


def test_printing_to_a_cups_queue_produces_the_form(nurse: Session, cups_queue: str) -> None:
    admission = admit(nurse)
    result = print_entry(nurse, admission.human_id or "", form="admission", printer=cups_queue)
    assert result.outcome == "printed" and result.printer == cups_queue and result.job_id.startswith(cups_queue)
    printed = wait_for_job_pdf(result.job_id)
    text = text_of(printed)
    assert "Sunita Devi" in text and (admission.human_id or "") in text
    assert prints_of(nurse)[-1] == {"target": admission.uuid, "form": "admission", "copies": 1,
                                    "outcome": "printed", "reprint": False, "printer": cups_queue}
    printed.unlink()


def test_the_audit_trail_survives_a_journal_rebuild(home: Path, nurse: Session) -> None:
    admission = admit(nurse)
    print_entry(nurse, admission.uuid, form="wristband_strip", pdf_only=True)
    nurse.journal.rebuild_projections()
    assert nurse.journal.db["records"].get(admission.uuid)["prints"] == 1
    again = login(home, NURSE_ID, NURSE_PIN)
    try:
        assert json.loads(json.dumps(prints_of(again)))[-1]["form"] == "wristband_strip"
    finally:
        again.close()
