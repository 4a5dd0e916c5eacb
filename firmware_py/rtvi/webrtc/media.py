"""Audio over WebRTC: the bot's voice as an outgoing track, the client's microphone into the session.

Opus runs at 48 kHz, so the bot's voice is produced at 48 kHz mono (the conversation resamples once, at
its edge). The microphone's Opus packets are decoded on arrival, on the event loop, straight to the internal
16 kHz mono (`opus.py`, `MicrophoneBuffer`); whatever aiortc decodes itself (another codec, or no libopus)
comes from the track at 48 kHz and is decimated (`decimate.py`).
"""

from __future__ import annotations

import asyncio
import collections
import fractions
import logging
import time
from typing import TYPE_CHECKING

import av
import numpy as np
from aiortc import RTCRtpCodecParameters, RTCRtpReceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_gt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from .decimate import IN_RATE, Decimator
from .decimate import OUT_RATE as DECIMATED_RATE
from .opus import OUT_RATE, OpusDecoder16k, new_decoder

if TYPE_CHECKING:
    from ..session import RtviSession

log = logging.getLogger(__name__)

OPUS_RATE = 48_000
FRAME_SAMPLES = OPUS_RATE // 50  # 20 ms, what the Opus encoder packs per packet
SILENT_FRAMES_BEFORE_IDLE = 50
"""After an answer (and at the start, so the client's track starts), 1 s of silence is sent; then nothing until
the next answer, as Opus DTX does: an idle client then costs no encoding at all. RTP time runs on meanwhile."""
MAX_BUFFERED_SECS = 1.0
"""The sink paces in real time with a small lead; more than this means the track fell behind: drop the oldest."""


class PacedAudioTrack(MediaStreamTrack):
    """Mono int16 frames at real-time pace (aiortc pulls as fast as `recv` returns); subclasses fill them."""

    kind = "audio"

    def __init__(self, sample_rate: int, frame_samples: int) -> None:
        super().__init__()
        self.sample_rate, self.frame_samples = sample_rate, frame_samples
        self.frames_sent = 0
        self._frame_secs = frame_samples / sample_rate
        self._index = 0  # the frame's slot on the real-time clock (its pts), which runs on while idle
        self._start: float | None = None
        self._time_base = fractions.Fraction(1, sample_rate)

    def next_samples(self) -> np.ndarray:
        """The next `frame_samples` samples to send."""
        raise NotImplementedError

    async def wait_for_content(self) -> bool:
        """Hold the next frame back while there is nothing worth sending; True when it waited."""
        return False

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._index += 1
            await asyncio.sleep(max(0.0, self._start + self._index * self._frame_secs - time.monotonic()))
            if await self.wait_for_content():
                self._index = max(self._index, int((time.monotonic() - self._start) / self._frame_secs))
        frame = av.AudioFrame.from_ndarray(self.next_samples().reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = self.sample_rate, self._index * self.frame_samples, \
            self._time_base
        self.frames_sent += 1
        return frame


class BotVoiceTrack(PacedAudioTrack):
    """Plays whatever the session's audio sink hands it, and silence in between."""

    def __init__(self) -> None:
        super().__init__(OPUS_RATE, FRAME_SAMPLES)
        self._chunks: collections.deque[np.ndarray] = collections.deque()
        self._buffered = 0
        self._silent_frames = 0
        self._arrived = asyncio.Event()

    def push(self, samples: np.ndarray) -> None:
        self._chunks.append(samples.astype(np.int16, copy=False))
        self._arrived.set()
        self._buffered += len(samples)
        while self._buffered > MAX_BUFFERED_SECS * OPUS_RATE and len(self._chunks) > 1:
            self._buffered -= len(self._chunks.popleft())

    def clear(self) -> None:
        self._chunks.clear()
        self._buffered = 0

    @property
    def buffered_secs(self) -> float:
        return self._buffered / OPUS_RATE

    def _take(self, count: int) -> np.ndarray:
        out = np.zeros(count, np.int16)
        filled = 0
        while filled < count and self._chunks:
            head = self._chunks[0]
            used = min(count - filled, len(head))
            out[filled:filled + used] = head[:used]
            filled += used
            if used == len(head):
                self._chunks.popleft()
            else:
                self._chunks[0] = head[used:]
        self._buffered -= filled
        return out

    async def wait_for_content(self) -> bool:
        if self._chunks or self._silent_frames < SILENT_FRAMES_BEFORE_IDLE:
            return False
        self._arrived.clear()
        await self._arrived.wait()
        return True

    def next_samples(self) -> np.ndarray:
        had_audio = bool(self._chunks)
        self._silent_frames = 0 if had_audio else self._silent_frames + 1
        return self._take(self.frame_samples)


class PassThroughJitterBuffer(JitterBuffer):
    """Each Opus packet is a whole 20 ms frame: decode it as it arrives, drop one that comes late or twice.

    aiortc holds four frames (80 ms) before decoding, and even its smallest setting one (20 ms): every frame held
    delays the end of the user's turn. Packets lost on a LAN are rare; the VAD and STT shrug off a 20 ms gap.
    """

    def __init__(self) -> None:
        super().__init__(capacity=16)
        self._next: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        if self._next is not None and uint16_gt(self._next, packet.sequence_number):
            return False, None
        self._next = (packet.sequence_number + 1) & 0xFFFF
        return False, JitterFrame(data=packet._data, timestamp=packet.timestamp)  # type: ignore[attr-defined]


def shorten_jitter_buffer(receiver: RTCRtpReceiver) -> None:
    """Audio frames decoded as they arrive (aiortc has no setting for it: its private slot is replaced before
    the first packet; left alone if aiortc ever renames it)."""
    slot = "_RTCRtpReceiver__jitter_buffer"
    if isinstance(getattr(receiver, slot, None), JitterBuffer):
        setattr(receiver, slot, PassThroughJitterBuffer())


class MicrophoneBuffer(PassThroughJitterBuffer):
    """The daemon's microphone receiver: each Opus packet is decoded here, on the loop, as it arrives, straight
    to 16 kHz mono (`opus.py`), and handed to `feed`; aiortc's decoder thread then has nothing to do.

    A packet of another codec, or any packet when libopus is missing, goes on to aiortc's decoder as before.
    Until a session listens (`feed` unset) packets are dropped undecoded: the session would drop the audio.
    """

    def __init__(self, codecs: dict[int, RTCRtpCodecParameters] | None) -> None:
        super().__init__()
        self._codecs = codecs  # the receiver's own table, payload type -> codec, filled in when it starts
        self._decoder: OpusDecoder16k | None = None
        self._decodes = codecs is not None
        self.feed: MicrophoneFeed | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        pli, frame = super().add(packet)
        if frame is None or not self._decodes:
            return pli, frame
        codec = self._codecs.get(packet.payload_type) if self._codecs is not None else None
        if codec is None or codec.name.lower() != "opus":
            return pli, frame
        feed = self.feed
        if feed is None:
            return False, None
        if self._decoder is None:
            self._decoder = new_decoder()
            if self._decoder is None:
                self._decodes = False
                return pli, frame
        samples = self._decoder.decode(frame.data) if frame.data else None
        if samples is not None:
            feed.put(samples, OUT_RATE, 1)
        return False, None


def decode_microphone_here(receiver: RTCRtpReceiver) -> MicrophoneBuffer | None:
    """The receiver's jitter buffer replaced by a `MicrophoneBuffer` (None, left alone, if aiortc's private
    slots are not where they were)."""
    slot, codecs = "_RTCRtpReceiver__jitter_buffer", getattr(receiver, "_RTCRtpReceiver__codecs", None)
    if not isinstance(getattr(receiver, slot, None), JitterBuffer) or not isinstance(codecs, dict):
        shorten_jitter_buffer(receiver)
        return None
    buffer = MicrophoneBuffer(codecs)
    setattr(receiver, slot, buffer)
    return buffer


class MicrophoneFeed:
    """Microphone audio on its way to the session, from the packet path (`put`) to one task (`run`)."""

    def __init__(self, session: "RtviSession") -> None:
        self._session = session
        self._pending: collections.deque[tuple[np.ndarray, int, int]] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False

    def put(self, samples: np.ndarray, rate: int, channels: int) -> None:
        self._pending.append((samples, rate, channels))
        self._wake()

    def end(self, *_: object) -> None:
        self._ended = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def run(self) -> None:
        loop, session, pending = asyncio.get_running_loop(), self._session, self._pending
        while True:
            while not pending:
                if self._ended:
                    return
                self._waiter = loop.create_future()
                await self._waiter
            session.heard()
            samples, rate, channels = pending.popleft()
            await session.on_audio(samples.tobytes(), rate, channels)


async def forward_microphone(track: MediaStreamTrack, session: "RtviSession",
                             buffer: MicrophoneBuffer | None = None) -> None:
    """Client audio -> `session.on_audio` (16 kHz mono when it comes as Opus), until the track ends.

    Opus packets come decoded from `buffer`; whatever aiortc decodes itself comes from the track."""
    feed = MicrophoneFeed(session)
    if buffer is not None:
        buffer.feed = feed
    reader = asyncio.create_task(_read_track(track, feed))
    reader.add_done_callback(feed.end)
    try:
        await feed.run()
    finally:
        reader.cancel()
        if buffer is not None and buffer.feed is feed:
            buffer.feed = None


async def _read_track(track: MediaStreamTrack, feed: MicrophoneFeed) -> None:
    """Frames aiortc decoded (48 kHz Opus without libopus here, or another codec), and the track's end."""
    decimator = Decimator()
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        channels, rate = len(frame.layout.channels), frame.sample_rate
        pcm = frame.to_ndarray()
        if frame.format.is_planar:  # (channels, samples) -> interleaved, as on_audio expects
            pcm = pcm.T
        if pcm.dtype != np.int16:  # the Opus decoder gives packed s16; anything else is converted
            pcm = (np.clip(pcm, -1.0, 1.0) * 32767).astype(np.int16)
        if rate == IN_RATE:  # a microphone is coded as mono Opus: the decoder's two channels are the same
            pcm, rate, channels = decimator(pcm.reshape(-1, channels)[:, 0]), DECIMATED_RATE, 1
        feed.put(np.ascontiguousarray(pcm), rate, channels)
