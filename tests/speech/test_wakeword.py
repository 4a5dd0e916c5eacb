"""openWakeWord "hey jarvis": fires on the phrase in both test voices, stays quiet on everything else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from firmware_py.config import ConfigError, WakeWordSettings
from firmware_py.models import ModelError
from firmware_py.speech.wake_gate import FIRST_STEPS, FLOOR_STEPS, QuietGate, hold_steps
from firmware_py.speech.wakeword import EMBEDDINGS, MEL_FRAMES, STEP, WakeWordEngine, WakeWordStream
from tests.speechgen import noise, silence, speech, tones, with_pause

from .streams import detections

THRESHOLD = WakeWordSettings().threshold
OTHER_SPEECH = ["What is the weather like today?", "Turn on the kitchen light.", "Hey, how are you doing?",
                "Set a timer for ten minutes.", "Harvest the garden this weekend."]


def padded(samples: np.ndarray) -> np.ndarray:
    return np.concatenate([silence(1.0), samples, silence(1.0)])


@pytest.mark.parametrize("voice, text, options", [
    ("hibari", "Hey Jarvis", {}),
    ("hibari", "Hey, Jarvis.", {}),
    ("hibari", "Hey Jarvis", {"speed": 1.2}),
    ("espeak", "Hey Jarvis", {}),
    ("espeak", "Hey Jarvis!", {"espeak_voice": "en-gb"}),
    ("espeak", "Hey Jarvis", {"speed": 0.8}),
])
def test_fires_once_on_the_phrase(jarvis: WakeWordEngine, voice: str, text: str, options: dict) -> None:
    stream = jarvis.new_stream(THRESHOLD, refractory_secs=2.0)
    fired = detections(stream, padded(speech(text, voice=voice, **options)[0]))
    assert len(fired) == 1
    assert fired[0] >= THRESHOLD


@pytest.mark.parametrize("voice", ["hibari", "espeak"])
def test_other_speech_does_not_fire(jarvis: WakeWordEngine, voice: str) -> None:
    stream = jarvis.new_stream(THRESHOLD, refractory_secs=2.0)
    clip = with_pause([speech(text, voice=voice)[0] for text in OTHER_SPEECH], pause_secs=0.7)
    assert detections(stream, padded(clip)) == []
    assert stream.max_score < THRESHOLD


def test_noise_and_music_do_not_fire(jarvis: WakeWordEngine) -> None:
    stream = jarvis.new_stream(THRESHOLD, refractory_secs=2.0)
    assert detections(stream, np.concatenate([noise(4.0, 0.05), tones(4.0), silence(1.0)])) == []


def test_the_score_rises_on_the_phrase(jarvis: WakeWordEngine) -> None:
    other = jarvis.new_stream(THRESHOLD, 2.0)
    detections(other, padded(speech("What is the weather like today?")[0]))
    phrase = jarvis.new_stream(THRESHOLD, 2.0)
    detections(phrase, padded(speech("Hey Jarvis")[0]))
    assert phrase.max_score > 0.9 > 0.2 > other.max_score


def test_chunk_size_does_not_matter(jarvis: WakeWordEngine) -> None:
    clip = padded(speech("Hey Jarvis")[0])
    scores = []
    for chunk in (160, 1280, 4000, len(clip)):
        stream = jarvis.new_stream(THRESHOLD, 2.0)
        detections(stream, clip, chunk)
        scores.append(stream.max_score)
    assert np.allclose(scores, scores[0], atol=1e-5)


def test_refractory_period_holds_back_repeats(jarvis: WakeWordEngine) -> None:
    phrase = speech("Hey Jarvis")[0]
    twice = padded(with_pause([phrase, phrase], pause_secs=1.0))
    assert len(detections(jarvis.new_stream(THRESHOLD, refractory_secs=10.0), twice)) == 1
    assert len(detections(jarvis.new_stream(THRESHOLD, refractory_secs=1.0), twice)) == 2


def test_live_threshold_and_reset(jarvis: WakeWordEngine) -> None:
    stream = jarvis.new_stream(THRESHOLD, 2.0)
    stream.threshold = 0.9999  # raised while running
    detections(stream, padded(speech("What time is it?")[0]))
    assert stream.max_score < 0.9999
    stream.reset()
    assert stream.max_score == 0.0 and stream.last_score == 0.0


def test_odd_input_is_harmless(jarvis: WakeWordEngine) -> None:
    stream = jarvis.new_stream(THRESHOLD, 2.0)
    assert stream.process(np.zeros(0, np.int16)) is None
    assert stream.process(np.zeros(7, np.int16)) is None
    assert stream.process(np.full(5000, 32767, np.int16)) is None


def test_unknown_phrase_names_the_installed_ones(models_root: Path) -> None:
    with pytest.raises(ConfigError, match="hey_jarvis"):
        WakeWordEngine(models_root / "wakeword", "ok_computer")


# --- the quiet gate: the embedding model is skipped while the room is at its floor ---------------------


def step_scores(stream: WakeWordStream, clip: np.ndarray) -> np.ndarray:
    """The stream's score after every 80 ms step of `clip` (0 where the gate skipped the step)."""
    scores = []
    for start in range(0, len(clip) - STEP + 1, STEP):
        stream.process(clip[start:start + STEP])
        scores.append(stream.last_score)
    return np.array(scores)


def in_noise(phrase: np.ndarray, level: float, snr_db: float, secs: float = 12.0) -> np.ndarray:
    """`phrase` at `snr_db` over steady pink noise of RMS `level`, starting at half of `secs`."""
    background = noise(secs, level, seed=7).astype(np.float64)
    gain = level * 10 ** (snr_db / 20) / (np.sqrt(np.mean(phrase.astype(np.float64) ** 2)) / 32768)
    start = len(background) // 2
    background[start:start + len(phrase)] += phrase * gain
    return np.clip(background, -32768, 32767).astype(np.int16)


def test_gated_scores_are_the_ungated_ones(jarvis: WakeWordEngine) -> None:
    phrase = speech("Hey Jarvis, what time is it")[0]
    clip = np.concatenate([silence(5.0), phrase, silence(3.0), phrase, silence(0.5), phrase, silence(4.0)])
    plain = step_scores(jarvis.new_stream(THRESHOLD, 2.0, gated=False), clip)
    gated_stream = jarvis.new_stream(THRESHOLD, 2.0)
    gated = step_scores(gated_stream, clip)
    computed = gated != 0.0
    assert gated_stream.skipped_steps >= 50          # the silences were skipped...
    assert np.count_nonzero(~computed) >= gated_stream.skipped_steps
    assert np.abs(plain[computed] - gated[computed]).max() <= 1e-6   # ...and every score computed is today's
    assert plain[~computed].max() < 0.01             # what was skipped scored nothing
    assert (plain >= THRESHOLD).any() and gated.max() == plain.max()


@pytest.mark.parametrize("voice", ["hibari", "espeak"])
@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 6.0, 20.0])
def test_the_gate_hears_a_phrase_in_a_noisy_room(jarvis: WakeWordEngine, voice: str, snr_db: float) -> None:
    clip = in_noise(speech("Hey Jarvis, what time is it", voice=voice)[0], 0.03, snr_db)
    plain, gated = jarvis.new_stream(THRESHOLD, 2.0, gated=False), jarvis.new_stream(THRESHOLD, 2.0)
    assert detections(gated, clip) == detections(plain, clip)
    assert gated.max_score == plain.max_score
    assert gated.skipped_steps >= 20                 # the steady noise before and after was skipped


def test_silence_and_steady_noise_skip_the_embedding_model(jarvis: WakeWordEngine,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    embed = jarvis.embed
    monkeypatch.setattr(jarvis, "embed", lambda window: calls.append(1) or embed(window))
    for clip in (silence(20.0), noise(20.0, 0.03)):
        calls.clear()
        stream = jarvis.new_stream(THRESHOLD, 2.0)
        detections(stream, clip)
        steps = len(clip) // STEP
        assert len(calls) <= FIRST_STEPS + hold_steps(MEL_FRAMES, EMBEDDINGS) + 1   # the first 3 s
        assert stream.skipped_steps == steps - len(calls) >= steps - 40


def test_sound_after_a_long_quiet_embeds_only_one_window(jarvis: WakeWordEngine,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    stream = jarvis.new_stream(THRESHOLD, 2.0)
    detections(stream, silence(10.0))
    calls = []
    embed = jarvis.embed
    monkeypatch.setattr(jarvis, "embed", lambda window: calls.append(1) or embed(window))
    stream.process(noise(STEP / 16000, 0.3))
    assert len(calls) == EMBEDDINGS


def test_the_floor_follows_the_room() -> None:
    gate = QuietGate(hold=3)
    hum = np.full((8, 32), 5.0, np.float32)
    assert all(gate.open_for(hum) for _ in range(FIRST_STEPS))   # no floor yet
    assert [gate.open_for(hum) for _ in range(3)] == [True, True, False]   # 3 quiet steps: all it reads
    assert gate.open_for(hum + 0.5)                               # 5 dB above the floor: sound
    assert [gate.open_for(hum) for _ in range(3)] == [True, True, False]
    assert gate.open_for(hum + 0.2) is False                      # 2 dB: inside the margin
    louder = hum + 1.0                                            # a fan turned on: open until it is the floor
    opened = [gate.open_for(louder) for _ in range(FLOOR_STEPS + 5)]
    assert all(opened[:FLOOR_STEPS - 1]) and not opened[-1]


# --- LiteRT: the satellite's runtime ------------------------------------------------------------------


@pytest.fixture(scope="module")
def jarvis_litert(models_root: Path) -> WakeWordEngine:
    pytest.importorskip("ai_edge_litert")
    engine = WakeWordEngine(models_root / "wakeword", "hey_jarvis", prefer_litert=True)
    assert engine.runtime == "litert"
    return engine


@pytest.mark.parametrize("voice", ["hibari", "espeak"])
def test_litert_scores_are_onnxruntimes(jarvis: WakeWordEngine, jarvis_litert: WakeWordEngine, voice: str) -> None:
    clip = padded(with_pause([speech("Hey Jarvis, what time is it", voice=voice)[0],
                              speech("Turn on the kitchen light.", voice=voice)[0]], pause_secs=1.0))
    onnx = step_scores(jarvis.new_stream(THRESHOLD, 2.0), clip)
    litert = step_scores(jarvis_litert.new_stream(THRESHOLD, 2.0), clip)
    assert onnx.max() >= THRESHOLD
    assert np.abs(onnx - litert).max() <= 1e-4    # measured: 2e-6 at most
    assert np.array_equal(onnx >= THRESHOLD, litert >= THRESHOLD)


def test_litert_falls_back_to_onnxruntime_without_its_models(models_root: Path, tmp_path: Path) -> None:
    for model in (models_root / "wakeword").glob("*.onnx"):
        (tmp_path / model.name).symlink_to(model)
    assert WakeWordEngine(tmp_path, "hey_jarvis", prefer_litert=True).runtime == "onnxruntime"
    (tmp_path / "embedding_model.tflite").write_bytes(b"not a model")
    (tmp_path / "melspectrogram.tflite").symlink_to(models_root / "wakeword" / "melspectrogram.tflite")
    with pytest.raises(ModelError, match="embedding_model.tflite cannot be loaded"):
        WakeWordEngine(tmp_path, "hey_jarvis", prefer_litert=True)
