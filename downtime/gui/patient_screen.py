"""One patient: the banner (allergies in red), the admission now, medicines, recent results, and this PC's history.

Everything the snapshot says is as of the HMIS export, and the screen says so; the admission
shown is the one this PC's entries leave (a transfer or discharge here changes it), and the
results include those the lab entered here. The history lists every record this PC holds about
the patient (lab results under their request's patient), voided ones struck through, so a clerk
can select one and correct or void it (F12), or reprint the lab report of a request or result
(Ctrl+R). Ctrl+P prints the summary, for a patient registered during the downtime too.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from downtime.gui.actions import ActionBar
from downtime.gui.banner import parse_local
from downtime.gui.patient_banner import PatientBanner
from downtime.gui.print_jobs import PrintReport, print_sheet
from downtime.gui.style import ERROR, NEUTRAL, set_tone
from downtime.gui.today_entries import RecordRow, RecordsModel, RecordsTable, record_row
from downtime.session import Session
from downtime.viewer import CurrentEncounter, PatientSummary
from forms.census import print_lab_report, print_patient_summary

Index = QModelIndex | QPersistentModelIndex
_ABNORMAL = QColor("#b00020")


def when(text: str | None) -> str:
    """ "05-01-2025 14:20" (day first, as Indian wards write it), local time; "—" if unknown."""
    moment = parse_local(text)
    return moment.strftime("%d-%m-%Y %H:%M") if moment else (text or "—")


class RowsModel(QAbstractTableModel):
    """A read-only table of tuples; ``flagged`` rows are drawn red and bold (abnormal results)."""

    def __init__(self, headers: list[str], rows: list[tuple[str, ...]], flagged: set[int] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._headers, self._rows, self._flagged = headers, rows, flagged or set()

    def set_rows(self, rows: list[tuple[str, ...]], flagged: set[int] | None = None) -> None:
        self.beginResetModel()
        self._rows, self._flagged = rows, flagged or set()
        self.endResetModel()

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[index.row()][index.column()]
        if index.row() in self._flagged:
            if role == Qt.ItemDataRole.ForegroundRole:
                return _ABNORMAL
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


def read_only_table(model: QAbstractTableModel, stretch: int = 0) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # for reading; the keyboard stays on the history
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(8, 8, 8, 8)
    layout.addWidget(widget)
    return box


class PatientScreen(QWidget):
    """Emits ``back`` on Esc; the main window adds the workflow buttons to ``actions``."""

    back = Signal()

    def __init__(self, session: Session, summary: PatientSummary, *, lang: str = "en", select: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.summary = summary
        self.lang = lang
        self.banner = PatientBanner()
        self.banner.show_patient(summary)
        self.source_label = QLabel(self._source_text())
        self.source_label.setObjectName("muted")
        self.actions = ActionBar()
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.admission_label = QLabel(self._admission_text(session.current_admission(summary.patient.id)))
        self.admission_label.setWordWrap(True)
        # The prescriber is on the printed summary; on screen the medicine's name needs the width.
        self.medications = read_only_table(RowsModel(
            [self.tr("Medicine"), self.tr("Dose"), self.tr("Since")],
            [(m.name, m.dosage or "—", when(m.started)[:10]) for m in summary.medications], parent=self))
        results = summary.results
        self.results = read_only_table(RowsModel(
            [self.tr("Test"), self.tr("Result"), self.tr("Range"), self.tr("Flag"), self.tr("Taken")],
            [(r.name, " ".join(p for p in (r.value, r.unit) if p), r.reference_range or "—", r.flag or "",
              when(r.taken_at)) for r in results],
            flagged={i for i, r in enumerate(results) if r.abnormal}, parent=self))
        self.history_model = RecordsModel(self, lang=lang)
        self.history = RecordsTable(self.history_model)
        self.history.setColumnHidden(RecordsModel.PATIENT, True)  # always this patient
        self.load_history(select)

        grid = QGridLayout()
        grid.addWidget(_boxed(self.tr("Admission now"), self.admission_label), 0, 0)
        grid.addWidget(_boxed(self.tr("Active medicines (from the HMIS)"), self.medications), 1, 0)
        grid.addWidget(_boxed(self.tr("Recent results (abnormal in red)"), self.results), 0, 1, 2, 1)
        grid.addWidget(_boxed(self.tr("Downtime records on this PC (F12 corrects or cancels the selected one)"),
                              self.history), 2, 0, 1, 2)
        grid.setColumnStretch(0, 2)  # medicine names are short; test names are long
        grid.setColumnStretch(1, 3)
        # As much room for this PC's records as for the medicines: on a 768-pixel screen with two rows
        # of actions the history must still show a few records to pick from, not one.
        grid.setRowStretch(1, 1)
        grid.setRowStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 12)
        layout.addWidget(self.banner)
        layout.addWidget(self.source_label)
        layout.addWidget(self.actions)
        layout.addWidget(self.notice)
        layout.addLayout(grid, 1)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back.emit)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_summary)
        QShortcut(QKeySequence("Ctrl+R"), self, self.print_lab_report)

    @property
    def patient_id(self) -> str:
        return self.summary.patient.id

    def load_history(self, select: str | None = None) -> None:
        names = {s.staff_id: s.name for s in self.session.staff_list()}
        self.history_model.set_records([record_row(r, names, with_date=True)
                                        for r in self.session.patient_history(self.patient_id)])
        if select:
            self.history.select_uuid(select)
        elif self.history_model.rowCount():
            self.history.selectRow(0)

    def print_summary(self) -> PrintReport:
        report = print_sheet(print_patient_summary, self.session, patient_id=self.patient_id)
        self.show_notice(report.text(), ok=report.ok)
        return report

    def print_lab_report(self) -> PrintReport | None:
        """Reprint the lab report of the lab request or result selected in the history."""
        accession = self._selected_accession()
        if accession is None:
            self.show_notice(self.tr("Select a lab request or lab result in the list first (arrow keys), then press "
                                     "Ctrl+R."), ok=False)
            return None
        report = print_sheet(print_lab_report, self.session, accession=accession, patient_id=self.patient_id)
        self.show_notice(report.text(), ok=report.ok)
        return report

    def _selected_accession(self) -> str | None:
        row = self.selected_record()
        record = self.session.lookup_record(row.uuid) if row else None
        if record is None:
            return None
        if record["kind"] == "lab.request":
            return record["human_id"]
        if record["kind"] == "lab.result":
            return record["payload"].get("accession")
        return None

    def show_notice(self, text: str, *, ok: bool = True) -> None:
        self.notice.setText(text)
        set_tone(self.notice, NEUTRAL if ok else ERROR)
        self.notice.setVisible(bool(text))

    def selected_record(self) -> RecordRow | None:
        """The record F12 corrects."""
        return self.history.current_record()

    def focus_start(self) -> None:
        self.history.setFocus()  # arrows pick a record, F12 corrects it; the F-keys work from here

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.focus_start()

    def _source_text(self) -> str:
        if self.summary.patient.source != "snapshot":
            return self.tr("Registered during the downtime: the HMIS has no record of this patient yet.")
        return self.tr("Medicines, results and allergies from the HMIS snapshot of {when}.").format(
            when=when(self.summary.as_of))

    def _admission_text(self, now: CurrentEncounter | None) -> str:
        if now is None:
            return self.tr("Not admitted.")
        number = self.tr("IP number {ip}").format(ip=now.ip_number) if now.ip_number else ""
        where = ", ".join(p for p in (now.ward, self.tr("bed {bed}").format(bed=now.bed) if now.bed else "") if p)
        # Three lines at most (where and since; the number; why and under whom): on a 768-pixel screen
        # every line taken here is a line of medicines or records the clerk no longer sees.
        lines = [(where, self.tr("since {when}").format(when=when(now.admitted_since))),
                 (number, self.tr("(admitted during the downtime)") if now.kind == "downtime" else ""),
                 (now.reason or "", now.attending or "")]
        return "\n".join(text for text in (" · ".join(p for p in line if p) for line in lines) if text)
