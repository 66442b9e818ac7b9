"""Helpers every CLI module shares: one-line errors, credentials, opening a session."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from downtime.disk_full import disk_full, is_disk_full
from downtime.errors import DowntimeError
from downtime.logs import log_internal_error
from downtime.session import Session, login

EXIT_USER_ERROR = 1
EXIT_INTERNAL = 70


class DowntimeGroup(click.Group):
    """Turns every exception into one clear line: never a traceback on a ward PC's screen."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DowntimeError as exc:
            fail(str(exc), EXIT_USER_ERROR)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            fail("stopped", 130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence before a traceback
            if is_disk_full(exc):  # a write the core does not wrap itself (the workspace, a log file)
                fail(str(disk_full(_home_or_none(ctx) or Path.cwd())), EXIT_USER_ERROR)
            where = log_internal_error(exc, _home_or_none(ctx))
            fail(f"internal error ({type(exc).__name__}); details are in {where}. "
                  "Nothing was written by the failed command.", EXIT_INTERNAL)


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _home_or_none(ctx: click.Context) -> Path | None:
    obj = ctx.obj or {}
    return obj.get("home")


def home_of(ctx: click.Context) -> Path:
    home = ctx.obj.get("home")
    if home is None:
        raise DowntimeError("say which downtime folder to use: --home DIR, or set DOWNTIME_HOME")
    return home


def credentials(prompt_for: str = "your") -> tuple[str, str]:
    """Staff ID and PIN from DOWNTIME_STAFF / DOWNTIME_PIN, or asked for at a terminal."""
    staff = os.environ.get("DOWNTIME_STAFF")
    pin = os.environ.get("DOWNTIME_PIN")
    if staff and pin:
        return staff, pin
    if not sys.stdin.isatty():
        raise DowntimeError("set DOWNTIME_STAFF and DOWNTIME_PIN, or run this in a terminal to be asked for them")
    staff = staff or click.prompt(f"Staff ID ({prompt_for})")
    pin = pin or click.prompt("PIN", hide_input=True)
    return staff, pin


def open_session(ctx: click.Context) -> Session:
    staff, pin = credentials()
    session = login(home_of(ctx), staff, pin, via="cli")
    ctx.call_on_close(session.close)
    warning = session.clock_warning()
    if warning:  # said at every login, like the banner: entries recorded now carry this clock's time
        click.echo(f"warning: {warning}", err=True)
    return session



def read_json(path: str) -> Any:
    name = "standard input" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    except OSError as exc:
        raise DowntimeError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise DowntimeError(f"{name} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DowntimeError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") \
            from None


def passphrase_from(env: str, what: str, *, confirm: bool = False) -> str:
    """A passphrase from the environment variable ``env``, or asked for (hidden) at a terminal."""
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise DowntimeError(f"set {env}, or run this in a terminal to be asked for the {what}")
    return str(click.prompt(what[0].upper() + what[1:], hide_input=True, confirmation_prompt=confirm))
