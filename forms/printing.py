"""Print a journal entry, or a blank pre-numbered pack: PDF first, then the print queue, then the audit entry.

    result = print_entry(session, "AIIMS-042-00200-0", form="admission", printer="Ward7-Laser")
    result = print_blank_pack(session, "admission", 50)

The PDF is always written before anything is sent, and it is kept when the
queue refuses the job, so the form can still be printed from another PC. Every
attempt (printed, failed, PDF only) is a ``print.record`` entry in the journal.

The PDFs are *not* encrypted (a print queue cannot read an encrypted file).
Unless the caller names another file they go to ``<home>/prints/``, a folder
only this PC's user may open (0700), and nothing deletes them automatically:
IT clears the folder after the outage (see docs/forms/README.md).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from downtime.errors import DowntimeError
from downtime.journal import Entry
from downtime.session import Session
from forms.entry_context import PrintableEntry, form_context, printable_entry, reprint_note
from forms.print_queue import PrintQueueError, send_pdf
from forms.render import render_blank_pack, render_form
from forms.spec import forms_for, load_spec

PRINTS_DIR = "prints"
PDF_NOTE = "the PDF is not encrypted; it stays in a folder only this PC's user can open until IT clears it"

Outcome = Literal["printed", "failed", "pdf_only"]


class PrintFailedError(DowntimeError):
    """The PDF was written, but the print queue did not take it; the message says where the PDF is."""

    def __init__(self, message: str, pdf: Path) -> None:
        super().__init__(message)
        self.pdf = pdf


@dataclass(frozen=True)
class PrintResult:
    pdf: Path
    form: str
    outcome: Outcome
    printer: str | None  # the queue that took the job; None for a PDF only
    job_id: str
    reprint: bool
    audit: Entry  # the print.record entry
    note: str = PDF_NOTE

    def summary(self) -> str:
        """One line for the user."""
        what = "reprinted" if self.reprint else "printed"
        if self.outcome == "pdf_only":
            return f"saved {self.form} as {self.pdf} (not sent to a printer); {self.note}"
        job = f" as job {self.job_id}" if self.job_id else ""
        return f"{what} {self.form} on {self.printer}{job}; PDF kept at {self.pdf} ({self.note})"


def print_entry(session: Session, ref: str, *, form: str | None = None, out: Path | None = None,
                printer: str | None = None, pdf_only: bool = False) -> PrintResult:
    """Print entry ``ref`` (human ID or uuid) on ``form``; ``printer`` None means the PC's default printer."""
    item = printable_entry(session, ref)
    form = form or _only_form(item)
    note = reprint_note(item, item.printed_before(session, form))
    pdf = render_form(form, form_context(session, item, note=note), pdf_path(session, out, form, item.label))
    return queue_and_record(session, pdf, form, printer, pdf_only, target=item.record_uuid, reprint=note is not None)


def reserve_blank_pack(session: Session, form: str, count: int) -> list[str]:
    """Reserve ``count`` IDs for blank copies of ``form``; one ids.reserve entry lists them all."""
    return list(_reserve(session, form, count).payload["ids"])


def print_blank_pack(session: Session, form: str, count: int, *, out: Path | None = None,
                     printer: str | None = None, pdf_only: bool = False) -> PrintResult:
    """Reserve IDs and print a pack of blank forms pre-numbered with them (the fallback when the PC is down)."""
    named = pdf_path(session, out, form, "") if out else None  # a bad --out fails before any ID is taken
    reservation = _reserve(session, form, count)
    ids = reservation.payload["ids"]
    pdf = render_blank_pack(form, form_context(session, None), ids,
                            named or default_pdf(session, form, f"blank-{ids[0]}-x{count}"))
    return queue_and_record(session, pdf, form, printer, pdf_only, target=reservation.uuid)


def _reserve(session: Session, form: str, count: int) -> Entry:
    load_spec(form)  # an unknown form must fail before any ID is taken from the block
    return session.reserve_ids(form, count)


def _only_form(item: PrintableEntry) -> str:
    kind, payload = item.entry["kind"], item.entry["payload"]
    names = forms_for(kind, payload)
    if len(names) != 1:
        raise DowntimeError(f"say which form to print {item.label} on: "
                            f"{', '.join(names) if names else f'no form prints {kind} entries'}")
    return names[0]


def prints_dir(session: Session) -> Path:
    """``<home>/prints``, created private (0700): the PDFs in it are plaintext patient records."""
    folder = session.home.path / PRINTS_DIR
    folder.mkdir(mode=0o700, exist_ok=True)
    if os.name == "posix":
        os.chmod(folder, 0o700)  # mkdir's mode is masked by the umask, and an older folder may be wider
    return folder


def pdf_path(session: Session, out: Path | None, form: str, label: str) -> Path:
    """Where the PDF goes: ``out`` if the caller named a file (its folder must exist), else ``default_pdf``."""
    if out is None:
        return default_pdf(session, form, label)
    out = Path(out)
    if not out.parent.is_dir():
        raise DowntimeError(f"cannot write {out}: the folder {out.parent} does not exist")
    return out


def default_pdf(session: Session, form: str, label: str) -> Path:
    """A new file in ``prints_dir``; the label (an ID) is reduced to characters every file system takes."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = f"{stamp}-{form}-{re.sub(r'[^A-Za-z0-9-]+', '_', label)}"
    folder = prints_dir(session)
    path, copy = folder / f"{stem}.pdf", 1
    while path.exists():  # a reprint in the same second must not overwrite the first print's PDF
        copy += 1
        path = folder / f"{stem}-{copy}.pdf"
    return path


def queue_and_record(session: Session, pdf: Path, form: str, printer: str | None, pdf_only: bool, *,
                     target: str | None = None, subject: str | None = None, reprint: bool = False,
                     covers: Sequence[str] = ()) -> PrintResult:
    """Send the PDF (unless ``pdf_only``), journal the outcome, and raise if the queue refused it.

    ``target`` is the entry printed; a sheet from the snapshot has none and says what it was in ``subject``.
    ``covers`` are the entries a sheet lists (each result on a lab report): the audit entry names them all,
    so each one counts as printed.
    """
    job, failure = None, None
    if not pdf_only:
        try:
            job = send_pdf(pdf, printer, title=f"downtime-{form}")
        except PrintQueueError as exc:
            failure = exc
    outcome: Outcome = "pdf_only" if pdf_only else ("failed" if failure else "printed")
    queue = job.printer if job else printer
    optional = {"target": target, "entries": list(covers), "subject": subject, "printer": queue}
    payload = {"form": form, "copies": 1, "outcome": outcome, "reprint": reprint,
               **{k: v for k, v in optional.items() if v}}
    audit = session.record_print(payload)
    if failure is not None:
        raise PrintFailedError(f"printing {form} failed: {failure}; the PDF is kept at {pdf}", pdf)
    return PrintResult(pdf, form, outcome, queue if job else None, job.job_id if job else "", reprint, audit)
