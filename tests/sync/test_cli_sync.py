"""The sync commands as IT and the records office run them: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.sync.conftest import PASSPHRASE
from tests.test_cli import assert_one_line_error, run

OFFICE = {"DOWNTIME_PASSPHRASE": PASSPHRASE}


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A records office and one ward PC, staged for each other with the four key commands."""
    root = tmp_path_factory.mktemp("site")
    ro, ward = str(root / "ro"), str(root / "ward")
    out = ok(run("--home", ro, "init", "--site", "AIIMS New Delhi", "--device", "RO-PC1", "--records-office",
                 "--block", "999", **OFFICE))
    assert "Records-office key" in out
    ok(run("--home", ward, "init", "--site", "AIIMS New Delhi", "--device", "W7-PC2", "--block", "7"))
    assert "records office RO-PC1" in ok(run("--home", ro, "reconcile", "pubkey", "--out", str(root / "office.pub")))
    ok(run("--home", ward, "keys", "export", "--out", str(root / "device.pub")))
    ok(run("--home", ward, "keys", "trust-office", str(root / "office.pub")))
    assert "device W7-PC2 trusted" in ok(run("--home", ro, "reconcile", "trust", str(root / "device.pub"), **OFFICE))
    (root / "usb").mkdir()
    return root


def test_from_first_bundle_to_all_devices_complete(site: Path, tmp_path: Path) -> None:
    ro, ward, usb = str(site / "ro"), str(site / "ward"), str(site / "usb")
    ok(run("--home", ward, "event", "start", "--reason", "HMIS down"))
    patient = tmp_path / "p.json"
    patient.write_text(json.dumps({"name": "Sunita Devi", "sex": "female", "age_years": 45}))
    ok(run("--home", ward, "entry", "add", "patient.register", "--json", str(patient)))
    assert "checked by reading it back" in ok(run("--home", ward, "export", "--out", usb))
    assert "0 duplicates skipped" in ok(run("--home", ro, "reconcile", "import", usb, **OFFICE))
    status = json.loads(ok(run("--home", ro, "reconcile", "status", "--json", **OFFICE)))
    w7 = next(d for d in status["devices"] if d["device"] == "W7-PC2")
    assert (status["complete"], w7["downtime_open"], w7["gaps"]) == (False, True, [])

    ok(run("--home", ward, "event", "end"))
    ok(run("--home", ward, "export", "--out", usb))
    imported = ok(run("--home", ro, "reconcile", "import", usb, **OFFICE))
    assert "imported before" in imported and "0 new" in imported.splitlines()[0]
    text = ok(run("--home", ro, "reconcile", "status", **OFFICE))
    assert text.strip().endswith("all devices complete"), text


def test_a_damaged_bundle_is_one_line_naming_the_check_and_the_device(site: Path, tmp_path: Path) -> None:
    ok(run("--home", str(site / "ward"), "export", "--out", str(tmp_path)))
    [bundle] = tmp_path.glob("*.dtb")
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x20
    bundle.write_bytes(bytes(data))
    result = run("--home", str(site / "ro"), "reconcile", "import", str(bundle), **OFFICE)
    assert_one_line_error(result, "rejected, nothing imported", "seal check", "W7-PC2")
    (tmp_path / "notes.dtb").write_text("shopping list")
    result = run("--home", str(site / "ro"), "reconcile", "import", str(tmp_path / "notes.dtb"), **OFFICE)
    assert_one_line_error(result, "format check", "not a downtime bundle")


@pytest.mark.parametrize("args,env,words", [
    (("reconcile", "status"), {"DOWNTIME_PASSPHRASE": "not the passphrase"}, ("wrong records-office passphrase",)),
    (("reconcile", "status"), {"DOWNTIME_PASSPHRASE": ""}, ("set DOWNTIME_PASSPHRASE",)),
    (("reconcile", "trust", "{site}/office.pub"), OFFICE, ("is a office key, not a device key",)),
])
def test_records_office_errors_are_one_line(site: Path, args: tuple[str, ...], env: dict[str, str],
                                            words: tuple[str, ...]) -> None:
    result = run("--home", str(site / "ro"), *(a.format(site=site) for a in args), **env)
    assert_one_line_error(result, *words)


def test_reconcile_commands_on_a_ward_pc_say_what_is_wrong(site: Path) -> None:
    result = run("--home", str(site / "ward"), "reconcile", "status", **OFFICE)
    assert_one_line_error(result, "is not a records-office folder")


def test_records_office_init_without_a_passphrase_writes_nothing(tmp_path: Path) -> None:
    result = run("--home", str(tmp_path / "ro"), "init", "--site", "AIIMS", "--device", "RO-PC1", "--records-office",
                 DOWNTIME_PASSPHRASE="short")
    assert_one_line_error(result, "at least 8 characters")
    assert not (tmp_path / "ro").exists()


def test_entry_import_lists_bad_rows_and_imports_the_rest(site: Path, tmp_path: Path) -> None:
    path = tmp_path / "paper.csv"
    path.write_text("row_id,ward,name,sex,dob,age_years,phone,address,pincode,relative,uhid\n"
                    "F-101,W7,Ramu Prasad,M,,70,,,,S/o Late Shyam Lal,\n"
                    "F-102,W7,Geeta,female,12/03/1990,,,,,,\n")
    result = run("--home", str(site / "ward"), "entry", "import", "patient.register", str(path))
    assert "imported 1 of 2 rows" in result.stdout
    assert "row 3 (F-102): patient.register: Date of birth (dob) write the date as YYYY-MM-DD" in result.stdout
    assert_one_line_error(result, "1 rows were not imported")
