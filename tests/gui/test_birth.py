"""Birth and still birth, driven offscreen: Form 1 per twin, each newborn registered, wristbands and Form 3."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.workflows.birth import BirthFlow, StillbirthFlow
from downtime.session import Session, login
from tests.gui.flow_helpers import (
    ctrl_enter,
    enter,
    pdf_only,  # noqa: F401 - autouse: forms go to PDF only
    pdf_text,
    pick,
    show_active,
    type_into,
)
from tests.gui.site_fixture import NURSE_ID, NURSE_PIN, Site, journal_kinds

MOTHER = {"name": "Sunita Devi", "sex": "female", "age_years": 27, "phone": "9810012345", "relation_type": "wo",
          "relative": "Rajesh Kumar", "address": "Gali 4, Sangam Vihar, New Delhi"}


@pytest.fixture
def nurse(site: Site) -> Iterator[Session]:
    session = login(site.path, NURSE_ID, NURSE_PIN)
    yield session
    session.close()


@pytest.fixture
def mother_id(nurse: Session) -> str:
    return nurse.record("patient.register", MOTHER).human_id or ""


def test_twins_get_a_form_1_a_downtime_id_and_wristbands_each(qtbot: QtBot, site: Site, nurse: Session,
                                                               mother_id: str) -> None:
    flow = BirthFlow(nurse, nurse.patient_summary(mother_id))
    show_active(qtbot, flow)
    assert flow.shared_form.rows["father_name"].value() == "Rajesh Kumar"  # W/o Rajesh Kumar: the father
    assert not flow.baby_boxes[1].isVisible()
    qtbot.keyClicks(flow.count, "2")  # replaces the selected 1
    assert flow.baby_boxes[1].isVisible()
    pick(qtbot, flow.baby_forms[0].rows, "sex", Qt.Key.Key_F)
    type_into(qtbot, flow.baby_forms[0].rows, {"time_of_birth": "04:10", "birth_weight_kg": "2.4"})
    pick(qtbot, flow.baby_forms[1].rows, "sex", Qt.Key.Key_M)
    type_into(qtbot, flow.baby_forms[1].rows, {"time_of_birth": "04:25", "birth_weight_kg": "2.1"})
    pick(qtbot, flow.shared_form.rows, "delivery_method", Qt.Key.Key_C)  # Caesarean
    with qtbot.waitSignal(flow.finished) as done:
        ctrl_enter(qtbot, flow)
        assert flow.step is flow.done_page, flow.message.text()
        enter(qtbot, flow)
    assert done.args[0].kind == "birth.report"

    reports = journal_kinds(site.path, "birth.report")
    assert [(r["sex"], r["birth_order_in_delivery"], r["mother"]) for r in reports] == [
        ("female", 1, mother_id), ("male", 2, mother_id)]
    assert all(r["delivery_method"] == "caesarean" and r["multiple_birth"] for r in reports)
    babies = [nurse.search("B/O Sunita Devi")[i] for i in range(2)]
    assert {b.name for b in babies} == {"B/O Sunita Devi (twin 1)", "B/O Sunita Devi (twin 2)"}

    assert flow.outcome is not None
    assert flow.outcome.prints.forms == ["rbd_form1_birth", "wristband_newborn"] * 2
    ids = [line.rsplit(" ", 1)[1] for line in flow.outcome.lines[:2]]
    for pdf, baby_id in zip(flow.outcome.prints.pdfs, [ids[0], ids[0], ids[1], ids[1]], strict=True):
        text = pdf_text(pdf)
        assert "B/O Sunita Devi" in text and baby_id in text
    assert mother_id in pdf_text(flow.outcome.prints.pdfs[1])  # the wristband names the mother's ID too


def test_a_missing_sex_is_shown_on_that_baby_and_nothing_is_saved(qtbot: QtBot, site: Site, nurse: Session,
                                                                   mother_id: str) -> None:
    flow = BirthFlow(nurse, nurse.patient_summary(mother_id))
    show_active(qtbot, flow)
    flow.count.setValue(2)
    pick(qtbot, flow.baby_forms[0].rows, "sex", Qt.Key.Key_F)
    ctrl_enter(qtbot, flow)
    assert flow.step is not flow.done_page
    assert flow.baby_forms[1].rows["sex"].error.text() and not flow.baby_forms[0].rows["sex"].error.text()
    assert flow.focusWidget() is flow.baby_forms[1].rows["sex"].widget
    assert not journal_kinds(site.path, "birth.report")


def test_still_birth_reads_the_mother_back_then_prints_form_3(qtbot: QtBot, site: Site, nurse: Session,
                                                              mother_id: str) -> None:
    flow = StillbirthFlow(nurse, nurse.patient_summary(mother_id))
    show_active(qtbot, flow)
    pick(qtbot, flow.form.rows, "sex", Qt.Key.Key_M)
    type_into(qtbot, flow.form.rows, {"pregnancy_weeks": "32", "cause_of_foetal_death": "Placental abruption"})
    ctrl_enter(qtbot, flow)
    assert flow.step is flow.confirmation and flow.confirmation.name_label.text() == "Sunita Devi"
    with qtbot.waitSignal(flow.finished):
        enter(qtbot, flow)
        enter(qtbot, flow)
    [report] = journal_kinds(site.path, "stillbirth.report")
    assert report["mother"] == mother_id and report["mother_age"] == 27 and report["pregnancy_weeks"] == 32
    assert flow.outcome is not None and flow.outcome.prints.forms == ["rbd_form3_stillbirth"]
    text = pdf_text(flow.outcome.prints.pdfs[0])
    assert "Sunita Devi" in text and mother_id in text and "Placental abruption" in text


def test_a_male_patient_cannot_be_the_mother(qtbot: QtBot, site: Site, nurse: Session) -> None:
    flow = BirthFlow(nurse, nurse.patient_summary(site.patient_id))  # Ramesh Kumar 0
    show_active(qtbot, flow)
    assert not flow.save_button.isEnabled() and "recorded as male" in flow.message.text()
    ctrl_enter(qtbot, flow)
    assert flow.step is not flow.done_page and not journal_kinds(site.path, "birth.report")
