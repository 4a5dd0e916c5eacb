"""The real PyAudio/PortAudio/ALSA path, against ALSA `type file` PCMs (no sound card needed).

ALSA reads its configuration once per process, so the check runs in a child process whose
ALSA_CONFIG_PATH adds two PCMs: a microphone that plays a raw file and a speaker that records one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ASOUNDRC = """
pcm.rtvitestmic {{
  type file
  slave.pcm "null"
  file "/dev/null"
  infile "{infile}"
  format "raw"
}}
pcm.rtvitestspk {{
  type file
  slave.pcm "null"
  file "{outfile}"
  format "raw"
}}
"""

CHILD = """
import asyncio, json, sys
import numpy as np
from firmware_py.audio.alsa import list_devices, open_local_audio
from firmware_py.config import AudioSettings
from firmware_py.events import DeviceStatus, EventBus

async def main():
    bus = EventBus()
    seen = []
    bus.subscribe(seen.append, DeviceStatus)
    names = [d.name for d in list_devices()]
    settings = AudioSettings(input_device="rtvitestmic", output_device="rtvitestspk", volume=0.5)
    source, sink = open_local_audio(settings, bus, source_rate=22050)
    frames = []
    async for frame in source.frames():
        frames.append(frame.samples.tolist())
        if len(frames) == 40:
            break
    await source.close()
    await sink.write(np.full(22050 // 10, 2000, np.int16))
    await sink.drain()
    await sink.close()
    await asyncio.sleep(0)
    print(json.dumps({"names": names, "frames": frames, "rates": [source.device_rate, sink.sample_rate],
                      "status": [[s.part, s.ok] for s in seen]}))

asyncio.run(main())
"""

ALSA_CONF = Path("/usr/share/alsa/alsa.conf")


@pytest.mark.skipif(not ALSA_CONF.exists(), reason="alsa-lib configuration is not installed")
def test_capture_and_playback_through_alsa_file_pcms(tmp_path: Path) -> None:
    # frame i holds i, i+1, ... i+319: every 320-sample frame of the 20 s file is unique
    mic = (np.arange(1000)[:, None] + np.arange(320)[None, :]).astype("<i2").ravel()
    infile, outfile = tmp_path / "mic.raw", tmp_path / "speaker.raw"
    infile.write_bytes(mic.tobytes())
    rc = tmp_path / "asoundrc"
    rc.write_text(ASOUNDRC.format(infile=infile, outfile=outfile))
    env = {**os.environ, "ALSA_CONFIG_PATH": f"{ALSA_CONF}:{rc}"}
    child = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60,
                           cwd=Path(__file__).resolve().parents[2])
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout.strip().splitlines()[-1])

    assert {"rtvitestmic", "rtvitestspk"} <= set(report["names"])
    assert report["rates"] == [16_000, 22_050]  # both opened at the wanted rate: nothing resampled
    assert ["audio-in", True] in report["status"] and ["audio-out", True] in report["status"]
    # every captured frame is a frame of the file, in order. The file PCM has no clock, so the reader runs
    # ahead of the consumer and the source drops the oldest backlog: skips are fine, reordering is not.
    indices = []
    for frame in report["frames"]:
        index = frame[0]
        assert frame == list(range(index, index + 320)), "captured audio is not the microphone's"
        indices.append(index)
    assert indices == sorted(set(indices)) and indices[-1] - indices[0] >= 39
    played = np.frombuffer(outfile.read_bytes(), dtype="<i2")
    assert len(played) == 2205 and set(np.unique(played)) == {1000}  # volume 0.5 applied
