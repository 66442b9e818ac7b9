"""The match review: the queue on the left, the selected registration beside its candidates on the right.

Keyboard first. Up/Down walk the queue; 1-9 or Left/Right select a candidate; A accepts the suggested
candidate, Enter links the selected one, R rejects the selected one (its reason is asked for in the box
below, Enter there confirms), N marks the patient new. A decided registration stays in the list: selecting
it again and deciding again records a new decision; its history is listed under the comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from downtime.errors import DowntimeError
from downtime.gui.review.comparison import ComparisonTable
from downtime.gui.style import ERROR, NEUTRAL, set_tone
from sync.decisions import OfficerDecision
from sync.review import SCOPES, ItemView, Queue, QueueItem, Review, Scope

QUEUE_WIDTH = 400


class QueueModel(QAbstractTableModel):
    """The queue's rows (downtime ID, decision, name), with headings that follow the language."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.headers: list[str] = []
        self.rows: list[tuple[str, str, str]] = []

    def set_headers(self, headers: list[str]) -> None:
        self.headers = headers
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(headers) - 1)

    def set_rows(self, rows: list[tuple[str, str, str]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def set_row(self, row: int, values: tuple[str, str, str]) -> None:
        self.rows[row] = values
        self.dataChanged.emit(self.index(row, 0), self.index(row, 2))

    def rowCount(self, parent: QModelIndex | None = None) -> int:  # type: ignore[override]
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | None = None) -> int:  # type: ignore[override]
        return 0 if parent is not None and parent.isValid() else 3

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:  # type: ignore[override]
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # type: ignore[override]
                   role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and self.headers:
            return self.headers[section]
        return None


class MatchPanel(QWidget):
    """Emits ``progress_changed(left, total)`` whenever a decision changes how much is left."""

    progress_changed = Signal(int, int)

    def __init__(self, review: Review, parent: QWidget | None = None):
        super().__init__(parent)
        self.review = review
        self.lang = "en"
        self.queue: Queue = Queue([], 0, 0)
        self.current: ItemView | None = None
        self.selected = 0               # the selected candidate's number
        self.rejecting = False          # R was pressed and the reason box waits for why

        self.scope_label = QLabel()
        self.scope = QComboBox()
        self.scope_label.setBuddy(self.scope)  # Alt+S, then Up/Down; Esc goes back to the queue
        self.model = QueueModel(self)
        self.list = QTableView()
        self.list.setModel(self.model)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.verticalHeader().hide()
        header = self.list.horizontalHeader()
        # Qt measures at most resizeContentsPrecision() rows (1000), so a 50,000-row queue stays quick.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.list.setMinimumWidth(QUEUE_WIDTH)

        self.heading = QLabel()
        self.heading.setObjectName("screenTitle")
        self.heading.setWordWrap(True)
        self.why = QLabel()
        self.why.setWordWrap(True)
        self.why.setObjectName("muted")
        self.table = ComparisonTable()
        self.reason_label = QLabel()
        self.reason = QLineEdit()
        self.reason.setMaxLength(300)
        self.reason_label.setBuddy(self.reason)
        self.accept_button, self.link_button = QPushButton(), QPushButton()
        self.reject_button, self.new_button = QPushButton(), QPushButton()
        for button in (self.accept_button, self.link_button, self.reject_button, self.new_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys do the same; focus stays in the queue
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.history_title = QLabel()
        self.history = QLabel()
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.PlainText)
        self._lay_out()
        self._connect()
        self.retranslate()

    def _lay_out(self) -> None:
        left = QWidget()
        queue_layout = QVBoxLayout(left)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.scope_label)
        scope_row.addWidget(self.scope, 1)
        queue_layout.addLayout(scope_row)
        queue_layout.addWidget(self.list, 1)
        queue_layout.addWidget(self.history_title)
        queue_layout.addWidget(self.history)
        right = QWidget()
        item_layout = QVBoxLayout(right)
        item_layout.setContentsMargins(8, 0, 0, 0)
        item_layout.addWidget(self.heading)
        item_layout.addWidget(self.why)
        item_layout.addWidget(self.table, 1)
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.reason_label)
        reason_row.addWidget(self.reason, 1)
        item_layout.addLayout(reason_row)
        buttons = QHBoxLayout()
        for button in (self.accept_button, self.link_button, self.reject_button, self.new_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        item_layout.addLayout(buttons)
        item_layout.addWidget(self.message)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([QUEUE_WIDTH, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(split)

    def _connect(self) -> None:
        self.scope.currentIndexChanged.connect(lambda _=0: self.load())
        self.scope.activated.connect(lambda _=0: self.list.setFocus())
        self.list.selectionModel().currentRowChanged.connect(lambda current, _: self._show_row(current.row()))
        self.accept_button.clicked.connect(self.accept)
        self.link_button.clicked.connect(self.link_selected)
        self.reject_button.clicked.connect(self.reject)
        self.new_button.clicked.connect(self.mark_new)
        keys: dict[str, Callable[[], None]] = {"A": self.accept, "R": self.reject, "N": self.mark_new, "Return": self.enter, "Enter": self.enter,
                "Left": lambda: self.select_candidate(self.selected - 1),
                "Right": lambda: self.select_candidate(self.selected + 1), "Esc": self.escape}
        keys.update({str(n): partial(self.select_candidate, n) for n in range(1, 10)})
        for key, slot in keys.items():
            # Letters and digits typed into the reason box stay there: a line edit claims printable keys.
            QShortcut(QKeySequence(key), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def retranslate(self) -> None:
        self.scope_label.setText(self.tr("&Show:"))
        index = max(self.scope.currentIndex(), 0)
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem(self.tr("To review"), "review")
        self.scope.addItem(self.tr("All decided"), "all")
        self.scope.setCurrentIndex(index)
        self.scope.blockSignals(False)
        self.model.set_headers([self.tr("Downtime ID"), self.tr("Decision"), self.tr("Name")])
        self.reason_label.setText(self.tr("Reason:"))
        self.reason.setPlaceholderText(self.tr("Why (needed to reject; optional otherwise)"))
        self.accept_button.setText(self.tr("Accept suggested (A)"))
        self.link_button.setText(self.tr("Link selected (Enter)"))
        self.reject_button.setText(self.tr("Reject selected (R)"))
        self.new_button.setText(self.tr("New patient (N)"))
        self.history_title.setText(self.tr("Decisions on this registration:"))

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()
        self.load(keep=self.current.entry_uuid if self.current else None)
        self._redraw()  # the same item stays selected: draw its words again

    # -- the queue ----------------------------------------------------------------------------------

    @property
    def scope_name(self) -> Scope:
        value = self.scope.currentData()
        return value if value in SCOPES else "review"

    def load(self, keep: str | None = None) -> None:
        """Read the queue again and select ``keep`` (else the first item still to decide, else the first)."""
        self.queue = self.review.queue(self.scope_name)
        self.model.set_rows([self._row(i) for i in self.queue.items])
        self.progress_changed.emit(self.queue.left, self.queue.total)
        uuids = [i.entry_uuid for i in self.queue.items]
        if keep not in uuids:
            left = self.queue.next_left(None)
            keep = left.entry_uuid if left else (uuids[0] if uuids else None)
        if keep is None:
            self._show(None)
            return
        self.select_row(uuids.index(keep))

    def _row(self, item: QueueItem) -> tuple[str, str, str]:
        return (item.downtime_id or item.entry_uuid[:8], self._decision_words().get(item.decision, item.decision),
                item.name)

    def _refresh(self, entry: str) -> None:
        """After a decision: that one line and the counts (the whole queue may be 50,000 lines)."""
        self.queue = self.queue.replaced(self.review.queue_item(entry), *self.review.progress())
        row = [i.entry_uuid for i in self.queue.items].index(entry)
        self.model.set_row(row, self._row(self.queue.items[row]))
        self.progress_changed.emit(self.queue.left, self.queue.total)
        self.current = None  # read the item again: its decision and history changed
        self._show_row(row)

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.list.scrollTo(index)
        self._show_row(row)

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.queue.items):
            entry = self.queue.items[row].entry_uuid
            if self.current is None or self.current.entry_uuid != entry:
                self._show(self.review.item(entry))

    def _show(self, item: ItemView | None) -> None:
        self.current = item
        self.rejecting = False
        self.reason.clear()
        suggested = item.suggested if item else None
        self.selected = suggested.number if suggested else (1 if item and item.candidates else 0)
        self._redraw()

    def _redraw(self) -> None:
        item = self.current
        self.table.show_item(item, self.selected, self.lang)
        if item is None:
            self.heading.setText(self.tr("Nothing to review"))
            self.why.setText(self.tr("Every registration has a decision. Choose \"All decided\" to revisit one."))
            self.history.setText("")
        else:
            words = self._decision_words()
            name = item.registration["name"].text
            self.heading.setText(f"{name}  ·  {item.downtime_id or item.entry_uuid}")
            now = self.tr("Now: {decision}{uhid} (by {who})").format(
                decision=words.get(item.decision, item.decision), uhid=f" {item.uhid}" if item.uhid else "",
                who=self.tr("the matcher") if item.source == "matcher" else self.tr("a records officer"))
            said = self.tr("Matcher: {reason}").format(reason=item.matcher_reason) if item.matcher_decision \
                else self.tr("The matcher's candidates were not kept for this registration: run 'reconcile match' "
                             "again to see them.")
            self.why.setText(f"{now}. {said}")
            self.history.setText("\n".join(self._history_line(h) for h in item.history) or self.tr("none yet"))
        for button in (self.accept_button, self.link_button, self.reject_button):
            button.setEnabled(bool(item and item.candidates))
        self.new_button.setEnabled(item is not None)

    def _history_line(self, decided: OfficerDecision) -> str:
        what = {"accept": self.tr("accepted {uhid}"), "pick": self.tr("linked {uhid}"),
                "reject": self.tr("rejected {uhid}"), "new": self.tr("marked new")}[decided.action]
        line = f"{decided.decided_at[:16].replace('T', ' ')}  {decided.decided_by}  " + what.format(
            uhid=decided.candidate or "")
        return f"{line}: {decided.reason}" if decided.reason else line

    def _decision_words(self) -> dict[str, str]:
        return {"matched": self.tr("matched"), "new": self.tr("new"), "review": self.tr("to review")}

    # -- choosing a candidate -----------------------------------------------------------------------

    def select_candidate(self, number: int) -> None:
        if self.current is None or not 1 <= number <= len(self.current.candidates):
            return
        self.selected = number
        self.table.show_item(self.current, number, self.lang)

    # -- deciding -----------------------------------------------------------------------------------

    def accept(self) -> None:
        self._act(lambda item: self.review.accept(item.entry_uuid, self.reason.text()), advance=True)

    def link_selected(self) -> None:
        candidate = self._selected_uhid()
        if candidate is None:
            return
        suggested = self.current.suggested if self.current else None
        if suggested is not None and suggested.uhid == candidate:
            self.accept()
        else:
            self._act(lambda item: self.review.pick(item.entry_uuid, candidate, self.reason.text()), advance=True)

    def reject(self) -> None:
        candidate = self._selected_uhid()
        if candidate is None:
            return
        if not self.reason.text().strip():
            # Ask for the reason where it is typed; Enter there rejects, Esc goes back.
            self.rejecting = True
            self._say(self.tr("Write why {uhid} is not this patient, then press Enter (Esc: back).")
                      .format(uhid=candidate), error=False)
            self.reason.setFocus()
            return
        self._act(lambda item: self.review.reject(item.entry_uuid, candidate, self.reason.text()), advance=False)

    def mark_new(self) -> None:
        self._act(lambda item: self.review.mark_new(item.entry_uuid, self.reason.text()), advance=True)

    def enter(self) -> None:
        """Enter in the reason box after R rejects; anywhere else it links the selected candidate."""
        if self.reason.hasFocus() and self.rejecting:
            self.reject()
        elif not self.reason.hasFocus():
            self.link_selected()
        else:
            self.list.setFocus()

    def escape(self) -> None:
        self.rejecting = False
        self.message.hide()
        self.list.setFocus()

    def _selected_uhid(self) -> str | None:
        if self.current is None or not 1 <= self.selected <= len(self.current.candidates):
            return None
        return self.current.candidates[self.selected - 1].uhid

    def _act(self, action: Callable[[ItemView], OfficerDecision], *, advance: bool) -> None:
        item = self.current
        if item is None:
            return
        try:
            decided = action(item)
        except DowntimeError as exc:
            self._say(str(exc), error=True)
            return
        entry = item.entry_uuid
        self._refresh(entry)
        if advance:
            following = self.queue.next_left(entry)
            if following is not None:
                self.select_row([i.entry_uuid for i in self.queue.items].index(following.entry_uuid))
        self._say(self._done_text(decided, item), error=False)
        self.list.setFocus()

    def _done_text(self, decided: OfficerDecision, item: ItemView) -> str:
        who = item.downtime_id or item.entry_uuid
        if decided.decision == "matched":
            return self.tr("{who} linked to {uhid}. Saved with your staff ID.").format(who=who, uhid=decided.uhid)
        if decided.decision == "rejected":
            return self.tr("{uhid} rejected for {who}; it stays in review until you link or mark it new.").format(
                who=who, uhid=decided.candidate)
        return self.tr("{who} marked as a new patient. Saved with your staff ID.").format(who=who)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        set_tone(self.message, ERROR if error else NEUTRAL)
        self.message.show()

    def focus_start(self) -> None:
        self.list.setFocus()
