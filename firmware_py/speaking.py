"""The bot's voice for one answer: sentences in, synthesized and paced out to a sink, stoppable at once.

Synthesis and playback run as two tasks joined by a short queue, so sentence N+1 is synthesized while
sentence N plays and the first sentence is heard while the LLM is still writing the rest. `stop()` cancels
both and flushes the sink, which is what makes barge-in immediate; `spoken_text` says what the listener
actually heard, so the LLM history can be clipped to it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .audio.frames import resample, to_int16
from .audio.io import AudioSink
from .onset_pause import REWIND_SECS
from .events import (BotOutput, BotStartedSpeaking, BotStoppedSpeaking, BotTtsStarted, BotTtsStopped, BotTtsText,
                     ErrorEvent, EventBus)
from .speech.tts import TtsEngine

log = logging.getLogger(__name__)

LEAD_SECS = 0.03
"""Silence kept before a sentence's first sound: the voices pad about 0.3 s, which the user would wait through."""
TAIL_SECS = 0.15
"""Silence kept after a sentence's last sound: a natural gap before the next one (the voices pad about 0.45 s)."""
SILENCE_LEVEL = 0.02
"""Share of the sentence's peak below which a 10 ms window counts as silence."""


def trim_silence(samples: np.ndarray, rate: int) -> np.ndarray:
    """A synthesized sentence without the padding the voice put around it, keeping short natural margins."""
    window = max(1, rate // 100)
    frames = len(samples) // window
    if frames == 0:
        return samples
    levels = np.abs(samples[:frames * window].astype(np.int32)).reshape(frames, window).max(axis=1)
    loud = np.flatnonzero(levels > levels.max() * SILENCE_LEVEL)
    if len(loud) == 0:
        return samples
    start = max(0, loud[0] * window - int(LEAD_SECS * rate))
    end = min(len(samples), (loud[-1] + 1) * window + int(TAIL_SECS * rate))
    return samples[start:end]


CHUNK_SECS = 0.04
"""Audio goes to the sink in 40 ms pieces: small enough that a stop takes effect almost at once."""


@dataclass
class SpeechProgress:
    """What has been played so far, sentence by sentence."""

    finished: list[str] = field(default_factory=list)
    current: str = ""
    current_fraction: float = 0.0

    def spoken_text(self) -> str:
        words = self.current.split()
        partial = " ".join(words[: int(len(words) * self.current_fraction)])
        return " ".join([*self.finished, partial]).strip()


@dataclass(frozen=True)
class Sound:
    samples: np.ndarray   # int16
    sample_rate: int


NO_WORDS = ""
"""What a sound is played under in the speech's progress: nothing said, nothing shown."""


class BotSpeech:
    """One answer being spoken. Feed sentences, then `finish()`; `wait()` returns when all was played."""

    def __init__(self, session_id: str, tts: TtsEngine, executor: Executor, sink: AudioSink, bus: EventBus) -> None:
        self.session_id = session_id
        self._tts, self._executor, self._sink, self._bus = tts, executor, sink, bus
        self._sentences: asyncio.Queue[str | Sound | None] = asyncio.Queue()
        self._audio: asyncio.Queue[tuple[str, np.ndarray] | None] = asyncio.Queue(maxsize=2)
        self.progress = SpeechProgress()
        self.first_audio_ready_at: float | None = None
        self.first_audio_out_at: float | None = None
        self.tts_secs = 0.0
        self.speaking = False
        self.level = 0.0
        """RMS (0-1) of the audio playing now: the echo guard compares the microphone against it."""
        self.on_started: Callable[[], None] | None = None
        self._tts_started = False
        self._playing = asyncio.Event()   # cleared while paused (onset_pause.py)
        self._playing.set()
        self._synth_task = asyncio.create_task(self._synthesize_loop())
        self._play_task = asyncio.create_task(self._play_loop())

    def feed(self, sentence: str) -> None:
        if sentence.strip():
            self._sentences.put_nowait(sentence.strip())

    def feed_sound(self, samples: np.ndarray, sample_rate: int) -> None:
        """A sound played in its place among the sentences (a timer's ring tone): no words shown for it."""
        if len(samples):
            self._sentences.put_nowait(Sound(samples, sample_rate))

    def finish(self) -> None:
        self._sentences.put_nowait(None)

    async def wait(self) -> None:
        """Until every fed sentence has been played (or the speech was stopped)."""
        await asyncio.gather(self._synth_task, self._play_task, return_exceptions=True)

    def pause(self) -> None:
        """Fall quiet at once but keep the place: the user may be starting to talk (onset_pause.py)."""
        if self._playing.is_set():
            self._playing.clear()
            self._sink.clear()
            self.level = 0.0

    def resume(self) -> None:
        """Go on from a little before the pause."""
        self._playing.set()

    @property
    def paused(self) -> bool:
        return not self._playing.is_set()

    async def stop(self) -> str:
        """Silence now: cancel synthesis and playback, flush the sink. Returns what was heard."""
        self._sink.clear()
        for task in (self._synth_task, self._play_task):
            task.cancel()
        await asyncio.gather(self._synth_task, self._play_task, return_exceptions=True)
        self._sink.clear()
        if self._tts_started:
            self._bus.publish(BotTtsStopped(session_id=self.session_id))
        if self.speaking:
            self.speaking = False
            self._bus.publish(BotStoppedSpeaking(session_id=self.session_id))
        return self.progress.spoken_text()

    @property
    def spoken_text(self) -> str:
        return self.progress.spoken_text()

    async def _synthesize_loop(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while (sentence := await self._sentences.get()) is not None:
                if isinstance(sentence, Sound):
                    await self._audio.put((NO_WORDS, resample(sentence.samples, sentence.sample_rate,
                                                              self._sink.sample_rate)))
                    continue
                if not self._tts_started:
                    self._tts_started = True
                    self._bus.publish(BotTtsStarted(session_id=self.session_id))
                started = time.monotonic()
                try:
                    audio = await loop.run_in_executor(self._executor, self._tts.synthesize, sentence)
                except Exception as err:  # a sentence the voice cannot say must not end the answer
                    log.warning("tts failed on a sentence", extra={"error": str(err), "session": self.session_id})
                    self._bus.publish(ErrorEvent(session_id=self.session_id, message=f"speech synthesis failed: {err}"))
                    continue
                self.tts_secs += time.monotonic() - started
                self.first_audio_ready_at = self.first_audio_ready_at or time.monotonic()
                voiced = trim_silence(to_int16(audio), self._tts.sample_rate)
                samples = resample(voiced, self._tts.sample_rate, self._sink.sample_rate)
                await self._audio.put((sentence, samples))
        finally:
            # the play loop ends at the marker; `stop` cancels it with this loop, and then nobody would ever
            # make room in a full queue (a long answer runs ahead of playback): waiting for room would hang
            if not self._play_task.done() and not self._play_task.cancelling():
                try:
                    self._audio.put_nowait(None)
                except asyncio.QueueFull:
                    await self._audio.put(None)

    async def _play_loop(self) -> None:
        chunk = max(1, int(self._sink.sample_rate * CHUNK_SECS))
        # what the sink held (its lead) and the chunk being written are lost to a pause's clear: played again
        rewind = int(REWIND_SECS * self._sink.sample_rate)
        while (item := await self._audio.get()) is not None:
            sentence, samples = item
            self.progress.current, self.progress.current_fraction = sentence, 0.0
            start, shown = 0, False
            while start < len(samples) or self.paused and start > 0:   # (paused on its last chunk: played again)
                if self.paused:
                    await self._playing.wait()
                    start = max(0, start - rewind)
                if not self.speaking:
                    self.speaking = True
                    self.first_audio_out_at = time.monotonic()
                    self._bus.publish(BotStartedSpeaking(session_id=self.session_id))
                    if self.on_started:
                        self.on_started()
                if not shown and sentence != NO_WORDS:
                    shown = True
                    self._bus.publish(BotOutput(session_id=self.session_id, text=sentence))
                    self._bus.publish(BotTtsText(session_id=self.session_id, text=sentence))
                piece = samples[start:start + chunk]
                self.level = float(np.sqrt(np.mean(np.square(piece.astype(np.float32))))) / 32768.0
                await self._sink.write(piece)
                self.progress.current_fraction = min(1.0, (start + chunk) / max(1, len(samples)))
                start += chunk
            if sentence != NO_WORDS:
                self.progress.finished.append(sentence)
            self.progress.current, self.progress.current_fraction = "", 0.0
        if self._tts_started:
            self._tts_started = False
            self._bus.publish(BotTtsStopped(session_id=self.session_id))
        await self._sink.drain()
        if self.speaking:
            self.speaking = False
            self._bus.publish(BotStoppedSpeaking(session_id=self.session_id))
