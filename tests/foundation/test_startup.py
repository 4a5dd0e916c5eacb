"""What the daemon's process sets before its modules load."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator

import pytest

from firmware_py.cli import before_daemon_imports


@pytest.fixture
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()


def test_one_blas_thread_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch, collector_restored: None) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    before_daemon_imports()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    before_daemon_imports()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"


def test_the_collector_rests_while_start_up_objects_are_made(collector_restored: None) -> None:
    before_daemon_imports()
    assert not gc.isenabled()  # daemon.py turns it back on at ready, once they are frozen
