"""Locking the window when nobody has touched the PC for a while.

Ward PCs are shared and stand in corridors, so an unattended screen must not
keep showing patient data. The lock is a logout (the journal records it and the
encrypted database is closed); unlocking is a fresh login, with the same PIN
lockout rules. The staff member who was idle is offered first; anyone else may
log in instead, and then the first person's unsaved work is discarded.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from downtime.gui.card import centred_card
from downtime.gui.pin_form import PinForm
from downtime.gui.site_header import SiteHeader

# Only what a person does counts as activity; timers, repaints and focus changes do not.
INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    """Emits ``idle`` once no keyboard, mouse or touch input has reached the app for ``timeout_ms``.

    Input only restarts a cheap elapsed-time counter; the timer checks it when it fires, so mouse moves
    do not each reschedule a timer.
    """

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self._since_input = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        app = QApplication.instance()
        assert app is not None, "create the QApplication before the idle watcher"
        app.installEventFilter(self)

    def start(self) -> None:
        self._since_input.start()
        self._timer.start(self.timeout_ms)

    def stop(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._since_input.restart()
        return False

    def _check(self) -> None:
        remaining = self.timeout_ms - self._since_input.elapsed()
        if remaining > 0:
            self._timer.start(remaining)
        else:
            self.idle.emit()


class LockScreen(QWidget):
    """Covers the work area; emits ``unlocked(Session)`` for whoever logs in."""

    unlocked = Signal(object)

    def __init__(self, home: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.header = SiteHeader()
        self.title = QLabel(self.tr("Screen locked"))
        self.title.setObjectName("screenTitle")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.form = PinForm(home, via="unlock", button_text=self.tr("Unlock"))
        card = centred_card(self)
        card.addWidget(self.header)
        card.addSpacing(8)
        card.addWidget(self.title)
        card.addWidget(self.message)
        card.addWidget(self.form)
        self.form.logged_in.connect(self.unlocked)

    def prepare(self, site_name: str, device: str, staff_id: str, staff_name: str, idle_minutes: float) -> None:
        self.header.show_site(site_name, device)
        self.message.setText(self.tr(
            "{name} was logged out after {minutes} min without use. Type your PIN to carry on, "
            "or another staff ID to log in instead.").format(name=staff_name, minutes=_minutes(idle_minutes)))
        self.form.reset(staff_id)


def _minutes(value: float) -> str:
    return f"{value:g}" if value >= 1 else "<1"
