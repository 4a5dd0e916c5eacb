"""The echo canceller on simulated rooms with real speech and the real VAD (offline, faster than real time)."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE, AudioFrame
from firmware_py.audio.processing import EchoCanceller, PlaybackReference
from firmware_py.audio.processing.room import RoomConditions, record
from firmware_py.models import models_dir
from firmware_py.speech.vad import SileroVad
from scripts.bench.echo_takes import T0, VadRunner, erle_db, run_take, speech_onset
from tests.speechgen import speech

ANSWER = ("The lighthouse keeper climbed the stairs every evening to light the great lamp. Ships far out at sea "
          "saw it and knew where the rocks were hidden.")


@pytest.fixture(scope="module")
def vad() -> VadRunner:
    return VadRunner(SileroVad(models_dir() / "vad" / "silero_vad.onnx"))


@pytest.fixture(scope="module")
def answer() -> np.ndarray:
    return speech(ANSWER)[0]


def far_active(far: np.ndarray, length: int) -> np.ndarray:
    return np.pad(np.abs(far) > 300, (0, length - len(far)))


@pytest.mark.parametrize("conditions", [
    RoomConditions(delay_ms=30, rt60_secs=0.2, echo_db=0.0, distortion=0.1, seed=1),
    RoomConditions(delay_ms=180, rt60_secs=0.6, echo_db=6.0, distortion=0.4, drift_ms_per_min=8.0, seed=2),
], ids=["near-dry", "late-reverberant-loud"])
def test_the_bot_does_not_hear_itself(conditions: RoomConditions, answer: np.ndarray, vad: VadRunner) -> None:
    silent_user = np.zeros(0, np.int16)
    raw = run_take(answer, silent_user, conditions, "none", vad)
    cancelled = run_take(answer, silent_user, conditions, "aec3", vad)
    assert raw.vad_starts, "the simulated echo must be loud enough to fool the VAD without cancellation"
    assert cancelled.vad_starts == []
    assert erle_db(cancelled.mic, cancelled.processed, far_active(answer, len(cancelled.mic))) > 15


def test_the_user_interrupts_over_a_quieter_echo(answer: np.ndarray, vad: VadRunner) -> None:
    """Over an echo 10 dB below the user, barge-in works (AEC3 mutes the user's first ~0.1 s, not more);
    louder echoes are where AEC3's double-talk suppression still loses the user (docs/benchmarks.md)."""
    said = speech("Hold on, what time is it in Tokyo?", voice="espeak")[0]
    at = 5.0
    user = np.concatenate([np.zeros(int(at * SAMPLE_RATE), np.int16), said])
    conditions = RoomConditions(delay_ms=80, rt60_secs=0.3, echo_db=-10.0, distortion=0.2, seed=3)
    take = run_take(answer, user, conditions, "aec3", vad, stop_bot_on_speech_after=at - 0.3)
    assert [t for t in take.vad_starts if t < at - 0.3] == []   # no self-interruption before the user speaks
    detected = [t for t in take.vad_starts if t >= at - 0.3]
    assert detected and detected[0] < at + 1.0


def test_the_bot_pauses_at_the_first_sound_over_its_echo(answer: np.ndarray, vad: VadRunner) -> None:
    """Echo as loud as the user: AEC3 mutes "Stop," and the VAD's start alone comes with the next words; the
    pause at the first possible speech (onset_pause.py) stops the bot within 0.3 s, and the bot alone in the
    same room is never paused (docs/benchmarks.md, echo cancellation, the pause)."""
    said = speech("Stop, what time is it?", voice="espeak")[0]
    at = 5.0
    user = np.concatenate([np.zeros(int(at * SAMPLE_RATE), np.int16), said])
    onset = at + speech_onset(said)
    conditions = RoomConditions(delay_ms=80, rt60_secs=0.3, echo_db=0.0, distortion=0.2, seed=5)
    late = run_take(answer, user, conditions, "aec3", vad, stop_bot_on_speech_after=at - 0.3)
    soon = run_take(answer, user, conditions, "aec3", vad, stop_bot_on_speech_after=at - 0.3, pause_after_secs=0.06)
    assert late.stopped_at is not None and soon.stopped_at is not None
    # (how late the VAD's start alone comes depends on the CPU's float paths in AEC3: 0.8 s and more after the
    # onset on one machine, 0.43 s on another; the pause is what brings it within 0.3 s on both)
    assert soon.stopped_at - onset < 0.3 < late.stopped_at - onset, (late.stopped_at, soon.stopped_at, onset)
    alone = run_take(answer, np.zeros(0, np.int16), conditions, "aec3", vad, pause_after_secs=0.06)
    assert alone.vad_starts == [] and alone.pauses == []


@pytest.mark.parametrize("echo_db", [-6.0, 0.0])
def test_speech_recognition_hears_the_user_over_the_bot(echo_db: float, answer: np.ndarray, vad: VadRunner) -> None:
    """Double talk: AEC3's output (for the VAD) garbles the user; the linear filter's (for STT) keeps more
    of the words, while still taking echo away where only the bot is heard."""
    from firmware_py.speech.stt import MoonshineStt
    from tests.speechgen import word_error_rate

    text = "Excuse me, what time is it in Tokyo right now?"
    said = speech(text, voice="espeak")[0]
    at = 3.5
    user = np.concatenate([np.zeros(int(at * SAMPLE_RATE), np.int16), said])
    conditions = RoomConditions(delay_ms=70, rt60_secs=0.35, echo_db=echo_db, distortion=0.2, seed=5)
    take = run_take(answer, user, conditions, "aec3", vad)
    window = slice(int((at - 0.2) * SAMPLE_RATE), int((at + 0.2) * SAMPLE_RATE) + len(said))
    stt = MoonshineStt(models_dir() / "stt")
    for_recognition = word_error_rate(text, stt.transcribe(take.recognition[window]))
    for_detection = word_error_rate(text, stt.transcribe(take.processed[window]))
    assert for_recognition <= 0.2 and for_detection >= 0.4, (for_recognition, for_detection)
    bot_alone = far_active(answer, len(take.mic))
    bot_alone[int((at - 0.5) * SAMPLE_RATE):] = False
    assert erle_db(take.mic, take.recognition, bot_alone) > 3


def test_without_a_reference_nothing_is_taken_away() -> None:
    said = speech("Please add milk and bread to my shopping list.", voice="espeak")[0]
    canceller = EchoCanceller(PlaybackReference())
    frames = [said[i:i + 320] for i in range(0, len(said) - 319, 320)]
    out = np.concatenate([canceller.process(AudioFrame(f), T0 + (i + 1) * 0.02).samples for i, f in enumerate(frames)])
    kept = float(np.sqrt(np.mean(out.astype(np.float64) ** 2)) / np.sqrt(np.mean(said[:len(out)].astype(np.float64) ** 2)))
    assert 0.7 < kept < 1.3


def test_a_cleared_reference_stops_guarding_so_the_user_passes() -> None:
    """After barge-in flushed the speaker, the guard must not keep turning the user down."""
    far = speech(ANSWER)[0][: 4 * SAMPLE_RATE]
    said = speech("What time is it in Tokyo?", voice="espeak")[0]
    stop = 2.0
    cut = far.copy()
    cut[int(stop * SAMPLE_RATE):] = 0
    user = np.concatenate([np.zeros(int((stop + 0.6) * SAMPLE_RATE), np.int16), said])
    recording = record(cut, user, RoomConditions(delay_ms=50, rt60_secs=0.3, echo_db=3.0, seed=4))
    reference = PlaybackReference()
    reference.played(far, SAMPLE_RATE, T0)
    reference.cleared(T0 + stop)
    canceller = EchoCanceller(reference)
    out = np.concatenate([canceller.process(AudioFrame(recording.mic[i:i + 320]), T0 + (i + 320) / SAMPLE_RATE).samples
                          for i in range(0, len(recording.mic) - 319, 320)])
    start = int((stop + 0.6) * SAMPLE_RATE)
    user_part = slice(start, start + len(said) - 320)
    ratio = np.sqrt(np.mean(out[user_part].astype(np.float64) ** 2) / np.mean(recording.user[user_part].astype(np.float64) ** 2))
    assert ratio > 0.6


def test_noise_suppression_without_echo_cancellation_turns_down_steady_noise() -> None:
    from firmware_py.audio.io import NullSink, QueueSource
    from firmware_py.audio.processing import ProcessedSource, SpeechCleanup, processed_source

    assert processed_source(None, NullSink(), echo_cancel=False) is None     # nothing asked: nothing in the way
    wrapped = processed_source(QueueSource(), NullSink(), echo_cancel=False, noise_suppression=True)
    assert isinstance(wrapped, ProcessedSource)
    hum = (np.random.default_rng(2).standard_normal(3 * SAMPLE_RATE) * 600).astype(np.int16)
    cleanup = SpeechCleanup(noise_suppression=True)
    out = np.concatenate([cleanup.process(AudioFrame(hum[i:i + 320]), 0.0).samples for i in range(0, len(hum) - 319, 320)])
    tail = slice(SAMPLE_RATE, None)   # after the estimator has learned the noise
    reduction = 10 * np.log10(np.mean(hum[tail].astype(np.float64) ** 2) / np.mean(out[tail].astype(np.float64) ** 2))
    assert reduction > 6
