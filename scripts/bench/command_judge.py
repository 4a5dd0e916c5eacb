"""Judging one request from what a client saw: the actions run (RTVI function-call messages), what the bot
said, and what went out over MQTT. Pure functions on plain data, so they are tested without a daemon.

An action counts as *run* when its `llm-function-call-stopped` result is not an error and not cancelled.
A *wrong action* is any run action other than the one asked for with the arguments asked for: an
action for a question, the right action with the wrong arguments (30 minutes for 30 seconds), or a
command sent to a device nobody named.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from firmware_py.respond.number_words import TENS, UNITS

from .command_corpus import (CHITCHAT, COMMAND, DEVICE_BY_NAME, DEVICES, QUESTION, UNKNOWN_DEVICE, Case, Device,
                             Expect)

DEVICE_ACTIONS = ("turn_on", "turn_off", "set_brightness", "open_cover", "close_cover")
SILENT_ACTIONS = ("never_mind",)
TELLING_ACTIONS = ("get_time", "get_date", "list_timers", "list_alarms", "get_volume")
"""Actions that change nothing: said twice, still one answer."""
"""Actions whose right outcome may be silence: the call itself is the answer."""
SUM_STATED = re.compile(r"(?:\b(?:plus|minus|times|divided by)\b|[-+*/x])[^.?!]*?(?:\b(?:is|equals|makes)\b|=)\s*"
                        r"(-?\d+(?:\.\d+)?)\b", re.I)
"""A sum said with its result, numbers as digits ("5 plus 4 is 9", "3 + 4 = 7"): the result."""
SMALL_NUMBERS = {"zero": 0, **UNITS, **TENS}
"""Number words an answer may spell a result with ("eight")."""
REFUSAL = re.compile(r"\b(don'?t|do not|can'?t|cannot)\b.{0,20}\b(know|find|see)\b.{0,40}\b(device|called|named)\b"
                     r"|\bno device\b|\bunknown device\b", re.IGNORECASE)


@dataclass
class Call:
    tool_call_id: str
    name: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    result: Any = None
    cancelled: bool = False
    stopped: bool = False

    @property
    def ran(self) -> bool:
        return self.stopped and not self.cancelled and not (isinstance(self.result, dict) and "error" in self.result)

    @property
    def error(self) -> str:
        return str(self.result.get("error")) if isinstance(self.result, dict) and "error" in self.result else ""


@dataclass
class Observed:
    """What one request produced, as seen by the client and the MQTT listener."""

    calls: list[Call]
    bot_text: str
    transcript: str
    answered: bool                      # bot audio arrived within the no-answer timeout
    mqtt: list[tuple[str, str]] = field(default_factory=list)  # (topic, payload) on device topics


@dataclass
class Verdict:
    ok: bool
    outcome: str          # "ok" or what went wrong first
    wrong_action: bool
    answered: bool
    detail: str = ""

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


def calls_from_messages(messages: list[tuple[str, Any]]) -> list[Call]:
    """(type, data) RTVI messages -> the calls, merged by tool_call_id, in the order they started."""
    calls: dict[str, Call] = {}
    pending_names: list[str] = []  # `started` carries only the name; the id comes with later messages
    for msg_type, data in messages:
        if not isinstance(data, dict):
            continue
        if msg_type == "llm-function-call-started":
            pending_names.append(str(data.get("function_name", "")))
            continue
        if msg_type not in ("llm-function-call-in-progress", "llm-function-call-stopped"):
            continue
        call_id = str(data.get("tool_call_id", ""))
        call = calls.get(call_id)
        if call is None:
            call = calls[call_id] = Call(call_id, pending_names.pop(0) if pending_names else "")
        call.name = str(data.get("function_name") or call.name)
        if msg_type == "llm-function-call-in-progress":
            call.arguments = _as_object(data.get("arguments")) or {}
        else:
            call.stopped, call.cancelled, call.result = True, bool(data.get("cancelled")), _as_object(data.get("result"))
    return list(calls.values())


def _as_object(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def bot_text(messages: list[tuple[str, Any]]) -> str:
    """What the bot said: the TTS text if sent, else bot-output, else the LLM's streamed text."""
    for kind, joiner in (("bot-tts-text", " "), ("bot-output", " "), ("bot-llm-text", "")):
        pieces = [str(d.get("text", "")) for t, d in messages if t == kind and isinstance(d, dict)]
        if pieces:
            return joiner.join(p.strip() if joiner else p for p in pieces).strip()
    return ""


def timer_seconds(call: Call) -> float | None:
    """A timer's total length: the result's `seconds`, else from the arguments (minutes and/or seconds)."""
    if isinstance(call.result, dict) and isinstance(call.result.get("seconds"), (int, float)):
        return float(call.result["seconds"])
    args = call.arguments
    if any(isinstance(args.get(k), (int, float)) for k in ("seconds", "minutes", "hours")):
        return float(args.get("hours", 0)) * 3600 + float(args.get("minutes", 0)) * 60 + float(args.get("seconds", 0))
    return None


def _label(value: Any) -> str:
    words = [w for w in re.findall(r"[a-z]+", str(value or "").lower()) if w not in ("the", "timer", "my")]
    return " ".join(words)


def argument_problems(expect: Expect, call: Call) -> list[str]:
    """Why `call`'s arguments are not the ones asked for ([] when they are)."""
    problems = []
    for key, wanted in expect.args.items():
        if key == "seconds" and call.name in ("set_timer", "add_timer_time"):
            got: Any = timer_seconds(call) if call.name == "set_timer" else call.arguments.get("seconds")
        elif key == "label" and isinstance(call.result, dict) and call.result.get("label"):
            got = call.result["label"]   # the timer it acted on: "pastor" picks the pasta timer, as said back
        else:
            got = call.arguments.get(key)
        if isinstance(wanted, dict):  # a sign: {"gt": 0} or {"lt": 0}
            fine = isinstance(got, (int, float)) and (got > 0 if "gt" in wanted else got < 0)
        elif key == "label":
            fine = bool(_label(got)) and (_label(wanted) in _label(got) or _label(got) in _label(wanted))
        elif key == "device":
            fine = isinstance(got, str) and got.strip().lower() == str(wanted).lower()
        elif isinstance(wanted, bool):
            fine = got is wanted
        elif isinstance(wanted, (int, float)):
            fine = isinstance(got, (int, float)) and not isinstance(got, bool) and abs(float(got) - wanted) < 0.5
        else:
            fine = got == wanted
        if not fine:
            problems.append(f"{key}={got!r} (wanted {wanted!r})")
    return problems


def expected_payload(action: str, device: Device, args: dict[str, Any]) -> Any:
    """Home Assistant's command payload for the device's kind (a dict for a light's JSON schema)."""
    if device.kind == "cover":
        return "OPEN" if action == "open_cover" else "CLOSE"
    state = "OFF" if action == "turn_off" else "ON"
    if device.kind != "light":
        return state
    if action == "set_brightness":
        return {"state": "ON", "brightness": round(float(args.get("percent", 0)) * 255 / 100)}
    return {"state": state}


def payload_matches(wanted: Any, payload: str) -> bool:
    if isinstance(wanted, str):
        return payload.strip().upper() == wanted
    try:
        got = json.loads(payload)
    except ValueError:
        return False
    if not isinstance(got, dict) or str(got.get("state", "")).upper() != wanted["state"]:
        return False
    return "brightness" not in wanted or abs(float(got.get("brightness", -99)) - wanted["brightness"]) <= 3


def judge(case: Case, seen: Observed, mqtt_checked: bool = True) -> Verdict:
    expect = case.expect
    ran = [c for c in seen.calls if c.ran]
    if expect.category == COMMAND:
        return _judge_command(expect, seen, mqtt_checked)
    wrong = [f"{c.name}({_short(c.arguments)})" for c in ran] + [f"mqtt {t} {p}" for t, p in seen.mqtt]
    if wrong:
        return Verdict(False, "wrong action", True, seen.answered, "; ".join(wrong))
    if not seen.answered:
        return Verdict(False, "no answer", False, False)
    if expect.category == UNKNOWN_DEVICE and not _refused(seen):
        return Verdict(False, "no refusal", False, True, seen.bot_text[:120])
    if expect.answer and not _says_result(seen.bot_text, expect.answer):
        # a sum said with another result is a wrong answer; asked back or talked around, it was not worked out
        return Verdict(False, "wrong answer" if _result_said(seen.bot_text) else "not worked out", False, True,
                       seen.bot_text[:120])
    return Verdict(True, "ok", False, True)


def _says_result(text: str, result: str) -> bool:
    """Does the answer give `result`: as the result of the sum it states, or anywhere when it states none?"""
    said = _result_said(text)
    return said == result if said else re.search(rf"\b{re.escape(result)}\b", _digits(text)) is not None


def _result_said(text: str) -> str:
    """The result a sum's answer states ("5 plus 4 is 9": "9"; "five plus three is eight": "8"), else ""."""
    found = SUM_STATED.search(_digits(text))
    return found.group(1) if found else ""


def _digits(text: str) -> str:
    """`text` with the number words it spells written as digits ("eight" is 8)."""
    return re.sub(r"\b[a-z]+\b", lambda word: str(SMALL_NUMBERS.get(word.group(0).lower(), word.group(0))), text,
                  flags=re.I)


def _refused(seen: Observed) -> bool:
    return bool(REFUSAL.search(seen.bot_text)) or any(REFUSAL.search(c.error) for c in seen.calls)


STEP_SETTING = {"change_volume": "set_volume", "change_brightness": "set_brightness"}
SETTINGS = frozenset(STEP_SETTING.values())


def net_effect(calls: list[Call]) -> list[Call]:
    """A step corrected by the amount said after it judged by what it did: consecutive steps of the same thing
    on the same device count as one step of their sum ("Turn the volume down. | By twenty percent." runs -10,
    then -10 more), and a step followed by a setting of that thing counts as the setting ("Dim the floor lamp.
    | To ten percent."), and an answer that only tells said again, the same ("How much time is left | on the
    cookie timer?": the first piece's answer cut by the rest, then the whole request's), counts once; a setting
    set again by the rest of the request counts as its last value ("Volume to sixty. | Percent, please."
    confirms 60 again; "Set the volume to fifty. | Five percent." ends at 55); a timer
    set and then amended by the rest of the request ("Timer for one minute. | And thirty seconds.") counts as
    the timer it ended as, and an alarm set and then moved by it ("Set an alarm for nine. | Fifteen every Tuesday.")
    as the alarm it ended as. Every other call is judged as it ran."""
    merged: list[Call] = []
    for call in calls:
        last = merged[-1] if merged else None
        if last is not None and call.name in SETTINGS and call.name == last.name and call.ran and last.ran \
                and call.arguments.get("device") == last.arguments.get("device"):
            merged[-1] = call   # set again by the rest of the request: the last value is what it did
            continue
        if last is not None and _moves(last, call):   # "Set an alarm for nine. | Fifteen every Tuesday."
            merged[-1] = call
            continue
        if last is not None and _amends(last, call):
            result = {**last.result, "seconds": call.result["seconds"], "label": call.result.get("label", "")}
            merged[-1] = Call(last.tool_call_id, last.name, {**last.arguments, "label": result["label"]}, result,
                              stopped=True)
            continue
        if last is not None and call.name in TELLING_ACTIONS and (call.name, call.arguments) == (last.name, last.arguments):
            continue
        if last is None or last.name not in STEP_SETTING or not (call.ran and last.ran) \
                or call.arguments.get("device") != last.arguments.get("device"):
            merged.append(call)
        elif call.name == last.name:
            total = float(last.arguments.get("delta", 0)) + float(call.arguments.get("delta", 0))
            merged[-1] = Call(call.tool_call_id, call.name, {**call.arguments, "delta": total}, call.result,
                              stopped=True)
        elif call.name == STEP_SETTING[last.name]:
            merged[-1] = call
        else:
            merged.append(call)
    return merged


def _moves(alarm_set: Call, call: Call) -> bool:
    """Is `call` the alarm `alarm_set` set, moved to the time the rest of its request said?"""
    return (alarm_set.name == call.name == "set_alarm" and alarm_set.ran and call.ran and bool(call.arguments.get("move"))
            and isinstance(alarm_set.result, dict) and isinstance(call.result, dict)
            and call.result.get("moved_from") == alarm_set.result.get("label"))


def _amends(timer_set: Call, call: Call) -> bool:
    """Is `call` the amendment of the timer `timer_set` started?"""
    return (timer_set.name == "set_timer" and call.name == "amend_timer" and timer_set.ran and call.ran
            and isinstance(timer_set.result, dict) and isinstance(call.result, dict)
            and call.result.get("timer_id") == timer_set.result.get("timer_id"))


def _judge_command(expect: Expect, seen: Observed, mqtt_checked: bool) -> Verdict:
    calls = net_effect(seen.calls)
    ran = [c for c in calls if c.ran]
    named = [c for c in calls if c.name == expect.action]
    right = next((c for c in named if not argument_problems(expect, c)), None)
    wrong = [c for c in ran if c is not right]
    stray_mqtt = _stray_mqtt(expect, right, seen.mqtt)
    answered = seen.answered or (expect.action in SILENT_ACTIONS and right is not None)
    if wrong or stray_mqtt:
        kind = "wrong arguments" if any(c.name == expect.action for c in wrong) else "wrong action"
        detail = "; ".join([f"{c.name}({_short(c.arguments)})" + _problems(expect, c) for c in wrong]
                           + [f"mqtt {t} {p}" for t, p in stray_mqtt])
        return Verdict(False, kind, True, answered, detail)
    if right is None:
        if named:  # the right action, refused or with wrong arguments but not run
            return Verdict(False, "action refused", False, answered, named[0].error or _problems(expect, named[0]))
        return Verdict(False, "no answer" if not answered else "no action", False, answered, seen.bot_text[:120])
    if not right.ran:
        return Verdict(False, "action refused", False, answered, right.error or "cancelled")
    if mqtt_checked and expect.action in DEVICE_ACTIONS and not _device_commanded(expect, seen.mqtt):
        return Verdict(False, "device not commanded", False, answered, f"mqtt seen: {seen.mqtt[:3]}")
    if not answered:
        return Verdict(False, "no answer", False, False, "action ran but nothing was said")
    return Verdict(True, "ok", False, True)


def _device_commanded(expect: Expect, mqtt: list[tuple[str, str]]) -> bool:
    device = DEVICE_BY_NAME.get(str(expect.args.get("device", "")).lower())
    if device is None:
        return False
    wanted = expected_payload(expect.action, device, expect.args)
    return any(topic == device.topic and payload_matches(wanted, payload) for topic, payload in mqtt)


def _stray_mqtt(expect: Expect, right: Call | None, mqtt: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Device commands nobody asked for: any, unless this is the asked-for device action."""
    if right is None or expect.action not in DEVICE_ACTIONS:
        return list(mqtt)
    device = DEVICE_BY_NAME.get(str(expect.args.get("device", "")).lower())
    return [(t, p) for t, p in mqtt if device is None or t != device.topic]


def _problems(expect: Expect, call: Call) -> str:
    problems = argument_problems(expect, call) if call.name == expect.action else []
    return f" [{', '.join(problems)}]" if problems else ""


def _short(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in arguments.items())


def device_topics() -> list[str]:
    return [device.topic for device in DEVICES]


CATEGORY_NAMES = {COMMAND: "command", QUESTION: "question", CHITCHAT: "chit-chat", UNKNOWN_DEVICE: "unknown device"}
