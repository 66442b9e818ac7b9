"""Staging: from one site file written by IT to ward PCs that are ready for an outage.

    site.toml ──stage plan──▶ plan.json (devices, ID blocks, public keys)
              ──stage package --device W7-PC2──▶ W7-PC2.dtpkg (passphrase-protected)
    on the PC: downtime --home DIR stage apply W7-PC2.dtpkg

Blocks are handed out by the plan, one block number per device, and the plan
only ever grows, so two devices can never hold the same block. Device keys are
made at packaging time, so the plan (and the IT summary sheet) can list every
device's key fingerprint and the records office can trust them before any
bundle arrives. A package holds a device's private keys and the staff setup
codes, so it is encrypted under a staging passphrase.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nacl.exceptions

from downtime import auth
from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError
from downtime.home import DEFAULT_SETTINGS, WARD, DeviceConfig, Home, validate_device_code
from downtime.ids import MAX_BLOCK, MAX_SERIAL, IdBlock
from downtime.session import NewStaff, Session, create_home
from downtime.vault import Secrets, b64, open_with_passphrase, seal_with_passphrase, unb64

PLAN_FORMAT = 1
PACKAGE_FORMAT = 1
LOGO_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class StaffSeed:
    staff_id: str
    name: str
    role: str
    setup_code: str


@dataclass(frozen=True)
class SiteFile:
    name: str
    code: str
    hfr_id: str
    address: str
    logo: bytes | None
    wards: list[dict[str, Any]]
    printers: list[dict[str, Any]]
    staff: list[StaffSeed]
    devices: list[dict[str, Any]]
    office_public: str | None
    settings: dict[str, Any]
    block_size: int = MAX_SERIAL

    def site_config(self) -> dict[str, Any]:
        return {"name": self.name, "code": self.code, "address": self.address, "hfr_id": self.hfr_id,
                "logo": "logo.png" if self.logo else "", "wards": self.wards, "printers": self.printers}


def _need(raw: dict[str, Any], key: str, where: str) -> Any:
    if key not in raw or raw[key] in ("", None):
        raise DowntimeError(f"site file: {where} needs '{key}'")
    return raw[key]


def load_site_file(path: Path) -> SiteFile:
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise DowntimeError(f"site file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DowntimeError(f"site file {path} is not valid TOML: {exc}") from None
    site = _need(raw, "site", "the file")
    staff = [_staff_seed(s, i) for i, s in enumerate(raw.get("staff", []), start=1)]
    if not any(s.role == "admin" for s in staff):
        raise DowntimeError("site file: the [[staff]] list needs at least one admin, who sets up the PCs")
    _no_duplicates([s.staff_id for s in staff], "staff ID")
    settings = {**DEFAULT_SETTINGS, **raw.get("settings", {})}
    unknown = set(settings) - set(DEFAULT_SETTINGS)
    if unknown:
        raise DowntimeError(f"site file: unknown settings {', '.join(sorted(unknown))}; known: "
                            f"{', '.join(DEFAULT_SETTINGS)}")
    code = str(site.get("code") or "").upper()
    IdBlock(code or "X", 1)  # a bad site code fails here, with its rule, before anything is planned
    return SiteFile(
        name=_need(site, "name", "[site]"), code=_need(site, "code", "[site]").upper(),
        hfr_id=site.get("hfr_id", ""), address=site.get("address", ""),
        logo=_read_logo(path.parent, site.get("logo")), wards=list(raw.get("wards", [])),
        printers=list(raw.get("printers", [])), staff=staff, devices=list(raw.get("devices", [])),
        office_public=raw.get("records_office", {}).get("public_key"), settings=settings,
        block_size=int(raw.get("ids", {}).get("block_size", MAX_SERIAL)),
    )


def _staff_seed(raw: dict[str, Any], n: int) -> StaffSeed:
    where = f"[[staff]] number {n}"
    sid = auth.check_staff_id(str(_need(raw, "id", where)))
    code = str(_need(raw, "setup_code", where))
    try:
        auth.check_pin_strength(code)
    except DowntimeError as exc:
        raise DowntimeError(f"site file: setup code of {sid}: {exc}") from None
    return StaffSeed(sid, _need(raw, "name", where), auth.check_role(_need(raw, "role", where)), code)


def _read_logo(folder: Path, name: str | None) -> bytes | None:
    if not name:
        return None
    path = folder / name
    if not path.is_file():
        raise DowntimeError(f"site file: logo {path} does not exist")
    data = path.read_bytes()
    if len(data) > LOGO_MAX_BYTES:
        raise DowntimeError(f"site file: logo {path} is over {LOGO_MAX_BYTES // 1024} kB; use a smaller PNG")
    return data


def _no_duplicates(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise DowntimeError(f"site file: {what} {v} appears twice")
        seen.add(v)


# -- plan ------------------------------------------------------------------------------------

@dataclass
class Plan:
    site_code: str
    block_size: int
    devices: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"format": PLAN_FORMAT, "site_code": self.site_code, "block_size": self.block_size,
                "devices": self.devices}

    @classmethod
    def load(cls, path: Path) -> Plan:
        try:
            raw = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise DowntimeError(f"plan {path} does not exist; make it with 'downtime stage plan'") from None
        except ValueError:
            raise DowntimeError(f"plan {path} is damaged (not JSON); restore it from your backup") from None
        return cls(raw["site_code"], raw["block_size"], raw["devices"])

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(self.to_json(), indent=2).encode())

    def device(self, code: str) -> dict[str, Any]:
        code = validate_device_code(code)
        for d in self.devices:
            if d["code"] == code:
                return d
        raise DowntimeError(f"device {code} is not in the plan; add it with 'downtime stage plan --devices N'")


def plan_devices(site: SiteFile, count: int, existing: Plan | None = None) -> Plan:
    """Give ``count`` devices a block each; devices already planned keep theirs."""
    plan = existing or Plan(site.code, site.block_size)
    if plan.site_code != site.code:
        raise DowntimeError(f"the plan is for site {plan.site_code}, the site file for {site.code}")
    named = [validate_device_code(str(_need(d, "code", "[[devices]]"))) for d in site.devices]
    _no_duplicates(named, "device code")
    wards = {validate_device_code(str(d["code"])): d.get("ward", "") for d in site.devices}
    planned = {d["code"] for d in plan.devices}
    next_block = max((d["block"] for d in plan.devices), default=0) + 1
    generated = (f"PC-{i:03d}" for i in range(1, MAX_BLOCK + 1))
    while len(plan.devices) < max(count, len(named)):
        code = next((c for c in named if c not in planned), None) or next(c for c in generated if c not in planned)
        if next_block > MAX_BLOCK:
            raise DowntimeError(f"a site can have at most {MAX_BLOCK} device blocks")
        plan.devices.append({"code": code, "block": next_block, "ward": wards.get(code, ""),
                             "signing_public": None, "fingerprint": None})
        planned.add(code)
        next_block += 1
    return plan


def fingerprint(public_key_b64: str) -> str:
    """A short, readable fingerprint of a public key, for sheets and screens."""
    digest = hashlib.sha256(unb64(public_key_b64)).digest()
    text = base64.b32encode(digest[:10]).decode("ascii")
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


# -- package ---------------------------------------------------------------------------------

def make_package(site: SiteFile, plan: Plan, device_code: str, passphrase: str) -> bytes:
    """The encrypted provisioning file for one device; records its public key in the plan."""
    device = plan.device(device_code)
    if device.get("signing_public"):
        # A second package would start a second journal in the same ID block: two PCs issuing the same
        # downtime IDs, and a chain the records office refuses as a clone of the first.
        raise DowntimeError(f"{device['code']} was packaged before (key {device['fingerprint']}); a re-staged PC "
                            "needs a device code of its own: add one to the site file's [[devices]], run "
                            "'downtime stage plan --devices N' with one more device, and package that one")
    secrets = Secrets.generate()
    signing_public = b64(bytes(secrets.signing_key.verify_key))
    device.update(signing_public=signing_public, fingerprint=fingerprint(signing_public),
                  packaged_at=dt.datetime.now().isoformat(timespec="seconds"))
    body = {
        "format": PACKAGE_FORMAT, "site": site.site_config(), "device": device["code"], "ward": device["ward"],
        "id_block": {"block": device["block"], "size": plan.block_size},
        "settings": site.settings, "office_public": site.office_public,
        "logo": b64(site.logo) if site.logo else None, "secrets": json.loads(secrets.to_json()),
        "staff": [{"staff_id": s.staff_id, "name": s.name, "role": s.role, "setup_code": s.setup_code}
                  for s in site.staff],
    }
    return seal_with_passphrase(json.dumps(body).encode(), passphrase)


def open_package(data: bytes, passphrase: str) -> dict[str, Any]:
    try:
        body = json.loads(open_with_passphrase(data, passphrase))
    except (nacl.exceptions.CryptoError, DowntimeError, ValueError, KeyError):
        raise DowntimeError("the provisioning file cannot be opened: wrong staging passphrase, or the file is "
                            "damaged; package it again") from None
    if body.get("format") != PACKAGE_FORMAT:
        raise DowntimeError("the provisioning file was made by another version of the toolkit")
    return body


def package_secrets(body: dict[str, Any]) -> Secrets:
    return Secrets.from_json(json.dumps(body["secrets"]).encode())


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < 10 or not re.search(r"\D", passphrase):
        raise DowntimeError("the staging passphrase must be at least 10 characters and not only digits")


# -- apply -----------------------------------------------------------------------------------

def apply_package(path: Path, body: dict[str, Any]) -> Session:
    """Set up a new PC from its opened provisioning file; return the first admin's session."""
    home = Home(path)
    if home.exists():
        raise DowntimeError(f"{path} is already staged as device {home.load_config().device}; to give it more "
                            "staff use 'downtime staff add', and to re-stage it start from an empty folder")
    config = DeviceConfig(site=dict(body["site"]), device=body["device"], role=WARD, ward=body.get("ward", ""),
                          id_block=body["id_block"], settings=body["settings"],
                          keys={"office_public": body.get("office_public")})
    staff = [NewStaff(s["staff_id"], s["name"], s["role"], s["setup_code"], setup_code=True)
             for s in body["staff"]]
    session = create_home(home, config, package_secrets(body), staff, via="stage_apply")
    if body.get("logo"):
        write_atomic(home.path / "logo.png", unb64(body["logo"]))
    return session
