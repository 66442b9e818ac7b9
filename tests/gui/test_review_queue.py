"""The review window driven by keyboard, as a records officer uses it: log in, passphrase, then accept, reject
with a reason, pick another candidate, mark new, and resolve an import conflict. Every decision must be in the
office PC's journal under the officer's staff ID and in the workspace's match decisions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from downtime.gui import language
from downtime.gui.review.app import ReviewApp
from downtime.gui.review.window import TAB_CONFLICTS, ReviewWindow
from downtime.session import login
from tests.sync.conftest import PASSPHRASE
from tests.sync.test_review import (
    CLERK_ID,
    CLERK_PIN,
    OFFICER_ID,
    OFFICER_PIN,
    ReviewSite,
    build_review_site,
    send_conflicting_copy,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ReviewSite:
    return build_review_site(tmp_path_factory.mktemp("review-gui"))


@pytest.fixture
def site(built: ReviewSite, tmp_path: Path) -> ReviewSite:
    shutil.copytree(built.root, tmp_path / "site")
    root = tmp_path / "site"
    return ReviewSite(root, root / "ro", root / "ward", built.entries, built.downtime_ids)


@pytest.fixture
def app(qtbot: QtBot, site: ReviewSite) -> Iterator[ReviewApp]:
    controller = ReviewApp(site.office, maximized=False)
    qtbot.addWidget(controller.login_window)
    qtbot.addWidget(controller.passphrase_window)
    controller.start()
    yield controller
    if controller.window is not None:
        controller.window.log_out()


def log_in(qtbot: QtBot, app: ReviewApp, staff: str, pin: str) -> None:
    form = app.login_window.form
    qtbot.keyClicks(form.staff_id, staff)
    qtbot.keyClick(form.staff_id, Qt.Key.Key_Return)
    qtbot.keyClicks(form.pin, pin)
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)


def open_review(qtbot: QtBot, app: ReviewApp) -> ReviewWindow:
    log_in(qtbot, app, OFFICER_ID, OFFICER_PIN)
    assert app.passphrase_window.isVisible()
    qtbot.waitUntil(app.passphrase_window.passphrase.hasFocus)  # once the window is active: type straight away
    qtbot.keyClicks(app.passphrase_window.passphrase, PASSPHRASE)
    qtbot.keyClick(app.passphrase_window.passphrase, Qt.Key.Key_Return)
    window = app.window
    assert window is not None, app.passphrase_window.error_label.text()
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def key(qtbot: QtBot, window: ReviewWindow, which: Qt.Key | str,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, which, modifier)


def journal_decisions(site: ReviewSite, kind: str = "match.decision") -> list[tuple[str, dict[str, object]]]:
    session = login(site.office, OFFICER_ID, OFFICER_PIN)
    try:
        return [(e.staff, e.payload) for e in session.journal.entries(kind=kind)]
    finally:
        session.close()


def decisions(window: ReviewWindow) -> dict[str, tuple[str, str | None, str, str]]:
    return {row[0]: tuple(row[1:]) for row in window.review.ws.db.execute(  # type: ignore[misc]
        "SELECT entry_uuid, decision, uhid, source, decided_by FROM match_decisions")}


def test_the_queue_by_keyboard_pick_another_reject_with_a_reason_accept_and_mark_new(
        qtbot: QtBot, app: ReviewApp, site: ReviewSite) -> None:
    window = open_review(qtbot, app)
    panel = window.matches
    ids = site.downtime_ids
    assert window.progress.text() == "2 of 2 left"
    assert panel.current is not None and panel.current.downtime_id == ids["imran"]  # the first still to decide
    # The matcher's best has another phone: red, and saying so in words; the second has the same phone.
    assert panel.table.cell_text("phone", 2) == "9811111111\n✗ differs"
    assert panel.table.item(3, 2).data(Qt.ItemDataRole.UserRole) == "disagree"
    assert panel.table.item(3, 2).background().color().name() == "#f8d7da"
    assert panel.table.cell_text("phone", 3) == "9812345678\n✓ agrees"
    assert "suggested" in panel.table.heading(2) and "▶" in panel.table.heading(2)

    key(qtbot, window, "2")                      # pick another candidate: the second, with the same phone
    assert "▶" in panel.table.heading(3) and "selected" in panel.table.heading(3)
    key(qtbot, window, Qt.Key.Key_Return)
    assert decisions(window)[site.entries["imran"]] == ("matched", "AIIMS-000456", "officer", OFFICER_ID)
    assert window.progress.text() == "1 of 2 left"
    assert panel.current is not None and panel.current.downtime_id == ids["pooja"]  # moved on by itself

    key(qtbot, window, "r")                      # reject the suggested sister: the reason is asked for first
    assert panel.reason.hasFocus() and "Write why AIIMS-000790 is not this patient" in panel.message.text()
    # Letters that are shortcuts elsewhere (a, n, r) are typed into the reason, not acted on.
    qtbot.keyClicks(panel.reason, "born 1996 as per aadhaar; another sister")
    key(qtbot, window, Qt.Key.Key_Return)
    assert decisions(window)[site.entries["pooja"]] == ("review", None, "officer", OFFICER_ID)
    assert panel.current is not None and panel.current.candidates[0].rejected
    assert "rejected" in panel.table.heading(2) and "suggested" in panel.table.heading(3)
    assert window.progress.text() == "1 of 2 left"
    assert "rejected AIIMS-000790: born 1996 as per aadhaar; another sister" in panel.history.text()

    key(qtbot, window, "a")                      # accept what is now suggested
    assert decisions(window)[site.entries["pooja"]] == ("matched", "AIIMS-000791", "officer", OFFICER_ID)
    assert window.progress.text() == "0 of 2 left" and panel.heading.text() != ""

    key(qtbot, window, "s", Qt.KeyboardModifier.AltModifier)   # show: all decided, to revisit
    key(qtbot, window, Qt.Key.Key_Down)
    key(qtbot, window, Qt.Key.Key_Escape)
    assert panel.scope_name == "all" and panel.list.hasFocus()
    assert [i.downtime_id for i in panel.queue.items] == sorted(ids.values())
    key(qtbot, window, Qt.Key.Key_Down)
    assert panel.current is not None and panel.current.downtime_id == ids["imran"]
    assert "linked AIIMS-000456" in panel.history.text()
    key(qtbot, window, Qt.Key.Key_Up)             # the one the matcher linked
    assert panel.current is not None and panel.current.downtime_id == ids["sunita"]
    assert panel.current.candidates[0].chosen and "linked now" in panel.table.heading(2)
    key(qtbot, window, "n")
    assert decisions(window)[site.entries["sunita"]] == ("new", None, "officer", OFFICER_ID)

    assert journal_decisions(site) == [
        (OFFICER_ID, {"target": ids["imran"], "decision": "matched", "uhid": "AIIMS-000456",
                      "candidate": "AIIMS-000456"}),
        (OFFICER_ID, {"target": ids["pooja"], "decision": "rejected", "candidate": "AIIMS-000790",
                      "reason": "born 1996 as per aadhaar; another sister"}),
        (OFFICER_ID, {"target": ids["pooja"], "decision": "matched", "uhid": "AIIMS-000791",
                      "candidate": "AIIMS-000791"}),
        (OFFICER_ID, {"target": ids["sunita"], "decision": "new"}),
    ]
    # The matcher's own decisions stay where no officer decided.
    assert decisions(window)[site.entries["anjali"]] == ("new", None, "matcher", "matcher")


def test_an_import_conflict_is_resolved_from_its_tab(qtbot: QtBot, app: ReviewApp, site: ReviewSite) -> None:
    ws = site.workspace()
    try:
        later = send_conflicting_copy(site, ws, "anjali", {"phone": "9900112244"})
    finally:
        ws.close()
    window = open_review(qtbot, app)
    assert window.tabs.tabText(TAB_CONFLICTS) == "&2  Import conflicts (1 open)"
    key(qtbot, window, "2", Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentIndex() == TAB_CONFLICTS
    panel = window.conflicts
    table = panel.table
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in (1, 2, 3)] for r in range(table.rowCount())}
    assert rows["Mobile number"] == ["9900112233", "9900112244", "✗ differs"]
    assert rows["Full name"] == ["Anjali Verma", "Anjali Verma", "same"]
    qtbot.keyClicks(panel.reason, "ward 8 confirmed the new number")
    panel.list.setFocus()
    key(qtbot, window, "t")
    assert window.tabs.tabText(TAB_CONFLICTS) == "&2  Import conflicts (0 open)"
    assert "Run 'reconcile match' again" in panel.message.text()
    status = window.review.ws.db.execute("SELECT hash, status FROM conflicts").fetchall()
    assert status == [(later, "taken")]
    assert journal_decisions(site, "conflict.resolve") == [(OFFICER_ID, {
        "entry": site.entries["anjali"], "keep": "new", "kept_hash": later, "kept_device": "W8-PC1",
        "reason": "ward 8 confirmed the new number"})]


def test_a_ward_login_is_turned_away_and_a_wrong_passphrase_is_said(qtbot: QtBot, app: ReviewApp) -> None:
    log_in(qtbot, app, CLERK_ID, CLERK_PIN)
    assert app.window is None and app.login_window.isVisible()
    assert "deciding matches needs one of: records, admin" in app.login_window.form.error_label.text()
    log_in(qtbot, app, OFFICER_ID, OFFICER_PIN)
    qtbot.waitUntil(app.passphrase_window.passphrase.hasFocus)
    qtbot.keyClicks(app.passphrase_window.passphrase, "not the passphrase")
    qtbot.keyClick(app.passphrase_window.passphrase, Qt.Key.Key_Return)
    assert app.window is None and "wrong records-office passphrase" in app.passphrase_window.error_label.text()
    qtbot.keyClick(app.passphrase_window.passphrase, Qt.Key.Key_Escape)  # back to the login: logged out
    assert app.login_window.isVisible() and app.session is None


def test_the_window_speaks_hindi(qtbot: QtBot, app: ReviewApp, qapp: QApplication) -> None:
    window = open_review(qtbot, app)
    key(qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    try:
        assert language.current() == "hi"
        assert window.progress.text() == "2 में से 2 बाकी"
        assert window.matches.accept_button.text() == "सुझाया गया स्वीकारें (A)"
        assert window.matches.table.cell_text("phone", 2) == "9811111111\n✗ अलग"
        assert window.matches.table.item(1, 1).text() == "पुरुष"  # the kind's own Hindi for "male"
    finally:
        language.set_language(qapp, "en")
    assert window.progress.text() == "2 of 2 left"


# -- idle lock ---------------------------------------------------------------------------------------------


@pytest.fixture
def idle_app(qtbot: QtBot, site: ReviewSite) -> Iterator[ReviewApp]:
    """The review with an idle time short enough for a test (the site's is minutes)."""
    controller = ReviewApp(site.office, maximized=False, idle_timeout_ms=300)
    qtbot.addWidget(controller.login_window)
    qtbot.addWidget(controller.passphrase_window)
    controller.start()
    yield controller
    if controller.window is not None:
        controller.window.log_out()


def unlock_with(qtbot: QtBot, window: ReviewWindow, staff_id: str, pin: str) -> None:
    form = window.lock_screen.form
    form.staff_id.setText(staff_id)
    qtbot.keyClicks(form.pin, pin)
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)


def test_the_review_locks_when_idle_and_only_an_officer_unlocks_it(qtbot: QtBot, idle_app: ReviewApp,
                                                                    site: ReviewSite) -> None:
    window = open_review(qtbot, idle_app)
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    assert not window.tabs.isVisible() and not window.matches.table.isVisible()  # no registration on screen
    assert idle_app.session is None  # logged out and closed, not just covered
    assert window.lock_screen.form.staff_id.text() == OFFICER_ID and window.lock_screen.form.pin.hasFocus()
    assert "Records Officer was logged out" in window.lock_screen.message.text()
    logouts = [(staff, payload["via"]) for staff, payload in journal_decisions(site, "auth.logout")]
    assert logouts[-1] == (OFFICER_ID, "idle_lock")

    unlock_with(qtbot, window, OFFICER_ID, "000111")
    assert window.locked and "wrong PIN" in window.lock_screen.form.error_label.text()
    unlock_with(qtbot, window, CLERK_ID, CLERK_PIN)  # a ward login opens the PC, never the decisions
    assert window.locked and "deciding matches needs one of: records, admin" in \
        window.lock_screen.form.error_label.text()
    assert idle_app.session is None

    window.idle_watcher.timeout_ms = 60_000  # long enough to decide one
    unlock_with(qtbot, window, OFFICER_ID, OFFICER_PIN)
    assert not window.locked and window.tabs.isVisible()
    assert idle_app.session is not None and window.review.session is idle_app.session
    assert (OFFICER_ID, {"staff_id": OFFICER_ID, "via": "unlock"}) in journal_decisions(site, "auth.login")
    key(qtbot, window, "a")                       # accept the suggestion: journaled through the new session
    assert decisions(window)[site.entries["imran"]] == ("matched", "AIIMS-000457", "officer", OFFICER_ID)
    assert journal_decisions(site) == [(OFFICER_ID, {"target": site.downtime_ids["imran"], "decision": "matched",
                                                     "uhid": "AIIMS-000457", "candidate": "AIIMS-000457"})]
