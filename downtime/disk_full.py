"""A full disk is the user's problem to fix, not an internal error: say so in one line, with the folder.

SQLite reports it as SQLITE_FULL (or, opening a database, as a "disk I/O error"), file writes as ENOSPC
(or EDQUOT under a quota). Either way the write that failed was rolled back or never renamed into place,
so nothing half-written is left behind.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from downtime.errors import DowntimeError

SQLITE_IOERR, SQLITE_FULL = 10, 13
LOW_SPACE = 1 << 20  # less free than this, and SQLite's I/O errors are the full disk speaking


class DiskFullError(DowntimeError):
    """No space left where the toolkit had to write; nothing was saved."""


def is_disk_full(exc: BaseException, folder: Path | None = None) -> bool:
    """Did ``exc`` happen because the disk is full? Give ``folder`` when the error may be SQLite's
    "disk I/O error", which is what it says when it cannot grow the shared-memory file of a WAL database."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    if code == SQLITE_FULL:
        return True
    return code is not None and code & 0xFF == SQLITE_IOERR and folder is not None and _free_bytes(folder) < LOW_SPACE


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return LOW_SPACE  # cannot tell: do not call it full


def disk_full(folder: Path | str) -> DiskFullError:
    return DiskFullError(f"the disk holding {folder} is full, so nothing was saved: free some space on it "
                         "(delete old files you do not need, empty the recycle bin), then try again")
