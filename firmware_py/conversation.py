"""One conversation: listen -> user turn -> think -> speak, with barge-in, text input and tools.

The listener (ears) and `BotSpeech` (voice) do the audio work; this class owns the turn-taking state,
the LLM context, and the rule that control beats data: an interruption cancels generation, synthesis and
playback at once, and the context keeps only what the user actually heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from .arbitration import admit_turn
from .audio.frames import AudioFrame
from .audio.io import AudioSink, AudioSource, QueueSource
from .audio.processing import ProcessedSource
from .engines import SharedEngines
from .events import (BotInterrupted, BotLlmStarted, BotLlmStopped, BotLlmText, ErrorEvent, Event, EventBus,
                     StateChanged, TimerFired, UserLlmText, UserMuteChanged)
from .listening import TurnListener, TurnTiming
from .live_config import LiveSettings
from .llm.agent import generate_reply
from .llm.base import LlmError
from .llm.context import Context
from .llm.text import SentenceSplitter, clean_for_speech
from .session import VoiceSession
from .speaking import BotSpeech
from .turn_metrics import publish_turn_metrics

log = logging.getLogger(__name__)

APOLOGY = "Sorry, I can't think right now. Please try again in a moment."


class Conversation(VoiceSession):
    def __init__(self, session_id: str, engines: SharedEngines, bus: EventBus, live: LiveSettings, sink: AudioSink,
                 source: AudioSource | None = None, client_tools: list[dict[str, Any]] | None = None) -> None:
        self.session_id = session_id
        self._engines, self._bus, self._live, self._sink = engines, bus, live, sink
        self._source = source or QueueSource()
        self.client_tools = client_tools or []
        llm = live.current.llm
        self.context = Context(llm.system_prompt, llm.history_tokens, getattr(engines.llm, "count_tokens", None))
        self.listener = TurnListener(session_id, engines, live, bus, self)
        self.state = ""
        self._speech: BotSpeech | None = None
        self._reply: asyncio.Task[None] | None = None
        self._cancel = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.last_transcript = ""
        self.last_answer = ""
        self._input_task: asyncio.Task[None] | None = None
        self._unsubscribe = bus.subscribe(self._on_event, TimerFired, session_id=session_id)

    # --- life cycle --------------------------------------------------------------------------------

    def start(self) -> None:
        self._input_task = asyncio.create_task(self._read_input(), name=f"input-{self.session_id}")
        self._set_state(self._idle_state())

    async def _read_input(self) -> None:
        try:
            async for frame in self._source.frames():
                try:
                    await self.listener.process(frame)
                except Exception:  # a bad frame or engine hiccup must not end the session
                    log.exception("input processing failed", extra={"session": self.session_id})
        except asyncio.CancelledError:
            raise
        except Exception as err:
            log.error("audio input ended", extra={"session": self.session_id, "error": str(err)})
            self._bus.publish(ErrorEvent(session_id=self.session_id, message=f"audio input failed: {err}"))

    async def close(self) -> None:
        self._unsubscribe()
        await self.interrupt(publish=False)
        await self._source.close()
        for task in [self._input_task, *self._tasks]:
            if task:
                task.cancel()
        await asyncio.gather(*(t for t in [self._input_task, *self._tasks] if t), return_exceptions=True)

    # --- state -------------------------------------------------------------------------------------

    def _idle_state(self) -> str:
        activation = self._live.current.conversation.activation
        if self.listener.muted or activation == "muted":
            return "muted"
        return "idle" if activation in ("wakeword", "push_to_talk") else "listening"

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self._bus.publish(StateChanged(session_id=self.session_id, state=state))

    def status(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "state": self.state, "muted": self.listener.muted,
                "activation": self._live.current.conversation.activation,
                "last_transcript": self.last_transcript, "last_answer": self.last_answer}

    # --- listener callbacks ------------------------------------------------------------------------

    def accepting_input(self) -> bool:
        """While the bot talks, the user is heard only if barge-in is on."""
        return self._speech is None or not self._speech.speaking or self._live.current.conversation.barge_in

    def echo_level(self) -> float:
        return self._speech.level if self._speech and self._speech.speaking else 0.0

    async def on_user_speech_started(self) -> None:
        if self._reply and not self._reply.done():
            await self.interrupt()
        self._set_state("user_speaking")

    async def on_user_turn(self, text: str, timing: TurnTiming) -> None:
        if not await admit_turn(self._bus, self.session_id, text) or not text:  # another room may answer it
            self._set_state(self._idle_state())
            return
        self.last_transcript = text
        # the user may have gone on talking while this turn was transcribed, and an answer to an earlier
        # turn may have started meanwhile: one answer at a time, the newest wins
        await self.interrupt()
        self._start_reply(text, audio_response=True, timing=timing)

    # --- answering ---------------------------------------------------------------------------------

    def _start_reply(self, user_text: str | None, audio_response: bool, timing: TurnTiming | None = None) -> None:
        self._cancel = asyncio.Event()
        self._reply = asyncio.create_task(self._answer(user_text, audio_response, timing or TurnTiming(),
                                                       self._cancel), name=f"reply-{self.session_id}")

    async def _answer(self, user_text: str | None, audio_response: bool, timing: TurnTiming,
                      cancel: asyncio.Event) -> None:
        if user_text is not None:
            self.context.add("user", user_text)
            self._bus.publish(UserLlmText(session_id=self.session_id, text=user_text))
        self._set_state("thinking")
        speech = self._new_speech() if audio_response else None
        splitter = SentenceSplitter(first_clause_early=True)
        llm_started = time.monotonic()
        first_token_at: float | None = None
        answer: list[str] = []
        try:
            async with self._engines.llm_queue.slot(self.session_id):
                self._bus.publish(BotLlmStarted(session_id=self.session_id))
                try:
                    tools = self._engines.tools if self._live.current.llm.tools else None
                    async for delta in generate_reply(self._engines.llm, self.context, tools,
                                                      self.session_id, self._bus, cancel, self.client_tools):
                        first_token_at = first_token_at or time.monotonic()
                        answer.append(delta)
                        self._bus.publish(BotLlmText(session_id=self.session_id, text=delta))
                        for sentence in splitter.push(delta):
                            self._feed(speech, sentence)
                except LlmError as err:
                    log.warning("llm failed", extra={"session": self.session_id, "error": str(err)})
                    self._bus.publish(ErrorEvent(session_id=self.session_id, message=str(err)))
                    self._feed(speech, APOLOGY)
                finally:
                    self._bus.publish(BotLlmStopped(session_id=self.session_id))
            for sentence in splitter.flush():
                self._feed(speech, sentence)
            self.last_answer = "".join(answer).strip()
            if speech:
                speech.finish()
                await speech.wait()
            publish_turn_metrics(self._bus, self.session_id, timing, llm_started, first_token_at, speech)
        finally:
            if self._speech is speech:
                self._speech = None
            if not cancel.is_set():
                self._after_answer()

    def _new_speech(self) -> BotSpeech:
        self._speech = BotSpeech(self.session_id, self._engines.tts, self._engines.tts_executor, self._sink, self._bus)
        self._speech.on_started = lambda: self._set_state("speaking")
        return self._speech

    @staticmethod
    def _feed(speech: BotSpeech | None, sentence: str) -> None:
        text = clean_for_speech(sentence)
        if speech and text:
            speech.feed(text)

    def _after_answer(self) -> None:
        self.listener.follow_up()
        self._set_state("user_speaking" if self.listener.in_turn else self._idle_state())

    async def interrupt(self, publish: bool = True) -> None:
        """Stop the bot now: generation, synthesis and playback; keep only what was heard in the context."""
        reply, speech = self._reply, self._speech
        if reply is None or reply.done():
            return
        self._cancel.set()
        spoken = await speech.stop() if speech else ""
        reply.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reply
        self._speech = None
        self._keep_only_spoken(spoken)
        if publish:
            self._bus.publish(BotInterrupted(session_id=self.session_id, spoken_text=spoken))
        self._set_state("user_speaking" if self.listener.in_turn else self._idle_state())

    def _keep_only_spoken(self, spoken: str) -> None:
        """The history holds what the user heard: the answer is clipped, or added if it never got there."""
        messages = self.context.messages()
        if messages and messages[-1]["role"] == "user":
            if spoken:
                self.context.add("assistant", spoken)
        else:
            self.context.clip_last_assistant(spoken)

    # --- VoiceSession: front-door requests ---------------------------------------------------------

    def push_audio(self, frame: AudioFrame) -> None:
        if isinstance(self._source, (QueueSource, ProcessedSource)):
            self._source.push(frame)

    async def send_text(self, text: str, run_immediately: bool = True, audio_response: bool = True) -> None:
        if run_immediately:
            await self.interrupt()
            self.last_transcript = text
            self._start_reply(text, audio_response)
        else:
            self.context.add("user", text)

    async def append_to_context(self, role: str, content: str, run_immediately: bool = False) -> None:
        if role not in ("user", "assistant", "system"):
            raise ValueError(f"role must be user, assistant or system, not {role!r}")
        self.context.add(role, content)
        if run_immediately:
            await self.run_llm()

    async def say(self, text: str, interrupt: bool = False) -> None:
        """Speak without the LLM; waits its turn behind an answer in progress unless told to interrupt."""
        if interrupt:
            await self.interrupt()
        elif self._reply and not self._reply.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._reply)
        self.context.add("assistant", text)
        self._cancel = asyncio.Event()
        self._reply = asyncio.create_task(self._speak_only(text, self._cancel), name=f"say-{self.session_id}")

    async def _speak_only(self, text: str, cancel: asyncio.Event) -> None:
        speech = self._new_speech()
        try:
            self._feed(speech, text)
            speech.finish()
            await speech.wait()
        finally:
            if self._speech is speech:
                self._speech = None
            if not cancel.is_set():
                self._after_answer()

    async def run_llm(self) -> None:
        await self.interrupt()
        self._start_reply(None, audio_response=True)

    def set_muted(self, muted: bool) -> None:
        if muted == self.listener.muted:
            return
        self.listener.muted = muted
        if muted:
            self.listener.abandon_turn()
        self._bus.publish(UserMuteChanged(session_id=self.session_id, muted=muted))
        self._set_state(self._idle_state() if not (self._speech and self._speech.speaking) else "speaking")

    def push_to_talk(self, pressed: bool) -> None:
        async def press() -> None:
            if pressed:
                await self.interrupt()
                self.listener.ptt_pressed = True
                await self.listener.start_turn()
            else:
                await self.listener.release_talk()

        task = asyncio.create_task(press())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def get_context(self) -> list[dict[str, Any]]:
        return self.context.messages()

    def set_context(self, messages: list[dict[str, Any]]) -> None:
        self.context.replace(messages)

    def resolve_client_tool(self, tool_call_id: str, result: Any) -> bool:
        return self._engines.tools.resolve_client(tool_call_id, result)

    # --- bus ---------------------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if isinstance(event, TimerFired):
            label = f"{event.label} timer" if event.label else "timer"
            task = asyncio.create_task(self.say(f"Your {label} is done.", interrupt=False))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
