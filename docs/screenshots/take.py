"""Screenshots of every screen of the ward app, in English and in Hindi, taken under a real X server.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take.py         # every screen
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take.py review  # the review window
    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take.py admit   # only those named

Builds a throwaway demo site (synthetic patients only), drives the real windows at 1366x768
(the common ward PC screen) through the same calls the keyboard shortcuts make, and saves
``<screen>-en.png`` and ``<screen>-hi.png`` next to this script. Forms are saved as PDFs only.
Look at each image after a change: no clipped words, no boxes where Devanagari should be. The X screen must
be as wide as the window (``-s`` above; xvfb-run's default is 1280 pixels), or Qt pulls the admit screen's
list of offers left to keep it on the screen, away from its field.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

# The home is thrown away at the end, so PIN hashing need not resist guessing; it only has to be quick.
os.environ.setdefault("DOWNTIME_KDF", "fast")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QEventLoop, QPoint, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from downtime import lab
from downtime.demo import DEMO_STAFF, build_demo
from downtime.gui import print_jobs
from downtime.gui.app import DowntimeApp, make_application
from downtime.gui.language import set_language
from downtime.gui.main_window import MainWindow
from downtime.session import login

OUT = Path(__file__).resolve().parent
SIZE = (1366, 768)
STAFF = {role: (sid, pin) for sid, _, role, pin in DEMO_STAFF}
MOTHER = "Suneeta Kumari"  # a demo patient: admitted to Medicine Ward 7, bed 14


def settle(ms: int = 350) -> None:
    """Let Qt map, lay out and paint the windows before grabbing them."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class Shooter:
    """Saves the screens in one language; with ``only``, just the screens of those names."""

    def __init__(self, lang: str, only: frozenset[str] = frozenset()):
        self.lang = lang
        self.only = only
        self.taken: list[Path] = []

    def save(self, widget: QWidget, name: str, *, with_popups: bool = False) -> None:
        """``with_popups``: draw an open list of offers over the window where it shows (a window of its own,
        which ``grab`` leaves out)."""
        if self.only and name not in self.only:
            return
        settle()
        path = OUT / f"{name}-{self.lang}.png"
        picture = widget.grab()
        popup = QApplication.activePopupWidget()
        if with_popups and popup is not None:
            painter = QPainter(picture)
            painter.drawPixmap(popup.mapToGlobal(QPoint(0, 0)) - widget.mapToGlobal(QPoint(0, 0)), popup.grab())
            painter.end()
        if not picture.save(str(path)):
            raise SystemExit(f"could not write {path}")
        self.taken.append(path)
        print(f"wrote {path.name}")


def add_lab_order(home: Path) -> None:
    """A sample waiting in the lab, so the results screen has something to show."""
    sid, pin = STAFF["ward"]
    nurse = login(home, sid, pin, via="cli")
    try:
        patient = nurse.search(MOTHER)[0].id
        tests = lab.plan_samples(lab.lab_catalogue(nurse), ["CBC", "KFT"])
        lab.request_tests(nurse, {"patient": patient, "priority": "urgent", "requesting_clinician": "Dr Anil Rao",
                                  "clinical_details": "Fever 5 days, low platelets?"}, tests[:1])
    finally:
        nurse.close()


def log_in(app: DowntimeApp, role: str) -> MainWindow:
    form = app.login_window.form
    form.staff_id.setText(STAFF[role][0])
    form.pin.setText(STAFF[role][1])
    form.submit()
    window = app.main_window
    assert window is not None, form.error_label.text()
    window.resize(*SIZE)
    settle()
    return window


def cancel(screen: QWidget) -> None:
    """Esc on a workflow: every screen answers to one of these."""
    for name in ("cancel", "back"):
        if hasattr(screen, name):
            getattr(screen, name)()
            return


def workflow(window: MainWindow, shoot: Shooter, key: str, *, name: str = "",
             prepare: Callable[[QWidget], None] | None = None, extra: Callable[[QWidget], None] | None = None) -> None:
    """Open the patient, start the workflow as its F-key would, ``prepare`` it, shoot it, then cancel it."""
    window.open_patient(window.session.search(MOTHER)[0].id)  # type: ignore[union-attr]
    screen = window.start_workflow(key)
    if screen is None:
        print(f"skipped {key}: {window.notice.text()}")
        return
    if prepare is not None:
        prepare(screen)
    shoot.save(window, name or key, with_popups=prepare is not None)
    if extra is not None:
        extra(screen)
    cancel(screen)
    settle(100)


def type_doctor(screen: QWidget) -> None:
    """A few letters of the admitting doctor, typed as a clerk does, so the doctors on offer show."""
    settle()
    rows = screen.form.rows  # type: ignore[attr-defined]
    line = rows["admitting_doctor"].widget
    assert isinstance(line, QLineEdit)
    rows["ward"].set_value("Medicine Ward 7")  # the demo PC has no ward of its own: typed, as a clerk would
    rows["ward"].widget.editingFinished.emit()  # leaving the field brings that ward's free beds
    free_beds = rows["bed"].widget.completer().items()
    if free_beds:
        rows["bed"].set_value(free_beds[0])  # as if picked
    line.clear()
    line.setFocus()
    QTest.keyClicks(line, "ra")


def death_steps(window: MainWindow, shoot: Shooter) -> Callable[[QWidget], None]:
    def steps(screen: QWidget) -> None:
        from downtime.gui.workflows.death import TAB_MCCD, TAB_REPORT
        screen.tabs.setCurrentIndex(TAB_MCCD)  # type: ignore[attr-defined]
        rows = screen.mccd_form.rows  # type: ignore[attr-defined]
        for field, text in (("cause_a", "Dengue shock syndrome"), ("interval_a", "1 day"),
                            ("cause_b", "Dengue haemorrhagic fever"), ("interval_b", "6 days"),
                            ("icd_b", "A91"), ("certifier_registration_number", "DMC/R/12345")):
            rows[field].set_value(text)
        shoot.save(window, "death-mccd")
        screen.tabs.setCurrentIndex(TAB_REPORT)  # type: ignore[attr-defined]
        shoot.save(window, "death-form2")
        screen.submit()  # type: ignore[attr-defined]
        shoot.save(window, "death-confirm")
        screen.back()  # type: ignore[attr-defined]
    return steps


def lab_steps(window: MainWindow, shoot: Shooter) -> Callable[[QWidget], None]:
    def steps(screen: QWidget) -> None:
        for test in ("CBC - Complete blood count", "KFT - Kidney function test", "RBS - Blood sugar (random)"):
            screen.picker.add(test)  # type: ignore[attr-defined]
        screen.picker.search.setText("sug")  # type: ignore[attr-defined]
        shoot.save(window, "lab-request-tests")
    return steps


def birth_steps(window: MainWindow, shoot: Shooter) -> Callable[[QWidget], None]:
    def steps(screen: QWidget) -> None:
        screen.count.setValue(2)  # type: ignore[attr-defined]
        for form, sex, weight in zip(screen.baby_forms, ("female", "male"), ("2.4", "2.1")):  # type: ignore[attr-defined]
            form.fill({"sex": sex, "birth_weight_kg": weight, "time_of_birth": "04:10"})
        shoot.save(window, "birth-twins")
        screen.primary()  # type: ignore[attr-defined]  # saves: the done page reads the new IDs back
        shoot.save(window, "birth-done")
        screen.primary()  # type: ignore[attr-defined]
    return steps


def shoot_all(app: QApplication, home: Path, lang: str, only: frozenset[str] = frozenset()) -> list[Path]:
    set_language(app, lang)
    shoot = Shooter(lang, only)
    controller = DowntimeApp(home, maximized=False)
    controller.login_window.resize(*SIZE)
    controller.start()
    shoot.save(controller.login_window, "login")
    form = controller.login_window.form
    form.staff_id.setText(STAFF["ward"][0])
    form.pin.setText("123890")
    form.submit()  # the wrong PIN, to see how the inline error reads
    shoot.save(controller.login_window, "login-error")

    window = log_in(controller, "doctor")
    shoot.save(window, "home")
    window.home_screen.search.edit.setText(MOTHER.split()[0][:5])
    shoot.save(window, "search")
    window.open_patient(window.session.search(MOTHER)[0].id)  # type: ignore[union-attr]
    shoot.save(window, "patient")
    window.toggle_help()
    shoot.save(window, "help")
    window.toggle_help()
    window.go_home()
    window.open_census()
    census = window.census_screen
    assert census is not None
    census.ward.setCurrentIndex(census.ward.findData("Medicine Ward 7"))  # the demo admitted Suneeta there, bed 14
    census.print_sheet()  # the notice names the sheet by its title
    shoot.save(window, "census")
    window.go_home()
    window.start_workflow("register")
    shoot.save(window, "register")
    cancel(window.work_screen)  # type: ignore[arg-type]
    for key in ("newborn", "transfer", "discharge", "stillbirth"):
        workflow(window, shoot, key)
    workflow(window, shoot, "admit", prepare=type_doctor)
    workflow(window, shoot, "death", extra=death_steps(window, shoot))
    workflow(window, shoot, "lab_request", name="lab-request", extra=lab_steps(window, shoot))
    workflow(window, shoot, "birth", extra=birth_steps(window, shoot))
    patient = window.open_patient(window.session.search(MOTHER)[0].id)  # type: ignore[union-attr]
    if patient is not None:
        patient.history.setFocus()
        patient.history.selectRow(0)
        screen = window.correct_selected()
        if screen is not None:
            shoot.save(window, "correct")
            cancel(screen)
    window.lock()
    shoot.save(window, "locked")
    window.log_out()
    settle(100)

    window = log_in(controller, "lab")
    screen = window.start_workflow("lab_result")
    if screen is not None:
        shoot.save(window, "lab-result-scan")
        accession = next(window.session.journal.entries(kind="lab.request")).human_id  # type: ignore[union-attr]
        screen.scan.setText(accession)  # type: ignore[attr-defined]
        screen.load_scan()  # type: ignore[attr-defined]
        for row, value in zip(screen.rows, ("8.9", "3.1", "72", "22", "38")):  # type: ignore[attr-defined]
            row.value.setText(value)
        shoot.save(window, "lab-result")
        screen.primary()  # type: ignore[attr-defined]  # saves: the done page says the lab report printed
        shoot.save(window, "lab-result-done")
        screen.primary()  # type: ignore[attr-defined]
    window.log_out()
    settle(100)
    controller.login_window.close()
    return shoot.taken


def shoot_review(app: QApplication, root: Path, lang: str) -> list[Path]:
    """The records office's review window: a doubtful registration beside its candidates, and the conflicts tab
    (the records office the review tests build: four registrations matched against a small MPI, one conflict)."""
    from downtime.gui.review.app import ReviewApp
    from downtime.gui.review.window import TAB_CONFLICTS
    from tests.sync.conftest import PASSPHRASE
    from tests.sync.test_review import OFFICER_ID, OFFICER_PIN, build_review_site, send_conflicting_copy

    set_language(app, lang)
    shoot = Shooter(lang)
    if not (root / "ro").exists():
        site = build_review_site(root)
        ws = site.workspace()
        send_conflicting_copy(site, ws, "anjali", {"phone": "9900112244"})
        ws.close()
    controller = ReviewApp(root / "ro", passphrase=PASSPHRASE, maximized=False)
    controller.start()
    form = controller.login_window.form
    form.staff_id.setText(OFFICER_ID)
    form.pin.setText(OFFICER_PIN)
    form.submit()
    window = controller.window
    assert window is not None, form.error_label.text()
    window.resize(*SIZE)
    window.matches.select_candidate(2)  # the second candidate selected, as after pressing 2
    shoot.save(window, "review")
    window.tabs.setCurrentIndex(TAB_CONFLICTS)
    shoot.save(window, "review-conflicts")
    window.log_out()
    settle(100)
    controller.login_window.close()
    return shoot.taken


def main(argv: list[str]) -> int:
    """``take.py review`` takes only the records office's review window; ``take.py NAME ...`` only those screens."""
    only = frozenset(a for a in argv if a != "review")
    app = make_application()
    print_jobs.TARGET.pdf_only = True  # the forms go to PDF files in the throwaway home, not to a printer
    taken = []
    with tempfile.TemporaryDirectory() as tmp:
        if "review" not in argv:
            for lang in ("en", "hi"):  # a home each, so both languages show the same records
                home = Path(tmp) / f"home-{lang}"
                build_demo(home, patients=400, inpatients=40)
                add_lab_order(home)
                taken += shoot_all(app, home, lang, only)
        for lang in ("en", "hi") if not only else ():
            taken += shoot_review(app, Path(tmp) / "review", lang)
    app.processEvents()
    print(f"{len(taken)} screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
