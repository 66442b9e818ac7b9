"""Today's entries on this PC, newest first: the home screen's list.

The journal is append-only, so after the first load only entries with a higher
sequence number can appear; a refresh reads just those. Log-ins, log-outs and
other bookkeeping the toolkit writes itself are left out: a clerk looks here for
the patients and events recorded today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from downtime.errors import NotFoundError
from downtime.journal import Entry
from downtime.kinds.schema import get_kind
from downtime.session import SYSTEM_KINDS, Session

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class TodayRow:
    time: str
    label: str
    human_id: str
    staff: str


def kind_label(kind: str) -> str:
    try:
        return get_kind(kind).label_en
    except NotFoundError:  # an entry from a newer toolkit version: still list it, by its name
        return kind


class TodayEntriesModel(QAbstractTableModel):
    ENTRY_COLUMN = 2  # the one that takes the spare width

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[TodayRow] = []
        self._last_seq = 0
        self._day = ""
        self._headers = [self.tr("Time"), self.tr("Downtime ID"), self.tr("Entry"), self.tr("Staff")]

    # -- filling -------------------------------------------------------------------------------

    def load(self, session: Session) -> None:
        """Read today's entries from scratch (after login, unlock, or when the date changes)."""
        self.beginResetModel()
        self._rows, self._last_seq, self._day = [], 0, _today()
        self._rows = self._read_new(session)
        self.endResetModel()

    def refresh(self, session: Session) -> None:
        """Add entries written since the last read; start over at midnight."""
        if self._day != _today():
            self.load(session)
            return
        new = self._read_new(session)
        if new:
            self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
            self._rows[:0] = new
            self.endInsertRows()

    def clear(self) -> None:
        """Forget everything shown, so nothing of it stays in memory behind a lock screen."""
        self.beginResetModel()
        self._rows, self._last_seq, self._day = [], 0, ""
        self.endResetModel()

    def _read_new(self, session: Session) -> list[TodayRow]:
        names = {s.staff_id: s.name for s in session.staff_list()}
        rows: list[TodayRow] = []
        for entry in session.journal.entries(since_seq=self._last_seq):
            self._last_seq = entry.seq
            if entry.kind not in SYSTEM_KINDS and entry.recorded_at.startswith(self._day):
                rows.append(_row(entry, names))
        rows.reverse()
        return rows

    # -- Qt model ------------------------------------------------------------------------------

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)  # a flat table

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        row = self._rows[index.row()]
        return (row.time, row.human_id, row.label, row.staff)[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


def _today() -> str:
    # recorded_at is local time with its offset, so its first ten characters are the local date.
    return dt.date.today().isoformat()


def _row(entry: Entry, names: dict[str, str]) -> TodayRow:
    name = names.get(entry.staff)
    return TodayRow(
        time=entry.recorded_at[11:16],
        label=kind_label(entry.kind),
        human_id=entry.human_id or "—",
        staff=f"{name} ({entry.staff})" if name and name != entry.staff else entry.staff,
    )
