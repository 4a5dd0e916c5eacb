#!/usr/bin/env bash
# Install rtvi-edge as a system service on a Raspberry Pi or Jetson (64-bit Debian-based OS). Run as root
# from a checkout:
#
#   sudo scripts/install-device.sh              install or update (idempotent: a rerun only checks)
#   sudo scripts/install-device.sh --uninstall  remove the service, program, models and user; keep the config
#   sudo scripts/install-device.sh --uninstall --purge   ... and the config too
#   scripts/install-device.sh --dry-run         print what would be done, change nothing
#   sudo scripts/install-device.sh --satellite --hub=ws://hub.local:7860/ws --token=T
#                                               a satellite (mic, speaker, LEDs, wake word) of that hub:
#                                               no LLM build, only the wake word model, its own unit
#
# Layout: program /opt/rtvi-edge (venv in .venv), models /var/lib/rtvi-edge/models, config
# /etc/rtvi-edge/config.toml, unit /etc/systemd/system/rtvi-edge.service, user rtvi-edge (audio, gpio).
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$SRC/scripts/lib.sh"

APP=/opt/rtvi-edge
STATE=/var/lib/rtvi-edge
CONF_DIR=/etc/rtvi-edge
CACHE=/var/cache/rtvi-edge/wheels
UNIT=/etc/systemd/system/rtvi-edge.service
UDEV_RULE=/etc/udev/rules.d/99-rtvi-edge-gpio.rules
USER_NAME=rtvi-edge
APT_PACKAGES=(python3-venv python3-dev build-essential cmake portaudio19-dev alsa-utils libspeexdsp1)

ACTION=install
PURGE=0
ROLE=hub
HUB_URL=""
HUB_TOKEN=""
SAT_UNIT=/etc/systemd/system/rtvi-edge-satellite.service
# what a satellite runs (the wake word on LiteRT, onnxruntime its fallback, audio, the RTVI client): no
# llama.cpp, no STT/TTS runtimes
SATELLITE_PIP=(numpy ai-edge-litert onnxruntime soxr "websockets>=14,<18" "protobuf>=5" pyaudio==0.2.14 gpiozero)
for arg in "$@"; do
  case "$arg" in
    --uninstall) ACTION=uninstall ;;
    --purge) PURGE=1 ;;
    --dry-run) DRY_RUN=1 ;;
    --satellite) ROLE=satellite ;;
    --hub=*) HUB_URL="${arg#--hub=}" ;;
    --token=*) HUB_TOKEN="${arg#--token=}" ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-device.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$PURGE" = 1 ] && [ "$ACTION" != uninstall ]; then
  echo "install-device.sh: --purge goes with --uninstall" >&2
  exit 2
fi
if [ "$ROLE" = satellite ] && [ "$ACTION" = install ] && [ -z "$HUB_URL" ]; then
  echo "install-device.sh: --satellite needs --hub=ws://HUB:7860/ws (and --token=T when the hub has one)" >&2
  exit 2
fi
if [ "$DRY_RUN" != 1 ] && [ "$(id -u)" != 0 ]; then
  echo "install-device.sh: run as root (sudo $0 $*)" >&2
  exit 1
fi
have_systemd() { [ -d /run/systemd/system ]; }

uninstall() {
  for unit in "$UNIT" "$SAT_UNIT"; do
    if have_systemd && [ -f "$unit" ]; then
      say "stopping and disabling $(basename "$unit")"
      run systemctl disable --now "$(basename "$unit")" || true
    fi
  done
  say "removing the units, the program, the models and the wheel cache"
  run rm -f "$UNIT" "$SAT_UNIT" "$UDEV_RULE"
  have_systemd && run systemctl daemon-reload
  run rm -rf "$APP" "$STATE" "$(dirname "$CACHE")"
  if id "$USER_NAME" >/dev/null 2>&1; then
    say "removing the user $USER_NAME"
    run userdel "$USER_NAME"
  fi
  if [ "$PURGE" = 1 ]; then
    say "removing the configuration $CONF_DIR"
    run rm -rf "$CONF_DIR"
  elif [ -d "$CONF_DIR" ]; then
    say "kept the configuration in $CONF_DIR (--purge removes it)"
  fi
  say "rtvi-edge uninstalled"
}

create_user() {
  getent group gpio >/dev/null || { say "creating group gpio"; run groupadd --system gpio; }
  if ! id "$USER_NAME" >/dev/null 2>&1; then
    say "creating system user $USER_NAME"
    run useradd --system --user-group --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
  fi
  run usermod -a -G audio,gpio "$USER_NAME"
}

copy_program() {
  say "copying the program to $APP"
  run mkdir -p "$APP"
  # replace the code, keep the venv; model files and dev-only trees stay behind
  run rm -rf "$APP/firmware_py"
  if [ "$DRY_RUN" != 1 ]; then
    tar -C "$SRC" --exclude=./.venv --exclude=./.git --exclude='./models/*/*' --exclude='*.onnx' \
      --exclude=./tests --exclude='__pycache__' --exclude='*.egg-info' -cf - . | tar -C "$APP" -xf -
  fi
}

python_env() {
  local py="$APP/.venv/bin/python"
  if [ ! -x "$py" ]; then
    say "creating the Python environment $APP/.venv"
    run python3 -m venv "$APP/.venv"
    run "$py" -m pip install -q --upgrade pip
  fi
  if [ "$ROLE" = satellite ]; then
    say "installing the satellite's packages into $APP/.venv"
    run "$py" -m pip install -q --disable-pip-version-check "${SATELLITE_PIP[@]}"
    run "$py" -m pip install -q --disable-pip-version-check --no-deps -e "$APP"
    return
  fi
  # on the device itself a native build is right (GGML_NATIVE=ON); the wheel is cached per CPU
  install_llama_cpp "$py" "$CACHE" 1
  say "installing rtvi-edge into $APP/.venv"
  # editable: the daemon finds models/manifest.toml next to its code
  run "$py" -m pip install -q --disable-pip-version-check -e "$APP"
  case "$(uname -m)" in
    aarch64|armv7l)
      "$py" -c "import lgpio" 2>/dev/null || run "$py" -m pip install -q lgpio \
        || say "warning: no lgpio wheel; GPIO LEDs/button will not work until lgpio is installed" ;;
  esac
}

install_models() {
  say "installing models into $STATE/models"
  run mkdir -p "$STATE/models"
  if [ -f "$SRC/models/vad/silero_vad.onnx" ] && [ "$DRY_RUN" != 1 ]; then
    # a checkout with models saves the download; `models install` verifies every file anyway
    tar -C "$SRC/models" --exclude=manifest.toml --exclude=README.md -cf - . | tar -C "$STATE/models" -xf -
  fi
  if [ "$ROLE" = satellite ]; then
    run env RTVI_EDGE_MODELS="$STATE/models" "$APP/.venv/bin/rtvi-edge" models install wakeword
  else
    run env RTVI_EDGE_MODELS="$STATE/models" "$APP/.venv/bin/rtvi-edge" models install
  fi
  run chown -R "$USER_NAME:$USER_NAME" "$STATE"
}

write_satellite_config() {
  local env_file="$CONF_DIR/satellite.env"
  say "writing $env_file (the hub's URL and token)"
  run mkdir -p "$CONF_DIR"
  if [ "$DRY_RUN" != 1 ]; then
    printf 'RTVI_EDGE_HUB=%s\nRTVI_EDGE_TOKEN=%s\n# e.g. --room kitchen --always --own-echo-cancel\nSATELLITE_ARGS=\n' \
      "$HUB_URL" "$HUB_TOKEN" >"$env_file"
    chown "root:$USER_NAME" "$env_file"
    chmod 0640 "$env_file"
    [ -f "$CONF_DIR/config.toml" ] || printf '# Satellite: [audio], [gpio] and [wakeword] apply. rtvi-edge config --reference\n' \
      >"$CONF_DIR/config.toml"
  fi
}

write_config() {
  local config="$CONF_DIR/config.toml" token
  if [ "$ROLE" = satellite ]; then
    write_satellite_config
    return
  fi
  if [ -f "$config" ]; then
    say "keeping the existing configuration $config"
    return
  fi
  token="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
  say "writing $config (listens on the LAN, with a client token)"
  run mkdir -p "$CONF_DIR"
  if [ "$DRY_RUN" != 1 ]; then
    cat >"$config" <<EOF
# rtvi-edge configuration. Every setting: rtvi-edge config --reference
# (or $APP/config.example.toml). Restart after editing: systemctl restart rtvi-edge

[server]
host = "0.0.0.0"
token = "$token"

# [mqtt]
# enabled = true
# host = "192.0.2.10"

# [gpio]
# enabled = true
# led_listening = 17
# led_speaking = 27
# led_muted = 22
# button = 5
EOF
    chown "root:$USER_NAME" "$config"
    chmod 0640 "$config"
  fi
  if [ "$DRY_RUN" = 1 ]; then
    say "(a random client token would be generated and shown once)"
  else
    printf '\n    client token (shown once; it is in %s): %s\n\n' "$config" "$token" >&2
  fi
}

install_unit() {
  local name=rtvi-edge
  [ "$ROLE" = satellite ] && name=rtvi-edge-satellite
  say "installing the service unit $name.service"
  run install -m 0644 "$SRC/systemd/$name.service" "/etc/systemd/system/$name.service"
  run install -m 0644 "$SRC/systemd/99-rtvi-edge-gpio.rules" "$UDEV_RULE"
  if ! have_systemd; then
    say "systemd is not running here: enable later with systemctl enable --now rtvi-edge"
    return
  fi
  command -v udevadm >/dev/null && run udevadm trigger --subsystem-match=gpio || true
  run systemctl daemon-reload
  run systemctl enable "$name.service"
  run systemctl restart "$name.service"
  say "started; follow it with: journalctl -u $name -f"
}

if [ "$ACTION" = uninstall ]; then
  uninstall
  exit 0
fi
[ "$ROLE" = satellite ] && APT_PACKAGES=(python3-venv python3-dev portaudio19-dev alsa-utils)
apt_install_missing "${APT_PACKAGES[@]}"
create_user
copy_program
python_env
install_models
write_config
install_unit
"$APP/.venv/bin/rtvi-edge" doctor 2>/dev/null || [ "$DRY_RUN" = 1 ] || say "doctor reported problems (see above)"
say "rtvi-edge installed"
