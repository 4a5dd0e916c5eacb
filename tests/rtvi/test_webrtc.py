"""The SmallWebRTC endpoint with an aiortc peer: signalling, RTVI on the data channel, audio both ways,
the admission rules, malformed requests, and peers that vanish or never connect."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import AsyncIterator

import aiohttp
import numpy as np
import pytest
from aiortc import RTCSessionDescription

from rtvi_harness import Harness, start_harness, until
from webrtc_peer import WebRtcTestClient

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_rtvi_and_audio_both_ways(harness: Harness, http: aiohttp.ClientSession) -> None:
    client = WebRtcTestClient()
    try:
        await client.connect(http, harness.http("/api/offer?echo_cancel=1"))
        ready = await client.request("client-ready", {"version": "2.2.0", "about": {"library": "tests"}})
        assert ready["type"] == "bot-ready" and ready["data"]["version"] == "2.2.0"
        status = await client.request("client-message", {"t": "status"})
        assert status["data"]["d"]["transport"] == "webrtc"
        session = harness.session()
        assert session.echo_cancel  # echo_cancel=1 on the offer URL reaches the conversation
        await until(lambda: sum(frame.duration for frame in session.audio) > 0.5, timeout=10)
        assert max(abs(int(s)) for s in session.audio[-1].samples) > 1000  # the tone, not silence
        await session.say("hello")
        await until(lambda: client.loudest_bot_audio > 2000, timeout=10)
        await asyncio.sleep(1.5)  # past the silence after an answer: the track sends nothing now
        voice = next(iter(harness.server.connections)).transport._voice
        sent = voice.frames_sent
        await asyncio.sleep(0.3)
        assert voice.frames_sent == sent
        client.loudest_bot_audio = 0
        await session.say("again")
        await until(lambda: client.loudest_bot_audio > 2000, timeout=10)
        await client.send("send-text", {"content": "hi there"})
        await until(lambda: session.called("send_text") == [("hi there", True, True)])
        unknown = await client.request("no-such-type")
        assert unknown["type"] == "error-response" and "Unsupported" in unknown["data"]["error"]
    finally:
        await client.close()
    await until(lambda: not harness.server.connections, timeout=10)
    assert harness.session().closed


async def test_trickled_candidates_are_accepted(harness: Harness, http: aiohttp.ClientSession) -> None:
    client = WebRtcTestClient()
    try:
        answer = await client.offer(http, harness.http("/api/offer"))
        candidate = {"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", "sdp_mid": "0",
                     "sdp_mline_index": 0}
        async with http.patch(harness.http("/api/offer"), json={"pc_id": answer["pc_id"],
                                                                "candidates": [candidate]}) as reply:
            assert reply.status == 200
        assert "a=candidate:" in answer["sdp"] and "127.0.0.1" in answer["sdp"]  # loopback for a local kiosk
    finally:
        await client.close()


GOOD_BODY = {"sdp": "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\n"
                    "a=fingerprint:sha-256 00\r\n", "type": "offer"}


@pytest.mark.parametrize("method,body,status,words", [
    ("POST", b"{not json", 400, "JSON"),
    ("POST", b"[1]", 400, "object"),
    ("POST", json.dumps({**GOOD_BODY, "type": "answer"}).encode(), 400, "offer"),
    ("POST", json.dumps({"sdp": 5, "type": "offer"}).encode(), 400, "SDP"),
    ("POST", json.dumps({"sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", "type": "offer"}).encode(), 400,
     "data channel"),
    ("POST", json.dumps({"sdp": "v=0\r\nm=application 9 UDP/DTLS/SCTP x\r\n", "type": "offer"}).encode(), 400,
     "fingerprint"),
    ("POST", json.dumps(GOOD_BODY).encode(), 400, "could not be used"),
    ("POST", json.dumps({**GOOD_BODY, "pc_id": 7}).encode(), 400, "pc_id"),
    ("POST", b"x" * 100_000, 400, "too large"),
    ("PATCH", json.dumps({"pc_id": "nobody", "candidates": []}).encode(), 404, "no peer"),
    ("GET", b"", 405, "POST"),
])
async def test_malformed_requests_get_clear_4xx(harness: Harness, http: aiohttp.ClientSession, method: str,
                                                body: bytes, status: int, words: str) -> None:
    async with http.request(method, harness.http("/api/offer"), data=body) as reply:
        assert reply.status == status and words in await reply.text()
    client = WebRtcTestClient()  # and the endpoint still works
    try:
        await client.connect(http, harness.http("/api/offer"))
    finally:
        await client.close()


async def test_bad_candidates_get_400(harness: Harness, http: aiohttp.ClientSession) -> None:
    client = WebRtcTestClient()
    try:
        answer = await client.offer(http, harness.http("/api/offer"))
        for candidates in ("nope", [{"candidate": 5}], [{"candidate": "candidate:garbage"}]):
            async with http.patch(harness.http("/api/offer"), json={"pc_id": answer["pc_id"],
                                                                    "candidates": candidates}) as reply:
                assert reply.status == 400, candidates
    finally:
        await client.close()


async def test_token_origin_cors_and_capacity(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    running = await start_harness(tmp_path, token="s3cret", allowed_origins=["https://app.example"], max_clients=1)
    offer_url = running.http("/api/offer")
    try:
        async with http.post(offer_url, json=GOOD_BODY) as reply:
            assert reply.status == 401
        async with http.options(offer_url, headers={"Origin": "https://app.example",
                                                    "Access-Control-Request-Method": "POST"}) as reply:
            assert reply.status == 204
            assert reply.headers["Access-Control-Allow-Origin"] == "https://app.example"
            assert "PATCH" in reply.headers["Access-Control-Allow-Methods"]
        async with http.options(offer_url, headers={"Origin": "https://evil.example"}) as reply:
            assert reply.status == 403
        first = WebRtcTestClient()
        await first.connect(http, running.http("/api/offer?token=s3cret"))
        second = WebRtcTestClient()
        await second.pc.setLocalDescription(await second.pc.createOffer())
        body = {"sdp": second.pc.localDescription.sdp, "type": "offer"}
        async with http.post(offer_url, json=body, headers={"Authorization": "Bearer s3cret"}) as reply:
            assert reply.status == 503  # the bearer token works; the server is full
        await first.close()
        await second.close()
    finally:
        await running.server.stop()


async def test_oversized_and_binary_channel_messages_get_error_responses(tmp_path: Path,
                                                                          http: aiohttp.ClientSession) -> None:
    running = await start_harness(tmp_path, max_message_bytes=4096)
    client = WebRtcTestClient()
    try:
        await client.connect(http, running.http("/api/offer"))
        client.channel.send("x" * 5000)
        client.channel.send(b"\x00\x01")
        await client.wait_for(lambda m: "over the limit" in m.get("data", {}).get("error", ""))
        await client.wait_for(lambda m: "binary" in m.get("data", {}).get("error", ""))
        assert (await client.request("client-ready", {"version": "2.2.0"}))["type"] == "bot-ready"
    finally:
        await client.close()
        await running.server.stop()


async def test_monitor_over_webrtc_follows_the_local_session(harness: Harness, http: aiohttp.ClientSession) -> None:
    client = WebRtcTestClient()
    try:
        await client.connect(http, harness.http("/api/offer?mode=monitor"))
        ready = await client.request("client-ready", {"version": "2.2.0"})
        assert ready["data"]["capabilities"]["audio_in"] is False
        await client.send("send-text", {"content": "lights on"})
        await until(lambda: harness.host.sessions["local"].called("send_text") == [("lights on", True, True)])
        assert harness.host.opened == []  # no conversation of its own
    finally:
        await client.close()


async def test_monitor_offer_without_a_local_session_is_refused(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    running = await start_harness(tmp_path)  # no local session
    try:
        client = WebRtcTestClient()
        await client.pc.setLocalDescription(await client.pc.createOffer())
        body = {"sdp": client.pc.localDescription.sdp, "type": "offer"}
        async with http.post(running.http("/api/offer?mode=monitor"), json=body) as reply:
            assert reply.status == 409 and "monitor" in await reply.text()
        await client.close()
    finally:
        await running.server.stop()


async def test_peer_that_vanishes_is_cleaned_up(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    running = await start_harness(tmp_path, webrtc_silence_timeout_secs=2.0)
    try:
        client = WebRtcTestClient()
        await client.connect(http, running.http("/api/offer"))
        await client.request("client-ready", {"version": "2.2.0"})
        for task in client._tasks:  # no more pings, no more audio: the peer is gone without a word
            task.cancel()
        client.pc.getTransceivers()[0].sender.replaceTrack(None)
        await until(lambda: not running.server.connections, timeout=10)
        assert running.session().closed
        await client.close()
    finally:
        await running.server.stop()


async def test_peer_that_never_connects_is_dropped(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    running = await start_harness(tmp_path, webrtc_connect_timeout_secs=1.0)
    try:
        client = WebRtcTestClient()
        await client.offer(http, running.http("/api/offer"))  # the answer is never applied
        assert len(running.server.connections) == 1
        await until(lambda: not running.server.connections, timeout=10)
        await client.close()
    finally:
        await running.server.stop()


async def test_restart_replaces_the_peer_connection_and_keeps_the_session(harness: Harness,
                                                                         http: aiohttp.ClientSession) -> None:
    first, second = WebRtcTestClient(), WebRtcTestClient()
    try:
        await first.connect(http, harness.http("/api/offer"))
        await first.request("client-ready", {"version": "2.2.0"})
        await second.pc.setLocalDescription(await second.pc.createOffer())
        body = {"sdp": second.pc.localDescription.sdp, "type": "offer", "pc_id": first.pc_id, "restart_pc": True}
        async with http.post(harness.http("/api/offer"), json=body) as reply:
            answer = await reply.json()
        assert answer["pc_id"] == first.pc_id
        await second.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        await asyncio.wait_for(second.opened.wait(), 10)
        status = await second.request("client-message", {"t": "status"})
        assert status["data"]["d"]["ready"] is True  # the same session, still past client-ready
        assert len(harness.host.opened) == 1 and not harness.session().closed
        await harness.session().say("still here")  # the bot's voice on the new connection
        await until(lambda: second.loudest_bot_audio > 2000, timeout=10)
        heard = len(harness.session().audio)
        await until(lambda: len(harness.session().audio) > heard + 10, timeout=10)  # and its microphone
    finally:
        await first.close()
        await second.close()


def test_ice_server_urls() -> None:
    from firmware_py.rtvi.webrtc.ice import ice_server

    assert ice_server("stun:stun.example:3478").urls == "stun:stun.example:3478"
    turn = ice_server("turn:me:p%40ss@turn.example:3478")
    assert (turn.urls, turn.username, turn.credential) == ("turn:turn.example:3478", "me", "p@ss")
    with pytest.raises(ValueError, match="stun:"):
        ice_server("http://nope")


async def test_bad_ice_servers_stop_the_server_from_starting(tmp_path: Path) -> None:
    from firmware_py.config import ConfigError

    with pytest.raises(ConfigError, match="ice_servers"):
        await start_harness(tmp_path, ice_servers=["ftp://x"])


def mangled_offers(sdp: str) -> list[str]:
    """A real offer, damaged line by line and cut short: what a broken or hostile client might send."""
    lines = sdp.split("\r\n")
    kinds = sorted({line.split(":", 1)[0].split("=", 1)[0] + "=" + line[2:].split(":", 1)[0]
                    for line in lines if len(line) > 2})
    dropped = ["\r\n".join(line for line in lines if not line.startswith(kind)) for kind in kinds]
    cut = [sdp[:length] for length in range(40, len(sdp), max(1, len(sdp) // 12))]
    garbled = [sdp.replace("UDP/DTLS/SCTP", "TCP/NOPE"), sdp.replace("a=fingerprint:sha-256", "a=fingerprint:md5"),
               sdp.replace(" typ host", " typ bogus"), sdp.replace("a=ice-ufrag:", "a=ice-ufrag:\x00")]
    return [text for text in dropped + cut + garbled if text.startswith("v=0") and "m=application" in text]


async def test_mangled_offers_never_break_the_endpoint(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    running = await start_harness(tmp_path, webrtc_connect_timeout_secs=1.0)
    try:
        template = WebRtcTestClient()
        await template.pc.setLocalDescription(await template.pc.createOffer())
        offers = mangled_offers(template.pc.localDescription.sdp)
        await template.close()
        assert len(offers) > 20
        for sdp in offers:
            async with http.post(running.http("/api/offer"), json={"sdp": sdp, "type": "offer"}) as reply:
                assert reply.status in (200, 400), (reply.status, await reply.text(), sdp)
        await until(lambda: not running.server.connections, timeout=15)  # the accepted ones never connect
        client = WebRtcTestClient()
        await client.connect(http, running.http("/api/offer"))
        assert (await client.request("client-ready", {"version": "2.2.0"}))["type"] == "bot-ready"
        await client.close()
    finally:
        await running.server.stop()


def test_microphone_decimation_keeps_speech_drops_what_16khz_cannot_hold_and_adds_no_delay() -> None:
    from firmware_py.rtvi.webrtc.decimate import Decimator

    def tone(hz: float, secs: float = 0.5) -> np.ndarray:
        return (np.sin(2 * np.pi * hz * np.arange(int(48_000 * secs)) / 48_000) * 10_000).astype(np.int16)

    def level(samples: np.ndarray) -> float:
        return float(np.sqrt(np.mean(samples[800:].astype(np.float64) ** 2)))

    for hz, low, high in ((1_000, 6_900, 7_300), (3_000, 6_800, 7_300), (12_000, 0, 70)):  # 70: below -40 dB
        decimate = Decimator()
        out = np.concatenate([decimate(chunk) for chunk in np.split(tone(hz), 25)])  # 20 ms frames, continuous
        assert len(out) == 8_000 and low <= level(out) <= high, (hz, level(out))
    click = np.zeros(960, np.int16)
    click[480] = 30_000
    out = Decimator()(click)
    assert abs(int(np.argmax(np.abs(out))) - (480 + 31) / 3) <= 1  # 31 samples at 48 kHz: 0.65 ms


def test_audio_packets_are_decoded_as_they_arrive() -> None:
    from aiortc.rtp import RtpPacket

    from firmware_py.rtvi.webrtc.media import PassThroughJitterBuffer

    def packet(seq: int) -> RtpPacket:
        made = RtpPacket(sequence_number=seq, timestamp=seq * 960)
        made._data = bytes([seq % 256])  # type: ignore[attr-defined]
        return made

    buffer = PassThroughJitterBuffer()
    out = [buffer.add(packet(seq))[1] for seq in (65534, 65535, 0, 65535, 2, 1, 3)]
    assert [frame.data[0] if frame else None for frame in out] == [254, 255, 0, None, 2, None, 3]


def test_microphone_opus_is_decoded_on_arrival_to_16khz_mono_without_delay() -> None:
    import av
    from aiortc import RTCRtpCodecParameters
    from aiortc.codecs.opus import OpusDecoder, OpusEncoder
    from aiortc.jitterbuffer import JitterFrame
    from aiortc.rtp import RtpPacket

    from firmware_py.rtvi.webrtc.decimate import Decimator
    from firmware_py.rtvi.webrtc.media import MicrophoneBuffer
    from firmware_py.rtvi.webrtc.opus import libopus

    if libopus() is None:
        pytest.skip("no libopus: the microphone takes aiortc's decoder path")

    def packets(hz: float, secs: float = 0.5, click: bool = False) -> list[bytes]:
        signal = (np.sin(2 * np.pi * hz * np.arange(int(48_000 * secs)) / 48_000) * 10_000).astype(np.int16)
        if click:
            signal[:] = 0
            signal[4_800] = 30_000
        encoder, out = OpusEncoder(), []
        for start in range(0, len(signal), 960):
            frame = av.AudioFrame.from_ndarray(signal[start:start + 960].reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate, frame.pts = 48_000, start
            out += encoder.encode(frame)[0]
        return out

    class Feed:
        def __init__(self) -> None:
            self.got: list[tuple[np.ndarray, int, int]] = []

        def put(self, samples: np.ndarray, rate: int, channels: int) -> None:
            self.got.append((samples, rate, channels))

    def run(payloads: list[bytes], payload_type: int = 111) -> tuple[list[object], Feed]:
        codecs = {111: RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48_000, channels=2, payloadType=111),
                  0: RTCRtpCodecParameters(mimeType="audio/PCMU", clockRate=8_000, payloadType=0)}
        buffer, feed = MicrophoneBuffer(codecs), Feed()
        buffer.feed = feed  # type: ignore[assignment]
        handed_on = []
        for seq, payload in enumerate(payloads):
            made = RtpPacket(payload_type=payload_type, sequence_number=seq, timestamp=seq * 960)
            made._data = payload  # type: ignore[attr-defined]
            handed_on.append(buffer.add(made)[1])
        return handed_on, feed

    def level(samples: np.ndarray) -> float:
        return float(np.sqrt(np.mean(samples[1_600:].astype(np.float64) ** 2)))

    def aiortc_path(payloads: list[bytes]) -> np.ndarray:  # aiortc's decoder (48 kHz stereo), then decimated
        decoder, decimate = OpusDecoder(), Decimator()
        return np.concatenate([decimate(frame.to_ndarray().reshape(-1, 2)[:, 0]) for index, payload
                               in enumerate(payloads) for frame in decoder.decode(JitterFrame(payload, index * 960))])

    for hz in (300, 1_000, 3_000, 6_000):  # speech: the same level as aiortc's decoder and the decimator give
        handed_on, feed = run(packets(hz))
        assert handed_on == [None] * len(handed_on)  # nothing left for aiortc's decoder thread
        assert all(rate == 16_000 and channels == 1 and len(s) == 320 for s, rate, channels in feed.got)
        here, there = level(np.concatenate([s for s, _, _ in feed.got])), level(aiortc_path(packets(hz)))
        assert there > 3_000 and abs(here / there - 1) < 0.06, (hz, here, there)
    _, feed = run(packets(12_000))  # above what 16 kHz holds: gone, not folded down
    assert level(np.concatenate([s for s, _, _ in feed.got])) < 50
    _, feed = run(packets(0, click=True))
    out = np.concatenate([s for s, _, _ in feed.got])
    assert abs(int(np.argmax(np.abs(out))) - 4_800 / 3) <= 120  # Opus's own 6.5 ms (104 samples) and no more
    handed_on, feed = run([b"\xff"], payload_type=0)  # not Opus: aiortc decodes it
    assert handed_on[0] is not None and not feed.got
