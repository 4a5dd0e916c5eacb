#!/usr/bin/env bash
# Set up rtvi-edge in this checkout, then optionally run it or its tests.
#
#   scripts/setup.sh          install: apt packages (as root), .venv, llama-cpp-python (cached wheel), models
#   scripts/setup.sh run      install, then start the daemon on its defaults
#   scripts/setup.sh test     install with test extras (mosquitto, chromium, npm packages), then run the tests
#
# Idempotent: a second run only checks. The llama-cpp-python build (about 5 minutes on 2 cores) is cached as
# a wheel keyed by version, CPU architecture and CMake flags, so it happens once per machine.
set -euo pipefail

MODE="${1:-install}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/rtvi-edge"

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

case "$MODE" in install|run|test) ;; *) echo "usage: scripts/setup.sh [install|run|test]" >&2; exit 2 ;; esac

# --- system packages ---------------------------------------------------------------------------------
APT_PACKAGES=(python3-venv python3-dev build-essential cmake portaudio19-dev libspeexdsp1)
if [ "$MODE" = test ]; then
  APT_PACKAGES+=(mosquitto espeak-ng chromium systemd nodejs npm fonts-dejavu-core)
fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# node and npm may come from elsewhere than Debian's packages: only ask apt for them when absent
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "rtvi-edge needs these system packages; run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# --- Python environment ------------------------------------------------------------------------------
if [ ! -x "$PY" ]; then
  say "creating $VENV"
  python3 -m venv "$VENV"
  "$PY" -m pip install -q --upgrade pip
fi

# --- llama-cpp-python: build once into a wheel cache, then install from it --------------------------
# Portable flags on x86 (a -march=native wheel could crash on another CPU); native on the device itself.
native=1
[ "$(uname -m)" = x86_64 ] && native=0
install_llama_cpp "$PY" "$CACHE/wheels" "$native"

extras=""
[ "$MODE" = test ] && extras="[test,bench]"
say "installing rtvi-edge$extras"
"$PY" -m pip install -q --disable-pip-version-check -e "$ROOT$extras"

# --- models ------------------------------------------------------------------------------------------
say "installing models"
if [ "$MODE" = test ]; then
  "$VENV/bin/rtvi-edge" models install --all
else
  "$VENV/bin/rtvi-edge" models install
fi

# --- run ---------------------------------------------------------------------------------------------
if [ "$MODE" = run ]; then
  "$VENV/bin/rtvi-edge" doctor || true
  say "starting the daemon (Ctrl-C stops it); open http://127.0.0.1:7860/ for the kiosk page"
  exec "$VENV/bin/rtvi-edge" run
fi
if [ "$MODE" = test ]; then
  for package in "$ROOT"/tests/*/package.json; do
    dir="$(dirname "$package")"
    if [ ! -d "$dir/node_modules" ]; then
      say "installing browser test packages in ${dir#$ROOT/} (npm)"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
  say "running the tests"
  cd "$ROOT"
  exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider
fi
say "installed; start with: .venv/bin/rtvi-edge run"
