"""The records-office passphrase, asked for after the staff login: it opens the office workspace.

The staff PIN says who decides (their ID goes on every decision); the passphrase opens the bundles of
every ward, so it is the office's, not a person's. When DOWNTIME_PASSPHRASE is set this window is skipped.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from downtime.errors import DowntimeError
from downtime.gui.card import centred_card
from downtime.gui.site_header import SiteHeader
from downtime.gui.style import ERROR, set_tone
from sync.workspace import Workspace


class PassphraseWindow(QWidget):
    """Emits ``opened(Workspace)`` once the passphrase opens the workspace, ``cancelled`` on Esc."""

    opened = Signal(object)
    cancelled = Signal()

    def __init__(self, home: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self._home = home
        self.setWindowTitle(self.tr("Match review — records-office passphrase"))
        self.header = SiteHeader()
        self.header.show_home(home)
        self.title = QLabel(self.tr("Type the records-office passphrase"))
        self.title.setObjectName("screenTitle")
        self.title.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData)
        self.submit_button = QPushButton(self.tr("Open the review (Enter)"))
        self.submit_button.setDefault(True)
        self.hint = QLabel(self.tr("Esc logs you out."))
        self.hint.setObjectName("muted")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        set_tone(self.error_label, ERROR)
        self.error_label.hide()
        card = centred_card(self)
        for widget in (self.header, self.title, self.passphrase, self.error_label, self.submit_button, self.hint):
            card.addWidget(widget)
        self.passphrase.returnPressed.connect(self.submit)
        self.submit_button.clicked.connect(self.submit)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancelled.emit)

    def reset(self) -> None:
        self.passphrase.clear()
        self.error_label.hide()
        self.passphrase.setFocus()

    def submit(self) -> None:
        if not self.passphrase.text():
            self._fail(self.tr("Type the passphrase first."))
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            ws = Workspace.open(self._home, self.passphrase.text())
        except DowntimeError as exc:
            self._fail(str(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.passphrase.clear()
        self.error_label.hide()
        self.opened.emit(ws)

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.passphrase.clear()
        self.passphrase.setFocus()
