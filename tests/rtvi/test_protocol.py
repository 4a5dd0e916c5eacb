"""RTVI 2.x over a real socket: every client message type and the events a conversation produces."""

from __future__ import annotations

import asyncio
import json

import numpy as np

from firmware_py import events as ev
from firmware_py.rtvi.protocol import wire

from rtvi_harness import Harness, until




async def test_client_ready_gets_bot_ready_with_copied_id(harness: Harness) -> None:
    client = await harness.connect()
    reply = await client.ready("2.1.0")
    assert reply["type"] == "bot-ready" and reply["label"] == "rtvi-ai"
    assert reply["data"]["version"] == "2.2.0"
    assert reply["data"]["about"]["library"] == "rtvi-edge"
    assert reply["data"]["capabilities"]["audio_out"] is True
    assert "config" not in reply["data"]  # 2.x has no services API in bot-ready
    assert [s.session_id for s in harness.host.opened] == [harness.server.connections.copy().pop().connection_id]

async def test_foreign_major_gets_error_response_and_still_bot_ready(harness: Harness) -> None:
    client = await harness.connect()
    msg_id = await client.send("client-ready", {"version": "3.0.0", "about": {"library": "future"}})
    error = await client.wait_for("error-response")
    ready = await client.wait_for("bot-ready")
    assert error["id"] == msg_id == ready["id"]
    assert "3.0.0" in error["data"]["error"] and "2.2.0" in error["data"]["error"]
    assert ready["data"]["version"] == "2.2.0"

async def test_malformed_version_gets_error_response_and_still_bot_ready(harness: Harness) -> None:
    client = await harness.connect()
    await client.send("client-ready", {"version": "two"})
    assert "Invalid client version" in (await client.wait_for("error-response"))["data"]["error"]
    await client.wait_for("bot-ready")

async def test_send_text_with_options(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    await client.send("send-text", {"content": "what time is it", "options": {"run_immediately": False,
                                                                              "audio_response": False}})
    await client.send("send-text", {"content": "hi"})
    await until(lambda: len(harness.session().called("send_text")) == 2)
    assert harness.session().called("send_text") == [("what time is it", False, False), ("hi", True, True)]

async def test_send_text_before_client_ready_is_refused(harness: Harness) -> None:
    client = await harness.connect()
    reply = await client.request("send-text", {"content": "hi"})
    assert reply["type"] == "error-response" and "client-ready" in reply["data"]["error"]

async def test_wrong_field_types_get_clear_error_responses(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    reply = await client.request("send-text", {"content": 5})
    assert reply["data"]["error"] == "send-text: data.content must be a string, got a whole number"
    reply = await client.request("send-text", {"content": "x", "options": {"run_immediately": "yes"}})
    assert "run_immediately" in reply["data"]["error"]
    reply = await client.request("append-to-context", {"role": "wizard", "content": "x"})
    assert "role" in reply["data"]["error"]
    assert harness.session().called("send_text") == []

async def test_append_to_context(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    await client.send("append-to-context", {"role": "assistant", "content": "I am here.", "run_immediately": True})
    await until(lambda: harness.session().called("append_to_context"))
    assert harness.session().called("append_to_context") == [("assistant", "I am here.", True)]

async def test_client_messages_builtins_and_app_hooks(harness: Harness) -> None:
    harness.server.on_client_message("add", lambda request: {"sum": sum(request.d)})

    async def slow_echo(request):  # hooks may be async
        await asyncio.sleep(0.01)
        return {"echo": request.d, "session": request.session_id}

    harness.server.on_client_message("echo", slow_echo)
    client = await harness.connect()
    await client.ready()
    assert (await client.request("client-message", {"t": "add", "d": [1, 2, 3]}))["data"] == {"t": "add",
                                                                                              "d": {"sum": 6}}
    echoed = await client.request("client-message", {"t": "echo", "d": "x"})
    assert echoed["type"] == "server-response" and echoed["data"]["d"]["echo"] == "x"
    pong = await client.request("client-message", {"t": "ping"})
    assert pong["type"] == "server-response" and pong["data"]["d"]["pong"] is True
    status = (await client.request("client-message", {"t": "status"}))["data"]["d"]
    assert status["state"] == "listening" and status["monitor"] is False
    context = (await client.request("client-message", {"t": "get-context"}))["data"]["d"]
    assert context == {"messages": [{"role": "system", "content": "be brief"}]}
    unknown = await client.request("client-message", {"t": "nope"})
    assert unknown["type"] == "error-response" and "nope" in unknown["data"]["error"]

async def test_client_tools_reopen_the_conversation_and_results_resolve(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    await client.send("append-to-context", {"role": "user", "content": "remember me"})
    tool = {"type": "function", "function": {"name": "get_location", "description": "where the user is",
                                             "parameters": {"type": "object", "properties": {}}}}
    reply = await client.request("client-message", {"t": "set-client-tools", "d": {"tools": [tool]}})
    assert reply["data"]["d"] == {"tools": ["get_location"]}
    session = harness.session()
    assert session.client_tools == [{"name": "get_location", "description": "where the user is",
                                     "parameters": {"type": "object", "properties": {}}}]
    assert session.context[-1] == {"role": "user", "content": "remember me"}  # context carried over
    session.pending_tools["call-1"] = True
    await client.send("llm-function-call-result", {"function_name": "get_location", "tool_call_id": "call-1",
                                                   "arguments": {}, "result": {"city": "Oslo"}})
    await until(lambda: session.called("resolve_client_tool"))
    assert session.called("resolve_client_tool") == [("call-1", {"city": "Oslo"})]
    late = await client.request("llm-function-call-result", {"function_name": "get_location",
                                                             "tool_call_id": "call-1", "result": 1})
    assert late["type"] == "error-response" and "call-1" in late["data"]["error"]
    bad = await client.request("client-message", {"t": "set-client-tools", "d": {"tools": [{"name": "a b"}]}})
    assert bad["type"] == "error-response"

async def test_dtmf_is_logged_and_echoed_as_server_message(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    await client.send("dtmf", {"buttons": ["1", "#"]})
    assert (await client.wait_for("server-message"))["data"] == {"type": "dtmf", "buttons": ["1", "#"]}
    bad = await client.request("dtmf", {"buttons": ["x"]})
    assert bad["type"] == "error-response"

async def test_unknown_type_gets_unsupported_with_id(harness: Harness) -> None:
    client = await harness.connect()
    reply = await client.request("ui-snapshot", {"tree": {}})
    assert reply["type"] == "error-response" and reply["data"] == {"error": "Unsupported type ui-snapshot"}

async def test_foreign_labels_are_ignored(harness: Harness) -> None:
    client = await harness.connect()
    await client.send_raw(json.dumps({"label": "other", "type": "client-ready", "id": "abcdef01"}))
    reply = await client.ready()
    assert reply["type"] == "bot-ready" and client.types() == ["bot-ready"]

async def test_disconnect_bot_closes_the_socket_and_the_conversation(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    await client.send("disconnect-bot", {})
    await asyncio.wait_for(client._reader, 5)
    await until(lambda: harness.session().closed)
    assert client.ws.close_code == 1000

async def test_client_audio_reaches_the_conversation_at_any_rate(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    pcm = (np.arange(256, dtype=np.int16) * 100).astype("<i2").tobytes()
    await client.ws.send(wire.encode_audio(pcm, 16000))
    await client.ws.send(wire.encode_audio(pcm + b"\x01", 48000))  # odd byte: the last one is dropped
    await client.ws.send(wire.encode_audio(np.tile(np.array([1000, 3000], np.int16), 100).tobytes(), 16000, 2))
    await until(lambda: len(harness.session().audio) == 3)
    first, second, third = harness.session().audio
    assert first.sample_rate == 16000 and np.array_equal(first.samples, np.frombuffer(pcm, "<i2"))
    assert second.sample_rate == 48000 and len(second.samples) == 256
    assert len(third.samples) == 100 and set(third.samples.tolist()) == {2000}  # stereo averaged to mono

async def test_audio_before_client_ready_is_dropped(harness: Harness) -> None:
    client = await harness.connect()
    await client.ws.send(wire.encode_audio(b"\x00\x01" * 256, 16000))
    await client.ready()
    assert harness.session().audio == []

async def test_bad_audio_format_gets_error_response(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    await client.ws.send(wire.encode_audio(b"\x00\x01" * 256, 1_000_000))
    assert "unsupported audio" in (await client.wait_for("error-response"))["data"]["error"]

async def test_raw_audio_messages(harness: Harness) -> None:
    import base64

    client = await harness.connect()
    await client.ready()
    chunk = base64.b64encode(b"\x10\x00" * 160).decode()
    await client.send("raw-audio", {"base64Audio": chunk, "sampleRate": 16000, "numChannels": 1})
    await client.send("raw-audio-batch", {"base64AudioBatch": [chunk, chunk], "sampleRate": 8000, "numChannels": 1})
    await until(lambda: len(harness.session().audio) == 3)
    assert [f.sample_rate for f in harness.session().audio] == [16000, 8000, 8000]
    bad = await client.request("raw-audio", {"base64Audio": "***", "sampleRate": 16000, "numChannels": 1})
    assert "base64" in bad["data"]["error"]

async def test_bot_audio_is_24khz_40ms_frames(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    reply = await client.request("action", {"service": "tts", "action": "say",
                                            "arguments": [{"name": "text", "value": "hello"}]})
    assert reply["type"] == "action-response" and reply["data"] == {"result": True}
    assert {(a.sample_rate, a.num_channels) for a in client.audio} == {(24000, 1)}
    assert [len(a.pcm) for a in client.audio] == [1920] * 5  # 0.2 s of audio = five 40 ms frames
    assert client.types().index("bot-started-speaking") < client.types().index("action-response")

async def test_json_text_clients_get_json_replies_and_audio_as_messages(harness: Harness) -> None:
    client = await harness.connect(json_mode=True)
    reply = await client.ready()
    assert reply["type"] == "bot-ready"
    await client.request("action", {"service": "tts", "action": "say", "arguments": [{"name": "text", "value": "x"}]})
    audio = [m for m in client.messages if m["type"] == "bot-tts-audio"]
    assert audio and audio[0]["data"]["sample_rate"] == 24000 and not client.audio

async def test_monitor_follows_the_local_session_without_audio(harness: Harness) -> None:
    client = await harness.connect("/ws?mode=monitor")
    ready = await client.ready()
    assert ready["data"]["capabilities"]["audio_in"] is False
    assert harness.host.opened == []  # no conversation of its own
    harness.bus.publish(ev.UserTranscript(session_id="local", text="lights on", final=True))
    assert (await client.wait_for("user-transcription"))["data"]["text"] == "lights on"
    await client.send("send-text", {"content": "hello device"})
    local = harness.host.sessions["local"]
    await until(lambda: local.called("send_text"))
    await client.ws.send(wire.encode_audio(b"\x00\x01" * 256, 16000))
    await client.request("client-message", {"t": "ping"})
    assert local.audio == []

async def test_monitor_without_local_session_is_refused(harness: Harness) -> None:
    harness.host.local_session_id = None
    client = await harness.connect("/ws?mode=monitor")
    error = await client.wait_for("error")
    assert error["data"]["fatal"] is True and "local session" in error["data"]["error"]
    await asyncio.wait_for(client._reader, 5)
    assert client.ws.close_code == 1008

async def test_closing_the_socket_closes_the_conversation(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    await client.close()
    await until(lambda: harness.session().closed)
    await until(lambda: not harness.server.connections)

async def test_button_intents_as_client_messages(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    session = harness.session()
    assert (await client.request("client-message", {"t": "mute", "d": {"muted": True}}))["data"]["d"] == {"muted": True}
    await client.request("client-message", {"t": "push-to-talk", "d": {"pressed": False}})
    await client.request("client-message", {"t": "interrupt"})
    assert session.called("set_muted") == [(True,)] and session.called("push_to_talk") == [(False,)]
    assert session.called("interrupt") == [()]
    bad = await client.request("client-message", {"t": "mute", "d": {"muted": "yes"}})
    assert bad["type"] == "error-response" and "muted must be true or false" in bad["data"]["error"]

async def test_a_conversation_that_cannot_open_ends_the_connection_with_a_reason(harness: Harness) -> None:
    async def failing(session_id, sink, client_tools=None, echo_cancel=False):
        raise RuntimeError("out of memory")

    harness.host.open_session = failing  # type: ignore[method-assign]
    client = await harness.connect()
    await client.send("client-ready", {"version": "2.1.0"})
    error = await client.wait_for("error")
    assert error["data"]["fatal"] is True and "out of memory" in error["data"]["error"]
    await asyncio.wait_for(client._reader, 5)
    assert client.ws.close_code == 1011 and "bot-ready" not in client.types()

async def test_leaving_while_the_conversation_opens_still_closes_it(harness: Harness) -> None:
    open_session = harness.host.open_session
    opened = asyncio.Event()

    async def slow(session_id, sink, client_tools=None, echo_cancel=False):
        session = await open_session(session_id, sink, client_tools)
        opened.set()
        await asyncio.sleep(30)  # still "opening" when the client leaves
        return session

    harness.host.open_session = slow  # type: ignore[method-assign]
    client = await harness.connect()
    await client.send("client-ready", {"version": "2.1.0"})
    await asyncio.wait_for(opened.wait(), 5)
    await client.close()
    await until(lambda: harness.session().closed)
