"""Staff PINs: any valid PIN unlocks, wrong PINs lock out, and every attempt is journaled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from downtime.auth import LockedOutError, UnknownStaffError
from downtime.encrypted_db import WrongKeyError, open_encrypted
from downtime.errors import DowntimeError, PermissionDeniedError
from downtime.home import Home
from downtime.session import login
from downtime.vault import WrongPinError
from tests.conftest import ADMIN_ID, ADMIN_PIN, DOCTOR_ID, DOCTOR_PIN, NURSE_ID, NURSE_PIN, SUNITA


def test_every_staff_pin_opens_the_same_journal(home: Path) -> None:
    a = login(home, NURSE_ID, NURSE_PIN)
    uuid = a.record("patient.register", SUNITA).uuid
    a.close()
    b = login(home, DOCTOR_ID, DOCTOR_PIN)
    assert b.journal.get(uuid).payload["name"] == "Sunita Devi"
    assert b.staff.role == "doctor" and b.staff.name == "Dr Anil Rao"
    b.close()


def test_wrong_pin_then_lockout_after_five_and_all_journaled(home: Path) -> None:
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPinError, match=f"{left} tr"):
            login(home, NURSE_ID, "111222")
    with pytest.raises(LockedOutError, match="locked until"):
        login(home, NURSE_ID, "111222")
    with pytest.raises(LockedOutError, match="try again after"):
        login(home, NURSE_ID, NURSE_PIN)  # even the right PIN waits out the lockout
    admin = login(home, ADMIN_ID, ADMIN_PIN)
    kinds = [e.kind for e in admin.journal.entries()]
    assert kinds.count("auth.login_failed") == 5 and kinds.count("auth.lockout") == 1
    admin.unlock_staff(NURSE_ID)
    admin.close()
    login(home, NURSE_ID, NURSE_PIN).close()


def test_lockout_time_is_configurable(home: Path) -> None:
    h = Home(home)
    cfg = h.load_config()
    cfg.settings["lockout_minutes"] = 0
    h.save_config(cfg)
    for _ in range(5):
        with pytest.raises(DowntimeError):
            login(home, NURSE_ID, "111222")
    login(home, NURSE_ID, NURSE_PIN).close()  # a zero-minute lockout has already expired


def test_login_and_logout_are_journaled(home: Path) -> None:
    s = login(home, NURSE_ID, NURSE_PIN)
    s.logout()
    s = login(home, ADMIN_ID, ADMIN_PIN)
    tail = [(e.kind, e.payload.get("staff_id")) for e in s.journal.entries()][-3:]
    assert tail == [("auth.login", NURSE_ID), ("auth.logout", NURSE_ID), ("auth.login", ADMIN_ID)]
    s.close()


def test_unknown_staff_and_weak_pins_are_refused_clearly(home: Path) -> None:
    with pytest.raises(UnknownStaffError, match="not set up on this PC"):
        login(home, "NOBODY", "123987")
    admin = login(home, ADMIN_ID, ADMIN_PIN)
    for weak in ("1234", "111111", "123456", "abcdef"):
        with pytest.raises(DowntimeError, match="PIN"):
            admin.add_staff("N9", "New Nurse", "ward", weak)
    admin.close()


def test_roles_limit_what_staff_may_record(nurse, doctor) -> None:  # type: ignore[no-untyped-def]
    patient = nurse.record("patient.register", SUNITA).human_id
    mccd = {"form_variant": "form4", "patient": patient, "died_at": "2026-11-21 04:10",
            "deceased_name": "Sunita Devi", "sex": "female", "age_years": 45, "cause_a": "Septic shock",
            "certifier_name": "Dr Anil Rao", "certifier_registration_number": "DMC/R/12345"}
    with pytest.raises(PermissionDeniedError, match="needs one of: doctor"):
        nurse.record("mccd", mccd)
    assert doctor.record("mccd", mccd).kind == "mccd"
    with pytest.raises(PermissionDeniedError):
        nurse.add_staff("X1", "Someone", "admin", "739164")


def test_files_alone_reveal_nothing(home: Path) -> None:
    keyring = json.loads((home / "keyring.json").read_text())
    assert set(keyring["staff"]) == {ADMIN_ID, NURSE_ID, DOCTOR_ID, "L3001"}
    assert NURSE_PIN not in (home / "keyring.json").read_text()
    with pytest.raises(WrongKeyError, match="cannot be opened with this key"):
        open_encrypted(home / "journal.db", b"\x00" * 32)
