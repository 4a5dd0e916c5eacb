"""Thousands of random and mutated frames at a running server (loopback only, bounded in count).

A well-behaved client keeps getting answers throughout, and the server's memory stays flat.
"""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc
from pathlib import Path

import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_py.rtvi.protocol import wire

from rtvi_harness import Harness, RtviClient, start_harness

TYPES = ["client-ready", "send-text", "client-message", "append-to-context", "llm-function-call-result", "dtmf",
         "raw-audio", "raw-audio-batch", "update-config", "get-config", "describe-config", "describe-actions",
         "action", "disconnect-bot", "bogus", ""]
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                       max_size=4), max_leaves=12)
KEYS = ["version", "content", "options", "run_immediately", "audio_response", "t", "d", "role", "tool_call_id",
        "result", "buttons", "button", "base64Audio", "base64AudioBatch", "sampleRate", "numChannels", "config",
        "interrupt", "service", "action", "arguments", "name", "value", "tools"]
plausible_data = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5)
rtvi_messages = st.fixed_dictionaries(
    {"label": st.sampled_from(["rtvi-ai", "rtvi-ai", "rtvi-ai", "other"]), "type": st.sampled_from(TYPES)},
    optional={"id": st.text("0123456789abcdef", min_size=8, max_size=8) | st.text(max_size=12) | st.integers(),
              "data": plausible_data | json_values}).map(json.dumps)


def _mutate(frame: bytes, flips: list[tuple[int, int]], cut: int) -> bytes:
    data = bytearray(frame)
    for position, value in flips:
        data[position % len(data)] = value
    return bytes(data[: max(1, cut % (len(data) + 1))])


protobuf_messages = rtvi_messages.map(wire.encode_message)
audio_frames = st.builds(wire.encode_audio, st.binary(max_size=700), st.sampled_from([0, 8000, 16000, 48000, 7, 10**6]),
                         st.integers(0, 9))
mutated = st.builds(_mutate, protobuf_messages | audio_frames,
                    st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 255)), max_size=4), st.integers(0, 1000))
frames = st.one_of(st.binary(max_size=300), protobuf_messages, audio_frames, mutated,
                   rtvi_messages, st.text(max_size=200))
batches = st.lists(frames, min_size=5, max_size=15)


class Fuzzer:
    """Sends frames on one connection; reconnects when the server closes it (as it should, for abuse)."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.ws: websockets.ClientConnection | None = None
        self.sent = self.closed_by_server = 0

    async def send(self, frame: bytes | str) -> None:
        if self.ws is None or self.ws.close_code is not None:
            if self.ws is not None:
                self.closed_by_server += 1
            self.ws = await websockets.connect(self.harness.url(), max_size=None)
            self._drain = asyncio.create_task(self._discard(self.ws))
        try:
            await self.ws.send(frame)
            self.sent += 1
        except websockets.ConnectionClosed:
            self.closed_by_server += 1
            self.ws = None

    @staticmethod
    async def _discard(ws: websockets.ClientConnection) -> None:
        try:
            async for _ in ws:
                pass
        except websockets.ConnectionClosed:
            pass

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def server_memory() -> int:
    gc.collect()
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(True, "*firmware_py*"), tracemalloc.Filter(True, "*websockets*")])
    return sum(stat.size for stat in snapshot.statistics("filename"))


async def test_fuzzed_frames_never_disturb_a_good_client(tmp_path: Path) -> None:
    harness = await start_harness(tmp_path, local=True)
    good = RtviClient(await websockets.connect(harness.url()))
    await good.ready()
    fuzzer = Fuzzer(harness)
    rounds = {"count": 0}

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(batch=batches)
    def fuzz(batch: list[bytes | str]) -> None:
        batches_seen.append(batch)

    batches_seen: list[list[bytes | str]] = []
    fuzz()  # hypothesis draws the batches (its own shrinking is of no use against a live server)

    tracemalloc.start(5)
    try:
        for batch in batches_seen[:30]:  # warm-up: caches, first connections
            for frame in batch:
                await fuzzer.send(frame)
        baseline = server_memory()
        for batch in batches_seen[30:]:
            for frame in batch:
                await fuzzer.send(frame)
            rounds["count"] += 1
            if rounds["count"] % 25 == 0:
                reply = await good.request("client-message", {"t": "ping", "d": rounds["count"]}, timeout=10)
                assert reply["type"] == "server-response" and reply["data"]["d"]["echo"] == rounds["count"]
        await asyncio.sleep(0.2)
        grown = server_memory() - baseline
    finally:
        tracemalloc.stop()
        await fuzzer.close()
    reply = await good.request("client-message", {"t": "status"})
    assert reply["type"] == "server-response"
    assert fuzzer.sent > 2000
    assert grown < 2 * 1024 * 1024, f"server memory grew by {grown} bytes"
    await good.close()
    await harness.server.stop()
