"""The responder chain and the direct answer: who claims a turn, and how a claimed turn is carried out.

Responders are asked in order (intents, then the knowledge base); the first claim wins and the LLM answers
whatever nobody claimed. A responder that fails is logged and skipped: a broken link never loses the turn.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from ..llm.base import ToolCall
from ..llm.tools import ToolRegistry
from .base import Answer, Responder

log = logging.getLogger(__name__)


class ResponderChain:
    def __init__(self, responders: list[Responder]) -> None:
        self.responders = responders

    async def match(self, text: str, session_id: str) -> Answer | None:
        for responder in self.responders:
            try:
                answer = await responder.match(text, session_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("responder failed; asking the next", extra={"responder": responder.name})
                continue
            if answer is not None:
                return answer
        return None

    async def close(self) -> None:
        for responder in self.responders:
            close = getattr(responder, "close", None)
            if close is not None:
                result = close()
                if asyncio.iscoroutine(result):
                    await result


def same_words(a: str, b: str) -> bool:
    """Equal once case and punctuation are set aside ("Turn on the light." == "turn on the light")."""
    return _words(a) == _words(b)


def _words(text: str) -> list[str]:
    return "".join(ch.lower() if ch.isalnum() or ch.isspace() or ch == "'" else " " for ch in text).split()


async def run_actions(answer: Answer, tools: ToolRegistry, session_id: str) -> str:
    """Carry out the answer's actions (each published as a function call like the LLM's) and return what
    to say: the answer's text, then each result's summary, or the reason an action was refused."""
    return (await carry_out(answer, tools, session_id))[0]


async def carry_out(answer: Answer, tools: ToolRegistry, session_id: str) -> tuple[str, bool]:
    """`run_actions`, and whether any action was done (False when every one was refused: "several timers are
    running; say which one" changed nothing, so the words that follow may still complete the request)."""
    spoken = [answer.text] if answer.text else []
    done = False
    for action in answer.actions:
        call = ToolCall(id=f"call_{uuid.uuid4().hex[:12]}", name=action.name, arguments=dict(action.arguments))
        result = await tools.call(session_id, call)
        done = done or _succeeded(result.value, result.ok)
        spoken.append(spoken_result(result.value, result.ok))
    return " ".join(part for part in spoken if part).strip(), done


def _succeeded(value: Any, ok: bool) -> bool:
    """Was a tool call done (not refused: a handler's refusal comes back as a result with an "error")?"""
    return ok and not (isinstance(value, dict) and "error" in value)


SENTENCE_OPENERS = frozenset({"The", "A", "An", "No", "There", "This", "That", "Your", "My"})


def _mid_sentence(reason: str) -> str:
    """A handler's reason as the rest of "Sorry, ...": "The 20 minute timer is already paused" -> "the ..."."""
    first, space, rest = reason.partition(" ")
    return first.lower() + space + rest if first in SENTENCE_OPENERS else reason


def spoken_result(value: Any, ok: bool) -> str:
    if isinstance(value, dict):
        if not _succeeded(value, ok):
            reason = str(value.get("error", "that did not work")).strip()
            return reason if reason[-1:] in ".!?" else f"Sorry, {_mid_sentence(reason)}."
        return str(value.get("summary", "Done.")).strip()
    return "Done."
