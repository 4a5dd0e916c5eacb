"""Reading ahead: at the user's first pause, words no responder claims are read again within the commands
(command_reread.py) on the very audio they were decoded from, while the turn detector and the silence still
decide whether the turn is over. A misheard command is then ready when the turn ends instead of being read
after it (a reading costs 0.2-0.4 s of the recogniser on this machine).

A reading made ahead is used only for the same audio (the same decode), the same words and the same timers
(a reading's answer names running timers); anything else is read anew at the end of the turn, and the user
going on drops it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

import numpy as np

from .base import Answer
from .chain import same_words

log = logging.getLogger(__name__)

Reading = tuple[str, Answer] | None
NOT_READ = object()
"""What a reading ahead gives when a responder claimed the words after all: nothing was read."""


@dataclass
class _Ahead:
    words: str
    audio: np.ndarray
    state: Hashable
    task: asyncio.Task[object]

    def fits(self, words: str, audio: np.ndarray, state: Hashable) -> bool:
        return self.audio is audio and same_words(self.words, words) and self.state == state


class ReadingAhead:
    def __init__(self, unclaimed: Callable[[str], Awaitable[bool]],
                 read: Callable[[np.ndarray, str], Awaitable[Reading]], state: Callable[[], Hashable],
                 session_id: str = "") -> None:
        """`unclaimed`: whether no responder claims the words (the speculator's match at the pause); `read`:
        the reading of an audio whose words were heard; `state`: what else the reading depends on."""
        self._unclaimed, self._read, self._state, self._session_id = unclaimed, read, state, session_id
        self._ahead: _Ahead | None = None

    def start(self, words: str, audio: np.ndarray) -> None:
        """Read `audio` (decoded as `words`) within the commands once no responder claims the words."""
        self.drop()
        task = asyncio.create_task(self._read_unclaimed(words, audio), name=f"reading-ahead-{self._session_id}")
        self._ahead = _Ahead(words, audio, self._state(), task)

    async def _read_unclaimed(self, words: str, audio: np.ndarray) -> object:
        if not await self._unclaimed(words):
            return NOT_READ
        return await self._read(audio, words)

    async def read(self, words: str, audio: np.ndarray) -> Reading:
        """The reading of the turn's `audio`, whose words were `words`: the one made ahead when it fits, else
        one made now."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead.fits(words, audio, self._state()):
            found = await ahead.task
            if found is not NOT_READ:
                log.debug("the reading made at the pause is used", extra={"session": self._session_id})
                return found   # type: ignore[return-value]
        elif ahead is not None:
            ahead.task.cancel()
        return await self._read(audio, words)

    def drop(self) -> None:
        """The user went on, or the turn is no longer to be read: a reading under way is not waited for."""
        if self._ahead is not None:
            self._ahead.task.cancel()
            self._ahead = None
