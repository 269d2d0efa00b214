#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages, from Debian's packages:
#   chromium                       the browser of the end-to-end tests
#   webext-ublock-origin-chromium  ships EasyList and EasyPrivacy for the blocklist test
# Installs only what is missing; needs root (or sudo) when something is.
set -euo pipefail

packages=(chromium webext-ublock-origin-chromium)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: all present (${packages[*]})"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-test-deps: missing ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

echo "install-test-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-test-deps: installed ${missing[*]}"
