"""Real file systems for the disk-full and pulled-stick attacks: size-limited tmpfs mounts (root only).

A tmpfs of a few hundred kilobytes fills up the way a USB stick or a ward PC's disk does, and remounting it
read-only is a write-protected stick. ``pull`` detaches it the way a stick pulled out of the PC goes away:
the folder disappears, and whatever the program still holds open is cut off.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLER = "filler.bin"


def require_root() -> None:
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root (make test runs as root)")


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A fresh tmpfs of ``size`` (as mount takes it: 512k, 8m) at ``path``, unmounted at the end whatever happens."""
    require_root()
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        unmount(path)


def unmount(path: Path) -> None:
    """Unmount if still mounted; lazily, so a file a test left open cannot keep the mount busy."""
    if os.path.ismount(path):
        subprocess.run(["umount", "-l", str(path)], check=True)


def set_read_only(path: Path, read_only: bool) -> None:
    subprocess.run(["mount", "-o", f"remount,{'ro' if read_only else 'rw'}", str(path)], check=True)


def fill(path: Path, leave: int = 0) -> None:
    """Fill the file system at ``path`` until only about ``leave`` bytes are free (a filler file)."""
    stats = os.statvfs(path)
    free = stats.f_bavail * stats.f_frsize
    filler = path / FILLER
    with open(filler, "ab") as fh:
        size = max(free - leave, 0)
        if size:
            os.posix_fallocate(fh.fileno(), fh.tell(), size)


def free_space(path: Path) -> None:
    (path / FILLER).unlink(missing_ok=True)


def pull(path: Path) -> None:
    """The stick is pulled out: detached at once, and its folder gone (as a desktop's automounter does)."""
    unmount(path)
    with contextlib.suppress(OSError):
        path.rmdir()
