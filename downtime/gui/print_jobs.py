"""Printing from the screens: one seam that says where print jobs go, and one line to tell the user.

Every screen prints through ``print_record`` or ``print_sheet`` so that the choice of printer
is made once: the PC's default printer (or the site's ``printer`` setting), or PDF only for
tests and screenshots (``TARGET.pdf_only``). A print that fails never loses the entry: it is
saved before anything is printed, and the PDF is kept for another PC to print.

The line names each form by its title in the language on screen ("Discharge slip", "डिस्चार्ज
पर्ची"), as printed on the paper, never by the spec's file name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from downtime.errors import DowntimeError
from downtime.gui import language
from downtime.session import Session
from forms.printing import PrintFailedError, PrintResult, print_entry
from forms.spec import load_spec

# What the core's PrintFailedError says (forms/printing.py), read back to put the form's title in its place.
_FAILED = re.compile(r"^printing (?P<form>\S+) failed: (?P<reason>.*); the PDF is kept at .*$", re.DOTALL)


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
            self.problems.append(_not_printed(exc))
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
            return _tr("Saved as PDF: {forms}.").format(forms=form_list(self.forms))
        return _tr("Sent to the printer: {forms}.").format(forms=form_list(self.forms))


def form_title(form: str, lang: str | None = None) -> str:
    """A form's title as printed on it, without the part in brackets: "Form No. 2: Death report"."""
    try:
        title = load_spec(form).title
    except DowntimeError:  # a form this version does not know: its name is still better than nothing
        return form
    text = (title.hi if (lang or language.current()) == "hi" else title.en) or title.en
    return re.sub(r"\s*\([^()]*\)$", "", text)


def form_list(forms: Iterable[str]) -> str:
    """ "Laboratory requisition ×2; Specimen labels ×2": each form once, in the order printed."""
    counts = Counter(forms)
    return "; ".join(form_title(f) + (f" ×{n}" if n > 1 else "") for f, n in counts.items())


def _not_printed(exc: PrintFailedError) -> str:
    found = _FAILED.match(str(exc))
    if found is None:
        return str(exc)
    return _tr("{form} was not printed ({reason}). Its PDF is kept at {pdf}: print it from another PC.").format(
        form=form_title(found["form"]), reason=found["reason"], pdf=exc.pdf)


def print_record(session: Session, ref: str, forms: Iterable[str]) -> PrintReport:
    """Print the record ``ref`` (uuid or human ID) on each of ``forms``; failures are reported, not raised."""
    report = PrintReport()
    for form in forms:
        report.add(lambda form=form: print_entry(session, ref, form=form, printer=TARGET.printer_for(session),
                                                 pdf_only=TARGET.pdf_only))
    return report


def print_sheet(job: Callable[..., PrintResult], session: Session, **kwargs: object) -> PrintReport:
    """Print a sheet (``forms.census.print_census``, ``print_patient_summary`` or ``print_lab_report``)."""
    report = PrintReport()
    report.add(lambda: job(session, printer=TARGET.printer_for(session), pdf_only=TARGET.pdf_only, **kwargs))
    return report


def _tr(text: str) -> str:
    return QCoreApplication.translate("Printing", text)
