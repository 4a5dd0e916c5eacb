"""A spoken command the recogniser wrote as other words is read again within the command sentences and
runs; questions and chat read that way cost the recogniser too much and stay as heard. Real Moonshine,
real sentence library, speech from the test voices."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from firmware_py.audio.frames import to_float
from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.command_reread import UNHEARD_MARGIN, CommandReread
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import UNSUPPORTED, create_intent_responder
from firmware_py.speech.slowed import slowed
from firmware_py.speech.stt import MoonshineStt
from tests.speechgen import speech

DEVICES = [
    {"name": "office blinds", "area": "office", "kind": "cover", "command_topic": "home/office/blinds/set"},
    {"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"},
]


QUESTIONS_AND_CHAT = [("What is the capital of France?", "espeak"), ("Tell me a joke.", "hibari"),
                      ("How tall is Mount Everest?", "hibari"), ("I had a long day at work.", "espeak")]


@pytest.fixture(scope="module")
def reread() -> tuple[IntentMatcher, CommandReread]:
    matcher = IntentMatcher("en", DeviceDirectory(parse_devices(DEVICES)))
    return matcher, CommandReread(matcher, UNSUPPORTED)


@pytest.mark.parametrize(("said", "voice", "intent", "slots"), [
    ("What day is it today?", "espeak", "action:get_date", {}),           # heard "What bay is it to bay?"
    ("Turn the volume up a little.", "espeak", "action:change_volume", {"delta": 10}),   # "Turn the mow, you..."
    ("Mute yourself.", "hibari", "action:set_mute", {"muted": True}),     # "Newt yourself."
    # "Sentiment, my view to sixty percent.": every spelling of a timer's name ("Set the mile ...") once filled
    # the search, and "Set the volume" was never looked at
    ("Set the volume to sixty percent.", "espeak-1.25", "action:set_volume", {"volume_percent": 60}),
])
def test_a_command_heard_as_other_words_reads_as_the_command(stt: MoonshineStt, reread: Any, said: str, voice: str,
                                                             intent: str, slots: dict[str, Any]) -> None:
    matcher, rereader = reread
    name, _, speed = voice.partition("-")
    audio = to_float(speech(said, voice=name, speed=float(speed or 1.0))[0])
    heard = stt.transcribe(audio)
    assert matcher.match(heard) is None, f"heard right ({heard!r}): nothing to read again"
    reading = rereader.read(audio, stt)
    assert reading is not None, heard
    found = rereader.accept(reading, heard)
    assert found is not None and found.intent == intent, (heard, reading)
    assert {key: found.slots[key] for key in slots} == slots
    assert reading.heard_score - reading.score < 8.0


def test_a_command_the_recogniser_writes_nothing_for_reads_as_the_command(stt: MoonshineStt, reread: Any) -> None:
    """espeak-ng's fast female voice: "Turn the volume down." decodes to nothing (a request once lost without an
    answer); read within the commands with no words to go by, it is still the likeliest reading."""
    _, rereader = reread
    audio = to_float(speech("Turn the volume down.", voice="espeak", speed=1.15, espeak_voice="en-us+f3")[0])
    assert stt.transcribe(audio) == ""
    reading = rereader.read(audio, stt, UNHEARD_MARGIN)
    found = rereader.accept(reading, "", margin=UNHEARD_MARGIN) if reading is not None else None
    assert found is not None and found.intent == "action:change_volume" and found.slots["delta"] < 0, reading


@pytest.mark.parametrize(("said", "language", "speed"), [("Mettez le minuteur pour dix minutes.", "fr", 0.9),
                                                         ("Włącz światło w sypialni.", "pl", 1.15)])
def test_foreign_speech_the_recogniser_writes_nothing_for_is_no_command(stt: MoonshineStt, reread: Any, said: str,
                                                                        language: str, speed: float) -> None:
    """Decoded as other scripts' letters (dropped) or nothing: read with no words to go by, no command is near
    enough (with the usual margin the French read as "I can't hear you.", a volume change). (What is written
    depends on the CPU's float paths: one machine wrote nothing for the Polish, another "1989.", no command.)"""
    matcher, rereader = reread
    audio = to_float(speech(said, voice="espeak", speed=speed, espeak_voice=language)[0])
    heard = stt.transcribe(audio)
    assert not heard or matcher.match(heard) is None, heard
    reading = rereader.read(audio, stt, UNHEARD_MARGIN)
    assert reading is None or rereader.accept(reading, "", margin=UNHEARD_MARGIN) is None, reading


@pytest.mark.parametrize(("said", "voice"), QUESTIONS_AND_CHAT)
def test_questions_and_chat_are_not_read_as_commands(stt: MoonshineStt, reread: Any, said: str, voice: str) -> None:
    _, rereader = reread
    audio = to_float(speech(said, voice=voice)[0])
    stt.transcribe(audio)
    reading = rereader.read(audio, stt)
    assert reading is None or rereader.accept(reading) is None, reading


@pytest.mark.parametrize(("said", "device"), [
    ("Mute the speaker.", None),                  # "new to lustika new to lustika", slower "New to the speaker."
    # ("Close the office blinds.": "Close me off his lines." reads as the command at once, beside the words
    # heard; with none given, that reading is refused, and the slower hearing does not take what it refused)
])
def test_a_command_lost_at_its_own_speed_is_found_heard_slower(stt: MoonshineStt, reread: Any, said: str,
                                                               device: str | None) -> None:
    """espeak-ng's British voice at 0.85: neither the words written nor the reading within the commands hold the
    command; heard 8/7 slower (then read within the commands), they do, and the whole path runs it."""
    matcher, rereader = reread
    audio = to_float(speech(said, voice="espeak", speed=0.85, espeak_voice="en-gb-x-rp")[0])
    heard = stt.transcribe(audio)
    assert matcher.match(heard) is None, f"heard right ({heard!r}): nothing to hear again"
    reading = rereader.read(audio, stt)
    assert reading is not None and rereader.accept(reading) is None, reading
    responder = create_intent_responder("en", DeviceDirectory(parse_devices(DEVICES)), ())
    with ThreadPoolExecutor(1) as executor:
        result = asyncio.run(responder.reread(audio, stt, executor, "test"))
    assert result is not None, heard
    actions = [(call.name, call.arguments) for call in result[1].actions]
    assert actions == ([("set_mute", {"muted": True})] if device is None else [("close_cover", {"device": device})])


def test_a_command_with_its_first_sound_clipped_is_read_as_the_command(stt: MoonshineStt, reread: Any) -> None:
    """"Pen the office blinds." (an "Open" whose onset was clipped) in espeak-ng's British voice at 0.9 is heard
    "Penley office lines.", and no whole command sentence is near it; read within the sentences that lost their
    first letter it is "Pen the office blinds.", given back its "O"."""
    matcher, _ = reread
    audio = to_float(speech("Pen the office blinds.", voice="espeak", speed=0.9, espeak_voice="en-gb")[0])
    heard = stt.transcribe(audio)
    assert matcher.match(heard) is None, f"heard as a command ({heard!r}): nothing to read again"
    responder = create_intent_responder("en", DeviceDirectory(parse_devices(DEVICES)), ())
    with ThreadPoolExecutor(1) as executor:
        result = asyncio.run(responder.reread(audio, stt, executor, "test", heard=heard))
    assert result is not None, heard
    assert [(call.name, call.arguments) for call in result[1].actions] == [("open_cover", {"device": "office blinds"})]


@pytest.mark.parametrize(("said", "voice"), QUESTIONS_AND_CHAT)
def test_questions_and_chat_heard_slower_are_no_commands(stt: MoonshineStt, reread: Any, said: str, voice: str) -> None:
    _, rereader = reread
    audio = to_float(speech(said, voice=voice)[0])
    assert rereader.accept_heard(stt.transcribe(slowed(audio))) is None


def test_reading_again_reuses_the_decode_of_the_same_audio(stt: MoonshineStt, reread: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, rereader = reread
    audio = to_float(speech("What bay is it today?", voice="hibari")[0])
    stt.transcribe(audio)
    encoded: list[np.ndarray] = []
    original = stt.recognizer.encode
    monkeypatch.setattr(stt.recognizer, "encode", lambda clip: encoded.append(clip) or original(clip))
    rereader.read(audio, stt)
    assert encoded == [], "the audio was encoded again"
    rereader.read(audio[: len(audio) // 2], stt)
    assert len(encoded) == 1, "other audio is encoded"


def test_a_reading_the_recogniser_was_sure_of_is_not_read_again(stt: MoonshineStt, reread: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _, rereader = reread
    audio = to_float(speech("What is the capital of France?", voice="hibari")[0])
    stt.transcribe(audio)
    grammar = rereader.prepare()
    searched: list[float] = []
    original = stt.recognizer.read_within
    monkeypatch.setattr(stt.recognizer, "read_within",
                        lambda hidden, follower, width, floor, **kw: searched.append(floor) or original(hidden, follower, width, floor, **kw))
    assert stt.read_within(audio, grammar, margin=8.0, width=8, trusted=-0.2) is None and searched == []
    stt.read_within(audio, grammar, margin=8.0, width=8, trusted=0.0)
    assert len(searched) == 1, "not trusted, it is searched"


HOME = [*DEVICES, {"name": "garage door", "area": "garage", "kind": "cover", "command_topic": "home/garage/door/set"},
        {"name": "porch light", "area": "porch", "kind": "switch", "command_topic": "home/porch/light/set"}]


@pytest.fixture(scope="module")
def reread_home() -> tuple[IntentMatcher, CommandReread]:
    matcher = IntentMatcher("en", DeviceDirectory(parse_devices(HOME)))
    return matcher, CommandReread(matcher, UNSUPPORTED)


def refused_then_read(stt: MoonshineStt, reread_home: Any, said: str, speed: float, accent: str) -> Any:
    """The espeak-ng clip's free reading, refused for an unknown name, then its reading at REFUSAL_MARGIN."""
    from firmware_py.respond.command_reread import REFUSAL_MARGIN

    matcher, rereader = reread_home
    audio = to_float(speech(said, voice="espeak", speed=speed, espeak_voice=accent)[0])
    heard = matcher.match(stt.transcribe(audio))
    assert heard is not None and heard.unknown_name, heard
    return rereader.read(audio, stt, REFUSAL_MARGIN)


@pytest.mark.parametrize(("said", "speed", "accent", "area"), [
    ("Close the garage door.", 1.25, "en-us", "garage"),     # heard "Close the mirror at door."
    ("Turn the porch light off.", 0.9, "en-gb", "porch"),     # heard "Turn the boat light off."
])
def test_a_refused_name_reads_as_the_device_misheard(stt: MoonshineStt, reread_home: Any, said: str, speed: float,
                                                     accent: str, area: str) -> None:
    reading = refused_then_read(stt, reread_home, said, speed, accent)
    found = reread_home[1].accept(reading) if reading is not None else None
    assert found is not None and found.intent == "HassTurnOff" and found.slots.get("area") == area, reading


@pytest.mark.parametrize(("said", "speed", "accent"), [
    ("Open the front gate.", 0.9, "en-gb"), ("Switch on the garage heater.", 1.25, "en-us"),   # "giraffe keyboard"
    ("Turn on the coffee machine.", 1.0, "en-us"),
])
def test_a_device_it_does_not_have_is_not_read_as_one_it_has(stt: MoonshineStt, reread_home: Any, said: str,
                                                              speed: float, accent: str) -> None:
    reading = refused_then_read(stt, reread_home, said, speed, accent)
    assert reading is None or reread_home[1].accept(reading) is None, reading


def test_rival_readings_are_the_finished_ones_near_the_likeliest(stt: MoonshineStt, reread: Any) -> None:
    """Asking for rivals never changes the likeliest reading; the rivals come likeliest first, each within
    the window of it."""
    from firmware_py.speech.constrained import GrammarFollower

    _, rereader = reread
    audio = to_float(speech("Turn on the kitchen light.", voice="espeak")[0])
    follower = GrammarFollower(rereader.prepare(), stt.recognizer.tokens.texts)
    hidden = stt.recognizer.encode(audio)
    alone = stt.recognizer.read_within(hidden, follower, 8, -np.inf)
    with_rivals = stt.recognizer.read_within(hidden, follower, 8, -np.inf, rival=6.0)
    assert len(alone) == 1 and with_rivals[0][0] == alone[0][0]
    assert with_rivals[0][1] == pytest.approx(alone[0][1], abs=1e-3)   # more readings batched: float rounding
    scores = [score for _, score in with_rivals]
    assert len(with_rivals) > 1 and scores == sorted(scores, reverse=True) and scores[0] - scores[-1] <= 6.0


def test_a_rival_is_other_words_not_the_same_words_with_other_marks(stt: MoonshineStt, reread: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, rereader = reread
    audio = to_float(speech("Mute the speaker.", voice="espeak")[0])
    monkeypatch.setattr(stt.recognizer, "read_within", lambda *args, **kw: [
        ("Mute the speaker.", -3.0), ("Mute, the speaker", -3.2), ("Unmute the speaker.", -3.5)])
    reading = stt.read_within(audio, rereader.prepare(), margin=8.0, width=8, trusted=1.0)
    assert reading is not None and reading.text == "Mute the speaker."
    assert reading.rivals == (("Unmute the speaker.", -3.5),)


def test_a_reading_that_drops_most_of_the_words_heard_is_refused() -> None:
    """"How do I boil an egg?" was read as "Help me" within 2.6 nats and ran the help command."""
    from firmware_py.respond.command_reread import _words_lost

    assert _words_lost("Help me", "How am I? Boil a egg.")
    assert _words_lost("Mute.", "Can you tell me a joke?")
    assert not _words_lost("Close the garage door.", "Um, close, niggerage door.")
    assert not _words_lost("Cancel my cocky timer.", "Cancel my cocky time, o'")
    assert not _words_lost("Mute the speaker,", "New to the speaker,")


@pytest.fixture(scope="module")
def intents() -> Any:
    return create_intent_responder("en", DeviceDirectory(parse_devices(DEVICES)), ())


async def test_a_command_heard_as_its_opposite_is_asked_about(stt: MoonshineStt, intents: Any) -> None:
    """Fast American espeak: "Can you turn on the kitchen light." is written "... turn off ..."; read within
    the on / off sentences, "on" is the likelier reading: the device asks instead of switching it off."""
    audio = to_float(speech("Can you turn on the kitchen light.", voice="espeak", speed=1.25)[0])
    heard = stt.transcribe(audio)
    assert "turn off" in heard.lower(), f"heard {heard!r}: the mishearing this test is about did not happen"
    answer = await intents.match(heard, "test")
    with ThreadPoolExecutor(1) as executor:
        found = await intents.read_opposite(audio, stt, executor, "test", heard, answer)
    assert found is not None
    assert found[1].text == 'Sorry, did you say "Turn off the kitchen light" or "Turn on the kitchen light"?'


@pytest.mark.parametrize(("said", "voice"), [
    ("Turn off the kitchen light.", "hibari"), ("Turn the kitchen light on.", "espeak-1.15"),
    ("Mute the speaker.", "hibari"), ("Unmute the speaker.", "hibari"), ("Switch off the kitchen light.", "espeak"),
    ("Resume the timer.", "hibari"), ("Cancel the timer.", "espeak"), ("Open the office blinds.", "hibari"),
])
async def test_a_command_heard_right_runs_without_a_question(stt: MoonshineStt, intents: Any, said: str,
                                                            voice: str) -> None:
    name, _, speed = voice.partition("-")
    audio = to_float(speech(said, voice=name, speed=float(speed or 1.0))[0])
    heard = stt.transcribe(audio)
    answer = await intents.match(heard, "test")
    assert answer is not None and answer.actions, f"heard {heard!r}"
    with ThreadPoolExecutor(1) as executor:
        assert await intents.read_opposite(audio, stt, executor, "test", heard, answer) is None


def test_a_grammar_read_within_again_keeps_its_follower(stt: MoonshineStt, reread: Any) -> None:
    """Reading within one grammar, then another, then the first again finds the first's follower as it was
    left (its key words looked for once among the 32k tokens, not at every switch), and the tokens' spellings
    are shared by every grammar."""
    from firmware_py.respond.opposites import OPPOSITES, OppositeReading

    matcher, rereader = reread
    commands, family = rereader.prepare(), OppositeReading(matcher).grammar(OPPOSITES[0])
    audio = to_float(speech("Turn on the kitchen light.", voice="espeak")[0])
    first = stt._follower(commands)
    assert stt.read_within(audio, family, 40.0, 4) is not None
    assert stt._follower(commands) is first and stt._follower(family)._spellings is first._spellings


class _CountedRuns:
    """The decoder session, its runs counted."""

    def __init__(self, session: Any) -> None:
        self.session, self.runs = session, 0

    def run(self, *args: Any) -> Any:
        self.runs += 1
        return self.session.run(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


@pytest.mark.parametrize(("said", "voice", "speed"), [
    ("Can you turn on the kitchen light.", "espeak", 1.25),   # heard "... turn off ...": asked which
    ("Turn the kitchen light on.", "espeak", 1.15), ("Switch off the kitchen light.", "espeak", 1.0),
])
def test_a_reading_along_the_words_heard_finds_what_the_whole_search_finds(
        stt: MoonshineStt, reread: Any, monkeypatch: pytest.MonkeyPatch, said: str, voice: str, speed: float) -> None:
    """A one-sound command is read within its family knowing the words heard are one of its sentences: the
    same readings and rivals as the search that does not know it, scored along those words in one decoder
    run instead of one run a token."""
    from firmware_py.respond.opposites import OPPOSITES, OppositeReading
    from firmware_py.speech.constrained import GrammarFollower

    matcher, _ = reread
    follower = GrammarFollower(OppositeReading(matcher).grammar(OPPOSITES[0]), stt.recognizer.tokens.texts)
    hidden = stt.recognizer.encode(to_float(speech(said, voice=voice, speed=speed)[0]))
    heard, score, ids = stt.recognizer.read(hidden)
    assert follower.holds(ids), heard
    counted = _CountedRuns(stt.recognizer.decoder)
    monkeypatch.setattr(stt.recognizer, "decoder", counted)
    searched = stt.recognizer.read_within(hidden, follower, 4, score - 40.0, rival=1.0)
    whole_runs, counted.runs = counted.runs, 0
    along = stt.recognizer.read_within(hidden, follower, 4, score - 40.0, rival=1.0, known=ids)
    assert [text for text, _ in along] == [text for text, _ in searched], heard
    assert [s for _, s in along] == pytest.approx([s for _, s in searched], abs=0.05)   # (one run: other rounding)
    assert counted.runs < whole_runs / 2, (counted.runs, whole_runs)


def test_a_follower_holds_a_sentence_of_its_grammar_and_no_other(stt: MoonshineStt, reread: Any) -> None:
    from firmware_py.speech.constrained import GrammarFollower

    _, rereader = reread
    follower = GrammarFollower(rereader.prepare(), stt.recognizer.tokens.texts)
    for said, held in (("Turn on the kitchen light.", True), ("What is the capital of France?", False)):
        _, _, ids = stt.recognizer.read(stt.recognizer.encode(to_float(speech(said, voice="hibari")[0])))
        assert follower.holds(ids) is held, said
    assert not follower.holds([])


def test_a_looping_decode_is_known_by_its_first_copy(stt: MoonshineStt, reread: Any) -> None:
    """The free decode sometimes says a command again and again ("Close the office blinds. Close the office
    blinds. ..."), heard as one copy: the reading along the words heard follows that copy, not the loop."""
    from firmware_py.respond.opposites import OPPOSITES, OppositeReading
    from firmware_py.speech.constrained import GrammarFollower

    matcher, _ = reread
    follower = GrammarFollower(OppositeReading(matcher).grammar(OPPOSITES[0]), stt.recognizer.tokens.texts)
    _, _, ids = stt.recognizer.read(stt.recognizer.encode(to_float(speech("Close the office blinds.", voice="hibari")[0])))
    assert stt._heard_within(ids * 3, follower) == ids
    assert stt._heard_within(ids[:-2], follower) is None   # "Close the office": no sentence


def test_a_reading_made_ahead_is_found_again_for_the_same_audio(stt: MoonshineStt, reread: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-sound command read at the user's pause: the turn's end, reading the same audio within the same
    grammar, finds the reading made (no decoder run); other audio is read anew."""
    from firmware_py.respond.opposites import OPPOSITES, OppositeReading

    matcher, _ = reread
    family = OppositeReading(matcher).grammar(OPPOSITES[0])
    audio = to_float(speech("Switch off the kitchen light.", voice="hibari", speed=1.05)[0])
    other = to_float(speech("Switch on the kitchen light.", voice="hibari", speed=1.05)[0])
    stt.transcribe(audio)
    ahead = stt.read_within(audio, family, 40.0, 4, heard_within=True)
    counted = _CountedRuns(stt.recognizer.decoder)
    monkeypatch.setattr(stt.recognizer, "decoder", counted)
    assert stt.read_within(audio.copy(), family, 40.0, 4, heard_within=True) == ahead and counted.runs == 0
    assert stt.read_within(other, family, 40.0, 4, heard_within=True) != ahead and counted.runs > 0


def test_a_wide_reading_feeds_the_encoders_keys_and_values_once_whatever_its_width(
        stt: MoonshineStt, reread: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Repeated for every reading, the encoder's keys and values were 16 copies at a width of 16: the 12 longest
    kept turns of one run peaked 372-379 MB in process instead of 264-267 MB. The decoder broadcasts them."""

    class FeedsSeen(_CountedRuns):
        def __init__(self, session: Any) -> None:
            super().__init__(session)
            self.batches: list[tuple[int, int, int]] = []   # (readings, encoder output's batch, its keys' batch)

        def run(self, outputs: Any, feeds: dict[str, Any], *rest: Any) -> Any:
            keys = [value.shape[0] for name, value in feeds.items() if ".encoder." in name and value.size]
            self.batches.append((feeds["input_ids"].shape[0], feeds["encoder_hidden_states"].shape[0], max(keys, default=1)))
            return super().run(outputs, feeds, *rest)

    _, rereader = reread
    seen = FeedsSeen(stt.recognizer.decoder)
    monkeypatch.setattr(stt.recognizer, "decoder", seen)
    audio = to_float(speech("Set the living room lamp to seventy five percent.", voice="espeak", speed=0.9)[0])
    stt.transcribe(audio)
    stt.read_within(audio, rereader.prepare(), 40.0, 16, trusted=0.0)
    assert max(readings for readings, _, _ in seen.batches) > 1, "a wide reading runs readings side by side"
    assert {(hidden, keys) for _, hidden, keys in seen.batches} == {(1, 1)}


def test_a_reading_kept_is_dropped_when_its_clip_gets_another_free_reading(
        stt: MoonshineStt, reread: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reading is judged against the clip's free reading; `hear_out` gives the clip another one, so what was
    read before it is read again, not found."""
    from firmware_py.respond.opposites import OPPOSITES, OppositeReading

    matcher, _ = reread
    family = OppositeReading(matcher).grammar(OPPOSITES[0])
    audio = to_float(speech("Turn the kitchen light off.", voice="hibari", speed=0.95)[0])
    stt.transcribe(audio)
    stt.read_within(audio, family, 40.0, 4, heard_within=True)
    stt.hear_out(audio)
    counted = _CountedRuns(stt.recognizer.decoder)
    monkeypatch.setattr(stt.recognizer, "decoder", counted)
    stt.read_within(audio, family, 40.0, 4, heard_within=True)
    assert counted.runs > 0
