"""What a reading within the commands is taken as (respond/command_reread.py): the command, or a question
when the audio does not say which of two commands was meant."""

from __future__ import annotations

import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.command_reread import UNHEARD_MARGIN, CommandReread
from firmware_py.respond.intent_matcher import IntentMatch, IntentMatcher
from firmware_py.respond.intents import UNSUPPORTED
from firmware_py.speech.stt import Rereading

DEVICES = [{"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"}]


@pytest.fixture(scope="module")
def rereader() -> CommandReread:
    return CommandReread(IntentMatcher("en", DeviceDirectory(parse_devices(DEVICES))), UNSUPPORTED)


def reading(text: str, *rivals: tuple[str, float]) -> Rereading:
    return Rereading(text, -4.0, -2.0, 4, tuple(rivals))


@pytest.mark.parametrize("heard", ["And mutinously go.", "Ah, new to the speaker.", "I mute the speaker.", "Amute the speaker."])
def test_a_verb_that_may_have_lost_its_un_is_asked_about(rereader: CommandReread, heard: str) -> None:
    found = rereader.accept(reading("Mute the speaker."), heard)
    assert found is not None and found.intent == "ambiguous"
    assert found.slots["choices"] == ["Mute the speaker.", "Unmute the speaker."]


@pytest.mark.parametrize("heard", ["", "Newt the speaker.", "Mute the speaker, please", "Amazing beaker."])
def test_no_sound_before_the_verb_is_no_question(rereader: CommandReread, heard: str) -> None:
    found = rereader.accept(reading("Mute the speaker."), heard)
    assert found is not None and (found.intent, found.slots) == ("action:set_mute", {"muted": True})


def test_a_verb_with_no_un_form_is_taken(rereader: CommandReread) -> None:
    found = rereader.accept(reading("Turn on the kitchen light."), "And on the kitchen light.")
    assert found is not None and found.intent == "HassTurnOn"


def test_a_rival_reading_meaning_otherwise_is_asked_about(rereader: CommandReread) -> None:
    found = rereader.accept(reading("Turn on the kitchen light.", ("Turn off the kitchen light.", -4.5)), "")
    assert found is not None and found.intent == "ambiguous"
    same = rereader.accept(reading("Turn on the kitchen light.", ("Switch on the kitchen light.", -4.5)), "")
    assert same is not None and same.intent == "HassTurnOn"


def test_a_reading_that_opens_with_a_filler_is_asked_about_too(rereader: CommandReread) -> None:
    """The slower hearing's reading kept the filler: "Ah, mute the speaker." for "Ah, new to the speaker."."""
    found = rereader.accept(reading("Ah, mute the speaker."), "Ah, new to the speaker.")
    assert found is not None and found.intent == "ambiguous"
    assert found.slots["choices"] == ["Ah, mute the speaker.", "Ah, unmute the speaker."]


@pytest.mark.parametrize(("read", "heard"), [
    ("Help me.", "L. me and Joe."), ("Help me.", "Yelp me."), ("What can you do?", "What game is it okay"),
    ("Can you please? can you please help?", "And they thanked a lot."),
])
def test_what_the_device_can_do_is_never_read_out_of_other_words(rereader: CommandReread, read: str, heard: str) -> None:
    """A question, like the others: read out of any short question or a "thanks", it answers one nobody asked."""
    assert rereader.accept(reading(read), heard) is None


def test_polite_words_do_not_make_a_short_reading_long(rereader: CommandReread) -> None:
    """"Can you please mute?" asks one word: like "Mute." it must also sound like what was heard."""
    assert rereader.accept(reading("Can you please mute?"), "And they thanked a lot.") is None
    found = rereader.accept(reading("Can you please mute?"), "Can you please newt?")
    assert found is not None and found.intent == "action:set_mute"


@pytest.mark.parametrize("read, heard, intent", [
    ("What's the date today?", "What's not what's not made to me?", "HassGetCurrentDate"),   # 4 of 7 words
    ("Unmute yourself.", "And new to yourself.", "action:set_mute"),   # half: two words for one ("new to")
])
def test_a_reading_that_keeps_half_the_words_or_more_is_taken(rereader: CommandReread, read: str, heard: str,
                                                              intent: str) -> None:
    found = rereader.accept(reading(read), heard)
    assert found is not None and found.intent == intent


def test_a_sum_is_read_only_where_its_operator_was_heard(rereader: CommandReread) -> None:
    """ "Just one thousand and twelve." read out of two pieces of mumbling would be an answer given with
    confidence to a question nobody asked (nor is a choice offered between two such sums); "What is by plus
    three?" heard the operator, and is read as a sum (whose unheard number is then asked for: test_sums.py)."""
    assert rereader.accept(reading("Just one thousand and twelve.", ("Just one thousand and one thousand.", -4.3)),
                           "Gentlemen, ma'am, Jesse only pretends.") is None
    found = rereader.accept(reading("What is five plus three?"), "What is by plus three?")
    assert found is not None and found.intent == "answer:arithmetic"


def test_a_reading_beyond_the_margin_is_taken_only_when_it_sounds_like_what_was_heard() -> None:
    """13.9 nats below the free reading: "Close the office blinds." for "Closing off his lines." sounds alike and
    is taken; "What is the time?" for "What is by plus three?" (a question) does not, and is not."""
    rereader = CommandReread(IntentMatcher("en", DeviceDirectory(parse_devices(
        [{"name": "office blinds", "area": "office", "kind": "cover", "command_topic": "home/office/blinds/set"}]))),
        UNSUPPORTED)
    far = lambda text: Rereading(text, -20.0, -6.1, 4, ())   # noqa: E731
    found = rereader.accept(far("Close the office blinds."), "Closing off his lines.")
    assert found is not None and found.intent == "HassTurnOff"
    assert rereader.accept(far("What is the time?"), "What is by plus three?") is None
    assert rereader.accept(far("Close the office blinds."), "") is None, "nothing heard to sound like"
    near = Rereading("What is the time?", -10.0, -6.1, 4, ())
    assert rereader.accept(near) is not None, "within the margin, as before"


def test_a_reading_beyond_the_margin_that_costs_much_a_word_is_other_words(rereader: CommandReread) -> None:
    """"What's your name?" read as "What's the time?" 14.8 and 11.3 nats below sounds alike (0.57) but costs 4.9
    and 3.8 a word: other words throughout. "New to the speaker." read as "Mute the speaker." 10.5 below
    (3.5 a word) was the command said, and is taken."""
    far = lambda text, below: Rereading(text, -3.0 - below, -3.0, 3, ())   # noqa: E731
    assert rereader.accept(far("What's the time?", 14.8), "What's your name?") is None
    assert rereader.accept(far("What's the time?", 11.3), "What's your name?") is None
    found = rereader.accept(far("Mute the speaker.", 10.5), "New to the speaker.")
    assert found is not None and found.intent == "action:set_mute"


@pytest.mark.parametrize(("read", "heard", "taken"), [
    ("Pardon me", "Quite you mouth", False),          # "Volume up.": the repeat command ran
    ("Say that,", "Said the maw, you. / J. B..", False),
    ("Mute yourself.", "Newt yourself.", True),        # sounds like what was heard
])
def test_a_short_reading_must_sound_like_what_was_heard(rereader: CommandReread, read: str, heard: str,
                                                        taken: bool) -> None:
    assert (rereader.accept(reading(read), heard) is not None) is taken


@pytest.mark.parametrize(("read", "heard", "below", "taken"), [
    ("Volume up.", "Smile your mouth", 0.0, True),     # the clipped start of "Volume up.", as likely as heard
    ("Volume up.", "Mile your mouth.", 1.4, True),
    ("Volume up.", "Mile your mouth.", 2.0, False),    # a short command's sentence fits any mumble
    ("Pardon me", "Quite you mouth", 1.6, False),
])
def test_a_short_reading_unlike_what_was_heard_is_taken_only_as_likely_as_it(rereader: CommandReread, read: str,
                                                                            heard: str, below: float, taken: bool) -> None:
    found = rereader.accept(Rereading(read, -3.0 - below, -3.0, 3, ()), heard)
    assert (found is not None) is taken


@pytest.mark.parametrize(("read", "heard", "below", "taken"), [
    ("What's today?", "What's today's?", 5.0, True),   # the nearest short reading over the kept turns
    ("What time?", "What can?", 6.1, False),           # seed 907: the first piece of "What can | you do?"
    ("Time left.", "Time, Lou,,", 6.8, False),         # "Why is the sky blue?"
    ("Mute yourself.", "You to yourself.", 4.8, True),
])
def test_a_short_reading_however_alike_is_taken_only_near_what_was_heard(rereader: CommandReread, read: str,
                                                                         heard: str, below: float, taken: bool) -> None:
    found = rereader.accept(Rereading(read, -3.0 - below, -3.0, 2, ()), heard)
    assert (found is not None) is taken


@pytest.mark.parametrize(("read", "score", "heard_score", "taken"), [
    ("Set a timer for one hour.", -7.2, -23.7, True),   # the free reading gone astray in other scripts
    ("Turn the volume down.", -2.4, -0.9, True),        # 1.5 nats below, 0.6 a word
    ("Turn the volume down.", -5.4, -0.9, False),       # 4.5 below: beyond the margin
    ("I can't hear you.", -16.5, -14.6, False),         # French read as the commands most like any speech: 4.1 a word
    ("What did you say?", -15.7, -20.9, False),         # Polish, 3.9 a word, above the free reading
    ("Mute yourself.", -1.0, -0.8, False),               # two words fit any mumble
])
def test_a_turn_with_no_words_is_read_only_as_a_likely_command_of_three_words_or_more(
        rereader: CommandReread, read: str, score: float, heard_score: float, taken: bool) -> None:
    found = rereader.accept(Rereading(read, score, heard_score, 1, ()), "", margin=UNHEARD_MARGIN)
    assert (found is not None) is taken


@pytest.mark.parametrize(("read", "heard", "below", "taken"), [
    ("Can you tell me the time?", "She had turned in timely.", 6.3, False),   # "Set an egg timer | for six minutes."
    ("Turn on the kitchen light.", "So long before it's right.", 3.7, True),  # taken rightly, 0.27 alike
    ("Turn the volume up.", "Turned the volume up.", 6.0, True),              # far, but sounds like what was heard
])
def test_a_reading_unlike_what_was_heard_must_be_near_the_free_reading(rereader: CommandReread, read: str, heard: str,
                                                                      below: float, taken: bool) -> None:
    found = rereader.accept(Rereading(read, -3.0 - below, -3.0, 5, ()), heard)
    assert (found is not None) is taken


@pytest.mark.parametrize(("heard", "refused"), [
    ("Turn off the hallway light,", "hallway light"),   # "Do not from the fall-away light," heard slower
    ("Please switch on the garage heater.", "garage heater"),
    ("Turned the dishwasher on.", "dishwasher"),             # "Turned Avishwasheran." heard slower: "turned" is "turn"
    ("Said Mamaishment light to for me, per cent.", None),   # no order: a mumble with a device's word in it
    ("Fill me on, Joke.", None),                             # named like no device
    ("Switch on the garage key to.", "garage key"),          # a plain switch: verb, "on", a name of two words
    ("Switch on, but.", None),                               # ... not of one word left from a mumble
    ("Turn the mile to a palatal.", None),                   # no "on" or "off" after the verb
])
def test_a_slower_hearing_may_be_a_refusal_only_when_it_plainly_orders_a_device(rereader: CommandReread, heard: str,
                                                                               refused: str | None) -> None:
    found = rereader.accept_heard(heard)
    assert (found.unknown_name if found is not None else None) == refused


class TrustRecorder:
    """A recogniser that records how sure of its free reading it was allowed to be."""

    def __init__(self) -> None:
        self.trusted: list[float] = []

    def read_within(self, audio: object, grammar: object, margin: float, width: int, trusted: float = 0.0, heard_within: bool = False) -> None:
        self.trusted.append(trusted)


def test_a_word_only_commands_use_is_read_again_however_sure_the_recogniser_was(rereader: CommandReread) -> None:
    """Seed 349: "Set an egg timer for six minutes." heard, surely, as "That an egg timer for six minutes.":
    a turn nobody claimed that says "timer" is a command misheard, and is read within the commands."""
    import numpy as np
    stt = TrustRecorder()
    rereader.read(np.zeros(1600, np.float32), stt, heard="That an egg timer for six minutes.")
    rereader.read(np.zeros(1600, np.float32), stt, heard="Who wrote Romeo and Juliet?")
    assert stt.trusted[0] == 0.0 and stt.trusted[1] < 0.0


def test_a_sure_hearing_read_for_its_device_keeps_the_device(rereader: CommandReread) -> None:
    """A turn read only because it names a device (the recogniser was sure of it) keeps that device: "Said the
    kitchen light." (the first piece of "Set the kitchen lights | to twenty-five percent") read as "Set the
    kitchen white," answered "I can't do that"."""
    sure = lambda text: Rereading(text, -3.0, -0.4, 4)   # -0.1 a word
    assert rereader.accept(sure("Set the kitchen white,"), "Said the kitchen light.") is None
    found = rereader.accept(sure("Turn off the kitchen light."), "Post the kitchen light.")
    assert found is not None and found.intent == "HassTurnOff"
    unsure = Rereading("Set the kitchen white,", -3.0, -2.0, 4)   # read as before: the words were in doubt
    assert rereader.accept(unsure, "Said the kitchen light.") is not None


def test_a_device_of_this_device_named_is_read_again_however_sure_the_recogniser_was(rereader: CommandReread) -> None:
    """Seed 823: "Close the garage door." heard, surely, as "Post the garage door.": a turn nobody claimed that
    names one of this device's devices whole is a command misheard."""
    import numpy as np
    stt = TrustRecorder()
    rereader.read(np.zeros(1600, np.float32), stt, heard="Post the kitchen light.")
    rereader.read(np.zeros(1600, np.float32), stt, heard="Post the kitchen letter.")
    assert stt.trusted[0] == 0.0 and stt.trusted[1] < 0.0


@pytest.mark.parametrize(("read", "heard"), [
    ("Turn the timer off.", "Turn the timer."),          # the rest of "Add two minutes | to the timer" (seed 383)
    ("Turn the volume up.", "Turned the volume."),       # "| down a bit" still to come
    ("Turn the kitchen light off.", "Turn the kitchen light,"),
    ("Volume two.", "Volume."),                          # "| up." still to come: set to 2 (seed 769)
    ("Set the volume to two.", "Set the volume."),      # "| to eighty." still to come (seed 971)
    ("Set the volume to twenty five percent.", "Set the volume."),
    ("Set the volume to twenty percent.", "Set the volume to"),
    ("Set the brightness of the kitchen light to 40.", "Set the brightness of the kitchen light to"),
])
def test_a_direction_or_amount_after_the_last_word_heard_is_not_taken(rereader: CommandReread, read: str, heard: str) -> None:
    assert rereader.accept(reading(read), heard) is None


@pytest.mark.parametrize(("read", "heard"), [
    ("Volume up.", "Malumet"),                               # the direction heard as part of another word
    ("Turn the kitchen light off.", "Turn the kitchen light of."),
    ("Turn off the kitchen light.", "Turn of the kitchen light."),
    ("Set the volume to forty percent.", "Set the volume to fourty percent."),
    ("Set the volume to thirty.", "Set the volume to thirsty."),   # the amount heard as another word
    ("Set the volume to forty.", "Set the volume for tea."),       # ... as words like the one before it
])
def test_a_direction_or_amount_heard_as_some_sound_is_taken(rereader: CommandReread, read: str, heard: str) -> None:
    assert rereader.accept(reading(read), heard) is not None


def test_many_of_a_singular_unit_is_not_taken(rereader: CommandReread) -> None:
    """ "half an hour" read twice as "ten hour" (10-hour timers): English counts ten hours; the singular's audio
    was "an hour". Before "timer" the singular is how it is said ("a ten minute timer")."""
    assert rereader.accept(reading("Timer for ten hour for the workout."), "Time report now for now if there's been wear cuts") is None
    assert rereader.accept(reading("Set a timer for ten hour."), "Set a time of ten hour.") is None
    found = rereader.accept(reading("Set a ten minute timer."), "Set a ten minute time.")
    assert found is not None and found.slots.get("minutes") == 10


def test_a_question_heard_is_not_read_far_off_as_another_question(rereader: CommandReread) -> None:
    """ "What is the tallest?" (the first half of "What is the tallest | mountain in the world?") was read as
    "What is the time?" 11.2 nats below what was heard, and the device told the time (seed 431). A command heard
    as a question is still read: "What time?" as "What time is it?" (14.3 below)."""
    far = Rereading("What is the time?", -13.2, -2.0, 4, ())
    assert rereader.accept(far, "What is the tallest?") is None
    assert rereader.accept(Rereading("What time is it?", -16.3, -2.0, 4, ()), "What time?") is not None


def test_numbers_are_compared_as_said() -> None:
    """ "While you 60% please." was not taken as "Volume to sixty percent please" (5.97 below): its digits held
    none of the reading's sounds."""
    from firmware_py.heard_alike import sounds_alike
    from firmware_py.respond.number_words import in_words, spelt_numbers
    assert [in_words(n) for n in (0, 7, 45, 60, 120)] == ["zero", "seven", "forty five", "sixty", "one hundred twenty"]
    assert spelt_numbers("While you 60% please.") == "While you sixty percent please."
    assert sounds_alike(spelt_numbers("While you 60% please."), "Volume to sixty percent please") >= 0.5


def test_a_direction_nothing_was_heard_for_is_not_read_in(rereader: CommandReread) -> None:
    """ "Ten the time," (the rest of "Add two minutes | to the timer") read as "Turn the timer off." cancelled the
    timer just added to (seed 433): its last word, "time", is "timer" heard a little short."""
    assert rereader.accept(reading("Turn the timer off."), "Ten the time,") is None
    assert rereader.accept(reading("Turn the kitchen light off."), "Turned Kitchen Lightoff.") is not None


def test_a_number_the_recogniser_wrote_in_digits_is_not_asked_about(rereader: CommandReread) -> None:
    """ "Sensing the floor lamp brightness to 40 percent." was asked "forty percent or four percent?" (seed 443)."""
    read = Rereading("Set the kitchen light to forty percent.", -4.0, -2.0, 4, (("Set the kitchen light to four percent.", -4.5),))
    found = rereader.accept(read, "Sensing the kitchen light to 40 percent.")
    assert found is not None and found.intent != "ambiguous" and found.slots.get("brightness") in (40, "40")
    asked = rereader.accept(read, "Sensing the kitchen light to forty percent.")
    assert asked is not None and asked.intent == "ambiguous"


@pytest.mark.parametrize("heard, rival", [("Said the volume. To I. D..", "Set the volume twenty."),   # seed 863
                                          ("Said the Muldew, Daisy.", "Set the volume to thirty."),
                                          ("Set them all to a day.", "Set the volume twenty.")])
def test_a_number_heard_as_words_that_sound_like_it_is_not_asked_about(rereader: CommandReread, heard: str,
                                                                       rival: str) -> None:
    found = rereader.accept(reading("Set the volume to eighty.", (rival, -4.1)), heard)
    assert found is not None and found.intent != "ambiguous" and found.slots.get("volume_percent") == 80
    # words that sound as much like either number leave the question to the user
    asked = rereader.accept(reading("Set the volume to eighty.", ("Set the volume to eight.", -4.1)), heard)
    assert asked is not None and asked.intent == "ambiguous"


def test_a_reading_that_swaps_the_unit_heard_is_not_taken(rereader: CommandReread) -> None:
    """ "Start a timer for an hour and a half." heard "... for a hour and observe." was read as "Start a timer for a
    minute" and set one minute (seed 491): a unit heard is kept, or the reading is not taken."""
    assert rereader.accept(reading("Start a timer for a minute"), "Start a timer for a hour and observe.") is None
    found = rereader.accept(reading("Set a timer for thirty seconds."), "Set a time of 4.30 seconds.")
    assert found is not None and found.intent == "action:set_timer"


def test_a_filler_before_a_verb_with_no_un_form_is_no_question(rereader: CommandReread) -> None:
    """ "Um, set the kitchen light ..." was asked "set ... or unset ...?" (seed 499): only mute and pause have an
    "un" form among the commands."""
    found = rereader.accept(reading("Um, set the kitchen light to twenty-five percent."),
                            "Um, said the kitchen light stood twenty-five percent.")
    assert found is not None and found.intent == "action:set_brightness"


@pytest.mark.parametrize(("read", "heard"), [
    ("Turn on the microphone.", "They're not the math room fan."),   # an unknown bathroom fan (seed 499)
    ("Set the volume to 40%.", "Sent the basement light to 40%."),
])
def test_a_command_to_the_device_itself_is_not_read_out_of_a_household_thing(rereader: CommandReread, read: str,
                                                                              heard: str) -> None:
    assert rereader.accept(reading(read), heard) is None


@pytest.mark.parametrize(("read", "heard"), [
    ("Mute the speaker.", "Newt the speaker."),   # the device's own speaker
    ("Turn off the kitchen light.", "Turn of the kitchen light."),   # a household thing, read as one
])
def test_a_reading_that_keeps_the_thing_heard_is_taken(rereader: CommandReread, read: str, heard: str) -> None:
    assert rereader.accept(reading(read), heard) is not None


@pytest.mark.parametrize(("read", "heard", "taken"), [
    # seed 1009: an hour and fifteen minutes set as one hour
    ("Can you set a timer for an hour", "Can you set a timer for an hour 10 15 minutes", False),
    ("Set a timer for an hour and fifteen minutes.", "Set a timer for an hour and 15 minutes", True),
    ("Set a timer for five minutes.", "Sat a time for five minutes.", True),
])
def test_a_reading_keeps_every_unit_the_words_heard_count(rereader: CommandReread, read: str, heard: str,
                                                          taken: bool) -> None:
    found = rereader.accept(Rereading(read, -4.0, -3.0, 6), heard)
    assert (found is not None and found.intent == "action:set_timer") == taken


def test_a_reading_naming_no_running_timer_gives_way_to_the_one_rival_that_does(rereader: CommandReread) -> None:
    """Seed 1151: "Cancel the pasta timer." heard "Anselled the pasta-timer," read "Cancel deposited timer,"
    with "Cancel the pasta timer," 0.7 nats below: the device asked which of the two was meant, though no
    timer is called "deposited"."""
    def running(match: IntentMatch) -> bool:
        return not {str(value).lower() for key, value in match.slots.items() if key in ("name", "label")} - {"pasta"}

    heard = "Anselled the pasta-timer,"
    found = rereader.accept(reading("Cancel deposited timer,", ("Cancel the pasta timer,", -4.7)), heard, running)
    assert found is not None and found.intent != "ambiguous" and "pasta" in found.slots.values()
    # two rivals that name running timers and mean otherwise: asked between them
    found = rereader.accept(reading("Cancel deposited timer,", ("Cancel the pasta timer,", -4.7),
                                    ("Pause the pasta timer,", -4.8)), heard, running)
    assert found is not None and found.intent == "ambiguous"
    assert found.slots["choices"] == ["Cancel the pasta timer,", "Pause the pasta timer,"]
    # a reading that names a running timer is asked about beside its rival as before
    found = rereader.accept(reading("Cancel the pasta timer,", ("Pause the pasta timer,", -4.7)), heard, running)
    assert found is not None and found.slots["choices"] == ["Cancel the pasta timer,", "Pause the pasta timer,"]
