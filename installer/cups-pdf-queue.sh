#!/bin/sh
# Sets up the CUPS print queue "DowntimePDF", backed by cups-pdf, so the printing tests print for real
# (CI runs this before the tests). Safe to run again. Needs the Debian packages cups, cups-client and
# printer-driver-cups-pdf (installer/system-deps.sh test). cups-pdf writes each job's PDF under the
# job owner's ~/PDF/ (Out in /etc/cups/cups-pdf.conf).
set -eu
queue="${DOWNTIME_CUPS_QUEUE:-DowntimePDF}"
ppd=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd

if [ "$(id -u)" != "0" ]; then
  echo "cups-pdf-queue: not root, so no print queue was set up (the printing tests skip, unless DOWNTIME_REQUIRE_CUPS=1)" >&2
  exit 0
fi
for need in /usr/sbin/cupsd /usr/sbin/lpadmin "$ppd"; do
  if [ ! -e "$need" ]; then
    echo "cups-pdf-queue: $need is missing; run installer/system-deps.sh test first" >&2
    exit 1
  fi
done

if ! lpstat -r 2>/dev/null | grep -q "is running"; then
  /usr/sbin/cupsd  # forks into the background
  tries=0
  until lpstat -r 2>/dev/null | grep -q "is running"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 50 ]; then
      echo "cups-pdf-queue: cupsd did not start within 10 s" >&2
      exit 1
    fi
    sleep 0.2
  done
fi

if ! lpstat -v "$queue" >/dev/null 2>&1; then
  lpadmin -p "$queue" -v cups-pdf:/ -E -P "$ppd"
fi
# An earlier run (or a failed job) may have left the queue stopped or rejecting jobs.
cupsenable "$queue"
cupsaccept "$queue"
echo "cups-pdf-queue: print queue $queue is ready"
