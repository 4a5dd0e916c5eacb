"""An LLM answer that only says the request back ("I'll open the front gate." for "I'll open the front
gate."): a small model does that with words it cannot make sense of, most often a mis-heard request, and the
user then hears their own words, or worse, what sounds like a promise nothing keeps. Such a sentence at the
start of an answer is not spoken; an answer that held nothing else becomes "Sorry, I didn't catch that."."""

from __future__ import annotations

import difflib
import re

WORD = re.compile(r"[\w']+")
NOT_COUNTED = frozenset({"um", "umm", "uh", "uhm", "er", "erm", "hmm", "ah", "oh", "okay", "ok", "so", "well"})
"""Fillers: neither the request's nor the answer's own words."""
MIN_WORDS = 3
"""Fewer words said back are a reply ("Good morning." to "Good morning."), not a repeat."""
MIN_SHARE = 0.5
"""A repeat covers at least this share of the request's words."""
SOCIAL = frozenset({"good", "morning", "afternoon", "evening", "night", "hello", "hi", "hey", "there", "thanks",
                    "thank", "you", "very", "much", "bye", "goodbye", "see", "later", "nice", "to", "meet", "too"})
"""Greetings and thanks are said back in kind."""
ASKS_FOR_WORDS = frozenset({"say", "repeat", "spell", "read", "echo", "pronounce"})
"""A request to say words gets them said."""
CLAUSE_ENDS = ",;"
"""A piece ending so may go on to answer; a colon ends a heading ("boil an egg:"), said back as much."""


def _words(text: str) -> list[str]:
    return [word for word in WORD.findall(text.lower()) if word not in NOT_COUNTED]


def says_the_request_back(sentence: str, request: str, last: bool = False) -> bool:
    """`sentence` (a whole sentence of the answer, or its `last` piece; not a clause ending at a comma that
    more may follow) is a run of the request's own words, at least three of them and at least half of the
    request."""
    if sentence.rstrip().endswith(tuple(CLAUSE_ENDS)) and not last:
        return False   # "The capital of Brazil," may go on to answer
    said, asked = _words(sentence), _words(request)
    if len(said) < MIN_WORDS or len(said) < MIN_SHARE * len(asked) or set(said) <= SOCIAL:
        return False
    if ASKS_FOR_WORDS & set(asked):
        return False
    return any(asked[start:start + len(said)] == said for start in range(len(asked) - len(said) + 1))


class RepeatFilter:
    """Passes an answer's sentences on, dropping those at its start that say the request back."""

    def __init__(self, request: str | None) -> None:
        self._request = request or ""
        self.dropped: list[str] = []
        self.kept: list[str] = []

    def keep(self, sentence: str, last: bool = False) -> bool:
        """Whether to speak `sentence`; `last`: it is what was left when the answer ended."""
        if not self.kept and self._request and says_the_request_back(sentence, self._request, last):
            self.dropped.append(sentence)
            return False
        self.kept.append(sentence)
        return True

    @property
    def only_repeated(self) -> bool:
        """Everything the answer held said the request back."""
        return bool(self.dropped) and not self.kept


LOOP_MIN_WORDS = 4
"""A shorter opening ("I'm not sure.") is said again for good reasons."""
LOOP_LIKENESS = 0.8
"""Word-sequence likeness (difflib's ratio) from which an opening counts as an earlier answer's again."""


def repeats_an_earlier_answer(opening: str, earlier_answers: list[str]) -> bool:
    """`opening` (an answer's first sentence or clause) is how one of `earlier_answers` began, word for word or
    nearly ("The number of hours in a day is 24." again, or "... is 2."). A small model that has said something
    odd once copies it into every later answer: "The number of hours in a day is 24." to "What do bees make?",
    then to the next question, and so on for as long as the history holds it."""
    said = _words(opening)
    if len(said) < LOOP_MIN_WORDS:
        return False
    for answer in earlier_answers:
        began = _words(answer)[:len(said)]
        if difflib.SequenceMatcher(None, said, began, autojunk=False).ratio() >= LOOP_LIKENESS:
            return True
    return False
