"""The side-by-side comparison: the registration beside each candidate the matcher weighed, field by field.

A candidate's cell says in words how the field compares ("agrees", "differs", "missing"...) and is coloured
to match (green, red, grey), so the mark never rests on colour alone. The matcher's own sentences about
the field are the cell's tooltip. The selected candidate (keys 1-9, arrows) is marked in its heading.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from downtime.kinds.schema import get_kind
from sync.review import ROWS, CandidateView, Cell, ItemView

# Light tones that keep dark text readable; the words in each cell carry the same meaning.
MARK_COLOURS = {"agree": "#d4edda", "partial": "#fff3cd", "disagree": "#f8d7da", "missing": "#e9ecef",
                "unchecked": "#e9ecef"}
LABEL_COLUMN, REGISTRATION_COLUMN = 0, 1


def _tr(text: str) -> str:
    return QCoreApplication.translate("ComparisonTable", text)


def row_labels() -> dict[str, str]:
    return {"name": _tr("Name"), "sex": _tr("Sex"), "dob": _tr("DOB / age"), "phone": _tr("Phone"),
            "relative": _tr("Relative"), "address": _tr("Address"), "pincode": _tr("PIN code"),
            "ids": _tr("UHID / ABHA")}


def mark_words() -> dict[str, str]:
    return {"agree": _tr("✓ agrees"), "partial": _tr("≈ partly agrees"), "disagree": _tr("✗ differs"),
            "missing": _tr("– missing"), "unchecked": _tr("– not compared")}


class ComparisonTable(QTableWidget):
    """Rows are the fields; the columns are the field names, the registration, then candidates 1, 2, 3..."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.item_view: ItemView | None = None
        self.selected = 0          # the selected candidate's number (0: none)
        self.lang = "en"
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard stays on the queue; keys pick candidates
        self.setWordWrap(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def show_item(self, item: ItemView | None, selected: int, lang: str) -> None:
        self.item_view, self.selected, self.lang = item, selected, lang
        self.clear()
        candidates = item.candidates if item else ()
        self.setColumnCount(2 + len(candidates))
        self.setRowCount(len(ROWS))
        self.setHorizontalHeaderLabels([_tr("Field"), _tr("Registration")]
                                       + [self._heading(c) for c in candidates])
        labels = row_labels()
        for row, name in enumerate(ROWS):
            label = QTableWidgetItem(labels[name])
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            self.setItem(row, LABEL_COLUMN, label)
            if item is None:
                continue
            self.setItem(row, REGISTRATION_COLUMN, QTableWidgetItem(self._value(name, item.registration[name])))
            for column, candidate in enumerate(candidates, start=2):
                self.setItem(row, column, self._cell(name, candidate.cells[name]))
        header = self.horizontalHeader()
        header.setSectionResizeMode(LABEL_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        for column in range(1, self.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.resizeRowsToContents()

    def cell_text(self, row_name: str, column: int) -> str:
        found = self.item(ROWS.index(row_name), column)
        return found.text() if found else ""

    def heading(self, column: int) -> str:
        found = self.horizontalHeaderItem(column)
        return found.text() if found else ""

    def _heading(self, candidate: CandidateView) -> str:
        marks = []
        if candidate.number == self.selected:
            marks.append(_tr("selected"))
        if candidate.chosen:
            marks.append(_tr("linked now"))
        elif candidate.suggested:
            marks.append(_tr("suggested"))
        if candidate.rejected:
            marks.append(_tr("rejected"))
        arrow = "▶ " if candidate.number == self.selected else ""
        first = f"{arrow}{candidate.number}  {candidate.uhid}  ({candidate.score:.0%})"
        return "\n".join([first, ", ".join(marks)]) if marks else first

    def _value(self, name: str, cell: Cell) -> str:
        if name == "sex" and cell.text:
            choice = get_kind("patient.register").field("sex").choice(cell.text)
            if choice is not None:
                return choice.label_hi if self.lang == "hi" else choice.label_en
        return cell.text

    def _cell(self, name: str, cell: Cell) -> QTableWidgetItem:
        outcome = cell.outcome or "missing"
        value = self._value(name, cell)
        item = QTableWidgetItem(f"{value}\n{mark_words()[outcome]}" if value else mark_words()[outcome])
        item.setBackground(QBrush(QColor(MARK_COLOURS[outcome])))
        item.setForeground(QBrush(QColor("#1d2327")))
        item.setData(Qt.ItemDataRole.UserRole, outcome)
        if cell.notes:
            item.setToolTip("\n".join(cell.notes))
        return item
