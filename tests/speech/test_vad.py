"""Silero VAD and the start/stop tracker on generated speech, silence, noise and music."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE, AudioFrame, resample
from firmware_py.config import VadSettings
from firmware_py.models import ModelError
from firmware_py.speech.vad import SileroVad, VadTracker
from tests.speechgen import noise, silence, speech, tones, with_pause

from .streams import vad_events

QUESTION = "What is the weather like today?"


def speech_bounds(samples: np.ndarray) -> tuple[float, float]:
    """First and last clearly voiced second of a clip (20 ms energy above 1 % of full scale)."""
    frames = samples[: len(samples) // 320 * 320].reshape(-1, 320).astype(np.float32) / 32768.0
    loud = np.flatnonzero(np.sqrt(np.mean(frames ** 2, axis=1)) > 0.01)
    return loud[0] * 320 / SAMPLE_RATE, (loud[-1] + 1) * 320 / SAMPLE_RATE


@pytest.mark.parametrize("voice", ["hibari", "espeak"])
def test_speech_starts_and_stops_where_it_is(vad: SileroVad, voice: str) -> None:
    clip = np.concatenate([silence(1.0), speech(QUESTION, voice=voice)[0], silence(1.0)])
    tracker = VadTracker(vad.new_stream(), VadSettings())
    events = vad_events(tracker, clip)
    assert [e.kind for e in events] == ["start", "stop"]
    onset, offset = speech_bounds(clip)
    assert abs(events[0].at_sample / SAMPLE_RATE - onset) < 0.3
    assert abs(events[1].at_sample / SAMPLE_RATE - offset) < 0.4
    assert not tracker.speaking
    assert tracker.samples_seen == len(clip) // 320 * 320


@pytest.mark.parametrize("name, clip", [
    ("silence", silence(3.0)),
    ("quiet noise", noise(5.0, level=0.02)),
    ("loud noise", noise(5.0, level=0.2)),
    ("music-like chords", tones(5.0)),
])
def test_non_speech_never_starts_a_turn(vad: SileroVad, name: str, clip: np.ndarray) -> None:
    tracker = VadTracker(vad.new_stream(), VadSettings())
    assert vad_events(tracker, clip) == [], name
    assert not tracker.speaking


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
def test_other_rates_work_once_resampled(vad: SileroVad, rate: int) -> None:
    samples, _ = speech(QUESTION, voice="espeak", rate=rate)
    clip = np.concatenate([silence(0.5, rate), samples, silence(1.0, rate)])
    tracker = VadTracker(vad.new_stream(), VadSettings())
    assert [e.kind for e in vad_events(tracker, resample(clip, rate, SAMPLE_RATE))] == ["start", "stop"]


@pytest.mark.parametrize("rate", [8000, 48000])
def test_tracker_resamples_frames_at_other_rates_itself(vad: SileroVad, rate: int) -> None:
    samples, _ = speech(QUESTION, voice="espeak", rate=rate)
    clip = np.concatenate([silence(0.5, rate), samples, silence(1.0, rate)])
    tracker = VadTracker(vad.new_stream(), VadSettings())
    events = vad_events(tracker, clip, frame=rate // 50, rate=rate)
    assert [e.kind for e in events] == ["start", "stop"]
    # the streaming resampler holds back its filter delay (about 0.1 s when upsampling 8 kHz)
    assert abs(tracker.samples_seen - len(clip) * SAMPLE_RATE / rate) < 0.2 * SAMPLE_RATE


def test_probability_does_not_depend_on_chunk_size(vad: SileroVad) -> None:
    clip = np.concatenate([silence(0.3), speech(QUESTION)[0]])
    finals = []
    for chunk in (100, 320, 512, 1000, len(clip)):
        stream = vad.new_stream()
        for start in range(0, len(clip), chunk):
            stream.probability(clip[start:start + chunk])
        finals.append(stream.last_probability)
    assert np.allclose(finals, finals[0], atol=1e-5)


def test_reset_forgets_speech(vad: SileroVad) -> None:
    stream = vad.new_stream()
    stream.probability(speech(QUESTION)[0][:16000])
    assert stream.last_probability > 0.5
    stream.reset()
    assert stream.last_probability == 0.0
    assert stream.probability(silence(0.1)) < 0.1


def test_stop_secs_bridges_short_pauses_and_is_live(vad: SileroVad) -> None:
    first, second = speech("I would like to")[0], speech("order a pizza.")[0]
    # hibari leaves ~0.3 s of near-silence at each end, so the words are ~1.4 s apart
    clip = np.concatenate([silence(0.5), with_pause([first, second], pause_secs=0.8), silence(2.5)])
    patient = VadTracker(vad.new_stream(), VadSettings(stop_secs=2.0))
    assert [e.kind for e in vad_events(patient, clip)] == ["start", "stop"]
    quick = VadTracker(vad.new_stream(), VadSettings(stop_secs=2.0))
    quick.settings = VadSettings(stop_secs=0.2)  # changed while running, as live config does
    assert [e.kind for e in vad_events(quick, clip)] == ["start", "stop", "start", "stop"]


def test_start_secs_ignores_a_short_blip(vad: SileroVad) -> None:
    word = speech("Yes.")[0]
    clip = np.concatenate([silence(0.5), word, silence(1.0)])
    assert vad_events(VadTracker(vad.new_stream(), VadSettings(start_secs=0.1)), clip)
    assert vad_events(VadTracker(vad.new_stream(), VadSettings(start_secs=1.5)), clip) == []


class ScriptedStream:
    """Speech probabilities given frame by frame, as the tracker's model stream."""

    def __init__(self, pattern: str) -> None:
        self._left = [1.0 if mark == "#" else 0.0 for mark in pattern]

    def probability(self, _samples: np.ndarray) -> float:
        return self._left.pop(0) if self._left else 0.0

    def reset(self) -> None:
        pass


def starts(pattern: str) -> list[int]:
    """Where a tracker on 20 ms loud frames, scored `pattern` ('#' speech, '.' not), starts speech."""
    tracker = VadTracker(ScriptedStream(pattern), VadSettings())   # type: ignore[arg-type]
    loud = np.full(320, 8000, np.int16)
    return [event.at_sample for _ in pattern if (event := tracker.process(AudioFrame(loud))) and event.kind == "start"]


def test_a_dip_inside_a_short_word_does_not_undo_its_start() -> None:
    """"Down," after a pause: 160 ms of speech, a 60 ms dip, 180 ms more; the start was never reached when
    any frame below the bar began it again, and the rest of a request was lost."""
    assert starts("." * 10 + "#" * 8 + "..." + "#" * 9 + "." * 20) == [3200]
    assert starts("." * 10 + "#" * 8 + "." * 20) == [], "160 ms of speech alone is still too short"
    assert starts("." * 10 + "#" * 5 + "." * 6 + "#" * 5 + "." * 20) == [], "two blips apart are no start"


def test_min_volume_rejects_quiet_speech(vad: SileroVad) -> None:
    quiet = (speech(QUESTION)[0].astype(np.float32) * 0.1).astype(np.int16)
    clip = np.concatenate([silence(0.5), quiet, silence(1.0)])
    assert vad_events(VadTracker(vad.new_stream(), VadSettings(min_volume=0.0)), clip)
    assert vad_events(VadTracker(vad.new_stream(), VadSettings(min_volume=0.05)), clip) == []


def test_tracker_reset_ends_speaking_state(vad: SileroVad) -> None:
    tracker = VadTracker(vad.new_stream(), VadSettings())
    vad_events(tracker, np.concatenate([silence(0.3), speech(QUESTION)[0][:20000]]))
    assert tracker.speaking
    tracker.reset()
    assert not tracker.speaking and tracker.samples_seen == 0 and tracker.last_probability == 0.0


def test_odd_frames_do_not_break_it(vad: SileroVad) -> None:
    tracker = VadTracker(vad.new_stream(), VadSettings())
    assert tracker.process(AudioFrame(np.zeros(0, np.int16))) is None
    assert tracker.process(AudioFrame(np.full(7, 32767, np.int16))) is None
    stream = vad.new_stream()
    assert 0.0 <= stream.probability(np.array([np.nan, np.inf] * 300, np.float32)) <= 1.0


def test_a_wrong_file_is_a_model_error(tmp_path) -> None:  # noqa: ANN001
    bogus = tmp_path / "silero_vad.onnx"
    bogus.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="silero_vad.onnx"):
        SileroVad(bogus)
    with pytest.raises(ModelError, match="missing"):
        SileroVad(tmp_path / "absent.onnx")
