"""Where a PC keeps its snapshot, and how a new one replaces the old without a PIN.

A scheduled refresh runs with nobody logged in, so it cannot open the vault.
It builds the new snapshot under a fresh random key and seals that key to the
device's public X25519 key; only an unlocked session (which holds the private
key) can read it. Each snapshot is a generation of two files (database and
sealed key); ``snapshot.json`` names the current generation and is switched
atomically, so a refresh killed at any moment leaves the previous snapshot
whole and in use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox

from downtime.atomic_file import write_atomic
from downtime.errors import DowntimeError
from downtime.home import Home
from downtime.snapshot import ImportReport, _build_lock, build_snapshot
from downtime.vault import unb64

SNAPSHOT_DIR = "snapshots"
IMPORT_LOCK = "import"  # snapshots/import.db.lock, held for the whole of an import


def install_snapshot(home: Home, sources: list[Path],
                     progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import an HMIS export as this PC's new snapshot; needs no PIN."""
    config = home.load_config()
    public = PublicKey(unb64(config.keys["sealing_public"] or ""))
    folder = home.path / SNAPSHOT_DIR
    folder.mkdir(exist_ok=True)
    # One import at a time on this PC (a scheduled refresh and a manual one), so that clearing out other
    # generations cannot remove one that is being built.
    with _build_lock(folder / IMPORT_LOCK):
        # An import killed part-way (a power cut) leaves its half-built file; free that space first.
        _remove_other_generations(folder, _current_generation(home))
        generation = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        key = nacl.utils.random(32)
        db_path = folder / f"{generation}.db"
        report = build_snapshot(sources, db_path, key, progress=progress)
        write_atomic(folder / f"{generation}.key", SealedBox(public).encrypt(key))
        info = {"generation": generation, "as_of": report.as_of, "imported_at": dt.datetime.now().isoformat(
            timespec="seconds"), "counts": report.counts, "skipped_lines": report.problems_total}
        write_atomic(home.snapshot_info_path, json.dumps(info, indent=2).encode())
        _remove_other_generations(folder, generation)
    return report


def _current_generation(home: Home) -> str | None:
    try:
        info = home.snapshot_info()
    except DowntimeError:
        return None  # a damaged snapshot.json names nothing worth keeping
    return info.get("generation") if info else None


def _remove_other_generations(folder: Path, keep: str | None) -> None:
    """Delete every file of every generation but ``keep``: old snapshots and what killed imports left."""
    for path in folder.iterdir():
        if path.name.startswith(IMPORT_LOCK) or (keep and path.name.startswith(f"{keep}.")) or not path.is_file():
            continue
        with contextlib.suppress(OSError):  # still open on Windows (the app shows it): the next import retries
            path.unlink()


def snapshot_files(home: Home) -> tuple[Path, Path] | None:
    info = home.snapshot_info()
    if not info:
        return None
    folder = home.path / SNAPSHOT_DIR
    db_path, key_path = folder / f"{info['generation']}.db", folder / f"{info['generation']}.key"
    if not db_path.is_file() or not key_path.is_file():
        raise DowntimeError("the snapshot named in snapshot.json is missing; import the HMIS export again "
                            "(downtime snapshot import)")
    return db_path, key_path


def snapshot_key(home: Home, sealing_key: PrivateKey) -> bytes | None:
    files = snapshot_files(home)
    if files is None:
        return None
    return SealedBox(sealing_key).decrypt(files[1].read_bytes())


def snapshot_summary(home: Home) -> dict[str, Any] | None:
    return home.snapshot_info()
