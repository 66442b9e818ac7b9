"""The device's secrets, and how a staff PIN unlocks them.

Secrets (the journal's database key and the device's Ed25519 signing and
X25519 sealing keys) live in ``vault.bin``, encrypted under one random vault
key. That vault key is stored once per staff member in ``keyring.json``,
wrapped under a key derived from their PIN with Argon2id. So any valid PIN
opens the vault, a copied disk alone reveals nothing, and adding or removing a
staff member never re-encrypts the journal.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError

# Argon2id cost profiles. "standard" takes about a quarter of a second on a
# ward PC, which bounds offline PIN guessing; "fast" exists for test suites
# and is never the default.
KDF_PROFILES: dict[str, tuple[int, int]] = {
    "standard": (3, 64 * 1024 * 1024),
    "strong": (4, 256 * 1024 * 1024),
    "fast": (1, 8 * 1024 * 1024),
}
DEFAULT_KDF = "standard"


class WrongPinError(DowntimeError):
    pass


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Secrets:
    db_key: bytes
    signing_key: SigningKey
    sealing_key: PrivateKey

    @classmethod
    def generate(cls) -> Secrets:
        return cls(nacl.utils.random(32), SigningKey.generate(), PrivateKey.generate())

    def to_json(self) -> bytes:
        return json.dumps({
            "db_key": b64(self.db_key),
            "signing_seed": b64(bytes(self.signing_key)),
            "sealing_key": b64(bytes(self.sealing_key)),
        }).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Secrets:
        raw = json.loads(data)
        return cls(unb64(raw["db_key"]), SigningKey(unb64(raw["signing_seed"])), PrivateKey(unb64(raw["sealing_key"])))


def kdf_profile() -> str:
    profile = os.environ.get("DOWNTIME_KDF", DEFAULT_KDF)
    if profile not in KDF_PROFILES:
        raise DowntimeError(f"DOWNTIME_KDF must be one of {', '.join(KDF_PROFILES)}, not {profile!r}")
    return profile


def _pin_key(pin: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, pin.encode("utf-8"), salt, opslimit=opslimit, memlimit=memlimit
    )


def wrap_secret(secret: bytes, pin: str) -> dict[str, Any]:
    """``secret`` encrypted under a key derived from a PIN or passphrase (a keyring record)."""
    opslimit, memlimit = KDF_PROFILES[kdf_profile()]
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    box = nacl.secret.SecretBox(_pin_key(pin, salt, opslimit, memlimit))
    return {"kdf": "argon2id", "opslimit": opslimit, "memlimit": memlimit, "salt": b64(salt),
            "wrapped": b64(box.encrypt(secret))}


def unwrap_secret(record: dict[str, Any], pin: str) -> bytes:
    key = _pin_key(pin, unb64(record["salt"]), record["opslimit"], record["memlimit"])
    try:
        return nacl.secret.SecretBox(key).decrypt(unb64(record["wrapped"]))
    except nacl.exceptions.CryptoError:
        raise WrongPinError("wrong PIN") from None


def seal_with_passphrase(data: bytes, passphrase: str) -> bytes:
    """A self-describing file: ``data`` encrypted under a passphrase (provisioning packages)."""
    return json.dumps(wrap_secret(data, passphrase)).encode()


def open_with_passphrase(blob: bytes, passphrase: str) -> bytes:
    return unwrap_secret(json.loads(blob), passphrase)


def seal_secrets(path: Path, secrets: Secrets, vault_key: bytes) -> None:
    write_atomic(path, nacl.secret.SecretBox(vault_key).encrypt(secrets.to_json()))


def open_secrets(path: Path, vault_key: bytes) -> Secrets:
    try:
        return Secrets.from_json(nacl.secret.SecretBox(vault_key).decrypt(path.read_bytes()))
    except (nacl.exceptions.CryptoError, ValueError, KeyError) as exc:
        raise DowntimeError(f"{path.name} is damaged or belongs to another PC; restore it from the staging "
                            "backup") from exc
    except FileNotFoundError:
        raise DowntimeError(f"{path.name} is missing from this PC's downtime folder; restore it from the "
                            "staging backup") from None
