"""Typed settings: one TOML file, overridable by command-line flags, validated with clear messages.

Every section is a frozen dataclass; every field documents itself through `doc=` metadata, which also
feeds the example config and the README reference (`rtvi-edge config --reference`). Unknown keys and bad
values raise `ConfigError` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

SYSTEM_CONFIG = Path("/etc/rtvi-edge/config.toml")
CONFIG_ENV = "RTVI_EDGE_CONFIG"


class ConfigError(ValueError):
    """A config problem a user can fix; the message says what and how."""


def setting(default: Any, doc: str, *, choices: tuple[Any, ...] = (), minimum: float | None = None,
            maximum: float | None = None, factory: Any = None) -> Any:
    """A documented, optionally constrained dataclass field."""
    meta = {"doc": doc, "choices": choices, "min": minimum, "max": maximum}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class ServerSettings:
    """RTVI WebSocket server and kiosk page."""

    host: str = setting("127.0.0.1", "Address to listen on. Anything but loopback requires `token`.")
    port: int = setting(7860, "TCP port for the WebSocket (`/ws`) and the kiosk page (`/`); 0 picks a free one.",
                       minimum=0, maximum=65535)
    token: str = setting("", "Shared secret clients pass as `?token=`. Required when `host` is not loopback.")
    tls_cert: str = setting("", "PEM certificate file to serve wss:// and https:// (empty: plain).")
    tls_key: str = setting("", "PEM private key for `tls_cert`.")
    allowed_origins: list[str] = setting(None, "Browser Origins allowed to connect (empty: any).", factory=list)
    max_clients: int = setting(64, "Maximum simultaneous WebSocket clients.", minimum=1, maximum=10000)
    max_message_bytes: int = setting(1 << 20, "Largest accepted WebSocket message.", minimum=1024, maximum=16 << 20)
    idle_timeout_secs: float = setting(300.0, "Close a client that sends nothing for this long (0: never).", minimum=0)
    ping_interval_secs: float = setting(20.0, "Keepalive ping interval (0: off).", minimum=0)
    webrtc: bool = setting(True, "Offer SmallWebRTC (`POST /api/offer`) beside the WebSocket.")
    ice_servers: list[str] = setting(None, "STUN/TURN URLs for WebRTC, e.g. `stun:host:3478` or "
                                     "`turn:user:password@host:3478` (empty: host candidates only, offline).",
                                     factory=list)
    webrtc_connect_timeout_secs: float = setting(30.0, "Drop a WebRTC peer whose connection is not up this long "
                                                 "after its offer.", minimum=1.0, maximum=600.0)
    webrtc_silence_timeout_secs: float = setting(15.0, "Drop a connected WebRTC peer that sends nothing (no audio, "
                                                 "no data-channel ping) this long.", minimum=2.0, maximum=600.0)


@dataclass(frozen=True)
class AudioSettings:
    """The device's own microphone and speaker (ALSA through PyAudio)."""

    enabled: bool = setting(True, "Run the local (device mic + speaker) session. Off: RTVI clients only.")
    input_device: str = setting("", "Capture device name substring or index (empty: system default).")
    output_device: str = setting("", "Playback device name substring or index (empty: system default).")
    input_channel: int = setting(0, "Which channel of a multi-channel microphone to use.", minimum=0, maximum=31)
    volume: float = setting(1.0, "Playback volume, 0 to 1.", minimum=0.0, maximum=1.0)
    reopen_backoff_secs: float = setting(2.0, "First wait before reopening a failed device (doubles up to 30 s).", minimum=0.1)
    input_wav: str = setting("", "Play this 16-bit WAV as the microphone instead of ALSA (demos, kiosk tests).")
    input_wav_loop_secs: float = setting(0.0, "Replay `input_wav` every this many seconds (0: once).", minimum=0.0)
    echo_cancel: bool = setting(True, "Cancel the bot's own voice from the microphone (WebRTC AEC3 against what the speaker played), so barge-in works on a plain speaker.")
    noise_suppression: bool = setting(False, "Suppress steady background noise on the microphone (WebRTC NS, 12 dB).")
    gain_control: bool = setting(False, "Automatic gain control on the microphone (WebRTC AGC2), for quiet or distant talkers.")


@dataclass(frozen=True)
class VadSettings:
    """Voice activity detection (Silero VAD)."""

    confidence: float = setting(0.5, "Speech probability above which a frame counts as speech.", minimum=0.05, maximum=0.99)
    start_secs: float = setting(0.2, "Speech needed before the user counts as speaking.", minimum=0.0, maximum=2.0)
    stop_secs: float = setting(0.15, "Silence before a pause is checked for end of turn.", minimum=0.05, maximum=5.0)
    min_volume: float = setting(0.0, "Minimum RMS level (0-1) for speech; quieter frames are silence.", minimum=0.0, maximum=1.0)


@dataclass(frozen=True)
class TurnSettings:
    """End-of-turn detection (Smart Turn)."""

    enabled: bool = setting(True, "Use the Smart Turn model; off: VAD silence alone ends the turn.")
    threshold: float = setting(0.5, "Smart Turn probability above which the turn is complete.", minimum=0.0, maximum=1.0)
    max_silence_secs: float = setting(1.5, "Silence that ends the turn whatever the model says.", minimum=0.2, maximum=10.0)
    sentence_silence_secs: float = setting(
        0.6, "Silence that ends the turn when the words so far read as a finished sentence, whatever the model says "
        "(Smart Turn judges by voice alone, and some voices never sound finished to it).", minimum=0.2, maximum=10.0)


@dataclass(frozen=True)
class SttSettings:
    """Speech to text (Moonshine on onnxruntime)."""

    threads: int = setting(1, "Inference threads.", minimum=1, maximum=16)
    interim_results: bool = setting(True, "Transcribe at pauses inside a turn and send interim transcripts.")


@dataclass(frozen=True)
class TtsSettings:
    """Text to speech."""

    engine: str = setting("hibari", "Voice engine.", choices=("hibari", "piper"))
    voice: str = setting("heart", "Voice name (hibari: heart; piper: joe).")
    speed: float = setting(1.0, "Speaking rate multiplier.", minimum=0.5, maximum=2.0)
    threads: int = setting(1, "Inference threads.", minimum=1, maximum=16)


@dataclass(frozen=True)
class LlmSettings:
    """The language model: local GGUF through llama-cpp-python, or a remote OpenAI-compatible server."""

    backend: str = setting("local", "Where the model runs.", choices=("local", "remote"))
    model: str = setting("", "GGUF path for `local` (empty: the default model from the manifest); model name for `remote`.")
    n_ctx: int = setting(2048, "Context window in tokens (the small model profile: 1024).", minimum=256, maximum=131072)
    threads: int = setting(1, "Inference threads (on 2 cores, 1 leaves room for STT/TTS).", minimum=1, maximum=64)
    kv_cache: str = setting("f16", "KV cache precision for `local`: q8_0 holds about half (11 MB less at n_ctx 1024) "
                            "but evaluates prompts ~60% slower (llama.cpp runs it with flash attention).",
                            choices=("f16", "q8_0"))
    temperature: float = setting(0.2, "Sampling temperature.", minimum=0.0, maximum=2.0)
    max_tokens: int = setting(160, "Longest answer in tokens.", minimum=1, maximum=8192)
    seed: int = setting(0, "Sampling seed (reproducible answers).", minimum=-1)
    chat_format: str = setting("chatml-function-calling", "llama-cpp-python chat format (empty: from the GGUF).")
    system_prompt: str = setting(
        "You are a helpful voice assistant on a small offline device. Answer in one or two short spoken "
        "sentences. Never use lists, markdown or emoji.",
        "The assistant's persona and rules.",
    )
    history_tokens: int = setting(1024, "Token budget for past turns kept in context (the small model profile: 640).",
                                  minimum=64)
    tools: bool = setting(True, "Offer tools (time, timers, volume, configured MQTT tools) to the model.")
    remote_url: str = setting("", "Base URL of an OpenAI-compatible server, e.g. http://192.0.2.10:8080/v1.")
    remote_api_key: str = setting("", "Bearer key for the remote server (empty: none).")
    remote_timeout_secs: float = setting(20.0, "Remote request timeout.", minimum=1.0)
    parallel: int = setting(1, "Generations at once with `remote` (the server's parallel slots); `local` always runs one.",
                            minimum=1, maximum=64)


@dataclass(frozen=True)
class ConversationSettings:
    """Turn-taking behaviour of a session."""

    activation: str = setting("vad", "How a turn starts.", choices=("vad", "wakeword", "push_to_talk", "muted"))
    barge_in: bool = setting(True, "Let the user interrupt the bot by speaking.")
    barge_in_min_secs: float = setting(0.0, "Speech needed over the bot's voice, beyond the VAD start, to interrupt it.", minimum=0.0, maximum=3.0)
    barge_in_pause_secs: float = setting(
        0.06, "Possible speech over the bot's voice after which it pauses, going on if no words follow (0: never "
        "pauses; the VAD start alone interrupts it).", minimum=0.0, maximum=1.0)
    follow_up_secs: float = setting(5.0, "After the bot speaks, listen this long without the wake word.", minimum=0.0)
    history_idle_secs: float = setting(
        300.0, "A conversation resting this long starts afresh: the LLM no longer sees what was said before "
        "(0: keep it until the token budget trims it).", minimum=0.0)
    greeting: str = setting("", "Spoken when the daemon is ready (empty: silent).")


@dataclass(frozen=True)
class IntentSettings:
    """Spoken commands matched by sentence templates before the LLM (Home Assistant's sentence library)."""

    enabled: bool = setting(True, "Match commands (timers, time, volume, devices...) before asking the LLM.")
    language: str = setting("en", "Language of the sentence templates.", choices=("en",))
    area: str = setting("", "The room this device is in (a [[devices]] area): \"turn on the light\" means that room's.")
    speculate: bool = setting(True, "Match the early transcript at the first pause, so a command answers at once.")
    reread: bool = setting(True, "Read a spoken turn nobody claimed again within the command sentences, so a "
                           "command the recogniser wrote as other words still runs.")
    llm_actions: bool = setting(False, "Also offer the built-in and device actions to the LLM, for commands the "
                                "sentences miss (a small model often picks a wrong one; on for a large remote model).")
    not_heard_reply: str = setting("Sorry, I didn't catch that.",
                                   "Spoken when a turn ends with nothing understood (empty: stay silent, and unsure "
                                   "words go to the LLM as heard).")


@dataclass(frozen=True)
class TimerSettings:
    """Timers and alarms: how they ring, and keeping them across restarts."""

    keep: bool = setting(True, "Keep timers and alarms in the state directory (~/.local/state/rtvi-edge, "
                         "$RTVI_EDGE_STATE), so a restart or a power cut does not lose them; one that ended "
                         "meanwhile rings late, within the hour.")
    ring_secs: float = setting(60.0, "How long a timer that ends rings, again after each gap, "
                               "until someone speaks (0: once).", minimum=0.0, maximum=3600.0)
    alarm_ring_secs: float = setting(300.0, "The same for an alarm.", minimum=0.0, maximum=3600.0)
    ring_gap_secs: float = setting(4.0, "Quiet between two rings, in which \"stop\" or \"snooze\" is heard.",
                                   minimum=1.0, maximum=60.0)
    tone: bool = setting(True, "Ring with a tone (a chime; an alarm's beeps), the words with the first ring and "
                         "every third after; off: the words alone at every ring.")


@dataclass(frozen=True)
class ArbitrationSettings:
    """Several rooms (satellites, the device's own mic) hearing one request: only the best one answers."""

    enabled: bool = setting(True, "Arbitrate between rooms; off: every room that hears a request answers it.")
    window_secs: float = setting(1.0, "Claims within this time of the first one belong to the same request.",
                                 minimum=0.05, maximum=5.0)
    score_weight: float = setting(1.0, "Weight of the wake-word score (0-1) in a room's rank.", minimum=0.0)
    level_weight: float = setting(3.0, "Weight of the speech level (-60..0 dBFS as 0..1) in a room's rank.", minimum=0.0)


@dataclass(frozen=True)
class WakeWordSettings:
    """Optional wake word (openWakeWord)."""

    phrase: str = setting("hey_jarvis", "Wake phrase model.", choices=("hey_jarvis", "alexa", "hey_mycroft", "hey_rhasspy"))
    threshold: float = setting(0.5, "Detection score threshold.", minimum=0.05, maximum=0.99)
    refractory_secs: float = setting(2.0, "Ignore further detections for this long after one fires.", minimum=0.0)


@dataclass(frozen=True)
class MqttSettings:
    """MQTT bridge (events out, commands in, Home Assistant discovery)."""

    enabled: bool = setting(False, "Connect to an MQTT broker.")
    host: str = setting("127.0.0.1", "Broker host.")
    port: int = setting(1883, "Broker port.", minimum=1, maximum=65535)
    username: str = setting("", "Broker user (empty: anonymous).")
    password: str = setting("", "Broker password.")
    tls: bool = setting(False, "Use TLS to the broker.")
    prefix: str = setting("rtvi-edge", "Topic prefix.")
    device_id: str = setting("", "Device id in topics (empty: the hostname).")
    discovery_prefix: str = setting("homeassistant", "Home Assistant discovery prefix (empty: no discovery).")
    queue_size: int = setting(1000, "Events kept while the broker is unreachable.", minimum=1)
    publish_llm_tokens: bool = setting(False, "Publish every streamed LLM token (chatty); off: whole answers only.")


@dataclass(frozen=True)
class GpioSettings:
    """LEDs and a button through gpiozero (pins are BCM numbers; 0 disables)."""

    enabled: bool = setting(False, "Drive GPIO pins.")
    led_listening: int = setting(0, "LED lit (dim) while listening.", minimum=0, maximum=40)
    led_speaking: int = setting(0, "LED lit while the user or bot speaks; pulses while thinking.", minimum=0, maximum=40)
    led_muted: int = setting(0, "LED lit while muted; blinks on error.", minimum=0, maximum=40)
    button: int = setting(0, "Button pin: short press push-to-talk/interrupt, long press mute.", minimum=0, maximum=40)
    long_press_secs: float = setting(1.0, "Hold time that makes a long press.", minimum=0.2)


@dataclass(frozen=True)
class KnowledgeSettings:
    """Documents the assistant answers from (Markdown, text, HTML, PDF), asked before the language model."""

    enabled: bool = setting(True, "Answer from documents when any are loaded (the sources and the library directory).")
    sources: list[str] = setting(None, "Document files or directories, indexed at start and again whenever they change.",
                                 factory=list)
    dir: str = setting("", "Library directory `rtvi-edge knowledge add` copies documents into; always read (empty: "
                       "/var/lib/rtvi-edge/knowledge on a device, else ~/.local/share/rtvi-edge/knowledge).")
    fallback: str = setting("say", "When the documents do not answer a question: `say` speaks `unknown_answer`; "
                            "`llm` lets the language model answer (it may guess).", choices=("say", "llm"))
    unknown_answer: str = setting("Sorry, I don't have that information.",
                                  "Spoken when the documents do not answer and `fallback` is `say`.")
    min_score: float = setting(0.6, "Share of a question an answer must cover (0-1); higher: fewer, surer answers.",
                               minimum=0.1, maximum=1.0)
    synonyms: list[str] = setting(None, "Extra groups of words that mean the same, comma-separated, e.g. "
                                  "\"lift, elevator\" (many are built in: wifi/Wi-Fi/wireless, toilets/restrooms...).",
                                  factory=list)
    watch_secs: float = setting(2.0, "How often document files are checked for changes (0: only at start).", minimum=0.0)


@dataclass(frozen=True)
class ModelsSettings:
    """Where model files live, and which set of them."""

    dir: str = setting("", "Models directory (empty: `models/` in a checkout, else /var/lib/rtvi-edge/models).")
    profile: str = setting("default", "Model set: `default` (Moonshine base-en; 1 GB boards) or `small` (Moonshine "
                           "tiny-en, a 1024-token LLM context: ~60 MB less, more word errors; with a remote LLM it "
                           "fits 512 MB boards). `rtvi-edge models install` installs the profile's models.",
                           choices=("default", "small"))


@dataclass(frozen=True)
class LogSettings:
    """Logging (to stderr; journald keeps it under systemd)."""

    level: str = setting("warning", "Log level.", choices=("debug", "info", "warning", "error"))
    format: str = setting("text", "`text` (key=value) or `json` (one object per line).", choices=("text", "json"))


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    vad: VadSettings = field(default_factory=VadSettings)
    turn: TurnSettings = field(default_factory=TurnSettings)
    stt: SttSettings = field(default_factory=SttSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)
    llm: LlmSettings = field(default_factory=LlmSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    intents: IntentSettings = field(default_factory=IntentSettings)
    timers: TimerSettings = field(default_factory=TimerSettings)
    wakeword: WakeWordSettings = field(default_factory=WakeWordSettings)
    arbitration: ArbitrationSettings = field(default_factory=ArbitrationSettings)
    mqtt: MqttSettings = field(default_factory=MqttSettings)
    gpio: GpioSettings = field(default_factory=GpioSettings)
    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    models: ModelsSettings = field(default_factory=ModelsSettings)
    log: LogSettings = field(default_factory=LogSettings)
    tools: list[dict[str, Any]] = field(default_factory=list, metadata={
        "doc": "User tools: [[tools]] name, description, parameters (JSON schema), topic (MQTT)."})
    devices: list[dict[str, Any]] = field(default_factory=list, metadata={
        "doc": "Home devices: [[devices]] name, aliases, area, kind (light, switch, fan, cover), command_topic (MQTT)."})
    sentences: list[dict[str, Any]] = field(default_factory=list, metadata={
        "doc": "Your own commands: [[sentences]] sentences (templates), then say (a reply) or action + arguments."})


# --- loading ----------------------------------------------------------------------------------------


def find_config_file(explicit: str | None) -> Path | None:
    """`--config`, else $RTVI_EDGE_CONFIG, else the system file if present, else none (defaults)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return SYSTEM_CONFIG if SYSTEM_CONFIG.exists() else None


def load_settings(path: Path | None, overrides: dict[str, dict[str, Any]] | None = None) -> Settings:
    """Read `path` (None: defaults), apply `overrides` ({section: {key: value}}), validate everything."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"config file {path} is not valid TOML: {err}") from None
    for section, values in (overrides or {}).items():
        raw.setdefault(section, {}).update(values)
    settings = settings_from_dict(raw)
    check_consistency(settings)
    return settings


PROFILE_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "small": {"llm": {"n_ctx": 1024, "history_tokens": 640}},
}
"""Other sections' defaults a model profile changes; a config file's own values still win. The small profile's
LLM context is half the default: its KV cache holds ~23 MB less (docs/benchmarks.md, Memory), and the
history budget shrinks with it so that prompt, history and answer still fit. (A q8_0 KV cache, `llm.kv_cache`,
would take 11 MB more off, but its prompts were evaluated ~60% slower: not a profile default.)"""


LLM_ACTIONS_MIN_CTX = 2048
"""The context a local LLM needs when offered every action: their prefix alone is ~1,350 tokens."""


def with_profile_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """`raw` with the chosen profile's defaults under the values it sets itself."""
    models = raw.get("models")
    profile = models.get("profile") if isinstance(models, dict) else None
    defaults = PROFILE_DEFAULTS.get(profile) if isinstance(profile, str) else None
    if not defaults:
        return raw
    merged = dict(raw)
    for section, values in defaults.items():
        own = raw.get(section, {})
        merged[section] = {**values, **own} if isinstance(own, dict) else own
    return merged


def settings_from_dict(raw: dict[str, Any]) -> Settings:
    sections = {f.name: f for f in fields(Settings)}
    built: dict[str, Any] = {}
    raw = with_profile_defaults(raw)
    for name, value in raw.items():
        if name not in sections:
            raise ConfigError(f"unknown config section [{name}]; known: {', '.join(sections)}")
        if name == "tools":
            built[name] = _validate_tools(value)
            continue
        if name in LIST_SECTIONS:
            built[name] = LIST_SECTIONS[name](value)
            continue
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table of settings, got {value!r}")
        section_type = typing.get_type_hints(Settings)[name]
        built[name] = build_section(section_type, name, value)
    return Settings(**built)


def build_section(section_type: type, section: str, values: dict[str, Any], base: Any = None) -> Any:
    """A validated `section_type` from `values`, starting from `base` (defaults when None)."""
    known = {f.name: f for f in fields(section_type)}
    hints = typing.get_type_hints(section_type)
    checked: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"unknown setting {section}.{key}; known: {', '.join(known)}")
        checked[key] = check_value(f"{section}.{key}", value, hints[key], known[key].metadata)
    return replace(base if base is not None else section_type(), **checked)


def check_value(key: str, value: Any, expected: Any, meta: Any) -> Any:
    """`value` converted to `expected`, or ConfigError naming the key, the value and what is allowed."""
    origin = typing.get_origin(expected)
    if expected is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} = {value!r}: expected true or false")
    elif expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} = {value!r}: expected a whole number")
    elif expected is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key} = {value!r}: expected a number")
        value = float(value)
    elif expected is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key} = {value!r}: expected a string")
    elif origin is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} = {value!r}: expected a list of strings")
    choices = meta.get("choices") or ()
    if choices and value not in choices:
        raise ConfigError(f"{key} = {value!r}: allowed values are {', '.join(map(repr, choices))}")
    low, high = meta.get("min"), meta.get("max")
    if low is not None and value < low:
        raise ConfigError(f"{key} = {value!r}: must be at least {low}")
    if high is not None and value > high:
        raise ConfigError(f"{key} = {value!r}: must be at most {high}")
    return value


def _validate_tools(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ConfigError("[[tools]] must be an array of tables")
    for index, tool in enumerate(value):
        where = f"tools[{index}]"
        if not isinstance(tool, dict):
            raise ConfigError(f"{where} must be a table")
        unknown = set(tool) - {"name", "description", "parameters", "topic"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; allowed: name, description, parameters, topic")
        for required in ("name", "description", "topic"):
            if not isinstance(tool.get(required), str) or not tool[required]:
                raise ConfigError(f"{where}.{required} must be a non-empty string")
        if not tool["name"].replace("_", "").isalnum():
            raise ConfigError(f"{where}.name = {tool['name']!r}: use letters, digits and underscores")
        params = tool.get("parameters", {"type": "object", "properties": {}})
        if not isinstance(params, dict) or params.get("type") != "object":
            raise ConfigError(f"{where}.parameters must be a JSON schema with type = \"object\"")
    return value


def _validate_devices(value: Any) -> list[dict[str, Any]]:
    from .integrations.devices import parse_devices  # the device rules live with the devices

    parse_devices(value)
    return value


def _validate_sentences(value: Any) -> list[dict[str, Any]]:
    from .respond.custom import parse_custom_sentences

    parse_custom_sentences(value)
    return value


LIST_SECTIONS = {"devices": _validate_devices, "sentences": _validate_sentences}
"""Top-level arrays of tables, validated by the module that owns them."""

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


ICE_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")


def check_ice_servers(urls: list[str]) -> None:
    for url in urls:
        if not url.startswith(ICE_SCHEMES):
            raise ConfigError(f"[server] ice_servers: {url!r} must start with stun:, stuns:, turn: or turns:")


def check_consistency(settings: Settings) -> None:
    """Rules that span fields."""
    server = settings.server
    check_ice_servers(server.ice_servers)
    if not is_loopback(server.host) and not server.token:
        raise ConfigError(
            f"server.host = {server.host!r} listens beyond loopback, so server.token must be set "
            "(pass --token or set [server] token)")
    if bool(server.tls_cert) != bool(server.tls_key):
        raise ConfigError("server.tls_cert and server.tls_key must be set together")
    if settings.llm.backend == "remote" and not settings.llm.remote_url:
        raise ConfigError("llm.backend = 'remote' needs llm.remote_url")
    if settings.llm.backend == "local" and settings.intents.llm_actions and settings.llm.n_ctx < LLM_ACTIONS_MIN_CTX:
        raise ConfigError(f"intents.llm_actions offers the local LLM every action (a ~1,350-token prompt prefix), so "
                          f"llm.n_ctx must be at least {LLM_ACTIONS_MIN_CTX} (the small model profile sets 1024)")


def example_config() -> str:
    """A commented TOML file listing every setting at its default."""
    lines = ["# rtvi-edge configuration. Every setting is shown at its default; uncomment to change.",
             "# Reference: `rtvi-edge config --reference`.", ""]
    for section in fields(Settings):
        if section.name in ("tools", *LIST_SECTIONS):
            continue
        section_type = typing.get_type_hints(Settings)[section.name]
        lines += [f"# {(section_type.__doc__ or '').strip()}", f"[{section.name}]"]
        for f in fields(section_type):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            lines += [f"# {f.metadata.get('doc', '')}", f"# {f.name} = {_toml_value(default)}"]
        lines.append("")
    lines += ["# A tool the LLM may call; calling it publishes its arguments to MQTT <prefix>/<device_id>/<topic>.",
              "## [[tools]]", '## name = "set_light"', '## description = "Turn a light on or off"',
              '## topic = "lights/set"',
              '## parameters = { type = "object", properties = { room = { type = "string" }, on = { type = "boolean" } }, '
              'required = ["room", "on"] }', "",
              "# A home device commanded by voice over MQTT (Home Assistant payloads).",
              "## [[devices]]", '## name = "kitchen light"', '## aliases = ["kitchen lights"]', '## area = "kitchen"',
              '## kind = "light"', '## command_topic = "home/kitchen/light/set"', "",
              "# Your own spoken command: a reply, or an action with fixed arguments.",
              "## [[sentences]]", '## sentences = ["good night", "(I am|I\'m) going to bed"]',
              '## action = "turn_off"', '## arguments = { device = "kitchen light" }', '## say = "Good night!"', ""]
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def reference_rows() -> list[tuple[str, str, str]]:
    """(key, default, doc) for every setting, for docs and the example config."""
    rows: list[tuple[str, str, str]] = []
    for section in fields(Settings):
        if section.name in ("tools", *LIST_SECTIONS):
            continue
        section_type = typing.get_type_hints(Settings)[section.name]
        for f in fields(section_type):
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            rows.append((f"{section.name}.{f.name}", repr(default), f.metadata.get("doc", "")))
    return rows
