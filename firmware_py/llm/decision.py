"""The cheap first step of a tool-enabled answer: does the model reply with a message or call a tool, and which?

The options ("message:", "functions.get_time:", ...) form a token trie; the model walks it greedily, so it
can only ever produce one of them, in a few tokens. At each fork the model's log-probabilities are
*calibrated* (Zhao et al. 2021, "Calibrate Before Use"): the log-probabilities the same prompt gives to
content-free user inputs ("", "N/A", ...) are subtracted. This removes the model's standing bias (a small
model asked the same way over and over tends to pick the first tool, or whatever the last example did),
and on the built-in tools with SmolLM2-135M it moved the choice from 11/26 to about 20/26 correct
(scripts/bench_llm.py --accuracy measures it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
from llama_cpp import Llama, LogitsProcessorList

CONTENT_FREE_INPUTS = ("", "N/A", "...")

Path = tuple[int, ...]


@dataclass
class OptionTrie:
    """Token sequences of the options, and which tokens may follow each prefix."""

    options: dict[Path, str]
    children: dict[Path, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, llama: Llama, options: Sequence[str]) -> "OptionTrie":
        paths = {tuple(llama.tokenize(o.encode(), add_bos=False, special=True)): o for o in options}
        trie = cls(options=paths)
        for path in paths:
            for depth in range(len(path)):
                siblings = trie.children.setdefault(path[:depth], [])
                if path[depth] not in siblings:
                    siblings.append(path[depth])
        return trie

    def forks(self) -> list[Path]:
        return [prefix for prefix, nexts in self.children.items() if len(nexts) > 1]


Calibration = dict[Path, dict[int, float]]
"""Per fork: the mean content-free log-probability of each child token. Keyed by token, so a trie of a
subset of the options (the tools offered for one turn) uses the calibration of the full set."""


def calibrate(llama: Llama, trie: OptionTrie, prompts: Sequence[list[int]]) -> Calibration:
    """Content-free log-probabilities at every fork, averaged over `prompts` (content-free user turns)."""
    sums: dict[Path, np.ndarray] = {}
    for prompt in prompts:
        for fork in trie.forks():
            logprobs = _next_logprobs(llama, list(prompt) + list(fork))
            values = logprobs[trie.children[fork]]
            sums[fork] = sums.get(fork, 0) + values
    return {fork: {token: float(value) for token, value in zip(trie.children[fork], total / len(prompts))}
            for fork, total in sums.items()}


def calibration_to_json(calibration: Calibration) -> list[list[Any]]:
    return [[list(fork), [[token, value] for token, value in values.items()]] for fork, values in calibration.items()]


def calibration_from_json(data: Any) -> Calibration:
    """The inverse of calibration_to_json; ValueError for anything else."""
    try:
        return {tuple(int(t) for t in fork): {int(token): float(value) for token, value in values}
                for fork, values in data}
    except (TypeError, ValueError) as err:
        raise ValueError(f"not a saved calibration: {err}") from None


def choose(llama: Llama, trie: OptionTrie, prompt: list[int], calibration: Calibration | None) -> str:
    """Walk the trie greedily from `prompt` (calibrated at forks); returns the option reached."""
    walked: list[int] = []
    processor = _TrieConstraint(trie, len(prompt), calibration or {})
    for token in llama.generate(prompt, temp=0.0, logits_processor=LogitsProcessorList([processor])):
        walked.append(token)
        if tuple(walked) in trie.options:
            return trie.options[tuple(walked)]
        if tuple(walked) not in trie.children:  # cannot happen with the constraint; stop rather than loop
            break
    raise RuntimeError(f"decision left the option trie after tokens {walked}")


class _TrieConstraint:
    """Logits processor: only tokens that continue an option survive; forks get calibrated scores."""

    def __init__(self, trie: OptionTrie, prompt_len: int, calibration: Calibration) -> None:
        self._trie = trie
        self._prompt_len = prompt_len
        self._calibration = calibration

    def __call__(self, input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        prefix = tuple(int(t) for t in input_ids[self._prompt_len:])
        allowed = self._trie.children.get(prefix)
        if not allowed:
            return scores
        constrained = np.full_like(scores, -np.inf)
        picked = _log_softmax(scores)[allowed]
        bias = self._calibration.get(prefix)
        if bias and len(allowed) > 1:
            picked = picked - np.array([bias.get(token, 0.0) for token in allowed])
        constrained[allowed] = picked
        return constrained


def _next_logprobs(llama: Llama, tokens: list[int]) -> np.ndarray:
    """Log-probabilities of the token after `tokens` (reuses the cached prefix)."""
    captured: list[np.ndarray] = []

    def capture(_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        captured.append(_log_softmax(scores))
        return scores

    for _token in llama.generate(tokens, temp=0.0, logits_processor=LogitsProcessorList([capture])):
        break
    return captured[0]


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores.astype(np.float64) - float(np.max(scores))
    return shifted - np.log(np.exp(shifted).sum())

