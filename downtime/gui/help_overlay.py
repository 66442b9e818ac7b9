"""F1: every shortcut on one sheet laid over the work area, so nobody has to remember them.

It lists the workflows this staff role may use (from the registry, so a new workflow appears
here by itself) and the fixed shortcuts. F1 or Esc closes it; it takes no other keys.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from downtime.gui.workflows.registry import SHORTCUT_HELP, Workflow


class HelpOverlay(QFrame):
    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("helpOverlay")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.title = QLabel(self.tr("Keyboard shortcuts"))
        self.title.setObjectName("screenTitle")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(24)
        self.grid.setVerticalSpacing(6)
        self.footer = QLabel(self.tr("F1 or Esc closes this list."))
        self.footer.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(self.title)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        layout.addWidget(self.footer)
        # Local to the overlay: the app's style sheet (style.py) has no use for these two names.
        self.setStyleSheet("QFrame#helpOverlay { background: #fdfdfd; border: 2px solid #1d2327; }"
                           "QLabel#shortcutKey { font-weight: bold; font-family: monospace; }")
        parent.installEventFilter(self)  # follow the parent's size
        self.hide()

    def rows(self, workflows: list[Workflow], lang: str) -> list[tuple[str, str]]:
        listed = [(w.shortcut, w.label(lang)) for w in workflows]
        return listed + [(key, QCoreApplication.translate("Shortcuts", text)) for key, text in SHORTCUT_HELP]

    def show_for(self, workflows: list[Workflow], lang: str = "en") -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for row, (key, text) in enumerate(self.rows(workflows, lang)):
            key_label = QLabel(key)
            key_label.setObjectName("shortcutKey")
            self.grid.addWidget(key_label, row, 0)
            self.grid.addWidget(QLabel(text), row, 1)
        self.grid.setColumnStretch(1, 1)
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self.setFocus()

    def listed_keys(self) -> list[str]:
        return [self.grid.itemAtPosition(r, 0).widget().text() for r in range(self.grid.rowCount())
                if self.grid.itemAtPosition(r, 0) is not None]

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self.isVisible():
            # Claim every key: Esc must close this list, not the screen underneath it.
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F1):
            self.close_overlay()
            return
        event.accept()  # the work area below must not receive keys typed while the list covers it

    def close_overlay(self) -> None:
        self.hide()
        parent = self.parentWidget()
        if parent is not None:
            parent.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False
