"""Answering ahead: at the user's first pause the responder chain matches the words so far, and when nobody
claims them the LLM starts on them (held back). At the end of the turn the guess is used if the words
stayed the same, and dropped otherwise, so a guess never speaks or acts on words the user did not finish.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from .base import Answer
from .chain import ResponderChain, same_words
from .early_llm import EarlyLlmAnswer

log = logging.getLogger(__name__)


@dataclass
class Guess:
    text: str
    match: asyncio.Task[Answer | None]
    llm: EarlyLlmAnswer | None = None
    follow_up: asyncio.Task[None] | None = field(default=None, repr=False)
    ahead: asyncio.Task[None] | None = field(default=None, repr=False)
    """The claim's reading made ahead (`Speculator`'s `read_ahead`): kept when the turn ends on these words."""

    def drop(self) -> None:
        self.match.cancel()
        for task in (self.follow_up, self.ahead):
            if task is not None:
                task.cancel()
        if self.llm is not None:
            self.llm.abandon()


class Speculator:
    def __init__(self, responders: ResponderChain | None, session_id: str,
                 start_llm: Callable[[str], EarlyLlmAnswer],
                 read_ahead: Callable[[str, Answer], Awaitable[None]] | None = None) -> None:
        """`read_ahead`: what to start on a claim made at the pause (the audio read again for it, kept where
        the turn's end finds it); its result is not awaited here."""
        self._responders, self._session_id, self._start_llm = responders, session_id, start_llm
        self._read_ahead = read_ahead
        self._guess: Guess | None = None

    def guess(self, text: str, llm: bool = True) -> None:
        """Match `text` now; with `llm`, start the LLM on it if nobody claims it."""
        if self._guess is not None and same_words(self._guess.text, text):
            return
        self.drop()
        if not text or self._responders is None:
            return
        match = asyncio.create_task(self._responders.match(text, self._session_id), name=f"guess-{self._session_id}")
        guess = self._guess = Guess(text, match)
        if llm:
            guess.follow_up = asyncio.create_task(self._llm_if_unclaimed(guess))

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
        if self._guess is not guess:
            return
        if claim is None:
            guess.llm = self._start_llm(guess.text)
        elif self._read_ahead is not None:   # (its own task: the turn's end cancels the follow-up, not this)
            guess.ahead = asyncio.create_task(self._read_ahead(guess.text, claim), name=f"ahead-{self._session_id}")

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
        early = guess.llm
        if early is not None and claim is not None:
            early.abandon()
            early = None
        return claim, early

    def drop(self) -> None:
        if self._guess is not None:
            self._guess.drop()
            self._guess = None
