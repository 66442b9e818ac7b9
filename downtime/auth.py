"""Staff PINs: strength rules, unlocking the vault, and lockout after repeated failures.

Failed logins happen before the journal can be opened (it needs the PIN), so
they are kept in ``keyring.json`` as pending auth events and written to the
journal by the next successful login on this PC.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from downtime import clock
from downtime.errors import DowntimeError
from downtime.home import DeviceConfig, Home
from downtime.vault import WrongPinError, unwrap_secret, wrap_secret

ROLES = ("ward", "doctor", "lab", "records", "admin")
PIN_MIN, PIN_MAX = 6, 12


class LockedOutError(DowntimeError):
    pass


class UnknownStaffError(DowntimeError):
    pass


def check_staff_id(staff_id: str) -> str:
    sid = staff_id.strip().upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9._\-]{0,31}", sid):
        raise DowntimeError(f"staff ID {staff_id!r}: use 1-32 letters, digits, '.', '_' or '-', such as N1042")
    return sid


def check_role(role: str) -> str:
    r = role.strip().lower()
    if r not in ROLES:
        raise DowntimeError(f"role {role!r} is not known; choose one of: {', '.join(ROLES)}")
    return r


def check_pin_strength(pin: str) -> None:
    if not (pin.isascii() and pin.isdecimal()) or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise DowntimeError(f"a PIN is {PIN_MIN} to {PIN_MAX} digits")
    if len(set(pin)) == 1 or pin in "01234567890123456789" or pin in "98765432109876543210":
        raise DowntimeError("that PIN is too easy to guess (repeated or running digits); choose another")


def _now() -> dt.datetime:
    return clock.now()


def add_pin(home: Home, staff_id: str, vault_key: bytes, pin: str, *, setup_code: bool = False) -> None:
    """Let ``staff_id`` unlock this PC. A setup code works once, to choose a PIN of their own."""
    check_pin_strength(pin)
    keyring = home.load_keyring() if home.keyring_path.exists() else {"staff": {}, "pending": []}
    if staff_id in keyring["staff"]:
        raise DowntimeError(f"staff ID {staff_id} already exists on this PC")
    keyring["staff"][staff_id] = {"wrap": wrap_secret(vault_key, pin), "failed": 0, "locked_until": None,
                                  "setup_code": setup_code}
    home.save_keyring(keyring)


def set_pin(home: Home, staff_id: str, vault_key: bytes, new_pin: str) -> None:
    """Replace a staff member's PIN (or setup code) with ``new_pin``."""
    check_pin_strength(new_pin)
    keyring = home.load_keyring()
    keyring["staff"][staff_id].update(wrap=wrap_secret(vault_key, new_pin), setup_code=False, failed=0,
                                      locked_until=None)
    home.save_keyring(keyring)


def needs_new_pin(home: Home, staff_id: str) -> bool:
    record = home.load_keyring()["staff"].get(staff_id.strip().upper())
    return bool(record and record.get("setup_code"))


def unlock(home: Home, config: DeviceConfig, staff_id: str, pin: str) -> bytes:
    """The vault key. Counts failures and locks out after too many."""
    sid = staff_id.strip().upper()
    keyring = home.load_keyring()
    record = keyring["staff"].get(sid)
    if record is None:
        raise UnknownStaffError(f"staff ID {sid} is not set up on this PC; check the ID, or ask an admin to "
                                "add you")
    _refuse_if_locked(sid, record, config)
    try:
        vault_key = unwrap_secret(record["wrap"], pin)
    except WrongPinError:
        raise _failed(home, config, keyring, sid) from None
    record.update(failed=0, locked_until=None)
    home.save_keyring(keyring)
    return vault_key


def pending_events(home: Home) -> list[dict[str, Any]]:
    """Failed logins and lockouts not yet in the journal (it was locked when they happened)."""
    return list(home.load_keyring().get("pending", []))


def clear_pending_events(home: Home, count: int) -> None:
    """Forget the first ``count`` pending events, once they are safely in the journal."""
    keyring = home.load_keyring()
    keyring["pending"] = keyring.get("pending", [])[count:]
    home.save_keyring(keyring)


def _refuse_if_locked(sid: str, record: dict[str, Any], config: DeviceConfig) -> None:
    until = record.get("locked_until")
    if not until:
        return
    left = dt.datetime.fromisoformat(until) - _now()
    # A lock never lasts longer than it was set for: if more is left, the clock was set back since (a
    # clock days ahead, then corrected), and the staff member must not be locked out for days.
    if dt.timedelta(0) < left <= dt.timedelta(minutes=float(config.setting("lockout_minutes"))):
        raise LockedOutError(f"staff ID {sid} is locked after too many wrong PINs; try again after "
                             f"{dt.datetime.fromisoformat(until):%H:%M}, or ask an admin to unlock it")


def _failed(home: Home, config: DeviceConfig, keyring: dict[str, Any], sid: str) -> DowntimeError:
    record = keyring["staff"][sid]
    record["failed"] = record.get("failed", 0) + 1
    attempts = int(config.setting("lockout_attempts"))
    at = _now().isoformat(timespec="seconds")
    pending = keyring.setdefault("pending", [])
    pending.append({"kind": "auth.login_failed", "staff_id": sid, "at": at, "failed_attempts": record["failed"]})
    if record["failed"] >= attempts:
        until = _now() + dt.timedelta(minutes=float(config.setting("lockout_minutes")))
        record.update(failed=0, locked_until=until.isoformat(timespec="seconds"))
        pending.append({"kind": "auth.lockout", "staff_id": sid, "at": at,
                        "locked_until": until.isoformat(timespec="seconds")})
        home.save_keyring(keyring)
        return LockedOutError(f"wrong PIN for {sid}; after {attempts} wrong PINs this staff ID is locked until "
                              f"{until:%H:%M}")
    home.save_keyring(keyring)
    left = attempts - record["failed"]
    return WrongPinError(f"wrong PIN for {sid}; {left} {'try' if left == 1 else 'tries'} left before it locks")


def clear_lockout(home: Home, staff_id: str) -> None:
    keyring = home.load_keyring()
    record = keyring["staff"].get(staff_id)
    if record is None:
        raise UnknownStaffError(f"staff ID {staff_id} is not set up on this PC")
    record.update(failed=0, locked_until=None)
    home.save_keyring(keyring)
