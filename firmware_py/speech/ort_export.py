"""Turning an ORT-format model (.ort) back into an ONNX file, so onnxruntime can optimise it when loading.

Why: Moonshine's .ort files keep their weights as int8 and dequantize them with Cast/Mul/Add nodes on
every run. An .ort file is loaded as-is (no graph optimisation), so each decoder step re-expands all
weights: ~65 ms of CPU per token on a 2-core board. The same graph loaded as ONNX gets those nodes
constant-folded once at load, and a step costs ~10 ms (STT real-time factor ~0.35 -> ~0.1).

How: onnxruntime itself serialises the loaded .ort graph as ONNX (`optimized_model_filepath` with
optimisations off), but leaves the subgraphs of If nodes unnamed, which ONNX forbids. The names are added
by a small protobuf wire-format edit (no onnx package needed): ModelProto.graph -> GraphProto.node ->
NodeProto.attribute -> AttributeProto.g / graphs -> GraphProto.name.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import onnxruntime as ort

from ..cache_dir import user_cache_dir

log = logging.getLogger(__name__)

# Field numbers from onnx.proto
MODEL_GRAPH = 7
GRAPH_NODE, GRAPH_NAME = 1, 2
NODE_ATTRIBUTE = 5
ATTRIBUTE_GRAPH, ATTRIBUTE_GRAPHS = 6, 11
LENGTH_DELIMITED = 2


def cache_dirs(model_dir: Path) -> list[Path]:
    """Where exported copies may live: beside the models, else the user's cache (first writable wins)."""
    return [model_dir / ".onnx-cache", user_cache_dir() / "onnx-cache"]


def optimisable_copy(ort_model: Path, candidates: list[Path]) -> Path | None:
    """An ONNX export of `ort_model` from the first usable cache directory, made when missing or stale.

    The name carries the source's size and mtime and the onnxruntime version, so a reinstalled model or
    an upgraded runtime gets a fresh export. None (the caller keeps the .ort) when no directory is
    writable or the export fails.
    """
    stat = ort_model.stat()
    key = hashlib.sha1(f"{stat.st_size}:{stat.st_mtime_ns}:{ort.__version__}".encode()).hexdigest()[:12]
    name = f"{ort_model.stem}-{key}.onnx"
    for directory in candidates:
        if (directory / name).is_file():
            return directory / name
    for directory in candidates:
        try:
            export_onnx(ort_model, directory / name)
        except (OSError, ValueError) as err:
            log.debug("cannot export here", extra={"dir": str(directory), "error": str(err)})
            continue
        for stale in directory.glob(f"{ort_model.stem}-*.onnx"):
            if stale.name != name:
                stale.unlink(missing_ok=True)
        return directory / name
    log.warning("no writable cache for the optimised model; using the slower original",
                extra={"model": ort_model.name, "tried": [str(d) for d in candidates]})
    return None


def export_onnx(ort_model: Path, destination: Path) -> None:
    """Write `ort_model` as a valid ONNX file at `destination` (atomically)."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 3
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".export-") as scratch:
        raw = Path(scratch) / "raw.onnx"
        options.optimized_model_filepath = str(raw)
        ort.InferenceSession(str(ort_model), options, providers=["CPUExecutionProvider"])
        fixed = Path(scratch) / "fixed.onnx"
        fixed.write_bytes(name_subgraphs(raw.read_bytes()))
        os.replace(fixed, destination)
    log.info("model exported for optimisation", extra={"source": ort_model.name, "onnx": str(destination)})


def name_subgraphs(model: bytes) -> bytes:
    """The serialised ModelProto with a name given to every graph that has none."""
    return _rewrite(model, {MODEL_GRAPH: lambda graph: _graph(graph, "main")})


def _graph(graph: bytes, name: str) -> bytes:
    """A GraphProto with its nodes' subgraphs named (recursively) and a name of its own if it had none."""
    names = (f"{name}_{index}" for index in itertools.count())

    def attribute(payload: bytes) -> bytes:
        return _rewrite(payload, {ATTRIBUTE_GRAPH: lambda sub: _graph(sub, next(names)),
                                  ATTRIBUTE_GRAPHS: lambda sub: _graph(sub, next(names))})

    def node(payload: bytes) -> bytes:
        return _rewrite(payload, {NODE_ATTRIBUTE: attribute})

    own_name = name.encode()
    patched = _rewrite(graph, {GRAPH_NODE: node, GRAPH_NAME: lambda current: current or own_name})
    if any(number == GRAPH_NAME for number, _, _ in _fields(patched)):
        return patched  # it had a name field (onnxruntime writes an empty one): now filled in
    return patched + _key(GRAPH_NAME) + _varint(len(own_name)) + own_name


def _rewrite(message: bytes, editors: dict[int, Callable[[bytes], bytes]]) -> bytes:
    """`message` with the length-delimited fields named in `editors` replaced by editor(payload)."""
    out = bytearray()
    for number, wire_type, (start, end, payload_start) in _fields(message):
        edit = editors.get(number)
        if edit is None or wire_type != LENGTH_DELIMITED:
            out += message[start:end]
            continue
        payload = edit(message[payload_start:end])
        out += _key(number) + _varint(len(payload)) + payload
    return bytes(out)


def _fields(message: bytes) -> list[tuple[int, int, tuple[int, int, int]]]:
    """(field number, wire type, (field start, field end, payload start)) of each top-level field."""
    fields, position = [], 0
    while position < len(message):
        start = position
        key, position = _read_varint(message, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            _, position = _read_varint(message, position)
            payload_start = position
        elif wire_type == 1:
            payload_start, position = position, position + 8
        elif wire_type == LENGTH_DELIMITED:
            length, payload_start = _read_varint(message, position)
            position = payload_start + length
        elif wire_type == 5:
            payload_start, position = position, position + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire_type} at byte {start}")
        if position > len(message):
            raise ValueError("truncated protobuf message")
        fields.append((number, wire_type, (start, position, payload_start)))
    return fields


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _key(number: int) -> bytes:
    return _varint(number << 3 | LENGTH_DELIMITED)
