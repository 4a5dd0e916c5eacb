"""One conversation: listen -> user turn -> think -> speak, with barge-in, text input and tools.

The listener (ears) and `BotSpeech` (voice) do the audio work; this class owns the turn-taking state,
the LLM context, and the rule that control beats data: an interruption cancels generation, synthesis and
playback at once, and the context keeps only what the user actually heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from dataclasses import dataclass, replace
from collections.abc import Awaitable, Callable
from typing import Any, AsyncIterator

import numpy as np

from .arbitration import admit_turn, outranked
from .audio.frames import AudioFrame
from .audio.io import AudioSink, AudioSource, QueueSource
from .audio.processing import ProcessedSource
from .engines import SharedEngines
from .events import (AnswerSource, BotAnswered, BotInterrupted, BotLlmStarted, BotLlmStopped, BotLlmText, BotOutput,
                     ConversationState, ErrorEvent, Event, EventBus, StateChanged, TimerFired, UserLlmText,
                     UserMuteChanged, UserTranscript)
from .held_text import HeldText
from .listening import TurnListener, TurnTiming
from .live_config import LiveSettings
from .llm.agent import generate_reply
from .llm.repeats import RepeatFilter, repeats_an_earlier_answer
from .llm.base import LlmError
from .llm.context import Context
from .llm.builtin_tools import as_object
from .llm.calls_seen import CallsSeen
from .llm.text import clean_for_speech
from .llm.timers import WAKE_UP, as_mine, is_alarm, timer_done_words, timer_name, timers_named
from .sentences import SentenceSplitter
from .respond.amend import FINISHED, can_be_amended, only_finished, rest_of
from .respond.asked import AskedBack, asked_again
from .respond.base import ActionCall, Answer
from .respond.chain import ResponderChain, carry_out
from .respond.command_reread import MARGIN, REFUSAL_MARGIN, UNHEARD_MARGIN
from .respond.device_follow_ups import asks_the_same, claim_pointed_at, claim_same_for, names_a_pointer
from .respond.early_llm import EarlyLlmAnswer
from .respond.later import reminder_of
from .respond.not_caught import may_have_a_rest, too_unsure
from .respond.self_corrections import corrected, only_a_marker, opens_with_a_correction
from .respond.speculation import Speculator
from .respond.timer_names import (name_left_out, names_known, names_to_read, one_request_named_twice, timer_call,
                                  without_the_name)
from .respond.timer_follow_ups import TELLING, claim_timer_pointed_at, may_point_at_the_timer
from .respond.timer_state import the_one_that_acts
from .respond.unfinished import (LastTurn, borne_out, cut_off_after, goes_on_from, hold_secs, joined, may_amend,
                                 may_complete, only_finishes_asking, read_whole, reads_better,
                                 reads_finished, sounds_unfinished, spliced)
from .ring_tone import ring_tone
from .ringing import Ringing, dismisses
from .session import VoiceSession
from .speaking import BotSpeech
from .turn_metrics import publish_turn_metrics

log = logging.getLogger(__name__)

HeldReading = asyncio.Future["tuple[str, Answer] | None"]
"""A held turn's reading within the commands, made while its rest is waited for: its words and answer, or None."""

APOLOGY = "Sorry, I can't think right now. Please try again in a moment."
APOLOGY_QUIET_SECS = 20.0
"""After saying it did not understand, the device says so again only after this long (the error event is
always sent)."""
LATE_COMMAND_SECS = 300.0
"""A command for later that fell due while the daemon was off still runs within this; later, it is only said."""
NOT_UNDERSTOOD_MIN_VOICED_SECS = 0.5
"""Speech this long that gave no words was a request nobody understood; less was a cough or a knock."""
POINTED_AT = re.compile(r"\b(?:it|that|this|again)\b", re.I)
"""Words that point at a thing named before ("Turn it off.", "Turned off again." with its "it" lost), rather than
leave it unsaid ("Turn on the.")."""
IT_MEANS_THE_LAST_COMMANDED_SECS = 60.0
"""How long after a command to devices, or to one timer, a request that names none ("Turn it off.", "Dim them.",
"Cancel it.") means those."""


@dataclass(frozen=True)
class DeviceCommanded:
    names: tuple[str, ...]
    at: float
    actions: tuple[ActionCall, ...] = ()

    @property
    def name(self) -> str:
        """The one device commanded ("" when it was several)."""
        return self.names[0] if len(self.names) == 1 else ""


@dataclass(frozen=True)
class TimerCommanded:
    timer_id: str
    at: float


class Conversation(VoiceSession):
    def __init__(self, session_id: str, engines: SharedEngines, bus: EventBus, live: LiveSettings, sink: AudioSink,
                 source: AudioSource | None = None, client_tools: list[dict[str, Any]] | None = None,
                 responders: ResponderChain | None = None) -> None:
        self.session_id = session_id
        self._engines, self._bus, self._live, self._sink = engines, bus, live, sink
        self._source = source or QueueSource()
        self.client_tools = client_tools or []
        self._speculator = Speculator(responders, self.session_id, self._early_llm, self._read_ahead)
        self._rereader = next((r for r in responders.responders if hasattr(r, "reread")), None) if responders else None
        self._pieced = False   # this turn's words are two decodes' texts put together: no one audio holds them
        self._apologised_at = -APOLOGY_QUIET_SECS
        self._held: str | None = None   # a command cut short by a pause, waiting for its rest
        self._joined = False   # this turn is a held piece and its rest, or went on from the last turn
        self._correcting: LastTurn | None = None   # the command a held "No." corrects, once its rest comes
        # a spoken turn still being read (no action run, nothing said yet), keyed by its reply's cancel event
        self._undecided: tuple[asyncio.Event, str] | None = None
        self._last_turn: LastTurn | None = None   # the last spoken turn, which the next words may go on from
        self._asked: AskedBack | None = None   # what the last answer asked back ("For how long?")
        self._asked_last_turn: AskedBack | None = None   # the same, kept through this turn's answer
        self._reply_in_context = False
        llm = live.current.llm
        self.context = Context(llm.system_prompt, llm.history_tokens, getattr(engines.llm, "count_tokens", None),
                               idle_secs=lambda: live.current.conversation.history_idle_secs)
        self.listener = TurnListener(session_id, engines, live, bus, self)
        self.state: ConversationState | None = None
        self._speech: BotSpeech | None = None
        self._reply: asyncio.Task[None] | None = None
        self._cancel = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.last_transcript = ""
        self.last_answer = ""
        self._said_whole = ""   # the answer being said, when it was made whole (not streamed by the LLM)
        self._device_commanded: DeviceCommanded | None = None   # the devices the last device command acted on
        self._timer_commanded: TimerCommanded | None = None   # the one timer the last answer set or changed
        self._cut_answer = ""   # that answer, when the user's next words cut its voice short
        self._input_task: asyncio.Task[None] | None = None
        self._ringing = Ringing(self._ring, lambda: self._live.current.timers.ring_gap_secs,
                                engines.tools.timers.quieted, tone_on=lambda: self._live.current.timers.tone)
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
        self._ringing.stop()
        self._speculator.drop()
        await self.interrupt(publish=False)
        await self._source.close()
        for task in [self._input_task, *self._tasks]:
            if task:
                task.cancel()
        await asyncio.gather(*(t for t in [self._input_task, *self._tasks] if t), return_exceptions=True)

    # --- state -------------------------------------------------------------------------------------

    def _idle_state(self) -> ConversationState:
        activation = self._live.current.conversation.activation
        if self.listener.muted or activation == "muted":
            return ConversationState.MUTED
        return ConversationState.IDLE if activation in ("wakeword", "push_to_talk") else ConversationState.LISTENING

    def _set_state(self, state: ConversationState) -> None:
        if state != self.state:
            self.state = state
            self._bus.publish(StateChanged(session_id=self.session_id, state=state.value))

    def status(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "state": self.state.value if self.state else "", "muted": self.listener.muted,
                "activation": self._live.current.conversation.activation,
                "last_transcript": self.last_transcript, "last_answer": self.last_answer}

    # --- listener callbacks ------------------------------------------------------------------------

    def accepting_input(self) -> bool:
        """While the bot talks, the user is heard only if barge-in is on."""
        return self._speech is None or not self._speech.speaking or self._live.current.conversation.barge_in

    def bot_speaking(self) -> bool:
        return self._speech is not None and self._speech.speaking

    async def on_user_speech_started(self) -> None:
        self._ringing.hold()
        if self._reply and not self._reply.done():
            self._hold_if_cut_short()
            await self.interrupt(publish=self._held is None, keep_ringing=True)   # a held half-command had nothing to interrupt
        self._set_state(ConversationState.USER_SPEAKING)

    def _hold_if_cut_short(self) -> None:
        """Speech again while the last turn is still being read: if it sounds cut off, it is held for this
        rest exactly as if its reading had already reached the hold (on a busy board it may not have yet)."""
        if self._held is None and self._undecided is not None and self._undecided[0] is self._cancel:
            text = self._undecided[1]
            if sounds_unfinished(text):
                log.info("held while still being read", extra={"session": self.session_id, "text": text})
                self._held = text

    async def on_early_transcript(self, text: str) -> None:
        """The user paused: match the words so far now, so a command is ready when the turn ends."""
        if self._live.current.intents.speculate:
            # no early LLM answer while one is said, nor in a room that another, louder one heard as well
            self._speculator.guess(text, llm=(self._reply is None or self._reply.done())
                                   and not outranked(self._bus, self.session_id))

    def pause_bot(self) -> None:
        if self._speech is not None:
            self._speech.pause()

    def resume_bot(self) -> None:
        if self._speech is not None:
            self._speech.resume()

    def on_user_went_on(self) -> None:
        """Speech again after a pause: a guess on the words so far would only take the cores from STT."""
        self._speculator.drop()

    def words_finished(self, words: str) -> bool:
        """The text's vote on the end of the turn: a command that matched, or a sentence that reads whole."""
        return self.words_claimed(words) or reads_finished(words)

    def words_claimed(self, words: str) -> bool:
        """Has a responder claimed these words (a command that matched): the turn ends at the VAD's stop."""
        return self._speculator.claimed(words)

    def _early_llm(self, text: str) -> EarlyLlmAnswer:
        tools = self._engines.tools if self._live.current.llm.tools else None
        return EarlyLlmAnswer(text, self.context, self._engines.llm, self._engines.llm_queue, tools,
                              self.session_id, self._bus, self.client_tools)

    async def on_user_turn(self, text: str, timing: TurnTiming) -> None:
        if not await admit_turn(self._bus, self.session_id, text):  # another room may answer it
            self._speculator.drop()
            self._set_state(self._idle_state())
            return
        goes_on = self._held is None and goes_on_from(self._last_turn, timing.speech_start_at)
        previous = self._last_turn.text if goes_on and self._last_turn else None
        amends = self._last_turn if self._held is None and may_amend(self._last_turn, timing.speech_start_at) else None
        completes = self._last_turn if self._held is None and may_complete(self._last_turn, timing.speech_start_at) else None
        # "No, the porch light.", "No, ten minutes." a while after a command: corrected as its rest said at once
        # would be; "No." alone is held for the correction that follows it ("No. | The porch light.")
        correcting = self._last_turn if self._held is None and self._corrected_by(text) else None
        if correcting is not None and only_a_marker(text):
            self._correcting, correcting = correcting, None
        elif self._held is None:
            self._correcting = None
        amends = amends or correcting
        if not text and previous:
            # a knock or a breath right after a request stopped its answer, and brought no words of its own: the
            # request is answered as it was (its answer was taken back; a request that acted never goes on)
            log.info("no words after a request whose answer they stopped: the request is answered",
                     extra={"session": self.session_id, "voiced_secs": round(timing.voiced_secs, 2)})
            text, previous, amends, completes = previous, None, None, None
        self._last_turn = LastTurn(text, timing.speech_end_at)
        read: Answer | None = None
        if text:
            dismissed = self._ringing.ringing and dismisses(text)
            self._ringing.stop()   # answered: "stop", "snooze", or any request
            if dismissed:   # "Turn it off." said to the ringing: that was all it asked
                log.info("ringing dismissed", extra={"session": self.session_id})
                self._speculator.drop()
                await self.interrupt(publish=False)
                self._set_state(self._idle_state())
                return
        # a held command's rest heard as no words is still its rest: both pieces are decoded as one below
        if not text and self._held is None:
            self._speculator.drop()
            turn = self._last_turn
            found = await self._read_unheard(timing)
            if found is None:
                self._ringing.go_on()   # a cough or a door does not silence an alarm
                await self._not_understood(timing)
                return
            self._ringing.stop()
            if self._last_turn is not turn:   # a newer turn came while this one was read: that one is answered
                return
            text, read = found
            turn.text = text
            self._bus.publish(UserTranscript(session_id=self.session_id, text=text, final=True))
        self._pieced = False
        self._joined = self._held is not None or previous is not None
        if self._held is not None:   # the rest of a command cut short by a pause
            text, self._held = await self._decode_with_last_turn(self._held, text), None
            self._speculator.drop()
            amends, self._correcting = amends or self._correcting, None
        self.last_transcript = text
        # the user may have gone on talking while this turn was transcribed, and an answer to an earlier
        # turn may have started meanwhile: one answer at a time, the newest wins
        await self.interrupt(publish=self._held is None)
        self._start_reply(text, audio_response=True, timing=timing, spoken=True, goes_on_from=previous,
                          follows=amends or completes, read=read)

    async def _read_unheard(self, timing: TurnTiming) -> tuple[str, Answer] | None:
        """A turn whose speech gave no words, read within the command sentences (`UNHEARD_MARGIN`): fast
        speech after digital silence can send the recogniser astray from its first token, while the command
        is still by far the likeliest reading of the audio. None when it was too little speech or nothing is read."""
        if timing.voiced_secs < NOT_UNDERSTOOD_MIN_VOICED_SECS or not self._rereading():
            return None
        self._set_state(ConversationState.THINKING)
        found = await self._read_again(UNHEARD_MARGIN)
        if found is None and (words := await self._heard_out()):
            # the recogniser's likeliest words once it may not end at once, read within the commands as any words
            # heard are; what reads as no command is still not understood, never handed to the LLM as said
            found = await self._read_again(MARGIN, heard=words)
        if found is not None:
            log.info("a turn with no words read as a command", extra={"session": self.session_id, "read": found[0]})
        return found

    async def _heard_out(self) -> str:
        """The last turn's speech decoded with the end barred from the first token (speech/stt.py `hear_out`);
        "" where the recogniser cannot, or that failed."""
        stt = self._engines.stt
        if not hasattr(stt, "hear_out"):
            return ""
        try:
            return str(await asyncio.get_running_loop().run_in_executor(
                self._engines.stt_executor, stt.hear_out, self.listener.last_audio()))
        except Exception:
            log.exception("decoding a turn with no words again failed", extra={"session": self.session_id})
            return ""

    async def _heard_unsure(self, text: str) -> bool:
        """Was the recogniser too unsure of `text`, its free reading of the turn's audio, to answer it?"""
        stt, reply = self._engines.stt, self._live.current.intents.not_heard_reply
        if self._pieced or not reply or not hasattr(stt, "heard_confidence"):
            return False
        try:
            confidence = await asyncio.get_running_loop().run_in_executor(
                self._engines.stt_executor, stt.heard_confidence, self.listener.last_audio(), text)
        except Exception:
            log.exception("the recogniser's confidence could not be read", extra={"session": self.session_id})
            return False
        if too_unsure(confidence, text):
            log.info("words heard too unsure to answer", extra={"session": self.session_id, "heard": text,
                                                                 "per_token": round(confidence or 0.0, 2)})
            return True
        return False

    async def _not_caught(self, speech: BotSpeech | None) -> None:
        """Say the turn was not caught (its words stay out of the LLM's context): the user says it again."""
        self._bus.publish(ErrorEvent(session_id=self.session_id,
                                     message="I didn't catch that: the words heard were unsure"))
        await self._deliver(self._live.current.intents.not_heard_reply, "not-heard", speech, remember=False)

    async def _not_understood(self, timing: TurnTiming) -> None:
        """A turn whose speech gave no words: say so (when it was real speech, not a cough) and listen again."""
        heard_speech = timing.voiced_secs >= NOT_UNDERSTOOD_MIN_VOICED_SECS
        reply = self._live.current.intents.not_heard_reply
        log.info("turn not understood", extra={"session": self.session_id, "voiced_secs": round(timing.voiced_secs, 2)})
        if not heard_speech:
            self._set_state(self._idle_state())
            return
        self._bus.publish(ErrorEvent(session_id=self.session_id, message="I didn't catch that: nothing was understood"))
        now = time.monotonic()
        if reply and now - self._apologised_at < APOLOGY_QUIET_SECS:
            reply = ""   # noise that keeps sounding like speech (music, a TV) must not make the device nag
        if reply:
            self._apologised_at = now
            await self.interrupt(keep_ringing=True)
            self._cancel = asyncio.Event()
            self._reply = asyncio.create_task(self._speak_only(reply, self._cancel), name=f"sorry-{self.session_id}")
        else:
            self._set_state(self._idle_state())

    # --- answering ---------------------------------------------------------------------------------

    def _start_reply(self, user_text: str | None, audio_response: bool, timing: TurnTiming | None = None,
                     spoken: bool = False, goes_on_from: str | None = None, follows: LastTurn | None = None,
                     read: Answer | None = None) -> None:
        self._cancel = asyncio.Event()
        self._reply_in_context = user_text is None   # `llm:run` answers the context as it stands
        answer = self._answer(user_text, audio_response, timing or TurnTiming(), self._cancel, spoken, goes_on_from,
                              follows, read)
        self._reply = asyncio.create_task(answer, name=f"reply-{self.session_id}")

    async def _answer(self, user_text: str | None, audio_response: bool, timing: TurnTiming,
                      cancel: asyncio.Event, spoken: bool = False, goes_on_from: str | None = None,
                      follows: LastTurn | None = None, read: Answer | None = None) -> None:
        """Intents and knowledge first, the LLM for the rest; any failure still ends in words.
        `goes_on_from`: the last turn's words, when these went on from them before its answer was heard;
        `follows`: the last turn, when these words came soon enough after it to be the amount of the setting
        or step it ran, or, with it, a command; `read`: the answer of a turn with no words, read as a command."""
        self._set_state(ConversationState.THINKING)
        speech = self._new_speech() if audio_response else None
        self._undecided = (cancel, user_text) if spoken and user_text else None
        held_reading: HeldReading | None = None
        try:
            if read is not None:   # a turn with no words, already read as a command
                claim, early = read, None
            else:
                claim, early = await self._speculator.claim(user_text) if user_text is not None else (None, None)
            heard_claim = claim if read is None else None   # (a turn read with no words was read among all commands)
            asked, self._asked = self._asked, None
            self._asked_last_turn = asked
            if asked is not None and user_text and (claim is None or claim.tentative):
                replied = await self._reply_to_question(asked, user_text)
                if replied is not None:   # "For how long?" -> "Five minutes.": set a timer for five minutes
                    user_text, claim = replied
                    if early is not None:
                        early.abandon()
                        early = None
            if follows is not None and follows.acted and user_text and (claim is None or claim.tentative):
                amended = await self._amendment(follows, user_text)
                if amended is not None:
                    if early is not None:
                        early.abandon()
                    self._undecided = None
                    await self._answer_directly(*amended, speech, timing, amends=True)
                    return
            elif follows is not None and user_text and claim is None:
                completed = await self._completed_command(follows)
                if completed is not None:   # "Cancelled her. | Past her timer.": one command in two pieces
                    user_text, claim = completed
                    if early is not None:
                        early.abandon()
                        early = None
            if goes_on_from is not None and user_text and (claim is None or claim.tentative or claim.unknown_device):
                # (a command of its own, "Stop.", is that command, not the rest of the last request; a name
                # refused, "Back on." as a device called back, is no command of its own)
                user_text, claim, early = await self._join_to_last_turn(goes_on_from, user_text, claim, early)
            if user_text:   # "Pause it.", "Cancel it." just after a timer was set ("cancel it" is no "stop talking" then)
                about_timer = await self._about_the_timer_just_commanded(user_text, claim)
                claim = about_timer or claim
                if about_timer is not None and early is not None:
                    early.abandon()
                    early = None
            # "Now turn hem off,": no device called hem, but "them"
            pointer = claim is not None and names_a_pointer(claim.unknown_device)
            if user_text and (claim is None or asks_the_same(user_text) or pointer):
                # "Dim it.", "And the porch light too." just after the kitchen light (and "Also the office blinds."
                # is that, not the "Close the office blinds." a mended verb made of it)
                about = await self._about_the_devices_just_commanded(user_text, pointed_at=claim is None or pointer)
                claim = about or claim
                if about is not None and early is not None:
                    early.abandon()
                    early = None
            if spoken and user_text and not self._points_at_the_devices_just_commanded(user_text, claim) and (
                    (claim is None or claim.tentative) and (
                    sounds_unfinished(user_text) or self._correcting is not None and only_a_marker(user_text))
                    or claim is not None and bool(claim.actions) and cut_off_after(user_text)):
                held_reading = self._reading_while_held(user_text, claim)
                await self._wait_for_the_rest(user_text, early, held_reading, claim)
                early = None
            if claim is None and spoken and user_text and not self._pieced and self._rereading():
                if early is None and not (held_reading is not None and held_reading.done() and held_reading.result()):
                    early = self._early_llm(user_text)   # the LLM's answer starts meanwhile: the reading costs it nothing
                reread = await (held_reading if held_reading is not None else self._read_again(heard=user_text))
                if reread is not None:   # a command the recogniser had written as other words
                    heard, (user_text, claim) = user_text, reread
                    if early is not None:
                        early.abandon()
                    early = None
                    # "Posit," read as "Pause it." just after a timer was set
                    claim = await self._about_the_timer_just_commanded(user_text, claim) or claim
                    # both pieces read as one request that asks again what the last turn ran, with more
                    # ("Time for twenty seconds. | They're the rice." read as "... for the rice"): amended, not run twice
                    amended = (self._amended(follows, user_text, claim, corrected(user_text) is not None)
                               if follows is not None and follows.acted else None)
                    if amended is not None:
                        self._undecided = None
                        await self._answer_directly(*amended, speech, timing, amends=True)
                        return
                    if claim.read_far and timing.ended_by_words and held_reading is None:
                        # "What is I?" (of "What is five | plus three?") read far as "What is the time?": the
                        # words that ended the turn were not these, and the turn detector heard it unfinished
                        await self._wait_for_the_rest(heard, None)
            elif claim is not None and claim.unknown_device and spoken and not self._pieced and self._rereading():
                # "Close the mirror door": a device this device has, misheard, is read with a tighter margin
                # (made already while the turn was held for its rest)
                reread = await (held_reading if held_reading is not None else self._read_again(REFUSAL_MARGIN, user_text))
                user_text, claim = reread or (user_text, claim)
            if claim is not None and spoken and not self._pieced and self._rereading():
                user_text, claim = await self._timer_name_read_again(user_text or "", claim)
                if claim is heard_claim and not claim.unknown_device:   # "Mute." for a clipped "Unmute."
                    user_text, claim = await self._opposite_read_again(user_text or "", claim)
                if claim is heard_claim:   # "Set an alarm for me to clock": "For what time?" unless the audio says
                    user_text, claim = await self._time_read_again(user_text or "", claim)
            if claim is not None and spoken and claim is heard_claim:   # "Remove the timer." while it is paused
                claim = self._resume_asked(user_text or "", claim)
            if claim is not None and claim.choices:   # "Pause the timer" or "Unpause the timer"? the timers may say
                user_text, claim = await self._settled_by_the_timers(user_text or "", claim)
            if claim is not None and claim.choices and spoken and not self._pieced and self._rereading():
                user_text, claim = await self._named_among_the_running(user_text or "", claim)
            if claim is not None and claim.frame and user_text and (POINTED_AT.search(user_text) or claim.one_of):
                # "Turn it off." or "Brightness to fifty percent." just after the kitchen light: that light
                # ("Turn on the." is asked about)
                user_text, claim = await self._the_device_just_commanded(user_text, claim)
            self._undecided = None
            if claim is not None and not claim.passage:
                if spoken and self._last_turn is not None:   # (the words it stands for, as read again)
                    self._last_turn.text, self._last_turn.answer = user_text or self._last_turn.text, claim
                    self._last_turn.acted = not claim.only_tells
                await self._answer_directly(user_text or "", claim, speech, timing)
            elif claim is None and spoken and user_text and await self._heard_unsure(user_text):
                if early is not None:   # "Seth mammal": not answered as said (respond/not_caught.py)
                    early.abandon()
                if may_have_a_rest(user_text, self._joined):   # "Enter the volume." of "Set the volume | to eighty."
                    await self._wait_for_the_rest(user_text, None)
                await self._not_caught(speech)
            else:
                await self._answer_with_llm(user_text, claim.passage if claim else "", speech, timing, cancel, early)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # a failure anywhere must not leave the user without an answer
            log.exception("answer failed", extra={"session": self.session_id})
            self._bus.publish(ErrorEvent(session_id=self.session_id, message=f"answer failed: {err}"))
            await self._say_apology(speech, audio_response)
        finally:
            if held_reading is not None and not held_reading.done():   # the turn was cut short meanwhile
                held_reading.cancel()
            if self._undecided is not None and self._undecided[0] is cancel:
                self._undecided = None
            if self._speech is speech:
                self._speech = None
            if not cancel.is_set():
                self._after_answer()

    async def _join_to_last_turn(self, previous: str, piece: str, claim: Answer | None,
                                 early: EarlyLlmAnswer | None) -> tuple[str, Answer | None, EarlyLlmAnswer | None]:
        """The user went on before the last turn's answer could have been heard (respond/unfinished.py): that
        answer is taken back and the two pieces are asked once, decoded as one."""
        if not self.context.drop_last_turn(previous):   # a tool ran for the last turn: it stands on its own
            return piece, claim, early
        if early is not None:
            early.abandon()
        text = await self._decode_with_last_turn(previous, piece)
        log.info("turn goes on from the last one", extra={"session": self.session_id, "text": text})
        self.last_transcript = text
        claim, _ = await self._speculator.claim(text)
        if (claim is None or claim.tentative) and only_finishes_asking(piece):
            first, _ = await self._speculator.claim(previous)
            if first is not None and not first.tentative and first.responder == "intent":
                log.info("the rest only finished asking", extra={"session": self.session_id, "text": previous})
                return text, first, None
        return text, claim, None

    async def _the_device_just_commanded(self, text: str, asking: Answer) -> tuple[str, Answer]:
        """A request that names no device ("Turn it off.", asked "What should I turn off?"; "Turn off the
        light." among three, asked "Which one?"), said soon after a command to one device: that device, when it
        is one the request fits and the question's frame filled with its name commands it alone (a sum's or a
        timer's frame never does); else the question as it was."""
        commanded = self._devices_just_commanded()
        if commanded is None or not commanded.name:
            return text, asking
        if asking.one_of and commanded.name not in asking.one_of:   # "the light" just after the fan
            return text, asking
        device = commanded.name
        request = asking.frame.replace("{reply}", f"the {device}")
        found, _ = await self._speculator.claim(request)
        if found is None or not found.actions or any(call.arguments.get("device") != device for call in found.actions):
            return text, asking
        log.info("no device named: the one just commanded", extra={"session": self.session_id, "device": device})
        return request, found

    def _remember_the_timer(self, ran: CallsSeen) -> None:
        """The one timer an answer's calls set or changed, for "Cancel it." next; any other answer forgets it,
        but the time left told ("How long is left on it?" then "Pause it.")."""
        ids = ran.timer_ids
        if not ids and ran.done and all(call.name == TELLING for call, _ in ran.done) and self._timer_commanded:
            self._timer_commanded = replace(self._timer_commanded, at=time.monotonic())
            return
        self._timer_commanded = TimerCommanded(ids[0], time.monotonic()) if len(ids) == 1 else None

    async def _about_the_timer_just_commanded(self, text: str, claim: Answer | None) -> Answer | None:
        """A request (as yet claimed so) that points at the timer the last answer set or changed, within a
        minute ("Cancel it.", "Pause it.", "Add two minutes to it."), claimed with the timer named
        (respond/timer_follow_ups.py); None when it is not one."""
        commanded = self._timer_commanded
        if (commanded is None or time.monotonic() - commanded.at > IT_MEANS_THE_LAST_COMMANDED_SECS
                or not may_point_at_the_timer(text, claim)):
            return None
        timers = self._engines.tools.timers
        timer = next((t for t in timers.list() if t.timer_id == commanded.timer_id), None)
        if timer is None or (timer.command and not timer.label):   # gone, or a reminder (named by its words)
            return None

        def picks_only_it(label: str) -> bool:
            return [t.timer_id for t in timers_named(timers.list(), label)] == [timer.timer_id]

        async def claimed(request: str) -> Answer | None:
            return (await self._speculator.claim(request))[0]

        name = timer_name(timer)
        found = await claim_timer_pointed_at(text, as_object(name), picks_only_it, claimed)
        if found is not None:
            log.info("a request points at the timer just set", extra={"session": self.session_id, "timer": name})
        return found

    def _points_at_the_devices_just_commanded(self, text: str, claim: Answer | None) -> bool:
        """Does a request that asks back what to act on point at the devices just commanded ("Turn it off
        again," after the porch light)? Its thing was said, as "it": no rest is waited for (the follow-ups
        run's "Turn it off again." waited 2.4 s in every voice), the device just commanded is it."""
        return (claim is not None and bool(claim.frame) and bool(POINTED_AT.search(text))
                and self._devices_just_commanded() is not None)

    def _devices_just_commanded(self) -> DeviceCommanded | None:
        commanded = self._device_commanded
        if commanded is None or time.monotonic() - commanded.at > IT_MEANS_THE_LAST_COMMANDED_SECS:
            return None
        return commanded

    async def _about_the_devices_just_commanded(self, text: str, pointed_at: bool = True) -> Answer | None:
        """A request that points at the devices just commanded ("Dim it.", "Turn them off."; only when
        `pointed_at`: nobody claimed it) or asks the same deed for others ("And the porch light too."), claimed
        said whole (respond/device_follow_ups.py); None when it is neither."""
        commanded = self._devices_just_commanded()
        if commanded is None:
            return None

        async def claim(request: str) -> Answer | None:
            return (await self._speculator.claim(request))[0]

        found = await claim_pointed_at(text, commanded.names, claim) if pointed_at else None
        if found is not None:
            log.info("a request points at the devices just commanded", extra={"session": self.session_id,
                                                                              "devices": list(commanded.names)})
            return found
        found = await claim_same_for(text, commanded.actions, claim)
        if found is not None:
            log.info("a request asks the last deed for other devices", extra={"session": self.session_id,
                                                                              "deed": commanded.actions[0].name})
        return found

    async def _reply_to_question(self, asked: AskedBack, reply: str) -> tuple[str, Answer] | None:
        """The request a reply to the last answer's question completes, and its claim; None when the reply
        makes no command of it (then it is a turn of its own)."""
        request = asked.request(reply, time.monotonic())
        found, _ = await self._speculator.claim(request) if request else (None, None)
        # what it completes does something, or is told by the device itself ("Five." -> "5 plus 3 is 8."), and
        # asks nothing again
        if (request is None or found is None or found.tentative or found.frame
                or not (found.actions or found.responder == "intent" and found.text)):
            return None
        log.info("reply completes the question asked", extra={"session": self.session_id, "text": request})
        return request, found

    def _corrected_by(self, text: str) -> bool:
        """Do these words correct the command the last turn ran within the last minute (a device, an amount, a
        timer's length: respond/self_corrections.py, respond/amend.py)?"""
        last = self._last_turn
        return (last is not None and last.acted and can_be_amended(last.answer) and opens_with_a_correction(text)
                and time.monotonic() - max(last.speech_end_at, last.answer_heard_at) <= IT_MEANS_THE_LAST_COMMANDED_SECS)

    async def _amendment(self, ran: LastTurn, piece: str) -> tuple[str, Answer] | None:
        """The last turn's command corrected by the amount these words add (respond/amend.py): the whole
        request's words and what is left to run, or None when the two pieces together are another request."""
        if ran.answer is None:
            return None
        # the decode of both may mishear what each piece's own decode had right ("Turn the volume count by
        # twenty percent"): then the pieces' own words, put together; a correction's own words first (the
        # decode of both loses the pause that marks it: "... thirty percent no fifty" read as thirty percent)
        correction = opens_with_a_correction(piece)
        own_words = joined(ran.text, piece)
        whole: Answer | None = None
        for both_decoded in ((False, True) if correction else (True, False)):
            # (the decode of both pieces, a second STT pass, only when it is the one tried)
            text = await self.listener.decode_last_two() if both_decoded else own_words
            whole, _ = await self._speculator.claim(text) if text else (None, None)
            if whole is not None and not whole.tentative:
                break
        else:
            return None
        return self._amended(ran, text, whole, correction or corrected(text) is not None)

    def _amended(self, ran: LastTurn, text: str, whole: Answer, correction: bool = False) -> tuple[str, Answer] | None:
        """The last turn's command amended by `whole`, the request both pieces make (respond/amend.py): its
        words and what is left to run, or None when it is another request."""
        if ran.answer is not None and only_finished(ran.answer, whole):
            log.info("the rest only finished the command that ran", extra={"session": self.session_id, "text": text})
            self.last_transcript = text
            return text, replace(whole, actions=(), command=FINISHED)
        calls = rest_of(ran.answer, whole, correction) if ran.answer is not None else None
        if not calls:
            return None
        log.info("command amended", extra={"session": self.session_id, "text": text})
        self.context.drop_last_turn(ran.text)
        self.last_transcript = text
        self._last_turn = LastTurn(text, self._last_turn.speech_end_at if self._last_turn else 0.0,
                                   acted=True, answer=whole)
        return text, replace(whole, actions=calls)

    async def _completed_command(self, last: LastTurn) -> tuple[str, Answer] | None:
        """Both pieces decoded as one, when they read as a command that neither did alone: its words and
        answer, the last turn's answer taken back; None otherwise (nothing changed)."""
        text = await self.listener.decode_last_two()
        found, _ = await self._speculator.claim(text) if text else (None, None)
        if found is None or found.tentative or not found.actions:
            return None
        if last.answer is not None and found.actions == last.answer.actions:
            return None   # "What time is it? | Oh, right.": the same request, already answered
        if not self.context.drop_last_turn(last.text):
            return None
        log.info("turn completes the last one", extra={"session": self.session_id, "text": text})
        self.last_transcript = text
        if self._last_turn is not None:
            self._last_turn.text = text
        return text, found

    async def _decode_with_last_turn(self, previous: str, piece: str) -> str:
        """The last two turns' audio decoded as one (the words a pause cut apart lose each other's context),
        or, when that gives nothing or reads worse (`reads_better`), the pieces' own words."""
        decoded = await self.listener.decode_last_two()
        self._pieced = not decoded
        text = decoded or joined(previous, piece)
        # each piece's own decode may hold what the decode of both lost: the first piece's words and the rest
        # of the decode ("a pasta timer"), or both pieces' words as they were heard ("Close, | office lines")
        others = [other for other in dict.fromkeys([spliced(previous, decoded), joined(previous, piece)])
                  if other and other != decoded] if decoded else []
        if others:
            whole, early = await self._speculator.claim(decoded)
            if early is not None:   # (a guess on these words had started the LLM: the caller asks again)
                early.abandon()
            rest, _ = await self._speculator.claim(piece)
            for other in others:
                kept, _ = await self._speculator.claim(other)
                if reads_better(kept, whole, rest):
                    log.info("the pieces' own words kept", extra={"session": self.session_id, "text": other})
                    text = other
                    break
        if self._last_turn is not None:   # what the next words may go on from is now the whole request
            self._last_turn.text = text
        return text

    def _rereading(self) -> bool:
        return self._rereader is not None and self._live.current.intents.reread

    async def _read_again(self, margin: float = MARGIN, heard: str = "") -> tuple[str, Answer] | None:
        """The turn's audio (whose words were `heard`) read again within the command sentences
        (respond/command_reread.py)."""
        try:
            running = self._engines.tools.timers.list()   # (a copy, read on the intents' thread)
            return await self._rereader.reread(self.listener.last_audio(), self._engines.stt,
                                               self._engines.stt_executor, self.session_id, margin, heard,
                                               lambda label: frozenset(t.timer_id for t in timers_named(running, label)))
        except Exception:   # the turn goes on to the LLM as it was heard
            log.exception("reading the turn again failed", extra={"session": self.session_id})
            return None

    async def _opposite_read_again(self, text: str, claim: Answer) -> tuple[str, Answer]:
        """A command heard whose meaning turns on one sound (mute / unmute, on / off, resume / remove), read
        within its family's sentences (respond/opposites.py): a question when the audio may say the other."""
        if not hasattr(self._rereader, "read_opposite"):
            return text, claim
        return await self._claim_read_again(text, claim, "reading a one-sound command again failed", lambda audio: (
            self._rereader.read_opposite(audio, self._engines.stt, self._engines.stt_executor,  # type: ignore[union-attr]
                                         self.session_id, text, claim)))

    async def _read_ahead(self, text: str, claim: Answer) -> None:
        """A command claimed at the user's pause whose meaning turns on one sound is read within its family
        meanwhile, on the audio its words came from: the recogniser keeps the reading, and the turn's end,
        on the same audio and words, finds it made (`_opposite_read_again`) instead of making it then."""
        audio = self.listener.words_audio()
        if (audio is None or claim.unknown_device or claim.tentative or not self._rereading()
                or not hasattr(self._rereader, "read_opposite")):
            return
        names = self._timer_names_to_read(claim)
        try:
            if names:   # its timer's name is read first (and may make it another claim): that reading, ahead
                await self._read_timer_name(audio, text, claim, names)
            else:
                await self._rereader.read_opposite(audio, self._engines.stt, self._engines.stt_executor,  # type: ignore[union-attr]
                                                   self.session_id, text, claim, ahead=True)
        except Exception:   # the turn's end reads it again
            log.debug("reading a command ahead failed", exc_info=True, extra={"session": self.session_id})

    async def _time_read_again(self, text: str, claim: Answer) -> tuple[str, Answer]:
        """An alarm request whose time was heard as other words, read within the alarm sentences
        (respond/alarm_reread.py): the alarm when the audio says its time, else "For what time?" as before."""
        if not hasattr(self._rereader, "read_time"):
            return text, claim
        return await self._claim_read_again(text, claim, "reading an alarm's time again failed", lambda audio: (
            self._rereader.read_time(audio, self._engines.stt, self._engines.stt_executor,  # type: ignore[union-attr]
                                     self.session_id, text, claim)))

    def _resume_asked(self, text: str, claim: Answer) -> Answer:
        """A "Remove the timer." while the timer is paused: resume or remove? asked, never guessed."""
        if not hasattr(self._rereader, "resume_asked"):
            return claim
        timers = self._engines.tools.timers

        def paused(label: str) -> bool:
            named = timers_named(timers.list(), label)
            return len(named) == 1 and named[0].paused

        return self._rereader.resume_asked(text, claim, paused) or claim   # type: ignore[union-attr]

    async def _settled_by_the_timers(self, text: str, claim: Answer) -> tuple[str, Answer]:
        """A question between a pause and a resume that only one of them would change a timer by
        (respond/timer_state.py): that one, not the question."""
        if not hasattr(self._rereader, "claims_of"):
            return text, claim
        answers = await self._rereader.claims_of(claim.choices)
        settled = the_one_that_acts(list(zip(claim.choices, answers)), self._engines.tools.timers.list())
        if settled is None:
            return text, claim
        log.info("a question the timers answer", extra={"session": self.session_id, "asked": list(claim.choices),
                                                         "taken": settled[0]})
        return settled

    async def _named_among_the_running(self, text: str, claim: Answer) -> tuple[str, Answer]:
        """A question between two names for one request on a timer ("Cancel my grandet timer" or "... garage
        timer"?, seed 1201's "Cancel my bread timer." while the bread timer ran), neither naming a running timer:
        the first read again among the running timers' names, as a name that picks none is. When the audio says
        none of them, either answer would refuse: no question, the first's refusal, which names the timers that
        run ("No timer called 'grandet' is running, only the bread timer.")."""
        if not hasattr(self._rereader, "claims_of"):
            return text, claim
        first = one_request_named_twice(await self._rereader.claims_of(claim.choices))
        if first is None or not (names := self._timer_names_to_read(first)):
            return text, claim
        log.info("a question between names of no running timer", extra={"session": self.session_id,
                                                                        "asked": list(claim.choices)})
        return await self._claim_read_again(claim.choices[0], first, "reading a timer's name again failed",
                                            lambda audio: self._read_timer_name(audio, text, first, names))

    async def _timer_name_read_again(self, text: str, claim: Answer) -> tuple[str, Answer]:
        """A timer's name heard as words no name holds ("Start her past her time" for a pasta timer), or naming
        no running timer ("Stop, lurkey timer" while the tea timer runs), read again among the names timers
        are given or the running timers' names (respond/timer_names.py)."""
        names = self._timer_names_to_read(claim)
        if not names:
            return text, claim
        read = await self._claim_read_again(text, claim, "reading a timer's name again failed",
                                            lambda audio: self._read_timer_name(audio, text, claim, names))
        if read[1] is claim and claim.name_unheard:   # "the end timer" nobody said: a timer with no name
            log.info("a timer's name no words said left out", extra={"session": self.session_id})
            return text, without_the_name(claim)
        return read

    def _read_timer_name(self, audio: np.ndarray, text: str, claim: Answer,
                         names: tuple[str, ...]) -> Awaitable[tuple[str, Answer] | None]:
        """The claim's timer read again with its name one of `names`; a timer set with no name, narrowly
        (timer_names.name_left_out: a name the recogniser may have left out whole)."""
        call = timer_call(claim)
        left_out = call is not None and name_left_out(call, claim.name_in_doubt)
        return self._rereader.reread_name(audio, self._engines.stt, self._engines.stt_executor,  # type: ignore[union-attr]
                                          self.session_id, claim, names, text, left_out=left_out)

    def _timer_names_to_read(self, claim: Answer) -> tuple[str, ...]:
        """The names a claim's timer is read again among (respond/timer_names.py), () when it is not."""
        call = timer_call(claim)
        if call is None or not hasattr(self._rereader, "reread_name"):
            return ()
        timers = self._engines.tools.timers
        return names_to_read(call, claim.name_in_doubt, names_known(timer.label for timer in timers.list()),
                             bool(timers.find(str(call.arguments.get("label", "")))))

    async def _claim_read_again(self, text: str, claim: Answer, failure: str,
                                read: Callable[[np.ndarray], Awaitable[tuple[str, Answer] | None]]) -> tuple[str, Answer]:
        """The turn's audio `read` again for a claim: what it found, else the claim as it was (also when
        reading failed: the request goes on as it was heard)."""
        try:
            found = await read(self.listener.last_audio())
        except Exception:
            log.exception(failure, extra={"session": self.session_id})
            return text, claim
        return found or (text, claim)

    def _reading_while_held(self, text: str, claim: Answer | None) -> HeldReading | None:
        """The turn read within the commands while its rest is waited for, when its reading may end the wait
        (`unfinished.read_whole`, `borne_out`): a turn nobody claimed, or one claimed as a guess or cut short
        that runs something (a name heard a little wrong, "Turn off the floor then"; "Turn off the bedroom and";
        a device this device lacks, "Switch on the whole flight", read with the tighter margin it is read with
        after the wait)."""
        if self._pieced or not self._rereading():
            return None
        if claim is None:
            return asyncio.ensure_future(self._read_again(heard=text))
        if claim.actions:
            return asyncio.ensure_future(self._read_again(REFUSAL_MARGIN if claim.unknown_device else MARGIN, text))
        return None

    async def _wait_for_the_rest(self, text: str, early: EarlyLlmAnswer | None,
                                 reading: HeldReading | None = None, guess: Answer | None = None) -> None:
        """Half a command and a pause: listen a moment for the rest (the next turn is joined to it); if
        nothing comes, it is answered as it is. Sooner when the turn's `reading` within the commands is a
        whole command: a request misheard, not half of one (and, for a `guess` at a device this device has,
        one that does what the guess does: the audio bears it out)."""
        if early is not None:
            early.abandon()
        self._held, self._undecided = text, None
        self._set_state(self._idle_state())
        try:
            await self._hold(hold_secs(self._last_turn.speech_end_at if self._last_turn else 0.0, time.monotonic()),
                             reading, guess)
        finally:
            if not asyncio.current_task().cancelling():  # type: ignore[union-attr]
                self._held = None
            elif reading is not None:   # the rest came: the two are heard as one
                reading.cancel()
        self._set_state(ConversationState.THINKING)

    async def _hold(self, secs: float, reading: HeldReading | None, guess: Answer | None = None) -> None:
        ends = time.monotonic() + secs
        if reading is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                found = await asyncio.wait_for(asyncio.shield(reading), secs)
                if found is not None and read_whole(*found, heard=self._held or "") and borne_out(guess, found[1]):
                    log.info("held turn read as a whole command", extra={"session": self.session_id, "read": found[0]})
                    return
        await asyncio.sleep(max(0.0, ends - time.monotonic()))

    async def _answer_directly(self, user_text: str, claim: Answer, speech: BotSpeech | None,
                               timing: TurnTiming, amends: bool = False) -> None:
        """A claimed turn: run its actions, speak the templated confirmation. No LLM pass. `amends`: the claim
        is what the rest of the last request added to it (its devices join those the last one commanded)."""
        started = time.monotonic()
        # (FINISHED: done and confirmed already, the turn that ran stands for both pieces; its confirmation is
        # said again only when the rest of the request cut it short: "The kitchen light..." was all one heard)
        if claim.command == FINISHED and self._cut_answer:
            claim = replace(claim, command="", text=self._cut_answer)
        if claim.command in ("stop", FINISHED):
            if speech:
                speech.finish()
            return
        self.context.add("user", user_text)
        self._reply_in_context = True
        self._bus.publish(UserLlmText(session_id=self.session_id, text=user_text))
        with CallsSeen(self._bus, self.session_id) as ran:
            reply, done = await carry_out(claim, self._engines.tools, self.session_id)
        self._remember_the_timer(ran)
        devices = tuple(dict.fromkeys(str(call.arguments.get("device", "")) for call in claim.actions))
        if done and claim.actions and "" not in devices and not claim.unknown_device:
            actions = claim.actions
            before = self._devices_just_commanded() if amends else None
            if before is not None:   # "Turn on the kitchen light | and the porch light.": both, for "them"
                devices, actions = tuple(dict.fromkeys((*before.names, *devices))), (*before.actions, *actions)
            self._device_commanded = DeviceCommanded(devices, time.monotonic(), actions)
        if not done and self._last_turn is not None and self._last_turn.answer is claim:
            self._last_turn.acted = False   # all refused: nothing stands, the next words may still complete it
        if claim.source:
            self._bus.publish(AnswerSource(session_id=self.session_id, document=claim.source.get("document", ""),
                                           section=claim.source.get("section", "")))
        if claim.frame and self._asked_last_turn is not None and self._asked_last_turn.frame == claim.frame \
                and reply == self.last_answer:
            reply = asked_again(reply)   # the reply said no time either: "Sorry, for what time?", not the same words
        await self._deliver(reply, claim.responder, speech)
        self._asked = AskedBack(claim.frame, time.monotonic()) if claim.frame else None
        publish_turn_metrics(self._bus, self.session_id, timing, started, time.monotonic(), speech)

    async def _deliver(self, reply: str, responder: str, speech: BotSpeech | None, remember: bool = True) -> None:
        """Say a whole reply (or, without audio, show it) and record it as the answer (`remember`: in the
        LLM's context too)."""
        if remember:
            self.context.add("assistant", reply)
        self.last_answer, self._said_whole, self._cut_answer = reply, reply, ""
        # clients show the bot's words from its text stream whoever wrote them: the same messages as an LLM turn
        self._bus.publish(BotLlmStarted(session_id=self.session_id))
        self._bus.publish(BotLlmText(session_id=self.session_id, text=reply))
        self._bus.publish(BotLlmStopped(session_id=self.session_id))
        self._bus.publish(BotAnswered(session_id=self.session_id, text=reply, responder=responder))
        if speech is None:
            self._bus.publish(BotOutput(session_id=self.session_id, text=reply, spoken=False))
            return
        splitter = SentenceSplitter()
        for sentence in [*splitter.push(reply), *splitter.flush()]:
            self._feed(speech, sentence)
        speech.finish()
        await speech.wait()

    async def _say_apology(self, failed: BotSpeech | None, audio_response: bool) -> None:
        if failed is not None:
            await failed.stop()
        with contextlib.suppress(Exception):  # if the voice itself failed, the error event has said it
            await self._deliver(APOLOGY, "error", self._new_speech() if audio_response else None)

    async def _llm_deltas(self, cancel: asyncio.Event, early: EarlyLlmAnswer | None) -> AsyncIterator[str]:
        """The LLM's answer: the one started at the first pause (its context becomes this one), or a new one."""
        if early is not None:
            self.context = early.context
            try:
                async for delta in early.adopt():
                    if cancel.is_set():
                        break
                    yield delta
            finally:
                early.abandon()
            return
        async with self._engines.llm_queue.slot(self.session_id):
            tools = self._engines.tools if self._live.current.llm.tools else None
            async for delta in generate_reply(self._engines.llm, self.context, tools,
                                              self.session_id, self._bus, cancel, self.client_tools):
                yield delta

    async def _answer_with_llm(self, user_text: str | None, passage: str, speech: BotSpeech | None,
                               timing: TurnTiming, cancel: asyncio.Event, early: EarlyLlmAnswer | None = None) -> None:
        self._reply_in_context = True
        self._said_whole = ""
        self._timer_commanded = None   # ("Stop it." while this answer is said stops the answer, not a timer)
        if passage:
            self.context.add("system", f"Answer from this passage only: {passage}")
        if user_text is not None:
            if early is None:
                self.context.add("user", user_text)
            self._bus.publish(UserLlmText(session_id=self.session_id, text=user_text))
        llm_started = time.monotonic()
        self._bus.publish(BotLlmStarted(session_id=self.session_id))
        try:
            with CallsSeen(self._bus, self.session_id) as ran:
                answer, repeats, first_token_at = await self._stream_llm_answer(user_text, speech, cancel, early)
        finally:
            self._bus.publish(BotLlmStopped(session_id=self.session_id))
        if ran.device_calls:   # the devices its tool calls acted on, for "Turn it off." as after any command
            self._device_commanded = DeviceCommanded(ran.devices, time.monotonic(), ran.device_calls)
        self._remember_the_timer(ran)
        if repeats.dropped and answer != [APOLOGY]:   # (a failed answer has said so already)
            answer = self._instead_of_repeats(repeats, speech, cancel)
        self.last_answer = "".join(answer).strip()
        if self.last_answer:
            self._bus.publish(BotAnswered(session_id=self.session_id, text=self.last_answer, responder="llm"))
        if speech:
            speech.finish()
            await speech.wait()
        publish_turn_metrics(self._bus, self.session_id, timing, llm_started, first_token_at, speech)

    async def _stream_llm_answer(self, user_text: str | None, speech: BotSpeech | None, cancel: asyncio.Event,
                                 early: EarlyLlmAnswer | None) -> tuple[list[str], RepeatFilter, float | None]:
        """The answer's text streamed to the voice sentence by sentence. An answer that opens as an earlier one
        did (a small model copying its own odd answer into every later one) is dropped before a word of it is
        said or shown, and asked again on this turn alone: the history before it is set aside."""
        earlier = (early.context if early is not None else self.context).earlier_answers()
        for attempt in (early, None):
            splitter = SentenceSplitter(first_clause_early=True)
            repeats = RepeatFilter(user_text)
            first_token_at: float | None = None
            answer: list[str] = []
            shown = HeldText(lambda text: self._bus.publish(BotLlmText(session_id=self.session_id, text=text)),
                             holding=bool(earlier))   # until the opening is known not to loop
            looped = False
            deltas = self._llm_deltas(cancel, attempt)
            try:
                async for delta in deltas:
                    first_token_at = first_token_at or time.monotonic()
                    answer.append(delta)
                    pieces = splitter.push(delta)
                    if shown.holding and pieces and (looped := self._loops(pieces[0], earlier)):
                        break
                    shown.add(delta)
                    if pieces:
                        shown.release()
                    for sentence in pieces:
                        if repeats.keep(sentence):
                            self._feed(speech, sentence)
            except LlmError as err:
                log.warning("llm failed", extra={"session": self.session_id, "error": str(err)})
                self._bus.publish(ErrorEvent(session_id=self.session_id, message=str(err)))
                self._feed(speech, APOLOGY)
                return [APOLOGY], repeats, first_token_at
            finally:
                await deltas.aclose()
            rest = [] if looped else splitter.flush()
            looped = looped or (shown.holding and bool(rest) and self._loops(rest[0], earlier))
            if not looped:
                shown.release()
                for sentence in rest:
                    if repeats.keep(sentence, last=True):
                        self._feed(speech, sentence)
                return answer, repeats, first_token_at
            log.info("answer began as an earlier one did; asked again without the history",
                     extra={"session": self.session_id, "opening": "".join(answer)[:80]})
            self.context.clip_last_assistant("")   # (a whole answer already joined the context)
            self.context.start_over()
            earlier = []
        raise AssertionError("unreachable: the second attempt has no earlier answers to loop on")

    def _loops(self, opening: str, earlier: list[str]) -> bool:
        """The answer's `opening` repeats an earlier answer's, and no tool ran for it (a templated confirmation
        may well be said again)."""
        return not self.context.turn_used_tools() and repeats_an_earlier_answer(opening, earlier)

    def _instead_of_repeats(self, repeats: RepeatFilter, speech: BotSpeech | None, cancel: asyncio.Event) -> list[str]:
        """The answer as spoken once the sentences saying the request back were dropped; the history keeps
        that, so the model does not learn to repeat from itself."""
        log.info("answer said the request back", extra={"session": self.session_id, "dropped": len(repeats.dropped)})
        spoken = " ".join(repeats.kept)
        if repeats.only_repeated and not cancel.is_set():
            spoken = self._live.current.intents.not_heard_reply
            self._bus.publish(ErrorEvent(session_id=self.session_id, message="I didn't catch that: the answer only repeated the request"))
            self._feed(speech, spoken)
        self.context.clip_last_assistant(spoken)
        return [spoken]

    def _new_speech(self) -> BotSpeech:
        self._speech = BotSpeech(self.session_id, self._engines.tts, self._engines.tts_executor, self._sink, self._bus)
        self._speech.on_started = self._answer_heard
        return self._speech

    def _answer_heard(self) -> None:
        self._set_state(ConversationState.SPEAKING)
        if self._last_turn is not None and not self._last_turn.answer_heard_at:
            self._last_turn.answer_heard_at = time.monotonic()   # words after it may be a reply to it

    @staticmethod
    def _feed(speech: BotSpeech | None, sentence: str) -> None:
        text = clean_for_speech(sentence)
        if speech and text:
            speech.feed(text)

    def _after_answer(self) -> None:
        self.listener.follow_up()
        self._set_state(ConversationState.USER_SPEAKING if self.listener.in_turn else self._idle_state())

    async def interrupt(self, publish: bool = True, keep_ringing: bool = False) -> None:
        """Stop the bot now: generation, synthesis and playback; keep only what was heard in the context. A
        timer's ringing stops too (a client's or the button's "stop"), unless `keep_ringing`."""
        if not keep_ringing:
            self._ringing.stop()
        reply, speech = self._reply, self._speech
        if reply is None or reply.done():
            return
        self._cancel.set()
        spoken = await speech.stop() if speech else ""
        if speech and len(spoken.split()) < len(self._said_whole.split()):
            self._cut_answer = self._said_whole
        reply.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reply
        self._speech = None
        self._keep_only_spoken(spoken)
        if publish:
            self._bus.publish(BotInterrupted(session_id=self.session_id, spoken_text=spoken))
        self._set_state(ConversationState.USER_SPEAKING if self.listener.in_turn else self._idle_state())

    def _keep_only_spoken(self, spoken: str) -> None:
        """The history holds what the user heard: the answer is clipped, or added if it never got there."""
        if not self._reply_in_context:   # stopped before it reached the context (matching, a held command)
            return
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

    async def say(self, text: str, interrupt: bool = False, remember: bool = True,
                  sound: np.ndarray | None = None) -> None:
        """Speak without the LLM; waits its turn behind an answer in progress unless told to interrupt.
        `remember`: the words join the history (a timer's repeated rings do once); `sound`: int16 samples at
        the sink's rate played before the words (a ring tone)."""
        if interrupt:
            await self.interrupt()
        else:
            await self._after_reply_in_progress()
        remember = remember and bool(text.strip())
        if remember:
            self.context.add("assistant", text)
        self._reply_in_context = remember
        self._cancel = asyncio.Event()
        self._reply = asyncio.create_task(self._speak_only(text, self._cancel, sound), name=f"say-{self.session_id}")

    async def _speak_only(self, text: str, cancel: asyncio.Event, sound: np.ndarray | None = None) -> None:
        speech = self._new_speech()
        try:
            if sound is not None:
                speech.feed_sound(sound, self._sink.sample_rate)
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
        self._set_state(self._idle_state() if not (self._speech and self._speech.speaking) else ConversationState.SPEAKING)

    def push_to_talk(self, pressed: bool) -> None:
        async def press() -> None:
            if pressed:
                await self.interrupt()
                self.listener.ptt_pressed = True
                await self.listener.start_turn()
            else:
                await self.listener.release_talk()

        self._spawn(press())

    def get_context(self) -> list[dict[str, Any]]:
        return self.context.messages()

    def set_context(self, messages: list[dict[str, Any]]) -> None:
        self.context.replace(messages)

    def resolve_client_tool(self, tool_call_id: str, result: Any) -> bool:
        return self._engines.tools.resolve_client(tool_call_id, result)

    async def _run_later(self, command: str, late_secs: float = 0.0) -> None:
        """A command asked for "in ten minutes", now due: a reminder is said; anything else is run as the
        user's own turn (intents, knowledge, then the LLM), after the answer in progress. One that fell due
        while the device was off is run only if that was a moment ago: the heater is not turned on at noon
        for 7 am."""
        reminder = reminder_of(command)
        if reminder is not None:
            await self.say(reminder)
            return
        if late_secs > LATE_COMMAND_SECS:
            log.info("command for later not run: it fell due while off", extra={
                "session": self.session_id, "command": command, "late_secs": round(late_secs)})
            await self.say(f"I was off when it was time to {as_mine(command)}, so that was not done.")
            return
        await self._after_reply_in_progress()
        self.last_transcript = command
        self._start_reply(command, audio_response=True)

    async def _after_reply_in_progress(self) -> None:
        """Wait for the answer being given, if any, to end (without cancelling it)."""
        if self._reply and not self._reply.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._reply)

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- bus ---------------------------------------------------------------------------------------

    async def _ring(self, words: str, first: bool, tone: str) -> None:
        """One ring of a timer: its tone and words after the answer in progress, if any; back once played or
        cut off."""
        await self.say(words, remember=first,
                       sound=ring_tone(self._sink.sample_rate, alarm=tone == "alarm") if tone else None)
        reply = self._reply
        if reply is not None:
            await asyncio.wait({reply})   # (cancelling the ringing does not cancel the words: barge-in does)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, TimerFired):
            wake_up = bool(event.command) and WAKE_UP.match(event.command) is not None
            if event.command and not wake_up:
                self._spawn(self._run_later(event.command, event.late_secs))
                return
            timers = self._live.current.timers
            ring_secs = timers.alarm_ring_secs if is_alarm(event.label) or wake_up else timers.ring_secs
            # "wake me up at 7" rings as an alarm does, with its own words ("It's time to wake up.")
            words = (reminder_of(event.command) or "") if wake_up and event.late_secs < 60 else \
                timer_done_words(event.label, event.late_secs)
            self._ringing.add(event.timer_id, words, ring_secs, alarm=is_alarm(event.label) or wake_up)
