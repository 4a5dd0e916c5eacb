"""Choosing the sentence that answers: extractive, so an answer is only ever words of a document.

Each sentence of the best BM25 passages is scored by how much of the question it covers: every question
term, weighed by how rare it is in the documents, counts fully when the sentence has it, partly when only
the section title or the passage around it has it. A term no document has weighs as much as the rarest:
asking about something the documents never mention ("Is there a pool?") leaves most of the question uncovered.
The sentence must carry the kind of fact asked for (a price for "how much") and must meet at least one
term beyond that kind, so "When does the gift shop open?" is not answered with the museum's hours; guards.py
rules out sentences about something else. Ties go to the words as said, an exact amount, the section named
for the topic, BM25 rank and a section's first passage.
"""

from __future__ import annotations

from dataclasses import dataclass

from .facts import HARD_KINDS, Expects, carries, only_a_percentage, states_exactly
from .guards import about_something_else, says_the_opposite
from .index import Hit, KnowledgeIndex
from .question import Question
from .terms import CONCEPT_PREFIX, DAYS

HEADING_CREDIT = 0.8
TITLE_CREDIT = 0.5
PASSAGE_CREDIT = 0.4
PLACE_MISSING_FACTOR = 0.85
NEIGHBOUR_MARGIN = 0.1
MAX_ANSWER_SENTENCES = 4
MAX_ANSWER_CHARS = 320
CANDIDATE_PASSAGES = 8
DAY_EMPHASIS = 2.0
NUMBER_EMPHASIS = 0.3


@dataclass(frozen=True)
class Found:
    text: str
    """The answer: sentences of the document, word for word (a section title may lead them)."""
    document: str
    section: str
    score: float
    """Share of the question the answer covers, 0 to 1."""
    passage: str
    """The whole passage, for a model that phrases the answer itself."""


@dataclass(frozen=True)
class _Scored:
    coverage: float
    order: float
    heading_only: bool


_NO_MATCH = _Scored(0.0, 0.0, False)


def find_answer(question: Question, index: KnowledgeIndex, min_score: float) -> Found | None:
    """The best answering sentences for `question`, or None when none covers `min_score` of it."""
    if not question.terms:
        return None
    weights = {term: index.weight(term) * _emphasis(question, term) for term in question.terms}
    best: tuple[_Scored, Hit, int] | None = None
    for hit in index.search(question.terms, CANDIDATE_PASSAGES):
        if any(index.names_another_document(term, hit.passage.document_key) for term in question.topic_terms):
            continue
        for position in range(len(hit.passage.sentence_terms)):
            scored = _score(question, hit, position, weights)
            if best is None or scored.order > best[0].order:
                best = (scored, hit, position)
    if best is None or best[0].coverage < min_score:
        return None
    scored, hit, position = best
    return _compose(question, hit, position, scored, weights)


def _score(question: Question, hit: Hit, position: int, weights: dict[str, float]) -> _Scored:
    indexed = hit.passage
    if indexed.passage.sentences[position].rstrip().endswith("?"):
        return _NO_MATCH  # a question in a document (a FAQ's) is never an answer
    sentence_terms = indexed.sentence_terms[position]
    if about_something_else(question, indexed, position):
        return _NO_MATCH
    if says_the_opposite(question, sentence_terms):
        return _NO_MATCH
    has_kind = carries(indexed.passage.sentences[position], question.expects)
    if has_kind and question.expects is Expects.PRICE and not question.asks_discount:
        has_kind = not only_a_percentage(indexed.passage.sentences[position])  # "save 40 %" is no price
    if question.expects in HARD_KINDS and not has_kind:
        return _NO_MATCH
    got = direct = 0.0
    topic_met = not question.topic_terms
    # a FAQ's question title restates the visitor's question: its words count as the answer's own
    heading_credit = 1.0 if indexed.passage.section.endswith("?") else HEADING_CREDIT
    heading_only = False
    for term in question.terms:
        is_kind = term in question.kind_terms
        if term in question.ages:
            credit = 1.0 if term in indexed.ages[position] else 0.0
        elif term in sentence_terms or (is_kind and has_kind):
            credit = 1.0
            direct += weights[term] if term in sentence_terms else 0.0
        elif term in indexed.heading_terms:
            credit, heading_only = heading_credit, heading_only or not is_kind
        elif term in indexed.title_terms:
            credit = TITLE_CREDIT
            # the venue the whole document is about ("When does the museum close?"), named as such
            topic_met = topic_met or not term.startswith(CONCEPT_PREFIX)
        elif term in indexed.all_terms:
            credit = PASSAGE_CREDIT
        else:
            credit = 0.0
        topic_met = topic_met or (not is_kind and credit >= HEADING_CREDIT)
        got += credit * weights[term]
    if not topic_met:
        return _NO_MATCH
    total = sum(weights.values())
    coverage = got / total
    if question.expects is Expects.PLACE and not has_kind:
        coverage *= PLACE_MISSING_FACTOR
    literal = sum(word in indexed.folded[position] for word in question.words) / max(1, len(question.words))
    asked_pairs = set(zip(question.words, question.words[1:]))
    literal += len(asked_pairs & indexed.pairs[position]) / max(1, len(asked_pairs))
    exact = 0.03 if states_exactly(indexed.passage.sentences[position], question.expects) else 0.0
    if not indexed.heading_terms.isdisjoint(question.topic_terms):
        exact += 0.04  # on a tie, the section named for what was asked ("Doors and timings" for the doors)
    if not question.topic_terms and indexed.subject_terms[position] - indexed.title_terms:
        exact -= 0.06  # "What time do you close?" asks about the venue, not "the rooftop terrace"
    order = (coverage + 0.1 * direct / total + 0.05 * literal + exact + 0.02 / (1 + hit.rank)
             + 0.04 / (1 + indexed.place_in_section))  # ties: words as said, an exact amount, BM25, first passage
    return _Scored(coverage, order, heading_only)


def _compose(question: Question, hit: Hit, position: int, scored: _Scored,
             weights: dict[str, float]) -> Found:
    """The chosen sentence with its neighbours that answer as well (a price list, a pronoun's antecedent)."""
    passage = hit.passage.passage
    first = last = position
    if question.expects is Expects.STEPS or (passage.section.endswith("?") and hit.passage.place_in_section == 0):
        first = 0  # instructions, and a FAQ's answer, read from their start ("Yes. Choose 40 to 100 degrees...")
    while first > 0 and (hit.passage.carries_on[first] or _as_good(question, hit, first - 1, scored, weights)):
        first -= 1
    while last + 1 < len(passage.sentences) and (
            question.expects is Expects.STEPS  # instructions are the whole passage
            or passage.sentences[last].rstrip().endswith(":") or _as_good(question, hit, last + 1, scored, weights)):
        last += 1
    chosen = list(passage.sentences[first:last + 1])
    while len(chosen) > 1 and (len(chosen) > MAX_ANSWER_SENTENCES or len(" ".join(chosen)) > MAX_ANSWER_CHARS):
        chosen.pop(-1 if len(chosen) - 1 > position - first else 0)
    text = " ".join(_as_sentence(piece) for piece in chosen[:-1]) + (" " if len(chosen) > 1 else "") + chosen[-1]
    section = passage.section
    if scored.heading_only and section and not section.endswith("?") and section.lower() not in text.lower():
        text = f"{section}: {text}"
    return Found(text, passage.document, section, round(scored.coverage, 3), passage.text)


def _as_good(question: Question, hit: Hit, position: int, best: _Scored, weights: dict[str, float]) -> bool:
    return _score(question, hit, position, weights).coverage >= best.coverage - NEIGHBOUR_MARGIN


def _emphasis(question: Question, term: str) -> float:
    """The day in "Is the café open on Mondays?" is the point of the question: a time without it is no answer.
    A quantity in a question ("two adults", "my three kids") is seldom what is looked for; a number that
    names something ("iPhone 13", "platform 4") is."""
    if question.expects is Expects.TIME and term in DAYS:
        return DAY_EMPHASIS
    return NUMBER_EMPHASIS if term in question.quantities else 1.0


def _as_sentence(piece: str) -> str:
    """A list item followed by another gets a full stop, so a voice pauses between them."""
    return piece if piece.rstrip().endswith((".", "!", "?", ":", ";")) else piece.rstrip() + "."
