"""What a question asks for: its content terms, and the kind of fact the answer must contain.

"How much is a ticket?" expects a price, "When do you open?" a time or a day, "What's the Wi-Fi password?"
a code. A sentence without that kind of fact does not answer, however many words it shares; and the words
that only name the kind ("cost", "open", "hours") count as found when the sentence carries such a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .terms import CONCEPT_PREFIX, TermMaker, fold


class Expects(Enum):
    CODE = "code"
    NAME = "name"
    PRICE = "price"
    TIME = "time"
    NUMBER = "number"
    PLACE = "place"
    ANY = "any"


_ASKS = (  # first match wins
    (Expects.CODE, r"\b(password|passcode|pass code|code|pin|ssid|network name|wi-?fi name|login)\b"),
    (Expects.NAME, r"\b(called|named|name of|what's the name|what is the name)\b"),
    (Expects.NUMBER, r"\bhow much (?!(is|are|was|does|do|did|would|will|for|to|it|a|an|the|i|we|you)\b)\w+"),
    (Expects.PRICE, r"\b(how much|cost|costs|price|prices|fee|fees|pay (for|to)|charge for|expensive|cheap|cheaper|"
                    r"discount|discounts|reduced|reduction|for free)\b|\b(is|are|it's|be)(\s+\w+){0,3}\s+free\b|"
                    r"\bfree\s+(to|for|of|entry|admission|tickets?)\b"),
    (Expects.TIME, r"^(so |and |but |ok |okay )?when\b|\bwhen('s| (do|does|is|are|will|can|should|did|would))\b|"
                   r"\b(what time|hours|open|opens|opening|close|closes|closing|how late|how early|"
                   r"until when|start|starts|begin|begins|last entry|morning|evening|afternoon|night|tonight)\b"),
    (Expects.NUMBER, r"\b(highest|lowest|maximum|minimum|max|min|most|least|biggest|smallest|longest|shortest|"
                     r"hottest|coldest|warmest|fastest|heaviest|how many|how long|how often|how old|how far|how big|how heavy|number|phone|call|age|minimum)\b"),
    (Expects.PLACE, r"\b(where|which floor|what floor|which level|what level|how do i get to|way to|located|"
                    r"location|directions?|nearest|closest)\b"),
)
_KIND_WORDS = {
    Expects.CODE: "code pin",
    Expects.PRICE: "how much cost price fee pay charge expensive cheap cheaper discount reduced reduction",
    Expects.NAME: "called named name",
    Expects.TIME: "what time hours open opening close closing late early start begin morning evening afternoon night",
    Expects.NUMBER: "how many long often number highest lowest maximum minimum max min most least biggest "
                    "smallest longest shortest hottest coldest warmest fastest heaviest",
    Expects.PLACE: "located location directions nearest closest way",
}
_TIME = re.compile(r"\b\d{1,2}(:\d\d|\.\d\d)?\s?(a\.?m\.?|p\.?m\.?)(?!\w)|\b\d{1,2}[:.]\d\d\b|\bnoon\b|\bmidnight\b|"
                   r"\bo'clock\b|\b24 hours\b|\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\bclosed\b|\bdaily\b|"
                   r"\bevery day\b|\bweekends?\b|\bweekdays?\b|\b\d{1,2}\s?(-|–|to)\s?\d{1,2}\b|\bholidays?\b|"
                   r"\bhalf past\b|\bquarter (past|to)\b|\b\d+ minutes? (before|after)\b", re.IGNORECASE)
_PRICE = re.compile(r"[$£€¥]\s?\d|\d\s?(dollars?|euros?|pounds?|cents?|pence|usd|eur|gbp|chf)\b|(?<!-)\bfree\b|"
                    r"\bno charge\b|\bincluded\b|\bcomplimentary\b|\bat no cost\b", re.IGNORECASE)
_CODE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{4,}|\b[A-Z]?[a-z]+[A-Z]\w*|[\"“][^\"”]{3,}[\"”]|"
                   r"(?i:\b(password|passcode|code|pin|network|network name|ssid|login)\b[^.]{0,40}(\bis|:)\s+\S+)")
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                     r"thirty|forty|fifty|sixty|hundred|thousand|dozen|half)\b", re.IGNORECASE)
_PLACE = re.compile(r"\b(floor|level|left|right|next to|beside|behind|opposite|across|near|by the|past the|"
                    r"end of|corner|ground|upstairs|downstairs|basement|entrance|exit|room|hall|wing|corridor|"
                    r"north|south|east|west|gate|platform|inside|outside|outdoors|"
                    r"between|above|below|straight|turn|follow|signs?|desk|lobby|atrium|terrace|street|lane|"
                    r"road|walk|minutes? away)\b", re.IGNORECASE)
_NAME = re.compile(r"[\"“][^\"”]{2,}[\"”]|\b[A-Z]?[a-z]+[A-Z]\w*|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{4,}|"
                   r"(?i:\b(called|named|name is|name:))\s+\S+")
_FACT_PATTERNS = {Expects.CODE: _CODE, Expects.NAME: _NAME, Expects.PRICE: _PRICE, Expects.TIME: _TIME, Expects.NUMBER: _NUMBER,
                  Expects.PLACE: _PLACE}


@dataclass(frozen=True)
class Question:
    text: str
    terms: tuple[str, ...]
    """Distinct content terms, synonyms merged into their concept."""
    expects: Expects
    kind_terms: frozenset[str]
    """Terms that only say what kind of fact is wanted; a sentence with such a fact covers them."""
    words: tuple[str, ...] = ()
    """Stems of the words as said, synonyms not merged: a sentence with the very words is preferred."""

    @property
    def topic_terms(self) -> tuple[str, ...]:
        return tuple(term for term in self.terms if term not in self.kind_terms)


def analyse_question(text: str, terms: TermMaker) -> Question:
    folded = fold(text)
    expects = next((kind for kind, pattern in _ASKS if re.search(pattern, folded)), Expects.ANY)
    content = tuple(dict.fromkeys(terms.terms(text, merge_synonyms=True)))
    kind_terms: frozenset[str] = frozenset()
    if expects is not Expects.ANY:
        kind_terms = frozenset(terms.terms(_KIND_WORDS[expects], merge_synonyms=True))
    words = tuple(dict.fromkeys(term for term in terms.terms(text) if not term.startswith(CONCEPT_PREFIX)))
    return Question(text, content, expects, kind_terms, words)


def carries(sentence: str, expects: Expects) -> bool:
    """Whether `sentence` holds the kind of fact the question wants (any sentence, for ANY)."""
    pattern = _FACT_PATTERNS.get(expects)
    return pattern is None or bool(pattern.search(sentence))


HARD_KINDS = frozenset({Expects.CODE, Expects.NAME, Expects.PRICE, Expects.TIME, Expects.NUMBER})
"""Kinds an answer must carry; a place is often said without a place word ("beside the shop" is, "in the
garden café" is), so its absence only lowers a sentence's score."""
