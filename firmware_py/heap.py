"""glibc's malloc, told to keep less: one heap for every thread, and freed memory handed back.

glibc gives each thread that allocates its own heap ("arena", up to 8 per core) and keeps freed memory in
it for reuse. The daemon's engines run on their own threads (STT, TTS, turn, LLM, loaders), so the memory
one freed sat idle in its heap while another grew its own: one shared heap measured ~20 MB less at peak at
the same speed, and the heap freed after loading is tens of MB (docs/benchmarks.md, Memory).
"""

from __future__ import annotations

import ctypes
import os
from functools import cache

M_ARENA_MAX = -8
"""mallopt's parameter number for the arena limit (malloc.h)."""
ARENA_ENV = "MALLOC_ARENA_MAX"


@cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def share_one_heap() -> None:
    """Let every thread allocate from the same heap; call before threads start. MALLOC_ARENA_MAX in the
    environment wins; a no-op without glibc's mallopt."""
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is not None and ARENA_ENV not in os.environ:
        mallopt(M_ARENA_MAX, 1)


def release_freed_heap() -> None:
    """Return the heap's free pages to the system (a few ms); a no-op without glibc's malloc_trim."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
