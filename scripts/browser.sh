#!/usr/bin/env bash
# The browser the web tests drive: Debian's chromium (Playwright cannot download its own
# browser here), and Noto CJK so that Chinese pages render in the screenshots. Idempotent:
# does nothing when both are installed. Needs root (apt-get); CI runs as root.
set -euo pipefail
if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "scripts/browser.sh: chromium or fonts-noto-cjk missing; run it as root to install" \
         "them (the browser tests are skipped without chromium outside CI)" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
command -v chromium
