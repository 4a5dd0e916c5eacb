"""glibc's malloc told to keep one heap for every thread (the daemon's engines each run on their own)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys, tempfile, threading
from firmware_py.heap import share_one_heap
if sys.argv[1] == "shared":
    share_one_heap()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.fopen.restype = ctypes.c_void_p
barrier = threading.Barrier(4)
def work():
    block = libc.malloc(4096)  # a thread's first malloc picks its heap
    barrier.wait()
    libc.free(ctypes.c_void_p(block))
threads = [threading.Thread(target=work) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with tempfile.NamedTemporaryFile(suffix=".xml") as report:
    stream = libc.fopen(report.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    print(open(report.name).read().count("<heap nr="))
"""


def heaps(mode: str, env: dict[str, str] | None = None) -> int:
    environment = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | (env or {})
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True,
                          env=environment, timeout=60)
    return int(done.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_threads_share_one_heap_unless_the_environment_says_otherwise() -> None:
    assert heaps("own") >= 4  # glibc's default: a heap per thread that allocates
    assert heaps("shared") == 1
    assert heaps("shared", {"MALLOC_ARENA_MAX": "3"}) == 3  # MALLOC_ARENA_MAX in the environment wins
