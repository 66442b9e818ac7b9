"""Birth (Form 1, one per baby, each baby registered) and still birth (Form 3), opened on the mother.

What the babies of one delivery share (parents, place, the statistical part) is typed once; what
differs (sex, time, weight) is typed per baby, side by side. Saving registers each newborn as
"B/O <mother>" with its own downtime ID, and prints its Form 1 and wristband strips; the done page
reads the new IDs back so the labour room can write them on the baby's file.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from downtime import births, prefill
from downtime.gui.kind_form import KindForm
from downtime.gui.workflows.flow import FlowScreen, Outcome, print_all
from downtime.gui.workflows.form_group import FormGroup, section_heading
from downtime.kinds.schema import Kind, get_kind
from downtime.kinds.validate import ValidationError
from forms.spec import forms_for

# Form 1 fields the workflow fills itself: the mother is the patient on screen, the order is the baby's place.
BIRTH_DERIVED = ("mother", "multiple_birth", "birth_order_in_delivery")


def section_forms(kind: Kind, lang: str, skip: tuple[str, ...]) -> FormGroup:
    """A kind's fields in its sections (legal, then statistical), each under its heading."""
    sections = list(dict.fromkeys(f.section for f in kind.fields))
    parts, headings = [], []
    for section in sections:
        names = [f.name for f in kind.fields if f.section == section and f.name not in skip]
        if names:
            parts.append(KindForm(kind, lang=lang, fields=names))
            headings.append(section_heading(kind, section) if section else None)
    return FormGroup(parts, headings=headings)


class MotherFlow(FlowScreen):
    """A workflow opened on the mother: refuse a patient recorded as male, the commonest wrong pick."""

    def set_language(self, lang: str) -> None:
        super().set_language(lang)
        if self.patient is not None and self.patient.patient.sex == "male":
            self.save_button.setEnabled(False)
            self.say(self.tr("This patient is recorded as male. Open the mother's record first."))


class BirthFlow(MotherFlow):
    kind = births.BIRTH

    def build_editor(self) -> QWidget:
        if self.patient is None:
            raise ValueError("the birth workflow is opened on the mother")
        kind = get_kind(self.kind)
        self.count_label = QLabel()
        self.count = QSpinBox()
        self.count.setRange(1, births.MAX_CHILDREN)
        self.count.valueChanged.connect(self._show_babies)
        self.count_label.setBuddy(self.count)
        self.baby_forms = [FormGroup([KindForm(kind, lang=self.lang, fields=births.PER_CHILD)])
                           for _ in range(births.MAX_CHILDREN)]
        self.baby_boxes = []
        babies = QHBoxLayout()
        for form in self.baby_forms:
            box = QGroupBox()
            QVBoxLayout(box).addWidget(form)
            self.baby_boxes.append(box)
            babies.addWidget(box)
        self.shared_form = section_forms(kind, self.lang, births.PER_CHILD + BIRTH_DERIVED)
        self.shared_form.fill(births.birth_draft(self.session, self.patient))
        self.shared_form.fill({"date_of_birth": _today()})
        editor = QWidget()
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(0, 0, 0, 0)
        count_row = QHBoxLayout()
        count_row.addWidget(self.count_label)
        count_row.addWidget(self.count)
        count_row.addStretch(1)
        layout.addLayout(count_row)
        layout.addLayout(babies)
        layout.addWidget(self.shared_form)
        self._show_babies(1)
        return editor

    def _show_babies(self, count: int) -> None:
        for i, box in enumerate(self.baby_boxes):
            box.setVisible(i < count)

    def _children(self) -> list[dict[str, object]]:
        return [form.values() for form in self.baby_forms[:self.count.value()]]

    def _shared(self) -> dict[str, object]:
        assert self.patient is not None
        return {**self.shared_form.values(), "mother": prefill.patient_ref(self.patient)}

    def show_errors(self, error: ValidationError) -> bool:
        child = error.child if isinstance(error, births.BirthFormsError) else 1
        for form in self.baby_forms:
            form.clear_errors()
        on_shared = self.shared_form.show_errors(error)
        on_baby = self.baby_forms[child - 1].show_errors(error)  # last, so the focus goes to the baby's field
        return on_baby or on_shared

    def commit(self) -> Outcome:
        entries = births.record_births(self.session, self._shared(), self._children())
        lines = []
        for entry in entries:
            baby = self.session.patient_summary(entry.human_id or "").patient
            lines.append(self.tr("Newborn registered: {name}, downtime ID {id}").format(name=baby.name,
                                                                                       id=entry.human_id))
        lines.append(self.tr("Put the wristband on each baby before it leaves the mother's side."))
        prints = print_all(self.session, [(e, forms_for(e.kind, e.payload)) for e in entries])
        return Outcome(entries[0], lines, prints)

    def retranslate(self) -> None:
        self.count_label.setText(self.tr("Babies born in this delivery:"))
        for number, (box, form) in enumerate(zip(self.baby_boxes, self.baby_forms, strict=True), start=1):
            box.setTitle(self.tr("Baby {number}").format(number=number))
            form.set_language(self.lang)
        self.shared_form.set_language(self.lang)

    def focus_first(self) -> None:
        self.count.setFocus()
        self.count.selectAll()


class StillbirthFlow(MotherFlow):
    kind = births.STILLBIRTH
    confirm_first = True  # Form 3 is a death form: read the mother back before it prints

    def build_editor(self) -> QWidget:
        if self.patient is None:
            raise ValueError("the still birth workflow is opened on the mother")
        self.form = section_forms(get_kind(self.kind), self.lang, ("mother",))
        self.form.fill(births.stillbirth_draft(self.session, self.patient))
        self.form.fill({"date_of_delivery": _today()})
        return self.form

    def _payload(self) -> dict[str, object]:
        assert self.patient is not None
        return {**self.form.values(), "mother": prefill.patient_ref(self.patient)}

    def check(self) -> bool:
        self.form.clear_errors()
        return self.checked(self.kind, self._payload())

    def show_errors(self, error: ValidationError) -> bool:
        return self.form.show_errors(error)

    def confirm_question(self) -> str:
        return self.tr("The still birth report (Form 3) will be printed for this mother. Is this the right "
                       "patient? Check her wristband.")

    def commit(self) -> Outcome:
        entry = self.session.record(self.kind, self._payload())
        line = self.tr("Still birth report saved, number {id}.").format(id=entry.human_id)
        return Outcome(entry, [line], print_all(self.session, [(entry, forms_for(entry.kind, entry.payload))]))

    def retranslate(self) -> None:
        self.form.set_language(self.lang)

    def focus_first(self) -> None:
        widget = self.form.first_widget()
        if widget is not None:
            widget.setFocus()


def _today() -> str:
    return dt.date.today().isoformat()
