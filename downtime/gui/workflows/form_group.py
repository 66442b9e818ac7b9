"""Forms made of several parts: KindForm blocks and grids laid out like the paper form's tables.

The MCCD's Part I is a table on paper (cause, interval, ICD-10 code per line), and a doctor
fills it faster as one. ``KindGrid`` lays a form spec's table out the same way, with the
spec's own column headings; ``FormGroup`` joins grids and ordinary ``KindForm`` blocks of one
kind into a single form that collects values and shows the core's messages like a KindForm.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from downtime.gui.kind_form import FieldRow, KindForm, show_errors
from downtime.kinds.schema import Kind
from downtime.kinds.validate import ValidationError
from forms.spec import TableSpec


class KindGrid(QWidget):
    """A table of fields: one line per row of ``table``, headed by its columns (from a form spec)."""

    def __init__(self, kind: Kind, table: TableSpec, *, lang: str = "en", parent: QWidget | None = None):
        super().__init__(parent)
        self.table = table
        self.rows: dict[str, FieldRow] = {}
        self.headers = [QLabel() for _ in table.columns]
        self.line_labels: list[QLabel] = []
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for col, header in enumerate(self.headers, start=1):
            header.setWordWrap(True)
            header.setObjectName("muted")
            grid.addWidget(header, 0, col)
        for line, names in enumerate(table.rows, start=1):
            first = kind.field(names[0])
            label = QLabel()
            label.setWordWrap(True)
            self.line_labels.append(label)
            grid.addWidget(label, 2 * line - 1, 0)
            for col, name in enumerate(names, start=1):
                row = FieldRow(kind.field(name), lang)
                self.rows[name] = row
                grid.addWidget(row.widget, 2 * line - 1, col)
                grid.addWidget(row.error, 2 * line, col)
            label.setBuddy(self.rows[first.name].widget)
        for col, column in enumerate(table.columns, start=1):
            grid.setColumnStretch(col, round(column.width * 100))
        grid.setColumnStretch(0, 30)
        self.set_language(lang)

    def set_language(self, lang: str) -> None:
        for header, column in zip(self.headers, self.table.columns, strict=True):
            header.setText(column.hi if lang == "hi" else column.en)
        for label, names in zip(self.line_labels, self.table.rows, strict=True):
            row = self.rows[names[0]]
            row.relabel(lang)
            label.setText(row.label.text())


Heading = tuple[str, str]  # (English, Hindi), e.g. a kind's section labels


def section_heading(kind: Kind, section: str) -> Heading:
    labels = kind.sections.get(section, {})
    return labels.get("label_en", ""), labels.get("label_hi", "")


class FormGroup(QWidget):
    """Several parts of one kind's form, stacked, behaving as one KindForm."""

    def __init__(self, parts: Sequence[KindForm | KindGrid], *, headings: Sequence[Heading | None] = (),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.parts = list(parts)
        self.rows: dict[str, FieldRow] = {name: row for part in self.parts for name, row in part.rows.items()}
        self.headings: list[tuple[QLabel, Heading]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for part, heading in zip(self.parts, [*headings, *[None] * len(self.parts)], strict=False):
            if heading is not None:
                label = QLabel()
                label.setObjectName("sectionHeading")
                label.setStyleSheet("font-weight: bold; font-size: 13pt; margin-top: 8px;")
                self.headings.append((label, heading))
                layout.addWidget(label)
            layout.addWidget(part)
        layout.addStretch(1)  # spare height goes below the form, not between its parts

    def values(self) -> dict[str, Any]:
        return {name: value for name, row in self.rows.items() if (value := row.value()) is not None}

    def fill(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self.rows:
                self.rows[name].set_value(value)

    def clear_errors(self) -> None:
        for row in self.rows.values():
            row.show_error(None)

    def show_errors(self, error: ValidationError) -> bool:
        """Messages beside their fields, the first such field focused; False if none belongs here."""
        return show_errors(self.rows, error)

    def set_language(self, lang: str) -> None:
        for part in self.parts:
            part.set_language(lang)
        for label, heading in self.headings:
            label.setText(heading[1] if lang == "hi" else heading[0])

    def first_widget(self) -> QWidget | None:
        return next((r.widget for r in self.rows.values()), None)
