"""Public key files that travel between ward PCs and the records office at staging.

Two kinds, both small JSON files that are safe to e-mail or copy on any stick:

    office.pub   the records office's X25519 public key: ward PCs seal their bundles to it
    device.pub   a ward PC's Ed25519 public key: the records office accepts bundles it signed

Each carries a fingerprint that people compare aloud or on paper when trusting it. The fingerprint is
always recomputed from the key on reading, so a file that was edited by hand cannot claim another one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError
from downtime.home import DeviceConfig, validate_device_code
from downtime.staging import fingerprint as _staging_fingerprint
from downtime.vault import b64, unb64

FORMAT = "downtime-public-key/1"
OFFICE, DEVICE = "office", "device"
KEY_BYTES = 32
MAX_KEY_FILE = 16 * 1024  # a key file is a few hundred bytes; anything bigger is not one


def fingerprint(key: bytes) -> str:
    """The same fingerprint staging prints on its plan sheet, so IT and the records office compare like with like."""
    return _staging_fingerprint(b64(key))


@dataclass(frozen=True)
class KeyFile:
    role: str  # OFFICE or DEVICE
    site: str
    device: str
    key: bytes
    ward: str = ""

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "role": self.role, "site": self.site, "device": self.device,
                "ward": self.ward, "public_key": b64(self.key), "fingerprint": self.fingerprint}


def device_key_file(config: DeviceConfig) -> KeyFile:
    """This PC's public signing key, as the records office trusts it."""
    key = config.keys.get("signing_public")
    if not key:
        raise DowntimeError("this PC has no signing key; stage it first (downtime stage apply)")
    return KeyFile(DEVICE, config.site["code"], config.device, unb64(key), config.ward)


def write_key_file(path: Path, key_file: KeyFile) -> None:
    if path.is_dir():
        raise DowntimeError(f"{path} is a folder; give a file name such as {path / (key_file.role + '.pub')}")
    if not path.parent.is_dir():
        raise DowntimeError(f"folder {path.parent} does not exist; create it or choose another --out")
    text = json.dumps(key_file.to_json(), indent=2) + "\n"
    write_atomic(path, text.encode("ascii"))


def read_key_file(path: Path, role: str) -> KeyFile:
    """Read and check a key file; ``role`` is the kind the caller needs (office or device)."""
    raw = _load(path)
    other = DEVICE if role == OFFICE else OFFICE
    if raw.get("role") == other:
        raise DowntimeError(f"{path.name} is a {other} key, not a {role} key; "
                            f"use the {role}.pub file made by {_maker(role)}")
    try:
        key = unb64(str(raw["public_key"]))
        site, device = str(raw["site"]), validate_device_code(str(raw["device"]))
    except (KeyError, ValueError, DowntimeError):
        raise DowntimeError(f"{path.name} is damaged (its key, site or device is unreadable); "
                            f"make it again with {_maker(role)}") from None
    if raw.get("role") != role or len(key) != KEY_BYTES:
        raise DowntimeError(f"{path.name} is damaged (not a {role} key); make it again with {_maker(role)}")
    return KeyFile(role, site, device, key, str(raw.get("ward") or ""))


def read_device_keys(path: Path) -> list[KeyFile]:
    """Device keys from one device.pub, or every packaged device in a staging plan (plan.json)."""
    raw = _load_json(path)
    if raw.get("format") == FORMAT:
        return [read_key_file(path, DEVICE)]
    if isinstance(raw.get("devices"), list) and isinstance(raw.get("site_code"), str):
        return _plan_keys(raw, path)
    raise DowntimeError(f"{path.name} is neither a device.pub file nor a staging plan.json; check the file")


def _plan_keys(raw: dict[str, Any], path: Path) -> list[KeyFile]:
    keys = []
    try:
        for d in raw["devices"]:
            if d.get("signing_public"):  # devices not packaged yet have no key to trust
                keys.append(KeyFile(DEVICE, raw["site_code"], validate_device_code(str(d["code"])),
                                    unb64(d["signing_public"]), str(d.get("ward") or "")))
    except (KeyError, TypeError, AttributeError, ValueError, DowntimeError):
        raise DowntimeError(f"{path.name} is a damaged staging plan; restore it from IT's backup") from None
    if not keys or any(len(k.key) != KEY_BYTES for k in keys):
        raise DowntimeError(f"{path.name} lists no packaged devices; package them with 'downtime stage package'")
    return keys


def _load(path: Path) -> dict[str, Any]:
    raw = _load_json(path)
    if raw.get("format") != FORMAT:
        raise DowntimeError(f"{path.name} is not a downtime key file; check that you chose the .pub file")
    return raw


def _load_json(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_KEY_FILE:
            raise DowntimeError(f"{path.name} is too large to be a key file; check that you chose the .pub file")
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise DowntimeError(f"{path} does not exist; check the file name") from None
    except IsADirectoryError:
        raise DowntimeError(f"{path} is a folder; give the .pub file inside it") from None
    except (ValueError, UnicodeDecodeError):
        raise DowntimeError(f"{path.name} is not a downtime key file (not JSON); check that you chose the "
                            ".pub file") from None
    if not isinstance(raw, dict):
        raise DowntimeError(f"{path.name} is not a downtime key file; check that you chose the .pub file")
    return raw


def _maker(role: str) -> str:
    return ("'downtime reconcile pubkey' on the records-office PC" if role == OFFICE
            else "'downtime keys export' on that ward PC")
