"""Offers for a text field: as the clerk types, the names that contain what was typed, and any text still goes.

A few letters of any word ("rao", "14") list the matching offers, case aside, with the first one
highlighted: Enter or Tab takes it (Tab then moves on, as it always does), ↑/↓ choose another, Esc keeps
exactly what was typed (a visiting consultant is on no list). ↓ in the field lists the offers at any
time, like a drop-down. Ctrl+Enter takes the highlighted offer and saves the form, as it does anywhere else
on a form. While the list is open, Esc, Enter, Tab and Ctrl+Enter are the list's: the form's shortcuts for
them wait until it is closed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QStringListModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit

MAX_ROWS = 8  # enough to choose from at a glance, without covering the form
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# Keys the open list answers itself. The form's shortcuts would otherwise see them first: Esc would cancel
# the whole form instead of closing the list, Ctrl+Enter would save the letters typed instead of the offer.
_LIST_KEYS = (*_ENTER, Qt.Key.Key_Escape, Qt.Key.Key_Tab)


class OfferCompleter(QCompleter):
    """Offers ``items`` on ``line``; ``on_submit`` is what Ctrl+Enter does once the offer is taken."""

    def __init__(self, line: QLineEdit, items: Sequence[str], *, on_submit: Callable[[], None] | None = None):
        super().__init__(line)
        self._items = QStringListModel(list(items), self)
        self.setModel(self._items)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)  # "rao" finds "Dr Anil Rao", "14" finds "M7-14"
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setMaxVisibleItems(MAX_ROWS)
        self._on_submit = on_submit
        line.setCompleter(self)
        # Each letter filters the list again, which drops the highlight: put it back on the first offer. The
        # list (and its own handlers of a new filter) must exist first, so that this runs after them.
        self.list_view.setObjectName("offers")  # the style sheet sizes its text like the field's
        self.completionModel().layoutChanged.connect(self._refiltered)
        self.completionModel().modelReset.connect(self._refiltered)

    @property
    def list_view(self) -> QAbstractItemView:
        """The list of offers (Qt's completer popup), made with the completer."""
        popup = self.popup()
        assert popup is not None
        return popup

    def items(self) -> list[str]:
        return self._items.stringList()

    def set_items(self, items: Sequence[str]) -> None:
        self._items.setStringList(list(items))

    def shown(self) -> list[str]:
        """The offers listed right now (none while the list is closed)."""
        if not self.list_view.isVisible():
            return []
        model = self.completionModel()
        return [model.index(row, 0).data() for row in range(model.rowCount())]

    def highlighted_text(self) -> str | None:
        index = self.list_view.currentIndex()
        return index.data() if self.list_view.isVisible() and index.isValid() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and watched in (self.widget(), self.list_view) and self.list_view.isVisible()
                and event.key() in _LIST_KEYS):
            event.accept()  # no shortcut: the key comes to the list as a key press
            return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.widget() and self._list_all(event):
                return True
            if watched is self.list_view:
                return self._popup_key(event)
        if watched is self.list_view and event.type() == QEvent.Type.Show:
            self._highlight_first()
        return super().eventFilter(watched, event)

    def _list_all(self, event: QKeyEvent) -> bool:
        """↓ in the field opens the list: what matches the text, or every offer if nothing does."""
        if event.key() != Qt.Key.Key_Down or event.modifiers() != Qt.KeyboardModifier.NoModifier or not self.items():
            return False
        line = self.widget()
        assert isinstance(line, QLineEdit)
        self.setCompletionPrefix(line.text())
        if self.completionModel().rowCount() == 0:
            self.setCompletionPrefix("")
        self.complete()
        return True

    def _popup_key(self, event: QKeyEvent) -> bool:
        key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if key in _ENTER and ctrl:
            self._take_highlighted()
            self.list_view.hide()
            if self._on_submit is not None:
                self._on_submit()
            return True
        if key == Qt.Key.Key_Tab and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._take_highlighted()  # then Qt moves the focus on and closes the list
        return super().eventFilter(self.list_view, event)

    def _refiltered(self) -> None:
        if self.list_view.isVisible():
            self._highlight_first()

    def _take_highlighted(self) -> None:
        text = self.highlighted_text()
        line = self.widget()
        if text is not None and isinstance(line, QLineEdit):
            line.setText(text)

    def _highlight_first(self) -> None:
        """Highlight the first offer without writing it into the field (a highlight from ↑/↓ does write it):
        what the clerk typed stays as typed until they take an offer."""
        popup = self.list_view
        first = self.completionModel().index(0, 0)
        if not first.isValid():
            return
        selection = popup.selectionModel()
        blocked = selection.blockSignals(True)
        selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        selection.blockSignals(blocked)
        popup.viewport().update()


def offer(line: QLineEdit, items: Sequence[str], *, on_submit: Callable[[], None] | None = None) -> OfferCompleter:
    """Offer ``items`` on ``line``, or replace the offers it already has."""
    current = line.completer()
    if isinstance(current, OfferCompleter):
        current.set_items(items)
        return current
    return OfferCompleter(line, items, on_submit=on_submit)
