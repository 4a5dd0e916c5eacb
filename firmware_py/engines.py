"""The models, loaded once and shared by every session, and the threads they run on.

Each engine gets its own single-thread executor: calls to one engine queue up in order (one STT decode at
a time, one TTS sentence at a time) and no engine oversubscribes a 2-core board, which measured far
faster than letting them all fight for the cores.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable

from .audio.frames import SAMPLE_RATE, resample, to_float, to_int16
from .config import Settings
from .events import EventBus
from .llm.base import LlmEngine, create_llm
from .llm.live import LiveLlm
from .llm.queue import LlmQueue, parallel_slots
from .llm.tools import DeviceControl, ToolRegistry
from .speech.engines import SpeechEngines, load_speech_engines

log = logging.getLogger(__name__)

WARM_UP_SENTENCE = "What is the weather like in the kitchen today?"


@dataclass
class SharedEngines:
    speech: SpeechEngines
    llm: LlmEngine
    llm_queue: LlmQueue
    tools: ToolRegistry
    stt_executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "stt"))
    tts_executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "tts"))
    turn_executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1, "turn"))
    load_secs: float = 0.0

    @property
    def vad(self):  # noqa: ANN201 - short aliases used on the hot path
        return self.speech.vad

    @property
    def turn(self):  # noqa: ANN201
        return self.speech.turn

    @property
    def stt(self):  # noqa: ANN201
        return self.speech.stt

    @property
    def tts(self):  # noqa: ANN201
        return self.speech.tts

    @property
    def wakeword(self):  # noqa: ANN201
        return self.speech.wakeword

    async def warm_up(self, system_prompt: str, tools_final: Awaitable[object] | None = None) -> None:
        """Pay the first-call costs before a user does: Moonshine's first real decode, the LLM prompt prefix
        (loaded from disk when saved by an earlier start). The daemon says it is ready only after this.

        `tools_final`: what to wait for before the prefix is made from the tool registry (the responder
        chain takes the actions it answers out of it; the prefix warmed must be the one answers use)."""
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        # the prompt prefix every turn will share; it needs no speech, so it does not wait for it
        llm = asyncio.ensure_future(self._warm_up_llm(system_prompt, tools_final))
        try:
            speech = await loop.run_in_executor(self.tts_executor, self.tts.synthesize, WARM_UP_SENTENCE)
            clip = to_float(resample(to_int16(speech), self.tts.sample_rate, SAMPLE_RATE))
            await asyncio.gather(
                loop.run_in_executor(self.stt_executor, self.stt.warm_up, clip),
                loop.run_in_executor(self.turn_executor, self.turn.completion_probability, clip),
            )
        finally:
            await llm
        log.info("engines warm", extra={"secs": round(time.monotonic() - started, 2)})

    async def _warm_up_llm(self, system_prompt: str, tools_final: Awaitable[object] | None) -> None:
        if tools_final is not None:
            await tools_final
        await self.llm.warm_up(system_prompt, self.tools.schemas())

    def close(self) -> None:
        for executor in (self.stt_executor, self.tts_executor, self.turn_executor):
            executor.shutdown(wait=False, cancel_futures=True)
        close_llm = getattr(self.llm, "close", None)
        if close_llm is not None:
            close_llm()


async def load_engines(settings: Settings, models_root: Path, bus: EventBus, device: DeviceControl) -> SharedEngines:
    """Load every model (off the event loop); raises ModelError naming a missing or corrupt file."""
    started = time.monotonic()
    with_wakeword = settings.conversation.activation == "wakeword"
    speech_task = asyncio.to_thread(load_speech_engines, settings, models_root, with_wakeword)
    llm_task = asyncio.to_thread(create_llm, settings.llm, models_root)
    speech, llm = await asyncio.gather(speech_task, llm_task)
    live_llm = LiveLlm(llm, settings.llm, models_root, bus)  # follows live [llm] changes
    engines = SharedEngines(speech=speech, llm=live_llm, llm_queue=LlmQueue(bus, parallel_slots(settings.llm)),
                            tools=ToolRegistry(bus, device, settings.tools))
    engines.load_secs = time.monotonic() - started
    log.info("models loaded", extra={"secs": round(engines.load_secs, 2)})
    return engines
