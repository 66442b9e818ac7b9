"""``downtime stage ...``: IT's commands to prepare ward PCs before an outage."""

from __future__ import annotations

from pathlib import Path

import click

from downtime import staging
from downtime.atomic_file import write_atomic
from downtime.cli_common import home_of, open_session, passphrase_from

PASSPHRASE_ENV = "DOWNTIME_STAGING_PASSPHRASE"


def _passphrase(confirm: bool) -> str:
    return passphrase_from(PASSPHRASE_ENV, "staging passphrase", confirm=confirm)


def _default_plan(site_file: Path) -> Path:
    return site_file.with_name("plan.json")


@click.group()
def stage() -> None:
    """Prepare ward PCs: plan ID blocks, package each PC, apply the package on it."""


@stage.command("plan")
@click.option("--site", "site_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--devices", required=True, type=click.IntRange(1, 999), help="How many PCs to plan for.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Plan file (default: plan.json next to the site file). An existing plan only grows.")
def stage_plan(site_file: Path, devices: int, plan_file: Path | None) -> None:
    """Give each PC its own block of downtime IDs."""
    site = staging.load_site_file(site_file)
    plan_file = plan_file or _default_plan(site_file)
    existing = staging.Plan.load(plan_file) if plan_file.exists() else None
    plan = staging.plan_devices(site, devices, existing)
    plan.save(plan_file)
    click.echo(f"{len(plan.devices)} devices planned in {plan_file}; blocks "
               f"{plan.devices[0]['block']:03d}-{plan.devices[-1]['block']:03d} of {plan.block_size} IDs each")


@stage.command("package")
@click.option("--site", "site_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--device", required=True)
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def stage_package(site_file: Path, device: str, plan_file: Path | None, out: Path) -> None:
    """Write one PC's provisioning file (encrypted under the staging passphrase)."""
    site = staging.load_site_file(site_file)
    plan_file = plan_file or _default_plan(site_file)
    plan = staging.Plan.load(plan_file)
    passphrase = _passphrase(confirm=True)
    staging.check_passphrase(passphrase)
    data = staging.make_package(site, plan, device, passphrase)
    write_atomic(out, data)
    plan.save(plan_file)  # now holds this device's public key and fingerprint
    entry = plan.device(device)
    click.echo(f"wrote {out} for {entry['code']}: block {entry['block']:03d}, key {entry['fingerprint']}")


@stage.command("apply")
@click.argument("package", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def stage_apply(ctx: click.Context, package: Path) -> None:
    """Set up this PC from its provisioning file."""
    body = staging.open_package(package.read_bytes(), _passphrase(confirm=False))
    session = staging.apply_package(home_of(ctx), body)
    cfg = session.config
    session.close()
    click.echo(f"staged {cfg.device} for {cfg.site['name']}: ID block {body['id_block']['block']:03d}, "
               f"{len(body['staff'])} staff with one-time setup codes. Delete {package.name} from the USB stick.")


@click.command()
@click.option("--printer", help="Print queue for the test page (default: the ward's printer from the site file).")
@click.option("--no-print", is_flag=True, help="Do not try the printer.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also copy the PASS/FAIL sheet here.")
@click.pass_context
def drill(ctx: click.Context, printer: str | None, no_print: bool, out: Path | None) -> None:
    """Readiness drill: snapshot age, IDs left, keys, journal, disk, clock, forms and printer."""
    from forms.readiness import run_drill  # forms is loaded only by the commands that print

    result = run_drill(open_session(ctx), printer=printer, no_print=no_print)
    for r in result.results:
        click.echo(f"{r.outcome:<5} {r.name:<13} {r.detail}")
    if out:
        write_atomic(out, result.sheet.read_bytes())
    click.echo(f"{result.outcome}: sheet saved at {out or result.sheet}")
    if result.outcome == "FAIL":
        ctx.exit(1)


@stage.command("sheet")
@click.option("--site", "site_file", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def stage_sheet(site_file: Path, plan_file: Path | None, out: Path) -> None:
    """IT summary sheet (PDF): each device, its ward, its ID block and its key fingerprint."""
    from forms.table_sheet import render_table_sheet

    site = staging.load_site_file(site_file)
    plan = staging.Plan.load(plan_file or _default_plan(site_file))
    rows = [(d["code"], d.get("ward") or "", f"{d['block']:03d}",
             f"{plan.site_code}-{d['block']:03d}-00001 … -{plan.block_size:05d}",
             d.get("fingerprint") or "not packaged yet") for d in plan.devices]
    render_table_sheet(out, title_en=f"Staging summary: {site.name}", title_hi="स्टेजिंग सारांश",
                       subtitle=f"{len(plan.devices)} devices · site code {plan.site_code} · "
                                f"{plan.block_size:,} IDs per block",
                       header=("Device", "Ward", "Block", "Downtime IDs", "Key fingerprint"), rows=rows,
                       widths_mm=(28, 20, 14, 58, 54),
                       footer="Compare each PC's fingerprint (shown by its drill and by 'downtime keys export') "
                              "with this sheet before trusting its bundles.")
    click.echo(f"wrote {out}")
