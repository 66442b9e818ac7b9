"""``downtime export``, ``keys ...``, ``reconcile ...`` and ``entry import``: moving entries to the records office.

Each command is a thin wrapper around one call into ``sync`` (or, for ``entry import``, the core). The
records-office commands open the workspace with the office passphrase (DOWNTIME_PASSPHRASE, or asked for
at a terminal); ward commands that need the PC's secrets log in with a staff PIN as usual.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path

import click

from downtime.atomic_file import write_atomic
from downtime.cli_common import credentials, fail, home_of, open_session, passphrase_from
from downtime.entry_import import import_csv
from downtime.errors import DowntimeError
from downtime.home import Home
from downtime.kinds.schema import get_kind
from downtime.logs import log
from downtime.session import Session
from sync.adapters.post_state import PostReport
from sync.bundle import SUFFIX, BundleRejected
from sync.decisions import CROSSWALK_COLUMNS, crosswalk_rows, load_decisions, registrations, save_decisions
from sync.export import export_bundle
from sync.keys import OFFICE, device_key_file, read_device_keys, read_key_file, write_key_file
from sync.match import match_all
from sync.mpi import MPI_FORMATS, LoadReport, MpiIndex
from sync.office import check_passphrase, office_key_file
from sync.recover import recover_journal
from sync.report import build_report
from sync.report import write_json as write_report_json
from sync.status import render_text, workspace_status
from sync.workspace import ImportResult, Workspace, describe_trust

PASSPHRASE_ENV = "DOWNTIME_PASSPHRASE"
OUT_FILE = click.Path(dir_okay=False, path_type=Path)
IN_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)
EXIT_NOT_COMPLETE = 3  # reconcile report: written, but something is unresolved


def office_passphrase(*, confirm: bool = False) -> str:
    """The records-office passphrase from DOWNTIME_PASSPHRASE, or asked for at a terminal."""
    return passphrase_from(PASSPHRASE_ENV, "records-office passphrase", confirm=confirm)


def new_office_passphrase() -> str:
    passphrase = office_passphrase(confirm=True)
    check_passphrase(passphrase)  # before init writes anything
    return passphrase


def setup_records_office(session: Session, passphrase: str) -> str:
    """Called by ``init --records-office``: make the office keys and the workspace; say what to do next."""
    Workspace.create(session, passphrase).close()
    key = office_key_file(session.home)
    return (f"Records-office key {key.fingerprint}; give it to IT with "
            f"'downtime --home {session.home.path} reconcile pubkey --out office.pub'")


def _workspace(ctx: click.Context) -> Workspace:
    ws = Workspace.open(home_of(ctx), office_passphrase())
    ctx.call_on_close(ws.close)
    if ws.local_import and ws.local_import.new:  # e.g. paper keyed in on this office PC
        click.echo(f"this PC's own journal: {ws.local_import.describe()}")
    return ws


# -- ward PC -----------------------------------------------------------------------------------

@click.command("export")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the bundle to (the USB stick).")
@click.option("--all", "full", is_flag=True, help="Export every entry again, not only those not yet exported.")
@click.pass_context
def export(ctx: click.Context, out: Path, full: bool) -> None:
    """Write this PC's entries to a signed, sealed bundle for the records office."""
    result = export_bundle(open_session(ctx), out, full=full)
    log.info("exported bundle seq %d-%d (%d entries)", result.first_seq, result.last_seq, result.entries)
    click.echo(result.describe())


@click.group("keys")
def keys() -> None:
    """This PC's public key, and the records office's key it seals bundles to."""


@keys.command("export")
@click.option("--out", required=True, type=OUT_FILE, help="Where to write device.pub.")
@click.pass_context
def keys_export(ctx: click.Context, out: Path) -> None:
    """Write this PC's public signing key (device.pub) for the records office."""
    key_file = device_key_file(Home(home_of(ctx)).load_config())
    write_key_file(out, key_file)
    click.echo(f"wrote {out}: device {key_file.device}, key {key_file.fingerprint}")


@keys.command("trust-office")
@click.argument("office_pub", type=IN_FILE)
@click.pass_context
def keys_trust_office(ctx: click.Context, office_pub: Path) -> None:
    """Seal this PC's bundles to the records office key in OFFICE_PUB (admin)."""
    office = read_key_file(office_pub, OFFICE)
    session = open_session(ctx)
    if office.site != session.config.site["code"]:
        raise DowntimeError(f"{office_pub.name} is the records office of site {office.site}; this PC belongs to "
                            f"site {session.config.site['code']}. Ask for your own site's office.pub")
    session.trust_office(office.key)
    click.echo(f"bundles from {session.config.device} are now sealed to records office {office.device}, key "
               f"{office.fingerprint}: check that the records office sees the same fingerprint")


# -- records office ----------------------------------------------------------------------------

@click.group("reconcile")
def reconcile() -> None:
    """Records office: trust ward PCs, import their bundles, see what is missing, match and write back."""


@reconcile.command("pubkey")
@click.option("--out", required=True, type=OUT_FILE, help="Where to write office.pub.")
@click.pass_context
def reconcile_pubkey(ctx: click.Context, out: Path) -> None:
    """Write the records office's public key (office.pub) for staging the ward PCs."""
    key_file = office_key_file(Home(home_of(ctx)))
    write_key_file(out, key_file)
    click.echo(f"wrote {out}: records office {key_file.device} of site {key_file.site}, key {key_file.fingerprint}")


@reconcile.command("trust")
@click.argument("key_files", nargs=-1, required=True, type=IN_FILE)
@click.option("--replace", is_flag=True, help="Replace the key of a PC that was re-staged.")
@click.option("--ward", help="The ward of this PC, if its device code does not say it.")
@click.pass_context
def reconcile_trust(ctx: click.Context, key_files: tuple[Path, ...], replace: bool, ward: str | None) -> None:
    """Accept bundles signed by these PCs (device.pub files, or IT's staging plan.json)."""
    found = [key for path in key_files for key in read_device_keys(path)]  # all readable before any is trusted
    ws = _workspace(ctx)
    for key in found:
        click.echo(describe_trust(ws.trust(key, replace=replace, ward=ward)))


@reconcile.command("import")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def reconcile_import(ctx: click.Context, bundles: tuple[Path, ...]) -> None:
    """Import bundles (files, or folders of .dtb files such as a USB stick)."""
    files = _bundle_files(bundles)
    ws = _workspace(ctx)
    rejected = 0
    for path in files:
        try:
            result = ws.import_file(path)
        except BundleRejected as exc:
            rejected += 1
            log.warning("rejected bundle: %s check, device %s", exc.check, exc.device)
            click.echo(f"error: {path.name} rejected, nothing imported from it: {exc}", err=True)
            continue
        _log_import(result)
        click.echo(f"{path.name}: {result.describe()}")
    if rejected:
        sys.exit(1)


def _bundle_files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            # Only the stick's top folder, and never a .partial left by a pulled stick.
            inside = sorted(p for p in path.iterdir() if p.suffix == SUFFIX and not p.name.startswith("."))
            if not inside:
                raise DowntimeError(f"{path} holds no {SUFFIX} bundles; check that it is the right stick")
            files += inside
        else:
            files.append(path)
    return files


def _log_import(result: ImportResult) -> None:
    log.info("imported device %s seq %d-%d: %d new, %d duplicates, %d conflicts", result.device,
             result.first_seq, result.last_seq, result.new, result.duplicates, result.conflicts)


@reconcile.command("recover")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.pass_context
def reconcile_recover(ctx: click.Context, folder: Path) -> None:
    """Import the journal of a PC that will not boot, from a copy of its downtime folder.

    Needs an admin PIN of that PC (DOWNTIME_STAFF / DOWNTIME_PIN, or asked for)."""
    staff, pin = credentials("an admin of that PC")
    result = recover_journal(_workspace(ctx), folder, staff, pin)
    _log_import(result)
    click.echo(f"recovered {folder.name}: {result.describe()}")


@reconcile.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def reconcile_status(ctx: click.Context, as_json: bool) -> None:
    """What has arrived from each PC, what is missing, and what needs review."""
    status = workspace_status(_workspace(ctx))
    click.echo(json.dumps(status.to_json(), ensure_ascii=False, indent=1) if as_json else render_text(status))


@reconcile.command("match")
@click.option("--mpi", "mpi_file", required=True, type=IN_FILE, help="The HMIS patient index (FHIR Patient NDJSON "
              "or CSV).")
@click.option("--mpi-format", type=click.Choice(MPI_FORMATS), help="Its format (default: from the file name).")
@click.pass_context
def reconcile_match(ctx: click.Context, mpi_file: Path, mpi_format: str | None) -> None:
    """Match every registration to the HMIS patient index: matched, new, or review."""
    report = LoadReport()
    try:
        mpi = MpiIndex.load(mpi_file, mpi_format, report)
    except (OSError, ValueError) as exc:
        raise DowntimeError(f"cannot read the patient index {mpi_file.name}: {exc}") from None
    if not report.rows:
        raise DowntimeError(f"{mpi_file.name} holds no patients; check that it is the HMIS patient index "
                            f"({len(report.problems)} lines could not be read)")
    ws = _workspace(ctx)
    regs = registrations(ws)
    decisions = match_all(regs, mpi)
    save_decisions(ws, decisions, mpi=mpi, registrations=regs)  # candidates kept for the review queue
    counts = {d: sum(1 for x in decisions if x.decision == d) for d in ("matched", "new", "review")}
    log.info("matched %d registrations against %d MPI patients: %s", len(decisions), report.rows, counts)
    click.echo(f"{len(decisions)} registrations against {report.rows} HMIS patients ({len(report.problems)} lines "
               f"unreadable): {counts['matched']} matched, {counts['new']} new, {counts['review']} to review")


@reconcile.command("review")
@click.pass_context
def reconcile_review(ctx: click.Context) -> None:
    """Open the review window: decide the doubtful matches and the import conflicts (records officers, admins).

    Asks for a staff login, then the records-office passphrase (unless DOWNTIME_PASSPHRASE is set)."""
    from downtime.gui.review.app import run_review  # Qt loads only for the window

    sys.exit(run_review(home_of(ctx), os.environ.get(PASSPHRASE_ENV) or None))


@reconcile.command("crosswalk")
@click.option("--out", required=True, type=OUT_FILE, help="Where to write crosswalk.csv.")
@click.option("--sheets", type=click.Path(file_okay=False, path_type=Path), help="Also write a relabel sheet "
              "(PDF) per ward to this folder.")
@click.pass_context
def reconcile_crosswalk(ctx: click.Context, out: Path, sheets: Path | None) -> None:
    """Write the crosswalk: each downtime ID with its decision and UHID."""
    ws = _workspace(ctx)
    rows = crosswalk_rows(ws)
    text = io.StringIO()
    writer = csv.DictWriter(text, CROSSWALK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(out, text.getvalue().encode("utf-8"))
    click.echo(f"wrote {out}: {len(rows)} downtime IDs")
    if sheets is not None:
        from sync.relabel import write_relabel_sheets  # reportlab takes most of a second to load: only when asked

        written = write_relabel_sheets(ws, sheets)
        click.echo(f"wrote {sheets}: relabel sheets for {len(written)} wards")
        for sheet in written:
            click.echo(f"  {sheet.describe()}")


@reconcile.command("post")
@click.option("--adapter", required=True, type=click.Choice(["fhir", "hl7v2", "csv"]), help="How the HMIS takes "
              "records.")
@click.option("--url", help="The FHIR base URL, or mllp://host:port for HL7 v2.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write files to this folder instead.")
@click.option("--uhid-system", help="FHIR: the identifier system the HMIS files UHIDs under (ask the HMIS team); "
              "without it, urn:hmis:SITE:uhid.")
@click.option("--uhid-authority", help="HL7 v2: the assigning authority (PID-3.4) the HMIS files UHIDs under (ask "
              "the HMIS team); without it, HMIS.")
@click.pass_context
def reconcile_post(ctx: click.Context, adapter: str, url: str | None, out: Path | None,
                   uhid_system: str | None, uhid_authority: str | None) -> None:
    """Send the decided patients' records to the HMIS (or write them as files)."""
    # The FHIR models and hl7apy take a third of a second to load: only this command needs them.
    from sync.adapters.csv_out import write_csv
    from sync.adapters.fhir import post_fhir
    from sync.adapters.hl7v2 import check_uhid_authority, mllp_address, send_hl7, write_hl7
    from sync.adapters.hl7v2 import settings_for as hl7_settings

    if (url is None) == (out is None):
        raise DowntimeError("give --url or --out (one of the two)")
    if adapter == "csv" and url:
        raise DowntimeError("the csv adapter writes files: give --out DIR")
    if uhid_system and adapter != "fhir":
        raise DowntimeError("--uhid-system is for the fhir adapter; leave it out for hl7v2 and csv")
    if uhid_authority is not None and adapter != "hl7v2":
        raise DowntimeError("--uhid-authority is for the hl7v2 adapter; leave it out for fhir and csv")
    if uhid_authority is not None:
        check_uhid_authority(uhid_authority)  # like a bad address, before the passphrase
    address = mllp_address(url) if adapter == "hl7v2" and url else None  # a bad address before the passphrase
    ws = _workspace(ctx)
    decisions = load_decisions(ws)
    if not decisions:
        raise DowntimeError("no match decisions yet: run 'reconcile match --mpi FILE' first")
    report: PostReport
    try:
        if adapter == "fhir":
            report = post_fhir(ws, decisions, url=url, out=out, uhid_system=uhid_system)
        elif address:
            report = send_hl7(ws, decisions, *address, settings=hl7_settings(ws, uhid_authority))
        elif adapter == "hl7v2":
            report = write_hl7(ws, decisions, out,  # type: ignore[arg-type]  # out is set when url is not
                               settings=hl7_settings(ws, uhid_authority))
        else:
            report = write_csv(ws, decisions, out)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        if url is None:
            raise
        # Each acknowledgement was committed as it came, so a stopped run resumes rather than starts again.
        fail("stopped before the end: what the HMIS acknowledged is kept; run the same command again to send the "
             "rest", 130)
    log.info("post %s: %d sent, %d failed", adapter, report.posted, len(report.failed))
    click.echo(report.describe())
    if not report.complete:
        sys.exit(1)


@reconcile.command("report")
@click.option("--out", required=True, type=OUT_FILE, help="Where to write the PDF (report.pdf).")
@click.option("--json", "json_file", type=OUT_FILE, help="Where to write the JSON (default: beside the PDF, "
              "report.json).")
@click.pass_context
def reconcile_report(ctx: click.Context, out: Path, json_file: Path | None) -> None:
    """The completeness report: received = posted + merged + voided + pending, per ward and PC, every
    blank-pack ID accounted for, and what is unresolved. Prints one line.

    Exit status: 0 COMPLETE; 3 NOT COMPLETE (both files are written either way); 1 on an error."""
    json_file = json_file or out.with_suffix(".json")
    if json_file.resolve() == out.resolve():
        raise DowntimeError(f"--out {out.name} would be overwritten by the JSON: name the PDF report.pdf")
    report = build_report(_workspace(ctx))
    from sync.report_pdf import render_report_pdf  # reportlab takes most of a second to load: only when asked

    render_report_pdf(report, out)
    write_report_json(report, json_file)
    log.info("reconciliation report: %s", report.verdict)
    click.echo(f"{report.summary()} (wrote {out} and {json_file})")
    if not report.complete:
        sys.exit(EXIT_NOT_COMPLETE)


# -- entry import (core; lives here so cli.py only registers it) ------------------------------

@click.command("import")
@click.argument("kind")
@click.argument("csv_file", type=IN_FILE)
@click.pass_context
def entry_import(ctx: click.Context, kind: str, csv_file: Path) -> None:
    """Record one entry per row of a CSV file (columns: row_id, the kind's fields, optionally ward and
    downtime_id). Bad rows are listed and not imported; importing the file again skips the good ones."""
    get_kind(kind)  # an unknown kind is the first thing to say, before the file or the PIN
    result = import_csv(open_session(ctx), kind, csv_file)
    click.echo(result.describe())
    for problem in result.problems:
        click.echo(f"  {problem.describe()}")
    if result.problems:
        fail(f"{len(result.problems)} rows were not imported (listed above); correct them and import the file "
             "again: rows already imported are skipped", 1)
