"""Bus events as a client sees them over a real socket: names, fields, order, and what is not forwarded."""

from __future__ import annotations

import re

from firmware_py import events as ev

from rtvi_harness import Harness


async def test_events_have_no_id_and_leave_out_nulls(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    session = harness.session()
    harness.bus.publish(ev.UserStartedSpeaking(session_id=session.session_id))
    message = await client.wait_for("user-started-speaking")
    assert message == {"label": "rtvi-ai", "type": "user-started-speaking"}

async def test_a_voice_turn_maps_every_event(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    sid = harness.session().session_id
    publish = harness.bus.publish
    for event in (ev.UserStartedSpeaking(session_id=sid), ev.UserTranscript(session_id=sid, text="hel", final=False),
                  ev.UserTranscript(session_id=sid, text="hello there", final=True),
                  ev.UserStoppedSpeaking(session_id=sid), ev.UserLlmText(session_id=sid, text="hello there"),
                  ev.BotLlmStarted(session_id=sid), ev.BotLlmText(session_id=sid, text="Hi."),
                  ev.BotLlmText(session_id=sid, text=" It is 3."), ev.BotLlmText(session_id=sid, text="5 now."),
                  ev.BotLlmStopped(session_id=sid), ev.BotTtsStarted(session_id=sid),
                  ev.BotStartedSpeaking(session_id=sid), ev.BotOutput(session_id=sid, text="Hi."),
                  ev.BotTtsText(session_id=sid, text="Hi."), ev.BotTtsStopped(session_id=sid),
                  ev.BotStoppedSpeaking(session_id=sid),
                  ev.Metrics(session_id=sid, ttfb={"llm": 0.2}, processing={"stt": 0.5}),
                  ev.StateChanged(session_id=sid, state="listening")):
        publish(event)
    await client.wait_for(lambda m: m.get("data", {}).get("type") == "state")
    types = client.types()
    assert types[types.index("bot-ready") + 1:] == [
        "user-started-speaking", "user-transcription", "user-input", "user-transcription", "user-stopped-speaking",
        "user-llm-text", "bot-llm-started", "bot-llm-text", "bot-llm-text", "bot-transcription", "bot-llm-text",
        "bot-transcription", "bot-llm-stopped", "bot-tts-started", "bot-started-speaking", "bot-output",
        "bot-tts-text", "bot-tts-stopped", "bot-stopped-speaking", "metrics", "server-message"]
    by_type = {m["type"]: m for m in client.messages}
    final = [m for m in client.messages if m["type"] == "user-transcription"][-1]["data"]
    assert final["text"] == "hello there" and final["final"] is True and final["user_id"] == sid
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", final["timestamp"])
    transcripts = [m["data"]["text"] for m in client.messages if m["type"] == "bot-transcription"]
    assert transcripts == ["Hi.", "It is 3.5 now."]  # "3." then "5" is one number, not a sentence end
    output = by_type["bot-output"]["data"]
    assert output["text"] == "Hi." and output["will_be_spoken"] is True and output["spoken_status"] == "completed"
    assert "spoken" not in output  # the v1 field is for 1.x clients only
    assert by_type["metrics"]["data"] == {"ttfb": [{"processor": "llm", "value": 0.2}],
                                          "processing": [{"processor": "stt", "value": 0.5}]}
    assert by_type["server-message"]["data"] == {"type": "state", "state": "listening"}

async def test_other_sessions_events_are_not_forwarded_but_device_events_are(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    harness.bus.publish(ev.UserStartedSpeaking(session_id="someone-else"))
    harness.bus.publish(ev.DeviceStatus(session_id="local", part="mqtt", ok=False, detail="broker down"))
    message = await client.wait_for("server-message")
    assert message["data"] == {"type": "device-status", "part": "mqtt", "ok": False, "detail": "broker down"}
    assert "user-started-speaking" not in client.types()

async def test_errors_mutes_interruptions_timers_and_function_calls(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    sid = harness.session().session_id
    for event in (ev.ErrorEvent(session_id=sid, message="llm failed"), ev.UserMuteChanged(session_id=sid, muted=True),
                  ev.UserMuteChanged(session_id=sid, muted=False), ev.BotInterrupted(session_id=sid),
                  ev.TimerFired(session_id=sid, timer_id="t1", label="tea"),
                  ev.FunctionCallStarted(session_id=sid, function_name="set_timer", tool_call_id="c1"),
                  ev.FunctionCallInProgress(session_id=sid, function_name="set_timer", tool_call_id="c1",
                                            arguments={"minutes": 3}),
                  ev.FunctionCallStopped(session_id=sid, function_name="set_timer", tool_call_id="c1", result="ok")):
        harness.bus.publish(event)
    stopped = await client.wait_for("llm-function-call-stopped")
    assert stopped["data"] == {"tool_call_id": "c1", "cancelled": False, "function_name": "set_timer", "result": "ok"}
    assert (await client.wait_for("error"))["data"] == {"error": "llm failed", "fatal": False}
    for name in ("user-mute-started", "user-mute-stopped", "bot-interrupted", "llm-function-call-started"):
        await client.wait_for(name)
    timer = await client.wait_for(lambda m: m.get("data", {}).get("type") == "timer")
    assert timer["data"] == {"type": "timer", "timer_id": "t1", "label": "tea"}
    progress = await client.wait_for("llm-function-call-in-progress")
    assert progress["data"] == {"tool_call_id": "c1", "function_name": "set_timer", "arguments": {"minutes": 3}}
    assert "llm-function-call" not in client.types()  # deprecated message is for older clients

async def test_events_published_while_the_conversation_opens_follow_bot_ready(harness: Harness) -> None:
    open_session = harness.host.open_session

    async def opening(session_id, sink, client_tools=None, echo_cancel=False):
        session = await open_session(session_id, sink, client_tools, echo_cancel)
        harness.bus.publish(ev.StateChanged(session_id=session_id, state="listening"))  # as the engine starts
        return session

    harness.host.open_session = opening  # type: ignore[method-assign]
    client = await harness.connect()
    await client.ready()
    await client.wait_for("server-message")
    assert client.types()[:2] == ["bot-ready", "server-message"]

async def test_non_finite_numbers_never_reach_the_client_as_invalid_json(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    harness.bus.publish(ev.Metrics(session_id=harness.session().session_id, ttfb={"llm": float("nan")}))
    pong = await client.request("client-message", {"t": "ping", "d": {"x": 1e400}})  # 1e400 parses as inf
    metrics = await client.wait_for("metrics")
    assert metrics["data"]["ttfb"] == [{"processor": "llm", "value": None}]
    assert pong["data"]["d"]["echo"] == {"x": None}
