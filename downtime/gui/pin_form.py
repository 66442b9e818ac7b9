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
from downtime.session import PinChangeRequiredError, login


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
        self.pin = self._pin_field()
        self.pin.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
        # Shown only after a one-time setup code: the staff member chooses their own PIN here.
        self.new_pin = self._pin_field()
        self.new_pin_again = self._pin_field()
        self.submit_button = QPushButton(button_text)
        self.submit_button.setDefault(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        set_tone(self.error_label, ERROR)
        self.error_label.hide()

        fields = QFormLayout()
        fields.addRow(self.tr("Staff ID"), self.staff_id)
        fields.addRow(self.tr("PIN"), self.pin)
        fields.addRow(self.tr("New PIN"), self.new_pin)
        fields.addRow(self.tr("New PIN again"), self.new_pin_again)
        self._fields = fields
        self._show_new_pin(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(fields)
        layout.addWidget(self.error_label)
        layout.addWidget(self.submit_button)

        # Enter in the staff ID moves on to the PIN rather than failing on an empty PIN.
        self.staff_id.returnPressed.connect(self._staff_id_entered)
        self.pin.returnPressed.connect(self.submit)
        self.new_pin.returnPressed.connect(self.new_pin_again.setFocus)
        self.new_pin_again.returnPressed.connect(self.submit)
        self.submit_button.clicked.connect(self.submit)

    def _pin_field(self) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(PIN_MAX)
        field.setValidator(QRegularExpressionValidator(QRegularExpression(rf"\d{{0,{PIN_MAX}}}"), self))
        return field

    @property
    def choosing_pin(self) -> bool:
        return self._fields.isRowVisible(self.new_pin)

    def _show_new_pin(self, visible: bool) -> None:
        for field in (self.new_pin, self.new_pin_again):
            self._fields.setRowVisible(field, visible)
            field.clear()

    def _new_pin(self) -> str | None:
        """The chosen PIN, or None after showing what is wrong with it."""
        new, again = self.new_pin.text(), self.new_pin_again.text()
        if not new:
            self._fail(self.tr("Choose a new PIN of 6 to 12 digits."), self.new_pin, keep_pin=True)
            return None
        if new != again:
            self.new_pin_again.clear()
            self._fail(self.tr("The two new PINs differ; type the new PIN again."), self.new_pin_again,
                       keep_pin=True)
            return None
        return new

    def reset(self, staff_id: str = "") -> None:
        """Clear everything; put the cursor where the next keystroke belongs."""
        self._show_new_pin(False)
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
        new_pin = self._new_pin() if self.choosing_pin else None
        if self.choosing_pin and new_pin is None:
            return
        self.submit_button.setEnabled(False)  # a second Enter during the PIN check must not count as a retry
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            session = login(self._home, staff_id, pin, via=self._via, new_pin=new_pin)
        except PinChangeRequiredError as exc:
            self._show_new_pin(True)
            self._fail(str(exc), self.new_pin, keep_pin=True)
            return
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
        self._show_new_pin(False)
        self.error_label.hide()
        self.logged_in.emit(session)

    def _staff_id_entered(self) -> None:
        if self.pin.text():
            self.submit()
        else:
            self.pin.setFocus()

    def _fail(self, message: str, focus: QLineEdit, *, keep_pin: bool = False) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        if not keep_pin:
            self.pin.clear()
        focus.setFocus()
        focus.selectAll()
