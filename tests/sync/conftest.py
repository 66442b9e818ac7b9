"""Fixtures for sync: a records office with its workspace, and the ward PC of tests/conftest.py staged for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from downtime.home import Home
from downtime.session import Session, init_home, login
from sync.export import ExportResult, export_bundle
from sync.keys import KeyFile, device_key_file
from sync.office import office_key_file
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN, NURSE_ID, NURSE_PIN, SUNITA

PASSPHRASE = "seven wards of paper"
TABLES = ("meta", "devices", "entries", "conflicts", "bundles", "external_refs")


def make_office(path: Path, site_name: str = "AIIMS New Delhi", device: str = "RO-PC1") -> Path:
    session = init_home(path, site_name=site_name, device=device, admin_id=ADMIN_ID, admin_name="Records Admin",
                        admin_pin=ADMIN_PIN, records_office=True, block=999)  # its own ID block, as staged
    Workspace.create(session, PASSPHRASE).close()
    session.close()
    return path


def make_ward(path: Path, device: str = "W7-PC2", block: int = 7) -> Path:
    session = init_home(path, site_name="AIIMS New Delhi", device=device, admin_id=ADMIN_ID, admin_name="IT Admin",
                        admin_pin=ADMIN_PIN, block=block)
    session.add_staff(NURSE_ID, "Nurse Kavita", "ward", NURSE_PIN)
    session.start_downtime("HMIS down: ransomware")
    session.close()
    return path


def device_key(home: Path) -> KeyFile:
    return device_key_file(Home(home).load_config())


def seal_to(ward_home: Path, office_home: Path) -> None:
    """What IT does at staging: the ward PC seals its bundles to this records office."""
    admin = login(ward_home, ADMIN_ID, ADMIN_PIN)
    admin.trust_office(office_key_file(Home(office_home)).key)
    admin.close()


def nurse_session(home: Path) -> Session:
    return login(home, NURSE_ID, NURSE_PIN)


def add_patients(home: Path, count: int) -> list[str]:
    session = nurse_session(home)
    try:
        return [session.record("patient.register", {**SUNITA, "name": f"Patient {i}", "age_years": 20 + i % 60})
                .uuid for i in range(count)]
    finally:
        session.close()


def export(home: Path, out: Path, *, full: bool = False) -> ExportResult:
    session = nurse_session(home)
    try:
        return export_bundle(session, out, full=full)
    finally:
        session.close()


def workspace_rows(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every workspace table, to prove a rejected bundle changed nothing."""
    return {t: sorted(tuple(r.values()) for r in ws.db[t].rows) for t in TABLES}


@pytest.fixture
def office_home(tmp_path: Path) -> Path:
    return make_office(tmp_path / "office")


@pytest.fixture
def ws(office_home: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(office_home, PASSPHRASE)
    yield workspace
    workspace.close()


@pytest.fixture
def ward(home: Path, office_home: Path, ws: Workspace) -> Path:
    """The ward PC W7-PC2 (nurse, doctor, downtime declared), sealing to the office, which trusts it."""
    seal_to(home, office_home)
    ws.trust(device_key(home))
    return home


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    path = tmp_path / "usb"
    path.mkdir()
    return path
