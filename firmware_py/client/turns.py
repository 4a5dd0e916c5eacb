"""Following one answer from its request (typed text, or the end of the user's speech) to its end.

`TurnWatcher` listens to a client's events and fills a `TurnRecord`: what the user said, what the bot
answered, and when its first text, first audio and end arrived. A typed turn ends at `bot-llm-stopped`;
a spoken one when the bot stops speaking (or shortly after the LLM stopped, if it never spoke).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from . import events as ev
from .client import RtviClient

SILENT_ANSWER_GRACE_SECS = 3.0
"""After the LLM stops, how long a spoken turn waits for the bot to start speaking before it ends."""


@dataclass
class TurnRecord:
    started_at: float
    """`time.monotonic()` of the request, or of the end of the user's speech."""
    user_text: str = ""
    bot_text: str = ""
    first_text_at: float | None = None
    first_audio_at: float | None = None
    llm_stopped_at: float | None = None
    done_at: float | None = None
    error: str = ""
    answered: bool = False

    def ms(self, at: float | None) -> float | None:
        return None if at is None else round((at - self.started_at) * 1000, 1)

    @property
    def text_latency_ms(self) -> float | None:
        return self.ms(self.first_text_at)

    @property
    def voice_latency_ms(self) -> float | None:
        """Voice-to-voice when `started_at` is the end of the user's speech."""
        return self.ms(self.first_audio_at)


class TurnWatcher:
    def __init__(self, client: RtviClient, voice: bool) -> None:
        self.voice = voice
        self.record: TurnRecord | None = None
        self._done = asyncio.Event()
        self._llm_started = self._speaking = self._spoke = False
        self._grace: asyncio.TimerHandle | None = None
        self._unsubscribe = client.on(ev.ClientEvent, self._on_event)

    def begin(self, at: float | None = None) -> TurnRecord:
        """Start following a new turn (the previous one is forgotten)."""
        self.record = TurnRecord(started_at=time.monotonic() if at is None else at)
        self._done.clear()
        self._llm_started = self._speaking = self._spoke = False
        self._cancel_grace()
        return self.record

    async def wait(self, timeout: float) -> TurnRecord:
        """The finished record; TimeoutError when the answer did not end in time."""
        assert self.record is not None, "begin() first"
        await asyncio.wait_for(self._done.wait(), timeout)
        return self.record

    def close(self) -> None:
        self._cancel_grace()
        self._unsubscribe()

    def _on_event(self, event: ev.ClientEvent) -> None:
        record = self.record
        if record is None or self._done.is_set():
            return
        now = time.monotonic()
        if isinstance(event, ev.UserTranscript) and event.final:
            record.user_text = f"{record.user_text} {event.text}".strip()
        elif isinstance(event, ev.BotLlmStarted):
            self._llm_started = True
        elif isinstance(event, ev.BotLlmText):
            record.bot_text += str(event.text)
            record.first_text_at = record.first_text_at or now
        elif isinstance(event, ev.BotAudio) and audible(event.pcm):
            record.first_audio_at = record.first_audio_at or now
        elif isinstance(event, ev.BotStartedSpeaking):
            self._speaking = self._spoke = True
            self._cancel_grace()
        elif isinstance(event, ev.BotStoppedSpeaking):
            self._speaking = False
            if self.voice and (record.llm_stopped_at or not self._llm_started):
                self._finish(now)
        elif isinstance(event, ev.BotLlmStopped):
            record.llm_stopped_at = now
            if not self.voice:
                self._finish(now)
            elif not self._speaking and not self._spoke:
                self._grace = asyncio.get_running_loop().call_later(
                    SILENT_ANSWER_GRACE_SECS, self._finish, now)
            elif not self._speaking:
                self._finish(now)
        elif isinstance(event, (ev.Error, ev.Disconnected)):
            record.error = getattr(event, "error", "") or getattr(event, "reason", "")
            if isinstance(event, ev.Disconnected) or event.fatal:
                self._finish(now)

    def _finish(self, at: float) -> None:
        assert self.record is not None
        self.record.done_at = at
        self.record.answered = bool(self.record.bot_text.strip() or self._spoke)
        self._cancel_grace()
        self._done.set()

    def _cancel_grace(self) -> None:
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None


def audible(pcm: bytes) -> bool:
    """Does int16 little-endian `pcm` hold a sample of magnitude 256 or more (-48 dBFS)? A WebRTC track
    also carries silence, which is not the bot speaking. Only the high bytes are looked at, in C."""
    return bool(pcm[1::2].translate(None, b"\x00\xff"))
