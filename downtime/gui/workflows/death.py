"""Death: one screen for the death entry, the MCCD (Form 4 / 4A) and the Form 2 death report.

Three tabs, in the order the work happens: the ward records the death, the doctor writes the
causes (Part I a/b/c with intervals, Part II, manner of death) and signs, and the clerk completes
Form 2, whose date and underlying cause follow from the other two (``deaths.compose``). Only a
doctor-capable role may sign: for anyone else the MCCD tab says so, the death and Form 2 are
saved, and a doctor opening this workflow later for the same patient sees only the MCCD
(``deaths.certify``). The patient is read back before any death form is printed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from downtime import deaths, prefill
from downtime.errors import DowntimeError
from downtime.gui.kind_form import KindForm
from downtime.gui.style import NEUTRAL, WARN, set_tone
from downtime.gui.workflows.flow import FlowScreen, Outcome, print_all
from downtime.gui.workflows.form_group import FormGroup, KindGrid
from downtime.kinds.schema import get_kind
from downtime.viewer import PatientSummary
from forms.spec import TableSpec, forms_for, load_spec

DEATH_FIELDS = ("died_at", "declared_by", "ward", "bed", "admission", "mlc", "police_station", "body_handed_to",
                "body_handed_relation", "notes")
MCCD_FIELDS = ("manner_of_death", "injury_how", "certifier_name", "certifier_registration_number",
               "certifier_qualification", "certified_at", "relative_copy_given_to")
MCCD_FEMALE = ("pregnancy_associated", "delivery_occurred")
# Form 2 fields the clerk sees; the rest follow from the death entry and the MCCD.
REPORT_DERIVED = ("patient", "date_of_death", "medically_certified", "underlying_cause", "female_pregnancy_related")
TAB_DEATH, TAB_MCCD, TAB_REPORT = range(3)


def _part_tables() -> tuple[TableSpec, TableSpec]:
    """Part I and Part II exactly as the printed MCCD lays them out (and with its column headings)."""
    tables = [s.table for s in load_spec("mccd_form4").sections if s.table is not None]
    part1 = next(t for t in tables if any("cause_a" in row for row in t.rows))
    part2 = next(t for t in tables if any("part2_conditions" in row for row in t.rows))
    return part1, part2


class DeathFlow(FlowScreen):
    kind = deaths.DEATH
    confirm_first = True

    def build_editor(self) -> QWidget:
        if self.patient is None:
            raise ValueError("the death workflow is about a patient")
        summary: PatientSummary = self.patient
        self.on_file = deaths.death_on_file(self.session, prefill.patient_ref(summary))
        self.can_certify = deaths.can_certify(self.session.staff.role)
        self.death_form = FormGroup([KindForm(get_kind(deaths.DEATH), lang=self.lang, fields=DEATH_FIELDS)])
        self.mccd_form = self._mccd_form(summary.patient.sex)
        report_kind = get_kind(deaths.REPORT)
        self.report_form = FormGroup([KindForm(report_kind, lang=self.lang, fields=[
            n for n in report_kind.field_names() if n not in REPORT_DERIVED])])
        self.mccd_note = QLabel()
        self.mccd_note.setWordWrap(True)
        self.cause_label = QLabel()
        self.cause_label.setWordWrap(True)
        set_tone(self.cause_label, NEUTRAL)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._with_note(None, self.death_form), "")
        self.tabs.addTab(self._with_note(self.mccd_note, self.mccd_form), "")
        self.tabs.addTab(self._with_note(self.cause_label, self.report_form), "")
        self.tabs.currentChanged.connect(self._tab_changed)
        self._prefill(summary)
        self._set_mode()
        editor = QWidget()
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_label)
        layout.addWidget(self.tabs)
        return editor

    def _mccd_form(self, sex: str | None) -> FormGroup:
        kind = get_kind(deaths.MCCD)
        part1, part2 = _part_tables()
        rest = MCCD_FIELDS[:2] + (MCCD_FEMALE if sex != "male" else ()) + MCCD_FIELDS[2:]
        return FormGroup([KindForm(kind, lang=self.lang, fields=["form_variant"]),
                          KindGrid(kind, part1, lang=self.lang), KindGrid(kind, part2, lang=self.lang),
                          KindForm(kind, lang=self.lang, fields=rest)])

    @staticmethod
    def _with_note(note: QLabel | None, form: QWidget) -> QWidget:
        """A tab: its note above its form, scrolling on its own (the tabs differ a lot in length)."""
        page = QWidget()
        layout = QVBoxLayout(page)
        if note is not None:
            layout.addWidget(note)
        layout.addWidget(form)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _prefill(self, summary: PatientSummary) -> None:
        now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        doctor = self.session.staff.name if self.can_certify else None
        death = {**deaths.death_draft(self.session, summary), "died_at": now, "declared_by": doctor}
        self.death_form.fill(death)
        self.report_form.fill(deaths.report_draft(self.session, summary, death, None))
        self.mccd_form.fill({**deaths.mccd_draft(self.session, summary, death), "certifier_name": doctor,
                             "certified_at": now if doctor else None})

    def _set_mode(self) -> None:
        """Recording, certifying a death recorded earlier, or nothing left to do here."""
        certifying = self.on_file.needs_certificate
        finished = self.on_file.death is not None and not certifying
        self.tabs.setTabEnabled(TAB_DEATH, self.on_file.death is None)
        self.tabs.setTabEnabled(TAB_REPORT, self.on_file.death is None)
        self.tabs.setTabEnabled(TAB_MCCD, self.can_certify and not finished)
        editable = not finished and (self.on_file.death is None or self.can_certify)
        self.tabs.setVisible(editable)
        self.save_button.setEnabled(editable)
        if certifying and self.can_certify:
            self.tabs.setCurrentIndex(TAB_MCCD)

    # -- checking and saving ------------------------------------------------------------------------

    @property
    def certifying(self) -> bool:
        return self.on_file.needs_certificate

    def _forms(self) -> dict[str, dict[str, Any] | None]:
        assert self.patient is not None
        if self.certifying:
            death = self.on_file.death["payload"] if self.on_file.death else {}
            report = self.on_file.report["payload"] if self.on_file.report else {}
        else:
            death, report = self.death_form.values(), self.report_form.values()
        mccd = self.mccd_form.values() if self.can_certify else None
        forms = deaths.compose(self.session, self.patient, death, report, mccd)
        if self.certifying:
            return {deaths.MCCD: forms[deaths.MCCD]}
        return forms

    def check(self) -> bool:
        self.death_form.clear_errors()
        self.mccd_form.clear_errors()
        self.report_form.clear_errors()
        try:
            deaths.check(self.session, self._forms())
        except deaths.DeathFormsError as exc:
            self._show_errors(exc)
            return False
        except DowntimeError as exc:
            self.say(str(exc))
            return False
        return True

    def _show_errors(self, error: deaths.DeathFormsError) -> None:
        unplaced = []
        first_tab = None
        for tab, (kind, form) in enumerate(((deaths.DEATH, self.death_form), (deaths.MCCD, self.mccd_form),
                                            (deaths.REPORT, self.report_form))):
            if kind in error.errors:
                if form.show_errors(error.errors[kind]):
                    first_tab = tab if first_tab is None else first_tab
                unplaced += [p.message for p in error.errors[kind].errors if p.field not in form.rows]
        if first_tab is not None:
            self.tabs.setCurrentIndex(first_tab)
        if unplaced:
            self.say(" ".join(unplaced))

    def confirm_question(self) -> str:
        return self.tr("The death forms will be printed for this patient. Is this the right patient? "
                       "Check the wristband or ask the relative.")

    def commit(self) -> Outcome:
        assert self.patient is not None
        forms = self._forms()
        if self.certifying:
            entries = deaths.certify(self.session, prefill.patient_ref(self.patient), forms[deaths.MCCD] or {})
        else:
            entries = deaths.record_death(self.session, forms[deaths.DEATH] or {}, forms[deaths.REPORT] or {},
                                          forms[deaths.MCCD])
        # Form 2 may be a correction entry (certifying later adds the cause): print it on Form 2 all the same.
        jobs = [(entries.report, forms_for(deaths.REPORT, {}))] if entries.report else []
        if entries.mccd is not None:
            jobs.append((entries.mccd, forms_for(deaths.MCCD, entries.mccd.payload)))
        main = entries.death or entries.mccd or entries.report
        assert main is not None
        return Outcome(main, self._lines(entries), print_all(self.session, jobs))

    def _lines(self, entries: deaths.DeathEntries) -> list[str]:
        assert self.patient is not None
        p = self.patient.patient
        who = f"{p.name} ({prefill.patient_ref(self.patient)})"
        lines = []
        if entries.death is not None:
            lines.append(self.tr("Death recorded: {who}, {when}.").format(
                who=who, when=str(entries.death.payload["died_at"]).replace("T", " ")))
        if entries.report is not None and entries.death is None:
            lines.append(self.tr("Form 2 (death report) corrected with the underlying cause; reprinted."))
        elif entries.report is not None:
            lines.append(self.tr("Form 2 (death report) saved."))
        if entries.mccd is not None:
            lines.append(self.tr("MCCD signed by {doctor}; give the relatives their copy (the slip below "
                                 "the cut line).").format(doctor=entries.mccd.payload["certifier_name"]))
        else:
            lines.append(self.tr("MCCD not signed yet: a doctor must open Death for this patient and sign it."))
        return lines

    # -- words --------------------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == TAB_REPORT:
            self._show_cause()

    def _show_cause(self) -> None:
        cause = deaths.underlying_cause(self.mccd_form.values()) if self.can_certify else None
        if cause:
            self.cause_label.setText(self.tr("Underlying cause, from the MCCD (printed on Form 2): {cause}")
                                     .format(cause=cause))
        else:
            self.cause_label.setText(self.tr("The underlying cause comes from the MCCD once a doctor signs it."))

    def retranslate(self) -> None:
        for form in (self.death_form, self.mccd_form, self.report_form):
            form.set_language(self.lang)
        self.tabs.setTabText(TAB_DEATH, self.tr("&1  Death"))
        self.tabs.setTabText(TAB_MCCD, self.tr("&2  Cause of death (MCCD)"))
        self.tabs.setTabText(TAB_REPORT, self.tr("&3  Death report (Form 2)"))
        if self.can_certify:
            self.mccd_note.setText(self.tr("Write one condition per line; the underlying cause goes on the lowest "
                                           "line used. Do not write the mode of dying (e.g. cardiac arrest)."))
            set_tone(self.mccd_note, NEUTRAL)
        else:
            self.mccd_note.setText(self.tr("Only a doctor can sign the MCCD. Save the death and Form 2 now; "
                                           "a doctor then opens Death for this patient to sign it."))
            set_tone(self.mccd_note, WARN)
        self._show_state()
        self._show_cause()

    def _show_state(self) -> None:
        if self.on_file.death is None:
            text = ""
        elif self.on_file.needs_certificate and self.can_certify:
            text = self.tr("The death and Form 2 were recorded earlier. Write the causes and sign the MCCD; "
                           "Form 2 is then reprinted with the underlying cause.")
        elif self.on_file.needs_certificate:
            text = self.tr("The death is recorded; it is waiting for a doctor to sign the MCCD.")
        else:
            text = self.tr("The death, Form 2 and the MCCD for this patient are already on this PC. "
                           "To change them, use Correct on the patient's history.")
        self.state_label.setText(text)
        self.state_label.setVisible(bool(text))
        set_tone(self.state_label, WARN)

    def focus_first(self) -> None:
        page = self.tabs.currentWidget()
        form = {TAB_DEATH: self.death_form, TAB_MCCD: self.mccd_form, TAB_REPORT: self.report_form}.get(
            self.tabs.currentIndex())
        widget = form.first_widget() if form is not None else None
        (widget or page or self.editor).setFocus()
