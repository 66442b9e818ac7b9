"""Register a new patient, after looking hard for the same patient already registered.

Duplicates are the costliest mistake of a downtime: two records for one person split their
history until the records office merges them. So, while the clerk types, the likely existing
patients (``Session.likely_matches``: sound-alike name, same sex, age within ±2 years, same
phone or relative first) are listed under the form, and saving stops there until the clerk
has answered: Enter on "None of these" registers a new patient; Enter on a listed patient
opens that patient instead. The answer is journaled as a note on the patient concerned
(``Session.note_registration_check``), so the records office sees who was ruled out.

"None of these" is the preselected answer on purpose: wrongly choosing an existing patient
mixes two people's records, which is worse than a duplicate the records office can merge.

Newborns are registered from the mother's screen as "B/O <mother>", linked by the mother's ID.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from downtime.errors import DowntimeError
from downtime.gui.style import WARN, set_tone
from downtime.gui.workflows.printed import PrintingWorkflow
from downtime.journal import Entry
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError, validate
from downtime.search import PatientHit
from downtime.session import Session
from downtime.viewer import PatientSummary

MATCH_FIELDS = ("name", "sex", "age_years", "dob", "phone", "relative")
MATCH_DELAY_MS = 250  # look up candidates once typing pauses, not on every key


class MatchList(QWidget):
    """The likely existing patients; row 0 is always "None of these: register as new"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(self.tr("Likely already registered — check before saving"))
        set_tone(self.title, WARN)
        self.list = QListWidget()
        self.hits: list[PatientHit] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        self.hide()

    def show_hits(self, hits: list[PatientHit]) -> None:
        self.hits = hits
        self.list.clear()
        self.list.addItem(QListWidgetItem(self.tr("None of these: register as a NEW patient")))
        for hit in hits:
            self.list.addItem(QListWidgetItem(describe(hit)))
        self.list.setCurrentRow(0)
        # As tall as its rows (up to 7), so the form above keeps the room.
        rows = min(self.list.count(), 7)
        self.list.setFixedHeight(rows * self.list.sizeHintForRow(0) + 2 * self.list.frameWidth() + 2)
        self.setVisible(bool(hits))

    def chosen(self) -> PatientHit | None:
        """The existing patient picked, or None for "new patient"."""
        row = self.list.currentRow()
        return self.hits[row - 1] if row >= 1 else None


def describe(hit: PatientHit) -> str:
    same = {"phone": " — SAME PHONE", "relative": " — SAME RELATIVE"}.get(hit.matched_on, "")
    ids = ", ".join(f"{label} {value}" for label, value in (("UHID", hit.uhid), ("ID", hit.downtime_id)) if value)
    return "   ".join(p for p in (f"{hit.name}{same}", hit.age_sex, hit.relation or "", hit.phone or "", ids) if p)


class RegisterScreen(PrintingWorkflow):
    kind = "patient.register"
    fields = ("name", "sex", "age_years", "phone", "relative", "relation_type", "dob", "address", "pincode",
              "mother", "abha", "abha_address", "aadhaar", "id_proof_type", "id_proof_number", "email", "uhid")
    focus_field = "name"

    def __init__(self, session: Session, patient: PatientSummary | None, *, lang: str = "en",
                 parent: QWidget | None = None):
        super().__init__(session, patient, lang=lang, parent=parent)
        self.matches = MatchList()
        self._reviewed = False
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.message), self.matches)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(MATCH_DELAY_MS)
        self._timer.timeout.connect(self.update_matches)
        for name in MATCH_FIELDS:
            widget = self.form.rows[name].widget
            if isinstance(widget, QLineEdit):
                widget.textEdited.connect(self._changed)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._changed)
        self.matches.list.itemActivated.connect(lambda _item: self.decide())
        self.matches.list.installEventFilter(self)
        self.save_button.setText(self.tr("Save (Ctrl+Enter)"))  # a registration prints nothing by itself

    def start_with(self, text: str) -> None:
        """Carry the name just searched for into the form, and start at the next field."""
        self.form.fill({"name": text.strip()})
        self.focus_field = "sex"
        self._changed()

    # -- likely matches ------------------------------------------------------------------------

    def _changed(self, *_: Any) -> None:
        self._reviewed = False
        self._timer.start()

    def update_matches(self) -> list[PatientHit]:
        self._timer.stop()
        values = self.form.values()
        hits = self.session.likely_matches(values) if values.get("name") else []
        if [h.id for h in hits] != [h.id for h in self.matches.hits] or hits and self.matches.isHidden():
            self.matches.show_hits(hits)
        return hits

    def save(self) -> None:
        """Ctrl+Enter: check the form, then ask about likely matches once, then register."""
        if self.matches.list.hasFocus():
            self.decide()
            return
        self.form.clear_errors()
        self.message.hide()
        try:
            validate(get_kind(self.kind), self.payload())  # field errors first, before the matches question
        except ValidationError as exc:
            if not self.form.show_errors(exc):
                self._say(str(exc))
            return
        if self.update_matches() and not self._reviewed:
            self._say(self.tr("This patient may already be registered. Enter on “None of these” registers a new "
                              "patient; Enter on a name opens that patient instead. Esc goes back to the form."))
            self.matches.list.setCurrentRow(0)
            self.matches.list.setFocus()
            return
        super().save()

    def decide(self) -> None:
        """Enter in the list: register as new, or open the chosen existing patient."""
        picked = self.matches.chosen()
        if picked is None:
            self._reviewed = True
            super().save()
            return
        shown = [h.id for h in self.matches.hits if h.id != picked.id]
        try:
            note = self.session.note_registration_check(picked.id, shown, picked=True)
        except DowntimeError as exc:
            self._say(str(exc))
            return
        self.notice = self.tr("Opened the existing patient {name}; nothing new was registered.").format(
            name=picked.name)
        self.finished.emit(note)

    def after_save(self, entry: Entry) -> None:
        super().after_save(entry)
        if self.matches.hits and entry.human_id:
            self.session.note_registration_check(entry.human_id, [h.id for h in self.matches.hits], picked=False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc in the list goes back to the form to correct the details, rather than cancelling everything.

        The screen's own Esc shortcut would take the key first, so the list claims it (ShortcutOverride).
        """
        if watched is self.matches.list and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.message.hide()
                self.form.rows["name"].widget.setFocus()
                return True
        return super().eventFilter(watched, event)


class NewbornScreen(RegisterScreen):
    """Register a baby as "B/O <mother>", linked to the mother shown in the banner."""

    focus_field = "sex"

    def prefill(self) -> None:
        if self.patient is None:
            return
        mother = self.patient.patient
        self._retitle()
        self.form.fill({"name": f"B/O {mother.name}", "relation_type": "bo", "relative": f"B/O {mother.name}",
                        "mother": mother.downtime_id or mother.uhid or mother.id, "age_years": 0,
                        "phone": mother.phone, "address": mother.address, "pincode": mother.pincode})

    def set_language(self, lang: str) -> None:
        super().set_language(lang)
        self._retitle()

    def _retitle(self) -> None:
        self.title.setText(self.tr("Register the newborn of this mother"))
