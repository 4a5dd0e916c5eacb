"""Binary frames of the Pipecat WebSocket transport: one protobuf `pipecat.Frame` per WebSocket message.

The message classes are built at import time from `frames.proto` (a strict reader for the small subset of
proto3 it uses) through `descriptor_pb2` and a private descriptor pool, so the schema lives in one file
and no generated code or protoc is needed. The encoding itself is the protobuf runtime's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

PROTO_FILE = Path(__file__).with_name("frames.proto")

_FieldType = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "uint64": _FieldType.TYPE_UINT64,
    "uint32": _FieldType.TYPE_UINT32,
    "string": _FieldType.TYPE_STRING,
    "bytes": _FieldType.TYPE_BYTES,
}
_MESSAGE_RE = re.compile(r"message\s+(\w+)\s*\{(.*?)\}\s*(?=message|\Z)", re.S)
_FIELD_RE = re.compile(r"(optional\s+)?(\w+)\s+(\w+)\s*=\s*(\d+)\s*;")
_ONEOF_RE = re.compile(r"oneof\s+(\w+)\s*\{(.*?)\}", re.S)


class WireError(ValueError):
    """A binary WebSocket message that is not a usable `pipecat.Frame`."""


def _strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", text)


def _add_field(message: descriptor_pb2.DescriptorProto, match: re.Match[str], oneof: int | None) -> None:
    optional, type_name, name, number = match.groups()
    field = message.field.add(name=name, number=int(number), label=_FieldType.LABEL_OPTIONAL)
    if type_name in _SCALARS:
        field.type = _SCALARS[type_name]
    else:
        field.type, field.type_name = _FieldType.TYPE_MESSAGE, f".pipecat.{type_name}"
    if oneof is not None:
        field.oneof_index = oneof
    elif optional:  # proto3 `optional`: presence tracked through a synthetic oneof
        field.proto3_optional = True
        field.oneof_index = len(message.oneof_decl)
        message.oneof_decl.add(name=f"_{name}")


def parse_proto(text: str) -> descriptor_pb2.FileDescriptorProto:
    """FileDescriptorProto for the proto3 subset frames.proto uses (scalars, messages, one oneof each)."""
    text = _strip_comments(text)
    package = re.search(r"package\s+(\w+)\s*;", text)
    if package is None or package.group(1) != "pipecat":
        raise ValueError(f"{PROTO_FILE.name}: expected `package pipecat;`")
    file = descriptor_pb2.FileDescriptorProto(name="rtvi_edge/frames.proto", package="pipecat", syntax="proto3")
    for name, body in _MESSAGE_RE.findall(text[package.end():] + "\n"):
        message = file.message_type.add(name=name)
        for oneof_name, oneof_body in _ONEOF_RE.findall(body):
            index = len(message.oneof_decl)
            message.oneof_decl.add(name=oneof_name)
            for match in _FIELD_RE.finditer(oneof_body):
                _add_field(message, match, index)
        for match in _FIELD_RE.finditer(_ONEOF_RE.sub("", body)):
            _add_field(message, match, None)
    if not file.message_type:
        raise ValueError(f"{PROTO_FILE.name}: no messages found")
    return file


def _load_frame_class() -> type[Message]:
    pool = descriptor_pool.DescriptorPool()  # private: never clashes with another copy of this schema
    pool.Add(parse_proto(PROTO_FILE.read_text()))
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("pipecat.Frame"))


Frame = _load_frame_class()


# --- decoded frames ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AudioIn:
    pcm: bytes
    sample_rate: int
    num_channels: int


@dataclass(frozen=True, slots=True)
class MessageIn:
    """An RTVI message, still as JSON text."""

    text: str


@dataclass(frozen=True, slots=True)
class OtherIn:
    """A valid frame of a kind clients do not send to a bot (text, transcription, interruption)."""

    kind: str


WireFrame = AudioIn | MessageIn | OtherIn


def decode(data: bytes) -> WireFrame:
    """Parse one binary WebSocket message; WireError says what is wrong with it."""
    frame = Frame()
    try:
        frame.ParseFromString(data)
    except DecodeError as err:
        raise WireError(f"not a protobuf pipecat.Frame ({err})") from None
    kind = frame.WhichOneof("frame")
    if kind is None:
        raise WireError("frame carries none of text, audio, transcription, message, interruption")
    if kind == "audio":
        audio = frame.audio
        return AudioIn(audio.audio, audio.sample_rate, audio.num_channels)
    if kind == "message":
        return MessageIn(frame.message.data)
    return OtherIn(kind)


def encode_audio(pcm: bytes, sample_rate: int, num_channels: int = 1) -> bytes:
    frame = Frame()
    audio = frame.audio
    audio.name, audio.audio, audio.sample_rate, audio.num_channels = "audio", pcm, sample_rate, num_channels
    return frame.SerializeToString()


def encode_message(json_text: str) -> bytes:
    frame = Frame()
    frame.message.data = json_text
    return frame.SerializeToString()


def encode_interruption() -> bytes:
    frame = Frame()
    frame.interruption.name = "interruption"
    return frame.SerializeToString()
