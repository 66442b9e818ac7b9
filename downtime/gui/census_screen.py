"""The ward census: who is in which bed now, per ward, and the census sheet to print.

The list and the printed sheet are the same: the snapshot's census as this PC's admissions,
transfers and discharges have changed it (``Session.census``), so the paper a ward works from
shows the patients admitted during the downtime in their beds.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from downtime.gui.patient_screen import RowsModel, read_only_table, when
from downtime.gui.print_jobs import PrintReport, print_sheet
from downtime.gui.style import ERROR, NEUTRAL, set_tone
from downtime.ids import looks_like_id
from downtime.session import Session
from downtime.viewer import CensusEntry
from forms.census import print_census

ALL = ""


class CensusScreen(QWidget):
    """Emits ``patient_chosen(patient id)`` on Enter or double-click, ``back`` on Esc."""

    patient_chosen = Signal(str)
    back = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.title = QLabel(self.tr("Ward census"))
        self.title.setObjectName("screenTitle")
        self.ward = QComboBox()
        self.ward.addItem(self.tr("All wards"), ALL)
        wards = [w.ward for w in session.census()]
        for name in wards:
            self.ward.addItem(name, name)
        own = session.config.ward
        self.ward.setCurrentIndex(max(self.ward.findData(own), 0) if own else 0)
        self.count_label = QLabel()
        self.print_button = QPushButton(self.tr("Print census sheet (Ctrl+P)"))
        self.print_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.note = QLabel(self.tr("The HMIS snapshot's in-patients with this PC's admissions, transfers and "
                                   "discharges, on screen and on the printed sheet."))
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        self.entries: list[CensusEntry] = []
        self.model = RowsModel([self.tr("Ward"), self.tr("Bed"), self.tr("Name"), self.tr("Age / sex"), self.tr("ID"),
                                self.tr("Admitted"), self.tr("IP number"), self.tr("Admitted in")], [], parent=self)
        self.table = read_only_table(self.model, stretch=2)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(16)
        top.addWidget(QLabel(self.tr("Ward:")))
        top.addWidget(self.ward)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        self.ward.currentIndexChanged.connect(lambda _=0: self.load())
        self.print_button.clicked.connect(self.print_sheet)
        self.table.activated.connect(lambda index: self._choose(index.row()))
        self.table.doubleClicked.connect(lambda index: self._choose(index.row()))
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back.emit)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_sheet)
        self.setTabOrder(self.ward, self.table)
        self.load()

    def selected_ward(self) -> str | None:
        return self.ward.currentData() or None

    def load(self) -> None:
        self.entries = [p for w in self.session.census(self.selected_ward()) for p in w.patients]
        rows = [(e.ward, e.bed or "—", e.name, f"{e.age or '?'} / {(e.sex or '?')[:1].upper()}",
                 e.uhid or e.downtime_id or e.patient_id, when(e.admitted_since), e.ip_number or "—",
                 self.tr("this downtime") if looks_like_id(e.ip_number or "") else self.tr("HMIS"))
                for e in self.entries]
        self.model.set_rows(rows)
        self.count_label.setText(self.tr("%n in-patient(s)", "", len(rows)))
        if rows:
            self.table.selectRow(0)

    def print_sheet(self) -> PrintReport:
        report = print_sheet(print_census, self.session, ward=self.selected_ward())
        self.notice.setText(report.text())
        set_tone(self.notice, NEUTRAL if report.ok else ERROR)
        self.notice.show()
        return report

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            self.patient_chosen.emit(self.entries[row].patient_id)

    def focus_start(self) -> None:
        self.table.setFocus()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.focus_start()
