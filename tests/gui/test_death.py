"""The death workflow, driven offscreen: three entries, Form 2 and the MCCD printed, the patient read back first."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from downtime.gui.workflows.death import TAB_MCCD, TAB_REPORT, DeathFlow
from downtime.session import Session, login
from tests.gui.flow_helpers import (
    ctrl_enter,
    pdf_only,  # noqa: F401 - autouse: forms go to PDF only
    pdf_text,
    pick,
    show_active,
    text_below,
    type_into,
)
from tests.gui.site_fixture import DOCTOR_ID, DOCTOR_NAME, DOCTOR_PIN, NURSE_ID, NURSE_PIN, Site, journal_kinds

OpenFlow = Callable[[str, str], DeathFlow]


@pytest.fixture
def open_flow(qtbot: QtBot, site: Site) -> Iterator[OpenFlow]:
    sessions: list[Session] = []

    def open_(staff_id: str, pin: str) -> DeathFlow:
        session = login(site.path, staff_id, pin)
        sessions.append(session)
        flow = DeathFlow(session, session.patient_summary(site.patient_id))
        show_active(qtbot, flow)
        return flow

    yield open_
    for session in sessions:
        session.close()


def test_doctor_records_the_death_signs_the_mccd_and_prints_both_forms(qtbot: QtBot, site: Site,
                                                                       open_flow: OpenFlow) -> None:
    flow = open_flow(DOCTOR_ID, DOCTOR_PIN)
    assert flow.death_form.rows["declared_by"].value() == DOCTOR_NAME  # a doctor declares and certifies
    qtbot.keyClick(flow.tabs, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert flow.tabs.currentIndex() == TAB_MCCD
    type_into(qtbot, flow.mccd_form.rows, {
        "cause_a": "Septic shock", "interval_a": "2 days", "cause_b": "Lobar pneumonia", "interval_b": "6 days",
        "icd_b": "J18.1", "certifier_registration_number": "DMC-12345"})
    pick(qtbot, flow.mccd_form.rows, "manner_of_death", Qt.Key.Key_N)  # Natural
    flow.tabs.setCurrentIndex(TAB_REPORT)
    assert "Lobar pneumonia" in flow.cause_label.text()

    ctrl_enter(qtbot, flow)
    assert flow.step is flow.confirmation, flow.message.text()
    assert flow.confirmation.name_label.text() == "Ramesh Kumar 0"
    assert site.patient_id in flow.confirmation.ids_label.text()
    with qtbot.waitSignal(flow.finished) as done:
        qtbot.keyClick(flow.confirmation.yes_button, Qt.Key.Key_Return)
        assert flow.step is flow.done_page
        qtbot.keyClick(flow.done_page.done_button, Qt.Key.Key_Return)
    assert done.args[0].kind == "encounter.death"

    [death] = journal_kinds(site.path, "encounter.death")
    [report] = journal_kinds(site.path, "death.report")
    [mccd] = journal_kinds(site.path, "mccd")
    assert death["patient"] == report["patient"] == mccd["patient"] == site.patient_id
    assert report["underlying_cause"] == "Lobar pneumonia" and report["medically_certified"] is True
    assert report["date_of_death"] == death["died_at"][:10] == mccd["died_at"][:10]
    assert mccd["deceased_name"] == "Ramesh Kumar 0" and mccd["age_years"] == 40 and mccd["staff"] == DOCTOR_ID

    assert flow.outcome is not None and flow.outcome.prints.forms == ["rbd_form2_death", "mccd_form4"]
    for pdf in flow.outcome.prints.pdfs:
        text = pdf_text(pdf)
        assert "Ramesh Kumar 0" in text and site.patient_id in text
    mccd_pdf = flow.outcome.prints.pdfs[1]
    assert "Septic shock" in pdf_text(mccd_pdf)
    slip = text_below(mccd_pdf, "Cut")
    assert "Ramesh Kumar 0" in slip and site.patient_id in slip
    for secret in ("Septic", "pneumonia", "J18"):
        assert secret not in slip
    assert [p["outcome"] for p in journal_kinds(site.path, "print.record")] == ["pdf_only", "pdf_only"]


def test_a_nurse_cannot_sign_and_a_doctor_certifies_later(qtbot: QtBot, site: Site, open_flow: OpenFlow) -> None:
    flow = open_flow(NURSE_ID, NURSE_PIN)
    assert not flow.tabs.isTabEnabled(TAB_MCCD) and "Only a doctor" in flow.mccd_note.text()
    type_into(qtbot, flow.death_form.rows, {"declared_by": "Dr Arvind Rao"})
    ctrl_enter(qtbot, flow)
    with qtbot.waitSignal(flow.finished):
        flow.primary()  # confirm
        flow.primary()  # done
    assert not journal_kinds(site.path, "mccd")
    assert "medically_certified" not in journal_kinds(site.path, "death.report")[0]
    flow.session.close()

    later = open_flow(DOCTOR_ID, DOCTOR_PIN)
    assert later.certifying and later.tabs.currentIndex() == TAB_MCCD
    assert not later.tabs.isTabEnabled(0)
    type_into(qtbot, later.mccd_form.rows, {"cause_a": "Acute myocardial infarction", "interval_a": "3 hours",
                                                   "certifier_registration_number": "DMC-12345"})
    ctrl_enter(qtbot, later)
    with qtbot.waitSignal(later.finished):
        later.primary()
        later.primary()
    assert journal_kinds(site.path, "mccd")[0]["cause_a"] == "Acute myocardial infarction"
    [correction] = journal_kinds(site.path, "entry.correct")
    assert correction["fields"]["underlying_cause"] == "Acute myocardial infarction"
    assert later.outcome is not None and later.outcome.prints.forms == ["rbd_form2_death", "mccd_form4"]
    assert "corrected" in pdf_text(later.outcome.prints.pdfs[0])


def test_problems_show_on_their_tab_and_nothing_is_written(qtbot: QtBot, site: Site, open_flow: OpenFlow) -> None:
    flow = open_flow(DOCTOR_ID, DOCTOR_PIN)
    flow.death_form.rows["died_at"].set_value("")
    flow.tabs.setCurrentIndex(TAB_REPORT)
    ctrl_enter(qtbot, flow)
    assert flow.step is not flow.confirmation
    assert flow.tabs.currentIndex() == 0 and flow.death_form.rows["died_at"].error.text()
    assert flow.mccd_form.rows["cause_a"].error.text()  # every tab shows its own problems at once
    assert not journal_kinds(site.path, "encounter.death")


def test_esc_on_the_confirmation_goes_back_and_on_the_form_cancels(qtbot: QtBot, open_flow: OpenFlow) -> None:
    flow = open_flow(NURSE_ID, NURSE_PIN)
    type_into(qtbot, flow.death_form.rows, {"declared_by": "Dr Arvind Rao"})
    ctrl_enter(qtbot, flow)
    assert flow.step is flow.confirmation
    qtbot.keyClick(flow.confirmation.yes_button, Qt.Key.Key_Escape)
    assert flow.step is not flow.confirmation
    with qtbot.waitSignal(flow.finished) as cancelled:
        qtbot.keyClick(flow.focusWidget() or flow, Qt.Key.Key_Escape)
    assert cancelled.args == [None]


def test_a_certified_death_is_not_recorded_twice(qtbot: QtBot, site: Site, open_flow: OpenFlow) -> None:
    flow = open_flow(DOCTOR_ID, DOCTOR_PIN)
    type_into(qtbot, flow.mccd_form.rows, {"cause_a": "Septic shock", "certifier_registration_number": "DMC-1"})
    with qtbot.waitSignal(flow.finished):
        ctrl_enter(qtbot, flow)
        flow.primary()
        flow.primary()
    again = open_flow(NURSE_ID, NURSE_PIN)
    assert not again.tabs.isVisibleTo(again) and not again.save_button.isEnabled()
    assert "already on this PC" in again.state_label.text()
    ctrl_enter(qtbot, again)
    assert again.step is not again.confirmation and len(journal_kinds(site.path, "encounter.death")) == 1
