"""What a question asks for: its content terms, and the kind of fact the answer must contain (facts.py).

A sentence without that kind of fact does not answer, however many words it shares; and the words that only
name the kind ("cost", "open", "hours") count as found when the sentence carries such a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .facts import Expects
from .terms import CONCEPT_PREFIX, STOP_WORDS, TermMaker, fold, spoken_words

_ASKS = (  # first match wins
    (Expects.CODE, r"\b(password|passcode|pass code|code|pin|ssid|network name|wi-?fi name|login)\b"),
    (Expects.NAME, r"\b(called|named|name of|what's the name|what is the name)\b"),
    (Expects.PLACE, r"^(\w+ )?where\b"),  # a question opening with "where" asks for a place, whatever follows
    (Expects.COUNT, r"\bhow much (?!(is|are|was|does|do|did|would|will|for|to|it|a|an|the|i|we|you)\b)\w+|"
                    r"\bhow many\b"),
    (Expects.PHONE, r"\b(phone|telephone|contact|emergency|helpline|support|service) number\b|\bnumber (for|of)\b|"
                    r"\bwhat('s| is) (the|your|their) ([\w-]+ ){0,3}number\b"),
    (Expects.PRICE, r"\b(how much|cost|costs|price|prices|fee|fees|pay (for|to)|charge for|expensive|cheap|cheaper|"
                    r"discount|discounts|reduced|reduction|for free|fine|fines|penalty)\b|"
                    r"\b(is|are|it's|be)(\s+\w+){0,3}\s+free\b|\bfree\s+(to|for|of|entry|admission|tickets?)\b"),
    (Expects.TIME, r"^(so |and |but |ok |okay )?when\b|\bwhen('s| (do|does|is|are|will|can|should|did|would))\b|"
                   r"\b(what time|what day|which day|what days|which days|hours|open|opens|opening|close|closes|closing|"
                   r"how late|how early|latest|earliest|"
                   r"until when|start|starts|begin|begins|end|ends|finish|finishes|last entry|tonight)\b"),
    (Expects.DURATION, r"\b(how long|how often)\b"),
    (Expects.NUMBER, r"\b(highest|lowest|maximum|minimum|max|min|most|least|biggest|smallest|longest|shortest|"
                     r"hottest|coldest|warmest|fastest|heaviest|how old|how far|how big|how heavy|how fast|number|"
                     r"age)\b"),
    (Expects.PLACE, r"\b(where|which floor|what floor|which level|what level|how do (i|we) get to|way to|located|"
                    r"location|directions?|nearest|closest)\b"),
    (Expects.STEPS, r"\b(how (do|does|can|should|would) (i|we|you|the|it|this|they|these)|how to|"
                    r"what (do|should) (i|we) (do|need)|what if|what happens if)\b"),
)
_DISCOUNT = re.compile(r"\b(discount|discounts|cheaper|cheap|reduced|reduction|save|saving|savings|percent|off|deal)\b")
_AGE = re.compile(r"\b(\d{1,2}) years? old\b|\baged (\d{1,2})\b")
_AGE_CONCEPT = CONCEPT_PREFIX + "age"
_KIND_WORDS = {
    Expects.CODE: "code pin",
    Expects.PRICE: "how much cost price fee pay charge expensive cheap cheaper discount reduced reduction fine "
                   "penalty",
    Expects.NAME: "called named name",
    Expects.TIME: "what time day hours open opening close closing late latest early earliest start begin end finish "
                  "morning evening "
                  "afternoon night",
    Expects.COUNT: "how much how many",
    Expects.DURATION: "how long often",
    Expects.PHONE: "number",
    Expects.STEPS: "",
    Expects.NUMBER: "number highest lowest maximum minimum max min most least biggest "
                    "smallest longest shortest hottest coldest warmest fastest heaviest",
    Expects.PLACE: "located location directions nearest closest way",
}


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
    ages: frozenset[str] = frozenset()
    """Ages the question is about ("my 10 year old"): met only by a sentence covering that age."""
    quantities: frozenset[str] = frozenset()
    asks_discount: bool = False
    """"Is it cheaper online?": a percentage off answers it."""
    """Numbers said as quantities ("two adults"), not right after a word they are part of ("Pixel 8")."""

    @property
    def topic_terms(self) -> tuple[str, ...]:
        return tuple(term for term in self.terms if term not in self.kind_terms)


def analyse_question(text: str, terms: TermMaker) -> Question:
    folded = fold(text)
    expects = next((kind for kind, pattern in _ASKS if re.search(pattern, folded)), Expects.ANY)
    content = tuple(dict.fromkeys(terms.terms(text, merge_synonyms=True)))
    kind_terms: frozenset[str] = frozenset()
    if expects in _KIND_WORDS:
        kind_terms = frozenset(terms.terms(_KIND_WORDS[expects], merge_synonyms=True))
    words = tuple(dict.fromkeys(term for term in terms.terms(text) if not term.startswith(CONCEPT_PREFIX)))
    said = spoken_words(text)
    named = {number for before, number in zip(said, said[1:]) if number.isdigit() and before.isalpha()
             and before not in STOP_WORDS}
    ages = {match.group(1) or match.group(2) for match in _AGE.finditer(" ".join(said))}
    if ages:  # "my 10 year old": the age is what to look for ("Juniors (3 to 15)"), not the word "old"
        content = tuple(term for term in content if term != _AGE_CONCEPT)
    quantities = frozenset(term for term in content if term.isdigit() and term not in named | ages)
    asks_discount = bool(_DISCOUNT.search(folded))
    return Question(text, content, expects, kind_terms, words, frozenset(ages), quantities, asks_discount)
