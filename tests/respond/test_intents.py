"""Spoken commands as speech-to-text writes them -> catalogue actions with their arguments.

The phrasings are samples of what people say (case, punctuation, numbers as words, fillers, a mis-heard
word); the matcher is hassil over Home Assistant's sentence library plus the device's own sentences."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.custom import parse_custom_sentences
from firmware_py.respond.intents import IntentAnswers, IntentResponder
from firmware_py.respond.intent_matcher import IntentMatcher

DEVICES = [
    {"name": "kitchen light", "aliases": ["kitchen lights"], "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"},
    {"name": "living room lamp", "area": "living room", "kind": "light", "command_topic": "home/living/lamp/set"},
    {"name": "bedroom fan", "area": "bedroom", "kind": "fan", "command_topic": "home/bedroom/fan/set"},
    {"name": "garage door", "area": "garage", "kind": "cover", "command_topic": "home/garage/door/set"},
    {"name": "porch light", "area": "porch", "kind": "switch", "command_topic": "home/porch/switch/set"},
]
CUSTOM = [{"sentences": ["good night", "(I am|I'm) going to bed"], "action": "turn_off",
           "arguments": {"device": "living room lamp"}},
          {"sentences": ["who made you"], "say": "I was made by the people who set me up."}]


@pytest.fixture(scope="module")
def answers() -> tuple[IntentMatcher, IntentAnswers]:
    directory = DeviceDirectory(parse_devices(DEVICES))
    custom = parse_custom_sentences(CUSTOM)
    return IntentMatcher("en", directory, custom), IntentAnswers(directory, custom)


def actions(pair: tuple[IntentMatcher, IntentAnswers], text: str) -> list[tuple[str, dict[str, Any]]] | None:
    matcher, answers = pair
    found = matcher.match(text)
    answer = answers.answer(found) if found else None
    if answer is None:
        return None
    return [(call.name, call.arguments) for call in answer.actions]


@pytest.mark.parametrize("text, expected", [
    ("Set a timer for 30 seconds.", [("set_timer", {"seconds": 30})]),
    ("Set a timer for thirty seconds.", [("set_timer", {"seconds": 30})]),
    ("Um, set a timer for ten minutes.", [("set_timer", {"seconds": 600})]),
    ("set a timer for one hour and 20 minutes", [("set_timer", {"seconds": 4800})]),
    ("Set a 5 minute pasta timer.", [("set_timer", {"seconds": 300, "label": "pasta"})]),
    ("Cancel the timer.", [("cancel_timer", {})]),
    ("Cancel all timers.", [("cancel_timer", {"all": True})]),
    ("How much time is left on my timer?", [("list_timers", {})]),
    ("Pause the timer.", [("pause_timer", {})]),
    ("Resume the timer.", [("resume_timer", {})]),
    ("Add 2 minutes to the timer.", [("add_timer_time", {"seconds": 120})]),
    ("What time is it?", [("get_time", {})]),
    ("What's the date today?", [("get_date", {})]),
    ("Turn the volume down a bit.", [("change_volume", {"delta": -10})]),
    ("Louder.", [("change_volume", {"delta": 10})]),
    ("Set the volume to 40%.", [("set_volume", {"percent": 40})]),
    ("Set the volume to seventy percent.", [("set_volume", {"percent": 70})]),
    ("Mute yourself.", [("set_mute", {"muted": True})]),
    ("Mute the volume.", [("set_mute", {"muted": True})]),
    ("Please unmute the audio.", [("set_mute", {"muted": False})]),
    ("Turn on the kitchen light.", [("turn_on", {"device": "kitchen light"})]),
    ("Turn the kitchen lights on", [("turn_on", {"device": "kitchen light"})]),
    ("Turn off the living room lamp.", [("turn_off", {"device": "living room lamp"})]),
    ("Set the kitchen light to 50 percent.", [("set_brightness", {"device": "kitchen light", "percent": 50})]),
    ("Turn on the bedroom fan.", [("turn_on", {"device": "bedroom fan"})]),
    ("Open the garage door.", [("open_cover", {"device": "garage door"})]),
    ("Close the garage door.", [("close_cover", {"device": "garage door"})]),
    ("Turn off the porch light.", [("turn_off", {"device": "porch light"})]),
    ("Never mind.", [("never_mind", {})]),
    ("What can you do?", [("help", {})]),
    ("How can I ask you?", [("help", {})]),   # "What can I ask you?" with its "w" lost (seed 1019)
    ("What else can you do?", [("help", {})]),
    ("How do I talk to you?", [("help", {})]),
    ("Repeat that.", [("repeat", {})]),
    ("Good night.", [("turn_off", {"device": "living room lamp"})]),
    ("Set a timer for an hour.", [("set_timer", {"seconds": 3600})]),
    ("Delete the timer.", [("cancel_timer", {})]),
    ("What day is it today?", [("get_date", {})]),
    ("Dim the kitchen light to 20%.", [("set_brightness", {"device": "kitchen light", "percent": 20})]),
    ("Shut off the fan in the bedroom.", [("turn_off", {"device": "bedroom fan"})]),
    ("Remove one minute from the timer.", [("add_timer_time", {"seconds": -60})]),   # not "cancel the timer"
    ("Knock five minutes off the pasta timer.", [("add_timer_time", {"seconds": -300, "label": "pasta"})]),
    ("Remove the pasta timer.", [("cancel_timer", {"label": "pasta"})]),
    ("Set a timer for a quarter of an hour.", [("set_timer", {"seconds": 900})]),
    ("Set a timer for three quarters of an hour.", [("set_timer", {"seconds": 2700})]),
    ("Set a timer for an hour and a quarter.", [("set_timer", {"seconds": 4500})]),
    ("Lower the volume by 20 percent.", [("change_volume", {"delta": -20})]),
    ("Raise the volume by ten percent.", [("change_volume", {"delta": 10})]),
    ("Turn the volume all the way up.", [("change_volume", {"delta": 100})]),
    ("Start the fan.", [("turn_on", {"device": "bedroom fan"})]),
    ("Stop the fan.", [("turn_off", {"device": "bedroom fan"})]),
    ("Un mute.", [("set_mute", {"muted": False})]),   # STT's split "unmute" muted
    ("Turn the kitchen light of.", [("turn_off", {"device": "kitchen light"})]),
    ("Set timer 5 minutes.", [("set_timer", {"seconds": 300})]),
    ("Set a timer for two minutes thirty.", [("set_timer", {"seconds": 150})]),
    ("Turn the living room lamp up to 80 percent.", [("set_brightness", {"device": "living room lamp", "percent": 80})]),
    ("Extend the timer by 5 minutes.", [("add_timer_time", {"seconds": 300})]),
    ("Set the volume to max.", [("change_volume", {"delta": 100})]),
    ("It's too loud.", [("change_volume", {"delta": -10})]),
    ("I can't hear you.", [("change_volume", {"delta": 10})]),
    ("What year is it?", [("get_date", {})]),
    ("Turned the, turn the volume down a bit.", [("change_volume", {"delta": -10})]),   # a false start, past tense
    ("What timers?", [("list_timers", {})]),
    ("Get rid of all the timers.", [("cancel_timer", {"all": True})]),
    ("Turn your microphone back on.", [("set_mute", {"muted": False})]),
    ("Can you be a bit quieter?", [("change_volume", {"delta": -10})]),
    ("Set up timer for thirty seconds.", [("set_timer", {"seconds": 30})]),   # "up" is no timer's name
    ("Turn on all the lights.", [("turn_on", {"device": "kitchen light"}), ("turn_on", {"device": "living room lamp"}),
                                 ("turn_on", {"device": "porch light"})]),
    # the forty-fifth round's typed set: a length, a brightness, a room's devices said other ways
    ("Set a timer for 1 hour 15.", [("set_timer", {"seconds": 4500})]),
    ("Set the tea timer to four minutes.", [("set_timer", {"seconds": 240, "label": "tea"})]),
    ("Is the pasta timer still running?", [("list_timers", {})]),
    ("Kitchen light to full.", [("set_brightness", {"device": "kitchen light", "percent": 100})]),
    ("Half brightness on the living room lamp.", [("set_brightness", {"device": "living room lamp", "percent": 50})]),
    ("Kitchen light to 30 percent.", [("set_brightness", {"device": "kitchen light", "percent": 30})]),
    ("Everything off in the bedroom.", [("turn_off", {"device": "bedroom fan"})]),
    ("Get the bedroom fan going.", [("turn_on", {"device": "bedroom fan"})]),
    # corrected as said: one unknown "kitchen bedroom" device before
    ("Turn on the kitchen, no, the living room lamp.", [("turn_on", {"device": "living room lamp"})]),
    ("Set a timer for five minutes, sorry, ten.", [("set_timer", {"seconds": 600})]),
    ("Open the garage door, actually, never mind.", [("never_mind", {})]),
    # seed 1031's hearings: a verb mended and a stray "and" dropped at once; "'s" glued on a clipped verb
    ("Loose and garage door.", [("close_cover", {"device": "garage door"})]),
    ("Penn's the garage door.", [("open_cover", {"device": "garage door"})]),
])
def test_commands_become_catalogue_actions(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                           expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize("text, device", [
    ("Switch on the garage heater.", "garage heater"),
    ("Turn off the TV.", "tv"),
    ("At the basement light to forty percent.", "basement light"),   # "set" with its first sound lost
])
def test_an_unknown_device_is_named_never_replaced(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                   device: str) -> None:
    found = actions(answers, text)
    assert found is not None and len(found) == 1
    name, arguments = found[0]
    assert name in ("turn_on", "turn_off") and arguments == {"device": device}


def test_a_misheard_word_is_mended(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    assert actions(answers, "Turn the kitchen lite on.") == [("turn_on", {"device": "kitchen light"})]
    assert actions(answers, "Turn on the kitchen lihgt") == [("turn_on", {"device": "kitchen light"})]


def test_an_ambiguous_mishearing_asks_instead_of_acting(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    matcher, intent_answers = answers
    found = matcher.match("Inute yourself.")
    answer = intent_answers.answer(found) if found else None
    assert answer is not None and not answer.actions and "mute yourself" in answer.text


@pytest.mark.parametrize("text", ["What is the capital of France?", "Tell me a joke.", "How are you today?",
                                  "Why do cats like to sleep so much?", ""])
def test_questions_and_chat_go_to_the_llm(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    assert actions(answers, text) is None


def test_plain_answers_need_no_llm(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    matcher, intent_answers = answers
    for text, said in [("What is five plus three?", "5 plus 3 is 8."), ("Who made you?", "set me up"),
                       ("What's the weather like?", "offline")]:
        found = matcher.match(text)
        answer = intent_answers.answer(found) if found else None
        assert answer is not None and said in answer.text, text
    stop = intent_answers.answer(matcher.match("Stop."))  # type: ignore[arg-type]
    assert stop is not None and stop.command == "stop"


def test_bad_custom_sentences_are_named() -> None:
    from firmware_py.config import ConfigError

    with pytest.raises(ConfigError, match="sentences\\[0\\]"):
        parse_custom_sentences([{"sentences": ["good (night"], "say": "x"}])
    with pytest.raises(ConfigError, match="exactly one of say"):
        parse_custom_sentences([{"sentences": ["hello"]}])


def test_bad_devices_are_named() -> None:
    from firmware_py.config import ConfigError

    with pytest.raises(ConfigError, match="kind"):
        parse_devices([{"name": "x", "kind": "toaster", "command_topic": "a/b"}])
    with pytest.raises(ConfigError, match="used by two devices"):
        parse_devices([{"name": "lamp", "kind": "light", "command_topic": "a"},
                       {"name": "lamp", "kind": "light", "command_topic": "b"}])


def test_the_light_means_this_rooms_or_a_question(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    matcher, intent_answers = answers
    found = matcher.match("Turn on the light.")
    answer = intent_answers.answer(found) if found else None
    assert answer is not None and not answer.actions and answer.text.startswith("Which one")
    directory = DeviceDirectory(parse_devices(DEVICES))
    kitchen = IntentMatcher("en", directory, area="kitchen"), IntentAnswers(directory, (), area="kitchen")
    assert actions(kitchen, "Turn on the light.") == [("turn_on", {"device": "kitchen light"})]
    assert actions(answers, "Turn off all the lights.") == [("turn_off", {"device": "kitchen light"}),
                                                            ("turn_off", {"device": "living room lamp"}),
                                                            ("turn_off", {"device": "porch light"})]


@pytest.mark.parametrize("text, expected", [
    ("Turn on the, turn on the bedroom fan.", [("turn_on", {"device": "bedroom fan"})]),
    ("What's the, what's the time?", [("get_time", {})]),
    ("Cancel the, cancel the pasta timer.", [("cancel_timer", {"label": "pasta"})]),
    ("Urn off the kitchen light.", [("turn_off", {"device": "kitchen light"})]),
    ("Ause the timer.", [("pause_timer", {})]),
    ("Et a timer for twenty seconds.", [("set_timer", {"seconds": 20})]),
    ("What's though what's the date today?", [("get_date", {})]),   # a restart STT wrote with no break
    ("Burn the porridge lights off.", [("turn_off", {"device": "porch light"})]),   # "dge" sounds as "ch"
    ("And two minutes to the timer.", [("add_timer_time", {"seconds": 120})]),
    # a restart STT ran into the name: the name is what follows its last verb, "in" the restart's "an"
    ("Set and set in egg timer for six minutes.", [("set_timer", {"seconds": 360, "label": "egg"})]),
    ("Set a set a rice timer for one minute.", [("set_timer", {"seconds": 60, "label": "rice"})]),
    ("Start at workout timer for twenty five minutes.", [("set_timer", {"seconds": 1500, "label": "workout"})]),
    ("Start her pizza timer for four minutes.", [("set_timer", {"seconds": 240, "label": "pizza"})]),
    ("Start her past her timer for eight minutes.", [("set_timer", {"seconds": 480})]),
    # "an hour" written as "another" at the end of the amount
    ("Timer for another and a half, please.", [("set_timer", {"seconds": 5400})]),
    ("Start a timer for another, please.", [("set_timer", {"seconds": 3600})]),
    # "for" written as "4" and run into the amount
    ("Time or 425 minutes, please.", [("set_timer", {"seconds": 1500})]),
    ("Set a timer 430 seconds.", [("set_timer", {"seconds": 30})]),
    # "what" with its first sound lost, all other words heard
    ("At time, is it?", [("get_time", {})]),
    ("Had time as it now,", [("get_time", {})]),   # its "is" heard as "as" too (seed 857)
    ("Hut can I ask you?", [("help", {})]),   # as a word no template knows (seed 1181's espeak "Hat can I ask you?")
    # "at" for "to" before a percentage
    ("Dim the living room lamp at twenty percent.", [("set_brightness", {"device": "living room lamp", "percent": 20})]),
    ("Set the volume at 30%.", [("set_volume", {"percent": 30})]),
    # a filler before a sentence that holds one of hassil's skip words ("can you")
    ("Ok, so what can you do?", [("help", {})]),
    ("So what can you do?", [("help", {})]),
    # a sound written as a letter, set off before the sentence
    ("H. never mind.", [("never_mind", {})]),
    ("O, never! Mind,", [("never_mind", {})]),
    ("B. Turn off the porch light.", [("turn_off", {"device": "porch light"})]),
    # a hum written as a letter after the command ("Mute." heard "Mute m", seed 811), or inside it
    ("Mute m", [("set_mute", {"muted": True})]),
    ("Volume up, mm.", [("change_volume", {"delta": 10})]),
    ("Turn off the, mm, porch light.", [("turn_off", {"device": "porch light"})]),
    # an opening read by its sounds after fillers: "sent the value to" is "set the volume to"
    ("Ok, so, sent the value to twenty-five percent.", [("set_volume", {"percent": 25})]),
])
def test_restarts_and_clipped_words_as_stt_writes_them(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                        expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize("text, device", [("Turn off the hallway light.", "hallway light"),
                                          ("Switch on the basement lamp.", "basement lamp"),
                                          ("Set the attic light to forty percent.", "attic light"),
                                          ("Can you switch off of the bathroom fan?", "bathroom fan"),
                                          # a room's word is never mended into another room (seed 853: the bedroom fan)
                                          ("Okay, so twitch on the bathroom fan.", "bathroom fan")])
def test_an_unknown_room_is_named_too(answers: tuple[IntentMatcher, IntentAnswers], text: str, device: str) -> None:
    found = actions(answers, text)
    assert found is not None and found[0][1]["device"] == device


@pytest.mark.parametrize("text, device", [("Dim the hallway light to 20 percent.", "hallway light"),
                                          ("Set the attic lamp to forty percent.", "attic lamp")])
def test_an_unknown_name_leaves_out_the_verb_before_it(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                       device: str) -> None:
    """The verb-less template ("<name> to <n> percent") took "dim the hallway light" whole as the name."""
    found = actions(answers, text)
    assert found is not None and found[0][1]["device"] == device


@pytest.mark.parametrize("text, refused", [("Open the garage window.", "garage window"),
                                           ("Open the garage gate.", "garage gate"),
                                           ("Close the window.", "window")])
def test_a_cover_of_another_class_is_refused_not_replaced(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                         refused: str) -> None:
    """The garage's one cover is a door: asked for its window, the device must not open the door."""
    found = actions(answers, text)
    assert found is not None and len(found) == 1
    assert found[0][0] in ("turn_on", "turn_off") and found[0][1] == {"device": refused}   # refused by name


@pytest.mark.parametrize("text, expected", [
    ("Open the garage.", [("open_cover", {"device": "garage door"})]),
    ("Open the garage door.", [("open_cover", {"device": "garage door"})]),
    ("Close the door in the garage.", [("close_cover", {"device": "garage door"})]),
])
def test_a_cover_said_by_its_class_or_its_room_is_found(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                       expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


def test_window_coverings_said_another_way_are_the_same_cover() -> None:
    directory = DeviceDirectory(parse_devices([{"name": "office blinds", "area": "office", "kind": "cover",
                                                "command_topic": "home/office/blinds/set"}]))
    pair = IntentMatcher("en", directory), IntentAnswers(directory, ())
    assert actions(pair, "Close the office curtains.") == [("close_cover", {"device": "office blinds"})]
    assert actions(pair, "Open the office window.") == [("turn_on", {"device": "office window"})]


@pytest.mark.parametrize("text, expected", [
    ("Said a timer for one hour.", [("set_timer", {"seconds": 3600})]),   # sounds like "set"
    ("So, so, can you set a timer for an hour and fifteen minutes?", [("set_timer", {"seconds": 4500})]),
    ("Set a timer for 10 mins.", [("set_timer", {"seconds": 600})]),
])
def test_sound_alikes_false_starts_and_abbreviations(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                     expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize("text", ["Living room lamp.", "The living room lamp.", "Yeah, the kitchen light.",
                                  "My porch light."])
def test_a_device_name_alone_does_nothing(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    """A reply ("Which light?" "The kitchen light.") or the rest of a command cut by a pause is no order."""
    assert actions(answers, text) is None
    assert actions(answers, "Living room lamp on.") == [("turn_on", {"device": "living room lamp"})]


@pytest.mark.parametrize("text", ["Mmmmmmmmmmmmmmmmm", "Mm-hmm.", "Hmm."])
def test_a_hum_is_no_request(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    """ "Mmmmm" (noise over "Volume up.", seed 503) was mended into "mow" and answered "I can't do that"."""
    assert answers[0].match(text) is None
    assert answers[0].match("Hmm, mute.") is not None


@pytest.mark.parametrize("text", ["Yes, the timer.", "Oops, the timer.", "No, the timer."])
def test_a_reply_word_is_never_mended_into_a_command(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    assert actions(answers, text) is None


@pytest.mark.parametrize("heard, device", [("kitchen life", "kitchen light"), ("porch-like", "porch light"),
                                           ("living room lamb", "living room lamp"), ("garage heater", None),
                                           ("bathroom fan", None), ("kitchen knife", None),
                                           # a thing of another kind, said, is that thing: no mis-heard light
                                           ("kitchen blinds", None), ("kitchen blind", None),
                                           ("bedroom then", "bedroom fan"),   # one sound apart (th for f)
                                           ("garage gator", None),   # a sound more, and a beat: no door
                                           ("garage gear", None),    # a way in is opened only when named as it is
                                           ("garage doors", "garage door"),
                                           ("bedroom pan", "bedroom fan"), ("bedroom fare", "bedroom fan"),
                                           # a sound glued before a word of the name (seed 859), not another room
                                           ("believing room lamp", "living room lamp"),
                                           ("delivering room lamp", None), ("believing room fan", None),
                                           # and the noun heard a little wrong too, in a longer name (seed 1031)
                                           ("believing room limp", "living room lamp"),
                                           ("believing room fun", None),   # no fan in the living room here
                                           ("bekitchen life", None),   # both words of two: a guess
                                           ("bebedroom fan", "bedroom fan"),
                                           # a word before the noun a sound apart (seed 1051), not a room
                                           ("four lamp", "floor lamp"), ("flour lamp", "floor lamp"),
                                           ("desk lamp", None), ("bedroom lamp", None), ("floor fan", None)])
def test_a_device_name_heard_a_little_wrong(heard: str, device: str | None) -> None:
    directory = DeviceDirectory(parse_devices(DEVICES + [{"name": "bathroom heater", "kind": "switch",
                                                          "command_topic": "home/bath"},
                                                         {"name": "floor lamp", "kind": "light", "command_topic": "home/fl"}]))
    found = directory.find(heard)
    assert (found.name if found else None) == device


@pytest.mark.parametrize("text", ["Sleach on the bedroom", "Slick on the bedroom."])
def test_a_verb_heard_as_another_word_is_no_device_name(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    """Seed 877: "Switch on the bedroom fan." in noise, heard "Sleach on the bedroom", was refused as a "bedroom
    switch": the first word before "on" is the verb heard wrong, for the reading within the commands to find."""
    found = answers[0].match(text)
    assert found is None or not found.unknown_name


def test_a_distant_guess_never_becomes_an_action(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    assert actions(answers, "Past a timer.") is None   # "pause"? too far from what was heard to act on


@pytest.mark.parametrize("text, expected", [
    ("Unmute to the speaker.", [("set_mute", {"muted": False})]),                  # a stray word STT added
    ("Can you do?", [("help", {})]),                                               # "what" lost (seed 881)
    ("Um, turned the volume down a bit.", [("change_volume", {"delta": -10})]),      # a filler is no unknown word
    ("Time or for twenty five minutes, please.", [("set_timer", {"seconds": 1500})]),  # one word heard as two
    ("Burn on the kitchen life,", [("turn_on", {"device": "kitchen light"})]),       # the verb and the name
    ("Close to the garage door.", [("close_cover", {"device": "garage door"})]),
    ("At two, at two minutes to the timer,", [("add_timer_time", {"seconds": 120})]),   # "add" heard as "at"
    ("Could you set it time for twenty-five minutes?", [("set_timer", {"seconds": 1500})]),  # "a timer" as "it time"
    ("And you said a time for an hour and fifteen minutes.", [("set_timer", {"seconds": 4500})]),  # seed 1019
    ("Can you said a time for ten minutes?", [("set_timer", {"seconds": 600})]),   # "set" as "said", "timer" as "time"
    ("Said a rice-timer for one minute.", [("set_timer", {"seconds": 60, "label": "rice"})]),  # a name kept as heard
    ("Ah, set a tea-timer for three minutes.", [("set_timer", {"seconds": 180, "label": "tea"})]),
    ("Start a start timer for five minutes.", [("set_timer", {"seconds": 300})]),   # a restart, no "start" timer
    ("Could you set a timer for an hour and a half?", [("set_timer", {"seconds": 5400})]),
    ("How much time is left on my time?", [("list_timers", {})]),
    ("Raise her volume,", [("change_volume", {"delta": 10})]),   # "her" for an unstressed "the"
    ("Set the living room lump to sixty per cent,", [("set_brightness", {"device": "living room lamp", "percent": 60})]),
    # the command's first consonants lost (a late-opening microphone): the same consonants after them
    ("Earn off the porch light,", [("turn_off", {"device": "porch light"})]),
    ("Ute yourself.", [("set_mute", {"muted": True})]),
    ("Itch on the bedroom fan.", [("turn_on", {"device": "bedroom fan"})]),
    # ... leaving a word the recogniser knows: "at" is "set" or "shut", and the rest says which
    ("At the garage door,", [("close_cover", {"device": "garage door"})]),
    ("At the living room lamp to ten percent.", [("set_brightness", {"device": "living room lamp", "percent": 10})]),
    # ... or heard as a word the verb-less "<name> to <n> percent" took for part of the name: "dim" as "then"
    ("Then the kitchen light to 10 percent.", [("set_brightness", {"device": "kitchen light", "percent": 10})]),
])
def test_what_stt_inserts_splits_and_bends_is_mended(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                     expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize("text", ["Can you open a bank account here?", "My timer went off.", "I'm going to set the table.",
                                  "Set the set the volume to a.",   # no device called volume

                                  "How many minutes are in an hour?", "What happens in five minutes?"])
def test_a_question_or_a_remark_is_no_command(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    """Refused as an unknown device ("I don't know a device called a bank account") or run as a timer, these
    went wrong; they are the next responder's."""
    assert actions(answers, text) is None


@pytest.mark.parametrize("text", ["Why is the sky blue?", "Paul Williams.", "Close your eyes.", "Ok, so, sent to the mulloo, baby.",
                                  "It is cold in here.", "At two.", "At the moment, I am fine.", "Eat the kitchen light.",
                                  "The battery is at fifty percent.", "At night, is it cold?"])
def test_mending_never_invents_a_sentence(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    """Words mending put into a free-text slot ("who is the say blue", "play will"), or a name made of
    function words, are a sentence invented: the LLM gets the words as heard."""
    matcher, _ = answers
    found = matcher.match(text)
    assert found is None, found


@pytest.mark.parametrize("text", ["I arrived at five minutes to ten.", "Set the time for the meeting."])
def test_sentences_near_a_mended_phrase_are_left_alone(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    assert actions(answers, text) is None


def test_a_mended_name_before_a_comma_beats_the_words_after_it(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    assert actions(answers, "Set the living room lamb, brightness to sixty percent,") == [
        ("set_brightness", {"device": "living room lamp", "percent": 60})]


def test_a_timer_named_with_mis_heard_words_gets_no_name(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    assert actions(answers, "Start her past her timer for eight minutes.") == [("set_timer", {"seconds": 480})]
    assert actions(answers, "Um, pause in the timer.") == [("pause_timer", {})]
    assert actions(answers, "Cancelled, but timer,") == [("cancel_timer", {})]   # "Cancel the | timer."
    assert actions(answers, "Pause the yet timer.") == [("pause_timer", {})]
    assert actions(answers, "Start a pasta timer for eight minutes.") == [("set_timer", {"seconds": 480, "label": "pasta"})]


@pytest.mark.parametrize("text", ["Was the kitchen light on?", "Never the kitchen light to 10 percent."])
def test_a_question_or_a_negation_before_a_device_is_no_misheard_verb(answers: tuple[IntentMatcher, IntentAnswers],
                                                                      text: str) -> None:
    found = actions(answers, text) or []
    assert not any(arguments.get("device") == "kitchen light" for _, arguments in found), found


def test_a_form_of_address_is_no_unknown_device(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    assert actions(answers, "Close, sir.") is None    # a mis-heard "Close the, close the office blinds."


@pytest.mark.parametrize("text", ["Shout him in off his chain,", "Switch him on.", "Turn us off."])
def test_a_person_is_no_unknown_device(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    """Seed 1091: "Shut the office shades." heard "Shout him in off his chain," was refused as a device called him."""
    assert actions(answers, text) is None


@pytest.mark.parametrize(("text", "tentative"), [("Turned the porch.", True), ("Turn off, Nicole.", True),
                                                 ("Switch on the garage heater.", False), ("Turn on the TV.", False),
                                                 ("Turn off the porch lice", False)])   # a name heard a little wrong is whole
def test_an_unknown_device_not_named_like_one_is_tentative(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                           tentative: bool) -> None:
    matcher, _ = answers
    found = matcher.match(text)
    assert found is not None and found.unknown_name and found.tentative is tentative


@pytest.mark.parametrize(("text", "cut_off"), [("Turned the porch.", True), ("Turn the dishwasher off.", False),
                                              ("Turn the attic off.", False), ("Switch on the garage heater.", False)])
def test_a_refusal_waits_for_the_rest_only_where_the_name_may_be_cut_off(answers: tuple[IntentMatcher, IntentAnswers],
                                                                          text: str, cut_off: bool) -> None:
    matcher, _ = answers
    found = matcher.match(text)
    assert found is not None and found.unknown_name and found.tentative is cut_off


@pytest.mark.parametrize("question", ["What's the warranty on the Breeze T2?", "Am I allowed to take pictures?",
                                      "What's the lowest temperature I can set?", "Who is the director of the museum?",
                                      "Can I switch seats after the show starts?", "How do I turn on the projector?"])
def test_a_question_is_left_to_the_knowledge_or_the_llm(answers: tuple[IntentMatcher, IntentAnswers], question: str) -> None:
    """A kiosk's visitors ask; a question is never refused as a command for a device nobody configured."""
    assert actions(answers, question) is None


@pytest.mark.parametrize(("request_", "device"), [("Can you switch on the garage heater?", "garage heater"),
                                                  ("Please turn on the coffee machine.", "coffee machine")])
def test_a_polite_command_for_an_unknown_device_is_still_refused(answers: tuple[IntentMatcher, IntentAnswers],
                                                                 request_: str, device: str) -> None:
    assert actions(answers, request_) == [("turn_on", {"device": device})]


@pytest.mark.parametrize(("request_", "device"), [("Turn on that coffee machine.", "coffee machine"),
                                                  ("Switch this garage heater on.", "garage heater")])
def test_a_device_pointed_at_is_refused_by_its_name(answers: tuple[IntentMatcher, IntentAnswers], request_: str,
                                                    device: str) -> None:
    """ "that" before a name points at the device (a pause's two pieces decoded as one wrote "Turn on that coffee
    machine."): refused by the name, not handed to the LLM; "that" alone stays a pronoun, which names nothing
    (asked about: "What should I turn on?")."""
    assert actions(answers, request_) == [("turn_on", {"device": device})]
    assert actions(answers, "Turn on that.") == [] and actions(answers, "Turn off that thing you do.") is None


def test_two_things_named_that_are_no_devices_are_refused_by_the_name(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Switch off the guard and sprinkler." (the garden sprinkler misheard): no device of either name, so it is
    refused by what was said, never left to the LLM; "and" elsewhere in a name is still a parse gone wrong."""
    assert actions(answers, "Switch off the guard and sprinkler.") == [("turn_off", {"device": "guard and sprinkler"})]
    assert actions(answers, "Turn it off and on again.") is None


def test_a_closing_please_is_no_part_of_an_unknown_name(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    assert actions(answers, "Turn off the garage heater please.") == [("turn_off", {"device": "garage heater"})]
    assert actions(answers, "Turn on the dishwasher, thanks.") == [("turn_on", {"device": "dishwasher"})]


def test_a_verb_heard_as_another_word_before_on_is_refused_by_the_name(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Throwing on the coffee machine.": the word before "on" is the verb heard wrong, not a device called
    "throwing" (nor "sledge": the room's fan heard a little wrong is that fan); no device's kind of name is
    left to the reading."""
    assert actions(answers, "Throwing on the coffee machine.") == [("turn_on", {"device": "coffee machine"})]
    assert actions(answers, "Sleek on the dishwasher") == [("turn_on", {"device": "dishwasher"})]
    assert actions(answers, "Doing on the coffee machine.") == [("turn_on", {"device": "coffee machine"})]
    assert actions(answers, "What's on the coffee machine?") is None
    assert actions(answers, "Sledge on the bedroom pan") == [("turn_on", {"device": "bedroom fan"})]
    assert actions(answers, "Tell me on the dog.") is None


@pytest.mark.parametrize("text, expected", [
    ("Which of the guest room lamp?", [("turn_off", {"device": "guest room lamp"})]),
    ("Which of the guest-room lamp?", [("turn_off", {"device": "guest room lamp"})]),
    ("Which, on the attic light,", [("turn_on", {"device": "attic light"})]),
    ("Which of the dishwasher,", [("turn_off", {"device": "dishwasher"})]),
    ("Which of the lamps is brighter?", None),   # the questions that open so name no device
    ("Which on the menu is cheapest?", None),
    ("Which of these is better?", None),
])
def test_switch_heard_as_which_before_on_or_off_is_refused_by_the_name(answers: tuple[IntentMatcher, IntentAnswers],
                                                                       text: str, expected: list | None) -> None:
    """ "Which of the guest room lamp?" (seed 1187's "Witch off ..."): "switch" with its "s" lost, "off" heard
    "of"; refused by a name plainly a device's, while the questions that open so name none."""
    assert actions(answers, text) == expected


def test_a_hyphened_name_is_refused_whole(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """The parser reads a hyphen as a space: "the guest-room lamp" leaves the room "guest room" unmatched, whose
    noun must be found in the words read so (it was refused as a device called "guest room")."""
    assert actions(answers, "Switch off the guest-room lamp.") == [("turn_off", {"device": "guest room lamp"})]
    assert actions(answers, "Turn on the hallway-lamp.") == [("turn_on", {"device": "hallway lamp"})]


def test_turn_on_or_off_heard_as_not_before_a_name_is_refused_by_the_name(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "So not from the hallway light" (turn off), "They're not the hallway lamp." (turn on): the verb's
    sounds written as "not"; refused by the name, whose verb is no matter. A name that is, or may be, one of
    ours is never acted on by a verb guessed so: it is left to the reading of the audio."""
    assert actions(answers, "So not from the hallway light") == [("turn_off", {"device": "hallway light"})]
    assert actions(answers, "They're not the hallway lamp.") == [("turn_on", {"device": "hallway lamp"})]
    assert actions(answers, "Though not from a maverung fan.") == [("turn_off", {"device": "maverung fan"})]
    assert actions(answers, "They're not the kitchen light.") is None
    assert actions(answers, "So not from the bedroom pan.") is None
    assert actions(answers, "Is it not the hallway light?") is None
    # "do" opens questions, but "do not from the" asks nothing (seed 667)
    assert actions(answers, "Ok, so do not from the hallway light.") == [("turn_off", {"device": "hallway light"})]
    assert actions(answers, "Do not from the kitchen light.") is None
    assert actions(answers, "Do you know the hallway light?") is None


def test_a_name_and_a_room_both_unknown_at_the_opening_are_no_refusal(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """The library's scene sentence reads "Capital on floods," as a scene "capital" in a room "floods": words
    misheard, not a device to refuse. A device and a room nobody has, after a verb, are still refused."""
    assert actions(answers, "Capital on floods,") is None and actions(answers, "Animal on earth.") is None
    assert actions(answers, "Turn on the garage heater in the attic.") == [("turn_on", {"device": "garage heater"})]


def test_a_first_word_that_sounds_the_same_as_a_verb_is_that_verb(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "said" sounds as "set" does (their metaphone keys are one): "So said the basement light to forty
    percent." is refused by the basement light, not as a device called "said the basement light", nor
    handed to the LLM; with a light of ours, it is that light's brightness."""
    assert actions(answers, "So said the basement light to forty percent.") == [("turn_on", {"device": "basement light"})]
    assert actions(answers, "Said the kitchen light to forty percent.") == [
        ("set_brightness", {"device": "kitchen light", "percent": 40})]


def test_a_length_mending_made_a_name_is_no_name(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Said the timer for two." (an unfinished "set a timer for two") was mended to "stop the timer for two",
    a timer named "two": words of a length are no name a mend may invent (it is asked for its length). Said
    plainly, it is still a name."""
    assert actions(answers, "Said the timer for two.") == []
    assert actions(answers, "Said the timer for two and not have minutes.") is None
    assert actions(answers, "Stop the timer for two.") == [("cancel_timer", {"label": "two"})]


def test_a_question_about_an_unknown_device_still_names_it(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Is the garage heater on?" is refused by the device's name (the tool says it knows no such device)."""
    assert actions(answers, "Is the garage heater on?") == [("turn_on", {"device": "garage heater"})]
    assert actions(answers, "Is there a change machine?") is None



@pytest.mark.parametrize(("request_", "device"), [("To an on the coffee machine.", "coffee machine"),
                                                  ("Um, to an on the coffee machine.", "coffee machine"),
                                                  ("Torn off the pool pump.", "pool pump"),
                                                  ("Turn on the coffee machine.", "coffee machine")])
def test_an_unknown_device_after_an_opening_heard_by_its_sounds_is_refused(
        answers: tuple[IntentMatcher, IntentAnswers], request_: str, device: str) -> None:
    """The opening heard as other words ("to an on" for "turn on") before a name that is plainly a device's:
    refused by that name, rather than handed to the LLM, which said the words back."""
    assert [(name, args) for name, args in actions(answers, request_) or []] in (
        [("turn_on", {"device": device})], [("turn_off", {"device": device})])


def test_an_opening_heard_by_its_sounds_before_a_name_like_one_of_ours_is_left_to_the_reading(
        answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Plus the. Gryce door." is the garage door heard wrong, not a gryce door to refuse: left unclaimed,
    for the reading within the commands; a verb heard wrong before another room's lamp is refused as before."""
    assert actions(answers, "Plus the. Gryce door.") is None
    assert actions(answers, "Earn on the guest room lamp,") == [("turn_on", {"device": "guest room lamp"})]


def test_free_text_taken_for_a_room_is_no_unknown_device(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Set on an time-aphorsing spirit." (an egg timer, mis-heard) fits "<name> on <area>" with both unknown:
    no device called "set" is refused; a room word keeps it a device command."""
    assert actions(answers, "Set on an time-aphorsing spirit.") is None
    assert actions(answers, "Turn on the heater in the guest bedroom.") == [("turn_on", {"device": "heater"})]
    assert actions(answers, "Sledge on the Google Pump.") == [("turn_on", {"device": "google pump"})], \
        "a room holding a device's word was the device: refused by it (the word before \"on\" is the verb heard wrong)"

@pytest.mark.parametrize("text, expected", [
    ("Bees turn off the porch light.", [("turn_off", {"device": "porch light"})]),   # "please" heard as a word
    ("Leave, close the garage door.", [("close_cover", {"device": "garage door"})]),
    ("Clean open the garage door.", [("open_cover", {"device": "garage door"})]),
    ("Peace, switch on the garage heater.", [("turn_on", {"device": "garage heater"})]),   # still refused by name
    ("Age never mind.", [("never_mind", {})]),   # seed 1201's hibari "H, never mind." ("never mind" has no verb)
    ("Bees nevermind", [("never_mind", {})]),
])
def test_a_misheard_word_before_the_command_verb_is_dropped(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                            expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize("text", ["Don't open the garage door.", "I'll turn off the porch light.",
                                  "Never turn off the porch light.", "We turn off the kitchen light at night.",
                                  "To turn off the porch light, press the button.", "Always close the garage door.",
                                  "They close the garage door at ten.", "We never mind the noise.", "I never mind."])
def test_a_word_that_changes_what_the_verb_means_is_never_dropped(answers: tuple[IntentMatcher, IntentAnswers],
                                                                  text: str) -> None:
    assert actions(answers, text) is None


def test_a_name_heard_a_little_wrong_is_never_read_as_the_volume(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """Seed 1051: "Set the floor lamp to twenty five percent." heard "Said the four lamp to ..." set the volume:
    "set the four lamp to" sounds like "set the volume to", but a lamp is a thing named, never an opening."""
    done = actions(answers, "Said the four lamp to twenty-five per cent.")
    assert done is not None and [args.get("device") for _, args in done] == ["four lamp"]   # refused by its name


def test_a_verb_heard_wrong_then_an_opening_heard_wrong(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Sent" is "set"; then "set the value to" sounds like "set the volume to"."""
    assert actions(answers, "Sent the value to forty percent.") == [("set_volume", {"percent": 40})]


def test_an_unknown_name_loses_the_short_words_stt_wrote_for_its_last_sounds(
        answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    assert actions(answers, "Turn off the water heat to.") == [("turn_off", {"device": "water heat"})]
    assert actions(answers, "Can you switch on the garage key to?") == [("turn_on", {"device": "garage key"})]


@pytest.mark.parametrize("text, expected", [
    # the verb's first letter lost before another consonant: the rest sounds like a word of its own
    ("Witch off the bedroom fan.", [("turn_off", {"device": "bedroom fan"})]),
    ("Tart a timer for two minutes.", [("set_timer", {"seconds": 120})]),
    ("Top the timer.", [("cancel_timer", {})]),
    ("Lose the garage door.", [("close_cover", {"device": "garage door"})]),
    ("You'd the speaker.", [("set_mute", {"muted": True})]),          # "ute" written as "you'd"
    ("I am the living room lamp to thirty percent.", [("set_brightness", {"device": "living room lamp", "percent": 30})]),
    ("Much time is left on the timer?", [("list_timers", {})]),          # "how" lost whole
    ("Long is left on my timer?", [("list_timers", {})]),
    ("So, do you know what time it is?", [("get_time", {})]),            # a filler before an indirect question
    ("Um, could you tell me what the date is?", [("get_date", {})]),
    ("Pause they timer.", [("pause_timer", {})]),                       # "they" for an unstressed "the"
    ("Start of pizza timer for ten minutes.", [("set_timer", {"seconds": 600, "label": "pizza"})]),
    # mended two ways that ask the same ("whats" and "what's": Home Assistant's sentence and the device's own),
    # never asked which (seed 601)
    ("Hats today's date.", [("get_date", {})]),
    # a word after the first is never mended into a filler: that drops what was likely a name's word (seed 607's
    # "Turn the wheel pamp on." for the pool pump turned the one lamp on); refused by the name heard
    ("Turn, turn, turn the wheel pamp on.", [("turn_on", {"device": "wheel pamp"})]),
])
def test_a_clipped_first_sound_and_a_lost_first_word(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                     expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize("text", ["Had as by plus three.", "Hat is on the table.", "Which one is on?",
                                  "You yourself said so.", "I am the owner.", "Much better, thanks.",
                                  "Long live the king.", "Top of the morning.", "Witch is the best?", "Tired of waiting."])
def test_words_like_a_clipped_verb_stay_as_heard(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    assert actions(answers, text) is None


@pytest.mark.parametrize("text, expected", [
    ("Cancel every timer.", [("cancel_timer", {"all": True})]),
    ("Stop each timer.", [("cancel_timer", {"all": True})]),
    ("Set the living room lamp to half brightness.", [("set_brightness", {"device": "living room lamp", "percent": 50})]),
    ("Turn the kitchen light to full brightness.", [("set_brightness", {"device": "kitchen light", "percent": 100})]),
    ("Turn everything off in the kitchen.", [("turn_off", {"device": "kitchen light"})]),
    ("Switch on everything in the living room.", [("turn_on", {"device": "living room lamp"})]),
    ("Turn the porch off.", [("turn_off", {"device": "porch light"})]),
    ("Lamp off.", [("turn_off", {"device": "living room lamp"})]),      # of three lights, the one lamp
    ("Countdown from two minutes.", [("set_timer", {"seconds": 120})]),
    ("Time?", [("get_time", {})]),
    ("Hurt time, is it?", [("get_time", {})]),        # "what" lost into a short word
    ("Dimba dimmed the living room lamp to twenty percent.", [("set_brightness", {"device": "living room lamp", "percent": 20})]),
    ("Closed the garage door.", [("close_cover", {"device": "garage door"})]),   # a verb heard in the past tense
    ("And two and two minutes to the timer.", [("add_timer_time", {"seconds": 120})]),   # a restart the phrases hid
    # two units said together, then the name (matched nothing)
    ("Timer for one minute and thirty seconds for the laundry.", [("set_timer", {"seconds": 90, "label": "laundry"})]),
    ("Set a timer for two hours and fifteen minutes for the bread.", [("set_timer", {"seconds": 8100, "label": "bread"})]),
])
def test_more_ways_to_put_a_command(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                    expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected



@pytest.mark.parametrize("text", ["I turned off the stove already.", "We closed the garage door.", "Lunch time, is it over?",
                                  "Detimer,"])   # (a word is never mended into the one-word "Time?")
def test_remarks_and_mis_heard_words_are_no_command(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    assert actions(answers, text) is None


def test_a_cover_in_a_room_that_has_none_is_refused_not_taken_for_its_light(
        answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """"Open the kitchen blinds" turned the kitchen light on: the name the area gave was taken for a mis-heard
    "kitchen light"."""
    found = actions(answers, "Open the kitchen blinds.")
    assert found is not None and all(answers[1]._directory.find(args["device"]) is None for _, args in found)


def test_the_lights_in_the_plural_mean_all_of_them(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """"Turn off the lights" on a device with no room: every light (a switch that is a light counts), as a
    home speaker takes it; "the light" still asks which; dimming leaves out what cannot dim."""
    assert [a["device"] for _, a in actions(answers, "Turn off the lights.") or []] == [
        "kitchen light", "living room lamp", "porch light"]
    assert actions(answers, "Set the lights to 40 percent.") == [
        ("set_brightness", {"device": "kitchen light", "percent": 40}),
        ("set_brightness", {"device": "living room lamp", "percent": 40})]
    matcher, intent_answers = answers
    found = matcher.match("Turn off the light.")
    assert found is not None and intent_answers.answer(found).text.startswith("Which one")


def test_a_name_is_never_opened_by_what_is_left_of_a_verb() -> None:
    """"Opened in office chains." was refused as a device called "in office chains"."""
    directory = DeviceDirectory(parse_devices(DEVICES + [{"name": "office blinds", "aliases": ["office shades"],
                                                          "area": "office", "kind": "cover", "command_topic": "home/o"}]))
    pair = IntentMatcher("en", directory), IntentAnswers(directory, ())
    assert actions(pair, "Opened in office chains.") == [("open_cover", {"device": "office blinds"})]


def test_a_letter_is_dropped_only_before_a_whole_request(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    matcher, _ = answers
    assert matcher.match("L. me and Joe.") is None   # "Tell me a joke": "me and Joe" is no request


def test_a_request_ending_on_and_waits_for_its_rest(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """"Can you turn on the bedroom and": cut off, or a name's last word heard as "and": the request without
    it, tentative, so the turn waits for a rest before acting."""
    matcher, _ = answers
    found = matcher.match("Can you turn on the bedroom and")
    assert found is not None and found.intent == "HassTurnOn" and found.tentative
    assert actions(answers, "Can you turn on the bedroom and") == [("turn_on", {"device": "bedroom fan"})]
    assert matcher.match("Tell me about cats and") is None


@pytest.mark.parametrize("text, words", [("Hello.", "Hello!"), ("Where does my data go?", "stays on this device"),
                                         ("Are you always listening?", "turned into words here")])
def test_small_questions_about_the_device_get_its_own_answer(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                             words: str) -> None:
    """Home Assistant's own sentences for them (HassRespond) were once answered "Sorry, I can't do that"."""
    matcher, intent_answers = answers
    found = matcher.match(text)
    answer = intent_answers.answer(found) if found is not None else None
    assert answer is not None and words in answer.text and not answer.actions


def test_what_can_i_say_is_the_help_command(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    assert actions(answers, "What can I say?") == [("help", {})]


BEGUN = [
    {"name": "living room lamp", "aliases": ["floor lamp"], "area": "living room", "kind": "light", "command_topic": "a"},
    {"name": "desk lamp", "area": "office", "kind": "light", "command_topic": "b"},
    {"name": "desk fan", "area": "office", "kind": "fan", "command_topic": "c"},
]


@pytest.mark.parametrize("text, expected", [
    # the name's last word heard as another word, which no name holds: the one device whose name goes on
    ("Can you turn on the floor then?", [("turn_on", {"device": "living room lamp"})]),
    ("Switch off the floor.", [("turn_off", {"device": "living room lamp"})]),
    # two devices go on from "desk": which one is not said
    ("Turn on the desk.", [("turn_on", {"device": "desk"})]),
    # a whole name no device has is not cut to one that begins alike
    ("Switch on the floor heater.", [("turn_on", {"device": "floor heater"})]),
    # (nor read as a light's colour on a floor: this device has no floors)
    ("Turn on the floor heater.", [("turn_on", {"device": "floor heater"})]),
])
def test_a_name_that_only_one_device_goes_on_from_is_that_device(text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    directory = DeviceDirectory(parse_devices(BEGUN))
    assert actions((IntentMatcher("en", directory), IntentAnswers(directory, [])), text) == expected


FLAT = [
    {"name": "kitchen spotlights", "area": "kitchen", "kind": "light", "command_topic": "a"},
    {"name": "roller shutter", "area": "living room", "kind": "cover", "command_topic": "b"},
    {"name": "fish tank", "area": "living room", "kind": "switch", "command_topic": "c"},
    {"name": "living room lamp", "area": "living room", "kind": "light", "command_topic": "d"},
    {"name": "garden lights", "area": "garden", "kind": "switch", "command_topic": "e"},
]


@pytest.fixture(scope="module")
def flat() -> tuple[IntentMatcher, IntentAnswers]:
    directory = DeviceDirectory(parse_devices(FLAT))
    return IntentMatcher("en", directory), IntentAnswers(directory, [])


@pytest.mark.parametrize("text, expected", [
    # a name's last words, no household noun, said for the one device called so
    ("Dim the spotlights a bit.", [("change_brightness", {"device": "kitchen spotlights", "delta": -25})]),
    ("Turn off the spotlights.", [("turn_off", {"device": "kitchen spotlights"})]),
    ("Turn on the tank.", [("turn_on", {"device": "fish tank"})]),
    ("Stop the shutter.", [("stop_cover", {"device": "roller shutter"})]),
    # never a name begun in a room's: "the guest room lamp" and "the bathroom spotlights" are no device here
    ("Turn on the guest room lamp.", [("turn_on", {"device": "guest room lamp"})]),
    ("Turn on the bathroom spotlights.", [("turn_on", {"device": "bathroom spotlights"})]),
    # "the lights" stays every light, though one device's name ends in "lights"
    ("Turn off the lights.", [("turn_off", {"device": "kitchen spotlights"}), ("turn_off", {"device": "living room lamp"}),
                              ("turn_off", {"device": "garden lights"})]),
])
def test_a_name_said_by_its_last_words_is_the_one_device_called_so(flat: tuple[IntentMatcher, IntentAnswers], text: str,
                                                                   expected: list[tuple[str, dict[str, Any]]]) -> None:
    """ "Dim the spotlights a bit." and "Stop the shutter." went to the LLM, and "Turn off the spotlights." was
    refused as a device nobody has, beside the kitchen spotlights."""
    assert actions(flat, text) == expected


@pytest.mark.parametrize("text, asked", [
    ("Turn on.", "What should I turn on?"), ("Switch off, please.", "What should I turn off?"),
    ("Turn it on.", "What should I turn on?"), ("Switch that off.", "What should I turn off?"),
])
def test_a_switch_that_names_nothing_is_asked_about(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                    asked: str) -> None:
    """ "Turn on." was refused as a device called "turn"; "Switch off." went to the LLM, which may switch
    anything. Asked, tentative (its rest may follow a pause), and the reply completes it."""
    from firmware_py.respond.asked import AskedBack

    matcher, intent_answers = answers
    found = matcher.match(text)
    answer = intent_answers.answer(found) if found is not None else None
    assert answer is not None and answer.text == asked and not answer.actions and answer.tentative
    request = AskedBack(answer.frame, 0.0).request("The kitchen light, please.", 1.0)
    assert request is not None
    state = "on" if asked.endswith("on?") else "off"
    assert actions(answers, request) == [(f"turn_{state}", {"device": "kitchen light"})]


def test_a_way_into_the_home_opens_only_when_named(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Open the door." opened the garage door, the one door configured."""
    matcher, intent_answers = answers
    found = matcher.match("Open the door.")
    answer = intent_answers.answer(found) if found is not None else None
    assert answer is not None and not answer.actions and "garage door" in answer.text
    assert actions(answers, "Open the garage door.") == [("open_cover", {"device": "garage door"})]
    assert actions(answers, "Close the door.") == [("close_cover", {"device": "garage door"})]


@pytest.mark.parametrize("text, expected", [
    ("What's the volume at?", [("get_volume", {})]),
    ("How loud are you?", [("get_volume", {})]),
    ("Whats the volume", [("get_volume", {})]),
    ("What is the volume of a sphere?", None),
    ("Is it Tuesday today?", [("get_date", {})]),
    ("Start a two and a half minute timer.", [("set_timer", {"seconds": 150})]),
    ("Set a 2½ minute timer.", [("set_timer", {"seconds": 150})]),
    ("Could you time ten minutes for me?", [("set_timer", {"seconds": 600})]),
    ("Let me know when 10 minutes is up.", [("set_timer", {"seconds": 600})]),
    ("Let me know in 10 minutes.", [("set_timer", {"seconds": 600})]),
    ("Tell me a joke in 10 minutes.", [("run_later", {"seconds": 600, "command": "Tell me a joke"})]),
    ("Cancel the time.", [("cancel_timer", {})]),
    ("Set the timer for 20.", [("set_timer", {"seconds": 1200})]),
    ("Set the timer for 5.", []),   # "For how long?": five minutes, or until 5?
    ("Turn up the heating.", [("turn_on", {"device": "heating"})]),   # refused by name, not left to the LLM
])
def test_requests_the_ninth_set_found_left_to_the_llm(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                     expected: list[tuple[str, dict[str, Any]]] | None) -> None:
    assert actions(answers, text) == expected


def test_a_number_without_its_unit_is_minutes_past_the_clocks_hours_and_waits_for_a_unit(
        answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    matcher, intent_answers = answers
    bare = intent_answers.answer(matcher.match("Set a timer for 20.") or pytest.fail("no match"))
    said = intent_answers.answer(matcher.match("Set a timer for 20 minutes.") or pytest.fail("no match"))
    assert bare is not None and bare.tentative and said is not None and not said.tentative
    hour = intent_answers.answer(matcher.match("Set a timer for 5.") or pytest.fail("no match"))
    assert hour is not None and hour.text == "For how long?" and not hour.actions


@pytest.mark.parametrize("text, expected", [
    ("Turn the lamp back on.", [("turn_on", {"device": "living room lamp"})]),
    ("Turn the kitchen light back off.", [("turn_off", {"device": "kitchen light"})]),   # refused as "kitchen light back"
    ("Oops, wrong one, turn the lamp back on.", [("turn_on", {"device": "living room lamp"})]),
    ("Hey, can you make it a bit brighter in the kitchen?", [("change_brightness", {"device": "kitchen light", "delta": 25})]),
    ("Turn the volume to half.", [("set_volume", {"percent": 50})]),
    ("D. D. thirty seconds to the pizza timer.", [("add_timer_time", {"seconds": 30, "label": "pizza"})]),   # seed 431
    ("Reset the timer.", [("restart_timer", {"over": True})]),   # it resumed the timer
    ("Restart the pasta timer.", [("restart_timer", {"label": "pasta"})]),
])
def test_requests_the_tenth_set_found_left_to_the_llm_or_done_otherwise(answers: tuple[IntentMatcher, IntentAnswers],
                                                                       text: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


def test_a_colour_no_action_sets_is_said_to_be_out_of_reach(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Make the kitchen light blue." got an answer with no words and no action: the device said nothing."""
    matcher, intent_answers = answers
    answer = intent_answers.answer(matcher.match("Make the kitchen light blue.") or pytest.fail("no match"))
    assert answer is not None and not answer.actions and answer.text == "Sorry, I can't do that on this device."


@pytest.mark.parametrize(("text", "expected"), [
    ("Turn the porch light off again.", [("turn_off", {"device": "porch light"})]),
    ("Opened the garage door again, please.", [("open_cover", {"device": "garage door"})]),
    ("Switch the kitchen light on again", [("turn_on", {"device": "kitchen light"})]),
])
def test_again_after_a_switch_says_it_was_so_before(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                     expected: list[tuple[str, dict[str, Any]]]) -> None:
    """ "Turn it off again." went to the LLM and "Turned off again." refused a device called "again"."""
    assert actions(answers, text) == expected


def test_a_timers_name_that_is_a_length_is_more_of_its_length(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "... an hour and fifteen minutes" read within the commands as "... for an hour for fifteen minutes" (seed
    1009) set an hour's timer called "fifteen minutes"."""
    assert actions(answers, "Can you set a timer for an hour for fifteen minutes?") == [("set_timer", {"seconds": 4500})]
    assert actions(answers, "Set a timer for ten minutes for the pizza.") == [("set_timer", {"seconds": 600, "label": "pizza"})]


def test_a_length_said_alone_is_read_in_seconds() -> None:
    from firmware_py.respond.number_words import length_said
    assert [length_said(words) for words in ("fifteen minutes", "an hour", "25 seconds", "twenty-five minutes",
                                             "fourty seconds")] == [900, 3600, 25, 1500, 40]
    assert [length_said(words) for words in ("pizza", "the 5 minutes", "fifteen twenty minutes", "cookie minutes")] == [0] * 4


def test_a_light_set_to_nothing_the_words_say_is_left_unclaimed(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Dim the kitchen light to forty percent." heard "Didn't the kitchen light to for a present?" (seed 997)
    matched a light's setting with no brightness and no colour, and was refused as a colour; unclaimed, the
    turn is read again within the commands."""
    matcher, intent_answers = answers
    found = matcher.match("Didn't the kitchen light to for a present?") or pytest.fail("no match")
    assert found.intent == "HassLightSet" and not {"brightness", "color", "temperature"} & found.slots.keys()
    assert intent_answers.answer(found) is None


def test_what_can_you_do_names_alarms_reminders_and_the_devices() -> None:
    from firmware_py.respond.assembly import help_text
    said = help_text(DeviceDirectory(parse_devices(DEVICES)))
    assert "alarms and reminders" in said and "kitchen light" in said and said.endswith("just ask.")


def test_a_question_about_a_device_said_by_a_shorter_name_is_answered_never_done() -> None:
    """ "Is the heater on?" with a space heater configured: the question of its state, never turning it on (the
    question's parse as a command for an unknown "heater" was taken for the space heater and turned it on)."""
    directory = DeviceDirectory(parse_devices([{"name": "space heater", "area": "office", "kind": "switch",
                                                "command_topic": "home/office/heater/set"}]))
    pair = IntentMatcher("en", directory), IntentAnswers(directory, ())
    assert actions(pair, "Is the heater on?") == []
    found = pair[0].match("Is the heater on?")
    assert found is not None and "whether the space heater is on" in pair[1].answer(found).text
    assert actions(pair, "Turn the heater on.") == [("turn_on", {"device": "space heater"})]


def test_a_clipped_switch_heard_as_which_is_no_question(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Which, on the garage-heater," (seed 463): "which" before "on" is "switch" with its first sound lost."""
    assert actions(answers, "Which, on the garage-heater,") == [("turn_on", {"device": "garage heater"})]
    assert actions(answers, "Which one is on?") is None


def test_a_device_noun_heard_a_sound_wrong_after_a_room_is_refused_by_the_noun(
        answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Which, on the garage-geater," (seed 557) went to the LLM, which called it a dessert: "geater" after a
    room is "heater"; a word that sounds like one of this device's own ("gear": the garage door) is never
    taken for another noun, nor for that device."""
    assert actions(answers, "Which, on the garage-geater,") == [("turn_on", {"device": "garage heater"})]
    assert actions(answers, "Switch on the kitchen kettel.") == [("turn_on", {"device": "kitchen kettle"})]
    assert actions(answers, "Switch on the garage gear.") == [("turn_on", {"device": "garage gear"})]
    assert actions(answers, "Which on the garden is best?") is None


def test_a_command_verb_is_no_device_name(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Sent to a brand timer," (seed 563, "Set a bread timer |") was refused as a light called "set" put to a
    colour, and its right reading within the commands was then turned down for naming no device."""
    assert actions(answers, "Sent to a brand timer,") is None
    assert actions(answers, "Sent to a timer,") is None
    assert actions(answers, "Turn on.") is not None   # answered here, never left to the LLM, which may turn on anything


def test_a_rooms_lights_are_its_one_light_whatever_it_is_called() -> None:
    """ "Dim the kitchen lights to 30 percent." with kitchen spotlights: refused as a device called "kitchen
    lights" before."""
    directory = DeviceDirectory(parse_devices([{"name": "kitchen spotlights", "area": "kitchen", "kind": "light",
                                                "command_topic": "flat/spots/set"},
                                               {"name": "roller shutter", "area": "living room", "kind": "cover",
                                                "command_topic": "flat/shutter/set"}]))
    pair = IntentMatcher("en", directory), IntentAnswers(directory, ())
    assert actions(pair, "Dim the kitchen lights to 30 percent.") == [
        ("set_brightness", {"device": "kitchen spotlights", "percent": 30})]
    assert actions(pair, "Roller shutter down please.") == [("close_cover", {"device": "roller shutter"})]
    assert actions(pair, "Pop the kitchen spotlights on.") == [("turn_on", {"device": "kitchen spotlights"})]
    assert actions(pair, "Kitchen spotlights down.") is None   # (a light is no cover: "down" is not said plainly)


@pytest.mark.parametrize(("request_", "seconds"), [("Um, said a cookie-timer for one minute in thirty seconds.", 90),
                                                   ("Set a timer for an hour in twenty minutes.", 4800)])
def test_and_heard_as_in_between_a_lengths_parts(answers: tuple[IntentMatcher, IntentAnswers], request_: str,
                                                 seconds: int) -> None:
    """ "in" for "and" before a smaller unit (seed 467 set a 30 s timer for a minute and a half); "in" before a
    command's delay is still the delay."""
    found = actions(answers, request_)
    assert found is not None and found[0][0] == "set_timer" and found[0][1]["seconds"] == seconds
    assert actions(answers, "Turn off the kitchen light in thirty seconds.") == [
        ("run_later", {"seconds": 30, "command": "Turn off the kitchen light"})]


def test_three_heard_with_an_f_before_a_unit_is_three(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Set a set a timer for free minutes." (seed 479) set four minutes: "free" and "four" share their sounds'
    letters, but "free" is how "three" is heard when its "th" is said or heard as "f"."""
    assert actions(answers, "Set a set a timer for free minutes.") == [("set_timer", {"seconds": 180})]
    assert actions(answers, "Is it free to use?") is None


def test_a_room_said_by_its_last_word_a_name_and_lights_and_covers_said_up() -> None:
    """ "the lamp in the bedroom" and "the bedroom lamp" for the master bedroom's one lamp (no other room ends in "bedroom"; "the room"
    is never a room); "the Christmas tree lights" for a switch called Christmas tree, beside its alias "tree
    lights"; "Put the blinds up." opens the blinds, not the other covers."""
    directory = DeviceDirectory(parse_devices([
        {"name": "bedside lamp", "area": "master bedroom", "kind": "light", "command_topic": "h/bedside/set"},
        {"name": "floor lamp", "area": "living room", "kind": "light", "command_topic": "h/floor/set"},
        {"name": "christmas tree", "aliases": ["tree lights"], "area": "living room", "kind": "switch",
         "command_topic": "h/tree/set"},
        {"name": "office blinds", "area": "office", "kind": "cover", "command_topic": "h/blinds/set"},
        {"name": "skylight", "area": "attic", "kind": "cover", "command_topic": "h/skylight/set"}]))
    pair = IntentMatcher("en", directory), IntentAnswers(directory, ())
    answer = asyncio.run(IntentResponder(*pair).match("Turn off the lamp in the bedroom.", "s1"))
    assert answer is not None and [(c.name, c.arguments) for c in answer.actions] == [
        ("turn_off", {"device": "bedside lamp"})]
    # and before the thing, as rooms are said most ("the bedroom lamp"), but never "the room" for the living room
    assert actions(pair, "Turn on the bedroom lamp.") == [("turn_on", {"device": "bedside lamp"})]
    assert actions(pair, "Switch off the bedroom lights.") == [("turn_off", {"device": "bedside lamp"})]
    assert actions(pair, "Turn on the room lamp.") != [("turn_on", {"device": "floor lamp"})]
    assert actions(pair, "Turn the Christmas tree lights on.") == [("turn_on", {"device": "christmas tree"})]
    assert actions(pair, "Put the blinds up.") == [("open_cover", {"device": "office blinds"})]
    assert actions(pair, "Pull the blinds down.") == [("close_cover", {"device": "office blinds"})]


@pytest.mark.parametrize("text, expected", [
    ("Timer for five minutes for the pizza please.", [("set_timer", {"seconds": 300, "label": "pizza"})]),
    ("Timer for five minutes for the pizza, thank you very much.", [("set_timer", {"seconds": 300, "label": "pizza"})]),
    ("Timer for an hour and a half for please.", [("set_timer", {"seconds": 5400})]),   # a closing read as a name
    ("Set a timer for ten minutes thank you.", [("set_timer", {"seconds": 600})]),
    ("Turn on the kitchen light thank you.", [("turn_on", {"device": "kitchen light"})]),
])
def test_a_closing_please_or_thanks_is_no_part_of_the_request(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                              expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize("text, command, said", [
    ("Great, thanks.", "", "You're welcome."),   # was read as "repeat thanks": the last answer said again
    ("Perfect, thank you so much.", "", "You're welcome."),
    ("Got it, thanks.", "", "You're welcome."),
    ("Great.", "stop", ""),
    ("Okay, perfect.", "stop", ""),
    ("That's great.", "stop", ""),
])
def test_an_acknowledgement_is_answered_as_such(answers: tuple[IntentMatcher, IntentAnswers], text: str, command: str,
                                                said: str) -> None:
    matcher, intent_answers = answers
    found = matcher.match(text)
    answer = intent_answers.answer(found) if found else None
    assert answer is not None and not answer.actions and (answer.command, answer.text) == (command, said)


@pytest.mark.parametrize("text", ["He said a time for the meeting.", "And you said that was fine?"])
def test_said_before_a_time_with_no_length_is_no_timer(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    assert actions(answers, text) is None


@pytest.mark.parametrize("text", ["Goodbye.", "Greetings."])
def test_no_word_is_mended_into_an_acknowledgement(answers: tuple[IntentMatcher, IntentAnswers], text: str) -> None:
    found = answers[0].match(text)
    assert found is None or found.intent != "answer:acknowledged"


@pytest.mark.parametrize("text, expected", [
    ("Pause it.", [("pause_timer", {})]),   # whichever timer runs (the conversation names the one just set)
    ("Resume that.", [("resume_timer", {})]),
])
def test_a_timer_pointed_at_is_paused_or_resumed(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                 expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("In the kitchen, lights to ten per cent.", [("set_brightness", {"device": "kitchen light", "percent": 10})]),
    ("Kitchen, dim the lights.", [("change_brightness", {"device": "kitchen light", "delta": -25})]),
    ("In the living room, turn on the lights.", [("turn_on", {"device": "living room lamp"})]),
    ("In the kitchen, set a timer for five minutes.", [("set_timer", {"seconds": 300})]),   # no room in it
])
def test_a_room_said_before_the_request_is_its_room(answers: tuple[IntentMatcher, IntentAnswers], text: str,
                                                    expected: list[tuple[str, dict[str, Any]]]) -> None:
    """Seed 1093: "Dim the kitchen lights to ten percent." heard "In the kitchen, lights to ten per cent." set
    every light in the home to 10 %."""
    assert actions(answers, text) == expected


def test_no_mended_word_reaches_a_request_this_device_cannot_serve(answers: tuple[IntentMatcher, IntentAnswers]) -> None:
    """Seed 1097: "Pause the timer." heard "Paul's the timer." was mended into "play the timer" (a media search)
    and refused: "Sorry, I can't do that on this device."; said as written, such a request is still refused."""
    matcher, _ = answers
    assert actions(answers, "Paul's the timer.") == [("pause_timer", {})]
    written = matcher.match("Play the timer.")
    assert written is not None and written.intent == "HassMediaSearchAndPlay"
