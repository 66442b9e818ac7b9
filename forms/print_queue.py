"""Hand a finished PDF to the operating system's print queue.

Where CUPS is there (Linux, macOS) the job goes through ``lp``, which every
CUPS printer understands and which needs no GUI. Windows has no ``lp``: there
the pages are rasterised with pdfium and painted onto a ``QPrinter``; Qt and
pdfium are imported only on that path, so printing on a ward Linux PC never
loads them.

Job titles never carry a patient's name or ID: CUPS keeps them in its logs.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from downtime.errors import DowntimeError

LP_TIMEOUT_S = 60  # a queue that takes longer than this to accept a job is not going to print it
QT_DPI = 300  # enough for a Code128 module of 0.65 pt and the QR's smallest modules


class PrintQueueError(DowntimeError):
    """The print queue did not accept the job; the message says why, in one line."""


@dataclass(frozen=True)
class QueuedJob:
    printer: str  # the queue that took the job
    job_id: str  # what the queue calls it, e.g. "DowntimePDF-12"


def send_pdf(pdf: Path, printer: str | None, title: str) -> QueuedJob:
    """Queue ``pdf`` on ``printer`` (or the OS default printer); raise PrintQueueError if it is refused."""
    if shutil.which("lp"):
        return _lp(pdf, printer, title)
    return _qt(pdf, printer, title)


def printers() -> list[str]:
    """The print queues CUPS knows on this PC (empty without CUPS)."""
    if not shutil.which("lpstat"):
        return []
    done = subprocess.run(["lpstat", "-e"], capture_output=True, text=True, timeout=LP_TIMEOUT_S, check=False)
    return [line.strip() for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else []


def _lp(pdf: Path, printer: str | None, title: str) -> QueuedJob:
    # The PDF goes in on standard input: given a path, lp hands CUPS the file name (which carries the
    # downtime ID) as the job's document name, and CUPS keeps that in its job history.
    command = ["lp", *(["-d", printer] if printer else []), "-t", title]
    try:
        done = subprocess.run(command, input=pdf.read_bytes(), capture_output=True, timeout=LP_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        raise PrintQueueError(f"the print queue did not answer within {LP_TIMEOUT_S} s (is CUPS running?)") \
            from None
    stdout, stderr = (out.decode("utf-8", "replace") for out in (done.stdout, done.stderr))
    if done.returncode != 0:
        reason = _first_line(stderr).rstrip(".") or f"lp exited with status {done.returncode}"
        raise PrintQueueError(f"the print queue refused the job: {reason}")
    match = re.search(r"request id is (\S+)", stdout)
    job_id = match.group(1) if match else ""
    # CUPS names a job QUEUE-NUMBER, which tells which queue the default printer is.
    return QueuedJob(printer or job_id.rpartition("-")[0] or "default", job_id)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _qt(pdf: Path, printer: str | None, title: str) -> QueuedJob:  # pragma: no cover - Windows only
    """Print through Qt: rasterise each page with pdfium at QT_DPI and paint it onto the printer's page."""
    try:
        import pypdfium2
        from PySide6.QtGui import QGuiApplication, QImage, QPainter
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
    except ImportError as exc:
        raise PrintQueueError(f"cannot print on this PC: {exc.name} is not installed, and there is no lp") \
            from None
    _ = QGuiApplication.instance() or QGuiApplication([])
    info = QPrinterInfo.printerInfo(printer) if printer else QPrinterInfo.defaultPrinter()
    if info.isNull():
        raise PrintQueueError(f"there is no printer called {printer!r}" if printer else
                              "this PC has no default printer")
    device = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    device.setDocName(title)
    device.setFullPage(True)
    painter = QPainter()
    if not painter.begin(device):
        raise PrintQueueError(f"the printer {info.printerName()} cannot be opened")
    try:
        document = pypdfium2.PdfDocument(str(pdf))
        for index in range(len(document)):
            if index:
                device.newPage()
            png = io.BytesIO()
            document[index].render(scale=QT_DPI / 72).to_pil().save(png, "PNG")
            painter.drawImage(painter.viewport(), QImage.fromData(png.getvalue()))
    finally:
        painter.end()
    return QueuedJob(info.printerName(), "")
