"""The device's command sentences as one automaton over characters, for a recogniser to decode against.

A recogniser that has never been told what a device can do writes "Close me off his lines" for "Close the
office blinds". Decoded again with every step kept inside the sentences the intents accept, the same audio
reads as the command, and its likelihood says whether that reading is believable. This module compiles the
sentence templates (hassil expressions, with this device's names, areas and number ranges) into a
non-deterministic automaton over lower-case characters, and walks it as a lazily built deterministic one,
so a recogniser can ask, token by token, whether the text so far can still become a command.

Only intents the device acts on are compiled (a sentence about mowing the lawn would pull audio towards an
action that is refused anyway), and free-text slots are kept to a timer's name of up to three words; a
sentence with any other free text (a message, a search) is left out, since anything at all fits it.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from array import array

import numpy as np
from hassil import (Alternative, Expression, Intents, ListReference, Permutation, RangeSlotList, RuleReference,
                    Sequence, SlotList, TextChunk, TextSlotList, WildcardSlotList)
from hassil.intents import IntentData

from ..speech.constrained import DEAD, MARKS
from .intent_matcher import JOINING_NUMBER_WORDS, NUMBER_WORDS

LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz'")
DIGITS = frozenset("0123456789")
OPENING_NUMBER_WORDS = ("a", "an")
FREE_WORDS = {"timer_name": 2}
"""Free-text slots kept, with how many words they may take; a sentence with any other one is left out."""
IGNORED = str.maketrans(dict.fromkeys(MARKS))
"""Punctuation a recogniser writes and no template spells."""
MIN_CLIPPED_LETTERS = 2
"""Letters a first word must keep to be read as one that lost its first: "ute" (mute), never "p" (up)."""
MOST_OPENINGS = 4
"""Fillers and polite words a sentence may open with. Unbounded, a reading of noise or music ran to the step
limit as "Oh, oh, oh, oh, ..." (the recogniser finds a repeated "oh" cheap there): 2.3 s of searching for a
question heard in room noise (seed 953's "Who wrote Romeo and Juliet?"), which found no command."""
MEMO_LIMIT = 400_000
"""Automaton states held by the memo of states built while reading (~3 MB) before it is dropped."""


class _Nfa:
    """Each state has at most one outgoing character arc (a character or a set of them), kept in flat
    arrays: a grammar has ~10^5 states, and a dict per state held ~50 MB where these hold a few."""

    def __init__(self) -> None:
        self.labels: list[str | frozenset[str] | None] = []
        self.targets = array("i")
        self.eps_src, self.eps_dst = array("i"), array("i")   # while building; then eps_from / eps_to
        self.eps_from = array("i")
        self.eps_to = array("i")
        self.finals: set[int] = set()

    def state(self) -> int:
        self.labels.append(None)
        self.targets.append(-1)
        return len(self.labels) - 1

    def char(self, label: str | frozenset[str], start: int) -> int:
        if self.labels[start] is not None:   # taken: the arc leaves from a fresh state reached for free
            fresh = self.state()
            self.link(start, fresh)
            start = fresh
        end = self.state()
        self.labels[start], self.targets[start] = label, end
        return end

    def text(self, text: str, start: int) -> int:
        for ch in text:
            start = self.char(ch, start)
        return start

    def link(self, source: int, target: int) -> None:
        self.eps_src.append(source)
        self.eps_dst.append(target)

    def freeze(self) -> None:
        """The free moves as two flat arrays (offsets by source state, and targets), once nothing more is
        added: while building they are kept as (source, target) pairs, not a list per state (~10 MB more
        at start-up, for a moment)."""
        sources = np.frombuffer(self.eps_src, np.int32) if len(self.eps_src) else np.zeros(0, np.int32)
        order = np.argsort(sources, kind="stable")
        counts = np.bincount(sources, minlength=len(self.labels))
        self.eps_from = array("i", np.concatenate([[0], np.cumsum(counts)]).astype(np.int32).tobytes())
        targets = np.frombuffer(self.eps_dst, np.int32)[order] if len(self.eps_dst) else np.zeros(0, np.int32)
        self.eps_to = array("i", targets.astype(np.int32).tobytes())
        self.eps_src, self.eps_dst = array("i"), array("i")

    def step(self, state: int, ch: str) -> int:
        label = self.labels[state]
        return self.targets[state] if label is not None and (label == ch or (not isinstance(label, str) and ch in label)) else -1


class CommandGrammar:
    """The accepted sentences; states are ints, `DEAD` (-1) when no sentence can continue the text."""

    def __init__(self, intents: Intents, intent_names: Collection[str], slot_lists: Mapping[str, SlotList],
                 fillers: Collection[str] = (), closings: Collection[str] = (), key_words: Collection[str] = ()) -> None:
        """`fillers`: words a sentence may open with, up to MOST_OPENINGS of them ("um, so, close the garage door");
        `closings`: words any sentence may end with ("..., please"); `key_words`: words a reading looks at
        wherever a sentence may hold them (speech/constrained.py)."""
        self.key_words = frozenset(word.lower() for word in key_words)
        self._intents, self._lists = intents, slot_lists
        self._nfa = _Nfa()
        self._free_starts: list[int] = []
        start, begin = self._nfa.state(), self._nfa.state()
        self._nfa.link(start, begin)
        opening = start
        for _ in range(MOST_OPENINGS if fillers else 0):
            after = self._nfa.state()
            self._nfa.link(after, begin)
            for filler in sorted(fillers):
                self._nfa.link(self._nfa.text(filler.lower() + " ", opening), after)
            opening = after
        self.sentences = 0
        closing = self._nfa.state()
        for name in sorted(intent_names):
            for data in intents.intents[name].data if name in intents.intents else ():
                for sentence in data.sentences:
                    end = self._compile(sentence.expression, begin, data)
                    if end is not None:
                        self._nfa.finals.add(end)
                        self._nfa.link(end, closing)
                        self.sentences += 1
        for word in sorted(closings):
            self._nfa.finals.add(self._nfa.text(" " + word.lower(), closing))
        self._nfa.freeze()
        opening = self._closure({begin})
        for free in self._free_starts:   # "{timer_name} timer status": a sentence's first words are never free
            if free in opening:
                self._nfa.labels[free] = None
        self._subsets: list[array[int]] = []
        self._held = 0
        self._ids: dict[bytes, int] = {}
        self._moves: dict[tuple[int, str], int] = {}
        self.start = self._spaced(self._intern(self._closure({start})))
        self.restart = self._spaced(self._intern(self._closure({begin})))
        """Where a sentence starts again after a whole word ("make it, make it louder"): no fillers there."""
        # a microphone or a VAD that clipped the onset leaves "pen the office shades", "ute yourself"
        self.clipped_start = self._spaced(self._intern(self._closure(
            {self._nfa.targets[state] for state in opening if _a_letter(self._nfa.labels[state])})))
        """Where a sentence whose first word lost its first letter starts (`FirstSoundLost`)."""

    def advance(self, state: int, text: str) -> int:
        """The state after `text` (a recogniser's token with spaces as " "), or DEAD. Case and punctuation
        are ignored, and spaces run together, as hassil reads sentences."""
        for ch in text.lower().replace("\u2019", "'").translate(IGNORED):
            if state == DEAD:
                break
            if ch == " " and state in (self.start, self.restart, self.clipped_start):
                continue
            state = self._move(state, ch)
        return state

    def restored(self, clipped: str) -> list[str]:
        """A text read from `clipped_start` with its first letter given back, each way that makes it a sentence
        ("Pen the office shades": ["Open the office shades"]; "Et ..." may be "Set ..." or "Let ..."); [] when
        its first word kept fewer than MIN_CLIPPED_LETTERS."""
        if len(clipped.split(" ", 1)[0].translate(IGNORED)) < MIN_CLIPPED_LETTERS:
            return []
        return [letter.upper() + clipped[:1].lower() + clipped[1:] for letter in sorted(LETTERS - {"'"})
                if self.accepts(self.advance(self.restart, letter + clipped))]   # (as `clipped_start`, no fillers)

    def accepts(self, state: int) -> bool:
        return state != DEAD and (self._accepting(state) or self._accepting(self._move(state, " ")))

    def _accepting(self, state: int) -> bool:
        return state != DEAD and not self._nfa.finals.isdisjoint(self._subsets[state])

    def _move(self, state: int, ch: str) -> int:
        key = (state, ch)
        found = self._moves.get(key)
        if found is None:
            step = self._nfa.step
            targets = {target for target in (step(source, ch) for source in self._subsets[state]) if target >= 0}
            found = self._intern(self._closure(targets)) if targets else DEAD
            if ch == " " and found != DEAD:
                found = self._spaced(found)
            self._moves[key] = found
        return found

    def _spaced(self, state: int) -> int:
        """A space also takes the spaces right after it: "set [a] timer" without its "a" has two."""
        subset = frozenset(self._subsets[state])
        while True:
            more = {t for t in (self._nfa.step(s, " ") for s in subset) if t >= 0}
            grown = subset | self._closure(more)
            if grown == subset:
                return self._intern(subset)
            subset = grown

    def _intern(self, subset: Iterable[int]) -> int:
        """The id of a set of automaton states, kept as sorted int32s (4 bytes a state where a frozenset of
        Python ints took ~60: the memo is most of what reading costs in memory)."""
        states = array("i", sorted(subset))
        key = states.tobytes()
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self._subsets)
            self._subsets.append(states)
            self._held += len(states)
        return found

    def forget(self, beyond: int = MEMO_LIMIT) -> None:
        """Drop the states built while reading once they hold more than `beyond` automaton states in all
        (each reading visits a few hundred; the memo otherwise grows with every new sentence heard). Call
        it between readings only: it invalidates every state but `start` and `restart`."""
        if self._held <= beyond:
            return
        kept = [self._subsets[self.start], self._subsets[self.restart], self._subsets[self.clipped_start]]
        self._subsets, self._ids, self._moves, self._held = [], {}, {}, 0
        self.start, self.restart, self.clipped_start = (self._intern(subset) for subset in kept)

    def _closure(self, states: Iterable[int]) -> frozenset[int]:
        seen = set(states)
        todo = list(seen)
        starts, targets = self._nfa.eps_from, self._nfa.eps_to
        while todo:
            source = todo.pop()
            for target in targets[starts[source]: starts[source + 1]]:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return frozenset(seen)

    # -- compiling hassil expressions --------------------------------------------------------------------

    def _compile(self, expression: Expression, start: int, data: IntentData) -> int | None:
        """The state after `expression` from `start`, or None when it holds a slot left out."""
        nfa = self._nfa
        if isinstance(expression, TextChunk):
            return nfa.text(expression.original_text.lower().replace("\u2019", "'"), start)
        if isinstance(expression, Alternative):
            end = nfa.state()
            live = False
            for item in expression.items:
                item_end = self._compile(item, start, data)
                if item_end is not None:
                    nfa.link(item_end, end)
                    live = True
            if expression.is_optional:
                nfa.link(start, end)
            return end if live or expression.is_optional else None
        if isinstance(expression, Permutation):
            orders = [Sequence(items=_spaced_items(order)) for order in itertools.permutations(expression.items)]
            return self._compile(Alternative(items=orders), start, data)   # type: ignore[arg-type]
        if isinstance(expression, Sequence):
            state: int | None = start
            for item in expression.items:
                state = self._compile(item, state, data) if state is not None else None
            return state
        if isinstance(expression, ListReference):
            return self._slot(expression, start, data)
        if isinstance(expression, RuleReference):
            rule = data.expansion_rules.get(expression.rule_name) or self._intents.expansion_rules.get(expression.rule_name)
            return self._compile(rule.expression, start, data) if rule is not None else None
        return start

    def _slot(self, reference: ListReference, start: int, data: IntentData) -> int | None:
        name = reference.list_name
        slot_list = self._lists.get(name) or data.slot_lists.get(name) or self._intents.slot_lists.get(name)
        if isinstance(slot_list, TextSlotList):
            values = [value.text_in for value in slot_list.values]
            return self._compile(Alternative(items=values), start, data) if values else None   # type: ignore[arg-type]
        if isinstance(slot_list, RangeSlotList):
            return self._number(start)
        if isinstance(slot_list, WildcardSlotList) and name in FREE_WORDS:
            return self._free_words(start, FREE_WORDS[name])
        return None

    def _number(self, start: int) -> int:
        """Digits ("25"), or number words joined by spaces or hyphens ("twenty-five", "a hundred and five").
        "and" only joins two number words, and "a"/"an" only open one ("a hundred"): a number of joining
        words alone ("and and and", the sum sentence's "{number_a} and {number_b}") fitted any mumble's
        "and"s and "a"s, and such readings filled the beam ("Santa miao, you daddy." was read as "And and
        and" where "Set the volume to eighty" was)."""
        nfa = self._nfa
        first, joined, word, end = nfa.state(), nfa.state(), nfa.state(), nfa.state()
        nfa.link(start, first)
        nfa.link(joined, first)   # after a joiner: any word "first" takes, or "and"
        digits = nfa.char(DIGITS, first)
        nfa.link(nfa.char(DIGITS, digits), digits)
        nfa.link(digits, end)
        word_end, article_end, and_end = nfa.state(), nfa.state(), nfa.state()
        for number in NUMBER_WORDS:
            if number in JOINING_NUMBER_WORDS:
                continue
            nfa.link(nfa.text(number, word), word_end)
        nfa.link(first, word)
        for article in OPENING_NUMBER_WORDS:
            nfa.link(nfa.text(article, first), article_end)
        nfa.link(nfa.text("and", joined), and_end)
        nfa.link(word_end, end)
        for joiner in " -":
            nfa.link(nfa.char(joiner, word_end), joined)
            nfa.link(nfa.char(joiner, article_end), first)
            nfa.link(nfa.char(joiner, and_end), first)
        return end

    def _free_words(self, start: int, most: int) -> int:
        nfa = self._nfa
        local, end = nfa.state(), nfa.state()   # its own start, so that it can be found and closed
        nfa.link(start, local)
        self._free_starts.append(local)
        start = local
        for count in range(most):
            if count:
                start = nfa.char(" ", start)
            word = nfa.char(LETTERS, start)
            nfa.link(nfa.char(LETTERS, word), word)
            nfa.link(word, end)
            start = word
        return end


class FirstSoundLost:
    """A grammar's sentences with their first word's first letter lost, for a reading of its own: a clipped
    onset ("Ute yourself.") reads as no sentence, and the whole word is far less likely than what was heard.
    Read only after a reading of the whole sentences found nothing: beside them, the clipped openings of every
    sentence crowded the beam and lost readings it had found ("Set the living room lamp to ...")."""

    def __init__(self, grammar: CommandGrammar) -> None:
        self.grammar = grammar

    @property
    def key_words(self) -> frozenset[str]:
        return self.grammar.key_words

    @property
    def start(self) -> int:
        return self.grammar.clipped_start

    @property
    def restart(self) -> int:
        return self.grammar.restart

    def advance(self, state: int, text: str) -> int:
        return self.grammar.advance(state, text)

    def accepts(self, state: int) -> bool:
        return self.grammar.accepts(state)


def _a_letter(label: str | frozenset[str] | None) -> bool:
    return label is not None and (label in LETTERS if isinstance(label, str) else label <= LETTERS)


def _spaced_items(items: tuple[Expression, ...]) -> list[Expression]:
    spaced: list[Expression] = []
    for item in items:
        if spaced:
            spaced.append(TextChunk(" "))
        spaced.append(item)
    return spaced
