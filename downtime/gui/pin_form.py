"""Staff ID + PIN, shared by the login window and the idle lock screen.

Both screens do exactly one thing, ``downtime.session.login``, so failed PINs
count towards the same lockout and every unlock is journaled the same way.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QGuiApplication, QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from downtime.auth import PIN_MAX, UnknownStaffError
from downtime.errors import DowntimeError
from downtime.gui.style import ERROR, set_tone
from downtime.session import login


class PinForm(QWidget):
    """Emits ``logged_in(Session)``; on failure shows the core's message inline and clears the PIN."""

    logged_in = Signal(object)

    def __init__(self, home: Path, *, via: str, button_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._home = home
        self._via = via
        self.staff_id = QLineEdit()
        self.staff_id.setMaxLength(32)
        self.staff_id.setValidator(QRegularExpressionValidator(QRegularExpression(r"[A-Za-z0-9._\-]*"), self))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_MAX)
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(rf"\d{{0,{PIN_MAX}}}"), self))
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
        self.submit_button = QPushButton(button_text)
        self.submit_button.setDefault(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        set_tone(self.error_label, ERROR)
        self.error_label.hide()

        fields = QFormLayout()
        fields.addRow(self.tr("Staff ID"), self.staff_id)
        fields.addRow(self.tr("PIN"), self.pin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(fields)
        layout.addWidget(self.error_label)
        layout.addWidget(self.submit_button)

        # Enter in the staff ID moves on to the PIN rather than failing on an empty PIN.
        self.staff_id.returnPressed.connect(self._staff_id_entered)
        self.pin.returnPressed.connect(self.submit)
        self.submit_button.clicked.connect(self.submit)

    def reset(self, staff_id: str = "") -> None:
        """Clear everything; put the cursor where the next keystroke belongs."""
        self.staff_id.setText(staff_id)
        self.pin.clear()
        self.error_label.hide()
        (self.pin if staff_id else self.staff_id).setFocus()

    def submit(self) -> None:
        staff_id, pin = self.staff_id.text().strip(), self.pin.text()
        if not staff_id:
            self._fail(self.tr("Type your staff ID."), self.staff_id)
            return
        if not pin:
            self._fail(self.tr("Type your PIN."), self.pin)
            return
        self.submit_button.setEnabled(False)  # a second Enter during the PIN check must not count as a retry
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            session = login(self._home, staff_id, pin, via=self._via)
        except UnknownStaffError as exc:
            self._fail(str(exc), self.staff_id)
            return
        except DowntimeError as exc:
            self._fail(str(exc), self.pin)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
            self.submit_button.setEnabled(True)
        self.pin.clear()
        self.error_label.hide()
        self.logged_in.emit(session)

    def _staff_id_entered(self) -> None:
        if self.pin.text():
            self.submit()
        else:
            self.pin.setFocus()

    def _fail(self, message: str, focus: QLineEdit) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.pin.clear()
        focus.setFocus()
        focus.selectAll()
