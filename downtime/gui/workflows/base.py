"""What every workflow screen shares: the patient banner, a form from the kind schema, Save / Cancel.

A workflow records exactly one entry through ``Session.record`` (so the CLI and
tests reach the same action), shows the core's messages beside the fields, and
then prints the forms that entry needs. Enter saves, Esc cancels.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from downtime.errors import DowntimeError
from downtime.gui.kind_form import KindForm
from downtime.gui.patient_banner import PatientBanner
from downtime.gui.style import ERROR, set_tone
from downtime.journal import Entry
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError
from downtime.session import Session
from downtime.viewer import PatientSummary


class WorkflowScreen(QWidget):
    """Subclasses set ``kind`` (and optionally ``fields``), and may override ``payload`` and ``after_save``."""

    finished = Signal(object)  # the Entry written, or None when cancelled
    kind: str = ""
    fields: tuple[str, ...] | None = None
    now_fields: tuple[str, ...] = ()

    def __init__(self, session: Session, patient: PatientSummary | None, *, lang: str = "en",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.patient = patient
        self.lang = lang
        kind = get_kind(self.kind)
        self.title = QLabel(kind.label(lang))
        self.title.setObjectName("screenTitle")
        self.banner = PatientBanner()
        if patient is not None:
            self.banner.show_patient(patient)
        else:
            self.banner.hide()
        self.form = KindForm(kind, lang=lang, fields=self.fields)
        self.form.fill_now(*self.now_fields)
        self.message = QLabel()
        self.message.setWordWrap(True)
        set_tone(self.message, ERROR)
        self.message.hide()
        self.save_button = QPushButton(self.tr("Save and print (Ctrl+Enter)"))
        self.save_button.setDefault(True)
        # Bold through the font, not only the style sheet's :default rule, so the button is sized for bold text.
        bold = QFont()
        bold.setBold(True)  # only the weight: the size still follows the app (large-font mode)
        self.save_button.setFont(bold)
        self.cancel_button = QPushButton(self.tr("Cancel (Esc)"))
        self._layout(self.form)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)

    def _layout(self, form: KindForm) -> None:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def payload(self) -> dict[str, Any]:
        """The entry's fields: what was typed, plus what the workflow knows (the patient)."""
        values = self.form.values()
        patient_field = get_kind(self.kind).patient_field
        if patient_field and self.patient is not None and patient_field not in values:
            values[patient_field] = self.patient.patient.downtime_id or self.patient.patient.uhid
        return values

    def save(self) -> None:
        self.form.clear_errors()
        self.message.hide()
        try:
            entry = self.session.record(self.kind, self.payload())
        except ValidationError as exc:
            if not self.form.show_errors(exc):
                self._say(str(exc))
            return
        except DowntimeError as exc:
            self._say(str(exc))
            return
        self.after_save(entry)
        self.finished.emit(entry)

    def after_save(self, entry: Entry) -> None:
        """Print the entry's forms, or anything else the workflow does once the entry is safe."""

    def cancel(self) -> None:
        self.finished.emit(None)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        first = self.form.first_widget()
        if first is not None:
            first.setFocus()
