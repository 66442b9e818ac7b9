"""Which hospital and which PC this is: the first thing shown on the login and lock screens.

Staff move between wards; the site and device name tell them which PC's journal
they are about to write into, and IT asks for the device code on the phone.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from downtime.errors import DowntimeError
from downtime.gui.style import ERROR, set_tone
from downtime.home import Home


class SiteHeader(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.site_label = QLabel()
        self.site_label.setObjectName("siteName")
        self.device_label = QLabel()
        self.device_label.setObjectName("muted")
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        set_tone(self.problem_label, ERROR)
        self.problem_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for label in (self.site_label, self.device_label, self.problem_label):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            layout.addWidget(label)

    def show_site(self, site_name: str, device: str) -> None:
        self.site_label.setText(site_name)
        self.device_label.setText(self.tr("Device {device}").format(device=device))
        self.problem_label.hide()

    def show_home(self, home: Path) -> None:
        """Read the site from the (unencrypted) device.json, so it can be shown before anyone logs in."""
        try:
            config = Home(home).load_config()
        except DowntimeError as exc:
            self.site_label.setText(self.tr("This PC is not set up"))
            self.device_label.setText(str(home))
            self.problem_label.setText(str(exc))
            self.problem_label.show()
            return
        self.show_site(config.site["name"], config.device)
