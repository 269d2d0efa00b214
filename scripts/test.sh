#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, type-checks, then runs every test
# under test/ with node's test runner (through tsx), one file at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
bash scripts/ensure-installed.sh
npm run --silent typecheck
# Node 20's test runner does not expand globs, so the files are listed here.
mapfile -t test_files < <(find test -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 --test-timeout=300000 "${test_files[@]}"
