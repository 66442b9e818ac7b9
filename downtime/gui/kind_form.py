"""An entry screen built from an entry kind's schema: labels, widgets and order come from the kind.

The form only collects what was typed. Checking and normalising it is the
core's job (``downtime.kinds.validate``); the form shows the core's messages
next to the fields they name, so the screen, the CLI and the paper forms all
agree on what a field means and what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from downtime.gui.style import ERROR, set_tone
from downtime.kinds.schema import Field, Kind
from downtime.kinds.validate import ValidationError

# Loose input masks: they stop impossible keystrokes, the core says what is wrong with the rest.
_MASKS = {
    "int": r"\d{0,3}",
    "number": r"\d{0,4}([.]\d{0,3})?",
    "phone": r"[+\d\s\-]{0,16}",
    "pincode": r"\d{0,6}",
    "abha": r"[\d\s\-]{0,17}",
    "aadhaar": r"[\d\s]{0,14}",
    "date": r"[\d\-]{0,10}",
    "datetime": r"[\d\-\s:T]{0,16}",
    "time": r"[\d:]{0,5}",
}
_PLACEHOLDERS = {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:MM", "time": "HH:MM",
                 "phone": "9876543210", "abha": "NN-NNNN-NNNN-NNNN", "list": "CBC, LFT, ..."}


def _label(field: Field, lang: str) -> str:
    text = field.label(lang)
    return f"{text} *" if field.required else text


class FieldRow:
    """One field's widget, its label and the place for its error message."""

    def __init__(self, field: Field, lang: str):
        self.field = field
        self.label = QLabel(_label(field, lang))
        self.widget = _widget_for(field, lang)
        self.error = QLabel()
        self.error.setWordWrap(True)
        set_tone(self.error, ERROR)
        self.error.hide()

    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked() if w.property("touched") else None
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText().strip() or None
        assert isinstance(w, QLineEdit)
        return w.text().strip() or None

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
            w.setProperty("touched", True)
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(max(w.findData(value), 0))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText("" if value is None else str(value))
        else:
            assert isinstance(w, QLineEdit)
            w.setText(_display(value))

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def relabel(self, lang: str) -> None:
        self.label.setText(_label(self.field, lang))
        if isinstance(self.widget, QComboBox):
            for i, choice in enumerate(self.field.choices, start=1):
                self.widget.setItemText(i, choice.label_hi if lang == "hi" else choice.label_en)
        elif isinstance(self.widget, QCheckBox):
            self.widget.setText(self.field.label(lang))


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value).replace("T", " ", 1) if isinstance(value, str) and len(value) == 16 else str(value)


def _widget_for(field: Field, lang: str) -> QWidget:
    if field.type == "bool":
        box = QCheckBox(field.label(lang))
        # An untouched box means "not answered", which is not the same as "no" on a legal form.
        box.toggled.connect(lambda _=False, b=box: b.setProperty("touched", True))
        return box
    if field.type == "choice":
        combo = QComboBox()
        combo.addItem("", None)
        for choice in field.choices:
            combo.addItem(choice.label_hi if lang == "hi" else choice.label_en, choice.value)
        return combo
    if field.type == "textarea":
        area = QPlainTextEdit()
        area.setTabChangesFocus(True)  # keyboard users Tab out of a text box, they do not type a tab
        area.setFixedHeight(70)
        return area
    line = QLineEdit()
    if field.max_length:
        line.setMaxLength(field.max_length)
    if field.type in _MASKS:
        line.setValidator(QRegularExpressionValidator(QRegularExpression(_MASKS[field.type]), line))
    line.setPlaceholderText(_PLACEHOLDERS.get(field.type, ""))
    return line


def show_errors(rows: dict[str, FieldRow], error: ValidationError) -> bool:
    """Each of the core's messages beside its field, the first such field focused; False if none is here."""
    for row in rows.values():
        row.show_error(None)
    first: FieldRow | None = None
    for problem in error.errors:
        row = rows.get(problem.field)
        if row is not None:
            row.show_error(problem.message)
            first = first or row
    if first is not None:
        first.widget.setFocus()
    return first is not None


class KindForm(QWidget):
    """The fields of one kind (or a chosen subset, in a chosen order) as a keyboard-first form."""

    def __init__(self, kind: Kind, *, lang: str = "en", fields: Iterable[str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        names = list(fields) if fields is not None else kind.field_names()
        self.rows = {name: FieldRow(kind.field(name), lang) for name in names}
        layout = QFormLayout()
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for row in self.rows.values():
            holder = QWidget()
            inner = QVBoxLayout(holder)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.addWidget(row.widget)
            inner.addWidget(row.error)
            layout.addRow(row.label, holder)
            row.label.setBuddy(row.widget)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)

    def values(self) -> dict[str, Any]:
        """What was typed, blanks left out; the core validates and normalises it."""
        out = {}
        for name, row in self.rows.items():
            value = row.value()
            if value is not None:
                out[name] = value
        return out

    def fill(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self.rows:
                self.rows[name].set_value(value)

    def fill_now(self, *names: str) -> None:
        """Prefill clinical times with now: most entries are made as things happen."""
        now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        for name in names:
            if name in self.rows and not self.rows[name].value():
                self.rows[name].set_value(now)

    def show_errors(self, error: ValidationError) -> bool:
        """Put each message beside its field and focus the first; False if none belongs to a field here."""
        return show_errors(self.rows, error)

    def clear_errors(self) -> None:
        for row in self.rows.values():
            row.show_error(None)

    def set_language(self, lang: str) -> None:
        for row in self.rows.values():
            row.relabel(lang)

    def first_widget(self) -> QWidget | None:
        return next((r.widget for r in self.rows.values()), None)
