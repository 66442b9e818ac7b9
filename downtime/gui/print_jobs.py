"""Printing from the screens: one seam that says where print jobs go, and one line to tell the user.

Every screen prints through ``print_record`` or ``print_sheet`` so that the choice of printer
is made once: the PC's default printer (or the site's ``printer`` setting), or PDF only for
tests and screenshots (``TARGET.pdf_only``). A print that fails never loses the entry: it is
saved before anything is printed, and the PDF is kept for another PC to print.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from downtime.errors import DowntimeError
from downtime.session import Session
from forms.printing import PrintFailedError, PrintResult, print_entry


@dataclass
class PrintTarget:
    printer: str | None = None  # None: the site's "printer" setting, else the PC's default printer
    pdf_only: bool = False      # write the PDF and journal it, send nothing to a printer

    def printer_for(self, session: Session) -> str | None:
        return self.printer or session.config.settings.get("printer") or None


TARGET = PrintTarget()


@dataclass
class PrintReport:
    """What happened to each form of one save: the PDFs written and a sentence per problem."""

    pdfs: list[Path] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, job: Callable[[], PrintResult]) -> None:
        try:
            result = job()
        except PrintFailedError as exc:
            self.pdfs.append(exc.pdf)
            self.problems.append(str(exc))
        except DowntimeError as exc:
            self.problems.append(str(exc))
        else:
            self.pdfs.append(result.pdf)
            self.forms.append(result.form)

    def text(self) -> str:
        if self.problems:
            return " ".join(self.problems)
        if not self.forms:
            return ""
        if TARGET.pdf_only:
            return _tr("Saved as PDF: {forms}.").format(forms=", ".join(self.forms))
        return _tr("Sent to the printer: {forms}.").format(forms=", ".join(self.forms))


def print_record(session: Session, ref: str, forms: Iterable[str]) -> PrintReport:
    """Print the record ``ref`` (uuid or human ID) on each of ``forms``; failures are reported, not raised."""
    report = PrintReport()
    for form in forms:
        report.add(lambda form=form: print_entry(session, ref, form=form, printer=TARGET.printer_for(session),
                                                 pdf_only=TARGET.pdf_only))
    return report


def print_sheet(job: Callable[..., PrintResult], session: Session, **kwargs: object) -> PrintReport:
    """Print a sheet from the snapshot (``forms.census.print_census`` or ``print_patient_summary``)."""
    report = PrintReport()
    report.add(lambda: job(session, printer=TARGET.printer_for(session), pdf_only=TARGET.pdf_only, **kwargs))
    return report


def _tr(text: str) -> str:
    return QCoreApplication.translate("Printing", text)
