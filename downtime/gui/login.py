"""The login window: which PC this is, then staff ID and PIN. Keyboard-first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from downtime.gui.card import centred_card
from downtime.gui.pin_form import PinForm
from downtime.gui.site_header import SiteHeader


class LoginWindow(QWidget):
    """Emits ``logged_in(Session)`` once the core accepts a staff ID and PIN."""

    logged_in = Signal(object)

    def __init__(self, home: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Downtime toolkit — log in"))
        self._home = home
        self.header = SiteHeader()
        self.title = QLabel(self.tr("Log in with your staff ID and PIN"))
        self.title.setObjectName("screenTitle")
        self.form = PinForm(home, via="gui", button_text=self.tr("Log in"))
        card = centred_card(self)
        card.addWidget(self.header)
        card.addSpacing(8)
        card.addWidget(self.title)
        card.addWidget(self.form)
        self.form.logged_in.connect(self.logged_in)
        self.reset()

    def reset(self) -> None:
        """Ready for the next staff member: re-read the site (IT may have re-staged the PC), empty fields."""
        self.header.show_home(self._home)
        self.form.reset()
