"""An OpenAI-compatible server (llama.cpp server, vLLM, Ollama, a cloud API) as the LLM.

POST {remote_url}/chat/completions with stream=true and the tools; text deltas stream as they arrive,
tool-call fragments are put together and delivered as one final delta. Until the first token arrives a
failure (cannot connect, 5xx, 429, connection dropped) is retried with exponential backoff; after it, a
broken stream is an LlmError, since the caller has already spoken part of the answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any, AsyncIterator
from urllib.parse import urlsplit

from .base import LlmDelta, LlmError, ToolChoice, finish_tool_calls, merge_tool_call_delta
from .http_stream import HttpError, HttpResponse, post

if TYPE_CHECKING:
    from ..config import LlmSettings

log = logging.getLogger(__name__)

RETRY_STATUSES = {408, 429, 500, 502, 503, 504}


class _Retryable(Exception):
    pass


class RemoteLlm:
    def __init__(self, settings: "LlmSettings", attempts: int = 3, backoff_secs: float = 0.5) -> None:
        if not settings.remote_url:
            raise LlmError("llm.backend = 'remote' needs llm.remote_url (e.g. http://192.0.2.10:8080/v1)")
        base = settings.remote_url.rstrip("/")
        self.url = base if base.endswith("/chat/completions") else base + "/chat/completions"
        self.name = f"remote:{settings.model or urlsplit(self.url).netloc}"
        self._settings = settings
        self._attempts = max(1, attempts)
        self._backoff = backoff_secs

    async def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                     cancel: asyncio.Event, tool_choice: ToolChoice = "auto") -> AsyncIterator[LlmDelta]:
        body = self._body(messages, tools, tool_choice)
        for attempt in range(1, self._attempts + 1):
            started = False
            try:
                async for delta in self._one_attempt(body, cancel):
                    started = True
                    yield delta
                return
            except _Retryable as err:
                if started or attempt == self._attempts or cancel.is_set():
                    raise LlmError(f"the LLM server at {self.url} failed: {err}") from None
                delay = self._backoff * 2 ** (attempt - 1)
                log.warning("LLM server request failed; retrying",
                            extra={"url": self.url, "attempt": attempt, "error": str(err), "retry_in": delay})
                await _sleep_unless(cancel, delay)
                if cancel.is_set():
                    return

    def configure(self, settings: "LlmSettings") -> None:
        """New sampling settings (temperature, max_tokens, seed), sent with the next request."""
        self._settings = settings

    async def warm_up(self, system_prompt: str, tools: list[dict[str, Any]] | None = None) -> None:
        """Ask for one token so the server loads the model and caches the system prompt; a failure is only logged."""
        body = self._body([{"role": "system", "content": system_prompt}, {"role": "user", "content": "hi"}],
                          tools, "none" if tools else "auto")
        body["max_tokens"] = 1
        try:
            async for _delta in self._one_attempt(body, asyncio.Event()):
                pass
        except (_Retryable, LlmError) as err:
            log.warning("LLM server warm-up failed", extra={"url": self.url, "error": str(err)})

    # --- one request --------------------------------------------------------------------------------

    def _body(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
              tool_choice: ToolChoice) -> dict[str, Any]:
        s = self._settings
        body: dict[str, Any] = {"model": s.model or "default", "messages": messages, "stream": True,
                                "temperature": s.temperature, "max_tokens": s.max_tokens}
        if s.seed >= 0:
            body["seed"] = s.seed
        if tools:
            body["tools"] = tools
            body["tool_choice"] = tool_choice
        return body

    async def _one_attempt(self, body: dict[str, Any], cancel: asyncio.Event) -> AsyncIterator[LlmDelta]:
        response = await self._open(body)
        calls: dict[int, dict[str, str]] = {}
        finished = False
        try:
            async for event in _sse_events(response, cancel):
                if event == "[DONE]":
                    finished = True
                    break
                choice = _first_choice(event)
                if choice is None:
                    continue
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    yield LlmDelta(text=delta["content"])
                for part in delta.get("tool_calls") or []:
                    merge_tool_call_delta(calls, part)
                finished = finished or bool(choice.get("finish_reason"))
        except HttpError as err:
            raise _Retryable(f"the stream broke: {err}") from None
        finally:
            response.close()
        if cancel.is_set():
            return
        if not finished:
            raise _Retryable("the server closed the stream before the answer was complete")
        if calls:
            yield LlmDelta(tool_calls=finish_tool_calls(calls))

    async def _open(self, body: dict[str, Any]) -> HttpResponse:
        headers = {"Authorization": f"Bearer {self._settings.remote_api_key}"} if self._settings.remote_api_key else {}
        try:
            response = await post(self.url, json.dumps(body).encode(), headers, self._settings.remote_timeout_secs)
        except HttpError as err:
            raise _Retryable(str(err)) from None
        if response.status == 200:
            return response
        detail = (await response.text()).strip()[:300]
        response.close()
        message = f"HTTP {response.status} {response.reason}: {detail}"
        if response.status in RETRY_STATUSES:
            raise _Retryable(message)
        raise LlmError(f"the LLM server at {self.url} refused the request: {message}")


async def _sse_events(response: HttpResponse, cancel: asyncio.Event) -> AsyncIterator[str]:
    """The `data` of each server-sent event; stops when `cancel` is set."""
    data: list[str] = []
    async for line in _lines_until_cancel(response, cancel):
        if line.startswith("data:"):
            data.append(line[5:].lstrip())
        elif not line and data:
            yield "\n".join(data)
            data = []
    if data:
        yield "\n".join(data)


async def _lines_until_cancel(response: HttpResponse, cancel: asyncio.Event) -> AsyncIterator[str]:
    lines = response.lines().__aiter__()
    cancelled = asyncio.ensure_future(cancel.wait())
    try:
        while not cancel.is_set():
            getter = asyncio.ensure_future(lines.__anext__())
            await asyncio.wait({getter, cancelled}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                return
            try:
                line = getter.result()
            except StopAsyncIteration:
                return
            yield line
    finally:
        cancelled.cancel()


def _first_choice(event: str) -> dict[str, Any] | None:
    try:
        payload = json.loads(event)
    except json.JSONDecodeError:
        log.debug("ignoring a non-JSON stream event", extra={"event": event[:120]})
        return None
    if isinstance(payload, dict) and payload.get("error"):
        raise LlmError(f"the LLM server reported an error: {payload['error']}")
    choices = payload.get("choices") if isinstance(payload, dict) else None
    return choices[0] if choices and isinstance(choices[0], dict) else None


async def _sleep_unless(cancel: asyncio.Event, delay: float) -> None:
    try:
        await asyncio.wait_for(cancel.wait(), delay)
    except asyncio.TimeoutError:
        pass
