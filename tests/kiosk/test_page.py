"""The kiosk page in headless chromium against the real daemon: a spoken turn, typing, buttons, settings, token.

Slow by nature (real models, a real browser): marked e2e. Each scenario runs in the Node driver
(drive.mjs), which reports what the page showed; the assertions are here.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.conftest import TOKEN
from tests.kiosk.harness import MAX_SCREENSHOT_BYTES, REPO, Daemon, drive, explain, shrink_png

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

SCREENSHOT = REPO / "docs" / "kiosk.png"


def in_order(history: list[str], wanted: list[str]) -> bool:
    """`wanted` appears in `history` as a subsequence."""
    position = iter(history)
    return all(state in position for state in wanted)


def page_errors(result: dict[str, Any]) -> list[str]:
    return [line for line in result["logs"] if line.startswith("pageerror")]


def test_page_and_modules_are_served_with_their_types(voice_daemon: Daemon) -> None:
    for path, expected in (("", "text/html"), ("app.js", "text/javascript"), ("mic-worklet.js", "text/javascript"),
                           ("style.css", "text/css")):
        with urllib.request.urlopen(voice_daemon.url + path, timeout=10) as reply:
            assert reply.status == 200
            assert reply.headers["Content-Type"].startswith(expected), (path, reply.headers["Content-Type"])


def test_spoken_question_gets_a_spoken_answer(voice_daemon: Daemon, fake_mic_wav: Path) -> None:
    SCREENSHOT.parent.mkdir(exist_ok=True)
    result = drive("voice", {"url": f"{voice_daemon.url}?token={TOKEN}&transport=websocket", "wav": str(fake_mic_wav),
                             "screenshot": str(SCREENSHOT), "typed": "What is two plus two?",
                             "viewport": {"width": 1024, "height": 600}}, voice_daemon)
    seen, voice = result["seen"], result["afterVoice"]
    why = explain(result, voice_daemon)
    assert seen["ready"], "the page never got bot-ready" + why
    assert voice["mic"]["framesSent"] > 50, "the page sent no microphone audio" + why

    users = [entry for entry in voice["transcript"] if entry["role"] == "user"]
    assert users and "france" in users[0]["text"].lower(), "the user transcript is missing or wrong" + why
    bots = [entry for entry in voice["transcript"] if entry["role"] == "bot"]
    assert seen["botDone"] and bots and bots[0]["text"].strip(), "no bot answer was shown" + why
    assert voice["audio"]["bytesReceived"] >= 24_000, "less than half a second of bot audio arrived" + why
    assert voice["audio"]["chunksScheduled"] > 0, "bot audio was not scheduled for playback" + why
    assert in_order(voice["stateHistory"], ["listening", "user_speaking", "thinking", "speaking", "listening"]), \
        "the state indicator did not follow the turn" + why

    assert SCREENSHOT.exists() and shrink_png(SCREENSHOT) <= MAX_SCREENSHOT_BYTES
    assert not page_errors(result), page_errors(result)


def test_typed_question_interrupt_and_buttons(voice_daemon: Daemon) -> None:
    result = drive("controls", {"url": f"{voice_daemon.url}?token={TOKEN}&transport=websocket",
                                "typed": "What is two plus two?", "longQuestion": "Describe the water cycle in detail."},
                   voice_daemon)
    why = explain(result, voice_daemon)
    typed = result["afterTyped"]["transcript"]
    first = {key: value for key, value in typed[0].items() if key != "source"}  # source: answers only
    assert first == {"role": "user", "text": "What is two plus two?", "interim": "", "pending": False,
                     "interrupted": False}, why
    assert result["seen"]["typedAnswered"] and any(e["role"] == "bot" and e["text"] for e in typed[1:]), why
    assert in_order(result["afterTyped"]["stateHistory"], ["thinking", "speaking", "listening"]), why
    assert result["afterTyped"]["audio"]["bytesReceived"] > 0, "the typed answer was not spoken" + why

    assert result["mutedLater"]["muted"] and result["mutedLater"]["state"] == "muted", why
    assert not result["unmuted"]["muted"] and result["unmuted"]["state"] != "muted", why
    assert result["seen"]["longSpeaking"], "the long answer was never heard" + why
    assert result["seen"]["interrupted"] and result["seen"]["stoppedAfterEsc"], "Esc did not stop the bot" + why
    assert result["afterEsc"]["audio"]["clears"] > result["clearsBefore"], "queued bot audio was not dropped" + why
    assert result["pressedLabel"].startswith("Listening"), result["pressedLabel"]
    refused = [t["text"] for t in result["final"]["toasts"] if "did not accept" in t["text"]]
    assert not refused, f"the daemon refused the page's client messages: {refused}" + why
    assert not page_errors(result), page_errors(result)


@pytest.fixture(scope="module")
def settings_visit(voice_daemon: Daemon) -> dict[str, Any]:
    """One visit to the settings panel (with reduced motion asked for), shared by the tests below."""
    return drive("settings", {"url": f"{voice_daemon.url}?token={TOKEN}&transport=websocket", "stopSecs": 0.35, "badStopSecs": 99,
                              "reducedMotion": "reduce"}, voice_daemon)


def test_settings_panel_reads_updates_and_reports_errors(settings_visit: dict[str, Any],
                                                         voice_daemon: Daemon) -> None:
    result = settings_visit
    why = explain(result, voice_daemon)
    assert result["dialogOpen"] and result["labels"][:3] == [
        "Voice", "Pause before answering (seconds)", "Assistant instructions"], why
    assert result["voice"] and result["prompt"], "voice and system prompt were not loaded" + why
    assert result["saveStatus"] == "Saved." and float(result["reloaded"]) == 0.35, why
    assert result["badKind"] == "error" and "stop_secs" in result["badStatus"], result["badStatus"]
    assert float(result["restored"]) == float(result["original"]), why
    assert result["closed"] and result["largeText"], why


def test_keyboard_focus_live_regions_and_reduced_motion(settings_visit: dict[str, Any]) -> None:
    result = settings_visit
    assert result["focused"] == "talk", "the talk button cannot be reached with Tab"
    assert result["a11y"] == {"focusOutline": "solid", "logRole": "log", "logLive": "polite", "stateLive": "polite",
                              "ringAnimation": "none"}, result["a11y"]


def test_token_is_asked_for_once_and_remembered(voice_daemon: Daemon) -> None:
    result = drive("auth", {"url": voice_daemon.url, "token": TOKEN, "wrongToken": "not-the-token"}, voice_daemon)
    why = explain(result, voice_daemon)
    assert result["asked"], "no connect dialog without a token" + why
    assert result["promptsAfterWrong"] == 2, "a wrong token was not refused" + why
    assert result["ready"] and result["stored"] == TOKEN, why
    assert result["readyAfterReload"] and not result["dialogAfterReload"], "the token was not remembered" + why


def test_webrtc_is_used_when_the_browser_has_it(voice_daemon: Daemon, fake_mic_wav: Path) -> None:
    result = drive("webrtc", {"url": f"{voice_daemon.url}?token={TOKEN}", "wav": str(fake_mic_wav)}, voice_daemon)
    seen, final = result["seen"], result["final"]
    why = explain(result, voice_daemon)
    assert seen["ready"] and final["wire"]["transport"] == "webrtc", "the page did not connect over WebRTC" + why
    users = [entry for entry in final["transcript"] if entry["role"] == "user"]
    assert users and "france" in users[0]["text"].lower(), "the microphone track did not reach the daemon" + why
    assert seen["botDone"] and final["audio"]["streams"] >= 1, "no bot answer on the WebRTC track" + why
    assert not page_errors(result), page_errors(result)
