"""Text to search terms, the same way for documents and questions.

Lower case without accents, light stemming ("opens", "opening" -> "open"), number words as digits ("nine
thirty" -> "9 30"), weekday ranges spelled out ("Tue-Sun" adds every day between), and a concept term for
each synonym group a phrase belongs to ("Wi-Fi", "wireless" -> "zzwifi"). Stop words are dropped.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

from .synonyms import BUILTIN_GROUPS

CONCEPT_PREFIX = "zz"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_FORMS = {day: day for day in DAYS} | {day[:3]: day for day in DAYS} | {
    "tues": "tuesday", "weds": "wednesday", "thur": "thursday", "thurs": "thursday"}
_DAY_PLURALS = {f"{day}s": day for day in DAYS}
_DAY_SETS = {"weekdays": DAYS[:5], "weekday": DAYS[:5], "weekend": DAYS[5:], "weekends": DAYS[5:],
             "daily": DAYS, "everyday": DAYS}

STOP_WORDS = frozenset("""
a about above after again against all am an and any anyone anything are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each few for from further had hadn't has hasn't have haven't having he he's her here here's hers herself
him himself his i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most my myself no nor
not of off on once only or other ought our ours ourselves out over own same she should shouldn't so some such
than that that's the their theirs them themselves then there there's these they they're this those through to
too under until up very was wasn't we we're were weren't what what's when when's where where's which while who
who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
yourselves hi hello hey please thanks thank okay ok um uh er erm like just really actually also maybe
tell know let us get got gonna wanna want wanted need needed looking look find found see go going come coming
is are anybody somebody something somewhere anywhere thing things kind sort bit lot lots much many how
today tonight now currently usually normally generally right still ever anything everything please excuse sorry
guys mate place around exactly possible able allowed bring brought take goes went gone does did done make
put give say said ask asked happen happens happened
good bye goodbye cheers great cool nice awesome yes yeah yep nope sure
well oh wow catch use using grab area areas zone zones spot pm per else play playing work works special
particular certain specific space spaces old
""".split())
"""Words that carry no fact to look for. "much", "many" and "how" still shape the question (see question.py)."""
GREETING_WORDS = frozenset({"morn", "afternoon", "even", "night", "day"})  # stems
"""Words that make a greeting ("Good morning!") but a question too ("Is there night skiing?")."""

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_NUMBER_WORDS = {word: value for value, word in enumerate(_UNITS)} | {
    word: 20 + 10 * index for index, word in enumerate(_TENS)}
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+")
_PARTICLE_APART = re.compile(r"\b(bring|give|take|hand|send|drop|pick|check)((?:\s+[a-z]+){1,3}?)\s+"
                             r"(back|off|up|out)\b")
""""bring the bike back" -> "bring back the bike": a phrasal verb whole again, so its synonyms match."""
_LOST_THING = re.compile(r"\b(?:lost|lose|left|forgot|forgotten|misplaced)\s+(?:my|your|our|a|an|the|his|her|their)"
                         r"\s+[a-z]+(?:\s+(?:card|bag|case|phone|keys|glasses|fob))?\b")
""""I lost my phone": what was lost does not matter to where lost property is kept."""
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t|tember)?|"
               r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_MONTH_RANGE = re.compile(rf"\b{_MONTH_NAME}\s*(?:-|–|to|through|until|till)\s*{_MONTH_NAME}\b")
_SEASONS = {"winter": {11, 0, 1}, "spring": {2, 3, 4}, "summer": {5, 6, 7}, "autumn": {8, 9, 10}}
SEASONS = frozenset(_SEASONS)
_NUMBER_RANGE = re.compile(r"(?<![\d.:$€£])(\d{1,3})\s*(?:-|–|to|through)\s*(\d{1,3})(?![\d.:])")
MAX_RANGE_SPAN = 60
_UNDER = re.compile(r"\b(?:under|below|younger than|less than)[\s-]+(\d|1\d|20)s?\b")
_COUNTED = re.compile(r"\s*(people|persons|children|kids|guests|adults|participants|members|items|pages|cups|"
                      r"seconds|minutes|hours|days|weeks|months|miles|km|am|pm|%|percent|[$€£])")
_OVER = re.compile(r"\b(?:over|older than|above)\s+(\d{1,2})s?\b|\b(\d{1,2})\s?\+")
_AGED = re.compile(r"\baged?\s+(\d{1,2})\b|\b(\d{1,2})[\s-]+years?[\s-]+old\b")
_DAY_RANGE = re.compile(r"\b([a-z]{3,9})\.?\s*(?:-|–|—|to|through|thru|until|till)\s*([a-z]{3,9})\b")


def fold(text: str) -> str:
    """Lower case, accents removed, typographic quotes and dashes made plain."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower().replace("’", "'").replace("‘", "'").replace("‐", "-").replace("‑", "-")


_IRREGULAR = {"bought": "buy", "paid": "pay", "sold": "sell", "kept": "keep", "took": "take", "taken": "take",
              "found": "find", "brought": "bring", "held": "hold", "ran": "run", "got": "get", "gotten": "get",
              "ate": "eat", "eaten": "eat", "rode": "ride", "ridden": "ride", "drove": "drive", "driven": "drive",
              "spent": "spend", "sent": "send", "built": "build", "chose": "choose", "chosen": "choose",
              "wrote": "write", "written": "write", "began": "begin", "begun": "begin", "children": "child",
              "fed": "feed",
              "people": "person", "men": "man", "women": "woman", "feet": "foot", "teeth": "tooth", "left": "leave",
              "later": "late", "earlier": "early"}
"""Irregular forms a suffix rule cannot reach ("left" as in "bikes left outside"; "to the left" then reads as
"leave" too, a small price)."""


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: plurals, -ing, -ed and a final -e go, so word families meet."""
    word = _IRREGULAR.get(word, word)
    if word.isdigit() or len(word) <= 3:
        return word
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ation") and len(word) > 7:
        word = word[:-3]  # "vaccination" meets "vaccinate", "location" meets "located"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3 and word[:-1] not in STOP_WORDS:  # "notes" must not become "not"
        word = word[:-1]
    return word


class TermMaker:
    """Turns text into search terms, knowing the synonym groups (built-in plus the operator's).

    Synonym phrases are matched on stems, so "coat" meets a group listing "coats" and "returned" one listing
    "return"; the longest phrase starting at a word wins.
    """

    def __init__(self, extra_groups: Iterable[Iterable[str]] = ()) -> None:
        self._concept_of: dict[tuple[str, ...], str] = {}
        for group in (*BUILTIN_GROUPS, *(tuple(g) for g in extra_groups)):
            members = [fold(member).strip() for member in group if member.strip()]
            if not members:
                continue
            concept = CONCEPT_PREFIX + re.sub(r"[^a-z0-9]", "", members[0])
            for member in members:
                key = tuple(_stem_key(word) for word in _words(member))
                if key:
                    self._concept_of.setdefault(key, concept)
        self._longest_from: dict[str, int] = {}  # first word -> longest phrase starting with it
        for key in self._concept_of:
            self._longest_from[key[0]] = max(self._longest_from.get(key[0], 0), len(key))

    def terms(self, text: str, merge_synonyms: bool = False) -> list[str]:
        """Search terms of `text`: stems of the content words, digits, weekdays, then concepts.

        With `merge_synonyms` (for questions) a synonym phrase stands only for its concept, so "wireless"
        and "Wi-Fi" count as the same single term; a document keeps both its own words and the concepts.
        """
        folded = _LOST_THING.sub("lost my", _PARTICLE_APART.sub(r"\1 \3\2", fold(text)))
        words = _words(folded)
        keys = [_stem_key(word) for word in words]
        found: list[str] = []
        concepts: list[str] = []
        index = 0
        while index < len(words):
            span, concept = self._phrase_at(keys, index)
            if concept:
                concepts.append(concept)
            if concept and merge_synonyms:
                found.append(concept)
                index += span
                continue
            found.extend(_word_terms(words[index], keys[index]))
            index += 1
        found.extend(_day_range_days(folded))
        found.extend(_number_range(folded))
        found.extend(_seasons_of_month_ranges(folded))
        if not merge_synonyms:
            found.extend(concepts)
        return found

    def _phrase_at(self, keys: list[str], index: int) -> tuple[int, str]:
        """(words spanned, concept) of the longest synonym phrase starting at `index`, or (1, "")."""
        for length in range(min(self._longest_from.get(keys[index], 0), len(keys) - index), 0, -1):
            concept = self._concept_of.get(tuple(keys[index:index + length]))
            if concept:
                return length, concept
        return 1, ""


def _words(folded: str) -> list[str]:
    """Words and numbers of folded text, digits split from letters ("10am" -> "10", "am"), number words
    as digits."""
    spaced = re.sub(r"(\d)([a-z])", r"\1 \2", re.sub(r"([a-z])(\d)", r"\1 \2", folded))
    return _numbers_as_digits(_TOKEN.findall(spaced))


def spoken_words(text: str) -> list[str]:
    """Every word of `text`, stop words kept, number words as digits."""
    return _words(fold(text))


def _stem_key(word: str) -> str:
    return stem(word.replace("'", ""))


def _word_terms(word: str, key: str) -> list[str]:
    """The terms one word gives: its weekday(s), or its stem unless it is a stop word."""
    if word in _DAY_SETS:
        return list(_DAY_SETS[word])
    day = _DAY_FORMS.get(word) or _DAY_PLURALS.get(word)
    if day:
        return [day]
    if word in STOP_WORDS or key in STOP_WORDS or _IRREGULAR.get(word) in STOP_WORDS:  # "took" is "take"
        return []
    return [key]


def _numbers_as_digits(words: list[str]) -> list[str]:
    """"twenty five" -> "25", "nine" -> "9"; everything else unchanged."""
    result: list[str] = []
    for word in words:
        value = _NUMBER_WORDS.get(word)
        if value is None:
            result.append(word)
        elif value < 10 and result and result[-1].isdigit() and int(result[-1]) % 10 == 0 \
                and int(result[-1]) >= 20 and result[-1] != "0":
            result[-1] = str(int(result[-1]) + value)
        else:
            result.append(str(value))
    return result


def _seasons_of_month_ranges(folded: str) -> list[str]:
    """"From October to March" covers the winter months: such a range also says "winter" (northern seasons)."""
    seasons: list[str] = []
    for match in _MONTH_RANGE.finditer(folded):
        start, end = _MONTHS.index(match.group(1)[:3]), _MONTHS.index(match.group(2)[:3])
        covered = {(start + step) % 12 for step in range((end - start) % 12 + 1)}
        seasons.extend(season for season, months in _SEASONS.items() if months <= covered)
    return seasons


def ages_covered(text: str) -> frozenset[str]:
    """The ages a text speaks of: "Juniors (3 to 15)" 3-15, "Under 4" 0-3, "aged 12", "16+", "over 65" 66-99.
    A question about a three-year-old is met by these, not by "up to 3 children"."""
    folded = fold(text)
    ages: set[int] = set()
    for match in _NUMBER_RANGE.finditer(folded):
        low, high = int(match.group(1)), int(match.group(2))
        counts_something = _COUNTED.match(folded, match.end())  # "10 to 20 children" is a group size
        if 0 <= high - low <= MAX_RANGE_SPAN and high < 100 and not counts_something:
            ages.update(range(low, high + 1))
    for match in _UNDER.finditer(folded):
        ages.update(range(int(match.group(1))))
    for match in _OVER.finditer(folded):
        ages.update(range(int(match.group(1) or match.group(2)) + (0 if match.group(2) else 1), 100))
    ages.update(int(match.group(1) or match.group(2)) for match in _AGED.finditer(folded))
    return frozenset(map(str, ages))


def _number_range(folded: str) -> list[str]:
    """Every whole number inside a short range such as "Gates 14 to 30" or "rooms 1-12"."""
    numbers: list[str] = []
    for match in _NUMBER_RANGE.finditer(folded):
        low, high = int(match.group(1)), int(match.group(2))
        if 0 < high - low <= MAX_RANGE_SPAN:
            numbers.extend(str(n) for n in range(low + 1, high))
    return numbers


def _day_range_days(folded: str) -> list[str]:
    """Every weekday inside a range such as "Tuesday to Sunday" or "Mon-Fri"."""
    days: list[str] = []
    for match in _DAY_RANGE.finditer(folded):
        first = _DAY_FORMS.get(match.group(1)) or _DAY_PLURALS.get(match.group(1))
        last = _DAY_FORMS.get(match.group(2)) or _DAY_PLURALS.get(match.group(2))
        if first and last:
            start, end = DAYS.index(first), DAYS.index(last)
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
            days.extend(DAYS[i] for i in span)
    return days
