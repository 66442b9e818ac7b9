"""``downtime snapshot ...`` and ``downtime search``: the read-only copy of the HMIS."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from downtime.cli_common import home_of, open_session
from downtime.home import Home
from downtime.snapshot_store import install_snapshot


@click.group()
def snapshot() -> None:
    """The read-only copy of the HMIS that wards search during an outage."""


@snapshot.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def snapshot_import(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Import an HMIS export (FHIR Bulk NDJSON files or the CSV template); needs no PIN.

    PATHS may be files or folders (every .ndjson and .csv file in a folder is read).
    """
    home = Home(home_of(ctx)).require()
    files = _expand(paths)
    total = sum(p.stat().st_size for p in files)
    with click.progressbar(length=total, label="Importing", file=sys.stderr,
                           show_percent=True, show_eta=True, hidden=not sys.stderr.isatty()) as bar:
        done = [0]

        def progress(now: int, _total: int) -> None:
            bar.update(max(now - done[0], 0))
            done[0] = max(done[0], now)

        report = install_snapshot(home, files, progress=progress)
    click.echo(report.summary())


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in (".ndjson", ".csv", ".json"))
        else:
            files.append(path)
    if not files:
        raise click.UsageError("no .ndjson or .csv files found in the paths given")
    return files


@snapshot.command("status")
@click.pass_context
def snapshot_status(ctx: click.Context) -> None:
    """How old this PC's snapshot is, and what it holds (no PIN needed)."""
    info = Home(home_of(ctx)).require().snapshot_info()
    if not info:
        click.echo("no snapshot on this PC")
        return
    counts = ", ".join(f"{v:,} {k}" for k, v in info.get("counts", {}).items())
    click.echo(f"snapshot as of {info['as_of']} (imported {info['imported_at']}): {counts}; "
               f"{info.get('skipped_lines', 0)} unusable lines")


@click.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--sound-alike", is_flag=True, help="Also find names that sound alike (Suneeta, Sunita).")
@click.option("--limit", default=20, show_default=True)
@click.pass_context
def search(ctx: click.Context, query: str, as_json: bool, sound_alike: bool, limit: int) -> None:
    """Find patients by name, UHID, ABHA number, phone or downtime ID."""
    hits = open_session(ctx).search(query, limit=limit, sound_alike=sound_alike)
    if as_json:
        click.echo(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        click.echo("no patient found")
    for h in hits:
        ids = " / ".join(h.identifiers)
        place = f"  {h.ward} {h.bed or ''}".rstrip() if h.ward else ""
        click.echo(f"{h.name:<28} {h.age_sex:<9} {ids:<34} {h.relation or ''}{place}")
