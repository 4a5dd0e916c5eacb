"""The first sentence of an answer on every core; the rest on `llm.threads`.

Between the end of a turn and the answer's first sentence nothing else runs: STT and Smart Turn are done and
the voice is waiting for that sentence, so the prompt and the first sentence may use every core. Once the
first sentence is out, the voice synthesizes it while the model writes the rest: the model goes back to its
own threads and leaves the voice a core. (On 2 cores, SmolLM2-135M: prompt 7.9 -> 5.1 ms a token,
generation 17 -> 10.6 ms a token; see docs/benchmarks.md.)
"""

from __future__ import annotations

import os
from typing import Any

from ..sentences import SentenceSplitter


def burst_threads(configured: int, threads: int) -> int:
    """`llm.first_sentence_threads` as a count: 0 means every core; never fewer than `threads`."""
    return max(threads, configured or os.cpu_count() or 1)


class FirstSentenceThreads:
    """Raises the model's threads for one answer until its first sentence (as the voice cuts it) is written.

    Used in the generating thread: `saw` is called with each piece of text between tokens, when changing the
    thread count takes effect at the next token.
    """

    def __init__(self, llama: Any, threads: int, burst: int) -> None:
        self._llama, self._threads, self._burst = llama, threads, burst
        self._splitter = SentenceSplitter(first_clause_early=True)  # where the voice starts speaking
        self._active = False

    def __enter__(self) -> "FirstSentenceThreads":
        if self._burst > self._threads:
            self._set(self._burst)
            self._active = True
        return self

    def saw(self, text: str) -> None:
        if self._active and self._splitter.push(text):
            self._set(self._threads)
            self._active = False

    def __exit__(self, *exc: object) -> None:
        if self._active:
            self._set(self._threads)
            self._active = False

    def _set(self, threads: int) -> None:
        import llama_cpp

        llama_cpp.llama_set_n_threads(self._llama._ctx.ctx, threads, threads)  # noqa: SLF001
