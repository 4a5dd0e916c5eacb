"""Older clients: version-less (the services era: describe-config, actions...) and 1.x."""

from __future__ import annotations

import asyncio

from firmware_py import events as ev

from rtvi_harness import Harness


def options_of(config: list[dict], service: str) -> dict:
    return {o["name"]: o["value"] for entry in config if entry["service"] == service for o in entry["options"]}


async def test_versionless_client_gets_services_config_in_bot_ready(harness: Harness) -> None:
    client = await harness.connect()
    ready = await client.ready(version=None)
    assert ready["type"] == "bot-ready" and ready["data"]["version"] == "0.3.0"
    assert "error-response" not in client.types()
    vad = options_of(ready["data"]["config"], "vad")
    assert vad["stop_secs"] == harness.host.live.current.vad.stop_secs
    assert options_of(ready["data"]["config"], "llm")["initial_messages"] == [{"role": "system",
                                                                               "content": "be brief"}]


async def test_v1_client_gets_its_version_echoed_and_v1_bot_output(harness: Harness) -> None:
    client = await harness.connect()
    ready = await client.ready(version="1.4.0")
    assert ready["data"]["version"] == "1.4.0" and "config" in ready["data"]
    assert "error-response" not in client.types()
    harness.bus.publish(ev.BotOutput(session_id=harness.session().session_id, text="Hello."))
    output = await client.wait_for("bot-output")
    assert output["data"] == {"text": "Hello.", "aggregated_by": "sentence", "spoken": True}


async def test_client_run_functions_reach_old_clients_once(harness: Harness) -> None:
    v1 = await harness.connect()
    await v1.ready(version="1.0.0")
    seed = await harness.connect()
    await seed.ready(version=None)
    for session in harness.host.opened:
        sid = session.session_id
        harness.bus.publish(ev.FunctionCallStarted(session_id=sid, function_name="get_location", tool_call_id="c9"))
        harness.bus.publish(ev.FunctionCallInProgress(session_id=sid, function_name="get_location",
                                                      tool_call_id="c9", arguments={"q": 1}, run_on_client=True))
    legacy = await v1.wait_for("llm-function-call")
    assert legacy["data"] == {"function_name": "get_location", "tool_call_id": "c9", "args": {"q": 1}}
    progress = await v1.wait_for("llm-function-call-in-progress")
    assert progress["data"] == {"tool_call_id": "c9"}  # unnamed: the client runs its handler only once
    await seed.wait_for("llm-function-call-start")  # the seed-era name
    assert (await seed.wait_for("llm-function-call"))["data"]["args"] == {"q": 1}
    assert "llm-function-call-in-progress" not in seed.types()


async def test_describe_config_and_actions(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready(version=None)
    available = await client.request("describe-config", {})
    assert available["type"] == "config-available"
    services = {s["service"]: {o["name"]: o["type"] for o in s["options"]} for s in available["data"]["config"]}
    assert services["vad"]["stop_secs"] == "number" and services["llm"]["initial_messages"] == "array"
    assert services["tts"]["voice"] == "string"
    options = {(s["service"], o["name"]): o for s in available["data"]["config"] for o in s["options"]}
    assert options[("tts", "engine")]["choices"] == ["hibari", "piper"]
    assert options[("vad", "stop_secs")]["min"] == 0.05 and options[("vad", "stop_secs")]["description"]
    actions = await client.request("describe-actions", {})
    assert actions["type"] == "actions-available"
    names = {(a["service"], a["action"]) for a in actions["data"]["actions"]}
    assert {("tts", "say"), ("tts", "interrupt"), ("llm", "append_to_messages"), ("llm", "get_context"),
            ("llm", "set_context"), ("llm", "run")} <= names
    say = next(a for a in actions["data"]["actions"] if a["action"] == "say")
    assert say["arguments"] == [{"name": "text", "type": "string"}, {"name": "interrupt", "type": "bool"}]


async def test_get_and_update_config_apply_live(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready(version=None)
    changes: list[ev.ConfigChanged] = []
    harness.bus.subscribe(changes.append, ev.ConfigChanged)
    update = [{"service": "vad", "options": [{"name": "stop_secs", "value": 0.6},
                                             {"name": "confidence", "value": 0.7}]},
              {"service": "llm", "options": [{"name": "temperature", "value": 0.9},
                                             {"name": "initial_messages",
                                              "value": [{"role": "system", "content": "pirate"}]}]},
              {"service": "tts", "options": [{"name": "speed", "value": 1.2}]}]
    reply = await client.request("update-config", {"config": update, "interrupt": True})
    assert reply["type"] == "config"
    live = harness.host.live.current
    assert (live.vad.stop_secs, live.vad.confidence, live.llm.temperature, live.tts.speed) == (0.6, 0.7, 0.9, 1.2)
    assert options_of(reply["data"]["config"], "vad")["stop_secs"] == 0.6
    session = harness.session()
    assert session.called("interrupt") and session.context == [{"role": "system", "content": "pirate"}]
    assert {c.section for c in changes} == {"vad", "llm", "tts"}
    got = await client.request("get-config", {})
    assert got["type"] == "config" and options_of(got["data"]["config"], "tts")["speed"] == 1.2
    notices = [m for m in client.messages if m["type"] == "server-message"]
    assert {m["data"]["section"] for m in notices} >= {"vad"}  # every client hears of device-wide changes


async def test_bad_update_changes_nothing_and_says_why(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready(version=None)
    before = harness.host.live.current
    update = [{"service": "vad", "options": [{"name": "stop_secs", "value": 0.7}]},
              {"service": "tts", "options": [{"name": "speed", "value": 9}]}]
    msg_id = await client.send("update-config", {"config": update})
    error = await client.wait_for("config-error")
    response = await client.wait_for("error-response")
    assert error["id"] == msg_id == response["id"]
    assert "tts.speed" in error["data"]["error"] and "at most 2.0" in error["data"]["error"]
    assert harness.host.live.current == before  # the valid vad part was not applied either
    for bad, words in (([{"service": "radio", "options": []}], "unknown service"),
                       ([{"service": "vad", "options": [{"name": "loud", "value": 1}]}], "unknown option vad.loud"),
                       ([{"service": "vad", "options": [{"name": "stop_secs", "value": "x"}]}], "expected a number"),
                       ("nope", "must be an array"),
                       ([{"service": "llm", "options": [{"name": "initial_messages", "value": [{"r": 1}]}]}],
                        "role")):
        reply = await client.request("update-config", {"config": bad})
        assert reply["type"] == "error-response" and words in reply["data"]["error"], reply


async def test_actions_run_on_the_conversation(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready(version=None)
    session = harness.session()

    async def act(service: str, action: str, **arguments) -> dict:
        args = [{"name": k, "value": v} for k, v in arguments.items()]
        return await client.request("action", {"service": service, "action": action, "arguments": args})

    assert (await act("tts", "interrupt"))["data"] == {"result": True}
    messages = [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]
    assert (await act("llm", "append_to_messages", messages=messages, run_immediately=True))["type"] == \
        "action-response"
    assert session.called("append_to_context") == [("user", "a", False), ("user", "b", True)]
    context = (await act("llm", "get_context"))["data"]["result"]["messages"]
    assert context[-1] == {"role": "user", "content": "b"}
    await act("llm", "set_context", messages=[{"role": "user", "content": "c"}], run_immediately=True)
    assert session.context == [{"role": "user", "content": "c"}] and session.called("run_llm")
    await act("llm", "run", interrupt=True)
    await act("user", "mute", muted=True)
    await act("user", "push_to_talk", pressed=True)
    assert session.called("set_muted") == [(True,)] and session.called("push_to_talk") == [(True,)]
    assert (await act("bot", "status"))["data"]["result"]["muted"] is True
    for bad in ((("tts", "sing"), {}), (("tts", "say"), {}), (("tts", "say"), {"text": 3}),
                (("tts", "say"), {"text": "x", "loud": True})):
        (service, action), arguments = bad
        reply = await act(service, action, **arguments)
        assert reply["type"] == "error-response", reply


async def test_slow_action_does_not_hold_up_other_requests(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready(version=None)
    say_id = await client.send("action", {"service": "tts", "action": "say",
                                          "arguments": [{"name": "text", "value": "long"}]})
    pong = await client.request("client-message", {"t": "ping"})
    assert pong["type"] == "server-response"
    types_before_say = [m["type"] for m in client.messages]
    assert "action-response" not in types_before_say  # the ping was answered while the bot spoke
    reply = await client.wait_for(lambda m: m.get("id") == say_id)
    assert reply["type"] == "action-response"
    await asyncio.sleep(0)
