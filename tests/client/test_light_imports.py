"""The protocol package and the client SDK stay light: no server code, no websockets (protocol), no numpy, no soxr."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["numpy", "soxr", "onnxruntime", "firmware_py.rtvi.server", "firmware_py.rtvi.session",
         "firmware_py.rtvi.handlers", "firmware_py.config", "firmware_py.events"]


def loaded_after(statement: str) -> list[str]:
    """Which of HEAVY (plus websockets) a fresh interpreter holds after running `statement`."""
    code = (f"import sys; {statement}; "
            f"print(__import__('json').dumps([m for m in {HEAVY + ['websockets']!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_protocol_package_pulls_in_nothing_heavy() -> None:
    assert loaded_after("import firmware_py.rtvi.protocol") == []


def test_client_sdk_pulls_in_no_server_numpy_or_soxr() -> None:
    assert loaded_after("import firmware_py.client") == []


def test_the_check_itself_sees_what_the_server_loads() -> None:
    assert "firmware_py.rtvi.server" in loaded_after("import firmware_py.rtvi.server")


SATELLITE_NEVER = ["soxr", "aiohttp", "aiortc", "av", "llama_cpp", "sherpa_onnx", "hibari", "scipy", "pipecat",
                   "numpy.random", "onnxruntime", "firmware_py.rtvi.server", "firmware_py.speech.stt", "firmware_py.speech.tts"]
KNOWLEDGE_CODE = ["firmware_py.knowledge.commands", "firmware_py.knowledge.library", "firmware_py.progress", "sqlite3"]


def test_the_command_line_loads_the_knowledge_code_only_for_its_command() -> None:
    def loaded(argv: list[str]) -> list[str]:
        code = (f"import sys; from firmware_py.cli import build_parser; build_parser().parse_args({argv!r}); "
                f"print(__import__('json').dumps([m for m in {KNOWLEDGE_CODE!r} if m in sys.modules]))")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert loaded(["satellite", "--hub", "ws://hub:7860/ws"]) == []
    assert loaded(["knowledge", "list"]) == []   # parsed only: the command's code loads when it runs


def test_a_listening_satellite_loads_only_what_it_uses(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The wake word on LiteRT and a 16 kHz microphone: no resampler, no server, no onnxruntime."""
    wav = tmp_path / "silence.wav"
    code = (
        "import sys, asyncio\n"
        "from firmware_py.audio.io import write_wav\n"
        "import numpy as np\n"
        f"write_wav({str(wav)!r}, np.zeros(16000, np.int16), 16000)\n"
        "from firmware_py.client.audio_io import WavMicrophone\n"
        "from firmware_py.client.satellite import Satellite, SatelliteSettings\n"
        "from firmware_py.client.satellite_io import open_wake_word\n"
        "settings = SatelliteSettings(hub_url='ws://127.0.0.1:9/ws')\n"
        "wake = open_wake_word(settings, '')\n"
        f"mic = WavMicrophone({str(wav)!r}, tail_secs=None, realtime=False)\n"
        "Satellite(settings, mic, None, wake)\n"
        "async def listen():\n"
        "    chunks = mic.chunks()\n"
        "    for _ in range(50):\n"
        "        wake.process(np.frombuffer(await chunks.__anext__(), dtype='<i2'))\n"
        "asyncio.run(listen())\n"
        f"print(__import__('json').dumps([m for m in {SATELLITE_NEVER!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
