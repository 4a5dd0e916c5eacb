"""Abusive and broken clients: floods are throttled then closed with a reason; nobody else notices."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np

from firmware_py.rtvi.protocol import wire
from firmware_py.rtvi.audio import AudioRateGuard, ClientAudioSink
from firmware_py.rtvi.limits import LogLimiter, TokenBucket

from rtvi_harness import Harness, start_harness, until


def test_rate_guard_allows_a_burst_then_real_time_only() -> None:
    guard = AudioRateGuard(burst_secs=5.0, speedup=1.5, abuse_secs=20.0)
    assert guard.admit(5.0, now=0.0)          # the client's pre-ready queue arrives at once
    assert not guard.admit(0.1, now=0.0)      # nothing left
    assert guard.admit(1.0, now=1.0)          # one second later: real time is fine
    assert not guard.abusive
    for step in range(1, 400):                # ten times real time for a while
        guard.admit(1.0, now=1.0 + step * 0.1)
    assert guard.abusive and guard.dropped_secs > 20


def test_token_bucket_refills() -> None:
    bucket = TokenBucket(capacity=2, rate=1)
    assert bucket.take(now=0) and bucket.take(now=0) and not bucket.take(now=0)
    assert bucket.take(now=1.0)


def test_log_limiter_keeps_the_journal_short(caplog) -> None:
    import logging

    limiter = LogLimiter(logging.getLogger("test.limiter"), burst=3, interval=60)
    with caplog.at_level(logging.WARNING, logger="test.limiter"):
        for _ in range(100):
            limiter.log(logging.WARNING, "k", "bad thing")
    assert len(caplog.records) == 3


async def test_sink_sends_40ms_frames_and_clear_drops_the_rest() -> None:
    sent: list[np.ndarray] = []

    async def send(chunk: np.ndarray) -> None:
        sent.append(chunk)

    sink = ClientAudioSink(send)
    writing = asyncio.create_task(sink.write(np.ones(24000, np.int16)))  # one second of audio
    while len(sent) < 3:
        await asyncio.sleep(0.005)
    sink.clear()
    await writing
    assert 3 <= len(sent) <= 6 and all(len(chunk) == 960 for chunk in sent)  # stopped at once, not 25 frames
    await sink.write(np.ones(1000, np.int16))
    await sink.drain()  # the partial 40 ms tail goes out at the end of an utterance
    assert [len(c) for c in sent[-2:]] == [960, 40]


async def test_audio_flood_is_throttled_then_closed(harness: Harness) -> None:
    flooder, good = await harness.connect(), await harness.connect()
    await flooder.ready()
    await good.ready()
    frame = wire.encode_audio(b"\x01\x00" * 8000, 16000)  # 0.5 s per frame, sent as fast as possible
    for _ in range(200):
        if flooder._reader.done():
            break
        await flooder.ws.send(frame)
    await asyncio.wait_for(flooder._reader, 5)
    assert flooder.ws.close_code == 1008 and "real time" in flooder.ws.close_reason
    delivered = sum(f.duration for f in harness.host.opened[0].audio)
    assert delivered < 10  # only the burst allowance got through
    assert (await good.request("client-message", {"t": "ping"}))["type"] == "server-response"


async def test_stream_of_invalid_messages_is_closed(harness: Harness) -> None:
    client = await harness.connect()
    await client.ready()
    for _ in range(100):
        if client._reader.done():
            break
        await client.ws.send(b"\xff\xfe garbage")
    await asyncio.wait_for(client._reader, 5)
    assert client.ws.close_code == 1008 and "invalid" in client.ws.close_reason
    assert "error-response" in client.types()  # it was told why before being closed


async def test_invalid_json_and_shapes_get_error_responses(harness: Harness) -> None:
    client = await harness.connect()
    for raw, words in (("{not json", "not valid JSON"), ("[1, 2]", "JSON object"),
                       (json.dumps({"label": "rtvi-ai", "id": "a1"}), "type"),
                       (json.dumps({"label": "rtvi-ai", "type": "send-text", "id": "a2", "data": [1]}), "object"),
                       (json.dumps({"label": "rtvi-ai", "type": "x", "id": 5}), "id"),
                       ("[" * 100_000 + "]" * 100_000, "JSON")):
        await client.send_raw(raw)
        reply = await client.wait_for(lambda m: m.get("type") == "error-response" and words in m["data"]["error"])
        assert reply
    await client.ws.send(wire.encode_interruption())
    assert "not accepted" in (await client.wait_for(
        lambda m: "not accepted" in m.get("data", {}).get("error", "")))["data"]["error"]
    assert (await client.ready())["type"] == "bot-ready"  # still a working connection


async def test_misbehaving_conversation_does_not_break_the_connection(tmp_path: Path) -> None:
    running = await start_harness(tmp_path)
    try:
        client = await running.connect()
        await client.ready()
        session = running.session()

        def broken(*args):
            raise RuntimeError("engine on fire")

        session.push_audio = broken  # type: ignore[method-assign]
        session.get_context = broken  # type: ignore[method-assign]
        await client.ws.send(wire.encode_audio(b"\x00\x00" * 320, 16000))
        reply = await client.request("client-message", {"t": "get-context"})
        assert reply["type"] == "error-response" and "internal error" in reply["data"]["error"]
        assert (await client.request("client-message", {"t": "ping"}))["type"] == "server-response"
    finally:
        await running.server.stop()


async def test_bot_audio_to_a_stalled_reader_is_dropped_not_waited_for(harness: Harness) -> None:
    from firmware_py.rtvi.websocket import AUDIO_BACKLOG_BYTES

    client = await harness.connect()
    await client.ready()
    connection = next(iter(harness.server.connections))
    transport = connection.transport._transport
    backlog = {"bytes": 0}
    real_size = transport.get_write_buffer_size
    transport.get_write_buffer_size = lambda: backlog["bytes"] or real_size()  # type: ignore[method-assign]
    backlog["bytes"] = AUDIO_BACKLOG_BYTES + 1
    await connection.send_audio(np.zeros(960, np.int16))
    assert connection.audio_dropped_frames == 1 and not client.audio
    backlog["bytes"] = 0
    await connection.send_audio(np.zeros(960, np.int16))
    await until(lambda: len(client.audio) == 1)
