"""Open SQLCipher databases (journal.db, snapshot.db, workspace.db) through sqlite-utils.

The key is always 32 random bytes handed to SQLCipher as a raw key, so no
passphrase derivation happens inside SQLCipher: the PIN-to-key work is done
once, with Argon2id, in ``vault.py``.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3
import sqlite_utils

from downtime.disk_full import disk_full, is_disk_full
from downtime.errors import DowntimeError

KEY_BYTES = 32


class WrongKeyError(DowntimeError):
    """The file is not a database this key opens (wrong key, not encrypted, or not a database)."""


def open_encrypted(path: Path | str, key: bytes, *, durable: bool = True) -> sqlite_utils.Database:
    """Open (or create) an encrypted database and prove the key works before returning it.

    ``durable`` selects WAL with synchronous=FULL: an acknowledged commit survives a power cut.
    Bulk builds of a fresh file (a snapshot import) may pass ``durable=False`` and fsync at the end.
    """
    if len(key) != KEY_BYTES:
        raise ValueError("database key must be 32 bytes")
    conn = sqlcipher3.connect(str(path), timeout=30)
    # SQLCipher otherwise writes its own decryption errors to stderr, around our message.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        # The first real read is where SQLCipher finds out whether the key fits.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        if is_disk_full(exc, Path(path).parent):  # a WAL database needs room to open; it is not damaged
            raise disk_full(Path(path).parent) from None
        raise WrongKeyError(
            f"{Path(path).name} cannot be opened with this key: it is locked with another key, "
            "damaged, or not a downtime database"
        ) from exc
    conn.execute("PRAGMA foreign_keys = ON")
    if durable:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    else:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = OFF")
    return sqlite_utils.Database(conn)
