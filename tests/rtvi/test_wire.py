"""The protobuf frame codec: the schema, byte-exact encoding, round trips and garbage (fuzzed)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_py.rtvi.protocol import wire


def test_schema_follows_frames_proto() -> None:
    proto = wire.PROTO_FILE.read_text()
    frame = wire.Frame.DESCRIPTOR
    assert {f.name: f.number for f in frame.fields} == {"text": 1, "audio": 2, "transcription": 3, "message": 4,
                                                        "interruption": 5}
    audio = frame.fields_by_name["audio"].message_type
    assert {f.name: f.number for f in audio.fields} == {"id": 1, "name": 2, "audio": 3, "sample_rate": 4,
                                                        "num_channels": 5, "pts": 6}
    assert audio.fields_by_name["pts"].has_presence  # proto3 `optional`
    declared = set(re.findall(r"(\w+)\s*=\s*(\d+);", proto))
    assert ("sample_rate", "4") in declared and ("message", "4") in declared


def test_encoding_is_the_reference_byte_layout() -> None:
    # Frame{message=4: MessageFrame{data=1: "{}"}} -> tag 0x22, length 4, tag 0x0a, length 2, "{}"
    assert wire.encode_message("{}") == bytes([0x22, 4, 0x0A, 2]) + b"{}"
    # Frame{audio=2: {name=2:"audio", audio=3: 01 02, sample_rate=4: 24000, num_channels=5: 1}}
    body = bytes([0x12, 5]) + b"audio" + bytes([0x1A, 2, 1, 2, 0x20, 0xC0, 0xBB, 0x01, 0x28, 1])
    assert wire.encode_audio(b"\x01\x02", 24000) == bytes([0x12, len(body)]) + body


def test_decodes_what_the_web_client_sends() -> None:
    # The client's audio frame: id=0 and name="audio" (proto3 leaves the zero id out), 16 kHz mono
    inner = bytes([0x12, 5]) + b"audio" + bytes([0x1A, 4, 0, 0, 1, 0, 0x20, 0x80, 0x7D, 0x28, 1])
    frame = wire.decode(bytes([0x12, len(inner)]) + inner)
    assert frame == wire.AudioIn(b"\x00\x00\x01\x00", 16000, 1)


@pytest.mark.parametrize("garbage, reason", [
    (b"", "none of"),
    (b"\xff\xff\xff", "not a protobuf"),
    (b"\x22\x05abc", "not a protobuf"),                       # length runs past the end
    (bytes([0x22, 3, 0x0A, 1, 0xFF]), "not a protobuf"),      # invalid UTF-8 in a string field
    (b"\x08\x01", "none of"),                                 # only an unknown field
])
def test_garbage_is_refused_with_a_reason(garbage: bytes, reason: str) -> None:
    with pytest.raises(wire.WireError, match=reason):
        wire.decode(garbage)


def test_other_kinds_decode_as_other() -> None:
    assert wire.decode(wire.encode_interruption()) == wire.OtherIn("interruption")


@settings(max_examples=500, deadline=None)
@given(pcm=st.binary(max_size=4000), rate=st.integers(0, 2**32 - 1), channels=st.integers(0, 2**32 - 1))
def test_audio_round_trip(pcm: bytes, rate: int, channels: int) -> None:
    assert wire.decode(wire.encode_audio(pcm, rate, channels)) == wire.AudioIn(pcm, rate, channels)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=2000))
def test_message_round_trip(text: str) -> None:
    assert wire.decode(wire.encode_message(text)) == wire.MessageIn(text)


@settings(max_examples=3000, deadline=None)
@given(data=st.binary(max_size=512))
def test_random_bytes_decode_or_raise_wire_error(data: bytes) -> None:
    try:
        frame = wire.decode(data)
    except wire.WireError as err:
        assert str(err)
    else:
        assert isinstance(frame, (wire.AudioIn, wire.MessageIn, wire.OtherIn))


@settings(max_examples=2000, deadline=None)
@given(seed=st.binary(min_size=1, max_size=64), position=st.integers(0, 10_000), value=st.integers(0, 255),
       cut=st.integers(0, 10_000))
def test_mutated_frames_decode_or_raise_wire_error(seed: bytes, position: int, value: int, cut: int) -> None:
    frame = bytearray(wire.encode_audio(seed, 16000) if len(seed) % 2 else wire.encode_message(seed.hex()))
    frame[position % len(frame)] = value
    try:
        wire.decode(bytes(frame[: max(1, cut % (len(frame) + 1))]))
    except wire.WireError:
        pass
