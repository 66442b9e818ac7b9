"""Lab request: pick tests from the catalogue by typing, then print the requisition and specimen labels.

The clerk types a few letters ("kft", "sugar"), Enter adds the highlighted test, and the screen
shows how the order splits into tubes: each tube is its own request with its own accession
number and labels (``lab.plan_samples``). Tests not in the catalogue can be typed in full; they
go in the sample type chosen below. The patient is read back before the labels print, because a
label on the wrong patient's tube is the error a downtime lab cannot catch.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from downtime import lab, prefill
from downtime.errors import DowntimeError
from downtime.gui.kind_form import KindForm
from downtime.gui.style import ERROR, NEUTRAL, set_tone
from downtime.gui.workflows.flow import FlowScreen, Outcome, print_all
from downtime.gui.workflows.form_group import FormGroup
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError
from downtime.lab_catalogue import Catalogue

REQUEST_FIELDS = ("priority", "requesting_clinician", "clinical_details", "fasting", "collected_at", "collected_by",
                  "ward", "admission")
# Catalogue tests know their sample; these are asked only when a test is typed that the catalogue lacks.
TYPED_SAMPLE_FIELDS = ("sample_type", "sample_type_other")
# The A4 label sheet suits any ward laser printer; a site with thermal label printers prints
# specimen_label_50x25 instead.
PRINTED_FORMS = ("lab_request", "specimen_labels_a4")
MATCHES_SHOWN = 12
LIST_HEIGHT = 170  # about six lines: the request's own fields must stay in view on a 768-pixel screen


class TestPicker(QWidget):
    """A search box over the catalogue, its matches, and the tests chosen so far."""

    changed = Signal()

    def __init__(self, catalogue: Catalogue, lang: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalogue = catalogue
        self.lang = lang
        self.search_label = QLabel()
        self.search = QLineEdit()
        self.search_label.setBuddy(self.search)
        self.matches = QListWidget()
        self.matches.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrows move it from the search box
        self.matches.setMaximumHeight(LIST_HEIGHT)
        self.chosen_label = QLabel()
        self.chosen = QListWidget()
        self.chosen.setMaximumHeight(LIST_HEIGHT)
        self.chosen_label.setBuddy(self.chosen)
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_tone(self.error, ERROR)
        self.error.hide()
        self.search.textChanged.connect(self._refresh)
        self.search.returnPressed.connect(self.add_current)
        self.search.installEventFilter(self)
        self.matches.itemDoubleClicked.connect(lambda _: self.add_current())
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.chosen, self.remove_current,
                  context=Qt.ShortcutContext.WidgetShortcut)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.search_label, 0, 0)
        grid.addWidget(self.search, 1, 0)
        grid.addWidget(self.matches, 2, 0)
        grid.addWidget(self.chosen_label, 0, 1)
        grid.addWidget(self.chosen, 1, 1, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.error, 3, 0, 1, 2)
        self._refresh("")

    def tests(self) -> list[str]:
        return [self.chosen.item(i).text() for i in range(self.chosen.count())]

    def add(self, line: str) -> None:
        if line and line not in self.tests():
            self.chosen.addItem(line)
            self.show_error("")
            self.changed.emit()

    def add_current(self) -> None:
        """Enter: add the highlighted match, or, with no match, the test exactly as typed."""
        item = self.matches.currentItem()
        if item is not None:
            self.add(str(item.data(Qt.ItemDataRole.UserRole)))
        elif self.search.text().strip():
            self.add(self.search.text().strip())
        self.search.clear()

    def remove_current(self) -> None:
        row = self.chosen.currentRow()
        if row >= 0:
            self.chosen.takeItem(row)
            self.changed.emit()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _refresh(self, text: str) -> None:
        self.matches.clear()
        hits = self.catalogue.search(text, self.lang) if text.strip() else list(self.catalogue.tests)
        for test in hits[:MATCHES_SHOWN]:
            item = QListWidgetItem(test.label_for(self.lang))
            item.setData(Qt.ItemDataRole.UserRole, test.label)  # requests list the English label, as printed
            self.matches.addItem(item)
        if self.matches.count():
            self.matches.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None and self.matches.count():
                self.matches.setCurrentRow(max(0, min(self.matches.count() - 1, self.matches.currentRow() + step)))
                return True
        return super().eventFilter(watched, event)

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.search_label.setText(self.tr("Find a test (type, then Enter to add):"))
        self.search.setPlaceholderText(self.tr("e.g. CBC, KFT, sugar, urine"))
        self.chosen_label.setText(self.tr("Tests ordered (Delete removes one):"))
        self._refresh(self.search.text())


class LabRequestScreen(FlowScreen):
    kind = lab.REQUEST
    confirm_first = True

    def build_editor(self) -> QWidget:
        if self.patient is None:
            raise ValueError("a lab request is for a patient")
        self.catalogue = lab.lab_catalogue(self.session)
        self.picker = TestPicker(self.catalogue, self.lang)
        self.picker.changed.connect(self._show_plan)
        self.source_label = QLabel()
        self.source_label.setObjectName("muted")
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        set_tone(self.plan_label, NEUTRAL)
        kind = get_kind(self.kind)
        self.typed_sample = KindForm(kind, lang=self.lang, fields=TYPED_SAMPLE_FIELDS)
        self.form = FormGroup([self.typed_sample, KindForm(kind, lang=self.lang, fields=REQUEST_FIELDS)])
        sample_type = self.form.rows["sample_type"].widget
        assert isinstance(sample_type, QComboBox)
        sample_type.currentIndexChanged.connect(self._show_plan)
        self.form.fill(self._draft())
        editor = QWidget()
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picker)
        layout.addWidget(self.source_label)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.form)
        return editor

    def _draft(self) -> dict[str, object]:
        assert self.patient is not None
        admission = prefill.current_admission(self.session, self.patient)
        me = self.session.staff.name
        return prefill.without_blanks({
            "priority": "routine", "collected_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "collected_by": me, "requesting_clinician": me if self.session.staff.role == "doctor" else None,
            "ward": admission.ward if admission else None,
            "admission": admission.ip_number if admission and admission.kind == "downtime" else None})

    def _plan(self) -> list[lab.Sample]:
        rows = self.form.rows
        return lab.plan_samples(self.catalogue, self.picker.tests(), rows["sample_type"].value(),
                                rows["sample_type_other"].value())

    def _payload(self) -> dict[str, object]:
        """What every tube's request shares; each sample brings its own type (``lab.plan_samples``)."""
        assert self.patient is not None
        values = {k: v for k, v in self.form.values().items() if k not in TYPED_SAMPLE_FIELDS}
        return {**values, "patient": prefill.patient_ref(self.patient)}

    def check(self) -> bool:
        self.form.clear_errors()
        self.picker.show_error("")
        try:
            lab.check_requests(self.session, self._payload(), self._plan())
        except ValidationError as exc:
            if not self.show_errors(exc):
                self.say(str(exc))
            return False
        except DowntimeError as exc:
            self.picker.show_error(str(exc))
            self.picker.search.setFocus()
            return False
        return True

    def show_errors(self, error: ValidationError) -> bool:
        on_form = self.form.show_errors(error)
        on_tests = [p.message for p in error.errors if p.field == "tests"]
        self.picker.show_error(" ".join(on_tests))
        return on_form or bool(on_tests)

    def confirm_question(self) -> str:
        return self.tr("Specimen labels will be printed for this patient. Is this the right patient? "
                       "Check the wristband before you take the sample.")

    def commit(self) -> Outcome:
        plan = self._plan()
        entries = lab.request_tests(self.session, self._payload(), plan)
        lines = [self.tr("Accession {id}: {sample}: {tests}").format(
            id=entry.human_id, sample=self._sample_text(sample), tests=", ".join(sample.tests))
            for entry, sample in zip(entries, plan, strict=True)]
        lines.append(self.tr("Stick the labels on the tubes at the bedside, after taking the sample."))
        return Outcome(entries[0], lines, print_all(self.session, [(e, PRINTED_FORMS) for e in entries]))

    def _sample_text(self, sample: lab.Sample) -> str:
        choice = get_kind(self.kind).field("sample_type").choice(sample.sample_type)
        name = (choice.label_hi if self.lang == "hi" else choice.label_en) if choice else sample.sample_type
        return f"{name} — {sample.container}" if sample.container else name

    def _show_plan(self) -> None:
        self.typed_sample.setVisible(any(self.catalogue.find(t) is None for t in self.picker.tests()))
        plan = self._plan()
        if not plan:
            self.plan_label.setText(self.tr("No tests chosen yet."))
            return
        tubes = [f"{n}. {self._sample_text(s)}: {', '.join(s.tests)}" for n, s in enumerate(plan, start=1)]
        self.plan_label.setText(self.tr("Samples to take: %n (one accession number and set of labels each)",
                                        "", len(plan)) + "\n" + "\n".join(tubes))

    def retranslate(self) -> None:
        self.picker.set_language(self.lang)
        self.form.set_language(self.lang)
        self.source_label.setText(self.tr("Tests from the hospital's catalogue (HMIS snapshot).")
                                  if self.catalogue.source == "snapshot"
                                  else self.tr("Tests from the built-in list (LOINC coded); the snapshot has no "
                                               "catalogue."))
        self._show_plan()

    def focus_first(self) -> None:
        self.picker.search.setFocus()
