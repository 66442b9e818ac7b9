#!/bin/sh
# Starts the frozen app the way IT would on a new PC: --version, a demo home, then a readiness drill.
set -eu
app="${1:-build/dist/downtime/downtime}"
home="$(mktemp -d)/demo"
export QT_QPA_PLATFORM=offscreen
"$app" --version
"$app" --home "$home" demo --no-gui >/dev/null
echo "frozen app built a demo home in $home"
# No printer is assumed on a build machine; the drill checks everything else, forms included.
DOWNTIME_STAFF=ADMIN1 DOWNTIME_PIN=482916 "$app" --home "$home" drill --no-print --out "$home/drill.pdf"
rm -rf "$(dirname "$home")"
