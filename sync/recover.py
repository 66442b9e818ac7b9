"""Recovery: import the journal of a ward PC that will not boot but whose disk survived.

IT copies the PC's downtime folder (device.json, keyring.json, vault.bin, journal.db and any
journal.db-wal). An admin PIN of that PC unlocks its vault, which holds the journal key and the PC's
signing key. From the journal we build the bundle the PC would have exported with ``--all``, and import
it like any other, so a recovered journal passes exactly the same checks and gives the same result.

The copy is worked on in a temporary folder: opening a journal or counting a wrong PIN writes to it,
and the folder IT brought is evidence that must stay as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import sqlite_utils

from downtime import auth
from downtime.encrypted_db import open_encrypted
from downtime.errors import DowntimeError
from downtime.home import Home
from downtime.journal import now_iso
from downtime.vault import open_secrets
from sync.bundle import seal_bundle
from sync.rows import journal_ndjson
from sync.workspace import ImportResult, Workspace

NEEDED = ("device.json", "keyring.json", "vault.bin", "journal.db")
OPTIONAL = ("journal.db-wal",)  # committed entries may still sit in the write-ahead log


def recover_journal(ws: Workspace, folder: Path, staff_id: str, pin: str) -> ImportResult:
    """Check a surviving ward journal with one of its admins' PIN, then import it as a full bundle."""
    missing = [name for name in NEEDED if not (folder / name).is_file()]
    if missing:
        raise DowntimeError(f"{folder} lacks {', '.join(missing)}; copy the whole downtime folder of the PC "
                            f"({', '.join(NEEDED)})")
    with tempfile.TemporaryDirectory(prefix="downtime-recover-") as tmp:
        copy = Path(tmp) / "home"
        copy.mkdir()
        for name in NEEDED + OPTIONAL:
            if (folder / name).is_file():
                shutil.copy2(folder / name, copy / name)
        home = Home(copy)
        config = home.load_config()
        sid = auth.check_staff_id(staff_id)
        secrets = open_secrets(home.vault_path, auth.unlock(home, config, sid, pin))
        db = open_encrypted(home.journal_path, secrets.db_key)
        try:
            _require_admin(db, sid, config.device)
            entries, span = journal_ndjson(db, config.device, 1)
        finally:
            db.close()
    sealed = seal_bundle(entries, span, site=config.site["code"], site_name=config.site["name"],
                         device=config.device, signing_key=secrets.signing_key,
                         office_public=bytes(ws.office.sealing_key.public_key), full=True, created_at=now_iso())
    return ws.import_bytes(sealed.data, f"{folder.name}/journal.db", source="journal")


def _require_admin(db: sqlite_utils.Database, staff_id: str, device: str) -> None:
    row = db.execute("SELECT role FROM staff WHERE staff_id = ?", [staff_id]).fetchone()
    if not row or row[0] != "admin":
        raise DowntimeError(f"{staff_id} is not an admin of {device}; recovering a journal needs an admin PIN "
                            "of that PC")
