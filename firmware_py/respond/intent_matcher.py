"""Sentence-template matching with hassil over Home Assistant's sentence library, the product's own
sentences and the user's, tolerant of what speech-to-text produces.

STT writes capitals, punctuation, digits or number words, filler words, and now and then a mis-heard word
("Inute yourself"). hassil handles case, punctuation and numbers; fillers are skip words; a word that is in
no template is replaced by the closest template word (only when the whole sentence then matches).
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jellyfish
from hassil import Intents, RecognizeResult, TextSlotList, TextSlotValue, recognize_best, recognize_ranked
from hassil import string_matcher

from ..heard_alike import one_sound_apart
from ..integrations.devices import DEVICE_NOUNS, ROOMS, DeviceDirectory, singular
from .custom import CustomCommand
from .indirect import direct_form
from .library_cache import library_key, load_library, save_library
from .number_words import MISSPELT
from .openings import COMMAND_WORDS, opening_mends
from .rewordings import room_said_first, rooms_as_said
from .self_corrections import corrected
from .timer_names import COMMON_TIMER_NAMES
from .sentence_library import PRIORITY, WORD, library_sources, parse_library

FILLERS = ("um", "umm", "uh", "uhm", "er", "erm", "hmm", "ah", "oh", "okay", "ok", "hey", "so", "well",
           "just", "actually", "right", "now")
NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
                "hundred thousand half quarter and a an").split()
DEVICE_DOMAINS = {"light": "light", "switch": "switch", "fan": "fan", "cover": "cover"}
"""Our device kinds as Home Assistant domains (the sentence library's context for on/off, open/close)."""
HUM = re.compile(r"[hmn]*m[hmn]*")
"""A hum ("mmm", "hmm", "mhm"): a sound, not a word ("shh" is a word: hush)."""
JOINING_NUMBER_WORDS = frozenset({"and", "a", "an"})
"""Number words that are never a number alone: "and" joins two ("a hundred and five"), "a"/"an" open one."""
DURATION_WORDS = (frozenset(NUMBER_WORDS) - JOINING_NUMBER_WORDS) | {"second", "seconds", "minute", "minutes",
                                                                      "hour", "hours"}
"""Words of a length: in a name that mending made a sentence hold ("stop the timer for two" out of "Said the
timer for two", an unfinished "set a timer for two"), they were the length of a timer being set."""
BRIGHTNESS_INTENTS = ("action:change_brightness", "action:set_brightness")
DEVICE_INTENTS = ("HassTurnOn", "HassTurnOff", "HassLightSet", *BRIGHTNESS_INTENTS)
"""Where a name nobody configured means "that device does not exist", not "no intent"."""
SPELLINGS = {"lite": "light", "lites": "lights", "nite": "night", "thru": "through", "ur": "your", "pls": "please",
             "min": "minutes", "mins": "minutes", "sec": "seconds", "secs": "seconds", "hr": "hours", "hrs": "hours",
             "plz": "please", "whats": "what's", "tonite": "tonight", "alarm": "timer", "lamps": "lamp", "volumn": "volume",
             **MISSPELT}
"""Spellings speech-to-text and people use for template words, mended before matching."""
def _base_verb(found: re.Match[str]) -> str:
    stem = found.group(2)
    base = {"dimm": "dim", "stopp": "stop", "cancell": "cancel"}.get(stem.lower()) or (
        stem + "e" if stem.lower() in ("clos", "paus", "resum", "mut", "unmut", "rais") else stem)
    return found.group(1) + base


_TIMER_VERBS = r"(?:add|put|give|take|cut|set|get|run|let|remove|subtract|knock)"
"""Verbs a request about a timer's time opens with."""
_HOUR = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
"""An hour of the clock as said or written."""
_NUMBER = r"(?:\d+|a|an|" + _HOUR + r"|[a-z]+teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty)\b"
"""A number as said or written."""
_ASKED_VERBS = r"(?:turn|switch|set|start|stop|cancel|pause|resume|open|close|shut|dim|mute|unmute|add|put|give|make)"
"""Verbs a request opens with after "can you"."""
PHRASES = ((re.compile(r"\b(shut|power|switch) (off|down)\b", re.I), "turn off"),
           (re.compile(r"^(\W*)i am the\b", re.I), r"\1I'm the"),   # "I'm" as STT writes it: "dim" clipped
           (re.compile(r"\bpower (on|up)\b", re.I), "turn on"),
           # the "t" of "set" heard as a word of its own: "Said to an alarm for ..." is "Set an alarm for ..."
           (re.compile(r"\b(?:set|said|sat|sit) to (an?) (?=(?:[\w-]+ )?(?:alarm|timer|reminder)s?\b)", re.I), r"set \1 "),
           # "what" lost whole at the start: "Can you do?" alone asks nothing else (seed 881, a quiet talker)
           (re.compile(r"^(\W*)can you do(?=[\s.?!]*$)", re.I), r"\1what can you do"),
           # "please" heard as "police" before the verb: "Police waked me up at quarter to 8 on Friday." (seed 877)
           (re.compile(r"^(\W*)police,? (?=(?:turn|switch|set|said|sent|start|stop|cancel|wake|waked|woke|remind|mute|"
                       r"unmute|open|close|dim|pause|resume)\b)", re.I), r"\1please "),
           # "an" heard as "on" or "and" after the verb: "Set on alarm for nine." (seed 523), "Sets and alarm for ..."
           # (seed 1049, the "a" run into the verb)
           (re.compile(r"\b(set|start)s? (?:on|and) (alarm|timer|reminder)\b", re.I), r"\1 an \2"),
           # "add" for "set" before a timer named and its length: "Add a tea timer for three minutes." (seed 541 set
           # one with its name mended away), the name joined to it too ("Add a tea-timer ...", seed 617)
           (re.compile(r"^(\W*(?:please,? )?)add (an?) (?=(?:[\w-]+ ){0,2}(?:\w+-)?timer for\b)", re.I), r"\1set \2 "),
           # a pause between an alarm's hour and its minutes, written as a comma: "for nine, fifteen on Sunday"
           (re.compile(r"^(?=.*\b(?:alarm|wake|remind)\b)(.*?\b(?:at|for) " + _HOUR + r"), (?=(?:oh[ -])?"
                       r"(?:fifteen|thirty|forty|fifty|twenty|ten|five|\d{2})\b)", re.I), r"\1 "),
           # "and" heard as "in" between a length's parts: "one minute in thirty seconds" is one and a half minutes
           (re.compile(r"\b(hours?|minutes?) in (?=(?:[\w-]+ ){1,2}(?:minutes?|seconds?)\b)", re.I), r"\1 and "),
           # "three" heard with its "th" as "f" or "t" before a unit: "a timer for free minutes" (seed 479 set four)
           (re.compile(r"\b(?:free|tree)(?=[ -](?:hours?|minutes?|seconds?|percent)\b)", re.I), "three"),
           # and beside a sum's operator: "What is five-plus-free" (seeds 487, 577: "5 plus 4 is 9")
           (re.compile(r"\b(plus|minus|times|by)([ -])(?:free|tree)\b", re.I), r"\1\2three"),
           (re.compile(r"\b(?:free|tree)(?=[ -](?:plus|minus|times|divided|multiplied)\b)", re.I), "three"),
           # "pop the lamp on": put it on
           (re.compile(r"\bpop\b(?=(?: [\w'-]+){0,4} (?:on|off)\b)", re.I), "turn"),
           # "Could you possibly turn ...": the hedge asks nothing more
           (re.compile(r"\b(can|could|would|will) you possibly\b", re.I), r"\1 you"),
           # "back" before on or off says it was so before: "Turn the lamp back on" turns it on
           (re.compile(r"\b((?:turn|switch|put)\b(?: [\w'-]+){0,5}?) back (on|off)\b", re.I), r"\1 \2"),
           (re.compile(r"\b(turn|switch|put) back (on|off)\b", re.I), r"\1 \2"),
           # "again" after a switch says it was so before, as "back" does: "Turn it off again.", "Open them again."
           (re.compile(r"^(\W*(?:please,? )?(?:now,? )?(?:turn|switch|shut|put|open|close|raise|lower|dim)\w{0,3}\b.*?),? again"
                       r"(?=[\s.,!?]*(?:please[\s.,!?]*)?$)", re.I), r"\1"),
           # a request closed with thanks, as with "please": "Set a timer for ten minutes thank you." (thanks alone,
           # or after words that order nothing, stay thanks: "Great, thanks.")
           (re.compile(r"^(\W*(?:please,? |(?:can|could|will|would) you,? )?(?:" + _ASKED_VERBS +
                       r"|timer|wake|remind|lower|raise)\b.*?\w)[\s,]+(?:thank you|thanks)(?: very much)?(?=[\s.!?]*$)",
                       re.I), r"\1"),
           # halves as STT writes them: "2½", "2 and ½", "2 1/2", "2.5" minutes, "1/2 an hour"
           (re.compile(r"(\d)\s*(?:and )?(?:½|1/2|\.5\b)", re.I), r"\1 and a half"),
           # a length and a half before "timer": "a two and a half minute timer" is a timer for two and a half minutes
           (re.compile(r"\b(?:a|an) ((?:[\w-]+ ){1,2}?and a half)[ -](hour|minute|second)s?[ -]timer\b", re.I),
            r"a timer for \1 \2s"),
           (re.compile(r"(?:½|\b1/2)(?= (?:an |a )?(?:hour|minute)\b)", re.I), "half"),
           (re.compile(r"\b(?:a )?half[ -](?:an |a )?hour\b", re.I), "30 minutes"),   # "a half-hour" too
           (re.compile(r"\b(?:a )?half[ -](?:a )?minute\b", re.I), "30 seconds"),
           (re.compile(r"\b(?:three|3) quarters? (?:of )?(?:an |a )?hour\b", re.I), "45 minutes"),
           (re.compile(r"\b(?:a |one )?quarter(?: of)?(?: an| a)?[ -]hour\b", re.I), "15 minutes"),
           (re.compile(r"\b(?:an|a|one) hour and a quarter\b", re.I), "75 minutes"),
           (re.compile(r"\b(?:a|one) minute and a half\b", re.I), "90 seconds"),
           (re.compile(r"\ba couple(?: of)? (hours|minutes|seconds)\b", re.I), r"2 \1"),
           # the time before what to remind of: "Remind me in an hour to check the oven"
           (re.compile(r"^(\W*(?:please,? )?(?:(?:can|could|will) you )?remind me),? (in (?:an?|one|[\w-]+(?: [\w-]+)?)(?: and a half)? "
                       r"(?:hours?|minutes?|seconds?)),? (to|about) (.+?)([.!?]*)$", re.I), r"\1 \3 \4 \2\5"),
           # a reminder with nothing to remind of is a timer: "Set a reminder for ten minutes"
           (re.compile(r"\b(set|start) (?:a|an|me a) reminder for\b(?! (?:to|the|my)\b)", re.I), r"\1 a timer for"),
           # "put on a timer for ...", "give me a five minute timer": set one
           (re.compile(r"\b(?:put|stick) (?:on |up )?((?:a|an|the|my)(?: [\w-]+){0,2}? timer)(?: on)?\b", re.I), r"set \1"),
           (re.compile(r"\b(?:give me|get me|make|(?:can|could|may) i (?:get|have)) ((?:a|an)(?: [\w-]+){0,3}? timer)\b", re.I),
            r"set \1"),
           # "an hour" heard as "another" at the end of a timer's amount: "Timer for another and a half"
           (re.compile(r"\b(timers?|time)((?: \w+){0,2}?) for another(?= and a half\b|[\s.,!?]*(?:please[\s.,!?]*)?$)", re.I),
            r"\1\2 for an hour"),
           # "an hour" with its "an" lost at a pause: "For how long?" "Hour and fifteen minutes." (seed 877)
           (re.compile(r"\b(for|in) (hour|minute)(?= and\b|[\s.,!?]*$)", re.I), r"\1 1 \2"),
           (re.compile(r"\b(?:an|a) (hour|minute|second)\b", re.I), r"1 \1"),
           (re.compile(r"\b(?:1|one) hour and a half\b", re.I), "90 minutes"),
           (re.compile(r"\bleft (?:on|by|in) (my|the) time\b", re.I), r"left on \1 timer"),   # "left by my time" (seed 521)
           # "timer" heard as "time" after a timer's own verb: "Cancel the time."
           (re.compile(r"^(\W*(?:please )?(?:cancel|stop|pause|delete|kill|end|clear|unpause|resume) (?:the|my) )time(?=[\s.!?]*$)",
                       re.I), r"\1timer"),
           (re.compile(r"\bun[- ](mute|pause)\b", re.I), r"un\1"),   # "Un mute." muted
           # "off of": "Switch off of the bathroom fan." (seed 823 went to the LLM, a device nobody has unnamed)
           (re.compile(r"\b(turn|switch|shut) (on|off) of (?=(?:the|my|all)\b)", re.I), r"\1 \2 "),
           # "off" heard as "of" where it ends a command: "Turn the kitchen light of."
           (re.compile(r"^(\W*(?:please )?(?:turn|switch|shut)\b.*\b)of(?=[\s.!?]*$)", re.I), r"\1off"),
           # "two minutes thirty": the seconds said without their unit
           (re.compile(r"\b(\w+) (minutes?) (\d+|fifteen|twenty|thirty|forty|forty-five|fifty)(?=[\s.!?]*$)", re.I),
            r"\1 \2 and \3 seconds"),
           # a command's verb written in the past tense at its opening, after at most one stray word (not a
           # subject: "I turned off the stove" is no command): "Dimba dimmed the living room lamp to 20 percent"
           (re.compile(r"^(\W*(?:(?!(?:i|we|you|he|she|they|it)\b)[\w']+,?\s+)?)"
                       r"(turn|switch|dimm|open|clos|start|stopp|cancell|cancel|paus|resum|mut|unmut|brighten|lower|rais)ed"
                       r"(?= (?:the|my|a|an|off|on|up|down|all|everything)\b)", re.I), _base_verb),
           # "Time?" said alone, as written (a template would let a mis-heard word be mended into it: "Detimer")
           (re.compile(r"^\W*time\W*$", re.I), "what time is it"),
           # "what" with its sounds lost into another short word: "Hurt time, is it?", "Hot time is it?"
           # (and its "is" heard as "as", "now" after it: "Had time as it now," seed 857)
           (re.compile(r"^\W*(?!what\b)[a-z']{2,5},? time,? (?:is|as) it(?: now)?(?=\W*$)", re.I), "what time is it"),
           (re.compile(r"\bper cent\b", re.I), "percent"),   # the British spelling STT writes for some voices
           # "to" heard (or said) as "at" before a percentage: "Dim the living room lamp at twenty percent"
           (re.compile(r"\bat (?=(?:\d+|[a-z]+(?:[ -][a-z]+)?) ?(?:%|percent\b))", re.I), "to "),
           # "add" heard as "at", "had" or "and" before an amount of time for a timer: "At two minutes to the timer"
           (re.compile(r"\b(?:at|had|and) (?=\S+(?: \S+)? (?:more )?(?:hours?|minutes?|seconds?) (?:to|on)\b)", re.I), "add "),
           # or as letters or a short sound opening the sentence, or one word, before an amount to a timer: "D. D.
           # thirty seconds to the pizza timer." (seed 431), "Diggity two minutes to the timer." (seed 509) say
           # nothing but what to add
           (re.compile(r"^\W*(?:(?!" + _TIMER_VERBS + r"\b)(?:[a-z]{1,3}\.?,?\s+){1,3}|(?!" + _TIMER_VERBS + "|" + _NUMBER
                       + r")[a-z'-]{4,},?\s+)?(?=" + _NUMBER + r"(?:[ -]\S+)? (?:more )?(?:hours?|minutes?|seconds?) (?:to|on) "
                       r"(?:the|my)\b[^.?!]*\btimer\b)", re.I), "add "),
           (re.compile(r"\bto-(day|night|morrow)\b", re.I), r"to\1"),   # the older spelling some voices get
           # "can you" with its first sound lost, before a command's verb: "And you switch off the lamp"; or with
           # its "y" run into "can": "Can use switch off the hallway lamp" (seed 509)
           # ("set" as STT writes it too: "And you said a time for an hour and fifteen minutes.", seed 1019)
           (re.compile(r"^\W*(?:and|an|in) you,? (?=(?:please )?(?:" + _ASKED_VERBS + r"|said|sent)\b)", re.I), "can you "),
           (re.compile(r"^\W*can use,? (?=(?:please )?(?:" + _ASKED_VERBS + r"|said|sent)\b)", re.I), "can you "),
           # "timer" heard as "time" after set/start and before a duration: "Could you set it time for ..."
           (re.compile(r"\b(set|start)( (?:a|an|the|it|my))?((?: \w+){0,2}) time (for|of)\b", re.I), r"\1 a\3 timer for"),
           # and after "set" heard as "said" or "sent", when a length follows: "Can you said a time for ten minutes?"
           (re.compile(r"\b(?:said|sent)( (?:a|an|the|it|my))?((?: \w+){0,2}) time (?:for|of) (?=" + _NUMBER + r")", re.I),
            r"set a\2 timer for "),
           # "for" heard as "4" and run into the amount after a timer: "Time or 425 minutes" is for 25 minutes
           (re.compile(r"\b(timer|time or|time),? 4([1-9]\d)(?= (?:hours?|minutes?|seconds?)\b)", re.I), r"\1 for \2"))
"""Verbs the library does not know, said as the ones it does."""
POSSESSIVE = re.compile(r"'s\b")
TURN_VERB = re.compile(r"\b(turn|turned|switch|switched)\b", re.I)
ON_WORD = re.compile(r"\bon\b", re.I)
DEVICE_WORDS = re.compile(r"\b(turn|switch|set|dim|brighten|open|close|shut|on|off|lights?|lamps?|brightness)\b", re.I)
WORD_IN_TEXT = re.compile(r"[A-Za-z']+")
NOT_FOR_THE_VERB = re.compile(r"^\W*((?:[A-Za-z']+\W+){0,2}?)not,? (from )?(?:the|a) ", re.I)
"""A word or two, then "not" or "not from" before an article: how "turn on the"/"turn off the" is often heard."""
MEND_CUTOFF = 0.7
"""How alike a heard word must be to the one template word that makes the sentence match, to act on it:
"urn" for "turn" (0.86) yes, "past" for "pause" (0.67) no. Closer rivals that mean something else are
asked about whatever their score ("inute": mute or unmute?)."""
COMMAND_VERBS = ("turn", "switch", "set", "shut", "mute", "unmute", "open", "close", "start", "stop", "cancel",
                 "pause", "resume", "dim", "brighten", "lower", "raise")
ONSET_LOST_QUESTION_WORDS = ("what",)
ONSET_LOST_WORDS = (*COMMAND_VERBS, *ONSET_LOST_QUESTION_WORDS)
"""First words whose first consonants a clipped start loses, as mends of a sentence whose words are all known:
"At time, is it?" is "What time is it?" (a whole template must still match)."""
HOW_LOST_BEFORE = ("much", "many", "long")
"""Words a question opens with once its "how" is clipped whole ("Much time is left on my timer?")."""
MAX_MENDED_WORDS = 2
"""At most this many words found in no template are mended in one sentence."""
NAMED_TIMER_INTENTS = ("HassStartTimer", "action:set_timer", "HassCancelTimer", "action:cancel_timer",
                       "HassPauseTimer", "HassUnpauseTimer", "HassIncreaseTimer", "HassDecreaseTimer")
"""Where an unknown word may stay as it was heard while another is mended: a timer's name ("a rice timer")."""
JOINED_CUTOFF = 0.8
"""How alike two neighbouring words run together must be to a template word to be read as it."""
STRAY_WORDS = ("to", "the", "a", "an", "of", "and", "that", "this", "for", "or", "me", "it")
TRAILING_STRAYS = frozenset({"to", "the", "a", "an", "of", "for"})
"""Short words STT writes for a name's last sounds ("space key to" for "space heater"): no name ends in one
("and" and "or" may join a second device, and stay)."""
NAME_TRAILERS = TRAILING_STRAYS | {"please", "thanks"}
"""What may follow an unknown device's name and is none of it: the strays, and a closing thanks."""
DANGLING_CONJUNCTIONS = frozenset({"and", "or", "but", "then"})
"""Words no request ends on: a turn that does was cut off, or its last word was heard as one of these."""
DROPPED_WORD = 0.75
"""How close a sentence with one stray short word dropped counts (above MEND_CUTOFF, below most mends)."""
SOUNDS_ALIKE = 0.85
"""How close a word that sounds the same (same metaphone key) counts, whatever its spelling."""
ONSET_LOST = 0.8
"""How close a first word counts that is a command verb with its first consonants lost ("urn", "earn": turn)."""
ONLY_AS_WRITTEN = frozenset({"answer:acknowledged"})
"""Intents no mended word reaches: "Great." asks nothing, and a word that only sounds like it ("Goodbye" as
"good") is said to someone, which the LLM answers."""
UNSUPPORTED = ("HassGetWeather", "HassBroadcast", "HassShoppingListAddItem", "HassShoppingListCompleteItem",
               "HassListAddItem", "HassListCompleteItem", "HassListRemoveItem", "HassClimateGetTemperature",
               "HassClimateSetTemperature", "HassClimateSetFanMode", "HassVacuumStart", "HassVacuumReturnToBase",
               "HassVacuumCleanArea", "HassLawnMowerStartMowing", "HassLawnMowerDock", "HassMediaNext",
               "HassMediaPrevious", "HassMediaUnpause", "HassMediaSearchAndPlay", "HassFanSetSpeed",
               "HassSetPosition")
"""The sentence library's intents this device cannot serve: said as written they are refused as such ("Sorry, I
can't do that on this device."); no mended word reaches them, since a refusal of what nobody said helps no one
(seed 1097's "Pause the timer." heard "Paul's the timer." was mended into "play the timer" and refused)."""
NOT_FROM_SOUNDS = frozenset({"action:device_stop", "action:device_on"})
"""Commands an opening mended from sounds never becomes: "Said the kitchen lights" (set, before a pause) sounds
like "stop the kitchen lights", and "start"/"stop" a device are rare next to "set" its brightness."""
REPLIES = frozenset({"yes", "yeah", "yep", "yup", "no", "nope", "nah", "oops", "whoops", "sure", "thanks", "sorry"})
"""Words of a reply to the bot ("Yes, the timer", "No, never mind"): skipped like fillers, never mended into
a command (they were heard, not mis-heard)."""
ADDRESSES = frozenset({"sir", "madam", "ma'am", "ma", "mate", "buddy", "dear", "pal"})
"""Words the user addresses the device by ("Turn off the kitchen light, ma'am."): skipped like fillers."""
ARTICLES = frozenset({"the", "a", "an", "my", "our", "your", "this", "that"})
"""Words that may stand before a device's name said alone ("The kitchen light."): still no command."""
DEMONSTRATIVES = frozenset({"this", "that", "these", "those"})
"""Words that point at a device when a name follows them ("Turn on that coffee machine"), and are a pronoun alone."""
CLEAR_WIN = 0.1
"""How much closer one mended word must be than a rival meaning it over to be taken without asking."""
PRONOUNS = ("it", "that", "this", "them", "those", "these", "everything", "yourself", "you", "me",
            "why", "what", "how", "who", "when", "where", "which", "do", "does", "can", "is", "are", "i")
"""Words a device name never starts with: what follows them is a question or the speaker, not a device."""
NOT_A_VERB = frozenset(PRONOUNS) | {"was", "were", "did", "could", "would", "should", "will", "shall", "has", "have",
                                    "had", "may", "might", "not", "never", "no", "don't", "isn't", "wasn't"}
"""First words of a question or a negation: never a command verb heard wrong."""
NOT_AN_ASIDE = NOT_A_VERB | {"to", "we", "they", "he", "she", "people", "always", "sometimes", "often", "usually",
                              "cannot", "if", "unless", "when", "before", "after"}
"""First words that change what the command verb after them means (a negation, a habit, the speaker's own
plan, a condition): never dropped as a mis-heard filler. (A word with an apostrophe, "I'll" or "don't", is
never dropped either: `isalpha` keeps it.)"""
FILLERS_HEARD_AS_WORDS = frozenset({"i'm"})
"""A filler ("um", "mm") heard as a word with an apostrophe: before a verb's bare form ("I'm turn off the
light") it is no plan, which would say "I'm turning" or "I'm going to". (Written "Im" it passes as any word.)"""
QUESTION_STARTS = frozenset({"what", "what's", "whats", "who", "who's", "whom", "whose", "where", "where's", "when",
                             "why", "how", "how's", "which", "am", "is", "are", "was", "were", "do", "does", "did",
                             "isn't", "aren't", "should", "shall", "might"})
"""First words of a question: a sentence starting so is asked; it names an unknown device only in a device's
plain name ("Is the garage heater on?"), never in a visitor's words ("What's the warranty on the Breeze T2?",
"Am I allowed to take pictures?", "Is there a change machine?")."""
ASKING_WORDS = frozenset(word for word in QUESTION_STARTS if word.startswith(("wh", "how"))) - {"which"}
"""First words of a question that no command's first words are heard as (what, who, how, why, where, when: not
"which", as in "Which, on the garage heater", nor "do", as in "Do not from the hallway light," for "Turn off ...")."""
ASKED_PLAINLY_WORDS = 3


def asked_plainly(heard: str) -> bool:
    """Was the turn heard as a question of `ASKED_PLAINLY_WORDS` words or more, opening with an asking word?
    Then its words read finished without a closing mark (respond/unfinished.py), and the audio is not heard
    again slower (respond/intents.py): over 27 runs of the spoken corpus, the slower hearing found 17
    commands, none in a turn first heard so, while every question the reading within the commands left
    waited ~0.15-0.25 s more for it (what the reading finds there, "What's the bait to me?" as "What's the date
    today?", it still finds). Fillers before it are no words of it: "Okay, so why is the sky blue?", heard so
    twice (seed 881), was read slowed as "Okay, so what is the time?" and told the time."""
    words = [word for word in bare_words(heard.split()) if word not in FILLERS]
    return len(words) >= ASKED_PLAINLY_WORDS and words[0] in ASKING_WORDS


NOT_IN_NAMES = frozenset(FILLERS) | {"on", "off", "at", "his", "her", "your", "to", "of", "and", "or", "you", "know",
                                     "is", "are", "am", "was", "were", "they", "we", "him", "he", "she", "us",
                                     "please", "mister", "miss", *ADDRESSES,
                                     "timer", "timers", "time", "going", "gonna", "want", "wanna", "went",
                                     "go", "put", "yourself", "myself", "not", "i", "i'm",
                                     "volume", "brightness", "left", "right", "halfway", "partly", "partially",
                                     "little", "bit"}
"""Words no device name holds: an "unknown device" with one of them is a sentence parsed wrong (forms of
address too: "Close, sir." is no device called sir; "My timer went off." names no device, nor does "I'm going
to set the table", "Go on mute." or "Close, Nigel, I'm not.")."""
NOT_A_DEVICE_OPENINGS = frozenset({"a", "an", "some", "any", "another"})
"""First words of a thing that is not a particular device: "Can you open a bank account here?" asks about one."""
LEADING_PREPOSITIONS = frozenset({"in", "on", "at", "into", "onto", "to", "for"})
"""Words an unknown name never opens with: what is left of a mis-heard verb or article ("Opened in office
chains", "Switch on for bedroom fare")."""
LIGHT_NAME_ENDS = frozenset({"light", "lights", "lamp", "lamps", "bulb", "bulbs", "strip", "lantern", "chandelier"})
"""Last words of a light's name: only a light is dimmed."""
DEVICE_NAME_ENDS = frozenset({"light", "lights", "lamp", "lamps", "fan", "door", "blind", "blinds", "shade", "shades",
                              "curtain", "curtains", "switch", "heater", "plug", "pump", "socket", "tv", "television",
                              "radio", "speaker", "machine", "kettle", "oven", "thermostat", "sprinkler", "gate",
                              "window", "bulb", "strip", "outlet", "dishwasher", "washer", "dryer", "fridge",
                              "freezer", "purifier", "humidifier", "dehumidifier", "vacuum", "microwave", "toaster",
                              "boiler", "fountain"})
"""Last words of a device's name, beside the configured devices' own."""
_RANGE_TRIES: dict[str, dict[Any, Any]] | None = getattr(string_matcher, "_RANGE_TRIE_CACHE", None)
"""hassil's number tries by language (made on a first match; kept with the parsed library when hassil has them)."""


@dataclass(frozen=True)
class IntentMatch:
    intent: str
    slots: dict[str, Any]
    text: str
    unknown_name: str = ""        # a device name that is in no list ("garage heater")
    corrected: bool = False       # a mis-heard word was replaced to match
    free_words: frozenset[str] = frozenset()   # the words free-text slots took ("pasta" of a timer's name)
    tentative: bool = False       # perhaps half a sentence: ends on an unknown "device" not named like one ("porch")
    named_like_a_device: bool = True   # an unknown name ends like a device's ("... light", "... fan"), or is one misheard
    asks: bool = False            # a question about the device named ("Is the heater on?"), never a command to it
    only_refuses: bool = False    # its verb guessed from sounds ("So not from the ..."): a refusal, never an action


class IntentMatcher:
    """Text -> the best intent with its slots, or None. Synchronous and quick (a few ms after warm-up)."""

    def __init__(self, language: str, directory: DeviceDirectory, custom: tuple[CustomCommand, ...] = (),
                 area: str = "", cache_dirs: list[Path] | None = None) -> None:
        """`cache_dirs`: where the parsed library is kept between starts (library_cache); None parses it."""
        self.language = language
        self._cache_dirs = cache_dirs or []
        self._cache_key = library_key(language, library_sources(language, custom)) if self._cache_dirs else ""
        library = load_library(self._cache_key, self._cache_dirs) if self._cache_dirs else None
        self._parsed_before = library is not None
        if library is None:
            library = parse_library(language, custom)
        elif _RANGE_TRIES is not None:
            _RANGE_TRIES.setdefault(language, {}).update(library.range_tries)
        self._library = library
        self._intents = library.intents
        self._skip_words = library.skip_words + list(FILLERS) + sorted(REPLIES) + sorted(ADDRESSES)
        self._skippable = {word.lower() for word in self._skip_words}
        self._context = {"area": area or "here"}   # sentences about "the volume" mean this device's area
        self._slot_lists = self._device_lists(directory)
        self._directory = directory
        self._device_vocabulary = {word.lower() for word in _device_words(directory)} | DEVICE_NOUNS
        self._vocabulary = set(library.words) | set(NUMBER_WORDS) | _device_words(directory)
        self._own_name_ends = {spoken.split()[-1] for device in directory.devices for spoken in device.spoken_names()}
        self._name_ends = DEVICE_NAME_ENDS | self._own_name_ends
        self._sounds: dict[str, list[str]] = {}   # sound key -> template words that sound like it
        for word in sorted(self._vocabulary):
            self._sounds.setdefault(sound_of(word), []).append(word)

    @property
    def library_intents(self) -> Intents:
        """The sentence library as parsed, with the device's own and the user's sentences."""
        return self._intents

    def own_devices_named(self, text: str) -> set[str]:
        """The devices of this device whose whole name (or alias) `text` says ("Post the garage door.")."""
        said = f" {' '.join(WORD.findall(text.lower()))} "
        return {device.name for device in self._directory.devices
                if any(f" {spoken.lower()} " in said for spoken in device.spoken_names())}

    @property
    def slot_lists(self) -> dict[str, TextSlotList]:
        """This device's names, areas and floors, as the library's lists."""
        return self._slot_lists

    def warm_up(self) -> None:
        """The first match parses every template and builds hassil's number trie (~0.4 s): pay it now, and
        keep the result for the next start."""
        self.match("what time is it")
        if self._cache_dirs and not self._parsed_before:
            self._library.range_tries = dict(_RANGE_TRIES.get(self.language, {})) if _RANGE_TRIES is not None else {}
            save_library(self._cache_key, self._library, self._cache_dirs)
            self._parsed_before = True

    @staticmethod
    def _device_lists(directory: DeviceDirectory) -> dict[str, TextSlotList]:
        names = [TextSlotValue.from_tuple((spoken, device.name, {"domain": DEVICE_DOMAINS[device.kind]}))
                 for device in directory.devices for spoken in device.spoken_names()]
        names += [TextSlotValue.from_tuple((short, device.name, {"domain": DEVICE_DOMAINS[device.kind]}))
                  for short, device in directory.short_names.items()]
        return {"name": TextSlotList(name="name", values=names),
                # a room said by its last word ("the bedroom" for the master bedroom) is that room
                "area": TextSlotList(name="area", values=[TextSlotValue.from_tuple((said, area))
                                                          for said, area in rooms_as_said(directory.areas())]),
                "floor": TextSlotList(name="floor", values=[]),
                # the things people time: a timer named with no length ("Set a pasta timer.") is asked for one
                "common_timer_name": TextSlotList.from_strings(COMMON_TIMER_NAMES, name="common_timer_name")}

    def match(self, text: str) -> IntentMatch | None:
        """The request `text` asks, or None. A room said before it and a comma is its room ("In the kitchen,
        lights to ten percent." set every light in the home to 10 %, seed 1093): matched with the room in place,
        and never as a request to the home's devices at large."""
        roomed = room_said_first(text, self._directory.areas())
        found = self._match(roomed) if roomed is not None else None
        if found is not None:
            return found
        found = self._match(text)
        if roomed is not None and found is not None and found.intent in DEVICE_INTENTS \
                and not {"area", "name"} & set(found.slots):
            return None
        return found

    def _match(self, text: str) -> IntentMatch | None:
        spelt = WORD_IN_TEXT.sub(lambda m: SPELLINGS.get(m.group(0).lower(), m.group(0)), " ".join(text.replace("’", "'").split()))
        spelt = corrected(spelt) or spelt   # "Turn on the kitchen, no, the bedroom light": the bedroom light
        cleaned = rephrased(spelt)
        if not cleaned or all(HUM.fullmatch(word) for word in WORD.findall(cleaned.lower())):
            return None   # "Mmmmm" is a sound, never a word mended into a request ("mow", seed 503)
        # "Stop the, stop the tea timer": the last start is what was meant (found before the phrases too, which
        # may change one start and not the other: "And two and two minutes" -> "And two add two minutes")
        restarted = restarts(cleaned) or [rephrased(start) for start in restarts(spelt)]
        whole = restarted[-1] if restarted else cleaned
        unfilled = self.without_fillers(whole)
        # the fillers dropped here too: hassil drops its skip words all at once or not at all, so one inside
        # the sentence ("So what can you do?": "can you") leaves the filler before it standing; and a hum
        # wherever it stands ("Mute m": the end of "Mute." written as a letter)
        for candidate in dict.fromkeys([whole, cleaned, unfilled, without_hums(whole)]):
            found = self._recognize(candidate)
            if found is not None:
                return found
        if (found := self._stray_letter_dropped(whole)) is not None:
            return found
        direct = direct_form(unfilled)   # "So, do you know what time it is?" asks "What time is it?"
        if direct != unfilled:
            found = self._recognize(direct)
            if found is not None:
                return found
            whole = direct
        # the whole sentence with a word mended before a piece of it ("Set the floor lump, brightness to
        # sixty percent" is the floor lamp's brightness, not "brightness to sixty percent" of some light)
        mended = self._mended(whole)
        alone = bare_words(self.without_fillers(whole).split())
        if mended is not None and len(alone) == 1 and len(alone[0]) <= 2:
            return None   # "Please, Ed,": a word this short, heard alone, is too little to mend into a command
        if mended is not None:
            # one heard word mended into a command ("Canzola," as "cancel") may be the first word of a longer
            # one cut by a pause ("Cancel the | pasta timer"): tentative, so a turn that sounds cut off waits
            return replace(mended, tentative=True) if len(whole.split()) == 1 else mended
        for candidate in after_commas(cleaned):
            found = self._recognize(candidate)
            if found is not None:
                return found
        dropped = self._lead_dropped(whole)   # "Clean open the office lines": "please" heard as another word
        if dropped is not None:
            return dropped
        verb_mends = self._verb_mended(whole)   # the first word read as a command verb (used three ways below)
        verb_read = self._verb_read(verb_mends)   # "At a tea timer for three minutes": set, every other word kept
        if verb_read is not None:
            return verb_read
        # "Sent time before ten minutes": set a timer for; "Sent the value to": "sent" is "set", and then
        # "set the value to" sounds like "set the volume to"
        # (and with the fillers before it dropped: "Ok, so, sent the value to" starts where "sent" does)
        openings = [whole, *(mended for mended, _ in verb_mends)]
        for candidate in dict.fromkeys([*openings, *map(self.without_fillers, openings)]):
            opened = self._opening_mended(candidate)
            if opened is not None:
                return opened
        unfilled = self.without_fillers(whole)
        switched = _switch_heard_as_which(unfilled)
        if switched:   # "Which of the guest room lamp?": "switch off", a device this device lacks, plainly named
            found = self._unknown_device(switched)
            if found is not None and found.named_like_a_device and self._plain_name(found.unknown_name):
                return found
        heard_as_not = _verb_heard_as_not(unfilled)
        # ("Do not from the hallway light" asks nothing: "turn off the" heard as "do not from the", below)
        if self._asks(whole) and not heard_as_not:
            # "Is the garage heater on?": only a name that is plainly a device's
            found = self._unknown_device(whole)
            plain = found is not None and found.named_like_a_device and self._plain_name(found.unknown_name)
            return replace(found, asks=True) if plain else None   # type: ignore[arg-type]
        # "burn on the kitchen life"; "To an on the coffee machine": an opening heard by its sounds, before a
        # name that is plainly a device's, and not one of this device's own kind heard wrong ("Plus the. Gryce
        # door." is the garage door, for the reading within the commands to find)
        opened = [] if set(bare_words(unfilled.split())[:1]) & COMMAND_WORDS else \
            [(candidate, "opening") for _, candidate, _ in opening_mends(unfilled)[:1]]
        opened += [(candidate, "opening") for candidate in [self._verb_lost_before_on_off(unfilled)] if candidate]
        opened += [(heard_as_not, "not")] if heard_as_not else []
        verbs = [(candidate, "verb" if needs_a_device_name else "") for candidate, needs_a_device_name in verb_mends]
        for candidate, mended in [*verbs, *opened, (whole, "")]:
            found = self._unknown_device(candidate)
            if found is None or mended and not found.named_like_a_device:
                continue
            if mended == "opening" and self._like_one_of_ours(found):
                continue
            return replace(found, only_refuses=True) if mended == "not" else found
        return self._dangling_word_dropped(whole)

    def _verb_lost_before_on_off(self, text: str) -> str:
        """ "turn" for a first word that stands right before "on" or "off" and a name ("Throwing on the coffee
        machine.", "Doing on ..."), no command's word, question's or aside's: the verb heard as another word,
        whatever its sounds; "" otherwise. Taken only for a name plainly a device's, and none like one of ours."""
        words = text.split()
        bare = bare_words(words)
        if (len(bare) < 3 or bare[1] not in ("on", "off") or bare[0] in NOT_AN_ASIDE or bare[0] in QUESTION_STARTS
                or bare[0] in COMMAND_WORDS):
            return ""
        return " ".join(["turn", *words[1:]])

    def _stray_letter_dropped(self, text: str) -> IntentMatch | None:
        """A match without a letter standing alone before the sentence, set off by a stop or a comma ("H.
        never mind."): a sound STT wrote as a letter. Not a letter before "timer", which may be a name heard
        as its letter ("T, timer for three minutes": a tea timer)."""
        words = text.split()
        bare = bare_words(words)
        first = self._first_word(bare)
        if first is None or first + 1 >= len(words) or len(bare[first]) != 1 or bare[first] in ("a", "i"):
            return None
        if not bare[first].isalpha() or words[first][-1:] not in ".,;" or bare[first + 1].startswith("timer"):
            return None
        return self._recognize(" ".join(words[:first] + words[first + 1:]))

    def _dangling_word_dropped(self, text: str) -> IntentMatch | None:
        """A match without a conjunction the sentence ends on ("Can you turn on the bedroom and"), tentative:
        the rest may still come, or the last word was a name's, heard as "and"."""
        words = text.split()
        if len(words) < 3 or words[-1].strip(".,!?;:").lower() not in DANGLING_CONJUNCTIONS:
            return None
        found = self.match(" ".join(words[:-1]))
        return None if found is None or found.intent == "ambiguous" else replace(found, tentative=True)

    def _mended(self, text: str) -> IntentMatch | None:
        """A match after mis-heard words are replaced or joined ("time or" is "timer"), or else after one
        stray short word is dropped ("unmute to the speaker"); when candidates mean different things, the
        clearly closest wins ("ute" is "mute"), and a close call is asked about ("inute": mute or unmute?)."""
        heard = set(WORD.findall(text.lower()))
        # a free-text slot holding a word mending put there is a sentence invented, not mended
        # ("why is the sky blue" is not "who is the say blue", "Paul Williams" not "play will")
        def fits(m: IntentMatch | None, kept: frozenset[str]) -> bool:
            return m is not None and m.free_words <= heard and not m.free_words & DURATION_WORDS and \
                m.intent not in ONLY_AS_WRITTEN and m.intent not in UNSUPPORTED and \
                (not kept or (kept <= m.free_words and m.intent in NAMED_TIMER_INTENTS))

        corrections = self._corrections(text)
        mended = [(score, m) for score, candidate, kept in corrections if fits(m := self._recognize(candidate), kept)]
        if not any(score >= MEND_CUTOFF for score, _ in mended):   # no close mend: a stray word, perhaps
            mended += [(DROPPED_WORD, m) for candidate in dropped_words(text) if (m := self._recognize(candidate)) is not None]
        if not mended:   # or both: "Loose and garage door." is "close" mended and the "and" heard for "the" dropped
            # (a word heard dropped, never the one mended: "Turn them on." mended "turn the on" is no "turn on")
            mended += [(min(score, DROPPED_WORD), m) for score, candidate, kept in corrections[:3]
                       if score >= MEND_CUTOFF and not kept
                       for variant in dropped_words(candidate)
                       if set(WORD.findall(candidate.lower())) - heard <= set(WORD.findall(variant.lower()))
                       and fits(m := self._recognize(variant), kept)]
        if not mended:
            return None
        mended.sort(key=lambda pair: -pair[0])
        best_score, best = mended[0]
        if best_score < MEND_CUTOFF:   # a distant guess would turn noise into an action, or a question
            return None
        rivals = [m for score, m in mended[1:] if meaning(m) != meaning(best)
                  and best_score - score < CLEAR_WIN and score >= MEND_CUTOFF - CLEAR_WIN]
        if rivals:
            choices = [best.text] + [m.text for m in rivals]
            return asked_which(choices, text)
        return IntentMatch(best.intent, best.slots, best.text, corrected=True)

    def _lead_dropped(self, text: str) -> IntentMatch | None:
        """A match without a first word that stands before a command verb (or "never mind") and belongs to no
        command: a filler or "please" heard as another word ("Clean open the office lines", "Bees turn off the
        porch light", "Age never mind." of "Ah, never mind.").
        Never a word that makes the verb something other than an order ("Don't open", "I'll turn off", "To
        turn it off", "Why switch off").
        """
        words = text.split()
        bare = bare_words(words)
        first = self._first_word(bare)
        if first is None or first + 2 > len(bare) or not _opens_an_order(bare[first + 1:]):
            return None
        lead = bare[first]
        if not (lead.isalpha() or lead in FILLERS_HEARD_AS_WORDS) or lead in COMMAND_VERBS or lead in NOT_AN_ASIDE:
            return None
        rest = " ".join(words[:first] + words[first + 1:])
        found = self._recognize(rest) or self._mended(rest)
        if found is None and (refused := self._unknown_device(rest)) is not None and refused.named_like_a_device:
            found = refused   # "Bees switch off the space heater": no device of that name
        return None if found is None else replace(found, corrected=True)

    def _asks(self, text: str) -> bool:
        """Is this sentence a question (its first word, fillers aside, a question word or an auxiliary, or
        "can I" / "could we"), rather than a command ("can you ...", "please ...")?"""
        words = [word for word in bare_words(text.split()) if word and word not in self._skippable]
        if not words:
            return False
        if words[:1] == ["which"] and words[1:2] in (["on"], ["off"]):   # "Which, on the garage heater": a clipped switch
            return False
        return words[0] in QUESTION_STARTS or (words[0] in ("can", "could", "may") and words[1:2] in (["i"], ["we"]))

    @staticmethod
    def _plain_name(name: str) -> bool:
        """A device's name holds no article or question word ("there a change machine" is a question's words)."""
        return not set(name.split()) & (ARTICLES | QUESTION_STARTS | {"there", "here"})

    def _verb_read(self, verb_mends: list[tuple[str, bool]]) -> IntentMatch | None:
        """A match with the first word read as the command verb it sounds like, every other word as heard:
        before the openings mended from sounds, which may drop a word ("a tea timer" heard "at a tea-timer" is
        "set a tea timer", not "set a timer"); none when two verbs fit with different meanings."""
        # a name read in it is one word at most, and no article: "At thirty seconds, do the cookie timer" is
        # no timer named "do the cookie"
        found = [m for candidate, _ in verb_mends
                 if (m := self._recognize(candidate)) is not None and m.intent not in NOT_FROM_SOUNDS
                 and len(m.free_words) <= 1 and not m.free_words & (ARTICLES | DURATION_WORDS)]
        if not found or any((m.intent, m.slots) != (found[0].intent, found[0].slots) for m in found[1:]):
            return None
        return replace(found[0], corrected=True)

    def _opening_mended(self, text: str) -> IntentMatch | None:
        """A match with the first words replaced by the command opening they sound like (openings.py); none
        when two openings that mean different things fit as well."""
        found = [(score, m) for score, candidate, kept in opening_mends(text)
                 if (m := self._recognize(candidate)) is not None and m.free_words <= kept | ARTICLES
                 and not m.free_words & DURATION_WORDS and m.intent not in NOT_FROM_SOUNDS]
        if not found:
            return None
        best_score, best = found[0]
        if any(score == best_score and (m.intent, m.slots) != (best.intent, best.slots) for score, m in found[1:]):
            return None
        return IntentMatch(best.intent, best.slots, best.text, corrected=True)

    def _recognize(self, text: str) -> IntentMatch | None:
        result = recognize_best(text, self._intents, slot_lists=self._slot_lists, skip_words=self._skip_words,
                                intent_context=self._context, language=self.language, best_metadata_key=PRIORITY)
        if result is None or self._name_alone(result, text):
            return None   # a device's name alone ("The living room lamp.") says nothing about what to do with it
        free = frozenset(word for entity in result.entities.values() if entity.is_wildcard
                         for word in WORD.findall(str(entity.text).lower()))
        return IntentMatch(result.intent.name, _slots(result), text, free_words=free)

    def _name_alone(self, result: RecognizeResult, text: str) -> bool:
        """Is this device command a name and nothing else ("The living room lamp.", which the library reads
        as "turn it on")? Said alone it is a reply or the rest of a sentence cut by a pause, not an order:
        "Turn off the | living room lamp" must not turn the lamp on."""
        if result.intent.name not in DEVICE_INTENTS:
            return False
        if result.text_chunks_matched == 0:
            return True
        name = result.entities.get("name")
        if name is None:
            return False
        rest = set(WORD.findall(text.lower())) - set(WORD.findall(str(name.text).lower()))
        return rest <= ARTICLES | self._skippable

    def _unknown_device(self, text: str) -> IntentMatch | None:
        """A device command naming something not configured: say so rather than guess another action."""
        if not DEVICE_WORDS.search(text):   # the slow unmatched search only where a device command could be
            return None
        ranked = recognize_ranked(text, self._intents, slot_lists=self._slot_lists, skip_words=self._skip_words,
                                  intent_context=self._context, language=self.language, allow_unmatched_entities=True)
        # (this device has no floors: a parse that puts words in the library's floor slot was not what was said,
        # "Turn on the floor heater" as a light's colour "heater" "on the" floor)
        # nor one that opens on a name of no device's kind, with a room that is no room ("Sledge on the bedroom
        # pan" as a scene "sledge" in a room "the bedroom pan"): a sentence misheard, for the reading to find
        result = next((r for r in ranked if r.intent.name in DEVICE_INTENTS and "floor" not in r.unmatched_entities
                       and not self._opens_on_two_unknowns(r, text)), None)
        if result is None or result.text_chunks_matched < 1 or self._free_text_as_room(result):
            return None
        # (the words one addresses the device by are no name's: "Turn off, ma'am. Hallway light,")
        # (nor is a closing "please": "Turn off the heater please.")
        words = " ".join(without_trailing_strays([word for word in unmatched_device_words(text, result).split()
                                                  if word.strip(".,!?") not in ADDRESSES], NAME_TRAILERS))
        if len(words.split()) > 1 and words.split()[0] in DEMONSTRATIVES:   # "that coffee machine": the name follows
            words = words.split(" ", 1)[1]
        if not words or len(words.split()) > 4 or words.split()[0] in PRONOUNS or set(words.split()) <= ARTICLES:
            return None
        # "turn <name>" with no "on" is the library's "run a script", which this device has none of: only a
        # name with a word of a device's or a room's in it may be a command cut off ("Turned the porch. | Light off")
        unfinished_turn = result.intent.name == "HassTurnOn" and bool(TURN_VERB.search(text)) and not ON_WORD.search(text)
        if unfinished_turn and not set(words.split()) & self._device_vocabulary:
            return None   # "Turn the page."
        words = POSSESSIVE.sub("", words)   # "the kitchen life's brightness"
        # only a light is dimmed: "I'm bored" is not "dim the bored"; a thing a home has ("Turn up the heater")
        # is refused by name, never left to the LLM, which may turn up something else
        if (result.intent.name in BRIGHTNESS_INTENTS and words.split()[-1] not in LIGHT_NAME_ENDS
                and singular(words.split()[-1]) not in DEVICE_NOUNS and self._directory.find(words) is None):
            return None
        # "ok so set", "off his lines": a mis-parse, not a name; but "the guard and sprinkler" names two things
        if set(words.split()) & NOT_IN_NAMES and not _two_names(words):
            return None
        if re.search(r"[\d%]", words):
            return None   # an amount ("15%") is no name
        if words.split()[0] in NOT_A_DEVICE_OPENINGS or words == "sound":   # ("sound bar" may be one)
            return None
        if len(words) >= len(text.strip(" .,!?")) * 0.8:   # the whole sentence taken as a name: no template fits
            return None
        words = self._without_a_leading_verb(words)
        # "Sent to a brand timer," as a light called "set" put to a colour: the verb is no name ("Turn on." is
        # still refused by its verb rather than left to the LLM, which may turn on anything)
        if words in COMMAND_VERBS and result.intent.name not in ("HassTurnOn", "HassTurnOff"):
            return None
        if self._verb_taken_for_a_name(words, text):
            return None
        known = self._known_after_a_misheard_verb(words, text)
        if not known and self._ends_in_a_known_name(words) and self._directory.named_with_lights(words) is None:
            return None   # "tim with floor lamp": the floor lamp, with words before it no reading of a verb explains
        # a name heard a little wrong ("the bedroom pan") is a whole name: nothing of it waits for a rest
        named_like_one = bool(known) or words.split()[-1] in self._name_ends or self._directory.find(words) is not None
        if not named_like_one and (noun := self._noun_heard_after_a_room(words)):
            words, named_like_one = f"{words.rsplit(' ', 1)[0]} {noun}", True   # "the garage geater": the garage heater
        # "Turned the porch." before a pause: no device is called "porch", the rest ("light off") may be coming;
        # "Turn the dishwasher off." went on after the name, so nothing of it was cut off
        name = bare_words(words.replace("-", " ").split())
        ends_the_sentence = bare_words(text.replace("-", " ").split())[-len(name):] == name
        return IntentMatch(result.intent.name, _slots(result), text, unknown_name=known or words, corrected=bool(known),
                           tentative=unfinished_turn or (not named_like_one and ends_the_sentence),
                           named_like_a_device=named_like_one)

    def _verb_taken_for_a_name(self, name: str, text: str) -> bool:
        """Does the unknown name hold the sentence's first word, a word no command knows, where it stands right
        before "on" or "off"? That is the verb heard as another word, not a name ("Sleach on the bedroom",
        seed 877's "Switch on the bedroom fan." in noise, was refused as a "bedroom switch")."""
        bare = bare_words(text.split())
        first = self._first_word(bare)
        return (first is not None and first + 1 < len(bare) and bare[first + 1] in ("on", "off")
                and bare[first] not in self._vocabulary and bare[first] in name.split())

    def _noun_heard_after_a_room(self, words: str) -> str:
        """The one word a device's name ends in that the last word sounds like, after a room ("garage geater":
        heater), for the refusal to name; "" otherwise. Only after a room: alone, a word a sound from "fan" or
        "lamp" is any word. Never where it sounds like one of this device's own ("garage gear" beside the
        garage door): that may be ours heard wrong, for the reading within the commands to find."""
        name = words.split()
        if len(name) < 2 or name[-2] not in ROOMS | set(self._directory.areas()):
            return ""
        alike = {end for end in self._name_ends if one_sound_apart(name[-1], end)}
        if alike & self._own_name_ends:
            return ""
        return alike.pop() if len(alike) == 1 else ""

    def _opens_on_two_unknowns(self, result: RecognizeResult, text: str) -> bool:
        """Does the parse take the sentence's first words (no verb before them) for a name that ends in no word
        a device's name ends in, and put words that are no room in the room slot?"""
        unmatched = result.unmatched_entities
        if "area" not in unmatched or "name" not in unmatched:
            return False
        name = WORD.findall(str(unmatched["name"].text).lower())
        opening = WORD.findall(self.without_fillers(text).lower())[:len(name)]
        return not name or opening == name and name[-1] not in self._name_ends

    def _ends_in_a_known_name(self, words: str) -> bool:
        """Do the words end in the whole spoken name of one of this device's devices, with more before it?"""
        name = words.split()
        return any(len(name) > len(spoken) and name[-len(spoken):] == spoken
                   for device in self._directory.devices for spoken in (called.split() for called in device.spoken_names()))

    def _like_one_of_ours(self, found: IntentMatch) -> bool:
        """Does an unknown name end in the word one of this device's own devices ends in ("gryce door" beside the
        garage door), so that it may be that device heard wrong?"""
        last = singular(found.unknown_name.split()[-1]) if found.unknown_name else ""
        return bool(last) and not found.corrected and any(
            singular(spoken.split()[-1]) == last for device in self._directory.devices for spoken in device.spoken_names())

    def _free_text_as_room(self, result: RecognizeResult) -> bool:
        """A name and a room both unknown, the room no room and longer than the name ("Set on an time-aphorsing
        spirit": a scene called "set" in a room called "an time aphorsing spirit"): free text the template
        took, not a command. (A word before the name is no matter: "Is the garage heater on?"; nor is a "room"
        holding a word for a device, which was the device: "Sledge on the Google Pump.")"""
        area, name = result.unmatched_entities.get("area"), result.unmatched_entities.get("name")
        if area is None or name is None:
            return False
        words = re.findall(r"[a-z]+", area.text.lower())
        meaningful = ROOMS | set(self._directory.areas()) | DEVICE_NOUNS
        return not {singular(word) for word in words} & meaningful and len(words) > len(str(name.text).split())

    @staticmethod
    def _without_a_leading_verb(name: str) -> str:
        """An unknown name without the command verb it opens with: the verb-less template ("<name> to <n>
        percent") takes "dim the hallway light" whole, and the answer must name the hallway light."""
        first, _, rest = name.partition(" ")
        if first in LEADING_PREPOSITIONS and rest:   # "Opened in office chains": the verb's stray tail
            return rest
        if first not in COMMAND_VERBS or not rest:
            return name
        rest_words = rest.split()
        return " ".join(rest_words[1:]) if rest_words[0] in ARTICLES and len(rest_words) > 1 else rest

    def _known_after_a_misheard_verb(self, name: str, text: str) -> str:
        """The known device in an unknown name that is the sentence's first word and then that device:
        "Then the floor lamp to ten percent" is "dim" heard as "then", a word the verb-less template
        ("<name> to <n> percent") took for part of the name. "" otherwise, and for a first word that
        starts a question or a negation ("Was the floor lamp on?")."""
        first, _, rest = name.partition(" ")
        bare = bare_words(text.split())
        start = self._first_word(bare)
        if not rest or start is None or bare[start] != first or first in NOT_A_VERB:
            return ""
        return rest if self._directory.find(rest) is not None else ""

    def _corrections(self, text: str, tries: int = 8) -> list[tuple[float, str, frozenset[str]]]:
        """`text` with its words found in no template (one or two) replaced by template words that look or
        sound like them ("inute": mute, "said": set, "burn ... life": turn ... light), and with two
        neighbours heard as one word joined ("time or": timer), each with how close it is (the mean of its
        replacements' scores) and the unknown words it kept as heard (a timer's name: "said a rice timer").
        More unknown words would be guessing, not mending."""
        words = text.lower().replace("-", " ").split()
        bare = bare_words(words)
        # a possessive is mended by its word ("the kitchen life's brightness": light's)
        # (before an article it is no one's: "Penn's the garage door." is a clipped "Open the", read as "Penn")
        unowned = {i for i, word in enumerate(bare) if word.endswith("'s") and len(word) >= 4
                   and word not in self._vocabulary and bare[i + 1:i + 2] and bare[i + 1] in ARTICLES}
        owners = {i for i, word in enumerate(bare) if word.endswith("'s") and len(word) >= 4
                  and word not in self._vocabulary and word[:-2] not in self._vocabulary} - unowned
        stems = [word[:-2] if i in owners | unowned else word for i, word in enumerate(bare)]
        unknown = [i for i, word in enumerate(stems) if len(word) >= 2 and word.isalpha()
                   and word not in self._vocabulary and word not in self._skippable]
        found: list[tuple[float, str, frozenset[str]]] = []
        if 1 <= len(unknown) <= MAX_MENDED_WORDS:
            first = self._first_word(bare)
            # never mended into a filler after the first word: that drops a word heard, likely a name's ("Turn
            # the wheel pamp on." read as "the well lamp", every lamp's "the lamp", turned a lamp on; seed 607)
            options: list[list[tuple[str, float | None]]] = [
                [option for option in self._look_alikes(stems[i], tries if len(unknown) == 1 else 3, first=i == first)
                 if (i == 0 or option[0] not in FILLERS) and same_room(stems[i], option[0])] for i in unknown]
            if len(unknown) > 1:   # one of two may be a name said as it is ("said a rice timer": set, rice)
                options = [[*choices, (words[i], None)] for i, choices in zip(unknown, options)]
            spoken = [word for word in bare if word and word not in self._skippable]
            for combination in itertools.product(*options):
                scores = [score for _, score in combination if score is not None]
                if not scores or len(spoken) > 1 and len(scores) == len(spoken):
                    continue   # every word replaced is a sentence invented: "Good night" is no "quiet right"
                mended = list(words)
                for index, (candidate, _) in zip(unknown, combination):
                    mended[index] = candidate + ("'s" if index in owners and not candidate.endswith("s") else "")
                kept = frozenset(bare[i] for i, (_, score) in zip(unknown, combination) if score is None)
                found.append((sum(scores) / len(scores), " ".join(mended), kept))
        if not unknown:
            found += self._onset_mended(words, bare, questions=True)
        for index in range(len(words) - 1):   # "time or" -> "timer": one word heard as two
            if index in unknown or index + 1 in unknown:
                joined = bare[index] + bare[index + 1]
                for candidate in difflib.get_close_matches(joined, self._vocabulary, n=2, cutoff=JOINED_CUTOFF):
                    if len(joined) > len(candidate) + 1:   # "lamb brightness" is no "brightness"
                        continue
                    score = difflib.SequenceMatcher(None, joined, candidate).ratio()
                    found.append((score, " ".join(words[:index] + [candidate] + words[index + 2:]), frozenset()))
        return sorted(found, key=lambda item: -item[0])[:tries * 2]

    def _onset_mended(self, words: list[str], bare: list[str],
                      questions: bool = False) -> list[tuple[float, str, frozenset[str]]]:
        """`words` with a first word that is a known word but no command verb read as the verbs it is with
        its first consonants lost: what is left of "set" or "shut" is "at", a word the recogniser knows
        ("At the basement light to forty percent"), of "dim" "I'm"; with `questions`, also "what" ("At
        time, is it?"), and "how" lost whole before "much", "many" or "long" ("Much time is left on my
        timer?"). Only that pattern: a first word merely like a verb is left to the sentence as heard."""
        first = self._first_word(bare)
        if first is None:
            return []
        heard = bare[first]
        if questions and heard in HOW_LOST_BEFORE:
            return [(ONSET_LOST, " ".join(words[:first] + ["how"] + words[first:]), frozenset())]
        if heard in COMMAND_VERBS or heard in NOT_A_VERB or not heard.replace("'", "").isalpha():
            return []   # "you'd" and "I'm" may be clipped verbs; "don't" and "it" never are
        return [(ONSET_LOST, " ".join(words[:first] + [verb] + words[first + 1:]), frozenset())
                for verb in (ONSET_LOST_WORDS if questions else COMMAND_VERBS) if onset_lost(heard, verb)]

    def without_fillers(self, text: str) -> str:
        """`text` without the fillers it opens with ("So, um, do you know ...")."""
        words = text.split()
        first = self._first_word(bare_words(words))
        return text if first is None else " ".join(words[first:])

    def _first_word(self, bare: list[str]) -> int | None:
        """Index of the first word that is not a filler (bare: lower case, no punctuation)."""
        return next((i for i, word in enumerate(bare) if word not in self._skippable), None)

    def verb_readings(self, text: str) -> list[str]:
        """`text` with its first word read as the command verb it may be ("Said an alarm for noon": set), for
        sentences matched apart from the library (respond/alarms.py)."""
        return [candidate for candidate, _ in self._verb_mended(self.without_fillers(text))]

    def _verb_mended(self, text: str) -> list[tuple[str, bool]]:
        """`text` with its first word, when no template knows it, read as the command verb it is closest to;
        when it is a known word, as the verbs it is with its first consonants lost ("At": set, shut), each
        with whether the unknown device it names must end like a device name does ("basement light", not
        "two" of "At two": a known first word is weaker evidence of a command)."""
        words = text.split()
        bare = bare_words(words)
        first = self._first_word(bare)
        if first is None:
            return []
        if (heard := bare[first]) in NOT_A_VERB:
            return []
        if heard in self._vocabulary:
            return [(candidate, True) for _, candidate, _ in self._onset_mended(words, bare)]
        verbs = verb_likeness(heard)
        best = max(verbs, key=verbs.__getitem__)
        # a verb heard only by its sounds with its first consonant lost ("had": shut) is weak evidence too
        by_sound_only = heard[:1] not in _ONSET_VOWELS and difflib.SequenceMatcher(None, heard, best).ratio() < MEND_CUTOFF
        return [(" ".join(words[:first] + [best] + words[first + 1:]), by_sound_only)] if verbs[best] >= MEND_CUTOFF else []

    def _look_alikes(self, heard: str, tries: int, first: bool = False) -> list[tuple[str, float]]:
        """Template words like `heard`, closest first; a sentence's first word is also compared with every
        command verb, since a command starts with one and its first sound is the one most often lost
        ("earn the porch lights on")."""
        scores = {candidate: difflib.SequenceMatcher(None, heard, candidate).ratio()
                  for candidate in difflib.get_close_matches(heard, self._vocabulary, n=tries, cutoff=0.6)}
        if first:
            scores.update({verb: ratio for verb, ratio in verb_likeness(heard).items() if ratio >= 0.6})
            # a question's "what" with its first sound lost, as a word no template knows ("Hut can I ask you?")
            scores.update({word: max(scores.get(word, 0.0), ONSET_LOST) for word in ONSET_LOST_QUESTION_WORDS
                           if onset_lost(heard, word)})
        for candidate in self._sounds.get(sound_of(heard), [])[:tries]:
            scores[candidate] = max(scores.get(candidate, 0.0), SOUNDS_ALIKE)
        if heard.endswith("ed") and len(heard) > 4:   # a verb written in the past: "Resimmed" is "resumed", not "reset"
            scores = {candidate: max(score, difflib.SequenceMatcher(None, heard, _past(candidate)).ratio())
                      if candidate in COMMAND_VERBS else score for candidate, score in scores.items()}
        return sorted(scores.items(), key=lambda item: -item[1])[:tries]


SWITCHED_AFTER_WHICH = {"on": "on", "off": "off", "of": "off"}
"""What "switch" is followed by when the recogniser wrote it "which" (its "s" lost: "witch" and "which" sound
the same), "off" heard as "of" too."""


def _opens_an_order(bare: list[str]) -> bool:
    """Do these words (bare) open an order: a command verb, or "never mind", which has none?"""
    return bool(bare) and (bare[0] in COMMAND_VERBS or bare[0] == "nevermind" or bare[:2] == ["never", "mind"])


def _switch_heard_as_which(text: str) -> str:
    """ "switch on/off the ..." for a sentence that opens "Which on the", "Which, of the" or "Which off my"
    (no question opens so: "Which of the lights are on?" names no device plainly), "" otherwise."""
    words = text.split()
    bare = bare_words(words)
    if len(bare) < 4 or bare[0] != "which" or bare[1] not in SWITCHED_AFTER_WHICH or bare[2] not in ("the", "my"):
        return ""
    return " ".join(["switch", SWITCHED_AFTER_WHICH[bare[1]], *words[2:]])


def _past(verb: str) -> str:
    return verb + ("d" if verb.endswith("e") else "ed")


_UNVOICED = str.maketrans("J", "X")


def sound_of(word: str) -> str:
    """A word's metaphone key, voiced and unvoiced affricates alike (metaphone already folds d/t, g/k, z/s
    and v/f; this folds "dge" and "ch"): STT's "porridge" for "porch". Not b/p: "bees" is no "pause"."""
    return jellyfish.metaphone(word).translate(_UNVOICED)


def _two_names(words: str) -> bool:
    """Are the words two things named, one or two words each, joined by "and" ("guard and sprinkler")?"""
    parts = [[word for word in part.split() if word not in ARTICLES] for part in words.split(" and ")]
    return len(parts) == 2 and all(1 <= len(part) <= 2 and not set(part) & NOT_IN_NAMES for part in parts)


def same_room(heard: str, mended: str) -> bool:
    """May a word heard be mended into this one, as far as rooms go? A room's word is a room said: mended only
    into a word for the same room, one within the other ("hallway" as "hall"), never into another room ("Twitch on
    the bathroom fan." is no bedroom fan, seed 853)."""
    return heard not in ROOMS or mended in heard or heard in mended


def rooms_in(text: str) -> set[str]:
    """The words for rooms `text` holds."""
    return set(re.findall(r"[a-z]+", text.lower())) & ROOMS


def rooms_kept(heard: str, read: str) -> bool:
    """Does `read` name every room `heard` named, each as itself or a word for the same room?"""
    read_rooms = rooms_in(read)
    return all(any(same_room(room, other) for other in read_rooms) for room in rooms_in(heard))


def without_hums(text: str) -> str:
    """`text` without the words that are hums ("m", "mm", "mhm"), unless nothing else is left."""
    kept = [word for word in text.split() if not HUM.fullmatch(word.strip(".,!?;:\"").lower())]
    return " ".join(kept) if kept else text


def bare_words(words: list[str]) -> list[str]:
    """`words` in lower case without the punctuation STT writes around them."""
    return [word.strip(".,!?;:\"").lower() for word in words]


def verb_likeness(heard: str) -> dict[str, float]:
    """How alike `heard` is to each command verb (difflib's ratio, as every other mend), ONSET_LOST when it
    sounds like the verb without its first consonants, or SOUNDS_ALIKE when it sounds the same ("said": set)."""
    heard_sound = sound_of(heard)
    return {verb: max(difflib.SequenceMatcher(None, heard, verb).ratio(),
                      ONSET_LOST if onset_lost(heard, verb) else 0.0,
                      SOUNDS_ALIKE if heard_sound and heard_sound == _VERB_SOUNDS[verb] else 0.0)
            for verb in COMMAND_VERBS}


_VERB_SOUNDS = {verb: sound_of(verb) for verb in COMMAND_VERBS}

_VOWELS = "aeiouy"
_ONSET_VOWELS = "aeiou"   # a first "y" is a consonant: "yes"


def onset_lost(heard: str, verb: str) -> bool:
    """Is `heard` `verb` with its first sound lost? A command's first sound is the one a late-opening
    microphone or VAD most often clips. Either `heard` starts with a vowel and has the same consonants as the
    verb after its first consonants, whatever the vowels ("urn", "earn": turn; "ute": mute; "itch": switch;
    "I'm": dim), with a "you" heard for the verb's "u" ("you'd": mute); or the verb opens with two consonants
    and `heard` sounds like it without the first ("tired": tart, start; "which": witch, switch)."""
    heard = heard.replace("'", "")
    if verb[0] in _VOWELS or not heard:
        return False
    if heard.startswith(("you", "yu")) and verb.lstrip("bcdfghjklmnpqrstvwxz").startswith("u"):
        heard = "u" + heard[3 if heard.startswith("you") else 2:]   # "you'd" said for "ute": mute
    if heard[0] in _ONSET_VOWELS:
        rest = verb.lstrip("bcdfghjklmnpqrstvwxz")
        skeleton = _consonants(heard)
        return bool(skeleton) and len(rest) >= 2 and skeleton == _consonants(rest)
    clipped = verb[1:]
    return verb[1] not in _VOWELS and len(clipped) >= 3 and sound_of(heard) == sound_of(clipped)


def _consonants(word: str) -> str:
    """The consonants of `word`, "d" and "t" as one (STT writes "you'd" for "ute")."""
    return "".join(ch for ch in word if ch not in _VOWELS).replace("d", "t")


def dropped_words(text: str) -> list[str]:
    """`text` without one of its short words that STT inserts on its own ("Unmute to the speaker"), or with
    a pronoun STT writes for an unstressed "the" read as "the" ("Raise her volume")."""
    words = text.split()
    variants = [" ".join(words[:i] + words[i + 1:]) for i, word in enumerate(words)
                if word.strip(".,!?;:").lower() in STRAY_WORDS and len(words) > 2]
    variants += [" ".join(words[:i] + ["the"] + words[i + 1:]) for i, word in enumerate(words)
                 if word.strip(".,!?;:").lower() in ("her", "his")]
    return variants


def without_trailing_strays(name: list[str], strays: frozenset[str] = TRAILING_STRAYS) -> list[str]:
    """An unknown device's name without the short words STT wrote after it for the name's last sounds
    ("switch off the space key to" for "space heater"): a name ends in a noun, never in "to" or "the"."""
    while len(name) > 1 and name[-1].strip(".,!?;:").lower() in strays:
        name = name[:-1]
    return name


def after_commas(text: str, min_words: int = 3) -> list[str]:
    """What follows each comma, when it is a sentence of its own: a false start before it ("Come, come, can
    you set a timer...") is dropped."""
    parts = text.split(",")
    tails = [",".join(parts[index:]).strip() for index in range(1, len(parts))]
    return [tail for tail in tails if len(tail.split()) >= min_words]


def _verb_heard_as_not(text: str) -> str:
    """ "turn off the" for a word or two and "not from" before "the" or "a" and a name ("So not from the
    hallway light", "Though not from a maverung fan."), "turn on the" for them and "not" alone ("They're not
    the hallway lamp."): the sounds of "turn on"/"turn off" the recogniser writes so; "" otherwise (a
    question's "Is it not the ..."). Taken only for a name plainly a device's that this device does not have:
    a refusal's verb is no matter, and a name of ours heard wrong is read again from the audio."""
    said = NOT_FOR_THE_VERB.match(text)
    if said is None or set(bare_words(said.group(1).split())) & (QUESTION_STARTS - {"do"}):
        return ""
    return f"turn {'off' if said.group(2) else 'on'} the {text[said.end():]}"


def rephrased(text: str) -> str:
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    return text


def restarts(text: str) -> list[str]:
    """The sentence as it would read had the speaker not restarted it, latest restart last: "Mute the, mute
    the speaker" gives "mute the speaker"; "Oh, never, oh, never mind" gives "never, oh, never mind" then
    "never mind". A restart repeats the words it begins with, after a comma or straight away."""
    words = text.split()
    found: list[str] = []
    for start in range(1, len(words)):
        head = [_stem(w.strip(",.!?").lower()) for w in words[:start]]
        rest = [_stem(w.strip(",.!?").lower()) for w in words[start:]]
        after_comma = words[start - 1].endswith((",", "?"))   # "Can you? Can you set an alarm ..." (seed 1049)
        repeats = rest[:len(head[-2:])] == head[-2:] or rest[:1] == head[:1]
        # without a comma: the same words again, or the first word again after a word or two that STT
        # wrote, unbroken, for the rest of the false start ("What's though what's the date")
        unbroken = len(head) <= 2 and not any(word[-1:] in ",.!?" for word in words[:start])
        restarted = rest[:len(head)] == head or (unbroken and rest[:1] == head[:1] and head[0] not in FILLERS)
        if after_comma and repeats or (not after_comma and restarted) or start == 1 and _run_together(head[0], rest):
            found.append(" ".join(words[start:]))
    return found


def _run_together(first: str, rest: list[str]) -> bool:
    """Is the first word the sound of the words that follow it begin with, written as one ("Seddon set an alarm
    for half-past six.": a false start, "Set an, set an alarm", run together; seed 739)?"""
    key = jellyfish.metaphone(first)
    return len(rest) >= 3 and len(key) >= 3 and any(
        jellyfish.metaphone("".join(rest[:count])) == key for count in (1, 2))


def _stem(word: str) -> str:
    """A verb without the ending STT gives a false start ("Turned the, turn the volume down": "turn")."""
    for ending in ("ed", "ing"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


def unmatched_device_words(text: str, result: RecognizeResult) -> str:
    """The words that named the missing device: an unknown name ("garage heater"), or an unknown room with
    the noun said after it ("hallway lamp"), or an unknown kind ("front gate"). (The parser reads a hyphen as a
    space: "the guest-room lamp" leaves "guest room" unmatched, whose noun follows in the text read so.)"""
    lowered = text.lower().replace("-", " ")
    for key in ("name", "device_class", "area"):
        unmatched = result.unmatched_entities.get(key)
        if unmatched is None:
            continue
        words = unmatched.text.strip(" .,!?").lower()
        if key == "area":
            after = lowered[lowered.find(words) + len(words):].split() if words in lowered else []
            noun = after[0].strip(".,!?") if after else ""
            words = f"{words} {noun}" if noun and noun not in ("on", "off", "to", "up", "down", "please") else words
        area = result.entities.get("area")
        if key != "area" and area is not None and area.value != "here":
            words = f"{area.text.strip()} {words}"
        return words
    return ""


def asked_which(choices: list[str], text: str) -> IntentMatch:
    """A question between readings that mean otherwise, for `text`: the words or the audio do not say which,
    so the device asks and never guesses."""
    return IntentMatch("ambiguous", {"choices": choices}, text, corrected=True)


SAME_DEED = {"HassGetCurrentTime": "action:get_time", "HassGetCurrentDate": "action:get_date"}
"""Home Assistant's intents that the device's own sentences also say ("whats today's date" and "what's today's
date" are one question, seed 601 asked which of them was meant)."""


def meaning(match: IntentMatch) -> tuple[str, dict[str, Any]]:
    """What a match asks for: its intent (one name for intents that do the same) and slots, without a timer's
    "name" that is only an article ("start a timer" read with "a" as the name means the same as "start timer")."""
    slots = {key: value for key, value in match.slots.items()
             if not (key in ("label", "name") and set(str(value).lower().split()) <= ARTICLES)}
    return SAME_DEED.get(match.intent, match.intent), slots


def _slots(result: RecognizeResult) -> dict[str, Any]:
    slots = {name: entity.value for name, entity in result.entities.items()}
    if result.intent.name == "HassRespond" and result.response:   # which answer: "hello", "data", "listening"
        slots["response"] = result.response
    return slots


def _device_words(directory: DeviceDirectory) -> set[str]:
    return {word for device in directory.devices for spoken in (*device.spoken_names(), device.area)
            for word in WORD.findall(spoken)}
