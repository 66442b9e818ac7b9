"""Operational logs: what the toolkit did, never whom it was about.

Log lines name entry kinds, sequence numbers and uuids, never patient names,
phones or IDs. Tracebacks are written without the exception's message, because
a message can carry a value typed by a user.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "downtime.log"
ERROR_LOG = "errors.log"

log = logging.getLogger("downtime")


def setup_logging(home: Path, level: int | None = None) -> None:
    """Log to ``<home>/logs``; the level is ``level``, else DOWNTIME_LOG_LEVEL (e.g. DEBUG), else INFO."""
    level = level if level is not None else _level_from_env()
    log_dir = home / "logs"
    try:
        log_dir.mkdir(exist_ok=True)
    except OSError:
        return  # a read-only home must not stop the user's work
    if any(isinstance(h, RotatingFileHandler) for h in log.handlers):
        return
    handler = RotatingFileHandler(log_dir / LOG_NAME, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)


def _level_from_env() -> int:
    # Support turns on DEBUG to see what the toolkit did; an unknown name must not stop the app.
    level = logging.getLevelName(os.environ.get("DOWNTIME_LOG_LEVEL", "INFO").strip().upper())
    return level if isinstance(level, int) else logging.INFO


def log_internal_error(exc: BaseException, home: Path | None) -> Path:
    """Write the stack (not the message) of an unexpected error; return the file it went to."""
    stack = "".join(traceback.format_tb(exc.__traceback__))
    text = f"--- {dt.datetime.now().isoformat(timespec='seconds')} {type(exc).__name__}\n{stack}\n"
    target = (home / "logs" / ERROR_LOG) if home and home.is_dir() else Path.home() / ".downtime-errors.log"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError:
        pass
    return target
