"""The review window: the progress line, then two tabs, the match queue (Alt+1) and the import conflicts (Alt+2).

Ctrl+Shift+L switches English/Hindi as in the ward app; Ctrl+L logs out. Closing the window logs out too.

Like the ward app, the window locks after the site's idle time (``idle_lock_minutes``, ``idle_lock.py``):
the officer's session is logged out and closed, the registrations are covered, and only a fresh login by
a records officer or an admin uncovers them. The office workspace stays open behind the lock, so the
officer does not type the office passphrase again; another officer who unlocks takes over the queue,
their decisions under their own staff ID, without the first one's half-typed reason.
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
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from downtime.errors import PermissionDeniedError
from downtime.gui import language
from downtime.gui.idle_lock import IdleWatcher, LockScreen
from downtime.gui.review.conflicts_panel import ConflictPanel
from downtime.gui.review.match_panel import MatchPanel
from downtime.session import Session, StaffMember
from sync.review import Review, require_reviewer

TAB_MATCHES, TAB_CONFLICTS = 0, 1


class ReviewWindow(QMainWindow):
    """Emits ``logged_out`` when the officer logs out or closes the window, and ``session_changed`` with the
    session that unlocked it (None while it is locked, its session logged out)."""

    logged_out = Signal()
    session_changed = Signal(object)

    def __init__(self, review: Review, *, idle_timeout_ms: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.review = review
        self._locked_staff: StaffMember | None = None
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
        self.work = QWidget()
        layout = QVBoxLayout(self.work)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.lock_screen = LockScreen(review.session.home.path)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.work)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)
        minutes = float(review.session.config.setting("idle_lock_minutes"))
        self.idle_watcher = IdleWatcher(idle_timeout_ms or int(minutes * 60_000), self)
        self.idle_watcher.idle.connect(self.lock)
        self.lock_screen.unlocked.connect(self.unlock)

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
        self.idle_watcher.start()

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

    # -- idle lock ---------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.pages.currentWidget() is self.lock_screen

    def lock(self) -> None:
        if self.locked or self._logged_out:
            return
        session = self.review.session
        self._locked_staff = session.staff
        self.idle_watcher.stop()
        session.logout(via="idle_lock")
        self.session_changed.emit(None)
        self.lock_screen.prepare(session.config.site["name"], session.config.device, session.staff.staff_id,
                                 session.staff.name, self.idle_watcher.timeout_ms / 60_000)
        self.pages.setCurrentWidget(self.lock_screen)

    def unlock(self, session: Session) -> None:
        try:
            require_reviewer(session)
        except PermissionDeniedError as exc:  # a ward login may open the PC, never the decisions
            session.logout(via="unlock")
            self.lock_screen.form.reset(self._locked_staff.staff_id if self._locked_staff else "")
            self.lock_screen.form.error_label.setText(str(exc))
            self.lock_screen.form.error_label.show()
            return
        if self._locked_staff is None or session.staff.staff_id != self._locked_staff.staff_id:
            for panel in (self.matches, self.conflicts):
                panel.reason.clear()
        self.review.session = session
        self.session_changed.emit(session)
        self.retranslate()  # the name at the top
        self.pages.setCurrentWidget(self.work)
        self.idle_watcher.start()
        (self.matches if self.tabs.currentIndex() == TAB_MATCHES else self.conflicts).focus_start()

    def log_out(self) -> None:
        if self._logged_out:
            return
        self._logged_out = True
        self.idle_watcher.stop()
        language.language_changed().disconnect(self.set_language)
        self.logged_out.emit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.log_out()
        super().closeEvent(event)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.matches.focus_start()
