"""Reading ahead: at the user's first pause, the reading the turn's end will ask for is made on the very audio
the words were decoded from, while the turn detector and the silence still decide whether the turn is over:
words no responder claims are read within the commands (command_reread.py), a command whose meaning turns on
one sound within its family (opposites.py). The turn's end then finds the reading made, or under way, instead
of starting it (a reading costs 0.1-0.4 s of the recogniser on this machine).

A reading made ahead is used only for the same audio (the same decode), the same words, the same claim on them
and the same timers (a reading's answer names running timers); anything else is read anew at the end of the
turn, and the user going on drops it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from .base import Answer

log = logging.getLogger(__name__)

Reading = tuple[str, Answer] | None
T = TypeVar("T")
NOT_READ = object()
"""What a reading ahead gives when nothing was read (no guess on the words finished, or a claim no reading is for)."""


@dataclass
class _Ahead:
    words: str
    audio: np.ndarray
    state: Hashable
    task: asyncio.Task[tuple[Answer | None, object]]

    def fits(self, words: str, audio: np.ndarray, state: Hashable) -> bool:
        return self.audio is audio and self.words == words and self.state == state


class ReadingAhead:
    def __init__(self, guessed: Callable[[str], Awaitable[tuple[bool, Answer | None]]],
                 read_unclaimed: Callable[[np.ndarray, str], Awaitable[Reading]],
                 read_claimed: Callable[[np.ndarray, str, Answer], Awaitable[Reading]],
                 state: Callable[[], Hashable], session_id: str = "") -> None:
        """`guessed`: the claim the responders made on the words at the pause (whether they were matched, and
        the claim or None); `read_unclaimed` / `read_claimed`: the readings the turn's end makes of an audio
        whose words were heard, unclaimed or with a claim; `state`: what else a reading depends on."""
        self._guessed, self._state, self._session_id = guessed, state, session_id
        self._read_unclaimed, self._read_claimed = read_unclaimed, read_claimed
        self._ahead: _Ahead | None = None

    def start(self, words: str, audio: np.ndarray) -> None:
        """Read `audio` (decoded as `words`) as the turn's end would, once the responders have matched the words."""
        self.drop()
        task = asyncio.create_task(self._read(words, audio), name=f"reading-ahead-{self._session_id}")
        self._ahead = _Ahead(words, audio, self._state(), task)

    async def _read(self, words: str, audio: np.ndarray) -> tuple[Answer | None, object]:
        matched, claim = await self._guessed(words)
        if not matched:
            return None, NOT_READ
        if claim is None:
            return None, await self._read_unclaimed(audio, words)
        if claim.unknown_device or claim.passage:
            return claim, NOT_READ   # (read with another margin, or not at all)
        return claim, await self._read_claimed(audio, words, claim)

    async def reading(self, words: str, audio: np.ndarray, claim: Answer | None,
                      read_now: Callable[[], Awaitable[T]]) -> T:
        """The reading of the turn's `audio`, whose words were `words` and on which `claim` was made (None: no
        responder claimed them): the one made ahead when it fits, else `read_now`."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead.fits(words, audio, self._state()):
            read_for, found = await ahead.task
            if found is not NOT_READ and read_for is claim:
                log.debug("the reading made at the pause is used", extra={"session": self._session_id})
                return found   # type: ignore[return-value]
        elif ahead is not None:
            ahead.task.cancel()
        return await read_now()

    def drop(self) -> None:
        """The user went on, or the turn is no longer to be read: a reading under way is not waited for."""
        if self._ahead is not None:
            self._ahead.task.cancel()
            self._ahead = None
