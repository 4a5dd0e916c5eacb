"""Contextual biasing for greedy decoding: the words this device knows win the recogniser's close calls.

A general-purpose recogniser has never heard of "the porch light" or that people here say "volume" more
than "moleu". At each decoding step the few most likely tokens are looked at; a token that starts or
continues one of the device's words (its device names, rooms and command words) gets a fixed bonus on its
logit, so it wins when it was nearly as likely as the model's first choice, and only then: a clearly
heard other word keeps its lead. This is shallow fusion with a word list, as keyword boosting works in
other recognisers, kept to the top candidates so a step costs microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

COMMAND_WORDS = ("timer", "timers", "minutes", "seconds", "hours", "volume", "mute", "unmute", "speaker",
                 "brightness", "percent", "light", "lights", "lamp", "turn", "switch", "set", "cancel", "pause",
                 "resume", "open", "close", "stop", "never", "mind", "repeat")
"""The words of the device's own commands, biased on every device."""
MIN_WORD_CHARS = 3
MIN_PREFIX_CHARS = 3


class WordBias:
    """Which tokens to favour, given the word being spelled so far."""

    def __init__(self, tokens: Sequence[str], words: Iterable[str], word_start: str, bonus: float = 2.0,
                 candidates: int = 8) -> None:
        self._tokens = tokens
        self._word_start = word_start
        self.bonus, self._candidates = bonus, candidates
        self.words = sorted({w for phrase in words for w in phrase.lower().split() if len(w) >= MIN_WORD_CHARS
                             and w.isalpha()})
        self._prefixes = {word[:end] for word in self.words for end in range(1, len(word) + 1)}
        self._whole = set(self.words)

    def pick(self, logits: np.ndarray, partial: str) -> int:
        """The token to emit after `partial`, the current word's letters so far (lower case)."""
        top = np.argpartition(logits, -self._candidates)[-self._candidates:]
        best = int(top[int(np.argmax(logits[top]))])
        best_score = float(logits[best])
        for token in top:
            token = int(token)
            score = float(logits[token])
            if score + self.bonus <= best_score:
                continue
            if self._continues_a_word(token, partial):
                score += self.bonus
                if score > best_score:
                    best, best_score = token, score
        return best

    def next_partial(self, partial: str, token: int) -> str:
        text = self._tokens[token] if 0 <= token < len(self._tokens) else ""
        return text[1:].lower() if text.startswith(self._word_start) else partial + text.lower()

    def _continues_a_word(self, token: int, partial: str) -> bool:
        text = self._tokens[token].lstrip(self._word_start)
        if len(text) > 1 and text.isupper():
            return False   # "DIM": shouting capitals derail the decoder once favoured
        spelled = self.next_partial(partial, token)
        # a letter or two ("s", "se") is the start of too many words: favouring it spells words letter by
        # letter ("Ms. Kai" for "sky"); from three letters on, or a whole word, the prefix means something
        return spelled in self._prefixes and (len(spelled) >= MIN_PREFIX_CHARS or spelled in self._whole)
