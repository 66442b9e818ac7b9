"""The home screen: what this PC recorded today.

Patient search arrives with the snapshot (issue 5); until then the clerk at
least sees, at a glance, every registration and event entered here today, with
its downtime ID to read back to a caller.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from downtime.gui.today_entries import TodayEntriesModel
from downtime.session import Session


class HomeScreen(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = TodayEntriesModel(self)
        self.title = QLabel()
        self.title.setObjectName("screenTitle")
        self.empty_label = QLabel(self.tr("Nothing has been recorded on this PC today yet."))
        self.empty_label.setObjectName("muted")
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TodayEntriesModel.ENTRY_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        for signal in (self.model.modelReset, self.model.rowsInserted):
            signal.connect(self._update_title)
        self._update_title()

    def load(self, session: Session) -> None:
        self.model.load(session)
        self.table.setFocus()  # the arrow keys work straight after login

    def refresh(self, session: Session) -> None:
        self.model.refresh(session)

    def clear(self) -> None:
        self.model.clear()

    def _update_title(self) -> None:
        count = self.model.rowCount()
        self.title.setText(self.tr("Entries on this PC today: %n", "", count))
        self.empty_label.setVisible(count == 0)
        self.table.setVisible(count > 0)
