"""English and Hindi at runtime: every GUI string has Hindi, open screens relabel, Hindi text is saved as typed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from downtime.errors import DowntimeError
from downtime.gui import language
from downtime.gui.i18n import update
from downtime.gui.style import BASE_POINT_SIZE, set_large_font
from downtime.gui.workflows.death import TAB_REPORT, DeathFlow
from downtime.session import Session, login
from tests.gui.flow_helpers import (
    ctrl_enter,
    enter,
    pdf_only,  # noqa: F401 - autouse: forms go to PDF only
    show_active,
)
from tests.gui.site_fixture import NURSE_ID, NURSE_PIN, Site, journal_kinds


@pytest.fixture
def hindi(qapp: QApplication) -> Iterator[None]:
    language.set_language(qapp, "hi")
    yield
    language.set_language(qapp, "en")


@pytest.fixture
def nurse(site: Site) -> Iterator[Session]:
    session = login(site.path, NURSE_ID, NURSE_PIN)
    yield session
    session.close()


def test_every_gui_string_has_hindi(tmp_path: Path) -> None:
    ts = tmp_path / "check.ts"
    shutil.copy(update.TS, ts)
    update.extract(ts)  # what the source asks for now, with the translations written so far
    missing = update.unfinished(ts)
    assert not missing, f"translate these in {update.TS.name}, then run {update.__file__}: {missing}"
    assert update.QM.stat().st_mtime >= update.TS.stat().st_mtime, "the .qm is older than the .ts: run update.py"


def test_switching_relabels_an_open_screen_and_back(qtbot: QtBot, qapp: QApplication, site: Site,
                                                    nurse: Session) -> None:
    flow = DeathFlow(nurse, nurse.patient_summary(site.patient_id))
    show_active(qtbot, flow)
    assert flow.save_button.text() == "Save and print (Ctrl+Enter)"
    with qtbot.waitSignal(language.language_changed()):
        language.set_language(qapp, "hi")
    try:
        assert language.current() == "hi"
        assert flow.title.text() == "अस्पताल में मृत्यु"  # from the kind schema
        assert flow.save_button.text() == "सेव और प्रिंट करें (Ctrl+Enter)"  # from the .qm
        assert flow.tabs.tabText(TAB_REPORT) == "&3  मृत्यु रिपोर्ट (फ़ॉर्म 2)"
        assert flow.death_form.rows["died_at"].label.text() == "मृत्यु का दिनांक और समय *"
        assert flow.banner.allergy_label.text() == "एलर्जी दर्ज नहीं है: रोगी या परिजन से पूछें"
        assert "केवल डॉक्टर" in flow.mccd_note.text()
    finally:
        language.set_language(qapp, "en")
    assert flow.save_button.text() == "Save and print (Ctrl+Enter)"
    assert flow.death_form.rows["died_at"].label.text() == "Date and time of death *"


def test_a_screen_opened_in_hindi_saves_hindi_text_as_typed(qtbot: QtBot, site: Site, nurse: Session,
                                                            hindi: None) -> None:
    flow = DeathFlow(nurse, nurse.patient_summary(site.patient_id), lang="hi")
    show_active(qtbot, flow)
    assert flow.confirmation.yes_button.text().startswith("हाँ, यही रोगी")
    # keyClicks with Devanagari crashes the test process (DESIGN.md): setText is what an IME delivers anyway.
    flow.death_form.rows["declared_by"].set_value("डॉ. अरविंद राव")  # setText on the line edit
    flow.report_form.rows["informant_name"].set_value("चिकित्सा अधीक्षक, एम्स नई दिल्ली")
    ctrl_enter(qtbot, flow)
    assert flow.step is flow.confirmation, flow.message.text()
    with qtbot.waitSignal(flow.finished):
        enter(qtbot, flow)
        assert flow.done_page.heading.text() == "सेव हो गया"
        enter(qtbot, flow)
    assert journal_kinds(site.path, "encounter.death")[0]["declared_by"] == "डॉ. अरविंद राव"
    assert journal_kinds(site.path, "death.report")[0]["informant_name"] == "चिकित्सा अधीक्षक, एम्स नई दिल्ली"


def test_an_unknown_language_is_refused(qapp: QApplication) -> None:
    with pytest.raises(DowntimeError, match="unknown language"):
        language.set_language(qapp, "ta")
    assert language.current() == "en"


def test_large_font_mode_scales_text_and_headings(qapp: QApplication) -> None:
    set_large_font(qapp, True)
    try:
        assert qapp.font().pointSize() == 15
        assert "font-size: 19pt" in qapp.styleSheet()  # the 15 pt screen titles grow with the body text
    finally:
        set_large_font(qapp, False)
    assert qapp.font().pointSize() == BASE_POINT_SIZE and "font-size: 15pt" in qapp.styleSheet()


def test_language_and_large_font_switch_from_the_keyboard(qtbot, open_window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from downtime.gui import language

    window = open_window()
    start = language.current()
    size = QApplication.instance().font().pointSize()
    try:
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert language.current() == language.other(start)
        qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.instance().font().pointSize() > size
        qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.instance().font().pointSize() == size
    finally:
        language.set_language(QApplication.instance(), start)
