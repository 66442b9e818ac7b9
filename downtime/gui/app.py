"""Starting the ward app: the QApplication, its look, and the login → main window → login cycle."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from downtime.gui.login import LoginWindow
from downtime.gui.style import apply_look
from downtime.logs import log_internal_error, setup_logging
from downtime.session import Session

if TYPE_CHECKING:
    from downtime.gui.main_window import MainWindow


def make_application() -> QApplication:
    """The running QApplication (tests and scripts may have made one), with the app's look applied."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Downtime toolkit")
    apply_look(app)
    return app


class DowntimeApp(QObject):
    """Shows the login window, a main window per login, and the login window again after log out.

    ``maximized`` is for ward PCs; tests and screenshots use a fixed size instead.
    ``idle_timeout_ms`` overrides the site's ``idle_lock_minutes`` (tests use milliseconds).
    """

    def __init__(self, home: Path, *, maximized: bool = True, idle_timeout_ms: int | None = None):
        super().__init__()
        self.home = home
        self._maximized = maximized
        self._idle_timeout_ms = idle_timeout_ms
        self.login_window = LoginWindow(home)
        self.main_window: MainWindow | None = None
        self.login_window.logged_in.connect(self._open_main_window)

    def start(self) -> None:
        self._show(self.login_window)
        self._activate(self.login_window)

    def _open_main_window(self, session: Session) -> None:
        # Imported here: the login window shows first and fast; the ward screens load while the PIN is checked.
        from downtime.gui.main_window import MainWindow

        self.main_window = MainWindow(session, idle_timeout_ms=self._idle_timeout_ms)
        self.main_window.logged_out.connect(self._back_to_login)
        # Show the new window before hiding the old one, so Qt never sees zero windows and quits.
        self._show(self.main_window)
        self.login_window.hide()
        self._activate(self.main_window)

    def _back_to_login(self) -> None:
        self.login_window.reset()
        self._show(self.login_window)
        self._activate(self.login_window)
        if self.main_window is not None:
            self.main_window.deleteLater()
            self.main_window = None

    def _show(self, window: QWidget) -> None:
        if self._maximized:
            window.showMaximized()
        else:
            window.show()

    @staticmethod
    def _activate(window: QWidget) -> None:
        # Only after the other window is hidden: activating earlier can leave no active window,
        # and then the first keystrokes after login or logout go nowhere.
        window.raise_()
        window.activateWindow()


def run_gui(home: Path) -> int:
    """Run the ward app on the downtime folder ``home`` until its last window closes; the exit code."""
    app = make_application()
    setup_logging(home)
    _report_unexpected_errors(app, home)
    controller = DowntimeApp(home)
    controller.start()
    return app.exec()


def _report_unexpected_errors(app: QApplication, home: Path) -> None:
    """A bug in a slot must not kill the app mid-shift or print patient data to a console.

    The stack (without the exception's message, which may hold what a user typed) goes to the log,
    and the user is told their saved entries are safe, since each entry is written before it is shown.
    """

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not isinstance(exc, Exception):
            sys.__excepthook__(kind, exc, tb)
            return
        where = log_internal_error(exc.with_traceback(tb), home)
        message = QCoreApplication.translate(
            "App", "The toolkit hit an internal error ({name}). Entries already saved are safe. "
                   "Details for IT are in {where}.")
        QMessageBox.critical(app.activeWindow(), QCoreApplication.translate("App", "Something went wrong"),
                             message.format(name=kind.__name__, where=where))

    sys.excepthook = hook
