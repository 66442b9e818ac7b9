"""The home screen: one search box, and below it what this PC recorded today.

The cursor starts in the search box, so a clerk can type a name or scan a wristband
straight after logging in. While results are shown they take the space of today's list;
clearing the box (Esc) brings the list back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from downtime.gui import language
from downtime.gui.actions import ActionBar
from downtime.gui.search_box import SearchBox
from downtime.gui.style import ERROR, set_tone
from downtime.gui.today_entries import RecordRow, RecordsTable, TodayEntriesModel
from downtime.session import Session


class HomeScreen(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = SearchBox()
        self.not_found_label = QLabel()
        set_tone(self.not_found_label, ERROR)
        self.not_found_label.setWordWrap(True)
        self.not_found_label.hide()
        self.actions = ActionBar()
        self.model = TodayEntriesModel(self)
        self.title = QLabel()
        self.title.setObjectName("screenTitle")
        self.empty_label = QLabel()
        self.empty_label.setObjectName("muted")
        self.table = RecordsTable(self.model)
        self.today = QWidget()
        today_layout = QVBoxLayout(self.today)
        today_layout.setContentsMargins(0, 8, 0, 0)
        today_layout.addWidget(self.title)
        today_layout.addWidget(self.empty_label)
        today_layout.addWidget(self.table, 1)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(16, 12, 16, 12)
        self._layout.addWidget(self.actions)
        self._layout.addWidget(self.search)
        self._layout.addWidget(self.not_found_label)
        self._layout.addWidget(self.today, 1)
        self.search.query_changed.connect(self._query_changed)
        self.search.not_found.connect(self._not_found)
        # Esc clears the search; on an empty box it is harmless.
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.clear_search)
        for signal in (self.model.modelReset, self.model.rowsInserted):
            signal.connect(self._update_title)
        self.set_language(language.current())

    def set_language(self, lang: str) -> None:
        """Redraw the words (the translator for ``lang`` is already installed); the list names entries in ``lang``."""
        self.empty_label.setText(self.tr("Nothing has been recorded on this PC today yet."))
        self.search.retranslate()
        self.model.retranslate(lang)
        self._update_title()

    def load(self, session: Session) -> None:
        self.search.set_session(session)
        self.model.load(session)
        self.focus_start()

    def refresh(self, session: Session) -> None:
        self.model.refresh(session)

    def clear(self) -> None:
        self.search.set_session(None)
        self.model.clear()

    def selected_record(self) -> RecordRow | None:
        """The record F12 corrects."""
        return self.table.current_record()

    def focus_start(self) -> None:
        self.search.edit.setFocus()
        self.search.edit.selectAll()  # a new scan or name replaces the last one

    def clear_search(self) -> None:
        self.search.clear()
        self.focus_start()

    def _query_changed(self, text: str) -> None:
        self.not_found_label.hide()
        showing = bool(self.search.model.hits)
        self.today.setVisible(not showing)
        self._layout.setStretchFactor(self.search, 1 if showing else 0)  # results take the list's place

    def _not_found(self, text: str) -> None:
        self.not_found_label.setText(self.tr("Nothing found for “{text}”. Check the spelling or the number, "
                                             "or register a new patient (F2).").format(text=text))
        self.not_found_label.show()

    def _update_title(self) -> None:
        count = self.model.rowCount()
        self.title.setText(self.tr("Entries on this PC today: %n", "", count))
        self.empty_label.setVisible(count == 0)
        self.table.setVisible(count > 0)
