"""The records office's own secrets, protected by a passphrase.

One set of keys opens every ward's bundles, so it is not tied to a staff PIN (PINs are short and
belong to people who come and go) but to a passphrase held by the records officers. The layout
mirrors the ward vault (``downtime/vault.py``), and reuses it:

    office.json        public keys and fingerprint (no secret), and the office vault key wrapped under the
                       passphrase with Argon2id
    office-vault.bin   the office secrets, encrypted under that vault key: the workspace database key,
                       the X25519 key bundles are sealed to, and an Ed25519 key for what the office signs

``office.json`` is written last, so its presence means the office was set up completely.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nacl.utils

from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError
from downtime.home import Home
from downtime.vault import Secrets, WrongPinError, b64, open_secrets, seal_secrets, unb64, unwrap_secret, wrap_secret
from sync.keys import OFFICE, KeyFile

PASSPHRASE_MIN = 8


class WrongPassphraseError(DowntimeError):
    pass


@dataclass(frozen=True)
class OfficePaths:
    home: Path

    @property
    def info(self) -> Path:
        return self.home / "office.json"

    @property
    def vault(self) -> Path:
        return self.home / "office-vault.bin"

    @property
    def workspace(self) -> Path:
        return self.home / "workspace.db"


def check_passphrase(passphrase: str) -> None:
    if len(passphrase.strip()) < PASSPHRASE_MIN:
        raise DowntimeError(f"the records-office passphrase must be at least {PASSPHRASE_MIN} characters; "
                            "a few unrelated words are easy to remember and hard to guess")


def create_office(home: Home, passphrase: str) -> Secrets:
    """Make the office keys and wrap them under ``passphrase``; return the secrets for the workspace."""
    check_passphrase(passphrase)
    paths = OfficePaths(home.path)
    if paths.info.exists():
        raise DowntimeError(f"{home.path} already has records-office keys; use them, or choose a new folder")
    secrets = Secrets.generate()
    vault_key = nacl.utils.random(32)
    seal_secrets(paths.vault, secrets, vault_key)
    info = {"format": 1, "sealing_public": b64(bytes(secrets.sealing_key.public_key)),
            "signing_public": b64(bytes(secrets.signing_key.verify_key)),
            "wrap": wrap_secret(vault_key, passphrase)}
    write_atomic(paths.info, json.dumps(info, indent=2).encode("ascii"))
    return secrets


def unlock_office(home: Home, passphrase: str) -> Secrets:
    info = _info(home)
    try:
        vault_key = unwrap_secret(info["wrap"], passphrase)
    except WrongPinError:
        raise WrongPassphraseError("wrong records-office passphrase; check DOWNTIME_PASSPHRASE or type it "
                                   "again") from None
    return open_secrets(OfficePaths(home.path).vault, vault_key)


def office_key_file(home: Home) -> KeyFile:
    """The office's public key file (no passphrase needed: it is public)."""
    config = home.load_config()
    return KeyFile(OFFICE, config.site["code"], config.device, unb64(_info(home)["sealing_public"]))


def _info(home: Home) -> dict:
    path = OfficePaths(home.require().path).info
    if not path.is_file():
        raise DowntimeError(f"{home.path} is not a records-office folder; create one with "
                            f"'downtime --home DIR init --site NAME --device CODE --records-office'")
    try:
        return json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise DowntimeError(f"{path} is damaged; restore the records-office folder from its backup") from None
