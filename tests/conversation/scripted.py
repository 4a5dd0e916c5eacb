"""Scripted engines for driving the listener and the conversation frame by frame, without models.

Speech is a loud tone, silence is exact zeros or a quiet hiss: an energy "VAD" scores them. STT answers
from a script (texts, empty strings or exceptions, in order) and records the audio it was given; Smart
Turn answers from a script of probabilities. Everything else (executors, the listener's own logic, the
tool registry) is the real code.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, AsyncIterator

import numpy as np

from firmware_py.audio.frames import SAMPLE_RATE, AudioFrame
from firmware_py.config import Settings
from firmware_py.engines import SharedEngines
from firmware_py.events import EventBus
from firmware_py.listening import TurnTiming
from firmware_py.live_config import LiveSettings
from firmware_py.llm.base import LlmDelta
from firmware_py.llm.queue import LlmQueue
from firmware_py.llm.tools import ToolRegistry
from firmware_py.respond.unfinished import reads_finished
from firmware_py.speech.engines import SpeechEngines

FRAME = SAMPLE_RATE // 50   # 20 ms


def tone(secs: float, level: int = 8000) -> list[AudioFrame]:
    count = int(secs * 50)
    t = np.arange(FRAME) / SAMPLE_RATE
    return [AudioFrame((level * np.sin(2 * np.pi * 220 * t)).astype(np.int16)) for _ in range(count)]


def zeros(secs: float) -> list[AudioFrame]:
    return [AudioFrame(np.zeros(FRAME, np.int16)) for _ in range(int(secs * 50))]


class EnergyVadStream:
    """Speech when a window is loud: stands in for Silero on tones and zeros."""

    def __init__(self) -> None:
        self.last_probability = 0.0

    def reset(self) -> None:
        self.last_probability = 0.0

    def probability(self, samples: np.ndarray) -> float:
        level = float(np.sqrt(np.mean(np.square(samples.astype(np.float32))))) if len(samples) else 0.0
        self.last_probability = 0.95 if level > 1000 else 0.02
        return self.last_probability


class EnergyVad:
    def new_stream(self) -> EnergyVadStream:
        return EnergyVadStream()


@dataclass
class ScriptedStt:
    script: list[Any] = field(default_factory=list)
    """Per call: a text, or an exception instance to raise. When exhausted: `default`."""
    default: str = ""
    heard: list[np.ndarray] = field(default_factory=list)
    delay_secs: float = 0.0
    """How long each decode takes (on the STT thread), as on a loaded machine."""

    def transcribe(self, audio: np.ndarray) -> str:
        self.heard.append(audio)
        time.sleep(self.delay_secs)
        step = self.script.pop(0) if self.script else self.default
        if isinstance(step, BaseException):
            raise step
        return step

    def warm_up(self, audio: np.ndarray) -> None:
        pass


@dataclass
class ScriptedTurn:
    verdicts: list[float] = field(default_factory=list)
    default: float = 0.9
    calls: int = 0

    def completion_probability(self, audio: np.ndarray) -> float:
        self.calls += 1
        return self.verdicts.pop(0) if self.verdicts else self.default


class SilentTts:
    """Speaks 50 ms of near-silence per sentence, fast."""

    sample_rate = SAMPLE_RATE
    last_secs = 0.0

    def sentences(self, text: str) -> list[str]:
        return [text]

    def synthesize(self, text: str) -> np.ndarray:
        return np.full(SAMPLE_RATE // 20, 3, np.int16)


class ScriptedLlm:
    """Streams a fixed answer (`later` answers, when given, from the second call on); records the messages it
    was asked with."""

    name = "scripted"

    def __init__(self, answer: str = "A scripted answer.", later: str = "") -> None:
        self.answer = answer
        self.later = later
        self.asked: list[list[dict[str, Any]]] = []

    async def stream(self, messages: list[dict[str, Any]], tools: Any, cancel: asyncio.Event,
                     **_: Any) -> AsyncIterator[LlmDelta]:
        self.asked.append(list(messages))
        for word in self.answer_for(messages).split(" "):
            if cancel.is_set():
                return
            yield LlmDelta(text=word + " ")
            await asyncio.sleep(0)

    def answer_for(self, messages: list[dict[str, Any]]) -> str:
        return self.later if self.later and len(self.asked) > 1 else self.answer

    async def warm_up(self, system_prompt: str, tools: Any = None) -> None:
        pass


class NoDevice:
    volume = 0.5

    def get_volume(self) -> float:
        return self.volume

    def set_volume(self, value: float) -> None:
        self.volume = value

    def set_muted(self, muted: bool) -> None:
        self.muted = muted


def scripted_engines(bus: EventBus, stt: ScriptedStt | None = None, turn: ScriptedTurn | None = None,
                     llm: ScriptedLlm | None = None) -> SharedEngines:
    speech = SpeechEngines(vad=EnergyVad(), turn=turn or ScriptedTurn(), stt=stt or ScriptedStt(),  # type: ignore[arg-type]
                           tts=SilentTts(), wakeword=None)
    return SharedEngines(speech=speech, llm=llm or ScriptedLlm(), llm_queue=LlmQueue(bus),  # type: ignore[arg-type]
                         tools=ToolRegistry(bus, NoDevice(), []))


def live_settings(bus: EventBus, turn: dict[str, Any] | None = None, **conversation: Any) -> LiveSettings:
    settings = Settings()
    settings = replace(settings, audio=replace(settings.audio, enabled=False),
                       conversation=replace(settings.conversation, **conversation),
                       turn=replace(settings.turn, **(turn or {})))
    return LiveSettings(settings, bus)


@dataclass
class RecordingOwner:
    """The listener's owner, recording what it is told."""

    speaking: bool = False
    turns: list[tuple[str, TurnTiming]] = field(default_factory=list)
    early: list[str] = field(default_factory=list)
    speech_started: int = 0
    went_on: int = 0
    pauses: list[str] = field(default_factory=list)
    claimed_words: set[str] = field(default_factory=set)
    """Words a responder claims (the turn ends at the VAD's stop, not after UNCLAIMED_STOP_SECS)."""

    def accepting_input(self) -> bool:
        return True

    def bot_speaking(self) -> bool:
        return self.speaking

    async def on_user_speech_started(self) -> None:
        self.speech_started += 1

    async def on_early_transcript(self, text: str) -> None:
        self.early.append(text)

    def on_user_went_on(self) -> None:
        self.went_on += 1

    def pause_bot(self) -> None:
        self.pauses.append("pause")

    def resume_bot(self) -> None:
        self.pauses.append("resume")

    def words_finished(self, words: str) -> bool:
        return reads_finished(words)

    def words_claimed(self, words: str) -> bool:
        return words in self.claimed_words

    async def on_user_turn(self, text: str, timing: TurnTiming) -> None:
        self.turns.append((text, timing))


async def feed(listener: Any, frames: Iterable[AudioFrame], pace: float = 0.0) -> None:
    """Frames into the listener, letting the executors' results land between frames."""
    for frame in frames:
        await listener.process(frame)
        await asyncio.sleep(pace)


async def settle(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def close_engines(engines: SharedEngines) -> None:
    with contextlib.suppress(Exception):
        engines.close()


class ScriptedHost:
    """The host of the conversations under test: finds them by session id."""

    def __init__(self) -> None:
        self.sessions: dict[str, Any] = {}
        self.device = NoDevice()

    def get_session(self, session_id: str) -> Any:
        return self.sessions.get(session_id)


@contextlib.asynccontextmanager
async def conversation_on_chain(settings: Settings, bus: EventBus, stt: ScriptedStt | None = None,
                                llm: ScriptedLlm | None = None) -> AsyncIterator[tuple[Any, Any]]:
    """A started conversation ("s1") on scripted engines and the real responder chain built from `settings`:
    (conversation, chain), both closed on the way out."""
    from firmware_py.audio.io import NullSink
    from firmware_py.conversation import Conversation
    from firmware_py.respond.assembly import build_chain

    engines = scripted_engines(bus, stt=stt, llm=llm)
    host = ScriptedHost()
    chain = await asyncio.to_thread(build_chain, settings, engines.tools, bus, host)
    conversation = Conversation("s1", engines, bus, LiveSettings(settings, bus), NullSink(), None, None, chain)
    host.sessions["s1"] = conversation
    conversation.start()
    try:
        yield conversation, chain
    finally:
        await conversation.close()
        await chain.close()
        close_engines(engines)


@contextlib.asynccontextmanager
async def recorded_conversation(settings: Settings, stt: ScriptedStt, llm: ScriptedLlm) -> AsyncIterator[tuple[Any, list[Any]]]:
    """`conversation_on_chain` on a bus of its own: (conversation, every event published, in order)."""
    bus = EventBus()
    events: list[Any] = []
    bus.subscribe(events.append)
    async with conversation_on_chain(settings, bus, stt=stt, llm=llm) as (conversation, _):
        yield conversation, events
