"""One bot reply: run the model on the context, carry out its tool calls, and stream the spoken text.

Rounds: the model answers with text (streamed to the caller, and the reply ends) or with tool calls, which
are recorded in the context and run through the registry. When every result carries a `summary` sentence
(all built-in and configured tools do), the spoken answer is made from those summaries, and errors from
a short apology that says what went wrong: no second pass of the model, which on a small model cost
about half a second and sometimes garbled the result. Only results without a summary (a client's own
tool returning raw data) are worded by the model in another round. The last allowed round forbids tools,
so a reply always ends in words. A call the model repeats word for word within one reply is not run
twice: the model is made to answer instead (small models otherwise loop on the same call).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, AsyncIterator

from ..events import EventBus
from .base import LlmEngine, ToolCall
from .context import Context
from .tools import ToolRegistry

log = logging.getLogger(__name__)


async def generate_reply(engine: LlmEngine, context: Context, tools: ToolRegistry | None, session_id: str,
                         bus: EventBus, cancel: asyncio.Event, client_tools: list[dict[str, Any]] | None = None,
                         max_tool_rounds: int = 3) -> AsyncIterator[str]:
    """Text deltas of the reply as they stream; the finished (or, on cancel, partial) text joins the context.

    `bus` carries the function-call events (published by the registry). Raises LlmError when the model
    fails; a failing tool becomes an error result the model reads, never an exception.
    """
    schemas = tools.schemas(client_tools) if tools is not None else None
    done: set[str] = set()
    force_text = False
    for round_no in range(max_tool_rounds + 1):
        choice = "none" if schemas and (force_text or round_no == max_tool_rounds) else "auto"
        text: list[str] = []
        calls: tuple[ToolCall, ...] = ()
        async for delta in _stream(engine, context, schemas, cancel, choice):
            if delta.text:
                text.append(delta.text)
                yield delta.text
            calls = delta.tool_calls or calls
        answer = "".join(text).strip()
        if answer:
            context.add("assistant", answer)
        if cancel.is_set() or not calls or tools is None:
            if calls and tools is None:
                log.warning("model called tools although none were offered", extra={"session_id": session_id})
            return
        fresh = [call for call in calls if _key(call) not in done]
        if not fresh:
            log.info("model repeated a tool call; asking for an answer", extra={"session_id": session_id})
            force_text = True
            continue
        results = await _run_calls(fresh, context, tools, session_id, client_tools, done, cancel)
        if cancel.is_set():
            return
        spoken = confirmation(results)
        if spoken:
            context.add("assistant", spoken)
            yield spoken
            return


def _stream(engine: LlmEngine, context: Context, schemas: list[dict[str, Any]] | None,
            cancel: asyncio.Event, choice: str) -> AsyncIterator[Any]:
    if choice == "auto":  # the Protocol's default: engines without tool_choice support still work
        return engine.stream(context.messages(), schemas, cancel)
    return engine.stream(context.messages(), schemas, cancel, tool_choice=choice)


def confirmation(results: list[Any]) -> str | None:
    """The spoken answer templated from tool results; None when a result has neither summary nor error."""
    sentences = []
    for value in results:
        summary = value.get("summary") if isinstance(value, dict) else None
        error = value.get("error") if isinstance(value, dict) else None
        if isinstance(summary, str) and summary.strip():
            sentences.append(summary.strip())
        elif isinstance(error, str) and error.strip():
            reason = error.strip().removeprefix("arguments.").rstrip(".")
            sentences.append(f"Sorry, I could not do that: {reason}.")
        else:
            return None
    return " ".join(sentences) or None


async def _run_calls(calls: list[ToolCall], context: Context, tools: ToolRegistry, session_id: str,
                     client_tools: list[dict[str, Any]] | None, done: set[str], cancel: asyncio.Event) -> list[Any]:
    """Run the calls in order and return their results; on cancel the running one is abandoned (its stop
    event says cancelled)."""
    for call in calls:
        context.add_tool_call(call)
    results: list[Any] = []
    for index, call in enumerate(calls):
        running = asyncio.ensure_future(tools.call(session_id, call, client_tools))
        cancelled = asyncio.ensure_future(cancel.wait())
        await asyncio.wait({running, cancelled}, return_when=asyncio.FIRST_COMPLETED)
        cancelled.cancel()
        if not running.done():
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            for unfinished in calls[index:]:  # every call needs a result, or OpenAI servers refuse the context
                context.add_tool_result(unfinished, {"error": "cancelled: the user interrupted"})
            return results
        results.append(running.result().value)
        context.add_tool_result(call, results[-1])
        done.add(_key(call))
    return results


def _key(call: ToolCall) -> str:
    return call.name + json.dumps(call.arguments, sort_keys=True)
