"""Screenshots of the ward app for the docs and for review, taken under a real X server.

    xvfb-run -a python docs/screenshots/take.py

Builds a throwaway demo home with synthetic patients, drives the real windows at
1366x768 (the common ward PC screen), and saves login.png, login-error.png,
main.png and locked.png next to this script.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

# The home is thrown away at the end, so PIN hashing need not resist guessing; it only has to be quick.
os.environ.setdefault("DOWNTIME_KDF", "fast")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

from downtime.gui.app import DowntimeApp, make_application
from downtime.session import init_home, login

OUT = Path(__file__).resolve().parent
SIZE = (1366, 768)
NURSE = ("N1042", "Kavita Sharma", "735190")
PATIENTS = (  # synthetic people
    {"name": "Suneeta Kumari", "sex": "female", "age_years": 34, "phone": "9810012345",
     "relative": "W/o Rajesh Kumar"},
    {"name": "Mohd Salim", "sex": "male", "dob": "1958-07-14", "relative": "S/o Abdul Rashid"},
    {"name": "Unknown male, about 40", "sex": "male", "age_years": 40},
    {"name": "B/O Suneeta Kumari", "sex": "female", "age_years": 0},
)


def build_home(path: Path) -> None:
    admin = init_home(path, site_name="AIIMS New Delhi", device="W7-PC2", admin_id="ADMIN1",
                      admin_name="IT Admin", admin_pin="482916", site_code="AIIMS")
    admin.add_staff(NURSE[0], NURSE[1], "ward", NURSE[2])
    # Declared late, as often happens: the start is when the HMIS stopped, two days back.
    started = dt.datetime.now() - dt.timedelta(days=2, hours=4, minutes=10)
    admin.start_downtime("ransomware", started_at=started.strftime("%Y-%m-%dT%H:%M"))
    admin.logout()
    nurse = login(path, NURSE[0], NURSE[2], via="cli")
    ids = [nurse.record("patient.register", p).human_id for p in PATIENTS]
    nurse.record("encounter.admit", {
        "patient": ids[0], "admitted_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "ward": "Medicine Ward 7",
        "bed": "14", "admitting_doctor": "Dr Anil Rao", "provisional_diagnosis": "Dengue fever"})
    nurse.record("note", {"patient": ids[2], "text": "Brought by police from Ring Road."})
    nurse.logout()


def settle(ms: int = 400) -> None:
    """Let Qt map, lay out and paint the windows before grabbing them."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QWidget, name: str) -> None:
    path = OUT / name
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path} ({widget.width()}x{widget.height()})")


def main() -> int:
    app = make_application()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        build_home(home)
        controller = DowntimeApp(home, maximized=False)
        controller.login_window.resize(*SIZE)
        controller.start()
        settle()
        save(controller.login_window, "login.png")

        form = controller.login_window.form
        form.staff_id.setText(NURSE[0])
        form.pin.setText("123890")
        form.submit()  # the wrong PIN, to see how the inline error reads
        settle()
        save(controller.login_window, "login-error.png")
        form.staff_id.setText(NURSE[0])
        form.pin.setText(NURSE[2])
        form.submit()
        window = controller.main_window
        assert window is not None, form.error_label.text()
        window.resize(*SIZE)
        settle()
        save(window, "main.png")

        window.lock()
        settle()
        save(window, "locked.png")
        window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
