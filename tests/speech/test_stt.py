"""Moonshine transcribes short questions in both test voices; silence, noise and odd input give "" safely."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_py.audio.frames import to_float
from firmware_py.respond.not_caught import UNSURE_PER_TOKEN
from firmware_py.speech.stt import MoonshineStt, clean_transcript, collapse_repeats
from tests.speechgen import noise, silence, speech, tones, word_error_rate

QUESTIONS = [
    "What is the weather like today?",
    "Set a timer for ten minutes.",
    "Turn on the kitchen light.",
    "How tall is Mount Everest?",
    "What time is it in Tokyo?",
    "Play some relaxing music.",
]
MAX_WER = 0.2


@pytest.mark.parametrize("voice", ["hibari", "espeak"])
def test_short_questions_are_transcribed(stt: MoonshineStt, voice: str) -> None:
    errors, words, heard = 0.0, 0, []
    for question in QUESTIONS:
        text = stt.transcribe(to_float(speech(question, voice=voice)[0]))
        heard.append(text)
        count = len(question.split())
        errors += word_error_rate(question, text) * count
        words += count
    assert errors / words < MAX_WER, heard
    assert stt.last_secs > 0


def test_the_recogniser_says_how_sure_it_was_of_its_words(stt: MoonshineStt) -> None:
    """A question said plainly reads far above respond/not_caught.py's bar; a clip of noise, whatever it is
    heard as, far below it or as nothing; other words than those written have no confidence."""
    audio = to_float(speech("What is the weather like today?")[0])
    text = stt.transcribe(audio)
    sure = stt.heard_confidence(audio, text)
    assert sure is not None and UNSURE_PER_TOKEN + 0.3 < sure < 0, (text, sure)
    assert stt.heard_confidence(audio, "Some other words.") is None
    babble = to_float(noise(2.0, level=0.3))
    heard = stt.transcribe(babble)
    assert not heard or (stt.heard_confidence(babble, heard) or 0.0) < sure, heard


def test_small_profile_transcribes_the_same_questions(stt_tiny: MoonshineStt) -> None:
    errors, words, heard = 0.0, 0, []
    for question in QUESTIONS:
        text = stt_tiny.transcribe(to_float(speech(question)[0]))
        heard.append(text)
        errors += word_error_rate(question, text) * len(question.split())
        words += len(question.split())
    assert errors / words < MAX_WER, heard


def test_leading_digital_silence_and_padding_are_handled(stt: MoonshineStt) -> None:
    question = speech(QUESTIONS[0])[0]
    padded = np.concatenate([silence(1.0), question, silence(1.5)])
    assert word_error_rate(QUESTIONS[0], stt.transcribe(to_float(padded))) < MAX_WER


def test_int16_input_is_accepted(stt: MoonshineStt) -> None:
    assert word_error_rate(QUESTIONS[1], stt.transcribe(speech(QUESTIONS[1])[0])) < MAX_WER


@pytest.mark.parametrize("name, clip", [
    ("silence", silence(2.0)),
    ("too short", speech(QUESTIONS[0])[0][5000:5800]),
    ("empty", np.zeros(0, np.int16)),
])
def test_nothing_to_hear_gives_empty_text(stt: MoonshineStt, name: str, clip: np.ndarray) -> None:
    assert stt.transcribe(to_float(clip)) == "", name


@pytest.mark.parametrize("name, clip", [("noise", noise(2.0, 0.05)), ("chords", tones(2.0))])
def test_non_speech_does_not_crash_or_loop(stt: MoonshineStt, name: str, clip: np.ndarray) -> None:
    text = stt.transcribe(to_float(clip))
    assert len(text.split()) <= 6, (name, text)


def test_a_clip_that_decoded_to_nothing_is_heard_out_and_read_against_those_words(stt: MoonshineStt) -> None:
    """With the end barred from the first token the recogniser writes its likeliest words, and a reading within
    a grammar is then judged against them, not against the decode that ended at once (a far likelier baseline)."""
    clip = to_float(noise(1.5, 0.05))
    first = stt.transcribe(clip)
    words = stt.hear_out(clip)
    assert words and words != first
    reading = stt.read_within(clip, _Only(words), 60.0, 4)
    assert reading is not None and reading.heard_words == len(words.split())
    assert reading.heard_score - reading.score == pytest.approx(0.0, abs=0.5)
    assert stt.hear_out(np.zeros(100, np.float32)) == ""   # too short to hold speech


class _Only:
    """A grammar of one sentence (spelled as the recogniser writes it, lower case, marks kept)."""

    start = restart = 0
    key_words: frozenset[str] = frozenset()

    def __init__(self, sentence: str) -> None:
        self.sentence = " " + sentence.lower()
        self.states = [""]

    def advance(self, state: int, text: str) -> int:
        grown = self.states[state] + text.lower()
        if not self.sentence.startswith(grown):
            return -1
        self.states.append(grown)
        return len(self.states) - 1

    def accepts(self, state: int) -> bool:
        return self.states[state] == self.sentence


def test_non_finite_samples_are_survivable(stt: MoonshineStt) -> None:
    clip = to_float(speech(QUESTIONS[2])[0])
    clip[1000:1100] = np.nan
    clip[2000] = np.inf
    assert isinstance(stt.transcribe(clip), str)


def test_warm_up_decodes_real_speech(stt: MoonshineStt) -> None:
    stt.warm_up(to_float(speech(QUESTIONS[3])[0]))
    assert stt.last_secs > 0


@pytest.mark.parametrize("raw, cleaned", [
    ("  What   is  it? ", "What is it?"),
    (" . ", ""),
    ("What is the weather like in the weather like in the weather like in the weather", "What is the weather like in"),
    ("In Paris? Paris. Paris. Paris. Paris.", "In Paris?"),
    ("Set a timer for 10 minutes. Set a timer for 10 minutes. Set a timer for", "Set a timer for 10 minutes."),
    ("no no no", "no no no"),
    ("I said hello hello", "I said hello hello"),
    ("下次继继继继继继继继继\ufffd", ""),   # a decode gone astray writes other scripts: nothing was heard
    ("照照 time before 照照.", "time before ."),
    ("Un café au lait, s'il vous plaît.", "Un café au lait, s'il vous plaît."),
    ("Set a timer for 10 minutes.", "Set a timer for 10 minutes."),
    ("\u266a Who wrote rodeo and Juliet \u266a", "Who wrote rodeo and Juliet"),   # room noise: music marks
    ("\u266a \u266a", ""),
])
def test_transcripts_are_cleaned(raw: str, cleaned: str) -> None:
    assert clean_transcript(raw) == cleaned


def test_collapse_keeps_ordinary_repetition() -> None:
    assert collapse_repeats("very very good") == "very very good"
