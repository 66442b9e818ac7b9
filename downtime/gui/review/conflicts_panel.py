"""Import conflicts: two copies of one entry, side by side, and which one counts.

The list holds the open conflicts (and, to revisit, the resolved ones). The table shows where each copy
was recorded and every field, a differing row marked "differs" and tinted red. K keeps the copy already
held, T takes the later copy; the reason box is optional. Each resolution is journaled under the
officer's staff ID (``Review.resolve_conflict``).
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from downtime.errors import DowntimeError
from downtime.gui.review.comparison import MARK_COLOURS
from downtime.gui.style import ERROR, NEUTRAL, set_tone
from downtime.kinds.schema import get_kind
from sync.review import ConflictView, FieldPair, Review


class ConflictPanel(QWidget):
    """Emits ``count_changed(open conflicts)`` after loading or resolving."""

    count_changed = Signal(int)

    def __init__(self, review: Review, parent: QWidget | None = None):
        super().__init__(parent)
        self.review = review
        self.lang = "en"
        self.conflicts: list[ConflictView] = []
        self.list = QListWidget()
        self.list.setMinimumWidth(300)
        self.show_resolved = QCheckBox()
        self.show_resolved.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.heading = QLabel()
        self.heading.setObjectName("screenTitle")
        self.heading.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.reason_label = QLabel()
        self.reason = QLineEdit()
        self.reason.setMaxLength(300)
        self.reason_label.setBuddy(self.reason)
        self.keep_button, self.take_button = QPushButton(), QPushButton()
        for button in (self.keep_button, self.take_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self._lay_out()
        self.show_resolved.toggled.connect(lambda _=False: self.load())
        self.list.currentRowChanged.connect(self._show_row)
        self.keep_button.clicked.connect(self.keep_held)
        self.take_button.clicked.connect(self.take_new)
        for key, slot in {"K": self.keep_held, "T": self.take_new, "Esc": self.list.setFocus}.items():
            QShortcut(QKeySequence(key), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.retranslate()

    def _lay_out(self) -> None:
        left = QWidget()
        list_layout = QVBoxLayout(left)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.list, 1)
        list_layout.addWidget(self.show_resolved)
        right = QWidget()
        layout = QVBoxLayout(right)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.reason_label)
        reason_row.addWidget(self.reason, 1)
        layout.addLayout(reason_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.take_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 1000])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        outer.addWidget(split)

    def retranslate(self) -> None:
        self.show_resolved.setText(self.tr("Show resolved ones too"))
        self.reason_label.setText(self.tr("Reason:"))
        self.reason.setPlaceholderText(self.tr("Why (optional)"))
        self.keep_button.setText(self.tr("Keep the held copy (K)"))
        self.take_button.setText(self.tr("Take the later copy (T)"))

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()
        self.load(keep=self._current_key())

    # -- the list -----------------------------------------------------------------------------------

    def load(self, keep: tuple[str, str] | None = None) -> None:
        self.conflicts = self.review.conflicts(resolved=self.show_resolved.isChecked())
        self.list.blockSignals(True)
        self.list.clear()
        for conflict in self.conflicts:
            self.list.addItem(self._list_text(conflict))
        self.list.blockSignals(False)
        self.count_changed.emit(sum(1 for c in self.conflicts if c.status == "open")
                                if self.show_resolved.isChecked() else len(self.conflicts))
        keys = [(c.uuid, c.new.hash) for c in self.conflicts]
        row = keys.index(keep) if keep in keys else 0
        if self.conflicts:
            self.list.setCurrentRow(row)
        self._show_row(row if self.conflicts else -1)

    def _list_text(self, conflict: ConflictView) -> str:
        status = {"open": self.tr("open"), "taken": self.tr("later copy taken"),
                  "set_aside": self.tr("held copy kept")}.get(conflict.status, conflict.status)
        return f"{_kind_label(conflict.held.kind, self.lang)} · {conflict.uuid[:8]}\n" \
               f"{conflict.held.device} / {conflict.new.device} · {status}"

    def current(self) -> ConflictView | None:
        row = self.list.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _current_key(self) -> tuple[str, str] | None:
        conflict = self.current()
        return (conflict.uuid, conflict.new.hash) if conflict else None

    def _show_row(self, row: int) -> None:
        conflict = self.conflicts[row] if 0 <= row < len(self.conflicts) else None
        self.reason.clear()
        self.keep_button.setEnabled(conflict is not None)
        self.take_button.setEnabled(conflict is not None)
        if conflict is None:
            self.heading.setText(self.tr("No import conflicts"))
            self.note.setText(self.tr("Every entry arrived in one version only."))
            self.table.setRowCount(0)
            return
        self.heading.setText(self.tr("{kind} {uuid}: two copies").format(
            kind=_kind_label(conflict.held.kind, self.lang), uuid=conflict.uuid))
        if conflict.same_content:
            self.note.setText(self.tr("Only where and when it was recorded differ: the same record copied to "
                                      "another PC. Keeping the held copy is usually right."))
        else:
            self.note.setText(self.tr("The contents differ: ask the ward which copy is right. Until then the "
                                      "entry is held back from the HMIS."))
        self._fill(conflict)

    def _fill(self, conflict: ConflictView) -> None:
        self.table.clear()
        self.table.setColumnCount(4)
        self.table.setRowCount(len(conflict.fields))
        self.table.setHorizontalHeaderLabels([
            self.tr("Field"), self.tr("Held copy ({device})").format(device=conflict.held.device),
            self.tr("Later copy ({device})").format(device=conflict.new.device), self.tr("Same?")])
        for row, pair in enumerate(conflict.fields):
            cells = [self._label(pair), pair.held, pair.new, self.tr("same") if pair.same else self.tr("✗ differs")]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if not pair.same:
                    item.setBackground(QBrush(QColor(MARK_COLOURS["disagree"])))
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.resizeRowsToContents()

    def _label(self, pair: FieldPair) -> str:
        if pair.meta:
            return {"kind": self.tr("Kind of entry"), "device": self.tr("PC"), "seq": self.tr("Number on that PC"),
                    "staff": self.tr("Staff ID"), "recorded_at": self.tr("Recorded at"),
                    "clinical_at": self.tr("Clinical time")}.get(pair.name, pair.name)
        return pair.label_hi if self.lang == "hi" else pair.label_en

    # -- resolving ----------------------------------------------------------------------------------

    def keep_held(self) -> None:
        self._resolve("held")

    def take_new(self) -> None:
        self._resolve("new")

    def _resolve(self, keep: Literal["held", "new"]) -> None:
        conflict = self.current()
        if conflict is None:
            return
        try:
            resolution = self.review.resolve_conflict(conflict.uuid, conflict.new.hash, keep, self.reason.text())
        except DowntimeError as exc:
            self._say(str(exc), error=True)
            return
        self.load(keep=(conflict.uuid, conflict.new.hash))
        done = self.tr("Kept the copy from {device}. Saved with your staff ID.").format(device=resolution.kept.device)
        if conflict.held.kind in ("patient.register", "birth.report"):
            done += " " + self.tr("Run 'reconcile match' again to match this registration.")
        self._say(done, error=False)
        self.list.setFocus()

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        set_tone(self.message, ERROR if error else NEUTRAL)
        self.message.show()

    def focus_start(self) -> None:
        self.list.setFocus()


def _kind_label(kind: str, lang: str) -> str:
    try:
        return get_kind(kind).label(lang)
    except DowntimeError:
        return kind
