"""Lab results: scan the sample's label, type each value, see it flagged against its range, save.

The barcode scanner types like a keyboard and ends with Enter, so the first box takes the
accession number in any form it comes: as printed, without its hyphens (the narrow labels'
barcode, ``forms.codes.id_from_barcode``) or as the label's QR (JSON, which also names the
patient). A request made on this PC brings its tests; one from another PC's label is accepted
too (the PCs are not connected), and the lab adds the tests from the paper requisition.

Only the lab role enters results (the kind's roles; the core refuses anyone else too). Saving
prints the lab report of the sample (``forms.census.print_lab_report``): every result entered
for it so far, flagged, for the patient's chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from downtime import lab
from downtime.errors import DowntimeError, NotFoundError
from downtime.gui.kind_form import KindForm
from downtime.gui.print_jobs import print_sheet
from downtime.gui.style import ALERT, ERROR, NEUTRAL, set_tone
from downtime.gui.workflows.flow import FlowScreen, Outcome
from downtime.gui.workflows.form_group import FormGroup
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError
from downtime.lab_catalogue import Analyte, assess
from forms.census import print_lab_report
from forms.codes import id_from_barcode, parse_qr

FOOTER_FIELDS = ("resulted_at", "verified_by", "method", "comment")
FLAG_TONES = {"critical": ALERT, "high": ERROR, "low": ERROR, "abnormal": ERROR}  # normal stays plain


def read_scan(text: str) -> tuple[str, str | None]:
    """(accession number, patient ID if the scan said) from whatever the scanner typed."""
    text = text.strip()
    if text.startswith("{"):
        try:
            qr = parse_qr(text)
        except (ValueError, KeyError):
            raise DowntimeError("the scanned code is not a sample label; scan the label's barcode") from None
        return qr.human_id, qr.patient_id
    return id_from_barcode(text), None


@dataclass
class ResultRow:
    """The widgets of one value: its name, the result typed, unit, range and the flag it earns."""

    name: QLineEdit
    value: QLineEdit
    unit: QLineEdit
    range: QLineEdit
    flag: QLabel
    analyte: Analyte | None
    test: str

    def payload(self, common: dict[str, object], flag: str | None) -> dict[str, object]:
        values = {"test": self.name.text().strip(), "value": self.value.text().strip(),
                  "unit": self.unit.text().strip(), "reference_range": self.range.text().strip(),
                  "loinc": self.analyte.loinc if self.analyte else "", "flag": flag}
        return {**common, **{k: v for k, v in values.items() if v}}


class LabResultScreen(FlowScreen):
    kind = lab.RESULT

    def build_editor(self) -> QWidget:
        self.catalogue = lab.lab_catalogue(self.session)
        self.order: lab.LabOrder | None = None
        self.sex: str | None = None
        self.rows: list[ResultRow] = []
        self.allowed = self.session.staff.role in get_kind(self.kind).roles
        self.scan_label = QLabel()
        self.scan = QLineEdit()
        self.scan_label.setBuddy(self.scan)
        self.scan.returnPressed.connect(self.load_scan)
        self.order_label = QLabel()
        self.order_label.setWordWrap(True)
        self.add_label = QLabel()
        self.add_test = QLineEdit()
        self.add_label.setBuddy(self.add_test)
        self.add_test.returnPressed.connect(self._add_typed_test)
        self.grid_holder = QWidget()
        self.grid = QGridLayout(self.grid_holder)
        self.headers = [QLabel() for _ in range(5)]
        for col, header in enumerate(self.headers):
            header.setObjectName("muted")
            self.grid.addWidget(header, 0, col)
        for col, stretch in enumerate((30, 20, 12, 20, 14)):
            self.grid.setColumnStretch(col, stretch)
        self.footer = FormGroup([KindForm(get_kind(self.kind), lang=self.lang, fields=FOOTER_FIELDS)])
        self.footer.fill({"verified_by": self.session.staff.name,
                          "resulted_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M")})
        editor = QWidget()
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.scan_label, self.scan, self.order_label, self.grid_holder, self.add_label,
                       self.add_test, self.footer):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._show_order()
        self.scan.setEnabled(self.allowed)
        self.save_button.setEnabled(self.allowed)
        return editor

    # -- finding the request ------------------------------------------------------------------------

    def load_scan(self) -> None:
        """Enter in the scan box: find the request and lay out a row per value to enter."""
        self.say("")
        try:
            accession, patient_id = read_scan(self.scan.text())
            order = lab.find_order(self.session, accession, patient_id)
        except DowntimeError as exc:
            self.say(str(exc))
            self.scan.selectAll()
            return
        self._clear_rows()
        self.order = order
        self._show_patient(order.patient_id)
        for line in lab.result_lines(self.catalogue, order.tests):
            self._add_row(line)
        self._show_order()
        self.scan.setText(order.accession)
        self.focus_first()

    def _show_patient(self, patient_id: str | None) -> None:
        self.patient, self.sex = None, None
        if patient_id:
            try:
                self.patient = self.session.patient_summary(patient_id)
                self.sex = self.patient.patient.sex
            except NotFoundError:
                pass
        self.banner.setVisible(self.patient is not None)
        if self.patient is not None:
            self.banner.show_patient(self.patient)

    def _add_typed_test(self) -> None:
        """A test read off another PC's requisition: its values from the catalogue, or one free row."""
        text = self.add_test.text().strip()
        if not text or self.order is None:
            return
        test = self.catalogue.find(text) or next(iter(self.catalogue.search(text)), None)
        for line in lab.result_lines(self.catalogue, [test.label if test else text]):
            self._add_row(line)
        self.add_test.clear()
        self._show_order()

    # -- the rows -----------------------------------------------------------------------------------

    def _add_row(self, line: lab.ResultLine) -> None:
        analyte = line.analyte
        row = ResultRow(QLineEdit(line.name), QLineEdit(), QLineEdit(analyte.unit if analyte else ""),
                        QLineEdit(analyte.reference_range(self.sex) if analyte else ""), QLabel(), analyte,
                        line.test)
        row.name.setReadOnly(analyte is not None)  # a catalogue name stays as coded; a typed one can be fixed
        row.value.textChanged.connect(lambda _=None, r=row: self._flag(r))
        row.range.textChanged.connect(lambda _=None, r=row: self._flag(r))
        number = len(self.rows) + 1
        for col, widget in enumerate((row.name, row.value, row.unit, row.range, row.flag)):
            self.grid.addWidget(widget, number, col)
        self.rows.append(row)
        self._tab_order()

    def _tab_order(self) -> None:
        """Tab walks down the results first (what the lab types), then units and ranges."""
        chain = [r.value for r in self.rows] + [w for r in self.rows for w in (r.unit, r.range)]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _clear_rows(self) -> None:
        for row in self.rows:
            for widget in (row.name, row.value, row.unit, row.range, row.flag):
                widget.deleteLater()
        self.rows = []

    def _assessed(self, row: ResultRow) -> str | None:
        analyte = row.analyte or Analyte(row.name.text(), row.name.text(), "")
        typed_range = row.range.text().strip()
        catalogue_range = analyte.reference_range(self.sex) if row.analyte else ""
        return assess(analyte, row.value.text(), self.sex,
                      typed_range if typed_range != catalogue_range else None).flag

    def _flag(self, row: ResultRow) -> None:
        flag = self._assessed(row)
        words = {"critical": self.tr("CRITICAL"), "high": self.tr("High ▲"), "low": self.tr("Low ▼"),
                 "abnormal": self.tr("Abnormal"), "normal": self.tr("Normal")}
        row.flag.setText(words.get(flag or "", ""))
        set_tone(row.flag, FLAG_TONES.get(flag or "", ""))

    # -- saving -------------------------------------------------------------------------------------

    def check(self) -> bool:
        if self.order is None:
            self.say(self.tr("Scan the sample label first."))
            self.scan.setFocus()
            return False
        if not any(r.value.text().strip() for r in self.rows):
            self.say(self.tr("Type at least one result."))
            self.focus_first()
            return False
        return True

    def show_errors(self, error: ValidationError) -> bool:
        return self.footer.show_errors(error)

    def commit(self) -> Outcome:
        assert self.order is not None
        common = self.footer.values()
        typed = [(row, self._assessed(row)) for row in self.rows if row.value.text().strip()]
        entries = lab.record_results(self.session, self.order.accession, [row.payload(common, flag)
                                                                         for row, flag in typed])
        lines = [self.tr("Saved %n result(s) for accession {id}.", "", len(entries)).format(id=self.order.accession)]
        lines += [f"{row.name.text()}: {row.value.text()} {row.unit.text()}  ({self._flag_word(flag)})".strip()
                  for row, flag in typed if flag not in (None, "normal")]
        critical = [f"{row.name.text()} {row.value.text()} {row.unit.text()}".strip()
                    for row, flag in typed if flag == "critical"]
        warning = self.tr("CRITICAL: {values}. Telephone the ward now and write down who took the message.").format(
            values="; ".join(critical)) if critical else ""
        prints = print_sheet(print_lab_report, self.session, accession=self.order.accession,
                             patient_id=self.order.patient_id)
        return Outcome(entries[0], lines, prints=prints, warning=warning)

    def _flag_word(self, flag: str | None) -> str:
        choice = get_kind(self.kind).field("flag").choice(flag or "")
        return (choice.label_hi if self.lang == "hi" else choice.label_en) if choice else ""

    def save_text(self) -> str:
        return self.tr("Save and print the report (Ctrl+Enter)")

    # -- words --------------------------------------------------------------------------------------

    def _show_order(self) -> None:
        order = self.order
        if not self.allowed:
            text = self.tr("Only lab staff can enter results. Log in with a lab staff ID.")
            set_tone(self.order_label, ERROR)
        elif order is None:
            text = ""
        elif order.on_this_pc:
            sample = get_kind(lab.REQUEST).field("sample_type").choice(order.sample_type or "")
            priority = get_kind(lab.REQUEST).field("priority").choice(order.priority or "")
            text = self.tr("Accession {id}: {sample}, {priority}. Tests: {tests}").format(
                id=order.accession, sample=(sample.label_hi if self.lang == "hi" else sample.label_en) if sample else "",
                priority=(priority.label_hi if self.lang == "hi" else priority.label_en) if priority else "",
                tests=", ".join(order.tests))
            set_tone(self.order_label, NEUTRAL)
        else:
            text = self.tr("Accession {id} was requested on another PC. Add the tests written on its requisition "
                           "below.").format(id=order.accession)
            set_tone(self.order_label, NEUTRAL)
        if order is not None and order.results:
            text += "\n" + self.tr("Already entered here: %n result(s).", "", len(order.results))
        self.order_label.setText(text)
        self.order_label.setVisible(bool(text))
        has_order = order is not None
        for widget in (self.grid_holder, self.add_label, self.add_test, self.footer):
            widget.setVisible(has_order)

    def retranslate(self) -> None:
        self.scan_label.setText(self.tr("Scan the sample label, or type the accession number, then Enter:"))
        self.add_label.setText(self.tr("Add a test from the requisition (type, then Enter):"))
        for header, text in zip(self.headers, (self.tr("Test"), self.tr("Result"), self.tr("Unit"),
                                               self.tr("Reference range"), self.tr("Flag")), strict=True):
            header.setText(text)
        self.footer.set_language(self.lang)
        for row in self.rows:
            self._flag(row)
        self._show_order()

    def focus_first(self) -> None:
        target = next((r.value for r in self.rows if not r.value.text()), None)
        (target or (self.add_test if self.order else self.scan)).setFocus()
