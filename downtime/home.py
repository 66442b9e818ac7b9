"""A downtime home: the folder that holds one PC's configuration, keys and databases.

    device.json   site, device code, ID block, settings, public keys (no secrets, no patient data)
    keyring.json  per staff member: the vault key wrapped under their PIN, and failed-PIN counts
    vault.bin     the device's secrets, encrypted under the vault key (see vault.py)
    journal.db    the encrypted journal
    snapshot.json which snapshot generation is current, and its export time (see snapshot_store.py)
    snapshots/    the encrypted read-only copies of the HMIS, with their sealed keys
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError
from downtime.ids import IdBlock

FORMAT = 1
WARD = "ward"
RECORDS_OFFICE = "records-office"

DEFAULT_SETTINGS: dict[str, Any] = {
    "idle_lock_minutes": 5,
    "lockout_attempts": 5,
    "lockout_minutes": 15,
    "snapshot_warn_hours": 2,
}


class NotAHomeError(DowntimeError):
    pass


@dataclass
class DeviceConfig:
    site: dict[str, Any]
    device: str
    role: str = WARD
    ward: str = ""
    id_block: dict[str, int] | None = None
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    keys: dict[str, str | None] = field(default_factory=dict)
    format: int = FORMAT

    def block(self) -> IdBlock | None:
        if not self.id_block:
            return None
        return IdBlock(self.site["code"], self.id_block["block"], self.id_block.get("size", 99_999))

    def setting(self, name: str) -> Any:
        return self.settings.get(name, DEFAULT_SETTINGS[name])

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "site": self.site, "device": self.device, "role": self.role,
                "ward": self.ward, "id_block": self.id_block, "settings": self.settings, "keys": self.keys}


def site_code_from(name: str) -> str:
    """A default short site code: the first word of the site name, letters and digits only."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    code = (words[0] if words else "SITE").upper()[:8]
    return code


def validate_device_code(code: str) -> str:
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9\-]{0,19}", code):
        raise DowntimeError(f"device code {code!r}: use 1-20 letters, digits or '-', such as W7-PC2")
    return code


class Home:
    def __init__(self, path: Path):
        self.path = path

    @property
    def config_path(self) -> Path:
        return self.path / "device.json"

    @property
    def keyring_path(self) -> Path:
        return self.path / "keyring.json"

    @property
    def vault_path(self) -> Path:
        return self.path / "vault.bin"

    @property
    def journal_path(self) -> Path:
        return self.path / "journal.db"

    @property
    def snapshot_info_path(self) -> Path:
        """Plain facts about the snapshot (export time, counts) that the banner shows before unlock."""
        return self.path / "snapshot.json"

    def snapshot_info(self) -> dict[str, Any] | None:
        if not self.snapshot_info_path.is_file():
            return None
        return _read_json(self.snapshot_info_path)

    @property
    def log_dir(self) -> Path:
        return self.path / "logs"

    def exists(self) -> bool:
        return self.config_path.is_file()

    def require(self) -> Home:
        if not self.exists():
            raise NotAHomeError(f"{self.path} is not a downtime folder; create one with "
                                f"'downtime --home {self.path} init --site NAME --device CODE'")
        return self

    def load_config(self) -> DeviceConfig:
        raw = _read_json(self.require().config_path)
        if raw.get("format") != FORMAT:
            raise DowntimeError(f"{self.config_path} was written by another version of the toolkit "
                                f"(format {raw.get('format')}); update the toolkit on this PC")
        return DeviceConfig(**raw)

    def save_config(self, config: DeviceConfig) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.config_path, _dump(config.to_json()))

    def load_keyring(self) -> dict[str, Any]:
        return _read_json(self.keyring_path)

    def save_keyring(self, keyring: dict[str, Any]) -> None:
        write_atomic(self.keyring_path, _dump(keyring))

    def make(self) -> None:
        if self.exists():
            raise DowntimeError(f"{self.path} already holds a downtime folder; choose an empty folder")
        if self.path.exists() and any(self.path.iterdir()):
            raise DowntimeError(f"{self.path} is not empty; choose an empty or new folder")
        self.path.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.path, 0o700)  # other local users should not even see file sizes


def _dump(value: dict[str, Any]) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise DowntimeError(f"{path.name} is missing from {path.parent}; restore it from the staging backup") \
            from None
    except (ValueError, UnicodeDecodeError):
        raise DowntimeError(f"{path} is damaged (not valid JSON); restore it from the staging backup") from None
