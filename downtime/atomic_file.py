"""Write a small file so that a crash leaves either the old or the new version, never half of one."""

from __future__ import annotations

import os
from pathlib import Path

from downtime.disk_full import disk_full, is_disk_full


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (on POSIX a rename lives in the directory entry)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)  # a failed write must not leave a stray temporary file behind
        if is_disk_full(exc):
            raise disk_full(path.parent) from None
        raise
    fsync_dir(path.parent)
