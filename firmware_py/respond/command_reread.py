"""A spoken turn nobody claimed, read again within the command sentences: the recogniser decides.

Mending the words STT wrote (intent_matcher.py) works from text alone, and text that is far off ("Close me
off his lines", "Ok, so, sent in a minute, baby") has nothing left to mend from. The audio still holds the
command. When no responder claims a spoken turn, its audio is decoded again by a beam search kept inside
the sentences the intents accept (command_grammar.py, speech/constrained.py). The reading is taken only
when the recogniser finds it nearly as likely as what it first wrote (within `MARGIN` nats of log-
likelihood) and the intent matcher then matches it as written, with no word mended. A question forced
into a command costs the recogniser far more than that, and is left to the knowledge base and the LLM.

When that finds nothing either, a short turn is heard once more, 8/7 slower (speech/slowed.py): what that
hearing writes is taken when it is a command, else it is read within the command sentences in turn.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any, Protocol

import jellyfish
import numpy as np
from hassil.intents import TextSlotList

from ..heard_alike import one_sound_apart, sounds_alike, syllables
from ..integrations.devices import DEVICE_NOUNS, singular
from .later import QUESTION_OPENINGS
from ..speech.stt import Rereading
from .command_grammar import CommandGrammar, FirstSoundLost
from .intent_matcher import (COMMAND_VERBS, FILLERS, IntentMatch, IntentMatcher, asked_which, bare_words, meaning,
                             rephrased, rooms_kept, sound_of)
from .number_words import TENS, UNITS, spelt_numbers
from .openings import POLARITY_WORDS
from .sums import is_number_said

log = logging.getLogger(__name__)

MARGIN = 8.0
"""How much less likely (nats of log-likelihood) than the free reading a command reading may be. On the
spoken-command corpus, misheard commands read within the grammar at 0-7 below the free reading; questions
and chit-chat forced into a command 12 or more below (docs/benchmarks.md, "Sixth round")."""
FAR_MARGIN = 15.0
"""How far below the free reading a command reading may still be taken when it also sounds like the words
heard (`SOUNDS_ALIKE`): an espeak voice's "Close the office blinds" was written "Closing off his lines" with
the command 13.9 nats below. Over the unclaimed turns of five dressings of the corpus, the commands read 9.8-13.9
below sounded 0.55-0.78 alike; the questions and chat forced into a command within 15 nats, 0.33-0.43."""
FAR_COST_PER_WORD = 3.6
"""The most a reading beyond `MARGIN` may cost (nats below the free reading) per word it says: the commands
read that far and rightly on the benchmark's runs cost 1.5-3.5 a word ("Sent the value to forty percent." as
"Set the volume ...", 1.5; "Closing off his lines." as "Close the office blinds.", 2.5; "New to the speaker."
as "Mute the speaker.", 3.5), while readings of other words throughout, however alike they sound, cost 3.7 or
more: "What's your name?" as "What's the time?" 3.8 and 4.9 (two voices), "Past a timer," (the rest of "Cancel
the | pasta timer.") as "Pause to timer." 3.7 (docs/benchmarks.md, "Twenty-second round")."""
SHORT_ALIKE_MARGIN = 6.0
"""How far below the free reading a reading shorter than `SHORT_READING` may be, however alike it sounds: over
the kept turns of 31 runs, the short readings taken rightly lay 5.0 nats below at most ("What's today's?" as
"What's today?"), while "What can?" (the first piece of "What can | you do?") read as "What time?" 6.1 below
and told the time (seed 907), "Time, Lou,," (for "Why is the sky blue?") as "Time left." 6.8 below, and
"Opened," (for "Open the office shades.") as "Oh, pardon," 6.0-6.6 below."""
SHORT_UNLIKE_MARGIN = 1.5
"""How far below the free reading a reading shorter than `SHORT_READING` that does not sound like the words
heard may be: "Volume up." was read out of "Smile your mouth" (0.01 above it) and "Mile your mouth." (1.4
below), the clipped start of "Volume up." in two dressings; over ~500 readings of unclaimed kept turns, no
question or chat read as a short command within 2 nats (docs/benchmarks.md, "Twenty-fourth round")."""
UNLIKE_MARGIN = 5.0
"""How far below the free reading a reading that does not sound like the words heard (under `SOUNDS_ALIKE`) may
be: such readings taken rightly over the kept turns of seven benchmark runs lay 4.1 nats below at most ("Sense
of occasion likes to hunt deeper." as "Set my kitchen lights to ninety percent.", 0.44 alike), while "She had
turned in timely." (the first half of "Set an egg timer | for six minutes.") read as "Can you tell me the
time?" 6.3 below, 0.27 alike, and the device told the time (docs/benchmarks.md, "Twenty-third round")."""
ALIKE_WORD = 0.75
"""How alike in letters (Jaro-Winkler) a heard word and a read one must be to be the same word heard a little
wrong ("closing" for "close", "value" for "volume"), when not one sound apart."""
SOUNDS_ALIKE = 0.5
"""How alike (heard_alike.sounds_alike) a reading beyond `MARGIN`, or a short one, must sound to the words heard."""
NUMBER_HEARD_MARGIN = 0.1
"""How much more alike the words heard must sound to a reading than to a rival saying another number, for the
rival to be no question: over the kept turns of 27 runs, the three asked so sounded 0.16-0.21 more like the
number said (eighty against thirty or twenty); no number asked about sounded more like the one not said."""
SHORT_READING = 3
"""A reading of fewer words must also sound like what was heard, unless nearly as likely as it
(`SHORT_UNLIKE_MARGIN`): a short command's sentence fits any mumble ("Pardon me" read out of "Quite you mouth",
"Say that," out of "Said the maw, you. / J. B..": the repeat command ran twice for requests it was not), while
"Newt yourself." is "Mute yourself." (0.86 alike)."""
REFUSAL_MARGIN = 5.0
"""The margin for a turn the matcher refused for a device name this device does not have: commands whose
device was misheard ("Set the moleute to thirty percent", "Turned the porch-like off") read within 3.2 nats
of the free reading on the corpus, while names of devices the device does not have read 10 or more below as
one it has ("Switch on the pall-way lamp" as the porch lamp, 11.8), or not at all."""
UNHEARD_MARGIN = 4.0
"""The margin for a turn whose speech gave no words (the recogniser wrote nothing, or only other scripts'
letters, which are dropped): no words heard back a reading, so it must be nearly as likely as what was
written, say three words or more (`SHORT_READING`) and be likely on its own (`UNHEARD_COST_PER_WORD`). Over
805 clips of ten dressings of the spoken-command corpus, 28 decoded to nothing; the commands of three words or
more found within the commands read 0.5-3.8 nats below the free reading, and one 16.5 above (the free reading
had gone astray in other scripts)."""
UNHEARD_COST_PER_WORD = 2.0
"""The most a reading of a turn with no words may cost (nats of its own log-likelihood) per word: a command
said cost 0.3-1.2 a word on the corpus's turns that decoded to nothing; foreign speech that decoded to
nothing or to other scripts (espeak-ng, 13 languages, 450 clips) read as the commands most like any speech
("I can't hear you.", "What did you say?", "It's too loud.") within the margin, at 3.1-4.9 a word."""
TRUSTED = -0.2
"""Log-likelihood per word above which the free reading is trusted and not read again. Misheard commands read
again rightly averaged -2.0 to -0.26 a word on the corpus; most questions heard right, above -0.2 (what the
reading would have cost them, ~0.1 s at the moment a question's answer starts)."""
UN_SOUND_LETTERS = 3
"""Longest heard word taken for what is left of a verb's "un" ("ah", "and", "i", "in", "on", "um")."""
UN_VERBS = frozenset({"mute", "pause"})
"""Verbs whose command with "un" before them means otherwise ("unmute", "unpause")."""
COMMANDS_ONLY_WORDS = frozenset({"timer", "timers", "volume", "brightness", "unmute"})
"""Words a turn holds when it is a command (questions seldom use them): one heard in a turn nobody claimed
means a command misheard, however sure the recogniser was. The reading looks at them wherever a command may
say them, however unlikely the recogniser found them there (the grammar's key words): over the 636 unclaimed
turns of ten runs' kept audio, that read one more command ("Lower the mile, you." as "Lower the volume"), changed
nothing else and cost no CPU time measurable (docs/benchmarks.md, "Thirty-fourth round")."""
MIN_WORDS = 2
"""Words a reading needs: the audio of a single word ("Oh.") is too little to be sure it said "Help"."""
KEPT_WORDS = 0.5
"""The least share of the words heard a reading must hold (`_words_lost`)."""
WIDTH = 16
"""Readings kept by the beam search. At 8, "Set the volume to eighty" heard "Santa Maria, you, daddy." and
"Mute yourself." heard "You to yourself." were lost: likelier starts that led nowhere filled the beam. Each
step costs ~14 ms at 16 against ~9 ms at 8 (a reading of a question ~0.2 s against ~0.13 s)."""
QUESTION_WIDTH = 8
"""The beam of the reading of a turn heard as a plain question (intent_matcher.asked_plainly), whose answer waits for
it: over the 341 such turns of every run's kept audio, the readings at 8 and at 16 took the same commands and
left the same questions, for 15.7 s of CPU against 28.3 s."""
SECOND_WIDTH = 8
"""The beam of the reading of the slowed audio (intents.py `_hear_slower`): a second chance, read after the
first reading found nothing, while a question's answer waits for both."""
NAME_MARGIN = 9.0
"""The margin for a timer's name in doubt, read within the names timers are given (timer_names.py): over 37
dressings of the spoken-command corpus, the name said was found 0.8-8.8 nats below the free reading; another
name was found 9.4 and 14.4 below ("Start and run timer" as a "run" timer for a bread one); docs/benchmarks.md,
"Twelfth round"."""
LEFT_OUT_NAME_MARGIN = 3.0
"""The margin for a timer set with no name (timer_names.name_left_out), read among the names timers are given:
its sentence with no name is one of the readings, so a name is taken only when the audio says it more likely
than no name. Over the 168 such turns of 29 runs' kept audio (every one set with no name said), none read with
a name; the one left out ("Set a timer for 3 minutes" of an espeak voice's tea timer in noise, three seeds) read
0.8 nats above the free reading; docs/benchmarks.md, "Forty-ninth round"."""
LEFT_OUT_NAME_WIDTH = 4
"""The beam of that reading, made on every timer set with no name: 0.09 s median on this machine (0.13 s at 8,
which read the same names on those turns); made at the user's pause when the words there set the timer."""
OPENINGS = (*FILLERS, "please", "can you", "could you", "would you", "will you")
"""Words a command read again may open with, any number of them: the fillers and the polite openings people
put before a command ("Please set a timer for twenty seconds": without them the whole request fitted no
sentence, and nothing was read at all)."""
CLOSINGS = ("please",)
"""Words a command read again may end with ("Volume to ten percent, please.")."""
POLITE_WORDS = frozenset(word for phrase in (*OPENINGS, *CLOSINGS) for word in phrase.split()) - frozenset(FILLERS)
"""The words of the polite openings and closings: no part of what a reading asks for, so not counted as its words."""
NAME_GRAMMARS = 4
"""Timer-name grammars kept (one per set of names: the common names with the running timers', the running alone)."""
QUESTIONS = frozenset({"answer:thanks", "answer:acknowledged", "answer:weather", "HassGetState", "action:device_state", "HassGetWeather", "HassRespond", "action:help"})
"""Intents a reading may not turn a turn into, beside those the device cannot serve: questions and small
talk are the LLM's to answer (a device's state read out of a question about France would be a wrong answer
given with confidence). What the device can do is a question too: read out of a short question ("What day is
it today?" as "What can you do?") or a "thanks" ("Can you please help?"), it answers one nobody asked."""
SWITCHED = frozenset({"on", "off"})
"""The words after a switch's verb that make it a plain order to a device."""
NAMES_NOTHING = frozenset({"action:ask_what_to_switch"})
"""Nor one that names nothing and only asks back ("Turn off the", heard again slower, is "What should I turn
off?"): what the audio held was more than that, or nothing the device does."""
SUM = "answer:arithmetic"
OPERATOR_WORDS = frozenset({"plus", "minus", "times", "multiplied", "divided", "over", "less", "take"})
"""A sum is read only where the words heard hold its operator ("What is by plus three?"); read out of mumbling
("Jethro, he pretend," as "Just one thousand and twelve") it would be an answer given with confidence to a
question nobody asked. A number it reads that was not heard as that number is asked for (respond/sums.py)."""


class RereadingStt(Protocol):
    def transcribe(self, audio: np.ndarray, hand_back: bool = False) -> str: ...

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None: ...


class CommandReread:
    """Owns the command grammar (built off the event loop once, on first use or by `prepare`)."""

    def __init__(self, matcher: IntentMatcher, unserved: Collection[str] = (),
                 means: Callable[[IntentMatch], object] = meaning) -> None:
        """`means`: what a match would do, to tell a rival reading that means something else from one that
        only reads other words ("Pause for the timer" pauses the timer as "Pause the timer" does)."""
        self._matcher = matcher
        self._means = means
        self._excluded = QUESTIONS | NAMES_NOTHING | frozenset(unserved)
        self._grammar: CommandGrammar | None = None
        self._first_sound_lost: FirstSoundLost | None = None   # one view, so its follower is kept (speech/stt.py)
        self._name_grammars: dict[tuple[str, ...], CommandGrammar] = {}
        self._lock = threading.Lock()

    def prepare(self) -> CommandGrammar:
        with self._lock:
            if self._grammar is None:
                started = time.monotonic()
                library = self._matcher.library_intents
                names = [name for name in library.intents if name not in self._excluded]
                self._grammar = CommandGrammar(library, names, self._matcher.slot_lists, OPENINGS, CLOSINGS,
                                               COMMANDS_ONLY_WORDS)
                self._first_sound_lost = FirstSoundLost(self._grammar)
                log.info("command grammar built", extra={"secs": round(time.monotonic() - started, 2),
                                                         "sentences": self._grammar.sentences})
            return self._grammar

    def read(self, audio: np.ndarray, stt: RereadingStt, margin: float = MARGIN,
             width: int = WIDTH, heard: str = "") -> Rereading | None:
        """Blocking (run it on the STT thread): the audio's reading within the commands, or None. With the
        usual `margin`, readings as far as FAR_MARGIN are found; `accept` takes those only when they sound
        like what was heard. The free reading is trusted (None, nothing read) when the recogniser was sure of
        it, unless what was `heard` holds a word only commands use, or names one of this device's devices: seed
        349's "Set an egg timer for six minutes." heard, surely, as "That an egg timer for six minutes." went to the
        LLM, and so did seed 823's "Close the garage door." heard "Post the garage door." (read 6.7 nats below)."""
        grammar = self.prepare()
        grammar.forget()
        commands_only = _says_a_command_word(heard) or bool(self._matcher.own_devices_named(heard))
        trusted = 0.0 if commands_only else TRUSTED
        return stt.read_within(audio, grammar, FAR_MARGIN if margin == MARGIN else margin, width, trusted)

    def read_clipped(self, audio: np.ndarray, stt: RereadingStt, width: int = WIDTH) -> Rereading | None:
        """Blocking (the STT thread): the audio read within the commands whose first word lost its first letter
        (command_grammar.FirstSoundLost: "Ute yourself." for a clipped "Mute yourself."), the reading given that
        letter back and `as_read` the words read; for a turn whose reading within the whole sentences found
        nothing to take."""
        grammar = self.prepare()
        grammar.forget()
        assert self._first_sound_lost is not None   # (made with the grammar)
        reading = stt.read_within(audio, self._first_sound_lost, FAR_MARGIN, width, trusted=0.0)
        return _first_sound_given_back(reading, grammar) if reading is not None and reading.text else reading

    def read_name(self, audio: np.ndarray, stt: RereadingStt, names: tuple[str, ...],
                  width: int = WIDTH, heard_within: bool = False, margin: float = NAME_MARGIN) -> Rereading | None:
        """Blocking (the STT thread): the audio read within the timer sentences with a timer's name only one
        of `names` (respond/timer_names.py); the free reading is never trusted here, since its name was in
        doubt. `heard_within`: the words heard may be one of those sentences (a length one sound from another)."""
        grammar = self._names_grammar(names)
        grammar.forget()
        return stt.read_within(audio, grammar, margin, width, trusted=0.0, heard_within=heard_within)

    def prepare_names(self, names: tuple[str, ...]) -> None:
        """Build the timer sentences with a timer's name one of `names` now, not at a turn's end."""
        self._names_grammar(names)

    def _names_grammar(self, names: tuple[str, ...]) -> CommandGrammar:
        with self._lock:
            grammar = self._name_grammars.get(names)
            if grammar is None:
                library = self._matcher.library_intents
                timer_intents = [name for name in library.intents if "timer" in name.lower() and name not in self._excluded]
                lists = {**self._matcher.slot_lists, "timer_name": TextSlotList.from_strings(names)}
                grammar = CommandGrammar(library, timer_intents, lists, OPENINGS, CLOSINGS)
                while len(self._name_grammars) >= NAME_GRAMMARS:
                    self._name_grammars.pop(next(iter(self._name_grammars)))
                self._name_grammars[names] = grammar
            return grammar

    def accept_heard(self, text: str) -> IntentMatch | None:
        """What a second, slower hearing wrote (speech/slowed.py), when it is a command: matched as any first
        hearing is (mended words too), but never a question or half a command; a refusal only when the words
        plainly order something done to a device this device does not have (`_plain_refusal`: "Turn off the
        hallway light," for "Do not from the fall-away light,": an answer from the LLM otherwise)."""
        found = self._command(text) or self._plain_refusal(text)
        accepted = found is not None and not found.tentative
        log.info("turn heard again, slower", extra={"heard": text, "accepted": accepted})
        return found if accepted else None

    def accept(self, reading: Rereading, heard: str = "",
               plausible: Callable[[IntentMatch], bool] = lambda _match: True,
               margin: float = MARGIN) -> IntentMatch | None:
        """The reading's command when it matches as written, with nothing mended and nothing unknown; a
        question ("Did you say ...?") when a rival reading nearly as likely means something else and is
        `plausible` (a request on a timer that is not running is none: "Stop, let's eat timer" beside "Stop
        the tea timer"), or when what was `heard` opens with a sound the reading's verb may have lost its "un" to."""
        reading = _keeping_the_rooms_heard(reading, heard)
        found = self._command(reading.text)
        below = reading.heard_score - reading.score
        # (numbers compared as said: "While you 60% please." sounds like "Volume to sixty percent please")
        alike = sounds_alike(spelt_numbers(heard), spelt_numbers(reading.as_read or reading.text)) >= SOUNDS_ALIKE
        short = asking_words(reading.text) < SHORT_READING
        near = (below <= margin and not short and (alike or below <= UNLIKE_MARGIN)
                or alike and short and below <= min(margin, SHORT_ALIKE_MARGIN)
                or alike and not short and (below <= margin or below <= FAR_COST_PER_WORD * asking_words(reading.text))
                or bool(heard) and below <= min(margin, SHORT_UNLIKE_MARGIN))
        if margin == UNHEARD_MARGIN:   # no words heard to go by: the reading must be likely on its own too
            near = near and -reading.score <= UNHEARD_COST_PER_WORD * len(reading.text.split())
        accepted = (found is not None and not found.corrected and near and not _words_lost(reading.text, heard)
                    and not self._device_lost(reading, heard)
                    and not (below > margin and _question_word_replaced(reading.text, heard))
                    and not _deciding_word_added(reading.text, heard) and not _unit_disagrees(reading.text)
                    and not _unit_replaced(reading.text, heard) and not _unit_dropped(reading.text, heard)
                    and not _thing_replaced(found, heard)
                    and (found.intent != SUM or bool(OPERATOR_WORDS & set(bare_words(heard.lower().split())))))
        rivals: list[str] = []
        if found is not None and accepted:
            # (a rival that leaves out a room heard, which the reading kept, is not what was said)
            keeps_rooms = rooms_kept(heard, reading.text)
            rivals = [text for text, _ in reading.rivals
                      if (other := self._command(text)) is not None and self._means(other) != self._means(found)
                      and plausible(other) and not _number_heard_as_read(text, reading.text, heard)
                      and (rooms_kept(heard, text) or not keeps_rooms)]
            rivals += [undone] if (undone := self.un_lost(reading.text, heard, found)) else []
        log.info("turn read again within the commands", extra={
            "read": reading.text, "as_read": reading.as_read, "accepted": accepted, "below_heard": round(below, 2),
            "rivals": [f"{text} ({reading.score - score:.2f})" for text, score in reading.rivals]})
        if rivals and not plausible(found):
            # "Cancel deposited timer," beside "Cancel the pasta timer," 0.7 nats below (seed 1151): no timer is
            # called "deposited", so the reading is no choice to ask about; a rival left alone is the command
            left = [(text, other) for text, other in self._distinct_meanings(rivals) if plausible(other)]
            if len(left) == 1:
                log.info("a rival reading taken: the reading names no running timer", extra={"read": left[0][0]})
                return left[0][1]
            if left:
                return asked_which([text for text, _ in left[:2]], left[0][0])
        if rivals:   # "Ah, new to the speaker": mute or unmute? The audio does not say: ask, never guess
            return asked_which([reading.text, rivals[0]], reading.text)
        return found if accepted else None

    def _distinct_meanings(self, texts: list[str]) -> list[tuple[str, IntentMatch]]:
        """The first of `texts` to mean each thing they mean, with its command."""
        kept: list[tuple[str, IntentMatch]] = []
        for text in texts:
            other = self._command(text)
            if other is not None and all(self._means(other) != self._means(match) for _, match in kept):
                kept.append((text, other))
        return kept

    def _device_lost(self, reading: Rereading, heard: str) -> bool:
        """Was the turn read only because it names a device of this device (the recogniser was sure of it: no
        word only commands use), and does the reading leave that device out? Its name was heard right, so a
        command misheard around it keeps it: "Said the kitchen light." (the first piece of "Set the kitchen
        lights | to twenty-five percent") read as "Set the kitchen white," answered "I can't do that"."""
        sure = reading.heard_words > 0 and reading.heard_score / reading.heard_words > TRUSTED
        if not sure or _says_a_command_word(heard):
            return False
        return not self._matcher.own_devices_named(heard) <= self._matcher.own_devices_named(reading.text)

    def un_lost(self, read: str, heard: str, found: IntentMatch) -> str:
        """The reading with "un" put back on its verb ("Unmute the speaker"), when that is a command meaning
        otherwise and the free reading opens with a short word of a vowel's sound other than the verb, which
        may be what was left of the "un" ("Ah, new to the speaker", "And mutinously go", "I mute the
        speaker"); "" otherwise. A clipped "unmute" sounds like "mute": the audio does not say which."""
        words = read.split()
        bare = [word.strip(".,!?").lower() for word in words]
        # the verb: past fillers and the short vowel sounds that may be its lost "un" ("And mute," for "Unmute")
        verb = next((index for index, word in enumerate(bare) if word not in FILLERS and not _un_sound(word)), None)
        heard_words = [word.strip(".,!?").lower() for word in heard.split()]
        if verb is None or not heard_words:
            return ""
        # or the vowel sound glued on the verb itself ("Amute the speaker.")
        stem = _glued_un_sound(bare[verb]) or bare[verb]
        if stem not in UN_VERBS:   # "Um, set the kitchen lights ...": no command says "unset"
            return ""
        # what is left of an "un" stands right before the verb ("Ok, so mute the speaker": "so", no "un")
        before = heard_words[heard_words.index(stem) - 1] if stem in heard_words[1:] else heard_words[0]
        if stem == bare[verb] and (before == stem or not (_un_sound(before) or _glued_un_sound(before) == stem)):
            return ""
        undone = " ".join([*words[:verb], ("Un" if verb == 0 else "un") + stem, *words[verb + 1:]])
        # matched from the verb on: the sounds before it are no words of the command ("I unmute yourself.")
        # (words heard, not read from audio: "Amute." is "Unmute." or not)
        other = self._command(" ".join(["Un" + stem, *words[verb + 1:]]), min_words=1)
        return undone if other is not None and self._means(other) != self._means(found) else ""

    def _plain_refusal(self, text: str) -> IntentMatch | None:
        """`text` matched as a command for a device this device does not have, heard as written (nothing
        mended), opening with a command verb (its past tense too: "Turned the dishwasher on.", as the matcher
        rephrases it; not a word that only sounds like one, "Said mamaishment light"), and named as devices are
        or switched plainly, the verb then "on" or "off", a name of two words or more ("Switch on the garage key
        to." for the garage heater: the LLM said "I'm sorry for any confusion.", seed 613); else None."""
        found = self._matcher.match(text)
        if found is None or not found.unknown_name or found.corrected:
            return None
        said = self._matcher.without_fillers(rephrased(text)).lower().split()
        words = [word for word in bare_words(said) if word not in POLITE_WORDS]
        if not words[:1] or words[0] not in COMMAND_VERBS:
            return None
        if found.named_like_a_device:
            return found
        plain_switch = len(words) > 1 and words[1] in SWITCHED and len(found.unknown_name.split()) >= 2
        # heard at the turn's end, the name is all the audio held: nothing of it waits for a rest
        return replace(found, tentative=False) if plain_switch else None

    def _command(self, text: str, min_words: int = MIN_WORDS) -> IntentMatch | None:
        """`text` matched, when it has words enough and is a command this device serves, naming no unknown device."""
        found = self._matcher.match(text) if len(text.split()) >= min_words else None
        return found if found is not None and not found.unknown_name and found.intent not in self._excluded else None


def _keeping_the_rooms_heard(reading: Rereading, heard: str) -> Rereading:
    """The reading, or when it leaves out a room heard, the likeliest rival (all within RIVAL_NATS) that keeps
    every room heard: the audio hardly tells them apart, the words heard do ("Close-knit office lines." read
    as "Close the door, please." 0.24 nats above "Close the office blinds.", seed 859)."""
    if rooms_kept(heard, reading.text):
        return reading
    keeping = next(((text, score) for text, score in reading.rivals if rooms_kept(heard, text)), None)
    if keeping is None:
        return reading
    others = tuple(rival for rival in reading.rivals if rival != keeping)
    return replace(reading, text=keeping[0], score=keeping[1], rivals=((reading.text, reading.score), *others),
                   as_read="")


def _says_a_command_word(heard: str) -> bool:
    """Does `heard` hold a word only commands use (`COMMANDS_ONLY_WORDS`)?"""
    return bool({word.strip(".,!?").lower() for word in heard.split()} & COMMANDS_ONLY_WORDS)


def _spoken_words(text: str, skipped: frozenset[str] = frozenset(FILLERS)) -> int:
    """How many words `text` holds, those in `skipped` (the fillers) aside."""
    return sum(1 for word in bare_words(text.split()) if word not in skipped)


def asking_words(text: str) -> int:
    """The words of a reading that say what to do: not its fillers nor its polite words ("Can you please
    mute?" is one word, and as short a reading as "Mute.")."""
    return _spoken_words(text, frozenset(FILLERS) | POLITE_WORDS)


def _deciding_word_added(read: str, heard: str) -> bool:
    """Does the reading end on a direction (on, off, up, down) or an amount after the word the audio ended on?
    "Turn the timer." read as "Turn the timer off." cancelled a timer (seeds 383 and another: the rest of "Add
    two minutes | to the timer"), "Turned the volume." read as "Turn the volume up." would raise it before "|
    down a bit", and "Volume." read as "Volume two." set the volume to 2 before "| up." (seed 769): nothing was
    heard for the word that decides what is done. A direction or an amount heard as another word ("Malumet" for
    "Volume up", "Turned Avishwasheran." for "... dishwasher on") ends where the audio does."""
    read_words, heard_words = bare_words(read.split()), bare_words(heard.split())
    if read_words[-1:] == ["percent"]:   # "Volume twenty percent.": the amount is the word before
        read_words = read_words[:-1]
    if len(read_words) < 2 or read_words[-1] in heard_words or not heard_words:
        return False
    last = heard_words[-1]
    if _amount_word(read_words[-1]):   # (an amount may be heard as words that sound like the one before it: "... to
        # forty" as "... for tea"; only the word the audio ended on, as written, counts, with the words that
        # lead to an amount between: "Set the volume." read "Set the volume to two." before "| to eighty", seed 971)
        before = read_words[:-1]
        while len(before) > 1 and _amount_word(before[-1]):   # ("twenty five")
            before = before[:-1]
        return last in (read_words[-2], before[-1]) or (before[-1] in AMOUNT_LINKS and before[-2:-1] == [last])
    # (the audio's last word heard a little wrong counts too: "Ten the time," read as "Turn the timer off.", seed 433)
    return read_words[-1] in POLARITY_WORDS and (last == read_words[-2] or sound_of(last) == sound_of(read_words[-2])
                                                 or len(last) <= len(read_words[-2]) and _alike_words(last, read_words[-2]))


AMOUNT_LINKS = frozenset({"to", "at", "by", "for"})
"""Words that lead to an amount ("to eighty", "by ten")."""


def _amount_word(word: str) -> bool:
    """A number, in digits or words ("two", "twenty-five", "40", "hundred")."""
    return word == "hundred" or is_number_said(spelt_numbers(word).replace("-", " "))


_MANY = "|".join([*(word for word, n in UNITS.items() if n > 1), *TENS, "hundred", r"[2-9]", r"\d\d+"])
SINGULAR_UNIT_AFTER_MANY = re.compile(rf"\b(?:{_MANY})[ -](?:hour|minute|second)\b(?![ -]timer)", re.I)


def _unit_disagrees(read: str) -> bool:
    """Does the reading count more than one of a singular unit, not before "timer" ("Timer for ten hour for the
    workout")? The grammar lets "ten hour" stand for "a ten hour timer"; read elsewhere, the audio held the
    singular's "an hour", not a number: "half an hour" was read so twice and set 10-hour timers."""
    return SINGULAR_UNIT_AFTER_MANY.search(read) is not None


UNIT = re.compile(r"\b(hour|minute|second)s?\b", re.I)


def _unit_replaced(read: str, heard: str) -> bool:
    """Does the reading count in units none of which was heard, where a unit was ("... for a hour and observe"
    read as "Start a timer for a minute": an hour and a half set as one minute, seed 491)? The recogniser writes
    a unit it heard as that unit; a reading that swaps it swaps the length."""
    said = {unit.lower() for unit in UNIT.findall(heard)}
    read_units = {unit.lower() for unit in UNIT.findall(read)}
    return bool(said and read_units and not said & read_units)


COUNTED_UNIT = re.compile(r"\b(?:\d+|" + "|".join(sorted({*UNITS, *TENS}, key=len, reverse=True))
                          + r")[ -](hour|minute|second)s?\b", re.I)


def _unit_dropped(read: str, heard: str) -> bool:
    """Does a reading that counts in units leave out one the words heard count ("Can you set a timer for an hour
    10 15 minutes" read as "Can you set a timer for an hour": an hour and fifteen minutes set as one hour, seed
    1009)? The recogniser wrote the number and its unit: a reading that ends before them leaves out time asked for."""
    read_units = {unit.lower() for unit in UNIT.findall(read)}
    return bool(read_units) and bool({unit.lower() for unit in COUNTED_UNIT.findall(heard)} - read_units)


OWN_THINGS = frozenset({"speaker", "alarm", "radio"})
"""Household nouns that may be the device itself ("mute the speaker") or its own timers ("stop the alarm")."""


def on_the_device_itself(found: IntentMatch) -> bool:
    """Does the match command the device itself (its volume, its microphone), not a device it controls?"""
    return bool(re.search(r"mute|volume", found.intent, re.I))


def _thing_replaced(found: IntentMatch, heard: str) -> bool:
    """Is the reading a command to the device itself (its microphone, its volume) where the words heard name
    a household thing ("They're not the math room fan." read as "Turn on the microphone": an unknown bathroom
    fan unmuted the device, seed 499)? The recogniser writes "fan" or "light" for a fan or a light; every such
    turn of the spoken benchmark's runs acted on the device itself wrongly."""
    if not on_the_device_itself(found):
        return False
    return any(singular(word) in DEVICE_NOUNS - OWN_THINGS for word in bare_words(heard.lower().split()))


def _first_sound_given_back(reading: Rereading, grammar: CommandGrammar) -> Rereading:
    """A reading of clipped sentences (and its rivals) given their first letter back ("Ute yourself." ->
    "Mute yourself."; each way it may be, the others as rivals just as likely: "Et" is "Set" or "Let"),
    `as_read` keeping the words the audio held. A reading whose first word kept too little is dropped."""
    found = [(whole, score, text) for text, score in ((reading.text, reading.score), *reading.rivals)
             for whole in grammar.restored(text)]
    if not found:
        return replace(reading, text="", score=float("-inf"), rivals=())
    (text, score, as_read), rivals = found[0], tuple((other, other_score) for other, other_score, _ in found[1:])
    return replace(reading, text=text, score=score, rivals=rivals, as_read=as_read)


def _words_lost(read: str, heard: str) -> bool:
    """Does the reading hold fewer than half the words heard ("How do I boil an egg?" read as "Help me")? The
    audio said more than the command: misheard commands read rightly kept 0.57 or more of the words heard over
    all the spoken benchmark's runs (docs/benchmarks.md, "Sixteenth round"), and exactly half when two words
    stood for one ("And new to yourself." for "Unmute yourself.")."""
    if not heard:
        return False
    return _spoken_words(read) < KEPT_WORDS * _spoken_words(heard)


def _number_heard_as_read(rival: str, read: str, heard: str) -> bool:
    """Does a rival reading say other numbers than the reading, where the recogniser wrote the reading's in
    digits, or wrote words that sound more like the reading than the rival (by `NUMBER_HEARD_MARGIN`)?
    "Sensing the floor lamp brightness to 40 percent." was asked "forty percent or four percent?" (seed 443):
    digits are the recogniser sure of its number. "Said the volume. / To I. D.." was asked "eighty or twenty?"
    (seed 863): "to I. D." sounds like "to eighty" (0.88), not "twenty" (0.67)."""
    read_numbers, rival_numbers = _number_words(read), _number_words(rival)
    if read_numbers == rival_numbers:
        return False
    if re.search(r"\d", heard):
        return _number_words(heard) == read_numbers
    said = spelt_numbers(heard)
    return sounds_alike(said, spelt_numbers(read)) >= sounds_alike(said, spelt_numbers(rival)) + NUMBER_HEARD_MARGIN


def _number_words(text: str) -> list[str]:
    return [word for word in bare_words(spelt_numbers(text).lower().replace("-", " ").split())
            if word in UNITS or word in TENS or word == "hundred"]


def _question_word_replaced(read: str, heard: str) -> bool:
    """Does a question heard (its first word asks) lose a word of two syllables or more that the reading holds
    nothing like? Beyond `MARGIN`, a reading that swaps such a word is another question, not the same one heard
    a little wrong: "What is the tallest?" (the first half of "What is the tallest | mountain ...") read as
    "What is the time?" 11.2 nats below, and the device told the time (seed 431)."""
    heard_words, read_words = bare_words(heard.lower().split()), bare_words(read.lower().split())
    if not heard_words or heard_words[0] not in QUESTION_OPENINGS:
        return False
    return any(syllables(word) >= 2 and not any(_alike_words(word, other) for other in read_words)
               for word in heard_words if word not in read_words)


def _alike_words(heard: str, read: str) -> bool:
    return jellyfish.jaro_winkler_similarity(heard, read) >= ALIKE_WORD or one_sound_apart(heard, read)


def _un_sound(word: str) -> bool:
    """Is `word` short and of a vowel's sound, as what is left of a clipped "un" is ("ah", "and", "I")?"""
    return 0 < len(word) <= UN_SOUND_LETTERS and word[:1] in "aeiou"


def _glued_un_sound(word: str) -> str:
    """The verb of a word heard as a short vowel sound glued to a verb that takes "un", or to a word like it
    ("amute", "emute", "amused": a clipped "un" written as one word with it), else ""."""
    if word[:1] not in "aeiou" or word.startswith("un"):
        return ""
    rests = [word[size:] for size in (1, 2) if len(word) > size + 2]
    return next((verb for verb in sorted(UN_VERBS) for rest in rests if rest == verb), "") or \
        next((verb for verb in sorted(UN_VERBS) for rest in rests if _alike_words(rest, verb)), "")


def from_the_verb(text: str) -> str:
    """`text` from its verb on, without the fillers and short vowel sounds before it or glued on it ("And
    mute," and "Amute," -> "mute,")."""
    words = text.split()
    start = next((i for i, word in enumerate(words)
                  if (bare := word.strip(".,!?").lower()) not in FILLERS and not _un_sound(bare)), len(words))
    if start < len(words) and (stem := _glued_un_sound(words[start].strip(".,!?").lower())):
        words[start] = stem + words[start][len(words[start].rstrip(".,!?")):]
    return " ".join(words[start:])
