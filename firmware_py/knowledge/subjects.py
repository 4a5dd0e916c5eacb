"""What a sentence is about: the words before its first verb, or before a label's colon.

A price, a time or a place belongs to the subject of its sentence: "Dogs are welcome in ground floor rooms for
$25 per night" gives the dogs' price, not a room's, however many of the question's words it shares (see
answering.py). Only a plain leading noun phrase counts: a pronoun ("We accept cards"), an imperative ("Press
the dial") or a long opening gives no subject, and then nothing is ruled out.
"""

from __future__ import annotations

import re

MAX_SUBJECT_WORDS = 12

_VERB = re.compile(
    r"\b(is|are|was|were|isn't|aren't|costs?|has|have|had|can|cannot|can't|could|must|will|won't|may|might|"
    r"should|opens?|closes?|takes?|starts?|leaves?|lasts?|runs?|serves?|includes?|needs?|comes?|gets?|works?|"
    r"holds?|stops?|accepts?|offers?|provides?|sells?|allows?|means?|do|does|don't|doesn't)\b", re.IGNORECASE)
_LABEL = re.compile(r"(?<!\d)[:;](?!\d)")
"""A label ends a table row's or a list item's subject: "Child (4 to 15): $9"."""
_NO_SUBJECT = re.compile(r"^(it|its|it's|they|their|them|this|these|that|those|he|she|there|we|you|our|your|i|"
                         r"here|all|each|every|any|some|if|when|to|for|on|in|at|from|by|with|after|before|during|"
                         r"please|also|only)\b", re.IGNORECASE)


_WHEN = re.compile(r"\b(times?|term|holidays?|season|summer|winter|spring|autumn|weekdays?|weekends?|daily|"
                   r"mornings?|evenings?|nights?|(mon|tues|wednes|thurs|fri|satur|sun)days?|january|february|march|"
                   r"april|may|june|july|august|september|october|november|december)\b", re.IGNORECASE)


def subject_of(sentence: str) -> str:
    """The leading noun phrase of `sentence`, or "" when it has none worth judging by."""
    verb, label = _VERB.search(sentence), _LABEL.search(sentence)
    # "Light and Water: Impressionist landscapes runs until 30 March": the verb ends the subject; a label ends
    # it only when no verb follows soon ("Child (4 to 15): $9")
    end = verb.start() if verb and len(sentence[:verb.start()].split()) <= MAX_SUBJECT_WORDS else None
    if end is None and label:
        end = label.start()
    if not end:
        return ""
    subject = sentence[:end].strip(" ,")
    if not subject or _NO_SUBJECT.match(subject) or len(subject.split()) > MAX_SUBJECT_WORDS:
        return ""
    return "" if _WHEN.search(subject) else subject  # "Term time: 2 pm to 8 pm" is a condition, not a subject
