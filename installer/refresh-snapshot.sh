#!/bin/sh
# Scheduled snapshot refresh for a Linux ward PC (cron). Needs no PIN: the new snapshot is sealed
# to this PC's public key, and the old one stays in use until the new one is complete.
#
#   */15 * * * *  downtime  /opt/downtime/refresh-snapshot.sh /srv/downtime /mnt/hmis-exports
#
# EXPORTS holds one folder per HMIS export (FHIR Bulk NDJSON files, or the CSV template). A folder is
# taken only once it is complete: the HMIS writes a file named COMPLETE (or the Bulk export's
# manifest.json / log.ndjson) last. The folder is copied locally first, so a network drop halfway
# through the copy never reaches the import.
set -eu
HOME_DIR="${1:?usage: refresh-snapshot.sh DOWNTIME_HOME EXPORTS_DIR}"
EXPORTS="${2:?usage: refresh-snapshot.sh DOWNTIME_HOME EXPORTS_DIR}"
DOWNTIME="${DOWNTIME:-downtime}"
LOG="$HOME_DIR/logs/refresh.log"
mkdir -p "$HOME_DIR/logs"

log() { echo "$(date -Iseconds) $*" >>"$LOG"; }

newest=""
for dir in $(ls -1dt "$EXPORTS"/*/ 2>/dev/null); do
  if [ -e "$dir/COMPLETE" ] || [ -e "$dir/manifest.json" ] || [ -e "$dir/log.ndjson" ]; then
    newest="$dir"; break
  fi
done
if [ -z "$newest" ]; then
  log "no complete export found in $EXPORTS"; exit 1
fi
stamp="$HOME_DIR/logs/last-export"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$newest" ]; then
  exit 0  # already imported; nothing new on the share
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$newest". "$work/"
if "$DOWNTIME" --home "$HOME_DIR" snapshot import "$work" >>"$LOG" 2>&1; then
  echo "$newest" >"$stamp"
  log "imported $newest"
else
  log "FAILED to import $newest (the previous snapshot is still in use)"; exit 1
fi
