"""Shared fixtures: every test builds its own throwaway downtime home with synthetic data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Argon2id at full cost would make each login take a quarter second; tests use the cheap profile.
os.environ["DOWNTIME_KDF"] = "fast"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from downtime.session import Session, init_home, login  # noqa: E402

ADMIN_ID, ADMIN_PIN = "ADMIN1", "482916"
NURSE_ID, NURSE_PIN = "N1042", "735190"
DOCTOR_ID, DOCTOR_PIN = "D2001", "264810"
LAB_ID, LAB_PIN = "L3001", "918273"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A ward PC home with an admin, a nurse, a doctor and a lab technician, and a downtime declared."""
    path = tmp_path / "home"
    admin = init_home(path, site_name="AIIMS New Delhi", device="W7-PC2", admin_id=ADMIN_ID,
                      admin_name="IT Admin", admin_pin=ADMIN_PIN)
    admin.add_staff(NURSE_ID, "Nurse Kavita", "ward", NURSE_PIN)
    admin.add_staff(DOCTOR_ID, "Dr Anil Rao", "doctor", DOCTOR_PIN)
    admin.add_staff(LAB_ID, "Lab Tech Imran", "lab", LAB_PIN)
    admin.start_downtime("HMIS down: ransomware")
    admin.close()
    return path


@pytest.fixture
def nurse(home: Path) -> Iterator[Session]:
    session = login(home, NURSE_ID, NURSE_PIN)
    yield session
    session.close()


@pytest.fixture
def doctor(home: Path) -> Iterator[Session]:
    session = login(home, DOCTOR_ID, DOCTOR_PIN)
    yield session
    session.close()


SUNITA = {"name": "Sunita Devi", "sex": "female", "age_years": 45, "phone": "9876543210",
          "relative": "W/o Ramesh Kumar", "address": "House 12, Sector 4, R K Puram, New Delhi",
          "pincode": "110022"}

# A real 10-patient Synthea FHIR Bulk export (CC0), kept in the repo so CI has it: importers must take
# real exports as they are, not only our own synthetic data.
SYNTHEA = Path(__file__).resolve().parent / "fixtures" / "fhir-bulk-synthea-10"
