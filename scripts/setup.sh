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
LLAMA_VERSION="0.3.36"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/rtvi-edge"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

case "$MODE" in install|run|test) ;; *) echo "usage: scripts/setup.sh [install|run|test]" >&2; exit 2 ;; esac

# --- system packages ---------------------------------------------------------------------------------
APT_PACKAGES=(python3-venv python3-dev build-essential cmake portaudio19-dev)
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
if ! "$PY" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$LLAMA_VERSION')" 2>/dev/null; then
  arch="$(uname -m)"
  if [ "$arch" = x86_64 ]; then
    # Portable flags: a wheel built with -march=native could crash on another x86 CPU.
    flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_OPENMP=OFF -DLLAVA_BUILD=OFF"
  else
    # On the device itself (Pi, Jetson) a native build is right; the key includes the CPU so it never moves.
    flags="-DGGML_NATIVE=ON -DGGML_OPENMP=OFF -DLLAVA_BUILD=OFF"
    arch="$arch-$(grep -m1 -iE 'model name|cpu part' /proc/cpuinfo | md5sum | cut -c1-8)"
  fi
  key="$(printf '%s %s %s' "$LLAMA_VERSION" "$arch" "$flags" | md5sum | cut -c1-12)"
  wheel_dir="$CACHE/wheels/llama-cpp-python-$LLAMA_VERSION-$key"
  if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    say "building llama-cpp-python $LLAMA_VERSION (once per machine; about 5 minutes on 2 cores)"
    mkdir -p "$wheel_dir"
    log="$wheel_dir/build.log"
    CMAKE_ARGS="$flags" "$PY" -m pip wheel --no-deps -w "$wheel_dir" "llama-cpp-python==$LLAMA_VERSION" >"$log" 2>&1 &
    build=$!
    started=$SECONDS
    while kill -0 "$build" 2>/dev/null; do
      sleep 15
      printf '    still building llama-cpp-python ... %d s\n' $((SECONDS - started)) >&2
    done
    if ! wait "$build"; then
      tail -20 "$log" >&2
      echo "llama-cpp-python build failed; full log: $log" >&2
      exit 1
    fi
  fi
  say "installing llama-cpp-python from the cached wheel"
  "$PY" -m pip install -q --no-deps "$wheel_dir"/llama_cpp_python-*.whl
  "$PY" -m pip install -q "numpy>=1.20" "typing-extensions>=4.5" "diskcache>=5.6.1" "jinja2>=2.11.3"
fi

extras=""
[ "$MODE" = test ] && extras="[test]"
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
  if [ -f "$ROOT/tests/e2e/package.json" ] && [ ! -d "$ROOT/tests/e2e/node_modules" ]; then
    say "installing the browser test client (npm)"
    (cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  say "running the tests"
  cd "$ROOT"
  exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider
fi
say "installed; start with: .venv/bin/rtvi-edge run"
