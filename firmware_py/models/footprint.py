"""Expected peak memory of the configured models, from figures measured by scripts/bench/memory.py.

Each part is what it added to the daemon's resident memory on the reference machine (x86_64, onnxruntime
1.32), at its largest: loaded and after its first runs. `rtvi-edge doctor` compares the sum with the
board's RAM. The figures are estimates for planning, not limits: re-measure after changing a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from .manifest import models_dir

RUNTIME_MB = 70
"""Python, the libraries, the RTVI server, intents and the conversation state (daemon minus the engines; one
malloc heap for every thread and the voice's working memory handed back keep it this low)."""
TURNS_MB = 35
"""Growth over the first spoken turns (the LLM's KV cache pages, buffers), then bounded."""
PARTS_MB = {"vad": 16, "turn": 45, "stt": 116, "stt-tiny": 70, "hibari": 45, "piper": 180, "wakeword": 15}
"""Silero VAD, Smart Turn (after its runs), Moonshine base-en / tiny-en (prepared copies), hibari (packed G2P
tables; loaded ~18, the rest while a long sentence is synthesized), Piper joe-medium (float32 VITS),
openWakeWord; VAD, Smart Turn and the voices from their compiled ORT-format copies. bench-results/memory.json
(2026-12-01, 23:53): the daemon peaked at 463 MB with the defaults, 403 MB with the small profile and 239 MB with
it and a remote LLM; these parts sum to ~485, ~415 and ~281."""
LLM_OVERHEAD_MB = 12
"""llama.cpp's compute buffers beside the memory-mapped model and the KV cache."""
KV_BYTES_PER_TOKEN = 30 * 2 * 3 * 64 * 2
"""SmolLM2-135M: 30 layers x (K, V) x 3 KV heads x 64 dims x f16."""
KV_PRECISION_SHARE = {"f16": 1.0, "q8_0": 34 / 64}
"""Bytes of the KV cache per f16 byte: q8_0 stores 32 values in 34 bytes."""


@dataclass(frozen=True)
class Footprint:
    parts: dict[str, float]

    @property
    def total_mb(self) -> float:
        return sum(self.parts.values())

    def describe(self) -> str:
        return ", ".join(f"{name} {mb:.0f}" for name, mb in self.parts.items())


def expected_peak(settings: Settings, root: Path | None = None) -> Footprint:
    """The parts the configured daemon loads and what each is expected to hold at peak, in MB."""
    stt = "stt-tiny" if settings.models.profile == "small" else "stt"
    parts: dict[str, float] = {"runtime": RUNTIME_MB, "vad": PARTS_MB["vad"]}
    if settings.turn.enabled:
        parts["turn"] = PARTS_MB["turn"]
    parts[stt] = PARTS_MB[stt]
    parts[settings.tts.engine] = PARTS_MB.get(settings.tts.engine, PARTS_MB["piper"])
    if settings.conversation.activation == "wakeword":
        parts["wakeword"] = PARTS_MB["wakeword"]
    if settings.llm.backend == "local":
        parts["llm"] = llm_mb(settings, root or models_dir(settings.models.dir))
    parts["turns"] = TURNS_MB
    return Footprint(parts)


def llm_mb(settings: Settings, root: Path) -> float:
    """The GGUF file (memory-mapped: it counts once it is read) plus the KV cache and compute buffers."""
    from ..llm.local import DEFAULT_MODEL

    path = Path(settings.llm.model) if settings.llm.model else root / DEFAULT_MODEL
    if not path.is_absolute():
        path = root / path
    size_mb = path.stat().st_size / 1e6 if path.is_file() else 100.0
    kv_mb = settings.llm.n_ctx * KV_BYTES_PER_TOKEN * KV_PRECISION_SHARE[settings.llm.kv_cache] / 1e6
    return size_mb + kv_mb + LLM_OVERHEAD_MB


def board_ram_mb() -> float | None:
    """MemTotal from /proc/meminfo, in MB (None where there is no /proc)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
