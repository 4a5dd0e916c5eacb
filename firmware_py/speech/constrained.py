"""Reading audio again inside a grammar: a beam search in which each reading may only write what the
grammar can still finish (respond/command_grammar.py), and may end only where a sentence is complete.

The reading's log-likelihood, set against the free reading's, says how believable it is: for a command
heard wrong ("Close me off his lines") the grammar's reading ("Close the office blinds") costs the model
little; for a question forced into a command it costs a lot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .moonshine import END_TOKEN, SPECIAL_TOKENS, WORD_START

CANDIDATES = 48
"""Tokens looked at per reading and step, likeliest first."""
PER_STATE = 3
"""Tokens a reading may extend with at one step that lead to the same grammar state. A timer's free name
takes any word, so without a cap every spelling of it ("Set the value", "mail", "mile", "youth") filled a
step's options and the command the audio held ("Set the volume") was never looked at."""
DEAD = -1
MARKS = ".,!?;:\""
MOST_RESTARTS = 2
"""Times a reading may start its sentence again with the same word ("set a, set a timer"). Unbounded, a
reading of noise ran to the step limit as "Go on, go on, go on, ..." (seed 953's question in room noise)."""
State = tuple[int, bool, str, bool, int]
"""(grammar state, whether the last token was a mark, the current sentence's first word or its start,
whether that word is complete, the times the sentence was started again)."""


class Grammar(Protocol):
    start: int
    restart: int
    key_words: frozenset[str]
    """Words looked at wherever a sentence may hold them, however unlikely the recogniser found them."""

    def advance(self, state: int, text: str) -> int: ...

    def accepts(self, state: int) -> bool: ...


class TokenSpellings:
    """A vocabulary's tokens as a grammar reads them, looked up once each and kept: the same for every grammar,
    so a reading within one family's sentences after a reading within another starts with them known."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tokens
        self._texts: dict[int, str | None] = {}

    def text(self, token: int) -> str | None:
        """The token as a grammar reads it, or None for one no sentence can hold."""
        if token in self._texts:
            return self._texts[token]
        text: str | None = None
        if SPECIAL_TOKENS <= token < len(self.tokens):
            text = self.tokens[token].replace(WORD_START, " ")
            if any(ch in MARKS for ch in text.rstrip(MARKS)) or not _cased_as_words(text):
                text = None   # "T.imer", "thaT": nothing a sentence spells
        self._texts[token] = text
        return text


class GrammarFollower:
    """The `Follower` of MoonshineModel.read_within for one grammar and vocabulary."""

    def __init__(self, grammar: Grammar, tokens: Sequence[str] | TokenSpellings) -> None:
        self._spellings = tokens if isinstance(tokens, TokenSpellings) else TokenSpellings(tokens)
        self._grammar = grammar
        self._key_tokens = [index for index, text in enumerate(self._spellings.tokens) if text.startswith(WORD_START)
                            and text[len(WORD_START):].lower() in grammar.key_words]
        """The key words written whole as one token ("▁volume", "▁Volume"): "Lower the mile, you." holds "Lower
        the volume" a few nats below what was written, but "volume" was not among the step's likeliest tokens."""

    def start(self) -> State:
        return self._grammar.start, True, "", False, 0   # no sentence starts with a mark

    def options(self, state: State, log_probs: np.ndarray, most: int) -> list[tuple[int, State]]:
        count = min(CANDIDATES, len(log_probs))
        pool = np.argpartition(log_probs, -count)[-count:]
        found: list[tuple[int, State]] = []
        taken: dict[int, int] = {}
        for token in pool[np.argsort(-log_probs[pool])]:
            following = self._follow(state, int(token))
            if following is not None and taken.get(following[0], 0) < PER_STATE:
                taken[following[0]] = taken.get(following[0], 0) + 1
                found.append((int(token), following))
                if len(found) == most:
                    break
        chosen = {token for token, _ in found}
        for token in self._key_tokens:
            if token not in chosen and (following := self._follow(state, token)) is not None:
                found.append((token, following))
        return found

    def holds(self, ids: Sequence[int]) -> bool:
        """Is this token sequence, ended there, a reading the grammar allows?"""
        state: State | None = self.start()
        for token in [*ids, END_TOKEN]:
            state = self._follow(state, token) if state is not None else None
        return state is not None

    def kin(self, state: State) -> int:
        return state[0]

    def _follow(self, state: State, token: int) -> State | None:
        grammar_state, after_mark, opening, opened, restarts = state
        if token == END_TOKEN:
            return state if self._grammar.accepts(grammar_state) else None
        text = self._spellings.text(token)
        if text is None:
            return None
        core = text.rstrip(MARKS)
        if not core.strip():
            # a mark only after a whole word, and one at a time: marks cost the grammar nothing, and a reading
            # that may always add one can fill its steps with them instead of words
            if after_mark or not self._word_done(grammar_state):
                return None
            return grammar_state, True, opening, opened, restarts
        word = core.strip().lower()
        following = self._grammar.advance(grammar_state, core)
        if following == DEAD and core.startswith(" ") and opened and opening.startswith(word) \
                and self._word_done(grammar_state) and restarts < MOST_RESTARTS:
            # people start again with the same word ("make it, make it louder", "set a, set a timer"); the
            # intent matcher keeps the last start. Another word is no restart: "cancel the, pause the timer"
            # would let a reading's tail be any command at all
            following = self._grammar.advance(self._grammar.restart, core)
            opening, opened, restarts = word, False, restarts + 1
        elif not opened:
            if core.startswith(" ") and opening:
                opened = True
            else:
                opening += word
        if following == DEAD or (core != text and not self._word_done(following)):
            return None   # "T.": a mark ends a word, and "t" is no word yet
        return following, core != text, opening, opened, restarts

    def _word_done(self, state: int) -> bool:
        return self._grammar.accepts(state) or self._grammar.advance(state, " ") != DEAD


def _cased_as_words(text: str) -> bool:
    """Lower case, or one capital starting a word ("Set")."""
    capitals = [index for index, ch in enumerate(text) if ch.isupper()]
    return not capitals or (len(capitals) == 1 and (capitals[0] == 0 or text[capitals[0] - 1] == " "))
