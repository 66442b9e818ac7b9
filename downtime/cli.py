"""The ``downtime`` command. Each command is a thin wrapper around one call into the core.

Errors a user can fix print one line on stderr and exit 1. Anything else is a
bug: it prints one line naming the log file, and the traceback goes to that
file (without exception messages, which could hold patient data).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from downtime import __version__
from downtime.cli_common import DowntimeGroup, credentials, fail, home_of, open_session, read_json
from downtime.errors import DowntimeError
from downtime.kinds.schema import get_kind
from downtime.logs import setup_logging
from downtime.session import Session, init_home, login


@click.group(cls=DowntimeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="downtime")
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="DOWNTIME_HOME",
              help="The downtime folder of this PC (or set DOWNTIME_HOME).")
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """Downtime continuity toolkit: keep the wards working while the HMIS is down."""
    ctx.ensure_object(dict)
    ctx.obj["home"] = home.resolve() if home else None
    if home and home.is_dir():
        setup_logging(home)


@main.command()
@click.option("--site", "site_name", required=True, help="The hospital's name, as printed on forms.")
@click.option("--device", required=True, help="This PC's code, such as W7-PC2.")
@click.option("--records-office", is_flag=True, help="Set up a records-office PC instead of a ward PC.")
@click.option("--site-code", help="Short code used in downtime IDs (default: first word of the site name).")
@click.option("--block", type=int, help="This PC's block of downtime IDs, from staging (default: 1 for a ward "
              "PC, 999 for the records office, so paper keyed in there never collides with a ward's IDs).")
@click.pass_context
def init(ctx: click.Context, site_name: str, device: str, records_office: bool, site_code: str | None,
         block: int | None) -> None:
    """Create this PC's downtime folder. The first admin comes from DOWNTIME_STAFF and DOWNTIME_PIN."""
    staff, pin = credentials("first admin")
    name = os.environ.get("DOWNTIME_STAFF_NAME", staff)
    passphrase = new_office_passphrase() if records_office else None  # asked before anything is written
    session = init_home(home_of(ctx), site_name=site_name, device=device, admin_id=staff, admin_name=name,
                        admin_pin=pin, records_office=records_office, site_code=site_code, block=block)
    office = setup_records_office(session, passphrase) if passphrase else None
    cfg = session.config
    session.close()
    click.echo(f"Created {cfg.role} PC {cfg.device} for {cfg.site['name']} in {home_of(ctx)}; "
               f"admin {staff.upper()}; downtime IDs look like {cfg.block() and cfg.block().id_for(1)}")
    if office:
        click.echo(office)


@main.group()
def staff() -> None:
    """Staff on this PC and their PINs."""


@staff.command("add")
@click.option("--id", "staff_id", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="ward, doctor, lab, records or admin")
@click.option("--pin-env", help="Read the new PIN from this environment variable instead of asking.")
@click.pass_context
def staff_add(ctx: click.Context, staff_id: str, name: str, role: str, pin_env: str | None) -> None:
    """Add a staff member (needs an admin's DOWNTIME_STAFF / DOWNTIME_PIN)."""
    session = open_session(ctx)
    session.add_staff(staff_id, name, role, _new_pin(staff_id, pin_env))
    click.echo(f"Added {staff_id.upper()} ({name}) as {role}")


@staff.command("list")
@click.pass_context
def staff_list(ctx: click.Context) -> None:
    for member in open_session(ctx).staff_list():
        click.echo(f"{member.staff_id}\t{member.role}\t{member.name}")


@staff.command("set-pin")
@click.option("--pin-env", help="Read the new PIN from this environment variable instead of asking.")
@click.pass_context
def staff_set_pin(ctx: click.Context, pin_env: str | None) -> None:
    """Choose your own PIN (after a one-time setup code, or to change it)."""
    staff_id, pin = credentials()
    new_pin = _new_pin(staff_id, pin_env)
    login(home_of(ctx), staff_id, pin, via="cli", new_pin=new_pin).close()
    click.echo(f"PIN set for {staff_id.upper()}")


def _new_pin(staff_id: str, pin_env: str | None) -> str:
    if pin_env:
        pin = os.environ.get(pin_env)
        if not pin:
            raise DowntimeError(f"environment variable {pin_env} is empty or not set")
        return pin
    if sys.stdin.isatty():
        return str(click.prompt(f"New PIN for {staff_id.upper()}", hide_input=True, confirmation_prompt=True))
    raise DowntimeError("give the new PIN with --pin-env VAR, or run this in a terminal to be asked")


@staff.command("unlock")
@click.argument("staff_id")
@click.pass_context
def staff_unlock(ctx: click.Context, staff_id: str) -> None:
    """Lift a PIN lockout (admin)."""
    open_session(ctx).unlock_staff(staff_id)
    click.echo(f"{staff_id.upper()} may log in again")


@main.group()
def entry() -> None:
    """Record and look up journal entries."""


@entry.command("add")
@click.argument("kind")
@click.option("--json", "json_file", required=True, help="A JSON object of the entry's fields ('-' for stdin).")
@click.pass_context
def entry_add(ctx: click.Context, kind: str, json_file: str) -> None:
    """Record one entry; prints its human ID (or '-') and its uuid."""
    get_kind(kind)  # an unknown kind is the first thing to say, before the file or the PIN
    session = open_session(ctx)
    e = session.record(kind, read_json(json_file))
    click.echo(f"{e.human_id or '-'} {e.uuid}")
    _warn_block(session)


def _warn_block(session: Session) -> None:
    status = session.block_status()
    warning = status.warning() if status else None
    if warning:
        click.echo(f"warning: {warning}", err=True)


@entry.command("list")
@click.option("--kind", help="Only entries of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one array of entries).")
@click.pass_context
def entry_list(ctx: click.Context, kind: str | None, as_json: bool) -> None:
    session = open_session(ctx)
    entries = list(session.journal.entries(kind))
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=1))
        return
    for e in entries:
        click.echo(f"{e.seq:>6}  {e.recorded_at[:16]}  {e.kind:<20} {e.human_id or '-':<20} {e.staff:<8} {e.uuid}")


@entry.command("show")
@click.argument("ref")
@click.pass_context
def entry_show(ctx: click.Context, ref: str) -> None:
    """Show one entry (by uuid or human ID) as JSON."""
    click.echo(json.dumps(open_session(ctx).journal.get(ref).to_dict(), ensure_ascii=False, indent=1))


@entry.command("correct")
@click.argument("ref")
@click.option("--json", "json_file", required=True, help="The full corrected fields ('-' for stdin).")
@click.option("--reason", required=True)
@click.pass_context
def entry_correct(ctx: click.Context, ref: str, json_file: str, reason: str) -> None:
    """Record a corrected version of an entry (the original is kept)."""
    e = open_session(ctx).correct(ref, read_json(json_file), reason)
    click.echo(f"{e.human_id or '-'} {e.uuid}")


@entry.command("void")
@click.argument("ref")
@click.option("--reason", required=True)
@click.pass_context
def entry_void(ctx: click.Context, ref: str, reason: str) -> None:
    """Mark an entry void (the original is kept)."""
    e = open_session(ctx).void(ref, reason)
    click.echo(f"{e.human_id or '-'} {e.uuid}")


@main.group()
def journal() -> None:
    """Check and maintain the journal."""


@journal.command("verify")
@click.pass_context
def journal_verify(ctx: click.Context) -> None:
    """Exit 0 if every entry is intact and in order; else name the first bad seq."""
    result = open_session(ctx).journal.verify()
    if not result.ok:
        fail(f"journal broken at seq {result.first_bad_seq}: {result.reason} "
              f"({result.entries} entries before it are intact)", 3)
    click.echo(f"journal intact: {result.entries} entries")


@journal.command("rebuild")
@click.pass_context
def journal_rebuild(ctx: click.Context) -> None:
    """Rebuild the current-state tables from the journal."""
    n = open_session(ctx).journal.rebuild_projections()
    click.echo(f"rebuilt current state from {n} entries")


@main.group()
def event() -> None:
    """Declare the start and end of a downtime (admin)."""


@event.command("start")
@click.option("--reason", required=True)
@click.pass_context
def event_start(ctx: click.Context, reason: str) -> None:
    e = open_session(ctx).start_downtime(reason)
    click.echo(f"downtime started: {e.uuid}")


@event.command("end")
@click.option("--note", default="")
@click.pass_context
def event_end(ctx: click.Context, note: str) -> None:
    open_session(ctx).end_downtime(note)
    click.echo("downtime ended")


@main.command()
@click.option("--no-gui", is_flag=True, help="Only build the demo site; do not open the app.")
@click.pass_context
def demo(ctx: click.Context, no_gui: bool) -> None:
    """Build a demo site with synthetic patients, then open the app."""
    from downtime.demo import build_demo

    info = build_demo(home_of(ctx))
    click.echo(info.describe())
    if not no_gui:
        from downtime.gui.app import run_gui

        sys.exit(run_gui(home_of(ctx)))


@main.command()
@click.pass_context
def gui(ctx: click.Context) -> None:
    """Open the app."""
    from downtime.gui.app import run_gui

    sys.exit(run_gui(home_of(ctx)))


from downtime.cli_snapshot import search, snapshot  # noqa: E402  (command modules register after main exists)
from downtime.cli_stage import drill, stage  # noqa: E402

main.add_command(stage)
main.add_command(drill)
main.add_command(snapshot)
main.add_command(search)

from downtime.cli_sync import (  # noqa: E402
    entry_import, export, keys, new_office_passphrase, reconcile, setup_records_office)

main.add_command(export)
main.add_command(keys)
main.add_command(reconcile)
entry.add_command(entry_import)

from downtime.cli_print import print_

main.add_command(print_)
