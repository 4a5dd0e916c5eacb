"""A session's ears: activation gate, VAD, transcription while the user talks, and the end-of-turn call.

Moonshine is not streaming, so the turn is cut into segments at the user's pauses (VAD stops) and each
segment is transcribed as soon as it closes, while the user is still talking or while Smart Turn decides
whether the pause ends the turn. At the end of the turn only the last segment is left to decode: that is
what keeps the time from end of speech to final transcript short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .audio.frames import SAMPLE_RATE, AudioFrame, to_float
from .engines import SharedEngines
from .events import EventBus, UserStartedSpeaking, UserStoppedSpeaking, UserTranscript, WakeWordDetected
from .live_config import LiveSettings
from .onset_pause import OnsetPause, PauseAction
from .speech.onset import FRAME as LEVEL_FRAME
from .speech.onset import frame_levels, sound_onset
from .speech.vad import VadTracker
from .turn_keeper import keep_turn

log = logging.getLogger(__name__)

PRE_ROLL_SECS = 0.25
"""Audio kept before the VAD start, so the first syllable is not cut off."""
MAX_ONSET_SECS = 0.75
"""How far before the VAD start a turn may begin where the sound began earlier (speech/onset.py): a soft
start, or speech right after digital silence, which Silero notices late."""
ONSET_MARGIN_SECS = 0.1
"""Audio kept before that sound's first frame."""
SEGMENT_TAIL_SECS = 0.15
"""Silence kept after a segment's last voiced sample (Moonshine wants a short margin, not long padding)."""
TURN_WINDOW_SECS = 8.0
"""Smart Turn looks at the last 8 s of the turn."""
EARLY_DECODE_SECS = 0.05
"""Silence after which a segment's decode and the Smart Turn check start, before the VAD confirms the pause
(stop_secs): both are on the critical path at the end of a turn. The turn still ends no earlier than the
VAD stop, and if the user goes on the early results are simply dropped. With the decode begun at 0.1 s
(0.07-0.1 s of CPU) its words came as the VAD's 0.2 s stop did; begun at 0.05 s, with a 0.15 s stop, commands
answered 0.04 s sooner (paired runs in docs/benchmarks.md, thirty-seventh round; words no responder claimed
still wait for UNCLAIMED_STOP_SECS)."""


UNCLAIMED_STOP_SECS = 0.2
"""The pause that ends a turn whose words no responder has claimed, when the VAD's stop (`vad.stop_secs`) is
shorter: a comma's pause outlasts a 0.15 s stop ("Excuse me, | what time is it in Tokyo?") and Smart Turn hears
"Excuse me," finished. Words claimed as a command end the turn at the VAD's stop: a command answers sooner, a
question as soon as before."""
WHOLE_TURN_GAP_SECS = 0.15
"""Silence put between a turn's pieces when they are decoded together."""
START_RESOLVED_SECS = 0.4
"""The longest a verdict that the turn is over waits for a sound begun meanwhile to prove words or a blip
(the VAD's start, 0.2 s, and a dip it may hold)."""
FRAME_SECS = 0.02
SECOND_CHANCE_VOICED_SECS = 0.4
"""A turn with this much speech whose segments decoded to nothing is decoded once more, whole."""


def without_digital_silence(samples: np.ndarray) -> np.ndarray:
    """The piece without the exact zeros at its ends (a muted or just-opened microphone, a network gap),
    and with any left inside dithered by one step: Moonshine returns nothing for audio that starts with
    digital silence."""
    nonzero = np.flatnonzero(samples)
    if len(nonzero) == 0:
        return samples[:0]
    trimmed = samples[nonzero[0]: nonzero[-1] + 1]
    zeros = trimmed == 0
    if zeros.any():
        trimmed = trimmed.copy()
        trimmed[zeros] = np.where(np.arange(int(zeros.sum())) % 2 == 0, 1, -1).astype(trimmed.dtype)
    return trimmed


def speech_span(samples: np.ndarray, margin_secs: float = 0.15) -> np.ndarray:
    """The loud part of a turn, with a short margin: Moonshine does badly with long silent padding."""
    levels = frame_levels(samples)
    if len(levels) == 0:
        return samples
    loud = np.flatnonzero(levels >= max(levels.max() * 0.05, 30.0))
    if len(loud) == 0:
        return samples[:0]
    margin = int(margin_secs * SAMPLE_RATE)
    return samples[max(0, loud[0] * LEVEL_FRAME - margin): min(len(samples), (loud[-1] + 1) * LEVEL_FRAME + margin)]


@dataclass
class TurnTiming:
    """Wall-clock marks of one user turn (time.monotonic)."""

    speech_start_at: float = 0.0
    speech_end_at: float = 0.0
    turn_end_at: float = 0.0
    transcript_at: float = 0.0
    stt_secs: float = 0.0
    turn_secs: float = 0.0
    voiced_secs: float = 0.0
    """Speech the VAD heard in the turn: tells a request nobody understood from a cough."""
    ended_by_words: bool = False
    """The turn ended sooner than max silence because its words read as a finished sentence (the turn detector,
    when on, had judged it unfinished): words that may yet be read otherwise ("What is I?" of "What is five |
    plus three?"), so a rest may still come."""


class ListenerOwner(Protocol):
    """What the listener needs from its conversation."""

    def accepting_input(self) -> bool: ...
    def bot_speaking(self) -> bool: ...
    async def on_user_speech_started(self) -> None: ...
    async def on_early_transcript(self, text: str) -> None: ...
    def on_user_went_on(self) -> None: ...
    def pause_bot(self) -> None: ...
    def resume_bot(self) -> None: ...
    def words_finished(self, words: str) -> bool: ...
    def words_claimed(self, words: str) -> bool: ...
    async def on_user_turn(self, text: str, timing: TurnTiming) -> None: ...


class TurnListener:
    def __init__(self, session_id: str, engines: SharedEngines, live: LiveSettings, bus: EventBus,
                 owner: ListenerOwner) -> None:
        self.session_id = session_id
        self._engines, self._live, self._bus, self._owner = engines, live, bus, owner
        self._vad = VadTracker(engines.vad.new_stream(), live.current.vad)
        self._wake = (engines.wakeword.new_stream(live.current.wakeword.threshold, live.current.wakeword.refractory_secs)
                      if engines.wakeword else None)
        self.muted = False
        self.ptt_pressed = False
        self.awake_until = 0.0          # wake-word mode: listening without the wake word until then
        self._recent: list[np.ndarray] = []
        self._recent_samples = 0
        self._turn: list[np.ndarray] | None = None
        self._turn_start = 0            # absolute sample index of the turn's first sample
        self._segment_start = 0
        self._segment_open = False
        self._segments: list[asyncio.Task[str]] = []
        self._decode_secs: dict[asyncio.Task[Any], float] = {}   # decode time of each STT task (metrics)
        self._decoded: dict[asyncio.Task[Any], np.ndarray] = {}   # the audio each STT task decoded
        self._final_audio: np.ndarray | None = None   # what the last turn's words were decoded from, as one
        self._quiet_since: int | None = None     # stream index where the current run of silence began
        self._early: tuple[int, int, asyncio.Task[str]] | None = None   # (segment start, end, decode)
        self._spans: list[tuple[int, int]] = []
        self._whole: tuple[int, asyncio.Task[str]] | None = None        # (end, decode of the turn so far)
        self._early_turn: asyncio.Task[float | None] | None = None        # Smart Turn on the same pause
        # where the silence after the last speech began (a stream index): the turn's silence is counted in
        # audio, not on the clock, so a busy moment (the LLM guessing on both cores) that delays the frames
        # cannot end a turn while the next words are already in the queue
        self._silence_from: int | None = None
        self._turn_check: asyncio.Task[None] | None = None
        self._ending: asyncio.Task[None] | None = None
        self._samples = 0
        self._barge_in_pending = False
        self._onset_pause = OnsetPause()
        self._background: set[asyncio.Task[Any]] = set()
        self._words_so_far = ""                   # the early decode's words while the user is quiet
        self._words_audio: np.ndarray | None = None   # what they were decoded from, when one decode holds them
        self._last_turns: list[np.ndarray] = []   # the audio of the last two turns, for `decode_last_two`
        self.timing = TurnTiming()

    # --- gate --------------------------------------------------------------------------------------

    def _gate_open(self, frame: AudioFrame) -> bool:
        activation = self._live.current.conversation.activation
        if self.muted or activation == "muted" or not self._owner.accepting_input():
            return False
        if activation == "push_to_talk":
            return self.ptt_pressed
        if activation == "wakeword" and time.monotonic() > self.awake_until and self._turn is None:
            self._listen_for_wake_word(frame)
            return time.monotonic() <= self.awake_until
        return True

    def _listen_for_wake_word(self, frame: AudioFrame) -> None:
        if self._wake is None:
            return
        score = self._wake.process(frame.samples)
        if score is not None:
            self.wake(float(score))

    def wake(self, score: float = 1.0) -> None:
        """Listen without the wake word for a while (detection, or the follow-up window after an answer)."""
        self.awake_until = time.monotonic() + max(8.0, self._live.current.conversation.follow_up_secs)
        self._vad.reset()
        if score < 1.0 or self._wake is not None:
            self._bus.publish(WakeWordDetected(session_id=self.session_id,
                                               phrase=self._live.current.wakeword.phrase, score=score))

    def follow_up(self) -> None:
        """After the bot spoke: in wake-word mode the user may answer without the wake word."""
        self.awake_until = time.monotonic() + self._live.current.conversation.follow_up_secs

    # --- frames ------------------------------------------------------------------------------------

    async def process(self, frame: AudioFrame) -> None:
        self._samples += len(frame.samples)
        heard = frame.recognition_samples   # what STT and Smart Turn get; the VAD reads frame.samples
        self._remember(heard)
        if not self._gate_open(frame):
            if self._turn is not None and self._live.current.conversation.activation == "push_to_talk":
                await self._end_turn()
            self._pause_for_onset(gate_open=False)   # a paused voice goes on: the user is not heard now
            return
        self._vad.settings = self._live.current.vad
        event = self._vad.process(frame)
        if self._turn is not None:
            self._turn.append(heard)
            self._track_quiet(len(frame.samples))
            await self._count_voiced(len(frame.samples))
        if event is not None and event.kind == "start":
            await self._speech_started(self._stream_index(event.at_sample))
        elif event is not None and event.kind == "stop":
            self._speech_paused(self._stream_index(event.at_sample))
        elif self._turn is not None and not self._vad.speaking:
            self._check_max_silence()
        self._pause_for_onset()

    def _pause_for_onset(self, gate_open: bool = True) -> None:
        """The bot's voice pauses at the first sound of possible speech over it (onset_pause.py)."""
        conversation = self._live.current.conversation
        may_pause = (gate_open and self._turn is None and conversation.barge_in and conversation.barge_in_min_secs == 0
                     and self._owner.bot_speaking())
        vad = self._vad
        action = self._onset_pause.step(self._samples, may_pause, vad.heard_speech, vad.starting, vad.starting_secs,
                                        self._stream_index(vad.starting_from), conversation.barge_in_pause_secs)
        if action is PauseAction.PAUSE:
            log.debug("bot paused: possible speech over it", extra={"session": self.session_id})
            self._owner.pause_bot()
        elif action is PauseAction.RESUME:
            log.debug("bot goes on: no words followed", extra={"session": self.session_id})
            self._owner.resume_bot()

    def _stream_index(self, vad_sample: int) -> int:
        """A VAD position (counted since its last reset) as an index into this session's audio stream."""
        return self._samples - (self._vad.samples_seen - vad_sample)

    async def _count_voiced(self, frame_len: int) -> None:
        if self._vad.last_probability < self._live.current.vad.confidence:
            return
        self.timing.voiced_secs += frame_len / SAMPLE_RATE
        if self._barge_in_pending and self.timing.voiced_secs >= self._live.current.conversation.barge_in_min_secs:
            self._barge_in_pending = False   # enough speech over the bot's voice: now it is a barge-in
            await self._owner.on_user_speech_started()

    def _remember(self, samples: np.ndarray) -> None:
        self._recent.append(samples)
        self._recent_samples += len(samples)
        limit = int((PRE_ROLL_SECS + 1.0) * SAMPLE_RATE)
        while self._recent_samples - len(self._recent[0]) > limit:
            self._recent_samples -= len(self._recent.pop(0))

    # --- turn life cycle ---------------------------------------------------------------------------

    async def start_turn(self, speech_start: int | None = None) -> None:
        """Begin a user turn now (VAD start at stream index `speech_start`, or the talk button)."""
        if self._turn is not None:
            return
        speech_start = self._samples if speech_start is None else speech_start
        if self._onset_pause.onset_from is not None:   # the bot paused at this speech's first sound
            speech_start = min(speech_start, self._onset_pause.onset_from)
        back = self._samples - speech_start + int(PRE_ROLL_SECS * SAMPLE_RATE)
        recent = np.concatenate(self._recent) if self._recent else np.zeros(0, np.int16)
        at = len(recent) - (self._samples - speech_start)   # the VAD's start in `recent`
        if at > 0 and not self._owner.bot_speaking():   # over the bot's voice its echo would be taken for a start
            onset = sound_onset(recent, at) - int(ONSET_MARGIN_SECS * SAMPLE_RATE)
            back = max(back, min(len(recent) - onset, self._samples - speech_start + int(MAX_ONSET_SECS * SAMPLE_RATE)))
        self._turn = [recent[-back:]] if back > 0 else []
        self._turn_start = self._samples - sum(len(part) for part in self._turn)
        self._segment_start = self._turn_start
        self._segment_open = True
        self._segments = []
        self._spans: list[tuple[int, int]] = []   # stream indexes of the turn's closed segments
        self._drop_whole()
        self._quiet_since, self._early, self._early_turn = None, None, None
        self._silence_from = None
        self.timing = TurnTiming(speech_start_at=time.monotonic() - (self._samples - speech_start) / SAMPLE_RATE)
        self._bus.publish(UserStartedSpeaking(session_id=self.session_id))
        if self._owner.bot_speaking() and self._live.current.conversation.barge_in_min_secs > 0:
            self._barge_in_pending = True   # the bot keeps talking until the user has said enough
            return
        await self._owner.on_user_speech_started()

    async def _speech_started(self, speech_start: int) -> None:
        self._silence_from = None
        if self._turn_check:
            self._turn_check.cancel()
            self._turn_check = None
        if self._turn is None:
            await self.start_turn(speech_start)
        else:  # the user went on after a pause: a new segment starts shortly before the speech
            self._owner.on_user_went_on()
            self._drop_whole()
            self._segment_open = True
            self._segment_start = max(self._segment_start, speech_start - int(PRE_ROLL_SECS * SAMPLE_RATE))

    def _speech_paused(self, silence_start: int) -> None:
        if self._turn is None:
            return
        silent_for = (self._samples - silence_start) / SAMPLE_RATE
        self._silence_from = silence_start
        self.timing.speech_end_at = time.monotonic() - silent_for
        self._close_segment(min(self._samples, silence_start + int(SEGMENT_TAIL_SECS * SAMPLE_RATE)), silence_start)
        if self._live.current.turn.enabled:
            early = self._early_turn if silence_start == self._quiet_since else None
            verdict = early or asyncio.create_task(self._turn_probability())
            self._turn_check = asyncio.create_task(self._decide_turn_end(verdict))

    def _check_max_silence(self) -> None:
        # (not while speech is being heard that has yet to last long enough to count: ending the turn then
        # would cut the next words in two, "Volume, | down." lost its "down")
        if self._silence_from is None or self._ending is not None or self._vad.starting:
            return
        turn = self._live.current.turn
        limit = turn.max_silence_secs
        if self._words_so_far and self._owner.words_finished(self._words_so_far):
            limit = min(limit, turn.sentence_silence_secs)   # the words end a sentence: no need to wait it out
        if self._samples - self._silence_from >= limit * SAMPLE_RATE:
            self.timing.ended_by_words = limit < turn.max_silence_secs
            self._ending = asyncio.create_task(self._end_turn())

    def _track_quiet(self, frame_len: int) -> None:
        """Start decoding an open segment as soon as a short silence follows it (see EARLY_DECODE_SECS)."""
        if self._vad.last_probability >= self._live.current.vad.confidence:
            if self._early is not None:
                log.debug("early decode dropped: the user went on", extra={"session": self.session_id})
                self._owner.on_user_went_on()
            self._drop_whole()
            self._quiet_since, self._early, self._early_turn = None, None, None
            self._words_so_far, self._words_audio = "", None
            return
        if self._quiet_since is None:
            self._quiet_since = self._samples - frame_len
        quiet = self._samples - self._quiet_since
        if self._segment_open and self._early is None and quiet >= EARLY_DECODE_SECS * SAMPLE_RATE:
            end = self._quiet_since + min(quiet, int(SEGMENT_TAIL_SECS * SAMPLE_RATE))
            decode = asyncio.create_task(self._transcribe(self._piece(end)))
            decode.add_done_callback(self._early_decoded)
            self._early = (self._segment_start, end, decode)
            self._decode_whole_turn(end)
            if self._live.current.turn.enabled:  # its verdict is used only if the VAD confirms this pause
                self._early_turn = asyncio.create_task(self._turn_probability())

    def _decode_whole_turn(self, end: int) -> None:
        """After a pause inside the turn, decode the whole turn as well: pieces cut at a pause lose the
        words' context ("living room | lamp to twenty" came back as "Lamped to twenty")."""
        if not self._spans:
            return
        # the spoken pieces joined by a short gap: the pauses themselves can hold a room's leftover echo
        gap = np.zeros(int(WHOLE_TURN_GAP_SECS * SAMPLE_RATE), np.int16)
        pieces = [self._turn_audio()[max(0, a - self._turn_start): max(0, b - self._turn_start)]
                  for a, b in [*self._spans, (self._segment_start, end)]]
        audio = np.concatenate([part for piece in pieces for part in (piece, gap)][:-1])
        if len(audio) > TURN_WINDOW_SECS * SAMPLE_RATE:
            return
        self._drop_whole()
        self._whole = (end, asyncio.create_task(self._transcribe(audio)))

    def _drop_whole(self) -> None:
        if self._whole is not None:
            self._whole[1].cancel()
            self._whole = None

    def _early_decoded(self, decode: asyncio.Task[str]) -> None:
        """The words so far, as soon as the early decode of the pause gives them (for speculation and the
        end-of-turn vote), also when the VAD confirmed the pause first and the decode became the segment."""
        if decode.cancelled() or decode.exception():
            return
        still_quiet = self._quiet_since is not None   # the user has not gone on since
        if not ((self._early is not None and self._early[2] is decode) or (still_quiet and decode in self._segments[-1:])):
            return
        if not all(task.done() and not task.cancelled() for task in self._segments):
            return   # an earlier piece is still decoding: the turn's end will match the whole text
        pieces = self._segments if decode in self._segments else [*self._segments, decode]
        words = " ".join(t for t in (task.result() for task in pieces) if t).strip()
        spoken = [task for task in pieces if task.result()]
        self._words_so_far = words
        # (a turn of pieces ends on the whole turn's decode, made beside this one: its audio is another)
        self._words_audio = self._decoded.get(spoken[0]) if len(spoken) == 1 and self._whole is None else None
        if words:
            self._owner_task(self._owner.on_early_transcript(words))

    def _owner_task(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _turn_audio(self) -> np.ndarray:
        return np.concatenate(self._turn) if self._turn else np.zeros(0, np.int16)

    def _piece(self, end: int) -> np.ndarray:
        """The open segment's audio up to stream index `end`."""
        audio = self._turn_audio()
        return audio[max(0, self._segment_start - self._turn_start): max(0, end - self._turn_start)]

    def _close_segment(self, end: int, silence_start: int | None = None) -> None:
        early, self._early = self._early, None
        if early is not None and early[0] == self._segment_start and silence_start == self._quiet_since:
            self._spans.append((early[0], early[1]))
            self._segment_start, self._segment_open = early[1], False   # the early decode is this segment
            self._segments.append(early[2])
            return
        piece = self._piece(end)
        span = (self._segment_start, end)
        self._segment_start = end
        self._segment_open = False
        if len(piece) < int(0.1 * SAMPLE_RATE):
            return
        self._spans.append(span)
        decode = asyncio.create_task(self._transcribe(piece))
        self._segments.append(decode)
        decode.add_done_callback(self._early_decoded)   # no early decode matched this pause: these are the words

    async def _transcribe(self, piece: np.ndarray) -> str:
        piece = without_digital_silence(piece)
        if len(piece) < int(0.1 * SAMPLE_RATE):
            return ""
        loop = asyncio.get_running_loop()
        audio = to_float(piece)
        self._decoded[asyncio.current_task()] = audio   # type: ignore[index]
        try:
            text, secs = await loop.run_in_executor(self._engines.stt_executor, self._timed_transcribe, audio)
        except Exception as err:
            log.warning("transcription failed", extra={"error": str(err), "session": self.session_id})
            return ""
        self._decode_secs[asyncio.current_task()] = secs
        if asyncio.current_task() not in self._segments:
            return text  # an early decode: read once the VAD confirms the pause, or never
        if self._live.current.stt.interim_results and self._turn is not None and text:
            done = [t.result() for t in self._segments if t.done() and not t.cancelled()] + [text]
            self._bus.publish(UserTranscript(session_id=self.session_id, text=" ".join(done).strip(), final=False))
        return text

    def _timed_transcribe(self, audio: np.ndarray) -> tuple[str, float]:
        """Runs on the STT thread: the decode time alone, without the wait for the thread (for metrics)."""
        started = time.perf_counter()
        text = self._engines.stt.transcribe(audio)
        return text, time.perf_counter() - started

    async def _turn_probability(self) -> float | None:
        """Smart Turn's verdict on the turn so far (None when the model fails: silence decides then)."""
        window = self._turn_audio()[-int(TURN_WINDOW_SECS * SAMPLE_RATE):]
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        try:
            probability = await loop.run_in_executor(self._engines.turn_executor,
                                                     self._engines.turn.completion_probability, to_float(window))
        except Exception as err:
            log.warning("turn detection failed; relying on silence", extra={"error": str(err)})
            return None
        self.timing.turn_secs = time.monotonic() - started
        log.debug("turn check", extra={"probability": round(probability, 3), "session": self.session_id})
        return probability

    async def _decide_turn_end(self, verdict: asyncio.Task[float | None]) -> None:
        probability = await verdict
        if probability is not None and probability < self._live.current.turn.threshold and verdict is self._early_turn:
            # the early look saw EARLY_DECODE_SECS of silence; the model often changes its mind with a little more
            probability = await self._turn_probability()
        if probability is None:
            return
        if probability >= self._live.current.turn.threshold and not self._owner.words_claimed(self._words_so_far):
            await self._quiet_for(UNCLAIMED_STOP_SECS)
        deadline = time.monotonic() + START_RESOLVED_SECS
        while self._vad.starting and time.monotonic() < deadline:   # a sound begun: words, or a blip?
            await asyncio.sleep(FRAME_SECS)
        if (probability >= self._live.current.turn.threshold and self._ending is None and not self._vad.speaking
                and not self._vad.starting):
            self._ending = asyncio.create_task(self._end_turn())

    async def _quiet_for(self, secs: float) -> None:
        """Until the pause has lasted `secs` (by the audio's clock, and at most that long by the wall's, should
        the audio stop coming), or a sound began."""
        deadline = time.monotonic() + secs
        while (self._silence_from is not None and not self._vad.starting and not self._vad.speaking
               and self._samples - self._silence_from < secs * SAMPLE_RATE and time.monotonic() < deadline):
            await asyncio.sleep(FRAME_SECS)

    async def _end_turn(self) -> None:
        if self._turn is None:
            self._ending = None
            return
        if self._segment_open:  # push-to-talk released mid-speech: the last words are still unsegmented
            self._close_segment(self._samples)
        self.timing.turn_end_at = time.monotonic()
        if not self.timing.speech_end_at:
            self.timing.speech_end_at = self.timing.turn_end_at
        segments, self._segments = self._segments, []
        whole, self._whole = self._whole, None
        if whole is not None and whole[0] != self._segment_start:   # made at an earlier pause, not the last
            whole[1].cancel()
            whole = None
        audio = self._turn_audio()
        self._turn, self._silence_from, self._words_so_far = None, None, ""
        self._quiet_since, self._early, self._early_turn = None, None, None
        if self._turn_check:
            self._turn_check.cancel()
            self._turn_check = None
        self._vad.reset()
        self._bus.publish(UserStoppedSpeaking(session_id=self.session_id))
        if self._barge_in_pending:   # too little speech over the bot's voice to be a barge-in: ignored
            self._barge_in_pending = False
            self._ending = None
            for task in segments:
                task.cancel()
            return
        try:
            text = await self._final_text(segments, audio, whole[1] if whole else None)
        except Exception:  # the turn still ends: with no words, the owner says it did not understand
            log.exception("transcription of the turn failed", extra={"session": self.session_id})
            text = ""
        self.timing.transcript_at = time.monotonic()
        self._ending = None
        self._last_turns = [*self._last_turns[-1:], speech_span(audio)]
        if text:
            self._bus.publish(UserTranscript(session_id=self.session_id, text=text, final=True))
        keep_turn(self.session_id, self.last_audio(), text)
        await self._owner.on_user_turn(text, self.timing)

    async def _final_text(self, segments: list[asyncio.Task[str]], audio: np.ndarray,
                          whole: asyncio.Task[str] | None = None) -> str:
        """The whole turn's decode when it was made at the last pause, else the segments' words; when they
        gave none although the user spoke, the whole turn decoded now."""
        decoded, self._decoded = self._decoded, {}
        self._final_audio = None
        if whole is not None:
            with contextlib.suppress(asyncio.CancelledError):
                text = (await whole).strip()
                if text:
                    self.timing.stt_secs = self._decode_secs.pop(whole, 0.0)
                    self._decode_secs.clear()
                    self._final_audio = decoded.get(whole)
                    return text
        texts = [await task for task in segments if not task.cancelled()]
        self.timing.stt_secs = sum(self._decode_secs.get(task, 0.0) for task in segments)
        self._decode_secs.clear()
        text = " ".join(t for t in texts if t).strip()
        spoken = [task for task, words in zip(segments, texts) if words]
        if len(spoken) == 1:
            self._final_audio = decoded.get(spoken[0])
        if not text and self.timing.voiced_secs >= SECOND_CHANCE_VOICED_SECS:
            log.info("segments gave no words; decoding the whole turn", extra={"session": self.session_id})
            text = (await self._transcribe(speech_span(audio))).strip()
            self._final_audio = self._decoded.pop(asyncio.current_task(), None)   # type: ignore[arg-type]
        return text

    def words_audio(self) -> np.ndarray | None:
        """The audio the words so far were decoded from, when one decode holds them all: what the turn's end
        reads again if the user says no more. None otherwise."""
        return self._words_audio

    def last_audio(self) -> np.ndarray:
        """The last turn's speech as its words were decoded from it (so the recogniser can reuse that decode)."""
        if self._final_audio is not None:
            return self._final_audio
        return self._last_turns[-1] if self._last_turns else np.zeros(0, np.int16)

    async def decode_last_two(self) -> str:
        """The last two turns' speech decoded as one: a sentence the end-of-turn model cut at a pause, whose
        pieces lost each other's context when decoded apart. "" when there were not two turns to join."""
        if len(self._last_turns) < 2:
            return ""
        gap = np.zeros(int(WHOLE_TURN_GAP_SECS * SAMPLE_RATE), np.int16)
        audio = np.concatenate([self._last_turns[0], gap, self._last_turns[1]])
        if len(audio) > TURN_WINDOW_SECS * SAMPLE_RATE:
            return ""
        text = (await self._transcribe(audio)).strip()
        decoded = self._decoded.pop(asyncio.current_task(), None)   # type: ignore[arg-type]
        if text:   # the turn's words now come from both pieces' audio
            self._final_audio = decoded
        return text

    async def release_talk(self) -> None:
        """Push-to-talk released: the turn ends now."""
        self.ptt_pressed = False
        if self._turn is not None:
            await self._end_turn()

    def abandon_turn(self) -> None:
        """Drop a turn in progress without answering (mute)."""
        self._drop_whole()
        for task in self._segments:
            task.cancel()
        self._segments, self._turn = [], None
        self._decoded.clear()
        self._vad.reset()

    @property
    def in_turn(self) -> bool:
        return self._turn is not None
