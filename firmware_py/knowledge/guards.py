"""Why a sentence that shares the question's words still does not answer it.

A price, a time or a place belongs to its sentence's subject ("Dogs are welcome in rooms for $25" is no room's
price); a sentence naming the opposite of what was asked ("short-stay" for "long stay") is about the other
thing; a price for a lost or spare one is not the thing's own.
"""

from __future__ import annotations

from .facts import Expects
from .index import IndexedPassage
from .question import Question
from .synonyms import ANTONYMS
from .terms import CONCEPT_PREFIX, DAYS, SEASONS, stem

_ATTRIBUTES = frozenset(CONCEPT_PREFIX + name for name in (
    "ticket", "price", "hours", "book", "return", "card", "cash", "child", "student", "senior", "extra", "fine"))
"""Concepts that say something about a thing (its ticket, price, hours) rather than name a facility."""
_QUALIFIERS = frozenset({CONCEPT_PREFIX + "lostproperty", CONCEPT_PREFIX + "extra", "lost", "replac", "spare", "young",
                         "lat"})
"""A price for a lost, extra, spare or late one is not the price of the thing itself."""
_SIDES = [(frozenset(map(stem, one)), frozenset(map(stem, other))) for pair in ANTONYMS
          for one, other in (pair, pair[::-1])]


def says_the_opposite(question: Question, sentence_terms: frozenset[str]) -> bool:
    """"long stay" against "short-stay": the sentence names the opposite and not the thing asked about."""
    asked = set(question.words) | set(question.terms)
    return any(not asked.isdisjoint(side) and not sentence_terms.isdisjoint(opposite)
               and sentence_terms.isdisjoint(side) for side, opposite in _SIDES)


def about_something_else(question: Question, indexed: IndexedPassage, position: int) -> bool:
    """A price, a time or a place belongs to its sentence's subject: "Dogs are welcome in rooms for $25" gives
    no room's price, "The Garden Restaurant is open until 7 pm" not the shop's hours. The document's own name ("The
    museum is closed on December 25") speaks for the whole venue; a subject without a named facility
    ("Members get 4 free hours...") is a detail of its section when the section is the one asked about."""
    what = [term for term in question.topic_terms if term not in DAYS and term not in SEASONS]
    if question.expects not in (Expects.PRICE, Expects.TIME, Expects.PLACE) or not what:
        return False  # "Are you open on Saturday?" names a day, not a thing a subject could differ from
    if not question.ages.isdisjoint(indexed.ages[position]):
        return False  # "Juniors (3 to 15): $14" is the price for the ten-year-old asked about
    subject, asked = indexed.subject_terms[position], frozenset(question.terms)
    if question.expects is Expects.PRICE and not _QUALIFIERS.isdisjoint(subject) and _QUALIFIERS.isdisjoint(asked):
        return True  # "A lost earbud can be replaced for $39" is not what the earbuds cost
    if (subject & (asked | set(question.words))) - indexed.title_terms:
        return False  # the subject is what was asked about; the venue's own name ("Cinema customers") is not
    subject -= indexed.title_terms
    if not subject:
        return False
    names_a_facility = any(term.startswith(CONCEPT_PREFIX) and term not in _ATTRIBUTES for term in subject)
    section_asked_about = not indexed.heading_terms.isdisjoint(question.topic_terms)
    return names_a_facility or not section_asked_about
