"""The main window: the permanent banner above the work area, navigation between screens, idle lock, log out.

The window holds at most one open ``Session``. Locking logs it out and closes
it, so a PC left alone keeps neither patient data on screen nor an open
database; unlocking puts in the new session that the lock screen's login returns.

Screens: home (search and today's records) → patient → a workflow form → back to the
patient, who now shows the new record. The census is one key away (F11). Workflow
shortcuts are the window's, so they work from the home screen (on the highlighted search
result) and from the patient screen alike; while a form is open they do nothing, so a
stray F-key never throws away half-typed work.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from downtime.errors import DowntimeError
from downtime.gui import language
from downtime.gui.banner import BannerWidget
from downtime.gui.census_screen import CensusScreen
from downtime.gui.help_overlay import HelpOverlay
from downtime.gui.home_screen import HomeScreen
from downtime.gui.idle_lock import IdleWatcher, LockScreen
from downtime.gui.patient_screen import PatientScreen
from downtime.gui.search_box import Target, looks_like_name
from downtime.gui.style import ERROR, NEUTRAL, set_large_font, set_tone
from downtime.gui.workflows.correct import CorrectScreen
from downtime.gui.workflows.registry import Workflow, workflows
from downtime.session import Session, StaffMember
from downtime.viewer import PatientSummary

BANNER_REFRESH_MS = 30_000


class MainWindow(QMainWindow):
    """Emits ``logged_out`` when the staff member logs out (not when the window is simply closed)."""

    logged_out = Signal()

    def __init__(self, session: Session, *, idle_timeout_ms: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: Session | None = None
        self.lang = language.current()
        self._locked_staff: StaffMember | None = None
        self._site = (session.config.site["name"], session.config.device)
        self.setWindowTitle(self.tr("Downtime toolkit — {site}").format(site=self._site[0]))

        self.banner = BannerWidget()
        self.notice = QLabel()  # what the last action did: "Admission saved (…). Sent to the printer: …"
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setContentsMargins(16, 6, 16, 0)
        self.notice.hide()
        self.home_screen = HomeScreen()
        self.lock_screen = LockScreen(session.home.path)
        self.patient_screen: PatientScreen | None = None
        self.census_screen: CensusScreen | None = None
        self.work_screen: QWidget | None = None  # the open workflow form, if any
        self._return_to: QWidget = self.home_screen  # where a cancelled form goes back to
        self.pages = QStackedWidget()
        self.pages.addWidget(self.home_screen)
        self.pages.addWidget(self.lock_screen)
        self._page_before_lock: QWidget = self.home_screen
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.help_overlay = HelpOverlay(self.pages)

        self.logout_action = QAction(self.tr("Log out"), self)
        self.logout_action.setShortcut(QKeySequence("Ctrl+L"))
        self.logout_action.triggered.connect(self.log_out)
        self.addAction(self.logout_action)
        self.banner.logout_button.clicked.connect(self.logout_action.trigger)
        self._add_shortcuts()
        self.home_screen.search.chosen.connect(self._open_target)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(BANNER_REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        minutes = float(session.config.setting("idle_lock_minutes"))
        self.idle_watcher = IdleWatcher(idle_timeout_ms or int(minutes * 60_000), self)
        self.idle_watcher.idle.connect(self.lock)
        self.lock_screen.unlocked.connect(self.unlock)
        language.language_changed().connect(self.set_language)
        self._start(session)

    def _add_shortcuts(self) -> None:
        fixed = {"F1": self.toggle_help, "Ctrl+F": self.go_search, "F11": self.open_census,
                 "F12": self.correct_selected, "Ctrl+Shift+L": self.switch_language,
                 "Ctrl+Shift+F": self.toggle_large_font}
        for keys, slot in fixed.items():
            QShortcut(QKeySequence(keys), self, slot)
        for flow in workflows():
            QShortcut(QKeySequence(flow.shortcut), self, lambda key=flow.key: self.start_workflow(key))

    # -- session lifecycle ---------------------------------------------------------------------

    def _start(self, session: Session) -> None:
        self.session = session
        self.home_screen.load(session)
        self.home_screen.actions.set_actions(self._home_actions())
        self.refresh()
        self.banner.show()
        self.logout_action.setEnabled(True)
        self._refresh_timer.start()
        self.idle_watcher.start()

    def _stop(self, via: str = "gui") -> None:
        """Log the session out and forget what it showed."""
        self._refresh_timer.stop()
        self.idle_watcher.stop()
        if self.session is not None:
            self.session.logout(via=via)
            self.session = None
        self.home_screen.clear()
        self.help_overlay.hide()
        self.notice.hide()

    def refresh(self) -> None:
        if self.session is None:
            return
        self.banner.show_banner(self.session.banner(),
                                snapshot_warn_hours=float(self.session.config.setting("snapshot_warn_hours")))
        self.home_screen.refresh(self.session)

    @property
    def locked(self) -> bool:
        return self.pages.currentWidget() is self.lock_screen

    def lock(self) -> None:
        if self.session is None or self.locked:
            return
        self._locked_staff = self.session.staff
        self._page_before_lock = self.pages.currentWidget() or self.home_screen
        self._stop(via="idle_lock")
        self.banner.hide()  # it names the staff member, who is no longer logged in
        self.logout_action.setEnabled(False)
        self.lock_screen.prepare(*self._site, self._locked_staff.staff_id, self._locked_staff.name,
                                 self.idle_watcher.timeout_ms / 60_000)
        self.pages.setCurrentWidget(self.lock_screen)

    def unlock(self, session: Session) -> None:
        same_person = self._locked_staff is not None and session.staff.staff_id == self._locked_staff.staff_id
        if same_person:
            # They return to where they were, the open screens now working through the new session.
            for page in (self.patient_screen, self.census_screen, self.work_screen):
                if page is not None:
                    page.session = session  # type: ignore[attr-defined]
            self.pages.setCurrentWidget(self._page_before_lock)
        else:
            # Someone else must not inherit the first person's patient or half-typed form.
            self._drop_screens()
            self.pages.setCurrentWidget(self.home_screen)
        self._start(session)

    def log_out(self) -> None:
        self._stop()
        self.logged_out.emit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop(via="window_closed")  # closing the window is a log-out too: the journal must say who stopped when
        super().closeEvent(event)

    # -- navigation ----------------------------------------------------------------------------

    def _ready(self) -> bool:
        """Navigation is possible: logged in, not locked, the help list closed, and no form half-filled."""
        return (self.session is not None and not self.locked and not self.help_overlay.isVisible()
                and self.work_screen is None)

    def say(self, text: str, *, ok: bool = True) -> None:
        self.notice.setText(text)
        set_tone(self.notice, NEUTRAL if ok else ERROR)
        self.notice.setVisible(bool(text))

    def go_home(self) -> None:
        if self.session is None or self.locked:
            return
        self._set_page(self.home_screen)
        self.home_screen.refresh(self.session)

    def go_search(self) -> None:
        if self._ready():
            self.go_home()

    def _open_target(self, target: Target) -> None:
        self.open_patient(target.patient, select=target.record)

    def open_patient(self, ref: str, *, select: str | None = None) -> PatientScreen | None:
        if self.session is None:
            return None
        try:
            summary = self.session.current_summary(ref)  # with this PC's admission, lab results and records
        except DowntimeError as exc:
            self.say(str(exc), ok=False)
            return None
        screen = PatientScreen(self.session, summary, lang=self.lang, select=select)
        screen.actions.set_actions(self._patient_actions())
        screen.back.connect(self.go_home)
        self._replace("patient_screen", screen)
        self._set_page(screen)
        return screen

    def open_census(self) -> None:
        if not self._ready():
            return
        self._replace("census_screen", self._new_census())
        self._set_page(self.census_screen)  # type: ignore[arg-type]

    def _new_census(self) -> CensusScreen:
        assert self.session is not None
        screen = CensusScreen(self.session)
        screen.patient_chosen.connect(self.open_patient)
        screen.back.connect(self.go_home)
        return screen

    def toggle_help(self) -> None:
        if self.help_overlay.isVisible():
            self.help_overlay.close_overlay()
            self._focus_page()
        elif self.session is not None and not self.locked:
            self.help_overlay.show_for(self._allowed(), self.lang)

    # -- workflows -----------------------------------------------------------------------------

    def _allowed(self) -> list[Workflow]:
        role = self.session.staff.role if self.session else ""
        return [w for w in workflows() if w.allowed(role)]

    def start_workflow(self, key: str) -> QWidget | None:
        if not self._ready():
            return None
        assert self.session is not None
        flow = next(w for w in workflows() if w.key == key)
        if not flow.allowed(self.session.staff.role):
            self.say(self.tr("{what} is not available to the {role} role.").format(
                what=flow.label(self.lang), role=self.session.staff.role), ok=False)
            return None
        patient = self._patient_in_view() if flow.needs_patient else None
        if flow.needs_patient and patient is None:
            self.say(self.tr("Open the patient first: search by name, or scan the wristband."), ok=False)
            return None
        screen = flow.screen_class(self.session, patient, lang=self.lang)  # type: ignore[call-arg]
        query = self.home_screen.search.query()
        if key == "register" and self.pages.currentWidget() is self.home_screen and looks_like_name(query):
            screen.start_with(query)  # type: ignore[attr-defined]
        self._open_work(screen)
        return screen

    def correct_selected(self) -> QWidget | None:
        """F12: correct or void the record selected in today's list or the patient's history."""
        if not self._ready():
            return None
        assert self.session is not None
        selected = getattr(self.pages.currentWidget(), "selected_record", None)  # home and patient screens list records
        row = selected() if selected else None
        record = self.session.lookup_record(row.uuid) if row else None
        if record is None:
            self.say(self.tr("Select a record first (arrow keys), then press F12."), ok=False)
            return None
        patient = self._summary_or_none(record["patient"])
        screen = CorrectScreen(self.session, record, patient, lang=self.lang)
        self._open_work(screen)
        return screen

    def _open_work(self, screen: QWidget) -> None:
        self._return_to = self.pages.currentWidget() or self.home_screen
        screen.finished.connect(lambda entry: self._work_finished(screen, entry))  # type: ignore[attr-defined]
        self.work_screen = screen
        self.notice.hide()
        self.pages.addWidget(screen)
        self.pages.setCurrentWidget(screen)

    def _work_finished(self, screen: QWidget, entry: object) -> None:
        """Back to the patient the new record is about (now showing it), or to where the form was opened."""
        notice = getattr(screen, "notice", "")
        report = getattr(screen, "report", None)
        self.pages.removeWidget(screen)
        screen.deleteLater()
        self.work_screen = None
        record = self.session.lookup_record(entry.uuid) if entry is not None and self.session else None  # type: ignore[attr-defined]
        if record is not None and record["patient"]:
            self.open_patient(record["patient"], select=record["uuid"])
        else:
            self._set_page(self._return_to)
        if self.session is not None:
            self.home_screen.refresh(self.session)
        self.say(notice, ok=report is None or report.ok)

    def switch_language(self) -> None:
        """English ⇄ Hindi for the whole app; every open screen retranslates on the signal."""
        language.set_language(QApplication.instance(), language.other(language.current()))

    def toggle_large_font(self) -> None:
        self._large_font = not getattr(self, "_large_font", False)
        set_large_font(QApplication.instance(), self._large_font)

    def set_language(self, lang: str) -> None:
        """Redraw in ``lang``: screens built from data are rebuilt, an open form relabels itself."""
        self.lang = lang
        self.home_screen.set_language(lang)
        if self.session is None:
            return
        self.home_screen.actions.set_actions(self._home_actions())
        self.refresh()
        current = self.pages.currentWidget()
        if self.census_screen is not None:
            was_current = current is self.census_screen
            ward = self.census_screen.ward.currentIndex()
            self._replace("census_screen", self._new_census())
            self.census_screen.ward.setCurrentIndex(ward)  # type: ignore[union-attr]
            if was_current:
                self._set_page(self.census_screen)  # type: ignore[arg-type]
        if self.patient_screen is not None:
            was_current = current is self.patient_screen
            row = self.patient_screen.history.current_record()
            screen = self.open_patient(self.patient_screen.patient_id, select=row.uuid if row else None)
            if not was_current and screen is not None:
                self.pages.setCurrentWidget(current)
        if self.work_screen is not None and hasattr(self.work_screen, "set_language"):
            self.work_screen.set_language(lang)

    # -- helpers -------------------------------------------------------------------------------

    def _patient_in_view(self) -> PatientSummary | None:
        """The patient on screen, or on the home screen the highlighted search result."""
        page = self.pages.currentWidget()
        if page is self.patient_screen and self.patient_screen is not None:
            return self.patient_screen.summary
        if page is self.home_screen and self.home_screen.search.query():
            hit = self.home_screen.search.current_hit()
            return self._summary_or_none(hit.id) if hit else None
        return None

    def _summary_or_none(self, ref: str | None) -> PatientSummary | None:
        if not ref or self.session is None:
            return None
        try:
            return self.session.patient_summary(ref)
        except DowntimeError:
            return None

    def _home_actions(self) -> list[tuple[str, str, str, object]]:
        actions = [(w.key, w.label(self.lang), w.shortcut, lambda key=w.key: self.start_workflow(key))
                   for w in self._allowed() if not w.needs_patient]
        return actions + [("census", self.tr("Ward census"), "F11", self.open_census),
                          ("help", self.tr("Shortcuts"), "F1", self.toggle_help)]

    def _patient_actions(self) -> list[tuple[str, str, str, object]]:
        actions = [(w.key, w.label(self.lang), w.shortcut, lambda key=w.key: self.start_workflow(key))
                   for w in self._allowed() if w.needs_patient]
        return actions + [("print", self.tr("Print summary"), "Ctrl+P", self._print_summary),
                          ("lab_report", self.tr("Print lab report"), "Ctrl+R", self._print_lab_report),
                          ("back", self.tr("Back"), "Esc", self.go_home)]

    def _print_summary(self) -> None:
        if self.patient_screen is not None:
            self.patient_screen.print_summary()

    def _print_lab_report(self) -> None:
        if self.patient_screen is not None:
            self.patient_screen.print_lab_report()

    def _replace(self, attribute: str, screen: QWidget) -> None:
        old = getattr(self, attribute)
        if old is not None:
            if self._return_to is old:
                self._return_to = screen
            self.pages.removeWidget(old)
            old.deleteLater()
        setattr(self, attribute, screen)
        self.pages.addWidget(screen)

    def _set_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self._focus_page()

    def _focus_page(self) -> None:
        """Put the cursor where the screen's work starts (each screen names it in ``focus_start``)."""
        page = self.pages.currentWidget()
        if page is not None:
            getattr(page, "focus_start", page.setFocus)()

    def _drop_screens(self) -> None:
        for attribute in ("patient_screen", "census_screen", "work_screen"):
            page = getattr(self, attribute)
            if page is not None:
                self.pages.removeWidget(page)
                page.deleteLater()
                setattr(self, attribute, None)
