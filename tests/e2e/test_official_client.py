"""The official Pipecat web client (client-js with websocket-transport or small-webrtc-transport, as
published on npm) in headless Chromium, talking to the real daemon with real models: a spoken question
through the fake microphone, client requests, and typed text, over each transport."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from e2e_harness import TOKEN, DaemonProcess, callbacks, run_browser, summary, write_fake_mic

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
QUESTION = "What is the capital of France?"
VOICE_CALLBACKS = ("onConnected", "onBotReady", "onUserStartedSpeaking", "onUserTranscript", "onUserStoppedSpeaking",
                   "onBotLlmStarted", "onBotLlmText", "onBotLlmStopped", "onBotTtsText", "onBotOutput",
                   "onBotStartedSpeaking", "onBotStoppedSpeaking", "onServerMessage")


def run_turns(daemon: DaemonProcess, page_dist: Path, tmp_path: Path, transport: str) -> tuple[dict[str, Any], str]:
    wav = write_fake_mic(tmp_path / "question.wav", QUESTION)
    outcome = run_browser({"dist": str(page_dist), "wav": str(wav), "transport": transport,
                           "wsUrl": f"ws://127.0.0.1:{daemon.port}/ws",
                           "offerUrl": f"http://127.0.0.1:{daemon.port}/api/offer",
                           "token": TOKEN, "text": "Say hello in three words.", "turnTimeoutMs": 120_000},
                          timeout=420)
    (tmp_path / "outcome.json").write_text(json.dumps(outcome, indent=1))
    print(summary(outcome))
    context = "\npage log:\n" + "\n".join(outcome.get("logs", [])[-40:]) + f"\ndaemon:\n{daemon.tail()}"
    assert outcome["ok"], outcome.get("error", "") + context
    fired = callbacks(outcome)
    for name in VOICE_CALLBACKS:
        assert name in fired, f"{name} never fired; fired: {sorted(set(fired))}" + context
    assert "onError" not in fired, context
    assert fired.count("onMessageError") == 1, context  # only the deliberately unknown client request

    steps = outcome["steps"]
    assert steps["botReady"]["version"] == "2.2.0" and steps["botReady"]["about"]["library"] == "rtvi-edge"
    finals = [e["data"]["text"] for e in outcome["events"] if e["name"] == "onUserTranscript" and e["data"]["final"]]
    assert any("france" in text.lower() for text in finals), finals
    assert steps["ping"]["pong"] is True and steps["ping"]["echo"] == {"n": 1}
    assert steps["status"]["ready"] is True and "state" in steps["status"]
    assert steps["status"]["transport"] == transport
    assert "no-such-request" in steps["unknownRequestError"]

    answers = fired.count("onBotStoppedSpeaking")
    assert answers >= 2, f"expected a spoken answer to the question and to the text; got {answers}" + context
    return outcome["audio"], context


def test_voice_turn_requests_and_text_over_websocket(daemon: DaemonProcess, page_dist: Path, tmp_path: Path) -> None:
    audio, _ = run_turns(daemon, page_dist, tmp_path, "websocket")
    assert audio["frames"] > 25 and audio["bytes"] >= 1920 * 25  # at least a second of 24 kHz bot voice
    assert audio["bytes"] % 2 == 0


def test_voice_turn_requests_and_text_over_webrtc(daemon: DaemonProcess, page_dist: Path, tmp_path: Path) -> None:
    audio, context = run_turns(daemon, page_dist, tmp_path, "webrtc")
    assert audio["audibleMs"] >= 1000, f"bot voice on the WebRTC track: {audio}" + context  # heard, not silence
