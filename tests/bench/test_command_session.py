"""The spoken benchmark's harness waits for the answer to a request's last words when they came back after an
answer to its first piece had begun ("What is five? | Plus three.")."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from scripts.bench.client import Received
from scripts.bench.command_session import answer_to_the_rest


@dataclass
class Client:
    """Just what the harness reads of a connection: messages with their arrival times."""

    messages: list[Received] = field(default_factory=list)

    def first(self, msg_type: str, after: float = 0.0, where=None) -> Received | None:  # type: ignore[no-untyped-def]
        return next((m for m in self.messages if m.at >= after and m.type == msg_type
                     and (where is None or where(m.data))), None)

    def arrives(self, msg_type: str, data: object = None) -> None:
        self.messages.append(Received(time.monotonic(), msg_type, data))


async def test_the_answer_to_a_rest_that_came_back_late_is_waited_for() -> None:
    client = Client()
    client.arrives("user-transcription", {"text": "What is five?", "final": True})
    heard = time.monotonic()   # the answer to the first piece begins
    client.arrives("bot-started-speaking")
    last = time.monotonic()    # the last voiced sample ("three") went out

    async def the_daemon() -> None:
        await asyncio.sleep(0.2)
        client.arrives("bot-stopped-speaking")   # the first answer, cut short
        await asyncio.sleep(0.3)
        client.arrives("user-transcription", {"text": "What is five plus three?", "final": True})
        await asyncio.sleep(0.2)
        client.arrives("bot-tts-text", {"text": "5 plus 3 is 8."})
        client.arrives("bot-stopped-speaking")

    daemon = asyncio.create_task(the_daemon())
    await answer_to_the_rest(client, heard, last)   # type: ignore[arg-type]
    answered = client.first("bot-tts-text") is not None
    await daemon
    assert answered, "returned before the answer to the whole request"


async def test_a_request_answered_after_its_words_waits_for_nothing_more() -> None:
    client = Client()
    last = time.monotonic()
    client.arrives("user-transcription", {"text": "What time is it?", "final": True})
    heard = time.monotonic()
    client.arrives("bot-stopped-speaking")
    started = time.monotonic()
    await answer_to_the_rest(client, heard, last)   # type: ignore[arg-type]
    assert time.monotonic() - started < 0.5
