"""A built-in demo site: a ward PC in the middle of an outage, with synthetic patients.

Everything here is made up (names, phones, UHIDs); nothing comes from a real hospital.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from downtime.home import Home
from downtime.session import Session, init_home

DEMO_STAFF = (
    # (staff ID, name, role, PIN)
    ("ADMIN1", "IT Admin (demo)", "admin", "482916"),
    ("N1042", "Nurse Kavita Sharma", "ward", "735190"),
    ("D2001", "Dr Anil Rao", "doctor", "264810"),
    ("L3001", "Imran Khan (lab)", "lab", "918273"),
)
DEMO_PATIENTS = (
    {"name": "Suneeta Kumari", "sex": "female", "age_years": 34, "phone": "9810012345",
     "relative": "W/o Rajesh Kumar", "relation_type": "wo", "address": "Gali 4, Sangam Vihar, New Delhi",
     "pincode": "110080"},
    {"name": "Mohd Salim", "sex": "male", "dob": "1958-07-14", "phone": "9871122334",
     "relative": "S/o Abdul Rashid", "relation_type": "so", "address": "Jama Masjid, Old Delhi",
     "pincode": "110006"},
    {"name": "Unknown male, about 40", "sex": "male", "age_years": 40,
     "address": "Brought by police from Ring Road"},
)


@dataclass(frozen=True)
class DemoInfo:
    home: Path
    created: bool

    def describe(self) -> str:
        head = "Built the demo site" if self.created else "The demo site is already built"
        lines = [f"{head} in {self.home}.", "Log in with one of these demo staff IDs and PINs:"]
        lines += [f"  {sid:<7} PIN {pin}   {role:<7} {name}" for sid, name, role, pin in DEMO_STAFF]
        return "\n".join(lines)


def build_demo(path: Path, *, patients: int = 2_000, inpatients: int = 120) -> DemoInfo:
    if Home(path).exists():
        return DemoInfo(path, created=False)
    sid, name, _, pin = DEMO_STAFF[0]
    admin = init_home(path, site_name="AIIMS New Delhi (demo)", device="W7-PC2", admin_id=sid,
                      admin_name=name, admin_pin=pin, site_code="AIIMS")
    admin.config.site.update(address="Ansari Nagar, New Delhi 110029", hfr_id="IN0710000001")
    admin.home.save_config(admin.config)
    for sid, name, role, pin in DEMO_STAFF[1:]:
        admin.add_staff(sid, name, role, pin)
    _import_demo_snapshot(admin, patients, inpatients)
    admin.start_downtime("HMIS unavailable: ransomware on the hospital network (demo)")
    _record_demo_entries(admin)
    admin.close()
    return DemoInfo(path, created=True)


def _import_demo_snapshot(admin: Session, patients: int, inpatients: int) -> None:
    from downtime.demo_data import generate_export
    from downtime.snapshot_store import install_snapshot

    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp)
        # Taken "an hour ago", as if the last scheduled refresh ran just before the HMIS went down.
        as_of = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
        generate_export(export, patients=patients, inpatients=inpatients, seed=2022, as_of=as_of)
        install_snapshot(admin.home, sorted(export.glob("*.ndjson")))


def _record_demo_entries(admin: Session) -> None:
    ids = [admin.record("patient.register", p).human_id for p in DEMO_PATIENTS]
    admin.record("encounter.admit", {
        "patient": ids[0], "admitted_at": _today("09:40"), "department": "Medicine", "ward": "Medicine Ward 7",
        "bed": "14", "admitting_doctor": "Dr Anil Rao", "provisional_diagnosis": "Dengue fever, warning signs",
        "consent_language": "hi", "consent_given": True})
    admin.record("encounter.admit", {
        "patient": ids[2], "admitted_at": _today("11:05"), "department": "Surgery", "ward": "Casualty",
        "bed": "C-3", "admitting_doctor": "Dr Meera Iyer", "provisional_diagnosis": "Head injury, RTA",
        "mlc": True, "police_station": "Hauz Khas", "constable_name": "HC Suresh Yadav",
        "constable_number": "1234/SD"})


def _today(hhmm: str) -> str:
    return f"{dt.date.today().isoformat()} {hhmm}"
