#!/usr/bin/env bash
# Install Debian's chromium + chromium-driver for the HTML report's browser test (tests/report/).
# Idempotent and quiet: does nothing when both are already there. Fails loudly when it cannot install,
# because CI must run the browser test rather than skip it.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    echo "browser: $(chromium --version 2>/dev/null | head -n1) already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "browser: need root (or sudo) to apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser: apt-get not found; install chromium and chromedriver by hand" >&2
    exit 1
fi

echo "browser: installing chromium chromium-driver"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
echo "browser: $(chromium --version 2>/dev/null | head -n1) installed"
