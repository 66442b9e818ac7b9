"""Starting the review: the staff login window, the office passphrase, then the review window.

Only a records officer or an admin gets past the login (``sync.review.require_reviewer``): the decisions
are journaled under their staff ID. Logging out closes the workspace and shows the login window again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from downtime.errors import DowntimeError, PermissionDeniedError
from downtime.gui.app import make_application
from downtime.gui.login import LoginWindow
from downtime.gui.review.passphrase import PassphraseWindow
from downtime.gui.review.window import ReviewWindow
from downtime.logs import setup_logging
from downtime.session import Session
from sync.review import Review, require_reviewer
from sync.workspace import Workspace


class ReviewApp(QObject):
    """``passphrase`` (from DOWNTIME_PASSPHRASE) skips the passphrase window; ``maximized`` is for the office PC;
    ``idle_timeout_ms`` overrides the site's idle lock time (tests)."""

    def __init__(self, home: Path, *, passphrase: str | None = None, maximized: bool = True,
                 idle_timeout_ms: int | None = None):
        super().__init__()
        self.home = home
        self._passphrase = passphrase
        self._maximized = maximized
        self._idle_timeout_ms = idle_timeout_ms
        self.session: Session | None = None
        self.login_window = LoginWindow(home)
        self.login_window.setWindowTitle(self.tr("Match review — log in"))
        self.passphrase_window = PassphraseWindow(home)
        self.window: ReviewWindow | None = None
        self.login_window.logged_in.connect(self._logged_in)
        self.passphrase_window.opened.connect(self._open)
        self.passphrase_window.cancelled.connect(self._back_to_login)

    def start(self) -> None:
        self._switch_to(self.login_window)

    def _logged_in(self, session: Session) -> None:
        try:
            require_reviewer(session)
        except PermissionDeniedError as exc:
            session.logout()
            self.login_window.reset()
            self.login_window.form.error_label.setText(str(exc))
            self.login_window.form.error_label.show()
            return
        self.session = session
        if self._passphrase:
            try:
                self._open(Workspace.open(self.home, self._passphrase))
                return
            except DowntimeError as exc:  # a wrong DOWNTIME_PASSPHRASE: ask instead
                self.passphrase_window.error_label.setText(str(exc))
                self.passphrase_window.error_label.show()
        self._switch_to(self.passphrase_window)
        self.passphrase_window.passphrase.setFocus()

    def _open(self, ws: Workspace) -> None:
        assert self.session is not None
        self.window = ReviewWindow(Review(ws, self.session), idle_timeout_ms=self._idle_timeout_ms)
        self.window.logged_out.connect(self._back_to_login)
        self.window.session_changed.connect(self._session_changed)
        self._switch_to(self.window)

    def _session_changed(self, session: Session | None) -> None:
        self.session = session  # the idle lock logged the last one out; an unlock brings the next

    def _back_to_login(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            window.review.ws.close()
            window.deleteLater()
        if self.session is not None:
            self.session.logout()
            self.session = None
        self.passphrase_window.reset()
        self.login_window.reset()
        self._switch_to(self.login_window)

    def _switch_to(self, shown: QWidget) -> None:
        # Show the new window before hiding the others, so Qt never sees zero windows and quits.
        if self._maximized:
            shown.showMaximized()
        else:
            shown.show()
        for other in (self.login_window, self.passphrase_window, self.window):
            if other is not None and other is not shown and other.isVisible():
                other.hide()
        shown.raise_()
        shown.activateWindow()


def run_review(home: Path, passphrase: str | None = None) -> int:
    """Run the review on the records-office folder ``home`` until its last window closes; the exit code."""
    app = make_application()
    setup_logging(home)
    controller = ReviewApp(home, passphrase=passphrase)
    controller.start()
    return app.exec()
