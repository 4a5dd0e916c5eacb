"""`rtvi-edge doctor`: can the daemon run here? Failures stop it; warnings only degrade it."""

from __future__ import annotations

import importlib
import json
import socket
import tempfile
import urllib.request
from dataclasses import asdict, dataclass
from typing import Callable

from .config import Settings
from .models.manifest import check_entries, load_manifest, models_dir, required_models

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


def check_python_packages(settings: Settings) -> list[Check]:
    checks = []
    for module, why in (("onnxruntime", "speech models"), ("onnx", "preparing the speech models"),
                        ("llama_cpp", "local language model"), ("aiohttp", "RTVI server"), ("aiortc", "WebRTC transport"),
                        ("hibari", "voice G2P")):
        try:
            importlib.import_module(module)
            checks.append(Check(f"python:{module}", OK, f"importable ({why})"))
        except Exception as err:  # ImportError, or a native library failing to load
            checks.append(Check(f"python:{module}", FAIL, f"cannot import ({why}): {err}; fix: scripts/setup.sh"))
    return checks


def check_models(settings: Settings) -> list[Check]:
    root = models_dir(settings.models.dir)
    manifest = load_manifest()
    names = required_models(manifest, settings.tts.engine, settings.conversation.activation,
                            local_llm=settings.llm.backend == "local" and not settings.llm.model,
                            profile=settings.models.profile)
    problems = check_entries(root, manifest.select(names, include_optional=True))
    if problems:
        return [Check("models", FAIL, line) for line in problems]
    return [Check("models", OK, f"{', '.join(names)} intact in {root}")]


def check_audio(settings: Settings) -> list[Check]:
    if not settings.audio.enabled:
        return [Check("audio", OK, "local audio disabled in config")]
    if settings.audio.input_wav:
        return [Check("audio", OK, f"microphone is the file {settings.audio.input_wav}")]
    try:
        from .audio.alsa import list_devices

        devices = list_devices()
    except Exception as err:
        return [Check("audio", WARN, f"cannot list audio devices ({err}); local audio will be off")]
    inputs = [d for d in devices if d.max_input_channels > 0]
    outputs = [d for d in devices if d.max_output_channels > 0]
    checks = []
    for kind, found in (("capture", inputs), ("playback", outputs)):
        if found:
            names = "; ".join(f"[{d.index}] {d.name}" for d in found[:6])
            checks.append(Check(f"audio:{kind}", OK, names))
        else:
            checks.append(Check(f"audio:{kind}", WARN, f"no {kind} device: local audio off, RTVI clients only"))
    return checks


def check_gpio(settings: Settings) -> list[Check]:
    if not settings.gpio.enabled:
        return [Check("gpio", OK, "disabled in config")]
    try:
        from gpiozero import Device
        from gpiozero.pins.native import NativeFactory  # noqa: F401 - proves a pin library is present

        factory = Device._default_pin_factory()  # noqa: SLF001 - what gpiozero would pick at run time
        return [Check("gpio", OK, f"pin factory {type(factory).__name__}")]
    except Exception as err:
        return [Check("gpio", FAIL, f"GPIO enabled but unusable: {err}; set [gpio] enabled = false or "
                                    "GPIOZERO_PIN_FACTORY=mock")]


def check_mqtt(settings: Settings) -> list[Check]:
    mqtt = settings.mqtt
    if not mqtt.enabled:
        return [Check("mqtt", OK, "disabled in config")]
    try:
        with socket.create_connection((mqtt.host, mqtt.port), timeout=2):
            return [Check("mqtt", OK, f"broker reachable at {mqtt.host}:{mqtt.port}")]
    except OSError as err:
        return [Check("mqtt", WARN, f"broker {mqtt.host}:{mqtt.port} unreachable ({err}); the daemon retries")]


def check_port(settings: Settings) -> list[Check]:
    host, port = settings.server.host, settings.server.port
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        return [Check("port", OK, f"{host}:{port} is free")]
    except OSError:
        pass
    scheme = "https" if settings.server.tls_cert else "http"
    try:
        with urllib.request.urlopen(f"{scheme}://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}/health",
                                    timeout=2) as reply:
            health = json.loads(reply.read())
        return [Check("port", OK, f"rtvi-edge already serving on {host}:{port} ({health.get('status', 'up')})")]
    except Exception:
        return [Check("port", FAIL, f"{host}:{port} is in use by another program; set [server] port")]


MEMORY_COMFORT = 0.8
"""Share of the board's RAM the daemon may expect to use before doctor warns (the OS and page cache need room)."""


def check_memory(settings: Settings) -> list[Check]:
    """Expected peak memory of the configured models against the board's RAM."""
    from .models.footprint import board_ram_mb, expected_peak

    footprint, ram = expected_peak(settings), board_ram_mb()
    detail = f"expected peak ~{footprint.total_mb:.0f} MB ({footprint.describe()})"
    if ram is None:
        return [Check("memory", WARN, f"{detail}; the board's RAM is unknown")]
    detail += f" of {ram:.0f} MB RAM"
    if footprint.total_mb > ram:
        return [Check("memory", FAIL, f"{detail}: it does not fit; set [models] profile = \"small\", a remote LLM "
                                      "or a smaller llm.n_ctx")]
    if footprint.total_mb > MEMORY_COMFORT * ram:
        return [Check("memory", WARN, f"{detail}: tight; close other programs or set [models] profile = \"small\"")]
    return [Check("memory", OK, detail)]


def check_state(settings: Settings) -> list[Check]:
    """Can timers and alarms be kept across restarts (`timers.keep`): is the state directory writable?"""
    if not settings.timers.keep:
        return [Check("timers", OK, "not kept across restarts ([timers] keep = false)")]
    from .cache_dir import user_state_dir

    directory = user_state_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".doctor-"):
            pass
    except OSError as err:
        return [Check("timers", WARN, f"cannot write {directory} ({err.strerror or err}): timers and alarms run "
                                      f"but a restart loses them; set $RTVI_EDGE_STATE to a writable directory")]
    return [Check("timers", OK, f"kept across restarts in {directory}")]


CHECKS: tuple[Callable[[Settings], list[Check]], ...] = (
    check_python_packages, check_models, check_memory, check_audio, check_gpio, check_mqtt, check_port, check_state)


def check_echo(settings: Settings, simulate: bool = False) -> list[Check]:
    """Sweep through the speaker, record it, judge the echo path (`doctor --echo`)."""
    from .audio.processing.diagnose import run_echo_check

    report = run_echo_check(settings.audio, simulate)
    delay = "no echo found" if report.delay_ms is None else f"delay {report.delay_ms:.0f} ms"
    return [Check("echo", OK if report.ok else WARN,
                  f"{report.verdict} ({delay}, echo return loss {report.echo_return_loss_db:.0f} dB, "
                  f"cancellation {report.erle_db:.0f} dB)")]


def run_doctor(settings: Settings, as_json: bool = False, echo: bool = False, simulate: bool = False) -> int:
    results = [check for run in CHECKS for check in run(settings)]
    if echo:
        results += check_echo(settings, simulate)
    failed = [c for c in results if c.status == FAIL]
    if as_json:
        print(json.dumps({"ok": not failed, "checks": [asdict(c) for c in results]}, indent=2))
    else:
        for check in results:
            print(f"{check.status.upper():<4}  {check.name:<18} {check.detail}")
        print("the daemon can run here" if not failed else f"{len(failed)} problem(s) stop the daemon")
    return 1 if failed else 0
