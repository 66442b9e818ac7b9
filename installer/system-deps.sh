#!/bin/sh
# Installs the Debian packages the toolkit needs (Qt offscreen and under Xvfb, Hindi fonts,
# PDF rendering for tests, CUPS client), or prints the exact command when not run as root.
# Usage: installer/system-deps.sh [runtime|test]
set -eu
profile="${1:-runtime}"

pkgs="libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 fonts-noto-core libcups2 cups-client"
if [ "$profile" = "test" ]; then
  pkgs="$pkgs poppler-utils xvfb xauth cups cups-bsd printer-driver-cups-pdf"
fi
# A bare Debian python3 has no venv module; it comes in python3-venv.
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  pkgs="$pkgs python3-venv"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian system; install the equivalents of: $(echo $pkgs)" >&2
  exit 0
fi

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ]; then
  echo "system-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "system-deps: these Debian packages are missing. Run this, then try again:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
