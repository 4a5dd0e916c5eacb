"""The SDK, `rtvi-edge chat` and arbitration against the real daemon (its LLM: the scripted server)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import TOKEN, ThreadedLlm, answer_containing, daemon_url
from firmware_py.audio.io import write_wav
from firmware_py.client import FunctionCallParams, RequestError, RtviClient, WebSocketTransport, events
from firmware_py.client.audio_io import WavMicrophone
from firmware_py.client.turns import TurnWatcher
from firmware_py.respond.chain import same_words
from scripts.bench.scripted_llm import DEFAULT_ANSWER
from tests.speechgen import silence, speech

pytestmark = pytest.mark.slow

QUESTION = "Tell me something about the ocean."
"""Answered by the LLM (no intent or document matches it), so the scripted server's answer comes back."""


def question_wav(path: Path, text: str, gain: float = 1.0) -> Path:
    samples, rate = speech(text)
    clip = np.concatenate([silence(0.5, rate), samples, silence(0.3, rate)]).astype(np.float32) * gain
    write_wav(path, clip.astype(np.int16), rate)
    return path


async def connected(daemon: object) -> RtviClient:
    client = RtviClient(WebSocketTransport(daemon_url(daemon), token=TOKEN))
    await client.connect()
    return client


async def spoken_turn(client: RtviClient, wav: Path, timeout: float = 60.0) -> tuple[object, WavMicrophone]:
    mic = WavMicrophone(wav, tail_secs=timeout)
    watcher = TurnWatcher(client, voice=True)
    record = watcher.begin()

    async def stream() -> None:
        async for chunk in mic.chunks():
            await client.send_audio(chunk)

    streaming = asyncio.create_task(stream())
    try:
        await asyncio.wait_for(watcher.wait(timeout), timeout)
    finally:
        streaming.cancel()
        watcher.close()
    return record, mic


async def test_typed_and_spoken_turns(daemon: object, tmp_path: Path) -> None:
    client = await connected(daemon)
    try:
        assert client.bot_ready is not None and client.bot_ready.about.get("library") == "rtvi-edge"
        assert client.server_major == 2
        watcher = TurnWatcher(client, voice=False)
        watcher.begin()
        await client.send_text("Describe a calm lake.", audio_response=False)
        record = await watcher.wait(30)
        assert record.bot_text.strip() == DEFAULT_ANSWER

        audio: list[events.BotAudio] = []
        client.on(events.BotAudio, audio.append)
        spoken, _mic = await spoken_turn(client, question_wav(tmp_path / "question.wav", QUESTION))
        assert "ocean" in spoken.user_text.lower()  # type: ignore[attr-defined]
        assert spoken.bot_text.strip() == DEFAULT_ANSWER  # type: ignore[attr-defined]
        assert audio and {a.sample_rate for a in audio} == {24_000}
        assert spoken.voice_latency_ms is not None and spoken.voice_latency_ms > 0  # type: ignore[attr-defined]
    finally:
        await client.disconnect()


async def test_requests_services_api_and_client_function(daemon: object) -> None:
    client = await connected(daemon)
    try:
        pong = await client.send_client_request("ping", {"n": 1})
        assert pong["pong"] is True and pong["echo"] == {"n": 1}
        with pytest.raises(RequestError, match="no handler"):
            await client.send_client_request("no-such-request")
        services = {entry["service"] for entry in await client.describe_config()}
        assert {"llm", "tts"} <= services
        updated = await client.update_config([{"service": "llm", "options": [{"name": "temperature", "value": 0.3}]}])
        llm = next(entry for entry in updated if entry["service"] == "llm")
        assert {"name": "temperature", "value": 0.3} in llm["options"]
        status = await client.action("bot", "status")
        assert isinstance(status, dict) and "state" in status

        calls: list[FunctionCallParams] = []
        client.register_function_call_handler("get_room_temperature",
                                              lambda call: calls.append(call) or {"celsius": 21})
        tool = {"name": "get_room_temperature", "description": "Temperature of a room",
                "parameters": {"type": "object", "properties": {"room": {"type": "string"}}}}
        assert (await client.send_client_request("set-client-tools", {"tools": [tool]}))["tools"] == [tool["name"]]
        watcher = TurnWatcher(client, voice=False)
        answer = asyncio.create_task(answer_containing(client, "celsius"))
        watcher.begin()
        await client.send_text("What is the temperature in the kitchen?", audio_response=False)
        assert "21" in await asyncio.wait_for(answer, 30)
        assert [(c.function_name, c.arguments) for c in calls] == [("get_room_temperature", {"room": "kitchen"})]
        watcher.close()
    finally:
        await client.disconnect()


def test_chat_command_answers_every_text_and_fails_when_unreachable(daemon: object) -> None:
    command = [sys.executable, "-m", "firmware_py.cli", "chat", daemon_url(daemon), "--token", TOKEN,
               "--text", "Describe a quiet forest.", "--text", "And a busy city?"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(DEFAULT_ANSWER) == 2 and "you: And a busy city?" in done.stdout
    assert "first text" in done.stderr
    typed_in = "Describe a quiet forest.\n\nAnd a busy city?\n"
    piped = subprocess.run(command[:7], input=typed_in, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stdout.count(DEFAULT_ANSWER) == 2, piped.stderr  # lines typed in
    unreachable = subprocess.run([sys.executable, "-m", "firmware_py.cli", "chat", "ws://127.0.0.1:9/ws",
                                  "--text", "Hi"], capture_output=True, text=True, timeout=60)
    assert unreachable.returncode == 3 and "cannot reach" in unreachable.stderr


async def test_two_rooms_hear_one_request_and_only_the_louder_answers(daemon: object, scripted_llm: ThreadedLlm,
                                                                      tmp_path: Path) -> None:
    near, far = await connected(daemon), await connected(daemon)
    try:
        for client, room in ((near, "kitchen"), (far, "hall")):
            await client.send_client_request("satellite", {"room": room})
        states: dict[str, list[str]] = {"kitchen": [], "hall": []}
        for client, room in ((near, "kitchen"), (far, "hall")):
            client.on(events.ServerMessage, lambda e, room=room: states[room].append(str(e.data.get("state"))))
        bodies_before = len(scripted_llm.llm.bodies)
        await near.send_client_message("wake-word", {"score": 0.9, "level_dbfs": -20.0})
        await far.send_client_message("wake-word", {"score": 0.9, "level_dbfs": -38.0})
        wav_near = question_wav(tmp_path / "near.wav", QUESTION)
        wav_far = question_wav(tmp_path / "far.wav", QUESTION, gain=0.25)
        near_turn, far_turn = await _both(near, far, wav_near, wav_far)
        assert near_turn.bot_text.strip() == DEFAULT_ANSWER  # type: ignore[attr-defined]
        assert far_turn is None  # the hall never answered
        assert "standing_down" in states["hall"] and "standing_down" not in states["kitchen"]
        # One generation of the whole request: the hall never asked the model. (An early guess on a partial
        # transcript may be started and dropped at the near room's first pause; that is not a second answer.)
        asked = [body["messages"][-1]["content"] for body in scripted_llm.llm.bodies[bodies_before:]]
        assert sum(same_words(text, QUESTION) for text in asked) == 1, asked
    finally:
        await asyncio.gather(near.disconnect(), far.disconnect())


async def _both(near: RtviClient, far: RtviClient, wav_near: Path, wav_far: Path) -> tuple[object, object]:
    """Both rooms' turns, the far one None when it gave no answer within the near one's time + 5 s."""
    far_task = asyncio.create_task(spoken_turn(far, wav_far, timeout=40))
    near_record, _mic = await spoken_turn(near, wav_near, timeout=40)
    try:
        far_record, _mic = await asyncio.wait_for(asyncio.shield(far_task), 5)
    except asyncio.TimeoutError:
        far_task.cancel()
        await asyncio.gather(far_task, return_exceptions=True)
        return near_record, None
    return near_record, far_record


async def test_two_rooms_asking_different_things_at_once_both_get_answers(daemon: object, tmp_path: Path) -> None:
    kitchen, hall = await connected(daemon), await connected(daemon)
    try:
        for client, room in ((kitchen, "kitchen"), (hall, "hall")):
            await client.send_client_request("satellite", {"room": room})
            await client.send_client_message("wake-word", {"score": None, "level_dbfs": -25.0})  # streaming always
        turns = await asyncio.gather(
            spoken_turn(kitchen, question_wav(tmp_path / "k.wav", QUESTION), timeout=40),
            spoken_turn(hall, question_wav(tmp_path / "h.wav", "Tell me a story about a brave dragon."), timeout=40))
        assert [record.bot_text.strip() for record, _mic in turns] == [DEFAULT_ANSWER, DEFAULT_ANSWER]
    finally:
        await asyncio.gather(kitchen.disconnect(), hall.disconnect())


async def test_a_satellites_wake_word_opens_a_hub_that_waits_for_its_own(daemon: object, tmp_path: Path) -> None:
    """With `activation = wakeword` the hub would ignore speech that follows a wake word heard elsewhere."""
    client = await connected(daemon)
    activation = [{"service": "conversation", "options": [{"name": "activation", "value": "wakeword"}]}]
    try:
        await client.update_config(activation)
        await client.send_client_request("satellite", {"room": "porch"})
        await client.send_client_message("wake-word", {"score": 0.8, "level_dbfs": -20.0})
        record, _mic = await spoken_turn(client, question_wav(tmp_path / "porch.wav", QUESTION), timeout=40)
        assert record.bot_text.strip() == DEFAULT_ANSWER  # type: ignore[attr-defined]
    finally:
        activation[0]["options"][0]["value"] = "vad"
        await client.update_config(activation)
        await client.disconnect()
