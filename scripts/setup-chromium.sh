#!/usr/bin/env bash
# setup-chromium.sh: Debian's headless Chromium, which the report test renders
# the HTML report in. Idempotent; needs root (apt-get) when it is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(command -v chromium)"
  exit 0
fi
if [[ $(id -u) != 0 ]]; then
  echo "setup-chromium: chromium is missing and this is not root; install Debian's chromium package, or the report test will be skipped" >&2
  exit 0
fi
echo "chromium: installing Debian's chromium package"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "chromium: $(command -v chromium)"
