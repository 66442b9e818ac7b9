"""Entry screens built from kind schemas: what is typed reaches the core, its messages come back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.kind_form import KindForm
from downtime.kinds.schema import get_kind
from downtime.kinds.validate import ValidationError, validate


@pytest.fixture
def form(qtbot: QtBot) -> KindForm:
    f = KindForm(get_kind("patient.register"), fields=["name", "sex", "age_years", "phone", "relative", "dob"])
    qtbot.addWidget(f)
    f.show()
    return f


def test_typed_values_reach_the_core_and_validate(qtbot: QtBot, form: KindForm) -> None:
    qtbot.keyClicks(form.rows["name"].widget, "Sunita Devi")
    form.rows["sex"].widget.setFocus()
    qtbot.keyClick(form.rows["sex"].widget, Qt.Key.Key_F)  # type-to-select: F for Female
    qtbot.keyClicks(form.rows["age_years"].widget, "45")
    qtbot.keyClicks(form.rows["phone"].widget, "98765 43210")
    assert form.values() == {"name": "Sunita Devi", "sex": "female", "age_years": "45", "phone": "98765 43210"}
    assert validate(get_kind("patient.register"), form.values())["phone"] == "9876543210"


def test_masks_refuse_impossible_keystrokes(qtbot: QtBot, form: KindForm) -> None:
    qtbot.keyClicks(form.rows["age_years"].widget, "4x5")
    assert form.rows["age_years"].widget.text() == "45"


def test_core_messages_appear_beside_their_fields(qtbot: QtBot, form: KindForm) -> None:
    form.fill({"name": "Sunita", "dob": "15/03/1984"})
    with pytest.raises(ValidationError) as err:
        validate(get_kind("patient.register"), form.values())
    assert form.show_errors(err.value)
    assert form.rows["dob"].error.isVisible() and "YYYY-MM-DD" in form.rows["dob"].error.text()
    assert form.rows["sex"].error.isVisible() and "required" in form.rows["sex"].error.text()
    assert not form.rows["name"].error.isVisible()


def test_hindi_labels(form: KindForm) -> None:
    form.set_language("hi")
    assert form.rows["name"].label.text().startswith("पूरा नाम")
    assert form.rows["sex"].widget.itemText(2) == "महिला"
