"""``downtime print ...``: print an entry, a blank pre-numbered pack, or sheets from the snapshot.

    downtime print admission --entry AIIMS-042-00200-0 [--out FILE.pdf] [--printer NAME]
    downtime print admission --blank --count 50
    downtime print ward_census [--ward NAME] [--with-summaries]
    downtime print patient_summary --patient UHID
    downtime print lab_report --entry ACCESSION [--patient UHID]
    downtime print --list
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from downtime.cli_common import open_session
from downtime.errors import DowntimeError
from downtime.session import Session

if TYPE_CHECKING:
    from forms.printing import PrintResult

T = TypeVar("T")


@click.command("print")
@click.argument("form", required=False)
@click.option("--entry", "ref", help="The entry to print: its human ID (IP number, accession number...) or uuid.")
@click.option("--blank", is_flag=True, help="Print blank forms pre-numbered with IDs reserved from this PC's block.")
@click.option("--count", type=click.IntRange(1, 5000), help="How many blank forms (with --blank).")
@click.option("--ward", help="ward_census: only this ward (default: every ward).")
@click.option("--with-summaries", is_flag=True, help="ward_census: add a patient summary for every in-patient.")
@click.option("--patient", "patient_id", help="patient_summary (and lab_report of a sample from another PC): the "
              "patient's UHID or downtime ID.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the PDF here (default: a new file in the prints folder of this PC's downtime folder).")
@click.option("--printer", help="The print queue to use (default: this PC's default printer).")
@click.option("--pdf-only", is_flag=True, help="Only write the PDF; do not send it to a printer.")
@click.option("--list", "list_forms", is_flag=True, help="List the forms and the printers, then stop.")
@click.pass_context
def print_(ctx: click.Context, form: str | None, ref: str | None, blank: bool, count: int | None,
           ward: str | None, with_summaries: bool, patient_id: str | None, out: Path | None,
           printer: str | None, pdf_only: bool, list_forms: bool) -> None:
    """Print FORM for an entry, as a blank pre-numbered pack, or from the snapshot (ward census, summary)."""
    # reportlab and the form specs take a third of a second to load: only printing needs them, not every command.
    from forms.census import (
        CENSUS_FORM,
        LAB_REPORT_FORM,
        SUMMARY_FORM,
        print_census,
        print_lab_report,
        print_patient_summary,
    )
    from forms.printing import print_blank_pack, print_entry
    from forms.spec import load_spec

    if list_forms:
        _list()
        return
    if not form:
        raise DowntimeError("name the form to print (downtime print --list shows them)")
    load_spec(form)  # an unknown form is the first thing to say, before the PIN
    session = open_session(ctx)
    if form == CENSUS_FORM:
        result = print_census(session, ward=ward, summaries=with_summaries, out=out, printer=printer,
                              pdf_only=pdf_only)
    elif form == SUMMARY_FORM:
        result = print_patient_summary(session, _required(patient_id, "--patient"), out=out, printer=printer,
                                       pdf_only=pdf_only)
    elif form == LAB_REPORT_FORM:
        result = print_lab_report(session, _required(ref, "--entry ACCESSION"), patient_id=patient_id, out=out,
                                  printer=printer, pdf_only=pdf_only)
    elif blank:
        result = print_blank_pack(session, form, _required(count, "--count"), out=out, printer=printer,
                                  pdf_only=pdf_only)
    else:
        result = print_entry(session, _required(ref, "--entry (or --blank --count N)"), form=form, out=out,
                             printer=printer, pdf_only=pdf_only)
    _report(session, result)


def _required(value: T | None, option: str) -> T:
    if value is None:
        raise DowntimeError(f"this form needs {option}")
    return value


def _list() -> None:
    from forms.print_queue import printers
    from forms.spec import load_spec, spec_names

    for name in spec_names():
        spec = load_spec(name)
        what = f"snapshot sheet ({spec.data})" if spec.is_sheet else spec.kind
        click.echo(f"{name:<24} {what:<36} {spec.title.en}")
    queues = printers()
    click.echo(f"printers: {', '.join(queues) if queues else 'none found (is CUPS running?)'}")


def _report(session: Session, result: PrintResult) -> None:
    click.echo(result.summary())
    status = session.block_status()
    warning = status.warning() if status else None
    if warning:
        click.echo(f"warning: {warning}", err=True)
