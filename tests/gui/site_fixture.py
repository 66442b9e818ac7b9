"""A small synthetic downtime home for the GUI tests, and a way to read its journal back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from downtime.session import init_home, login

ADMIN_ID, ADMIN_PIN = "A1", "864209"
NURSE_ID, NURSE_NAME, NURSE_PIN = "N1", "Sunita Sharma", "527391"
DOCTOR_ID, DOCTOR_NAME, DOCTOR_PIN = "D7", "Dr Arvind Rao", "603518"
SITE, DEVICE = "AIIMS New Delhi", "W7-PC2"


@dataclass(frozen=True)
class Site:
    path: Path
    patient_id: str  # the downtime ID of the patient registered today


def make_site(path: Path, *, block_size: int = 99_999, patients: int = 1) -> Site:
    """A ward PC in a declared downtime, with a nurse, a doctor and ``patients`` registered by the admin."""
    admin = init_home(path, site_name=SITE, device=DEVICE, admin_id=ADMIN_ID, admin_name="IT Admin",
                      admin_pin=ADMIN_PIN, block_size=block_size)
    try:
        admin.add_staff(NURSE_ID, NURSE_NAME, "ward", NURSE_PIN)
        admin.add_staff(DOCTOR_ID, DOCTOR_NAME, "doctor", DOCTOR_PIN)
        admin.start_downtime("ransomware")
        ids = [admin.record("patient.register", {"name": f"Ramesh Kumar {i}", "sex": "male", "age_years": 40 + i})
               .human_id for i in range(patients)]
    finally:
        admin.logout()
    return Site(path, ids[-1] or "")


def journal_kinds(path: Path, kind: str) -> list[dict[str, Any]]:
    """Payloads of every ``kind`` entry in the home's journal, read through a fresh admin login."""
    session = login(path, ADMIN_ID, ADMIN_PIN, via="test")
    try:
        return [{"staff": e.staff, **e.payload} for e in session.journal.entries(kind=kind)]
    finally:
        session.close()
