"""The main window: the permanent banner above the work area, the idle lock, and log out.

The window holds at most one open ``Session``. Locking logs it out and closes
it, so a PC left alone keeps neither patient data on screen nor an open
database; unlocking puts in the new session that the lock screen's login returns.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from downtime.gui.banner import BannerWidget
from downtime.gui.home_screen import HomeScreen
from downtime.gui.idle_lock import IdleWatcher, LockScreen
from downtime.session import Session, StaffMember

BANNER_REFRESH_MS = 30_000


class MainWindow(QMainWindow):
    """Emits ``logged_out`` when the staff member logs out (not when the window is simply closed)."""

    logged_out = Signal()

    def __init__(self, session: Session, *, idle_timeout_ms: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: Session | None = None
        self._locked_staff: StaffMember | None = None
        self._site = (session.config.site["name"], session.config.device)
        self.setWindowTitle(self.tr("Downtime toolkit — {site}").format(site=self._site[0]))

        self.banner = BannerWidget()
        self.home_screen = HomeScreen()
        self.lock_screen = LockScreen(session.home.path)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.home_screen)
        self.pages.addWidget(self.lock_screen)
        self._page_before_lock: QWidget = self.home_screen
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.logout_action = QAction(self.tr("Log out"), self)
        self.logout_action.setShortcut(QKeySequence("Ctrl+L"))
        self.logout_action.triggered.connect(self.log_out)
        self.addAction(self.logout_action)
        self.banner.logout_button.clicked.connect(self.logout_action.trigger)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(BANNER_REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        minutes = float(session.config.setting("idle_lock_minutes"))
        self.idle_watcher = IdleWatcher(idle_timeout_ms or int(minutes * 60_000), self)
        self.idle_watcher.idle.connect(self.lock)
        self.lock_screen.unlocked.connect(self.unlock)
        self._start(session)

    # -- session lifecycle ---------------------------------------------------------------------

    def _start(self, session: Session) -> None:
        self.session = session
        self.home_screen.load(session)
        self.refresh()
        self.banner.show()
        self.logout_action.setEnabled(True)
        self._refresh_timer.start()
        self.idle_watcher.start()

    def _stop(self, via: str = "gui") -> None:
        """Log the session out and forget what it showed."""
        self._refresh_timer.stop()
        self.idle_watcher.stop()
        if self.session is not None:
            self.session.logout(via=via)
            self.session = None
        self.home_screen.clear()

    def refresh(self) -> None:
        if self.session is None:
            return
        self.banner.show_banner(self.session.banner(),
                                snapshot_warn_hours=float(self.session.config.setting("snapshot_warn_hours")))
        self.home_screen.refresh(self.session)

    @property
    def locked(self) -> bool:
        return self.pages.currentWidget() is self.lock_screen

    def lock(self) -> None:
        if self.session is None or self.locked:
            return
        self._locked_staff = self.session.staff
        self._page_before_lock = self.pages.currentWidget() or self.home_screen
        self._stop(via="idle_lock")
        self.banner.hide()  # it names the staff member, who is no longer logged in
        self.logout_action.setEnabled(False)
        self.lock_screen.prepare(*self._site, self._locked_staff.staff_id, self._locked_staff.name,
                                 self.idle_watcher.timeout_ms / 60_000)
        self.pages.setCurrentWidget(self.lock_screen)

    def unlock(self, session: Session) -> None:
        same_person = self._locked_staff is not None and session.staff.staff_id == self._locked_staff.staff_id
        # The same person returns to where they were; someone else must not inherit their half-done screen.
        self.pages.setCurrentWidget(self._page_before_lock if same_person else self.home_screen)
        self._start(session)

    def log_out(self) -> None:
        self._stop()
        self.logged_out.emit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop(via="window_closed")  # closing the window is a log-out too: the journal must say who stopped when
        super().closeEvent(event)
