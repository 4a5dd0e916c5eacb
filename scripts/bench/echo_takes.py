"""One simulated take of the echo problem, run faster than real time through a canceller and the real VAD.

A take is the bot's answer played into a simulated room (firmware_py/audio/processing/room.py), maybe a
user speaking over it, the microphone signal processed block by block with the reference stamped as a
sink would stamp it, and Silero VAD (the listener's settings) run on the result. Shared by
scripts/bench/echo.py and tests/audio.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from firmware_py.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, AudioFrame
from firmware_py.audio.processing import EchoCanceller, EchoOptions, PlaybackReference
from firmware_py.audio.processing.linear_echo import linear_echo_filter
from firmware_py.audio.processing.room import RoomConditions, echo_scale, record
from firmware_py.config import VadSettings
from firmware_py.onset_pause import MAX_HOLD_SECS, REWIND_SECS, OnsetPause, PauseAction
from firmware_py.speech.vad import SileroVad, VadTracker

T0 = 1000.0
"""The take's start on the simulated wall clock."""
BLOCK = 160
STOP_LATENCY_SECS = 0.04
"""From the VAD's start event to silence: the sink drops its queue at once; one 40 ms chunk may be out."""


class Canceller:
    """What the harness needs from an engine: a 10 ms block of mic and of reference in, mic out
    (for detection, for recognition: the same block for every engine but ours)."""

    def block(self, near: np.ndarray, block_end: float) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def cleared(self, at_time: float) -> None:
        pass


class Ours(Canceller):
    """The product's canceller, fed through its own reference buffer."""

    def __init__(self, far: np.ndarray, options: EchoOptions | None = None) -> None:
        self.reference = PlaybackReference(horizon_secs=len(far) / SAMPLE_RATE + 5.0)
        self.reference.played(far, SAMPLE_RATE, T0)
        self.engine = EchoCanceller(self.reference, options)

    def block(self, near: np.ndarray, block_end: float) -> tuple[np.ndarray, np.ndarray]:
        return self.engine.cancel_block(near, block_end)

    def cleared(self, at_time: float) -> None:
        self.reference.cleared(at_time)


class Aligned(Canceller):
    """Base for engines compared against ours: fed the reference block of the same instant."""

    def __init__(self, far: np.ndarray) -> None:
        self.far = far.copy()

    def far_block(self, block_end: float) -> np.ndarray:
        end = int(round((block_end - T0) * SAMPLE_RATE))
        out = np.zeros(BLOCK, np.int16)
        lo, hi = max(end - BLOCK, 0), min(end, len(self.far))
        if hi > lo:
            out[lo - (end - BLOCK):hi - (end - BLOCK)] = self.far[lo:hi]
        return out

    def cleared(self, at_time: float) -> None:
        self.far[int((at_time - T0) * SAMPLE_RATE):] = 0


class Livekit(Aligned):
    def __init__(self, far: np.ndarray) -> None:
        super().__init__(far)
        from livekit import rtc

        self.rtc = rtc
        self.apm = rtc.AudioProcessingModule(echo_cancellation=True, high_pass_filter=True)

    def block(self, near: np.ndarray, block_end: float) -> tuple[np.ndarray, np.ndarray]:
        self.apm.process_reverse_stream(self.rtc.AudioFrame(self.far_block(block_end).tobytes(), SAMPLE_RATE, 1, BLOCK))
        frame = self.rtc.AudioFrame(bytearray(near.astype(np.int16).tobytes()), SAMPLE_RATE, 1, BLOCK)
        self.apm.process_stream(frame)
        out = np.frombuffer(bytes(frame.data), np.int16).copy()
        return out, out


class Speex(Aligned):
    """Debian's libspeexdsp: echo canceller plus its preprocessor's residual echo suppression."""

    def __init__(self, far: np.ndarray, tail_secs: float = 0.5) -> None:
        super().__init__(far)
        linear = linear_echo_filter(tail_secs)
        assert linear is not None, "libspeexdsp is needed for this engine"
        self.linear, lib = linear, linear.lib
        lib.speex_preprocess_state_init.restype = ctypes.c_void_p
        self.pre = ctypes.c_void_p(lib.speex_preprocess_state_init(BLOCK, SAMPLE_RATE))
        lib.speex_preprocess_ctl(self.pre, 24, linear.state)                    # SET_ECHO_STATE

    def block(self, near: np.ndarray, block_end: float) -> tuple[np.ndarray, np.ndarray]:
        out = self.linear.process(near, self.far_block(block_end))
        self.linear.lib.speex_preprocess_run(self.pre, out.ctypes.data_as(ctypes.c_void_p))
        return out, out


class Nothing(Canceller):
    def block(self, near: np.ndarray, block_end: float) -> tuple[np.ndarray, np.ndarray]:
        return near, near


ENGINES: dict[str, Callable[[np.ndarray], Canceller]] = {
    "aec3": Ours,
    "aec3-no-guard": lambda far: Ours(far, EchoOptions(residual_attenuation_db=0.0)),
    "livekit": Livekit,
    "speex": Speex,
    "none": lambda far: Nothing(),
}


@dataclass
class TakeResult:
    processed: np.ndarray
    mic: np.ndarray
    recognition: np.ndarray
    """What STT hears (ours: the linear filter's output; other engines: `processed`)."""
    vad_starts: list[float] = field(default_factory=list)
    """Seconds from the take's start at which the VAD reported speech (a start event's time)."""
    vad_stops: list[float] = field(default_factory=list)
    starts_at_sample: list[int] = field(default_factory=list)
    cpu_secs: float = 0.0
    pauses: list[tuple[float, float]] = field(default_factory=list)
    """(paused, resumed), in seconds, of each pause that ended with the bot going on: a false onset."""
    stopped_at: float | None = None
    """When the bot fell silent for good (a barge-in)."""
    turn_from: int | None = None
    """Where the turn the barge-in began starts (a sample): its VAD start, or the sound that paused the bot."""


class VadRunner:
    """Silero VAD with the listener's default settings, one stream per take."""

    def __init__(self, model: SileroVad, settings: VadSettings | None = None) -> None:
        self.model, self.settings = model, settings or VadSettings()

    def new(self) -> VadTracker:
        return VadTracker(self.model.new_stream(), self.settings)


def run_take(far: np.ndarray, user: np.ndarray, conditions: RoomConditions, engine: str, vad: VadRunner,
             stop_bot_on_speech_after: float | None = None, user_level: float = 0.05,
             pause_after_secs: float | None = None) -> TakeResult:
    """Process one take; with `stop_bot_on_speech_after`, the bot stops at the first VAD start after then.

    With `pause_after_secs` the bot pauses for possible speech as the listener makes it (onset_pause.py):
    a start while paused stops it there (in a barge-in take), quiet lets it go on. Each decision is taken on
    a run with every earlier one applied: the pipeline is deterministic, so that run up to the decision is
    the one that led to it.
    """
    gain = echo_scale(far, conditions, user_level)
    pauses: list[tuple[int, int | None]] = []   # (paused at, resumed at) in samples; None: still paused
    stop_at: int | None = None
    turn_from: int | None = None
    before: tuple[np.ndarray, np.ndarray] | None = None   # the last run's playout and microphone
    while True:
        played = _playout(far, pauses, stop_at)
        heard_before = None
        if before is not None:   # what the mic heard before the playout changed is what it heard then
            length = min(len(played), len(before[0]))
            changed = np.flatnonzero(played[:length] != before[0][:length])
            heard_before = before[1][: changed[0] if len(changed) else length]
        result, decision = _process(played, user, conditions, engine, vad, user_level, gain, pause_after_secs,
                                    stop_bot_on_speech_after, pauses, stop_at, heard_before)
        before = (played, result.mic)
        if decision is None:
            result.pauses = [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in pauses if b is not None]
            result.stopped_at = None if stop_at is None else stop_at / SAMPLE_RATE
            result.turn_from = turn_from
            return result
        kind, at = decision
        last = max([a for pause in pauses for a in pause if a is not None], default=0)
        if at < last:   # the run before a decision must be the one that led to it
            raise RuntimeError(f"take not reproducible: {kind} at {at} before the last decision at {last}")
        if kind == "pause":
            pauses.append((at, None))
        elif kind == "resume":
            pauses[-1] = (pauses[-1][0], at)
        else:
            if pauses and pauses[-1][1] is None:
                pauses.pop()            # the pause was the stop
            stop_at, turn_from = at, result.turn_from


def _playout(far: np.ndarray, pauses: list[tuple[int, int | None]], stop_at: int | None) -> np.ndarray:
    """What the sink plays: the answer with its pauses (each going on `REWIND_SECS` back) and its stop."""
    parts, position, now = [], 0, 0
    for paused, resumed in pauses:
        parts.append(far[position:position + paused - now])
        position += paused - now
        if resumed is None:
            parts.append(np.zeros(max(0, len(far) - position + int(MAX_HOLD_SECS * SAMPLE_RATE)), np.int16))
            position = len(far)
            now = paused
            break
        parts.append(np.zeros(resumed - paused, np.int16))
        position = max(0, position - int(REWIND_SECS * SAMPLE_RATE))
        now = resumed
    parts.append(far[position:])
    played = np.concatenate(parts) if parts else far.copy()
    if stop_at is not None:
        played = played.copy()
        played[stop_at:] = 0
    return played


def _process(far: np.ndarray, user: np.ndarray, conditions: RoomConditions, engine: str, vad: VadRunner,
             user_level: float, gain: float | None = None, pause_after_secs: float | None = None,
             stop_after: float | None = None, pauses: list[tuple[int, int | None]] | None = None,
             stop_at: int | None = None, heard_before: np.ndarray | None = None
             ) -> tuple[TakeResult, tuple[str, int] | None]:
    """Run the pipeline on what was played; return the first decision not yet applied (pause, resume, stop).

    `heard_before` is the microphone of an earlier run up to where its playout changed: kept as it was,
    since the room's FFT rounding differs by a bit with a take's content, and one bit makes AEC3, and so
    the VAD, take another course."""
    recording = record(far, user, conditions, user_level=user_level, echo_gain=gain)
    if heard_before is not None:
        recording.mic[: len(heard_before)] = heard_before
    canceller = ENGINES[engine](far)
    if stop_at is not None:
        canceller.cleared(T0 + stop_at / SAMPLE_RATE)
    tracker = vad.new()
    pauser = OnsetPause()
    known = [(kind, at) for paused, resumed in (pauses or []) for kind, at in
             (("pause", paused), ("resume", resumed)) if at is not None]
    seen = 0
    active = np.flatnonzero(np.abs(far) > 0)
    still_paused = bool(pauses) and pauses[-1][1] is None   # the bot still speaks while paused
    playing_until = len(far) if still_paused else (int(active[-1]) + 1 if len(active) else 0)
    result = TakeResult(processed=np.zeros_like(recording.mic), mic=recording.mic,
                        recognition=np.zeros_like(recording.mic))
    for start in range(0, len(recording.mic) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        began = time.process_time()
        for offset in (0, BLOCK):
            near = recording.mic[start + offset:start + offset + BLOCK]
            block_end = T0 + (start + offset + BLOCK) / SAMPLE_RATE
            at = slice(start + offset, start + offset + BLOCK)
            result.processed[at], result.recognition[at] = canceller.block(near, block_end)
        result.cpu_secs += time.process_time() - began
        event = tracker.process(AudioFrame(result.processed[start:start + FRAME_SAMPLES]))
        now = start + FRAME_SAMPLES
        if event is not None:
            (result.vad_starts if event.kind == "start" else result.vad_stops).append(now / SAMPLE_RATE)
            if event.kind == "start":
                onset = pauser.onset_from   # (a start while paused: the turn begins at the sound that paused it)
                result.starts_at_sample.append(event.at_sample if onset is None else min(event.at_sample, onset))
                if stop_after is not None and stop_at is None and now / SAMPLE_RATE >= stop_after:
                    result.turn_from = result.starts_at_sample[-1]
                    paused = pauser.paused_at   # (set to when the sink fell quiet)
                    return result, ("stop", paused if paused is not None else now + int(STOP_LATENCY_SECS * SAMPLE_RATE))
        if pause_after_secs is None:
            continue
        may_pause = stop_at is None and now < playing_until
        action = pauser.step(now, may_pause, tracker.heard_speech, tracker.starting, tracker.starting_secs,
                             tracker.starting_from, pause_after_secs)
        if action is PauseAction.NONE:
            continue
        decision = (action.value, now + (int(STOP_LATENCY_SECS * SAMPLE_RATE) if action is PauseAction.PAUSE else 0))
        if action is PauseAction.PAUSE:
            pauser.paused_at = decision[1]
        if seen < len(known) and known[seen] == decision:
            seen += 1
            continue
        return result, decision
    return result, None


def erle_db(mic: np.ndarray, processed: np.ndarray, far_active: np.ndarray, skip_secs: float = 1.0) -> float:
    """Echo reduction where only the bot is heard, after `skip_secs` of convergence."""
    mask = far_active.copy()
    mask[: int(skip_secs * SAMPLE_RATE)] = False
    if not mask.any():
        return 0.0
    mic_e = float(np.mean(mic[mask].astype(np.float64) ** 2))
    out_e = float(np.mean(processed[mask].astype(np.float64) ** 2))
    return 10 * np.log10(max(mic_e, 1e-3) / max(out_e, 1e-3))


def speech_onset(user: np.ndarray, threshold: float = 0.02) -> float:
    """Seconds to the first 10 ms block of `user` whose peak passes `threshold` of full scale."""
    peaks = np.abs(user[: len(user) // BLOCK * BLOCK].reshape(-1, BLOCK)).max(axis=1) / 32768.0
    loud = np.nonzero(peaks >= threshold * peaks.max())[0]
    return float(loud[0] * BLOCK / SAMPLE_RATE) if len(loud) else 0.0
