"""Correct or cancel (void) a record made on this PC, with a reason; a correction reprints its forms.

Nothing is edited in place: a correction is a new entry holding the whole corrected record,
a void is a new entry saying the record was made in error (DESIGN.md, decision 1). A voided
record is never reprinted; its paper copies are struck through by hand.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from downtime.errors import DowntimeError
from downtime.gui.print_jobs import print_record
from downtime.gui.today_entries import kind_label
from downtime.gui.workflows.base import WorkflowScreen
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError
from downtime.session import Session
from downtime.viewer import PatientSummary
from forms.spec import forms_for

CORRECT, VOID = "correct", "void"


class CorrectScreen(WorkflowScreen):
    def __init__(self, session: Session, record: dict[str, Any], patient: PatientSummary | None, *,
                 lang: str = "en", parent: QWidget | None = None):
        # The kind is the record's; the patient it is about is not editable here (void it if it is wrong).
        self.kind = record["kind"]
        self.record = record
        self._patient_field = get_kind(self.kind).patient_field
        self.fields = tuple(n for n in get_kind(self.kind).field_names() if n != self._patient_field)
        super().__init__(session, patient, lang=lang, parent=parent)
        self.notice = ""
        self.title.setText(self.tr("Correct or cancel: {what} {id}").format(
            what=kind_label(self.kind, lang), id=record["human_id"] or ""))
        self.form.fill(record["payload"])
        self.action = QComboBox()
        self.action.addItem(self.tr("Correct this entry"), CORRECT)
        self.action.addItem(self.tr("Void: cancel this entry, it was made in error"), VOID)
        self.reason = QLineEdit()
        self.reason.setMaxLength(300)
        self.reason.setPlaceholderText(self.tr("e.g. wrong bed number written; entered for the wrong patient"))
        choice = QFormLayout()
        choice.addRow(self.tr("What to do"), self.action)
        choice.addRow(self.tr("Reason *"), self.reason)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(2, choice)
        self.action.currentIndexChanged.connect(lambda _=0: self.form.setEnabled(self.action.currentData() == CORRECT))
        self.setTabOrder(self.action, self.reason)
        self.setTabOrder(self.reason, self.form.first_widget())
        self.save_button.setText(self.tr("Save (Ctrl+Enter)"))

    def set_void(self) -> None:
        self.action.setCurrentIndex(self.action.findData(VOID))

    def save(self) -> None:
        self.form.clear_errors()
        self.message.hide()
        reason = self.reason.text().strip()
        try:
            if self.action.currentData() == VOID:
                entry = self.session.void(self.record["uuid"], reason)
            else:
                fields = self.form.values()
                if self._patient_field and self.record["payload"].get(self._patient_field):
                    fields[self._patient_field] = self.record["payload"][self._patient_field]
                entry = self.session.correct(self.record["uuid"], fields, reason)
        except ValidationError as exc:
            if not self.form.show_errors(exc):
                self._say(str(exc))
                self.reason.setFocus()
            return
        except DowntimeError as exc:
            self._say(str(exc))
            return
        what = kind_label(self.kind, self.lang)
        if entry.kind == "entry.void":
            self.notice = self.tr("{what} {id} voided. Strike through its paper copies.").format(
                what=what, id=self.record["human_id"] or "")
        else:
            report = print_record(self.session, self.record["uuid"], forms_for(self.kind, entry.payload["fields"]))
            self.notice = " ".join(t for t in (self.tr("{what} {id} corrected.").format(
                what=what, id=self.record["human_id"] or ""), report.text()) if t)
        self.finished.emit(entry)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.reason.setFocus()
