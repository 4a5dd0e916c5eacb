"""What the daemon's process sets and loads before its own modules: its command line, numpy's threads, the collector."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from firmware_py.cli import before_daemon_imports, build_parser, named_command


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


def test_the_daemons_command_line_leaves_the_client_sdk_unloaded() -> None:
    code = ("import sys; from firmware_py.cli import build_parser, named_command; "
            "argv = ['--config', 'run', 'run', '--port', '0']; args = build_parser(named_command(argv)).parse_args(argv); "
            "print(args.command, args.config, any(m.startswith('firmware_py.client') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["run", "run", "False"]


@pytest.mark.parametrize("argv, command", [(["chat", "--text", "hi"], "chat"), (["--log-level", "debug", "satellite"],
                                                                               "satellite"), (["--config"], None)])
def test_other_commands_still_get_their_own_arguments(argv: list[str], command: str | None) -> None:
    assert named_command(argv) == command
    if command:
        assert build_parser(named_command(argv)).parse_args(argv).command == command
