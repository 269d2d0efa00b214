#!/usr/bin/env bash
# `npm start`: installs and builds if needed, then runs the demo (a demo property and page).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-installed.sh
exec node dist/cli.js demo "$@"
