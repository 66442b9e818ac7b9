"""A workflow screen that prefills what the ward repeats, and prints its entry's forms once it is saved.

Prefilling is what keeps an admission to a few key presses: the clinical time is now, the
ward is this PC's, and the doctor, department and unit are those of the last entry of the
same kind on this PC (``remembered``). Everything prefilled is visible and can be changed.

After saving, the forms the entry prints on (``forms.spec.forms_for``) go to the printer
through ``downtime.gui.print_jobs``; ``notice`` then says what was saved and printed, for
the main window to show on the next screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

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
        language_changed().connect(self.set_language)

    def set_language(self, lang: str) -> None:
        """Relabel from the kind's schema; what was typed stays."""
        self.lang = lang
        self.title.setText(get_kind(self.kind).label(lang))
        self.form.set_language(lang)

    def prefill(self) -> None:
        """Subclasses fill what they know (the patient's admission, this PC's ward)."""

    def fill_blank(self, values: dict[str, Any]) -> None:
        """Fill only fields still empty, so a remembered or typed value is never overwritten."""
        self.form.fill({k: v for k, v in values.items()
                        if v not in (None, "") and k in self.form.rows and self.form.rows[k].value() is None})

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
