"""The phrasings `phrasings.py` measures: (category, text, what should happen). What should happen is the
actions with their arguments (device names as configured, labels as said), "pass" (no action: the LLM or a
told answer) or "refuse" (an unknown device, refused by name)."""

from __future__ import annotations

from typing import Any, Literal, Union

Expected = Union[list[tuple[str, dict[str, Any]]], Literal["pass", "refuse"]]
LIGHTS_ON = [("turn_on", {"device": "Kitchen Light"}), ("turn_on", {"device": "Living Room Lamp"}),
             ("turn_on", {"device": "Porch Light"})]

PROBED: list[tuple[str, str, Expected]] = [
    ("timer", "Remove one minute from the timer.", [("add_timer_time", {"seconds": -60})]),
    ("timer", "Knock five minutes off the timer.", [("add_timer_time", {"seconds": -300})]),
    ("timer", "Subtract two minutes from the pizza timer.", [("add_timer_time", {"seconds": -120, "label": "pizza"})]),
    ("timer", "Set a timer for quarter of an hour.", [("set_timer", {"seconds": 900})]),
    ("timer", "Set a timer for three quarters of an hour.", [("set_timer", {"seconds": 2700})]),
    ("timer", "Set a timer for an hour and a quarter.", [("set_timer", {"seconds": 4500})]),
    ("timer", "Set timer 5 minutes.", [("set_timer", {"seconds": 300})]),
    ("timer", "Set a timer for two minutes thirty.", [("set_timer", {"seconds": 150})]),
    ("timer", "Extend the timer by 5 minutes.", [("add_timer_time", {"seconds": 300})]),
    ("timer", "Turn off the lights in 10 minutes.", [("run_later", {"seconds": 600, "command": "Turn off the lights"})]),
    ("timer", "Remind me to call my mom in 5 minutes.", [("run_later", {"seconds": 300, "command": "Remind me to call my mom"})]),
    ("clock", "What year is it?", [("get_date", {})]),
    ("clock", "What month is it?", [("get_date", {})]),
    ("volume", "Un mute.", [("set_mute", {"muted": False})]),
    ("volume", "Lower the volume by 20 percent.", [("change_volume", {"delta": -20})]),
    ("volume", "Reduce the volume by 20%.", [("change_volume", {"delta": -20})]),
    ("volume", "Raise the volume by ten percent.", [("change_volume", {"delta": 10})]),
    ("volume", "Turn the volume all the way up.", [("change_volume", {"delta": 100})]),
    ("volume", "Set the volume to max.", [("change_volume", {"delta": 100})]),
    ("volume", "It's too loud.", [("change_volume", {"delta": -10})]),
    ("volume", "I can't hear you.", [("change_volume", {"delta": 10})]),
    ("volume", "Speak louder.", [("change_volume", {"delta": 10})]),
    ("device", "Turn the kitchen light of.", [("turn_off", {"device": "Kitchen Light"})]),
    ("device", "Turn the living room lamp up to 80 percent.", [("set_brightness", {"device": "Living Room Lamp", "percent": 80})]),
    ("device", "Start the fan.", [("turn_on", {"device": "Bedroom Fan"})]),
    ("device", "Stop the fan.", [("turn_off", {"device": "Bedroom Fan"})]),
    ("device", "Turn on all the lights.", LIGHTS_ON),
    ("device", "Switch all the lights on.", LIGHTS_ON),
    ("unknown", "Open the garage window.", "refuse"),
    ("unknown", "Open the garage gate.", "refuse"),
    ("unknown", "Dim the hallway light to 20 percent.", "refuse"),
    ("not a command", "How many minutes are in an hour?", "pass"),
    ("not a command", "What happens in 5 minutes?", "pass"),
    ("not a command", "Can you open a bank account here?", "pass"),
    ("not a command", "My timer went off.", "pass"),
    ("not a command", "I'm going to set the table.", "pass"),
]
"""Phrasings that went wrong when the thirteenth round probed the layer: the round's fixes were made
against them."""

FRESH: list[tuple[str, str, Expected]] = [
    # timers
    ("timer", "Set a timer for seventeen minutes.", [("set_timer", {"seconds": 1020})]),
    ("timer", "Start a 40 second timer.", [("set_timer", {"seconds": 40})]),
    ("timer", "Could you set a timer for three hours?", [("set_timer", {"seconds": 10800})]),
    ("timer", "Set a timer for 2 and a half hours.", [("set_timer", {"seconds": 9000})]),
    ("timer", "Set a cookie timer for 11 minutes.", [("set_timer", {"seconds": 660, "label": "cookie"})]),
    ("timer", "Start a timer for 8 minutes for the rice.", [("set_timer", {"seconds": 480, "label": "rice"})]),
    ("timer", "Cancel the cookie timer.", [("cancel_timer", {"label": "cookie"})]),
    ("timer", "Get rid of all the timers.", [("cancel_timer", {"all": True})]),
    ("timer", "How much time is left on the rice timer?", [("list_timers", {})]),
    ("timer", "Pause my timer.", [("pause_timer", {})]),
    ("timer", "Unpause the timer.", [("resume_timer", {})]),
    ("timer", "Add 45 seconds to the timer.", [("add_timer_time", {"seconds": 45})]),
    ("timer", "Take a minute off the timer.", [("add_timer_time", {"seconds": -60})]),
    ("timer", "Subtract 30 seconds from the timer.", [("add_timer_time", {"seconds": -30})]),
    ("timer", "Set a timer for a quarter hour.", [("set_timer", {"seconds": 900})]),
    ("timer", "Timer, 12 minutes.", [("set_timer", {"seconds": 720})]),
    # time and date
    ("clock", "What's the time, please?", [("get_time", {})]),
    ("clock", "Could you tell me what time it is?", [("get_time", {})]),
    ("clock", "What is the date?", [("get_date", {})]),
    ("clock", "Which day of the week is it?", [("get_date", {})]),
    # volume and mute
    ("volume", "Set the volume to fifteen percent.", [("set_volume", {"percent": 15})]),
    ("volume", "Volume to 70.", [("set_volume", {"percent": 70})]),
    ("volume", "Turn it up a little.", [("change_volume", {"delta": 10})]),
    ("volume", "Can you be a bit quieter?", [("change_volume", {"delta": -10})]),
    ("volume", "Decrease the volume by 30 percent.", [("change_volume", {"delta": -30})]),
    ("volume", "Mute the speaker.", [("set_mute", {"muted": True})]),
    ("volume", "Unmute yourself please.", [("set_mute", {"muted": False})]),
    ("volume", "Turn your microphone back on.", [("set_mute", {"muted": False})]),
    # devices
    ("device", "Switch the kitchen lights off.", [("turn_off", {"device": "Kitchen Light"})]),
    ("device", "Turn the floor lamp on please.", [("turn_on", {"device": "Living Room Lamp"})]),
    ("device", "Set the kitchen light to 35 percent.", [("set_brightness", {"device": "Kitchen Light", "percent": 35})]),
    ("device", "Dim the floor lamp to 5 percent.", [("set_brightness", {"device": "Living Room Lamp", "percent": 5})]),
    ("device", "Turn on the fan in the bedroom.", [("turn_on", {"device": "Bedroom Fan"})]),
    ("device", "Shut the office blinds.", [("close_cover", {"device": "Office Blinds"})]),
    ("device", "Open the garage door please.", [("open_cover", {"device": "Garage Door"})]),
    ("device", "Turn off the porch lights.", [("turn_off", {"device": "Porch Light"})]),
    ("device", "Lights off in the living room.", [("turn_off", {"device": "Living Room Lamp"})]),
    ("device", "Make the kitchen light brighter.", [("change_brightness", {"device": "Kitchen Light", "delta": 25})]),
    ("device", "Stop the office blinds.", [("stop_cover", {"device": "Office Blinds"})]),
    ("device", "Turn off all the lights.", [("turn_off", {"device": "Kitchen Light"}), ("turn_off", {"device": "Living Room Lamp"}),
                                             ("turn_off", {"device": "Porch Light"})]),
    # devices that are not there
    ("unknown", "Turn on the dishwasher.", "refuse"),
    ("unknown", "Switch off the bathroom light.", "refuse"),
    ("unknown", "Open the bedroom curtains.", "refuse"),
    ("unknown", "Close the kitchen window.", "refuse"),
    ("unknown", "Turn the air conditioner on.", "refuse"),
    ("unknown", "Set the hallway lamp to 40 percent.", "refuse"),
    ("unknown", "Open the front door.", "refuse"),
    # not commands: must run nothing
    ("not a command", "How long does it take to hard boil an egg?", "pass"),
    ("not a command", "What time does the bakery close?", "pass"),
    ("not a command", "How many seconds are in an hour?", "pass"),
    ("not a command", "Who invented the light bulb?", "pass"),
    ("not a command", "I turned off the stove already.", "pass"),
    ("not a command", "The kitchen is too dark to read.", "pass"),
    ("not a command", "My alarm didn't go off this morning.", "pass"),
    ("not a command", "Can you recommend a good book?", "pass"),
    ("not a command", "What's the volume of the Pacific Ocean?", "pass"),
    ("not a command", "Is it going to rain later?", "pass"),
    ("not a command", "Where can I buy a new lamp?", "pass"),
    ("not a command", "Do you like music?", "pass"),
    ("not a command", "I need to open a window.", "pass"),
]
"""Written after the thirteenth round's fixes and measured as they came."""
