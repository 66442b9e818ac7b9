"""A workflow screen that prefills what the ward repeats, and prints its entry's forms once it is saved.

Prefilling is what keeps an admission to a few key presses: the clinical time is now, the
ward is this PC's, and the doctor, department and unit are those of the last entry of the
same kind on this PC (``remembered``). Everything prefilled is visible and can be changed.

After saving, the forms the entry prints on (``forms.spec.forms_for``) go to the printer
through ``downtime.gui.print_jobs``; ``notice`` then says what was saved and printed, for
the main window to show on the next screen.

Doctors' names and bed numbers are offered as they are typed (``downtime.gui.completer``): the
doctors this PC knows and the free beds of the ward the form names, from one call into the core
(``Session.suggestions``); a ward typed into the form brings that ward's free beds.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from downtime.gui.completer import offer
from downtime.gui.language import language_changed
from downtime.gui.print_jobs import PrintReport, print_record
from downtime.gui.style import WARN, set_tone
from downtime.gui.workflows.base import WorkflowScreen
from downtime.journal import Entry
from downtime.kinds.schema import get_kind
from downtime.session import Session
from downtime.viewer import PatientSummary
from forms.spec import forms_for


class PrintingWorkflow(WorkflowScreen):
    remembered: tuple[str, ...] = ()      # fields copied from the last entry of this kind on this PC
    focus_field: str | None = None        # where the cursor starts (default: the first field)
    doctor_fields: tuple[str, ...] = ()   # fields that offer the doctors this PC knows
    bed_field: tuple[str, str] | None = None  # (bed field, the field naming its ward): offers its free beds

    def __init__(self, session: Session, patient: PatientSummary | None, *, lang: str = "en",
                 parent: QWidget | None = None):
        super().__init__(session, patient, lang=lang, parent=parent)
        self.notice = ""
        self.report: PrintReport | None = None
        # A sentence above the form for what the clerk must know first (e.g. "already admitted").
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        set_tone(self.warning, WARN)
        self.warning.hide()
        self.layout().insertWidget(2, self.warning)
        last = session.last_payload(self.kind) if self.remembered else None
        self.form.fill({name: last[name] for name in self.remembered if last and last.get(name)})
        self.prefill()
        self._offer_names()
        language_changed().connect(self.set_language)

    def set_language(self, lang: str) -> None:
        """Relabel from the kind's schema; what was typed stays."""
        self.lang = lang
        self.title.setText(get_kind(self.kind).label(lang))
        self.form.set_language(lang)
        self._hint_offers()

    def prefill(self) -> None:
        """Subclasses fill what they know (the patient's admission, this PC's ward)."""

    def fill_blank(self, values: dict[str, Any]) -> None:
        """Fill only fields still empty, so a remembered or typed value is never overwritten."""
        self.form.fill({k: v for k, v in values.items()
                        if v not in (None, "") and k in self.form.rows and self.form.rows[k].value() is None})

    def _offer_names(self) -> None:
        if not self.doctor_fields and self.bed_field is None:
            return
        ward = self._bed_ward()
        offers = self.session.suggestions(ward)
        for name in self.doctor_fields:
            offer(self._line(name), offers.doctors, on_submit=self.save)
        if self.bed_field is not None:
            offer(self._line(self.bed_field[0]), offers.free_beds if ward else (), on_submit=self.save)
            self._line(self.bed_field[1]).editingFinished.connect(self._offer_beds)
        self._hint_offers()

    def _offer_beds(self) -> None:
        """The ward field was left: offer that ward's free beds (none while it is blank)."""
        assert self.bed_field is not None
        ward = self._bed_ward()
        offer(self._line(self.bed_field[0]), self.session.suggestions(ward).free_beds if ward else ())

    def _bed_ward(self) -> str | None:
        return self.form.rows[self.bed_field[1]].value() if self.bed_field is not None else None

    def _hint_offers(self) -> None:
        for name in self.doctor_fields:
            self._line(name).setPlaceholderText(self.tr("Type a few letters of the name"))
        if self.bed_field is not None:
            self._line(self.bed_field[0]).setPlaceholderText(self.tr("Type the bed number; ↓ lists the free beds"))

    def _line(self, name: str) -> QLineEdit:
        widget = self.form.rows[name].widget
        assert isinstance(widget, QLineEdit), f"{name} is not a text field: it cannot offer names"
        return widget

    def warn(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def forms_to_print(self, entry: Entry) -> list[str]:
        return forms_for(entry.kind, entry.payload)

    def after_save(self, entry: Entry) -> None:
        self.report = print_record(self.session, entry.uuid, self.forms_to_print(entry))
        label = get_kind(entry.kind).label(self.lang)
        saved = self.tr("{what} saved{id}.").format(what=label, id=f" ({entry.human_id})" if entry.human_id else "")
        self.notice = " ".join(t for t in (saved, self.report.text()) if t)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        row = self.form.rows.get(self.focus_field or "")
        if row is not None:
            row.widget.setFocus()
