"""Keep what the KV cache holds of a history whose oldest turns were trimmed away.

When the history outgrows its budget, `Context` drops its oldest turns, so the next prompt departs from the
cached tokens right after the system prompt, and llama.cpp's prefix match then re-evaluates the whole kept
history: 7 s for ~750 tokens on this machine's one LLM thread, every few turns of a long conversation. As
llama.cpp's own server does when its context fills ("context shift"), the dropped turns' tokens are removed
from the cache instead and the kept ones moved down into their place (their positions shifted; RoPE keys are
re-rotated by llama.cpp), so only the new turn is evaluated.
"""

from __future__ import annotations

import logging

import llama_cpp
import numpy as np
from llama_cpp import Llama

log = logging.getLogger(__name__)

MIN_KEPT_TOKENS = 16
"""A shorter run of cached tokens found again further on is not worth moving (and may be a chance match)."""


def shift_out_dropped_turns(llama: Llama, prompt: list[int]) -> int:
    """Make the cache hold `prompt`'s longest possible prefix by cutting out a span of cached tokens the prompt
    no longer has; returns how many tokens were cut out (0: nothing to do, or the cache cannot shift)."""
    cached = np.array(llama.input_ids[: llama.n_tokens])
    wanted = np.asarray(prompt, dtype=cached.dtype)
    common = _common_prefix(cached, wanted)
    if common == 0 or common >= len(cached) or len(wanted) - common < MIN_KEPT_TOKENS:
        return 0
    resumes = _where_it_resumes(cached, wanted, common)
    if resumes is None:
        return 0
    kept = _common_prefix(cached[resumes:], wanted[common:])
    if common + kept >= len(wanted):
        return 0   # the prompt is a fragment of the cache (a new session asking an old session's question): not a trim
    memory = llama._ctx.memory  # noqa: SLF001
    if not llama_cpp.llama_memory_can_shift(memory):
        return 0
    cut = resumes - common
    if not llama._ctx.kv_cache_seq_rm(0, common, resumes):  # noqa: SLF001
        return 0
    llama._ctx.kv_cache_seq_rm(0, resumes + kept, -1)  # noqa: SLF001
    llama._ctx.kv_cache_seq_shift(0, resumes, resumes + kept, -cut)  # noqa: SLF001
    llama.input_ids[common:common + kept] = cached[resumes:resumes + kept]
    llama.n_tokens = common + kept
    log.debug("dropped turns cut out of the LLM cache", extra={"cut": cut, "kept": kept})
    return cut


def _common_prefix(a: np.ndarray, b: np.ndarray) -> int:
    n = min(len(a), len(b))
    differ = np.flatnonzero(a[:n] != b[:n])
    return int(differ[0]) if len(differ) else n


def _where_it_resumes(cached: np.ndarray, wanted: np.ndarray, common: int) -> int | None:
    """The first place after `common` where the cached tokens go on as the prompt does, for at least
    MIN_KEPT_TOKENS tokens."""
    head = wanted[common:common + MIN_KEPT_TOKENS]
    for start in np.flatnonzero(cached[common + 1:] == head[0]) + common + 1:
        if len(cached) - start >= MIN_KEPT_TOKENS and np.array_equal(cached[start:start + MIN_KEPT_TOKENS], head):
            return int(start)
    return None
