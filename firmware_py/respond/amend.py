"""A command that ran, whose amount followed a moment later: "Turn the volume down. | By twenty percent."

The first piece was a whole command and ran at once (that is what makes commands quick); the words that go
on from it before its confirmation could have been heard are its rest. When both pieces read together as the
same command with another amount, the command is corrected rather than run twice or left half done: a
setting is set again to the new value, a step is topped up by the difference ("down" ran -10; "down by
twenty" needs -10 more), and a step followed by a value is set to it ("Dim the floor lamp. | To ten
percent."). A timer just set is lengthened or named by the rest of its request ("Timer for one minute. | And
thirty seconds.", "Timer for five minutes. | For the workout."), never set twice; an alarm just set is moved to
the time the rest of its request says ("Wake me up at five. | Forty-five."), never set twice. Anything else is a request
of its own. A device command followed by another device's name is both ("Turn off the TV. | And the hallway
light.": the hallway light too).
"""

from __future__ import annotations

from .base import ActionCall, Answer
from .timer_names import timer_call

SETTINGS = frozenset({"set_volume", "set_brightness"})
"""Actions whose last value wins: set again."""
STEPS = frozenset({"change_volume", "change_brightness"})
"""Actions that add a `delta`: topped up by the difference."""
AMENDABLE = SETTINGS | STEPS
SWITCHES = frozenset({"turn_on", "turn_off", "open_cover", "close_cover", "stop_cover"})
"""Device commands whose rest may name another device for the same ("... | And the hallway light.")."""
WHAT_THEY_CHANGE = {"set_volume": "volume", "change_volume": "volume",
                    "set_brightness": "brightness", "change_brightness": "brightness"}
"""A step and a setting of the same thing amend each other ("Dim the floor lamp. | To ten percent.")."""
UNDONE = {"turn_on": "turn_off", "turn_off": "turn_on", "open_cover": "close_cover", "close_cover": "open_cover"}
"""What switches a device back: a switch the rest of its request corrects ("No, the porch light.") is undone."""


TIMER_SET = "set_timer"
TIMER_AMEND = "amend_timer"
ALARM_SET = "set_alarm"
FINISHED = "finished"
"""The conversation command of words that only finished a request already done (`Answer.command`)."""


def can_be_amended(answer: Answer | None) -> bool:
    """Did this answer run only settings and steps, or set one timer, which the rest of the request said a
    moment later may correct, or only switch devices, which it may add to?"""
    if answer is None or not answer.actions:
        return False
    return (all(a.name in AMENDABLE for a in answer.actions) or all(a.name in SWITCHES for a in answer.actions)
            or _one_timer_set(answer) is not None or _one_alarm_set(answer) is not None)


def amendment(ran: Answer, joined: Answer) -> tuple[ActionCall, ...] | None:
    """What turns what `ran` did into what `joined` (both pieces read as one) asks for; None when `joined` is
    another request (other actions or other devices), () when nothing is left to do."""
    if _one_timer_set(ran) is not None:
        return _timer_amendment(ran, joined)
    if _one_alarm_set(ran) is not None:
        return _alarm_amendment(ran, joined)
    if len(ran.actions) != len(joined.actions):
        return None
    calls: list[ActionCall] = []
    for before, after in zip(ran.actions, joined.actions):
        if before.name not in WHAT_THEY_CHANGE or WHAT_THEY_CHANGE[before.name] != WHAT_THEY_CHANGE.get(after.name) or _target(before) != _target(after):
            return None
        if before.name in STEPS and after.name in STEPS:
            delta = int(after.arguments.get("delta", 0)) - int(before.arguments.get("delta", 0))
            if delta:
                calls.append(ActionCall(after.name, {**after.arguments, "delta": delta}))
        elif dict(before.arguments) != dict(after.arguments):
            calls.append(after)
    return tuple(calls)


def same_setting(ran: Answer, joined: Answer) -> bool:
    """Did the rest only finish saying the settings that ran ("Set the volume to fifty. | Percent.")? Then it
    is no request of its own: the settings are confirmed again (a step said again is a step more, "Louder.
    | Louder.", and never comes here: a command of its own is not a rest)."""
    return amendment(ran, joined) == () and all(a.name in SETTINGS for a in joined.actions)


def only_finished(ran: Answer, joined: Answer) -> bool:
    """Did the rest only finish saying the device commands or the alarm that ran ("Turn on the floor lamp, |
    please.", "Wake me up at seven. | Thanks.")? They ran and were confirmed: nothing more is done or said (a
    second run said the same thing twice)."""
    if _one_alarm_set(ran) is not None:
        return _alarm_amendment(ran, joined) == ()
    return bool(ran.actions) and all(a.name in SWITCHES for a in ran.actions) and joined.actions == ran.actions


def rest_of(ran: Answer, joined: Answer, correction: bool = False) -> tuple[ActionCall, ...] | None:
    """What the rest of a request that ran still asks for, both pieces read as one (`joined`): the settings
    again when it only finished saying them, the timer confirmed as set when it only finished its request
    ("Timer for twenty seconds. | Please.": never a second timer), else the amendment; () nothing, None
    another request. `correction`: the rest corrects the request (respond/self_corrections.py), so devices
    switched that it replaces are switched back."""
    if correction and (switched := switch_corrected(ran, joined)) is not None:
        return switched
    done = len(ran.actions)
    if len(joined.actions) > done and joined.actions[:done] == ran.actions:   # another request added to it
        return joined.actions[done:]
    if same_setting(ran, joined):
        return joined.actions
    calls = amendment(ran, joined)
    if calls == () and _one_timer_set(ran) is not None:
        return (ActionCall(TIMER_AMEND, {}),)
    return calls


def switch_corrected(ran: Answer, joined: Answer) -> tuple[ActionCall, ...] | None:
    """ "Turn on the kitchen light. | No, the porch light." (both read as one: "Turn on the porch light."): the
    devices switched by mistake switched back, and the same deed done to the ones the correction names; None
    unless one deed was done and the correction does only it, to other devices."""
    deeds = {call.name for call in ran.actions}
    if len(deeds) != 1 or not deeds <= UNDONE.keys() or not joined.actions or {call.name for call in joined.actions} != deeds:
        return None
    if {_target(call) for call in joined.actions} & {_target(call) for call in ran.actions}:
        return None
    return tuple(ActionCall(UNDONE[call.name], dict(call.arguments)) for call in ran.actions) + joined.actions


def _target(call: ActionCall) -> str:
    return str(call.arguments.get("device", ""))


def _one_timer_set(answer: Answer) -> dict[str, object] | None:
    call = timer_call(answer)
    return dict(call.arguments) if call is not None and call.name == TIMER_SET else None


def _timer_amendment(ran: Answer, joined: Answer) -> tuple[ActionCall, ...] | None:
    """The timer `ran` set, lengthened by what `joined` adds and named if it was not: None when `joined` is
    no timer set, or names another timer than the one set."""
    before, after = _one_timer_set(ran), _one_timer_set(joined)
    if before is None or after is None:
        return None
    name_before, name_after = str(before.get("label", "")), str(after.get("label", ""))
    if name_before and name_after.lower() != name_before.lower():
        return None
    arguments: dict[str, object] = {}
    added = round(float(after.get("seconds", 0)) - float(before.get("seconds", 0)))   # type: ignore[arg-type]
    if added:
        arguments["add_seconds"] = added
    if name_after and not name_before:
        arguments["label"] = name_after
    return (ActionCall(TIMER_AMEND, arguments),) if arguments else ()


def _one_alarm_set(answer: Answer) -> dict[str, object] | None:
    """The arguments of the one alarm `answer` set (not moved), else None."""
    if len(answer.actions) != 1 or answer.actions[0].name != ALARM_SET or answer.actions[0].arguments.get("move"):
        return None
    return dict(answer.actions[0].arguments)


def _alarm_amendment(ran: Answer, joined: Answer) -> tuple[ActionCall, ...] | None:
    """The alarm `ran` set, moved to what `joined` sets ("... at five. | Forty-five every Tuesday."): None when
    `joined` sets no alarm or one for something else to be done, () when it is the same alarm."""
    before, after = _one_alarm_set(ran), _one_alarm_set(joined)
    if before is None or after is None:
        return None
    if str(before.get("command", "")).lower() != str(after.get("command", "")).lower():
        return None
    return () if after == before else (ActionCall(ALARM_SET, {**after, "move": True}),)
