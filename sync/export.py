"""Export on a ward PC: write this PC's new journal entries to a bundle on a USB stick.

The order of steps is what makes a pulled stick harmless:

1. write the bundle under a hidden temporary name and fsync it;
2. drop it from the page cache and read it back from the stick, then decrypt and check it exactly as
   the records office will (``bundle.reopen_own_bundle``);
3. only then rename it to its ``.dtb`` name and fsync the folder;
4. only then journal a ``bundle.export`` entry, which marks the entries as exported.

A crash before 3 leaves only a ``.partial`` file, which the records office never picks up and could
not open anyway (the seal's tag covers the whole file). A crash between 3 and 4 leaves a good bundle
and unmarked entries, so the next export repeats them, and the office skips them as duplicates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from downtime.atomic_file import fsync_dir
from downtime.errors import DowntimeError
from downtime.journal import now_iso
from downtime.session import Session
from downtime.vault import unb64
from sync.bundle import SUFFIX, SealedBundle, reopen_own_bundle, seal_bundle
from sync.keys import fingerprint
from sync.rows import journal_ndjson

PARTIAL = ".partial"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    first_seq: int
    last_seq: int
    entries: int
    counts: dict[str, int]
    sha256: str
    office_key: str

    def describe(self) -> str:
        return (f"wrote {self.path.name}: seq {self.first_seq}–{self.last_seq}, {self.entries} entries, "
                f"checked by reading it back; sealed for records office key {self.office_key}")


def export_bundle(session: Session, out_dir: Path, *, full: bool = False) -> ExportResult:
    """Write and verify a bundle of entries not yet exported (or of all entries with ``full``)."""
    office_public = _office_key(session)
    out_dir = _check_out_dir(out_dir)
    first, last = _range(session, full)
    created_at = now_iso()
    config = session.config
    entries, span = journal_ndjson(session.journal.db, config.device, first, last)
    sealed = seal_bundle(entries, span, site=config.site["code"], site_name=config.site["name"],
                         device=config.device, signing_key=session.secrets.signing_key,
                         office_public=office_public, full=full, created_at=created_at)
    final = _free_name(out_dir, _file_name(config.device, first, last, created_at))
    _remove_stale_partials(out_dir, config.device)
    _write_verified(final, sealed, office_public, session)
    result = ExportResult(final, first, last, sealed.manifest.entries, sealed.manifest.counts,
                          hashlib.sha256(sealed.data).hexdigest(), fingerprint(office_public))
    session.record_export({"file": final.name, "first_seq": first, "last_seq": last, "entries": result.entries,
                           "head_hash": sealed.manifest.head_hash, "sha256": result.sha256,
                           "office_key": result.office_key, "full": full, "created_at": created_at})
    return result


def _office_key(session: Session) -> bytes:
    key = session.config.keys.get("office_public")
    if not key:
        raise DowntimeError("this PC does not know the records office's key yet; IT must run "
                            "'downtime keys trust-office office.pub' on it first")
    return unb64(key)


def _check_out_dir(out_dir: Path) -> Path:
    if not out_dir.is_dir():
        raise DowntimeError(f"{out_dir} is not a folder; plug in the USB stick and give its folder with --out")
    if not os.access(out_dir, os.W_OK):
        raise DowntimeError(f"cannot write to {out_dir}; is the USB stick write-protected or full?")
    return out_dir


def _range(session: Session, full: bool) -> tuple[int, int]:
    head, _ = session.journal.head()
    first = 1 if full else _last_exported(session) + 1
    if first > head:
        raise DowntimeError("nothing new to export since the last bundle; to write everything again, "
                            "use --all")
    return first, head


def _last_exported(session: Session) -> int:
    """The last seq of the newest verified bundle: the entries after it are the ones not yet exported."""
    row = session.journal.db.execute(
        "SELECT payload FROM entries WHERE device = ? AND kind = 'bundle.export' ORDER BY seq DESC LIMIT 1",
        [session.config.device]).fetchone()
    return int(json.loads(row[0])["last_seq"]) if row else 0


def _file_name(device: str, first: int, last: int, created_at: str) -> str:
    # No ':' (FAT sticks refuse it); sorts by device, then by position in the journal.
    stamp = dt.datetime.fromisoformat(created_at).strftime("%Y%m%dT%H%M%S")
    return f"{device}_seq{first:07d}-{last:07d}_{stamp}{SUFFIX}"


def _free_name(out_dir: Path, name: str) -> Path:
    """Two exports in the same second (say, a retry) must not overwrite each other."""
    path = out_dir / name
    n = 2
    while path.exists() or path.with_name(f".{path.name}{PARTIAL}").exists():
        path = out_dir / f"{name.removesuffix(SUFFIX)}_{n}{SUFFIX}"
        n += 1
    return path


def _remove_stale_partials(out_dir: Path, device: str) -> None:
    for stale in out_dir.glob(f".{device}_*{PARTIAL}"):
        with contextlib.suppress(OSError):  # harmless if it stays: a .partial is never imported
            stale.unlink()


def _write_verified(final: Path, sealed: SealedBundle, office_public: bytes, session: Session) -> None:
    tmp = final.with_name(f".{final.name}{PARTIAL}")
    try:
        _write_durably(tmp, sealed.data)
        reopen_own_bundle(_read_from_device(tmp), sealed, office_public, session.secrets.signing_key)
        os.replace(tmp, final)
        fsync_dir(final.parent)
    except OSError as exc:
        _discard(tmp)
        raise DowntimeError(f"could not write the bundle to {final.parent}: {exc.strerror}; check the USB "
                            "stick (full? pulled out?) and export again") from None
    except DowntimeError:
        _discard(tmp)
        raise DowntimeError(f"the bundle written to {final.parent} did not read back intact; the USB stick "
                            "may be failing: use another stick and export again") from None


def _write_durably(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_from_device(path: Path) -> bytes:
    """Read the file back; on Linux first evict it from the page cache, so the bytes come from the stick."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read()
    finally:
        os.close(fd)


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
