"""Handing the heap that freed memory leaves behind back to the system (glibc's malloc).

glibc keeps freed memory for reuse: after the one-off allocations of loading, and after each run of an
engine that takes its working memory from malloc, that is tens of MB the daemon would carry for good
(docs/benchmarks.md, Memory).
"""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def release_freed_heap() -> None:
    """Return the heap's free pages to the system (a few ms); a no-op without glibc's malloc_trim."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
