"""The page's pure modules run in Node and are checked against the daemon's protobuf runtime and numpy.

wire.js must speak exactly what firmware_py/rtvi/protocol/wire.py (the protobuf library) speaks, both ways, and
reject damaged frames with its own WireError; the microphone downsampler must keep speech and drop
what would fold back above 8 kHz.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_py.rtvi.protocol import wire
from tests.kiosk.harness import KIOSK_DIR

pytestmark = pytest.mark.timeout(120)

CHECKER = KIOSK_DIR / "check_modules.mjs"
json_scalars = st.none() | st.booleans() | st.integers(-2**53, 2**53) | st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
messages = st.dictionaries(st.text(max_size=12), json_values, max_size=6)
pcm_chunks = st.binary(max_size=4000)
rates = st.sampled_from([8_000, 16_000, 24_000, 44_100, 48_000, 96_000])


@pytest.fixture(scope="module", autouse=True)
def node_present(browser_tools: None) -> None:
    """Node comes with the browser tools; without them these checks skip with the same reason."""


def run_checker(cases: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(["node", str(CHECKER)], input=json.dumps(cases), capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages, min_size=20, max_size=20),
       st.lists(st.tuples(pcm_chunks, rates, st.integers(1, 2)), min_size=20, max_size=20))
def test_frames_encoded_by_the_page_decode_in_the_daemon(batch: list[dict[str, Any]],
                                                        audio: list[tuple[bytes, int, int]]) -> None:
    out = run_checker({"messages": batch,
                       "audio": [{"pcm": pcm.hex(), "rate": rate, "channels": ch} for pcm, rate, ch in audio]})
    for message, encoded in zip(batch, out["messages"]):
        decoded = wire.decode(bytes.fromhex(encoded))
        assert isinstance(decoded, wire.MessageIn) and json.loads(decoded.text) == message
    for (pcm, rate, channels), encoded in zip(audio, out["audio"]):
        assert wire.decode(bytes.fromhex(encoded)) == wire.AudioIn(pcm, rate, channels)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(messages, min_size=20, max_size=20), st.lists(st.tuples(pcm_chunks, rates), min_size=20, max_size=20))
def test_frames_encoded_by_the_daemon_decode_in_the_page(batch: list[dict[str, Any]],
                                                        audio: list[tuple[bytes, int]]) -> None:
    frames = [wire.encode_message(json.dumps(m)).hex() for m in batch]
    frames += [wire.encode_audio(pcm, rate).hex() for pcm, rate in audio]
    frames.append(wire.encode_interruption().hex())
    decoded = run_checker({"decode": frames})["decoded"]
    assert [d["message"] for d in decoded[: len(batch)]] == batch
    for (pcm, rate), frame in zip(audio, decoded[len(batch):]):
        assert (frame["kind"], bytes.fromhex(frame["pcm"]), frame["sampleRate"], frame["numChannels"]) == \
            ("audio", pcm, rate, 1)
    assert decoded[-1] == {"kind": "interruption"}


def test_damaged_frames_are_refused_with_wire_error() -> None:
    valid = wire.encode_message(json.dumps({"label": "rtvi-ai", "type": "bot-ready", "data": {"x": "é" * 30}}))
    truncated = [valid[:cut].hex() for cut in range(1, len(valid))]
    not_json = wire.encode_message("{not json").hex()
    not_object = wire.encode_message("[1, 2]").hex()
    bad_utf8 = (b"\x22\x04\x0a\x02\xc3\x28").hex()
    bad_wire_type = "27"  # field 4 with wire type 7
    long_varint = ("ff" * 11) + "01"
    decoded = run_checker({"decode": truncated + [not_json, not_object, bad_utf8, bad_wire_type, long_varint]})
    assert [d.get("error") for d in decoded["decoded"]] == ["WireError"] * (len(truncated) + 5)


@settings(max_examples=4, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=64), min_size=200, max_size=200))
def test_random_bytes_never_break_the_decoder(blobs: list[bytes]) -> None:
    for frame in run_checker({"decode": [blob.hex() for blob in blobs]})["decoded"]:
        assert frame.get("error", "WireError") == "WireError", frame
        assert frame.get("kind", "error") in {"error", "message", "audio", "text", "transcription",
                                              "interruption", "unknown"}


def tone_case(input_rate: int, frequency: float) -> dict[str, Any]:
    return {"inputRate": input_rate, "outputRate": 16_000, "frequency": frequency, "seconds": 1.0, "chunk": 128}


def dominant(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def test_microphone_downsampler_keeps_speech_and_drops_what_would_alias() -> None:
    cases = [tone_case(48_000, 1_000), tone_case(44_100, 440), tone_case(48_000, 11_000), tone_case(16_000, 3_000)]
    results = run_checker({"resample": cases})["resampled"]
    outputs = [np.array(r["samples"], np.float64) / 32768 for r in results]
    for result, samples in zip(results, outputs):
        assert result["frameCount"] in (49, 50)  # 1 s in 20 ms frames
        assert len(samples) == result["frameCount"] * 320
    rms = [float(np.sqrt(np.mean(s[800:] ** 2))) for s in outputs]  # past the filter's settling
    assert abs(dominant(outputs[0], 16_000) - 1_000) < 20 and 0.32 < rms[0] < 0.39  # 0.5 amplitude: rms 0.354
    assert abs(dominant(outputs[1], 16_000) - 440) < 20 and 0.32 < rms[1] < 0.39
    assert rms[2] < 0.354 / 10, "an 11 kHz tone must not fold back to 5 kHz"
    assert abs(dominant(outputs[3], 16_000) - 3_000) < 20 and 0.34 < rms[3] < 0.36  # same rate: untouched
