"""A row of action buttons, each naming its shortcut, for the workflows a staff role may use.

Buttons never take the keyboard focus: the shortcut on the label is how keyboard users start an
action, and Tab stays within the screen's content. Actions a role may not use are left out, not
greyed, so a tired clerk is never offered something that will only be refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QPushButton, QWidget

SPACING = 6


def action_button(text: str, shortcut: str, on_click: Callable[[], None]) -> QPushButton:
    button = QPushButton(f"{text} ({shortcut})" if shortcut else text)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.clicked.connect(on_click)
    return button


class FlowLayout(QLayout):
    """Left to right, wrapping onto the next line: a doctor's dozen actions must fit a 1366 px screen,
    in large-font mode too, without widening the window."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line:
                x, y, line = rect.x(), y + line + SPACING, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + SPACING
            line = max(line, hint.height())
        return y + line - rect.y()


class ActionBar(QWidget):
    """Buttons in reading order, wrapping as needed; ``set_actions`` replaces them (after a login as another role)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = FlowLayout(self)
        self.buttons: dict[str, QPushButton] = {}

    def set_actions(self, actions: Iterable[tuple[str, str, str, Callable[[], None]]]) -> None:
        """``actions``: (key, text, shortcut, callback) in display order."""
        for button in self.buttons.values():
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for key, text, shortcut, callback in actions:
            self.buttons[key] = action_button(text, shortcut, callback)
            self._layout.addWidget(self.buttons[key])
