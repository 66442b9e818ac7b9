"""Workflows in steps: fill in, confirm the patient, see what was saved and printed.

A death, a birth or a lab order writes several entries and prints several forms, so it cannot be
the one-form ``WorkflowScreen``. ``FlowScreen`` keeps that screen's contract (built as
``cls(session, patient, lang=...)``, emits ``finished`` once with the main entry or None, Ctrl+Enter
saves, Esc cancels) and adds two pages:

* a patient confirmation, where the name and IDs are read back in large type before a death form
  or a specimen label is printed (wrong-patient labels are the classic downtime error), and
* a done page that reads back the IDs just issued (the newborn's, the accession numbers) and what
  printed or did not, since a clerk must be told, not left to guess, that a printer failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from downtime.checks import check_entry
from downtime.errors import DowntimeError
from downtime.gui.language import language_changed
from downtime.gui.patient_banner import PatientBanner
from downtime.gui.print_jobs import PrintReport, print_record
from downtime.gui.style import ERROR, WARN, set_tone
from downtime.journal import Entry
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError
from downtime.session import Session
from downtime.viewer import PatientSummary


@dataclass
class Outcome:
    """What one save did: the entry ``finished`` carries, a line per thing saved, and the prints."""

    entry: Entry
    lines: list[str] = field(default_factory=list)
    prints: PrintReport = field(default_factory=PrintReport)
    warning: str = ""  # something the user must act on now (a critical lab value)


def print_all(session: Session, jobs: Iterable[tuple[Entry, Sequence[str]]]) -> PrintReport:
    """Print each entry on its forms; one report for the lot, so the done page can say what failed."""
    report = PrintReport()
    for entry, forms in jobs:
        part = print_record(session, entry.uuid, forms)
        report.pdfs += part.pdfs
        report.forms += part.forms
        report.problems += part.problems
    return report


def bold_button(button: QPushButton) -> None:
    """Bold through the font (only the weight, so large-font mode still sizes it): the style sheet's
    bold for the default button alone leaves the button sized for normal text, and clips it."""
    font = QFont()
    font.setBold(True)
    button.setFont(font)


def _sex(sex: str | None) -> str:
    names = {"male": QCoreApplication.translate("Sex", "Male"), "female": QCoreApplication.translate("Sex", "Female"),
             "other": QCoreApplication.translate("Sex", "Other")}
    return names.get(sex or "", "?")


def patient_lines(summary: PatientSummary) -> tuple[str, str, str]:
    """Name; IDs; age, sex and relative: how the confirmation reads a patient back."""
    p = summary.patient
    downtime_id = QCoreApplication.translate("Flow", "Downtime ID {id}").format(id=p.downtime_id)
    ids = [downtime_id if p.downtime_id else "", f"UHID {p.uhid}" if p.uhid else ""]
    details = [p.age or "", _sex(p.sex), p.relation or ""]
    return p.name, "   ".join(i for i in ids if i), ",  ".join(d for d in details if d)


class PatientConfirmation(QFrame):
    """Who the forms are about, in large type, and a yes (Enter) or no (Esc)."""

    confirmed = Signal()
    declined = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.heading = QLabel()
        self.heading.setObjectName("screenTitle")
        self.name_label = QLabel()
        self.name_label.setObjectName("confirmName")
        self.name_label.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.ids_label = QLabel()
        self.ids_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.details_label = QLabel()
        self.question = QLabel()
        self.question.setWordWrap(True)
        set_tone(self.question, WARN)
        self.yes_button = QPushButton()
        bold_button(self.yes_button)
        self.no_button = QPushButton()
        self.yes_button.clicked.connect(self.confirmed)
        self.no_button.clicked.connect(self.declined)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(key), self, self.confirmed.emit, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.no_button)
        buttons.addWidget(self.yes_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        for widget in (self.heading, self.name_label, self.ids_label, self.details_label, self.question):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.retranslate()

    def ask(self, summary: PatientSummary, question: str) -> None:
        name, ids, details = patient_lines(summary)
        self.name_label.setText(name)
        self.ids_label.setText(ids)
        self.details_label.setText(details)
        self.question.setText(question)
        self.yes_button.setFocus()

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Check the patient before printing"))
        self.yes_button.setText(self.tr("Yes, this patient: save and print (Enter)"))
        self.no_button.setText(self.tr("No, go back (Esc)"))


class DonePage(QFrame):
    """What was saved (with the IDs to read back) and what printed; Enter closes the workflow."""

    done = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.heading = QLabel()
        self.heading.setObjectName("screenTitle")
        self.lines_label = QLabel()
        self.lines_label.setWordWrap(True)
        self.lines_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lines_label.setStyleSheet("font-size: 14pt;")
        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.prints_label = QLabel()
        self.prints_label.setWordWrap(True)
        self.done_button = QPushButton()
        bold_button(self.done_button)
        self.done_button.clicked.connect(self.done)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(key), self, self.done.emit, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        for widget in (self.heading, self.lines_label, self.warning_label, self.prints_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.retranslate()

    def show_outcome(self, outcome: Outcome) -> None:
        self.lines_label.setText("\n".join(outcome.lines))
        self.warning_label.setText(outcome.warning)
        self.warning_label.setVisible(bool(outcome.warning))
        set_tone(self.warning_label, ERROR if outcome.warning else "")
        self.prints_label.setText(outcome.prints.text())
        set_tone(self.prints_label, WARN if not outcome.prints.ok else "")
        self.done_button.setFocus()

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Saved"))
        self.done_button.setText(self.tr("Done (Enter)"))


class FlowScreen(QWidget):
    """Subclasses build the editor, check it, and commit; ``confirm_first`` adds the patient check."""

    finished = Signal(object)  # the main Entry saved, or None when cancelled
    kind = ""  # the entry kind whose label is the screen's title
    confirm_first = False

    def __init__(self, session: Session, patient: PatientSummary | None, *, lang: str = "en",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.patient = patient
        self.lang = lang
        self.outcome: Outcome | None = None
        self._closed = False
        self.notice = ""
        self.report: PrintReport | None = None
        self.title = QLabel()
        self.title.setObjectName("screenTitle")
        self.banner = PatientBanner()
        if patient is not None:
            self.banner.show_patient(patient)
        else:
            self.banner.hide()
        # The banner keeps its height on a short screen: the form scrolls, the patient's identity does not.
        self.banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.message = QLabel()
        self.message.setWordWrap(True)
        set_tone(self.message, ERROR)
        self.message.hide()
        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        bold_button(self.save_button)
        self.cancel_button = QPushButton()
        self.save_button.clicked.connect(self.primary)
        self.cancel_button.clicked.connect(self.back)
        self.confirmation = PatientConfirmation()
        self.confirmation.confirmed.connect(self._commit)
        self.confirmation.declined.connect(self._edit)
        self.done_page = DonePage()
        self.done_page.done.connect(self._finish)
        self.editor = self.build_editor()
        self.pages = QStackedWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.editor)
        self.editor_page = scroll
        for page in (scroll, self.confirmation, self.done_page):
            self.pages.addWidget(page)
        self._layout()
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.primary)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back)
        language_changed().connect(self.set_language)
        self.set_language(lang)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        self.button_bar = QWidget()
        self.button_bar.setLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.title)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.button_bar)

    # -- what subclasses provide --------------------------------------------------------------------

    def build_editor(self) -> QWidget:
        raise NotImplementedError

    def check(self) -> bool:
        """Check everything with the core before confirming; show the problems and return False if any."""
        return True

    def commit(self) -> Outcome:
        """Write the entries and print their forms; a DowntimeError leaves the clerk on the editor."""
        raise NotImplementedError

    def show_errors(self, error: ValidationError) -> bool:
        """Put the core's messages beside their fields; False if none belongs to a field on screen."""
        return False

    def checked(self, kind: str, payload: dict[str, Any]) -> bool:
        """Check one entry with the core (for ``check``); its problems go beside their fields."""
        try:
            check_entry(self.session, kind, payload)
        except ValidationError as exc:
            if not self.show_errors(exc):
                self.say(str(exc))
            return False
        return True

    def confirm_question(self) -> str:
        return self.tr("Is this the right patient? Check the wristband or ask the relative.")

    def save_text(self) -> str:
        return self.tr("Save and print (Ctrl+Enter)")

    def retranslate(self) -> None:
        """Redraw the subclass's own words (the forms' labels come from the kinds)."""

    def focus_first(self) -> None:
        self.editor.setFocus()

    # -- steps --------------------------------------------------------------------------------------

    @property
    def step(self) -> QWidget | None:
        return self.pages.currentWidget()

    def primary(self) -> None:
        """Ctrl+Enter: save from the editor, confirm on the confirmation, close when done."""
        if self.step is self.confirmation:
            self._commit()
        elif self.step is self.done_page:
            self._finish()
        else:
            self.submit()

    def back(self) -> None:
        """Esc: cancel from the editor, go back from the confirmation, close when done."""
        if self.step is self.confirmation:
            self._edit()
        elif self.step is self.done_page:
            self._finish()
        else:
            self._emit_finished(None)

    def submit(self) -> None:
        if not self.save_button.isEnabled():  # Ctrl+Enter must not do what the disabled button may not
            return
        self.say("")
        if not self.check():
            return
        if self.confirm_first and self.patient is not None:
            self.confirmation.ask(self.patient, self.confirm_question())
            self._show(self.confirmation)
        else:
            self._commit()

    def _commit(self) -> None:
        try:
            self.outcome = self.commit()
        except ValidationError as exc:
            self._edit()
            if not self.show_errors(exc):
                self.say(str(exc))
            return
        except DowntimeError as exc:
            self._edit()
            self.say(str(exc))
            return
        self.done_page.show_outcome(self.outcome)
        self._show(self.done_page)
        # What the main window shows on the next screen, as it does for the one-form workflows.
        self.notice = " ".join(t for t in (*self.outcome.lines, self.outcome.warning, self.outcome.prints.text()) if t)
        self.report = self.outcome.prints

    def _edit(self) -> None:
        self._show(self.editor_page)
        self.focus_first()

    def _finish(self) -> None:
        self._emit_finished(self.outcome.entry if self.outcome else None)

    def _emit_finished(self, entry: Entry | None) -> None:
        """Once only: a held-down Enter must not close the screen twice under the main window."""
        if not self._closed:
            self._closed = True
            self.finished.emit(entry)

    def _show(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self.button_bar.setVisible(page is self.editor_page)
        if page is self.confirmation:
            self.confirmation.yes_button.setFocus()
        elif page is self.done_page:
            self.done_page.done_button.setFocus()

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- language -----------------------------------------------------------------------------------

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.title.setText(get_kind(self.kind).label(lang))
        if self.patient is not None:
            self.banner.show_patient(self.patient)  # its words are translated as it fills them in
        self.save_button.setText(self.save_text())
        self.cancel_button.setText(self.tr("Cancel (Esc)"))
        self.confirmation.retranslate()
        self.done_page.retranslate()
        if self.outcome is not None:
            self.done_page.show_outcome(self.outcome)
        self.retranslate()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self.step is self.editor_page:
            self.focus_first()
