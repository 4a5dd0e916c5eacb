"""A request cut short by a pause: "Set the kitchen light ... to fifty percent."

People stop to think in the middle of a command, and the end-of-turn model, seeing a sentence that could be
complete, ends the turn. When a short turn starts like a command but no sentence matches it, the device
waits a moment for the rest instead of answering half a command; what comes next is joined to it: the
listener decodes both pieces' audio as one (words cut at a pause lose their context: "Cancel the" alone
came back as "Cans, or the?"), and the two texts are joined when that gives nothing.

A request whose first piece read as whole ("Which day of the | month is it?" heard as "Which name?") was
answered at once; when the user goes on sooner than anyone could have heard that answer and replied to it, the
new words are its rest: the answer is dropped and the two pieces are one request (`goes_on_from`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .amend import can_be_amended
from .self_corrections import opens_with_a_correction
from .base import Answer
from .command_reread import asking_words
from .intent_matcher import DEVICE_NAME_ENDS, FILLERS, asked_plainly, bare_words
from .number_words import TENS, UNITS
from .openings import COMMAND_WORDS, POLARITY_WORDS

FINISHING_WORDS = frozenset({"is", "it", "it's", "that", "that's", "this", "are", "they", "please", "thanks", "thank",
                             "you", *FILLERS})
"""Words that end the asking of a request without adding to it ("What time | is it?", "... | please."): a rest
made of them alone leaves the request as it was."""
HOLD_SECS = 1.5
"""How long an unfinished command waits for its rest at least, counted from when it was read."""
MAX_WORDS = 7
WHOLE_WORDS = 4
"""The fewest words that say what to do (fillers and polite words aside) a held turn's reading needs to be
taken as a whole command before its rest could come (`read_whole`)."""
AMEND_GAP_SECS = 2.5
"""How long after a setting or step ran an amount may still correct it: longer than a question's rest, since
only words that read with it as the same command with another amount do (never a request of their own), and
its spoken confirmation ("The volume is 60 percent.") lasts about 2 s. Measured: the voices' own silence makes
a 0.8 s pause between two pieces a 1.4 s gap from the end of one voice to the start of the next."""
REPLY_SECS = 0.8
"""The least time from an answer's first sound to words that reply to it: a few of its words heard, and a
breath. Speech that starts sooner (or before the answer is heard at all) is the last request going on."""
CONTINUE_MAX_SECS = 2.0
"""However late the answer, speech that starts this long after the end of the last turn's speech is a turn of
its own: the pauses inside a request are shorter (a 0.8 s pause is a 1.4 s gap between two voices, their own
silence included)."""
HEARD_STARTING_SECS = 0.25
"""How long after its first sound the listener reports speech (the VAD's start, 0.2 s, and a frame)."""


def hold_secs(speech_end_at: float, now: float) -> float:
    """How long a command cut short waits for its rest: until speech that starts as late as a rest may
    (CONTINUE_MAX_SECS after this piece's end) would have been heard starting, and HOLD_SECS at least. A hold
    of HOLD_SECS from the reading ran out 0.06 s before "back on" of "Turn the sound | back on" was heard
    (a 0.85 s pause: 1.7 s from the end of one piece to the report of the next)."""
    until_rest = speech_end_at + CONTINUE_MAX_SECS + HEARD_STARTING_SECS - now if speech_end_at else 0.0
    return max(HOLD_SECS, until_rest)

_COMMAND_START = re.compile(
    r"^(?:(?:please|can you|could you|would you|um+|uh+|so|okay|ok|hey)[\s,.]+)*"
    r"(?:set|said|sent|turn|turned|switch|dim|brighten|open|close|shut|start|cancel|stop|pause|resume|add|put|mute|unmute|"
    r"lower|raise|increase|decrease|"
    # the past tense STT writes for a verb run into "the" ("Started to pass the timer." for "Start a pasta timer")
    r"switched|dimmed|opened|closed|started|cancelled|canceled|stopped|paused|resumed|added|muted|unmuted)\b", re.IGNORECASE)
# words no sentence ends on: "Cancel the ...", "How much time is ...", "Which day of the ..."
_FUNCTION_WORDS = r"the|a|an|my|your|our|to|for|of|with|from|and|or"
"""Words that lead on to more: no sentence ends on one."""
_CUT_AFTER = re.compile(rf"\b(?:{_FUNCTION_WORDS})\W*$", re.IGNORECASE)
_DANGLING_END = re.compile(rf"\b(?:{_FUNCTION_WORDS}|but|is|are|than"
                           # a question stopped at its subject: "How do I?", "Can you?", "What should we?"
                           r"|(?:do|does|did|can|could|should|would|will|shall|may|might|must)\s+(?:i|you|we|they))\W*$",
                           re.IGNORECASE)


def cut_off_after(text: str) -> bool:
    """Does a short command end on a word no sentence ends on ("Add one minute to.")? It matched, but its
    rest ("the rice timer") may be coming: it waits for it as an unmatched piece does."""
    return 0 < len(text.split()) <= MAX_WORDS and bool(_CUT_AFTER.search(text.strip()))


_NUMBER = rf"(?:\d+|(?:{'|'.join(TENS)})(?:[ -](?:{'|'.join(UNITS)}))?|{'|'.join(UNITS)})"
_SUM_BEGUN = re.compile(rf"^(?:what(?:'s|\s+is)|how\s+much\s+is)\s+{_NUMBER}\W*$", re.IGNORECASE)
"""A question of what a number is: the first number of a sum, its rest after a pause ("What is five? | Plus
three.", seed 1063, was answered "Five is a magical number ..." in the pause)."""


def sounds_unfinished(text: str) -> bool:
    """Does this short turn (one nobody matched) sound cut off: the start of a command, a last word no
    sentence ends on, a trailing comma (STT's mark of a voice that did not fall at the end), or a sum's first
    number?"""
    words = text.split()
    if not 0 < len(words) <= MAX_WORDS:
        return False
    stripped = text.strip()
    return bool(_COMMAND_START.match(stripped) or _DANGLING_END.search(stripped)
                or stripped.endswith(",") and not _asked_in_full(stripped) or _SUM_BEGUN.match(stripped))


ASKED_IN_FULL_WORDS = 5
"""The fewest words of a question asked plainly whose trailing comma is not taken for a voice going on: "Who
painted the Mona Lisa," (espeak's voices do not fall at the end) waited ~2 s for a rest. Over this machine's
benchmark runs, 57 turns (or first pieces) are no longer held so: 42 said alone, and 15 the user went on from,
11 of them "How much time is left," (which the timers answer at once, never held) and 4 "How many land can
stone," (of "How many legs does | a spider have?"), whose answer the rest takes back."""


def _asked_in_full(text: str) -> bool:
    return asked_plainly(text) and len(text.split()) >= ASKED_IN_FULL_WORDS


HEARD_VERBS = (COMMAND_WORDS - POLARITY_WORDS) | {"shut", "dim", "kill"}
"""Command verbs: one heard is taken as said, by a reading of a held piece too."""
SET_HEARD = frozenset({"said", "sent"})
"""How the recogniser writes "set" before a pause (as `_COMMAND_START` knows): the verb said, for `_verb_changed`."""


def read_whole(text: str, answer: Answer, heard: str = "") -> bool:
    """Is the held turn's reading within the commands (`text`, `answer`) a whole command, so that no rest is
    waited for? It must run something, ask nothing back, and say WHOLE_WORDS or more that say what to do:
    over the benchmark's kept turns, held pieces read so were whole requests misheard
    ("Set a time of fortunately seconds." as "Set a timer for twenty seconds."), while the first pieces of
    requests cut by a pause read as half commands or as short ones ("Shout to." as "Shut up."). Turns that
    end on a comma or a word no sentence ends on are read so too: over the held turns of 15 runs' kept audio,
    21 such turns said alone read whole (the 15 found among the benchmark's rows each what was said), and 2 of
    the 102 the user went on from ("Said the kitchen
    lights, | Brightness to sixty percent." as "Start the kitchen lights", which a verb heard now keeps waiting;
    a question, "Which, day of it,,", whose answer the rest takes back). Nor may it
    end on a direction the words `heard` lack: seed 349's "Turn the volume | down a bit." held as "Turned the
    mile." was read "Turn the mic on." and unmuted the device before "down a bit" came."""
    said = {word.strip(".,!?").lower() for word in heard.split()}
    last = text.split()[-1].strip(".,!?").lower() if text.split() else ""
    direction_made_up = bool(heard) and last in POLARITY_WORDS and last not in said
    return (bool(answer.actions) and not answer.tentative and not answer.frame and asking_words(text) >= WHOLE_WORDS
            and not direction_made_up and not _verb_changed(heard, text))


def borne_out(guess: Answer | None, read: Answer) -> bool:
    """May a whole command read while a turn was held end the wait, given what the turn's words were taken
    for (`guess`)? Always for a turn nobody claimed and for a device this device lacks (the reading is what
    the turn's end would have read); for a guess at a device it has ("Turn off the floor then" as the floor
    lamp), only when the reading does the same: another reading is not enough to run otherwise than heard."""
    return guess is None or bool(guess.unknown_device) or guess.actions == read.actions


def _verb_changed(heard: str, read: str) -> bool:
    """Did the reading put another verb where a command verb was heard (seed 359: "Set the kitchen light."
    held, read "Cut the kitchen light.")? A verb heard as one was said; the rest of the request is missing."""
    verbs = [_first_verb(words) for words in (heard, read)]
    return bool(verbs[0]) and verbs[0] != verbs[1]


def _first_verb(text: str) -> str:
    words = ("set" if word in SET_HEARD else word for word in (w.strip(".,!?").lower() for w in text.split()))
    return next((word for word in words if word in HEARD_VERBS), "")


def joined(held: str, text: str) -> str:
    """The held start and the rest as one request ("Set the kitchen light." + "To fifty percent."), when
    the two pieces' audio could not be decoded together; a correction after a comma, as it is said ("Turn on
    the kitchen light, no, the porch light")."""
    between = ", " if opens_with_a_correction(text) else " "
    return f"{held.strip().rstrip('.,!?')}{between}{text.strip()}".strip()


def spliced(first: str, whole: str) -> str:
    """The first piece's own words, then what the decode of both pieces heard after the first piece's last
    word ("Start a pasta timer." and "Start up off the timer for eight minutes." give "Start a pasta timer for
    eight minutes."): "" when that word is not heard there, or nothing follows it. Each piece was decoded
    with all of its own audio; the decode of both has the rest's context but may hear the start anew, worse."""
    first_words, whole_words = first.split(), whole.split()
    if not first_words:
        return ""
    last = _bare(first_words[-1])
    places = [i for i, word in enumerate(whole_words) if _bare(word) == last]
    if not places:
        return ""
    place = min(places, key=lambda i: abs(i - (len(first_words) - 1)))   # where the first piece ended
    rest = whole_words[place + 1:]
    return " ".join([*first_words[:-1], first_words[-1].rstrip(".,!?"), *rest]) if rest else ""


def reads_better(kept: Answer | None, whole: Answer | None, rest: Answer | None = None) -> bool:
    """Is the request read from the pieces' own words (`kept`: `spliced` or `joined`) a better reading than
    the decode of both (`whole`): a command where that is none or a refusal, a refusal by a device's kind of
    name where it is none, the same actions with a detail more (a timer's name), or, when the rest alone
    (`rest`) was that whole command, anything the decode of both reads otherwise ("Turn. | Turn the porch
    lights on.", decoded as one "... lights off": the first piece was a false start, and the rest, heard
    plainly, says all)?"""
    if kept is None or not kept.actions or kept.tentative:
        return False
    if kept.unknown_device:   # a refusal by a device's kind of name ("Opened the | Front gate,") beats no reading
        return whole is None and kept.unknown_device.split()[-1] in DEVICE_NAME_ENDS
    if whole is None or not whole.actions or whole.unknown_device:
        return True
    same = [a.name for a in kept.actions] == [a.name for a in whole.actions]
    if not same and rest is not None and not rest.tentative and rest.actions == kept.actions:
        return True
    return same and all(b.arguments.items() < a.arguments.items() for a, b in zip(kept.actions, whole.actions))


def _bare(word: str) -> str:
    return word.strip(".,!?;:\"").lower()


def reads_finished(text: str) -> bool:
    """Do the words so far read as a whole sentence ("Why is the sky blue?"): three words or more, a closing
    mark from STT (or a question asked plainly, which the recogniser may leave without one: "What is the
    moiling point of water", seed 911, waited out the turn's longest silence), and nothing that sounds cut off.
    Smart Turn hears only the voice; this is the text's vote (a command's vote is its intent matching, see
    `Speculator.claimed`)."""
    stripped = text.strip()
    closed = stripped[-1:] in (".", "?", "!") or stripped[-1:].isalnum() and asked_plainly(stripped)
    return len(stripped.split()) >= 3 and closed and not sounds_unfinished(stripped)


@dataclass
class LastTurn:
    """The last spoken turn, as far as a piece that follows it may be joined to it."""

    text: str
    speech_end_at: float
    acted: bool = False
    """A responder ran a command for it that changed something (a timer, a light): what it did stands, so the
    next words are a request of their own (unless they correct its amount: respond/amend.py). An answer that
    only told something (the time) is taken back like the LLM's when the words go on from it."""
    answer: Answer | None = None
    """What a responder ran for it."""
    answer_heard_at: float = 0.0
    """When its answer's first sound went out (0: not yet)."""


def goes_on_from(last: LastTurn | None, speech_start_at: float) -> bool:
    """Do words whose speech began at `speech_start_at` go on with the last turn (see the module doc): they
    started before its answer could have been heard and replied to?"""
    if last is None or last.acted or not _soon_after(last, speech_start_at, CONTINUE_MAX_SECS):
        return False
    return not last.answer_heard_at or speech_start_at < last.answer_heard_at + REPLY_SECS


def may_complete(last: LastTurn | None, speech_start_at: float) -> bool:
    """May these words, begun after the last turn's answer could have been heard, still be its rest? Only
    if both pieces read together as a command ("Cancelled her. | Past her timer." is "Cancel the pasta
    timer"): the caller checks that."""
    return (last is not None and not last.acted and _soon_after(last, speech_start_at, CONTINUE_MAX_SECS)
            and not goes_on_from(last, speech_start_at))


def may_amend(last: LastTurn | None, speech_start_at: float) -> bool:
    """May these words be the amount of the setting or step the last turn ran ("Turn the volume down. | By
    twenty percent.")? Only while its confirmation plays or just after (AMEND_GAP_SECS)."""
    return (last is not None and last.acted and can_be_amended(last.answer)
            and _soon_after(last, speech_start_at, AMEND_GAP_SECS))


def _soon_after(last: LastTurn, speech_start_at: float, gap_secs: float) -> bool:
    if not last.speech_end_at or not speech_start_at:
        return False
    return 0.0 <= speech_start_at - last.speech_end_at <= gap_secs


def only_finishes_asking(rest: str) -> bool:
    """Do these words (the rest of a request) only finish asking it ("is it?", "is that," as "is it" may be
    heard, "please")? Then the request stands as its first piece asked it, when the two read as one match
    nothing (seed 761: "What time? / Is that," went to the LLM as "What time is that?")."""
    words = bare_words(rest.split())
    return bool(words) and all(word in FINISHING_WORDS for word in words)
