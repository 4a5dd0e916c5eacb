"""A reading of a turn's audio started at the user's pause and used at the turn's end when nothing changed.

A check that reads the audio again (respond/opposites.py) costs ~0.14 s of CPU before a command runs. The
words heard at the pause are most often the turn's words, decoded from the very same audio, and the pause
leaves the recogniser idle until the turn ends: the reading starts then, and the turn's end takes its
result only when the words and the audio are still the same, else it is dropped and read afresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import numpy as np

from .chain import same_words


@dataclass
class _Ahead:
    text: str
    audio: np.ndarray
    task: asyncio.Task[Any]


class ReadAhead:
    """At most one reading ahead: the last pause's."""

    def __init__(self) -> None:
        self._ahead: _Ahead | None = None

    def start(self, text: str, audio: np.ndarray, reading: Coroutine[Any, Any, Any]) -> None:
        self.drop()
        self._ahead = _Ahead(text, audio, asyncio.create_task(reading, name="read-ahead"))

    def take(self, text: str, audio: np.ndarray) -> asyncio.Task[Any] | None:
        """The reading started at the pause, when it read these words' very audio; None (and it is dropped)
        otherwise."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        if same_words(ahead.text, text) and ahead.audio is audio:
            return ahead.task
        ahead.task.cancel()
        return None

    def drop(self) -> None:
        if self._ahead is not None:
            self._ahead.task.cancel()
            self._ahead = None
