"""Generated requests: templates filled from vocabularies with a seeded random draw.

Nothing here is tuned to what the device understands: the vocabularies are the ways people phrase these
requests, and a different seed draws a different set. Numbers are written as words, the way a speaker
says them and the way a speech recogniser often writes them.
"""

from __future__ import annotations

import random
from typing import Any, Callable

from .command_corpus import (CHAT, DEVICES, DOWN, Q, UNKNOWN, UP, Case, Device, Expect, cmd)

DURATIONS = (  # (spoken, seconds)
    ("five minutes", 300), ("twenty seconds", 20), ("forty five seconds", 45), ("two hours", 7200),
    ("an hour and a half", 5400), ("twelve minutes", 720), ("one minute", 60), ("fifteen minutes", 900),
    ("three hours", 10800), ("one minute and thirty seconds", 90), ("twenty five minutes", 1500),
    ("four minutes", 240), ("half an hour", 1800), ("seven minutes", 420),
)
LABELS = ("pizza", "laundry", "rice", "bread", "cookie", "workout")
PERCENTS = (("ten", 10), ("twenty five", 25), ("forty", 40), ("sixty", 60), ("seventy five", 75), ("ninety", 90))
ON_VERBS = ("Turn on the {d}", "Switch on the {d}", "Please turn on the {d}", "Can you turn on the {d}",
            "Turn the {d} on")
OFF_VERBS = ("Turn off the {d}", "Switch off the {d}", "Please turn off the {d}", "Turn the {d} off",
             "Can you switch off the {d}")
UNKNOWN_THINGS = ("garden sprinkler", "dishwasher", "bathroom fan", "attic light", "guest room lamp",
                  "space heater", "radio", "hallway lamp", "pool pump")
COUNTRIES = ("Spain", "Japan", "Italy", "Canada", "Germany", "Egypt", "Brazil")
QUESTIONS = ("Who painted the Mona Lisa?", "What do bees make?", "Why do leaves change color in autumn?",
             "How far away is the moon?", "What is the largest ocean?", "How many days are in a leap year?",
             "What language do people speak in Brazil?", "What is the biggest animal on earth?")
CHITCHAT = ("Tell me something funny.", "Do you like music?", "What's your favorite color?", "Good night.",
            "I'm bored.", "You're very helpful.", "Do you have any hobbies?", "Hello there!")


def device_phrase(device: Device, rng: random.Random) -> str:
    return rng.choice((device.name.lower(), *device.aliases))


def _timer(rng: random.Random) -> tuple[str, Expect]:
    spoken, seconds = rng.choice(DURATIONS)
    if rng.random() < 0.4:
        label = rng.choice(LABELS)
        text = rng.choice(("Set a {l} timer for {t}.", "Start a {l} timer for {t}.", "Timer for {t} for the {l}."))
        return text.format(l=label, t=spoken), cmd("set_timer", seconds=seconds, label=label)
    text = rng.choice(("Set a timer for {t}.", "Start a timer for {t}.", "Could you set a timer for {t}?",
                       "Timer for {t}, please.", "Please set a timer for {t}."))
    return text.format(t=spoken), cmd("set_timer", seconds=seconds)


def _timer_follow_up(rng: random.Random) -> tuple[str, Expect]:
    label = rng.choice(LABELS)
    choice = rng.randrange(3)
    if choice == 0:
        return rng.choice(("Cancel my {l} timer.", "Stop the {l} timer.")).format(l=label), \
            cmd("cancel_timer", needs_timer=label, label=label)
    if choice == 1:
        return rng.choice(("How long is left on the {l} timer?", "How much time is left on the {l} timer?")).format(
            l=label), cmd("list_timers", needs_timer=label)
    spoken, seconds = rng.choice((("one minute", 60), ("five minutes", 300), ("thirty seconds", 30)))
    return f"Add {spoken} to the {label} timer.", cmd("add_timer_time", needs_timer=label, seconds=seconds, label=label)


def _switch(rng: random.Random) -> tuple[str, Expect]:
    device = rng.choice([d for d in DEVICES if d.kind != "cover"])
    on = rng.random() < 0.5
    verb = rng.choice(ON_VERBS if on else OFF_VERBS)
    polite = not verb.startswith(("Please", "Can")) and rng.random() < 0.3
    text = verb.format(d=device_phrase(device, rng)) + (", please." if polite else ".")
    return text, cmd("turn_on" if on else "turn_off", device=device.name)


def _brightness(rng: random.Random) -> tuple[str, Expect]:
    device = rng.choice([d for d in DEVICES if d.kind == "light"])
    spoken, percent = rng.choice(PERCENTS)
    text = rng.choice(("Set the {d} to {p} percent.", "Dim the {d} to {p} percent.",
                       "Set the {d} brightness to {p} percent.")).format(d=device_phrase(device, rng), p=spoken)
    return text, cmd("set_brightness", device=device.name, percent=percent)


def _cover(rng: random.Random) -> tuple[str, Expect]:
    device = rng.choice([d for d in DEVICES if d.kind == "cover"])
    opening = rng.random() < 0.5
    verb = rng.choice(("Open the {d}.", "Please open the {d}.") if opening else ("Close the {d}.", "Shut the {d}."))
    return verb.format(d=device_phrase(device, rng)), cmd("open_cover" if opening else "close_cover", device=device.name)


def _volume(rng: random.Random) -> tuple[str, Expect]:
    choice = rng.randrange(3)
    if choice == 0:
        spoken, percent = rng.choice(PERCENTS)
        return rng.choice(("Set the volume to {p} percent.", "Change the volume to {p} percent.",
                           "Volume to {p} percent, please.")).format(p=spoken), cmd("set_volume", percent=percent)
    if choice == 1:
        return rng.choice(("Turn it up.", "Volume up.", "Raise the volume.", "A bit louder, please.")), \
            cmd("change_volume", delta=UP)
    return rng.choice(("Turn it down.", "Volume down.", "Lower the volume.", "A bit quieter, please.")), \
        cmd("change_volume", delta=DOWN)


def _mute(rng: random.Random) -> tuple[str, Expect]:
    if rng.random() < 0.5:
        return rng.choice(("Mute.", "Please mute the sound.", "Mute the volume.")), cmd("set_mute", muted=True)
    return rng.choice(("Unmute.", "Unmute yourself.", "Turn the sound back on.")), cmd("set_mute", muted=False)


def _clock(rng: random.Random) -> tuple[str, Expect]:
    if rng.random() < 0.5:
        return rng.choice(("What time is it now?", "Do you know what time it is?", "What's the time now?")), \
            cmd("get_time")
    return rng.choice(("What's today's date?", "What is the date?", "Which day of the month is it?")), cmd("get_date")


CLOCK_TIMES = (  # (spoken, hour, minute, meridiem or "")
    ("seven in the morning", 7, 0, "am"), ("six thirty", 6, 30, ""), ("half past six", 6, 30, ""),
    ("quarter to eight", 7, 45, ""), ("nine fifteen", 9, 15, ""), ("eight o'clock", 8, 0, ""),
    ("ten at night", 10, 0, "pm"), ("noon", 12, 0, "pm"), ("five forty five", 5, 45, ""),
)


ALARM_DAYS = (  # (said after the time, the arguments it adds)
    (" on Friday", {"day": "friday"}), (" on Sunday", {"day": "sunday"}), (" every weekday", {"repeat": "weekdays"}),
    (" every day", {"repeat": "daily"}), (" every Tuesday", {"repeat": "tuesday"}),
    (" on Mondays and Thursdays", {"repeat": "monday,thursday"}), (" on weekends", {"repeat": "weekends"}),
)


def _alarm(rng: random.Random) -> tuple[str, Expect]:
    spoken, hour, minute, meridiem = rng.choice(CLOCK_TIMES)
    said = {"meridiem": meridiem} if meridiem else {}
    days, on_days = rng.choice((("", {}), ("", {}), *ALARM_DAYS))   # a third said for a day or to repeat
    if rng.random() < 0.3:
        return rng.choice(("Wake me up at {t}.", "Please wake me up at {t}.")).format(t=spoken + days), \
            cmd("set_alarm", hour=hour, minute=minute, command="wake me up", **said, **on_days)
    return rng.choice(("Set an alarm for {t}.", "Can you set an alarm for {t}?", "Set an alarm for {t}, please.")
                      ).format(t=spoken + days), cmd("set_alarm", hour=hour, minute=minute, **said, **on_days)


def _question(rng: random.Random) -> tuple[str, Expect]:
    if rng.random() < 0.4:
        return f"What is the capital of {rng.choice(COUNTRIES)}?", Q
    return rng.choice(QUESTIONS), Q


def _chitchat(rng: random.Random) -> tuple[str, Expect]:
    return rng.choice(CHITCHAT), CHAT


def _unknown(rng: random.Random) -> tuple[str, Expect]:
    thing = rng.choice(UNKNOWN_THINGS)
    return rng.choice((*ON_VERBS, *OFF_VERBS)).format(d=thing) + ".", UNKNOWN


KINDS: tuple[tuple[Callable[[random.Random], tuple[str, Expect]], int], ...] = (
    # (generator, weight): about two thirds commands, the rest questions, chit-chat and unknown devices
    (_timer, 4), (_timer_follow_up, 2), (_switch, 4), (_brightness, 2), (_cover, 2), (_volume, 3), (_mute, 1),
    (_clock, 2), (_alarm, 1), (_question, 3), (_chitchat, 3), (_unknown, 3),
)


def generate(seed: int, count: int) -> list[Case]:
    """`count` distinct generated requests for `seed`."""
    rng = random.Random(seed)
    makers, weights = zip(*KINDS)
    cases: list[Case] = []
    seen: set[str] = set()
    attempts = 0
    while len(cases) < count and attempts < count * 50:
        attempts += 1
        text, expect = rng.choices(makers, weights)[0](rng)
        if text in seen:
            continue
        seen.add(text)
        cases.append(Case(f"g{len(cases):02d}", text, text, expect, "generated"))
    return cases


def describe(cases: list[Case]) -> dict[str, Any]:
    """How many cases of each category, intent, voice and condition (for the results file)."""
    def count(key: Callable[[Case], str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for case in cases:
            out[key(case)] = out.get(key(case), 0) + 1
        return dict(sorted(out.items()))

    return {"cases": len(cases), "category": count(lambda c: c.expect.category), "intent": count(lambda c: c.intent),
            "voice": count(lambda c: c.voice_label), "condition": count(lambda c: c.condition),
            "split": count(lambda c: c.split)}
