"""Records on this PC as a table, with each one's status: the home screen's "today" list and a patient's history.

A clerk looks here for what was recorded, and whether it is safe: printed or not, corrected
or voided since, and not yet exported to the records office. What each record is comes from its
kind's label in the language on screen (``label_hi`` in Hindi), so it follows a switch at once. Log-ins and other bookkeeping
the toolkit writes itself are not records, so they never appear. Status changes (a print, a
correction, an export) do not add rows, so every refresh re-reads the day: a ward PC writes a
few hundred records a day, which the ``records`` table answers in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from downtime.errors import NotFoundError
from downtime.kinds.schema import get_kind
from downtime.session import Session

Index = QModelIndex | QPersistentModelIndex

_VOIDED = QColor("#8a8f96")
_WARN = QColor("#7a5200")


def _tr(text: str) -> str:
    return QCoreApplication.translate("TodayEntries", text)


@dataclass(frozen=True)
class RecordRow:
    uuid: str
    kind: str
    time: str
    human_id: str
    patient: str
    status: str
    staff: str
    voided: bool
    needs_print: bool


def kind_label(kind: str, lang: str = "en") -> str:
    try:
        return get_kind(kind).label(lang)
    except NotFoundError:  # an entry from a newer toolkit version: still list it, by its name
        return kind


def status_text(record: dict[str, Any]) -> str:
    """"corrected · printed 2× · not yet exported": everything a clerk must know about one record's safety."""
    if record["status"] == "voided":
        parts = [_tr("voided")]
    else:
        parts = [_tr("corrected")] if record["status"] == "corrected" else []
        prints = record.get("prints") or 0
        parts.append(_tr("printed {n}×").format(n=prints) if prints > 1 else
                     _tr("printed") if prints == 1 else _tr("not printed"))
    parts.append(_tr("exported") if record.get("exported") else _tr("not yet exported"))
    return " · ".join(parts)


def record_row(record: dict[str, Any], names: dict[str, str], *, with_date: bool = False) -> RecordRow:
    name = names.get(record["staff"])
    patient_name = record.get("patient_name")
    patient = " ".join(p for p in (patient_name, f"({record['patient']})" if record.get("patient") and
                                   record["patient"] != record["human_id"] else "") if p)
    at = record["recorded_at"]
    return RecordRow(
        uuid=record["uuid"], kind=record["kind"],
        time=f"{at[8:10]}-{at[5:7]} {at[11:16]}" if with_date else at[11:16],
        # A lab result has no number of its own: it goes by its sample's accession number, as the lab files it.
        human_id=record["human_id"] or record["payload"].get("accession") or "—", patient=patient or "—",
        status=status_text(record),
        staff=f"{name} ({record['staff']})" if name and name != record["staff"] else record["staff"],
        voided=record["status"] == "voided",
        needs_print=record["status"] != "voided" and not record.get("prints"),
    )


class RecordsModel(QAbstractTableModel):
    """A flat table of records; ``set_records`` replaces them all (the list is short)."""

    ENTRY_COLUMN = 2  # the one that takes the spare width
    TIME, ID, ENTRY, PATIENT, STATUS, STAFF = range(6)

    def __init__(self, parent: QObject | None = None, *, lang: str = "en"):
        super().__init__(parent)
        self._rows: list[RecordRow] = []
        self._headers: list[str] = []
        self.lang = lang
        self.retranslate()

    def retranslate(self, lang: str | None = None) -> None:
        """Headers from the installed translation, entry names in ``lang`` (kept if None)."""
        self.lang = lang or self.lang
        self._headers = [_tr("Time"), _tr("ID"), _tr("Entry"), _tr("Patient"), _tr("Status"), _tr("Staff")]
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, self.ENTRY), self.index(len(self._rows) - 1, self.ENTRY))

    def set_records(self, rows: list[RecordRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def clear(self) -> None:
        """Forget everything shown, so nothing of it stays in memory behind a lock screen."""
        self.set_records([])

    def row_at(self, row: int) -> RecordRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, uuid: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.uuid == uuid), -1)

    # -- Qt model ------------------------------------------------------------------------------

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)  # a flat table

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            label = kind_label(row.kind, self.lang)
            return (row.time, row.human_id, label, row.patient, row.status, row.staff)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.voided:
                return _VOIDED
            if index.column() == self.STATUS and row.needs_print:
                return _WARN
        if role == Qt.ItemDataRole.FontRole and row.voided:
            font = QFont()
            font.setStrikeOut(True)  # like a struck-through line on paper: still readable, clearly not valid
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


class TodayEntriesModel(RecordsModel):
    """Today's records on this PC, newest first."""

    def load(self, session: Session) -> None:
        names = {s.staff_id: s.name for s in session.staff_list()}
        self.set_records([record_row(r, names) for r in session.records_on(_today())])

    refresh = load


class RecordsTable(QTableView):
    """The table both lists use: whole rows selected, read-only, the entry column stretched."""

    def __init__(self, model: RecordsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RecordsModel.ENTRY_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def current_record(self) -> RecordRow | None:
        model = self.model()
        assert isinstance(model, RecordsModel)
        index = self.currentIndex()
        return model.row_at(index.row()) if index.isValid() else None

    def select_uuid(self, uuid: str) -> None:
        model = self.model()
        assert isinstance(model, RecordsModel)
        row = model.row_of(uuid)
        if row >= 0:
            self.selectRow(row)


def _today() -> str:
    # recorded_at is local time with its offset, so its first ten characters are the local date.
    return dt.date.today().isoformat()
