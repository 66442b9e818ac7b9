"""A bundle is rejected whole if one byte changed, if it is cut short, or if the wrong PC or office made it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sync.bundle import BundleRejected
from sync.workspace import Workspace
from tests.sync.conftest import add_patients, device_key, export, make_office, make_ward, seal_to, workspace_rows

FLIPS = 200
CUTS = 10


@pytest.fixture
def bundle(ward: Path, ws: Workspace, usb: Path, tmp_path: Path) -> bytes:
    """A second bundle of the ward (the workspace already holds the first), not yet imported."""
    add_patients(ward, 5)
    ws.import_file(export(ward, usb).path)
    add_patients(ward, 30)
    return export(ward, tmp_path).path.read_bytes()


def test_one_changed_byte_anywhere_is_rejected_and_changes_nothing(ws: Workspace, bundle: bytes) -> None:
    before = workspace_rows(ws)
    rng = random.Random(6)
    positions = sorted({round(i * (len(bundle) - 1) / (FLIPS - 1)) for i in range(FLIPS)})
    assert len(positions) == FLIPS, "the bundle is too small to spread 200 flips over it"
    checks: set[str] = set()
    for pos in positions:
        damaged = bytearray(bundle)
        damaged[pos] ^= rng.randrange(1, 256)
        with pytest.raises(BundleRejected) as rejected:
            ws.import_bytes(bytes(damaged), "damaged.dtb")
        checks.add(rejected.value.check)
    assert workspace_rows(ws) == before
    assert {"format", "seal"} <= checks
    assert ws.import_bytes(bundle, "intact.dtb").new == 30 + 2 + 1  # patients, two logins, the first export


def test_truncated_bundle_is_rejected(ws: Workspace, bundle: bytes) -> None:
    before = workspace_rows(ws)
    for cut in sorted({0, 5, len(bundle) - 1, *(round(i * len(bundle) / CUTS) for i in range(1, CUTS - 2))}):
        with pytest.raises(BundleRejected):
            ws.import_bytes(bundle[:cut], "cut.dtb")
    assert workspace_rows(ws) == before


def test_bundle_signed_by_another_pc_claiming_the_same_code_is_rejected(ward: Path, ws: Workspace, office_home: Path,
                                                                       tmp_path: Path, usb: Path) -> None:
    impostor = make_ward(tmp_path / "impostor", device="W7-PC2")  # same code, its own keys
    seal_to(impostor, office_home)
    with pytest.raises(BundleRejected, match="not signed by the key trusted for W7-PC2") as rejected:
        ws.import_file(export(impostor, usb).path)
    assert (rejected.value.check, rejected.value.device) == ("signature", "W7-PC2")


def test_bundle_from_an_untrusted_pc_is_rejected(ws: Workspace, office_home: Path, tmp_path: Path, usb: Path) -> None:
    stranger = make_ward(tmp_path / "stranger", device="W9-PC1", block=9)
    seal_to(stranger, office_home)
    with pytest.raises(BundleRejected, match="W9-PC1 is not trusted") as rejected:
        ws.import_file(export(stranger, usb).path)
    assert rejected.value.check == "trust"


def test_bundle_sealed_for_another_office_is_rejected(ward: Path, ws: Workspace, tmp_path: Path, usb: Path) -> None:
    other_office = make_office(tmp_path / "other-office")
    seal_to(ward, other_office)
    before = workspace_rows(ws)
    with pytest.raises(BundleRejected, match="sealed for another records office") as rejected:
        ws.import_file(export(ward, usb).path)
    assert rejected.value.check == "seal" and "W7-PC2" in str(rejected.value)
    assert workspace_rows(ws) == before


def test_device_from_another_site_cannot_be_trusted(ws: Workspace, tmp_path: Path) -> None:
    from downtime.errors import DowntimeError
    from downtime.session import init_home
    from tests.conftest import ADMIN_ID, ADMIN_PIN

    init_home(tmp_path / "safdarjung", site_name="Safdarjung Hospital", device="W1-PC1", admin_id=ADMIN_ID,
              admin_name="IT", admin_pin=ADMIN_PIN).close()
    with pytest.raises(DowntimeError, match="belongs to site SAFDARJU"):
        ws.trust(device_key(tmp_path / "safdarjung"))


@pytest.mark.parametrize("data,check", [
    (b"", "format"),
    (b"PK\x03\x04 a zip file, not a bundle", "format"),
    (b"DTBUNDLE", "format"),
    (b"DTBUNDLE\x07\x06W7-PC2" + bytes(200), "format"),
    (b"DTBUNDLE\x01\x06W7-PC2" + bytes(200), "seal"),
    (b"DTBUNDLE\x01\xffW7-PC2", "format"),
])
def test_garbage_is_a_clear_rejection(ws: Workspace, data: bytes, check: str) -> None:
    with pytest.raises(BundleRejected) as rejected:
        ws.import_bytes(data, "garbage.dtb")
    assert rejected.value.check == check


def test_a_folder_or_a_device_file_is_not_read_as_a_bundle(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(BundleRejected, match="not a regular file"):
        ws.import_file(tmp_path)
