"""`rtvi-edge doctor --echo`: against a simulated room, on verdicts, and through ALSA file PCMs via the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.audio.processing.diagnose import SPEECHLIKE_SECS, SWEEP_SECS, echo_delay, judge, measure_echo
from firmware_py.audio.processing.room import RoomConditions
from firmware_py.audio.processing.room_device import simulated_room
from tests.audio.test_alsa_file_pcm import ALSA_CONF, ASOUNDRC


def test_measures_the_delay_and_cancels_a_simulated_room() -> None:
    mic, speaker = simulated_room(RoomConditions(delay_ms=120, rt60_secs=0.4, distortion=0.2))
    report = asyncio.run(measure_echo(mic, speaker))
    assert report.ok, report.verdict
    assert report.delay_ms is not None and 120 <= report.delay_ms <= 200   # plus the mic's 20 ms frames
    assert report.erle_db > 20
    assert "works" in report.verdict


def test_cross_correlation_finds_a_known_lag() -> None:
    rng = np.random.default_rng(0)
    reference = (rng.standard_normal(SAMPLE_RATE) * 3000).astype(np.int16)
    recording = np.concatenate([np.zeros(1600, np.int16), reference // 4, np.zeros(800, np.int16)])
    lag, prominence = echo_delay(reference, recording)
    assert lag == pytest.approx(0.1, abs=1e-3) and prominence > 0.5
    assert echo_delay(reference, (rng.standard_normal(len(recording)) * 3000).astype(np.int16))[0] is None


def _take(delay: float | None, clipped: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    length = int((SWEEP_SECS + SPEECHLIKE_SECS) * SAMPLE_RATE)
    far = np.full(length, 3000, np.int16)
    mic = np.full(length, 32767 if clipped else 300, np.int16)
    return far, mic, (mic // 100).astype(np.int16)


@pytest.mark.parametrize(("delay", "clipped", "expected", "ok"), [
    (None, False, "No echo heard", True),
    (0.6, False, "longer than the canceller follows", False),
    (0.05, True, "clips", False),
    (0.05, False, "works", True),
])
def test_verdicts_in_plain_words(delay: float | None, clipped: bool, expected: str, ok: bool) -> None:
    far, mic, cleaned = _take(delay, clipped)
    report = judge(far, mic, cleaned, delay)
    assert expected in report.verdict and report.ok is ok


def test_nothing_played_is_a_failure() -> None:
    far, mic, cleaned = _take(0.05)
    report = judge(np.zeros_like(far), mic, cleaned, None)
    assert not report.ok and "Nothing was played" in report.verdict


@pytest.mark.skipif(not ALSA_CONF.exists(), reason="alsa-lib configuration is not installed")
def test_cli_runs_the_echo_check_through_alsa_file_pcms(tmp_path: Path) -> None:
    """A file microphone has no clock: the check plays the sweep, records, and says it cannot measure."""
    noise = (np.random.default_rng(1).standard_normal(SAMPLE_RATE * 60) * 30).astype("<i2")
    infile, outfile = tmp_path / "mic.raw", tmp_path / "speaker.raw"
    infile.write_bytes(noise.tobytes())
    rc = tmp_path / "asoundrc"
    rc.write_text(ASOUNDRC.format(infile=infile, outfile=outfile))
    config = tmp_path / "config.toml"
    config.write_text('[audio]\ninput_device = "rtvitestmic"\noutput_device = "rtvitestspk"\n')
    env = {**os.environ, "ALSA_CONFIG_PATH": f"{ALSA_CONF}:{rc}"}
    child = subprocess.run([sys.executable, "-m", "firmware_py.cli", "--config", str(config), "doctor", "--echo",
                            "--json"], env=env, capture_output=True, text=True, timeout=90,
                           cwd=Path(__file__).resolve().parents[2])
    report = json.loads(child.stdout[child.stdout.index("{"):])
    echo = next(check for check in report["checks"] if check["name"] == "echo")
    assert echo["status"] == "warn" and "faster than real time" in echo["detail"], echo
    played = np.frombuffer(outfile.read_bytes(), dtype="<i2")
    assert len(played) >= 0.9 * (SWEEP_SECS + SPEECHLIKE_SECS) * SAMPLE_RATE   # the sweep really went out
