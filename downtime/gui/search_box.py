"""The one search box: type-ahead over the snapshot and this PC's registrations, and the barcode scanner's input.

A scanner is a keyboard that types fast and presses Enter, so a scan and a typed query arrive
the same way. On Enter the text is read, in this order, as:

1. a form's QR payload (JSON): the record it names, or else its patient;
2. an identifier of a record on this PC (IP number, accession, downtime patient ID), also in
   the hyphen-free form printed in barcodes;
3. otherwise the highlighted search result (the top one unless the arrows moved it).

Up and Down move through the results without leaving the box, so a clerk never needs the mouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from downtime.search import PatientHit
from downtime.session import Session
from forms.codes import id_from_barcode, parse_qr

Index = QModelIndex | QPersistentModelIndex
RESULTS = 20


def _tr(text: str) -> str:
    return QCoreApplication.translate("SearchBox", text)


@dataclass(frozen=True)
class Target:
    """What a scan or a search opens: a patient, and the record to show selected (if any)."""

    patient: str
    record: str | None = None


def resolve_code(session: Session, text: str) -> Target | None:
    """The patient (and record) a scanned or typed code stands for; None if it is not one of ours."""
    text = text.strip()
    if text.startswith("{"):
        return _from_qr(session, text)
    # Our IDs, UHIDs and uuids are ASCII: other text (even a lone surrogate from a bad paste) is not a code.
    if not text.isascii() or not any(ch.isdigit() for ch in text) or " " in text:
        return None
    record = session.lookup_record(id_from_barcode(text))
    if record is None or record["status"] == "voided" or not record["patient"]:
        return None
    return Target(record["patient"], record["uuid"])


def _from_qr(session: Session, text: str) -> Target | None:
    try:
        qr = parse_qr(text)
    except (ValueError, KeyError, TypeError):  # json.JSONDecodeError is a ValueError
        return None
    record = session.lookup_record(qr.entry_uuid or qr.human_id)
    if record is not None and record["patient"]:
        return Target(record["patient"], record["uuid"])
    # A form printed on another PC: its patient may still be in the snapshot or registered here.
    return Target(qr.patient_id) if qr.patient_id and qr.kind != "census" else None


class HitsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.hits: list[PatientHit] = []
        self._headers: list[str] = []
        self.retranslate()

    def retranslate(self) -> None:
        self._headers = [_tr("Name"), _tr("Age / sex"), _tr("Relative"), _tr("ID"), _tr("Ward / bed"), _tr("From")]
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)

    def set_hits(self, hits: list[PatientHit]) -> None:
        self.beginResetModel()
        self.hits = hits
        self.endResetModel()

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.hits)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        hit = self.hits[index.row()]
        ids = " · ".join(f"{label} {value}" for label, value in (("UHID", hit.uhid), (_tr("Downtime"), hit.downtime_id))
                         if value)
        place = ", ".join(p for p in (hit.ward, hit.bed) if p) or "—"
        source = _tr("HMIS snapshot") if hit.source == "snapshot" else _tr("this downtime")
        return (hit.name, hit.age_sex, hit.relation or "—", ids, place, source)[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


class SearchBox(QWidget):
    """Emits ``chosen(Target)`` on Enter, and ``not_found(str)`` when Enter finds nothing to open."""

    chosen = Signal(object)
    not_found = Signal(str)
    query_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: Session | None = None
        self.edit = QLineEdit()
        self.edit.setObjectName("searchBox")
        self.edit.setClearButtonEnabled(True)
        self.model = HitsModel(self)
        self.results = QTableView()
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cursor stays in the box; arrows move the rows
        self.results.verticalHeader().hide()
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)
        self.results.hide()
        self.edit.textChanged.connect(self._search)
        self.edit.returnPressed.connect(self.activate)
        self.results.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.edit.installEventFilter(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(_tr("Name, UHID, downtime ID, phone or ABHA — or scan a barcode"))
        self.model.retranslate()

    def set_session(self, session: Session | None) -> None:
        self.session = session
        self.clear()

    def clear(self) -> None:
        self.edit.clear()
        self.model.set_hits([])

    def query(self) -> str:
        return self.edit.text().strip()

    def current_hit(self) -> PatientHit | None:
        row = self.results.currentIndex().row()
        return self.model.hits[row] if 0 <= row < len(self.model.hits) else None

    # -- typing --------------------------------------------------------------------------------

    def _search(self, text: str) -> None:
        hits: list[PatientHit] = []
        if self.session is not None and text.strip() and not text.lstrip().startswith("{"):
            hits = self.session.search(text, limit=RESULTS)
            if not hits and looks_like_name(text):  # nothing spelt like that: try names that sound alike
                hits = self.session.search(text, limit=RESULTS, sound_alike=True)
        self.model.set_hits(hits)
        self.results.setVisible(bool(hits))
        if hits:
            self.results.selectRow(0)
        self.query_changed.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step and self.model.hits:
                row = min(max(self.results.currentIndex().row() + step, 0), len(self.model.hits) - 1)
                self.results.selectRow(row)
                return True
        return super().eventFilter(watched, event)

    def activate(self) -> None:
        """Enter: open what a scanned code names, else the highlighted result."""
        text = self.query()
        if not text or self.session is None:
            return
        target = resolve_code(self.session, text)
        if target is None and self.current_hit() is not None:
            hit = self.current_hit()
            assert hit is not None
            target = Target(hit.id)
        if target is None:
            self.not_found.emit(text if not text.startswith("{") else _tr("this QR code"))
            return
        self.chosen.emit(target)

    def _open_row(self, row: int) -> None:
        self.results.selectRow(row)
        hit = self.current_hit()
        if hit is not None:
            self.chosen.emit(Target(hit.id))


def looks_like_name(text: str) -> bool:
    """True if what was searched could be a name to carry into a new registration (not an ID or a scan)."""
    text = text.strip()
    return bool(text) and not any(ch.isdigit() for ch in text) and not text.startswith("{")

