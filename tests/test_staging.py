"""Staging: non-overlapping ID blocks, encrypted per-PC packages, and first login with a setup code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from downtime import ids, staging
from downtime.errors import DowntimeError
from downtime.session import PinChangeRequiredError, login
from downtime.vault import WrongPinError

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "monsoon-ward-7-staging"

SITE_TOML = """
[site]
name = "AIIMS New Delhi"
code = "AIIMS"
hfr_id = "IN0710000001"
address = "Ansari Nagar, New Delhi 110029"

[[wards]]
code = "W7"
name = "Medicine Ward 7"

[[printers]]
name = "W7-LASER"
ward = "W7"

[[devices]]
code = "W7-PC1"
ward = "W7"

[[devices]]
code = "W7-PC2"
ward = "W7"

[[staff]]
id = "ADMIN1"
name = "IT Admin"
role = "admin"
setup_code = "503917"

[[staff]]
id = "N1042"
name = "Kavita Sharma"
role = "ward"
setup_code = "731946"

[settings]
idle_lock_minutes = 3
"""


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(SITE_TOML)
    return path


def test_plan_for_500_devices_never_overlaps(site_file: Path) -> None:
    plan = staging.plan_devices(staging.load_site_file(site_file), 500)
    blocks = [d["block"] for d in plan.devices]
    codes = [d["code"] for d in plan.devices]
    assert len(plan.devices) == 500 and len(set(blocks)) == 500 and len(set(codes)) == 500
    assert codes[:2] == ["W7-PC1", "W7-PC2"]  # devices named in the site file come first
    # Every ID a device can issue carries its own block number, so the ranges are disjoint.
    seen: dict[str, str] = {}
    for d in plan.devices:
        block = ids.IdBlock(plan.site_code, d["block"], plan.block_size)
        for serial in (1, 2, plan.block_size // 2, plan.block_size - 1, plan.block_size):
            human_id = str(block.id_for(serial))
            assert ids.parse(human_id).block == d["block"]
            assert seen.setdefault(human_id, d["code"]) == d["code"]


def test_a_plan_only_grows(site_file: Path) -> None:
    site = staging.load_site_file(site_file)
    first = staging.plan_devices(site, 3)
    before = [dict(d) for d in first.devices]
    grown = staging.plan_devices(site, 6, first)
    assert grown.devices[:3] == before
    assert [d["block"] for d in grown.devices] == [1, 2, 3, 4, 5, 6]


def test_site_file_errors_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    bad.write_text(SITE_TOML.replace('role = "admin"', 'role = "ward"'))
    with pytest.raises(DowntimeError, match="at least one admin"):
        staging.load_site_file(bad)
    bad.write_text(SITE_TOML.replace('setup_code = "731946"', 'setup_code = "1234"'))
    with pytest.raises(DowntimeError, match="setup code of N1042"):
        staging.load_site_file(bad)
    bad.write_text("[site\nname=")
    with pytest.raises(DowntimeError, match="not valid TOML"):
        staging.load_site_file(bad)


def test_package_apply_and_first_login_with_setup_code(site_file: Path, tmp_path: Path) -> None:
    site = staging.load_site_file(site_file)
    plan = staging.plan_devices(site, 2)
    package = staging.make_package(site, plan, "W7-PC2", PASSPHRASE)
    assert b"731946" not in package and b"Kavita" not in package
    with pytest.raises(DowntimeError, match="wrong staging passphrase"):
        staging.open_package(package, "not-the-passphrase")

    home = tmp_path / "pc"
    session = staging.apply_package(home, staging.open_package(package, PASSPHRASE))
    assert session.config.device == "W7-PC2" and session.config.ward == "W7"
    assert session.config.keys["signing_public"] == plan.device("W7-PC2")["signing_public"]
    assert session.config.setting("idle_lock_minutes") == 3
    session.close()

    with pytest.raises(PinChangeRequiredError, match="choose a PIN"):
        login(home, "N1042", "731946")
    login(home, "N1042", "731946", new_pin="482059").close()
    with pytest.raises(WrongPinError):
        login(home, "N1042", "731946")  # the setup code worked once
    nurse = login(home, "N1042", "482059")
    first = nurse.record("patient.register", {"name": "Asha", "sex": "female", "age_years": 30}).human_id
    assert first == str(ids.IdBlock("AIIMS", 2).id_for(1))
    nurse.close()


def test_stage_commands_from_the_cli(site_file: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOWNTIME_STAGING_PASSPHRASE": PASSPHRASE}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "downtime", *args], capture_output=True, text=True,
                              env=env, stdin=subprocess.DEVNULL, timeout=120)

    r = run("stage", "plan", "--site", str(site_file), "--devices", "4")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "W7-PC1.dtpkg"
    r = run("stage", "package", "--site", str(site_file), "--device", "W7-PC1", "--out", str(out))
    assert r.returncode == 0, r.stderr
    plan = json.loads((tmp_path / "plan.json").read_text())
    fingerprint = plan["devices"][0]["fingerprint"]
    assert fingerprint and fingerprint in r.stdout
    r = run("--home", str(tmp_path / "pc1"), "stage", "apply", str(out))
    assert r.returncode == 0, r.stderr
    assert "block 001" in r.stdout
    r = run("--home", str(tmp_path / "pc1"), "stage", "apply", str(out))
    assert r.returncode == 1 and "already staged" in r.stderr
