"""The review window: the progress line, then two tabs, the match queue (Alt+1) and the import conflicts (Alt+2).

Ctrl+Shift+L switches English/Hindi as in the ward app; Ctrl+L logs out. Closing the window logs out too.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from downtime.gui import language
from downtime.gui.review.conflicts_panel import ConflictPanel
from downtime.gui.review.match_panel import MatchPanel
from sync.review import Review

TAB_MATCHES, TAB_CONFLICTS = 0, 1


class ReviewWindow(QMainWindow):
    """Emits ``logged_out`` when the officer logs out or closes the window."""

    logged_out = Signal()

    def __init__(self, review: Review, parent: QWidget | None = None):
        super().__init__(parent)
        self.review = review
        self.lang = language.current()
        self._left, self._total, self._conflicts = 0, 0, 0
        self.title = QLabel()
        self.title.setObjectName("screenTitle")
        self.progress = QLabel()
        self.progress.setObjectName("progress")
        self.who = QLabel()
        self.who.setObjectName("muted")
        self.logout_button = QPushButton()
        self.matches = MatchPanel(review)
        self.conflicts = ConflictPanel(review)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.matches, "")
        self.tabs.addTab(self.conflicts, "")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(16)
        top.addWidget(self.progress)
        top.addStretch(1)
        top.addWidget(self.who)
        top.addWidget(self.logout_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.matches.progress_changed.connect(self._show_progress)
        self.conflicts.count_changed.connect(self._show_conflicts)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.logout_button.clicked.connect(self.log_out)
        QShortcut(QKeySequence("Ctrl+L"), self, self.log_out)
        QShortcut(QKeySequence("Ctrl+Shift+L"), self, self.switch_language)
        language.language_changed().connect(self.set_language)
        self._logged_out = False
        self.retranslate()
        self.matches.set_language(self.lang)
        self.conflicts.set_language(self.lang)

    def retranslate(self) -> None:
        site = self.review.session.config.site["name"]
        self.setWindowTitle(self.tr("Match review — {site}").format(site=site))
        self.title.setText(self.tr("Match review"))
        staff = self.review.session.staff
        self.who.setText(self.tr("{name} ({staff})").format(name=staff.name, staff=staff.staff_id))
        self.logout_button.setText(self.tr("Log out (Ctrl+L)"))
        self._show_progress(self._left, self._total)
        self._show_conflicts(self._conflicts)

    def _show_progress(self, left: int, total: int) -> None:
        self._left, self._total = left, total
        self.progress.setText(self.tr("{left} of {total} left").format(left=f"{left:,}", total=f"{total:,}"))
        self.tabs.setTabText(TAB_MATCHES, self.tr("&1  Matches ({left} left)").format(left=f"{left:,}"))

    def _show_conflicts(self, count: int) -> None:
        self._conflicts = count
        self.tabs.setTabText(TAB_CONFLICTS, self.tr("&2  Import conflicts ({count} open)").format(count=count))

    def _tab_changed(self, index: int) -> None:
        panel = self.matches if index == TAB_MATCHES else self.conflicts
        panel.focus_start()

    def switch_language(self) -> None:
        language.set_language(QApplication.instance(), language.other(language.current()))  # type: ignore[arg-type]

    def set_language(self, lang: str) -> None:
        self.lang = lang
        self.retranslate()
        self.matches.set_language(lang)
        self.conflicts.set_language(lang)

    def log_out(self) -> None:
        if self._logged_out:
            return
        self._logged_out = True
        language.language_changed().disconnect(self.set_language)
        self.logged_out.emit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.log_out()
        super().closeEvent(event)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.matches.focus_start()
