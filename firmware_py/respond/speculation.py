"""Answering ahead: at the user's first pause the responder chain matches the words so far, and when nobody
claims them the LLM starts on them (held back); when a command claims them, its check on the audio (a
command whose meaning turns on one sound, read within its family) starts on the audio of the pause. At the
end of the turn the guess is used if the words stayed the same, and dropped otherwise, so a guess never
speaks or acts on words the user did not finish; the check's result only if it read the turn's own audio.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from collections.abc import Awaitable
from typing import Callable

import numpy as np

from .base import Answer
from .chain import ResponderChain, same_words
from .early_llm import EarlyLlmAnswer

log = logging.getLogger(__name__)


Checked = tuple[str, Answer] | None
"""What a claim's check on the audio found: the words and answer to give instead, or None (as claimed)."""
Check = Callable[[np.ndarray, str, Answer], Awaitable[Checked] | None]
"""The check of a claimed command on its turn's audio (`Conversation._opposite_read_again`'s reading), or
None when that claim is not checked ahead (the turn's end then checks it, if at all)."""


@dataclass
class Guess:
    text: str
    match: asyncio.Task[Answer | None]
    llm: EarlyLlmAnswer | None = None
    follow_up: asyncio.Task[None] | None = field(default=None, repr=False)
    audio: np.ndarray | None = field(default=None, repr=False)
    checking: asyncio.Task[None] | None = field(default=None, repr=False)   # starts `check` once claimed
    check: asyncio.Future[Checked] | None = field(default=None, repr=False)

    def drop(self) -> None:
        self.match.cancel()
        for task in (self.follow_up, self.checking, self.check):
            if task is not None:
                task.cancel()
        if self.llm is not None:
            self.llm.abandon()


class Speculator:
    def __init__(self, responders: ResponderChain | None, session_id: str,
                 start_llm: Callable[[str], EarlyLlmAnswer], check: Check | None = None) -> None:
        self._responders, self._session_id, self._start_llm = responders, session_id, start_llm
        self._check = check
        self._guess: Guess | None = None
        self._claimed: Guess | None = None   # the guess the last claim used, while its check may still be wanted

    def guess(self, text: str, answering: bool = False, audio: np.ndarray | None = None) -> None:
        """Match `text` now; start the LLM on it if nobody claims it (not while an answer is playing), or,
        given the `audio` its words were decoded from, the claim's check on it."""
        if self._guess is not None and same_words(self._guess.text, text):
            return
        self.drop()
        if not text or self._responders is None:
            return
        match = asyncio.create_task(self._responders.match(text, self._session_id), name=f"guess-{self._session_id}")
        guess = self._guess = Guess(text, match, audio=audio)
        if not answering:
            guess.follow_up = asyncio.create_task(self._llm_if_unclaimed(guess))
        if audio is not None and self._check is not None:
            guess.checking = asyncio.create_task(self._check_if_claimed(guess, audio, self._check))

    async def _check_if_claimed(self, guess: Guess, audio: np.ndarray, check: Check) -> None:
        try:
            claim = await asyncio.shield(guess.match)
        except Exception:
            return
        work = check(audio, guess.text, claim) if claim is not None and not claim.unknown_device else None
        if work is not None:
            guess.check = asyncio.ensure_future(work)
            guess.check.add_done_callback(self._failed)

    def _failed(self, check: asyncio.Future[Checked]) -> None:
        """(a check nobody awaits in the end still has its failure logged)"""
        if not check.cancelled() and check.exception() is not None:
            log.warning("checking a command ahead failed", extra={"session": self._session_id,
                                                                   "error": repr(check.exception())})

    def checked(self, text: str, audio: np.ndarray) -> asyncio.Future[Checked] | None:
        """The check started at the pause on the claim of these words, when it read exactly this `audio` (the
        turn's, as decoded); None otherwise (the caller checks now)."""
        guess, self._claimed = self._claimed, None
        if guess is None or guess.check is None:
            return None
        if guess.audio is not audio or not same_words(guess.text, text) or guess.check.cancelled():
            guess.check.cancel()
            return None
        return guess.check

    def claimed(self, text: str) -> bool:
        """Has a responder already claimed these words (a command that matched whole)?"""
        guess = self._guess
        if guess is None or not guess.match.done() or guess.match.cancelled() or guess.match.exception():
            return False
        return guess.match.result() is not None and same_words(guess.text, text)

    async def _llm_if_unclaimed(self, guess: Guess) -> None:
        try:
            claim = await asyncio.shield(guess.match)
        except (asyncio.CancelledError, Exception):
            return
        if claim is None and self._guess is guess:
            guess.llm = self._start_llm(guess.text)

    async def claim(self, text: str) -> tuple[Answer | None, EarlyLlmAnswer | None]:
        """The chain's answer for the final words (the guess's when they are the same), and the LLM answer
        already started on them when nobody claims the turn."""
        guess, self._guess = self._guess, None
        if self._responders is None:
            if guess is not None:
                guess.drop()
            return None, None
        if guess is not None and not same_words(guess.text, text):
            guess.drop()
            guess = None
        claim: Answer | None = None
        if guess is not None:
            try:
                claim = await guess.match
            except (asyncio.CancelledError, Exception):
                log.warning("early match failed; matching again", extra={"session": self._session_id})
                guess.drop()
                guess = None
        if guess is None:
            return await self._responders.match(text, self._session_id), None
        if guess.follow_up is not None and not guess.follow_up.done():
            guess.follow_up.cancel()   # the LLM guess had not started: the answer starts it now
        self._keep_claimed(guess)
        early = guess.llm
        if early is not None and claim is not None:
            early.abandon()
            early = None
        return claim, early

    def _keep_claimed(self, guess: Guess) -> None:
        if self._claimed is not None and self._claimed.check is not None and self._claimed is not guess:
            self._claimed.check.cancel()
        self._claimed = guess if guess.checking is not None else None

    def drop(self) -> None:
        if self._guess is not None:
            self._guess.drop()
            self._guess = None


async def result_of(check: asyncio.Future[Checked]) -> Checked:
    """The check's result; None when it was cancelled (the awaiting answer itself was not)."""
    try:
        return await check
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if check.cancelled() and current is not None and not current.cancelling():
            return None
        raise
