"""The .ort -> ONNX export that lets onnxruntime fold Moonshine's weight dequantisation at load."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from firmware_py.speech.ort_export import _fields, _key, _varint, name_subgraphs, optimisable_copy


def message(*fields: tuple[int, bytes]) -> bytes:
    return b"".join(_key(number) + _varint(len(payload)) + payload for number, payload in fields)


def field(data: bytes, number: int) -> bytes:
    """Payload of the first field `number` of a serialised message."""
    _, _, (_, end, start) = next(f for f in _fields(data) if f[0] == number)
    return data[start:end]


def test_unnamed_subgraphs_get_names() -> None:
    empty_subgraph = message((2, b""))            # GraphProto with an empty name, as onnxruntime writes it
    attribute = message((1, b"then_branch"), (6, empty_subgraph))
    node = message((4, b"If"), (5, attribute))
    model = message((7, message((1, node), (2, b"main"))))
    graph = field(name_subgraphs(model), 7)
    subgraph = field(field(field(graph, 1), 5), 6)
    assert field(subgraph, 2) == b"main_0"
    assert field(graph, 2) == b"main"


def test_other_bytes_survive_untouched() -> None:
    model = message((2, b"producer"), (7, message((2, b"g"), (5, b"\x01" * 300))))
    assert name_subgraphs(model) == model


def test_truncated_input_is_refused() -> None:
    with pytest.raises(ValueError):
        name_subgraphs(_key(7) + _varint(50) + b"short")


def test_exported_decoder_computes_the_same(models_root: Path, tmp_path: Path) -> None:
    source = models_root / "stt" / "decoder_model_merged.ort"
    exported = optimisable_copy(source, [tmp_path])
    assert exported is not None and exported.suffix == ".onnx"
    original = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"])
    optimised = ort.InferenceSession(str(exported), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {"input_ids": np.array([[1]], np.int64),
             "encoder_hidden_states": rng.standard_normal((1, 20, 416)).astype(np.float32),
             "use_cache_branch": np.array([False])}
    for item in original.get_inputs():
        if item.name.startswith("past_key_values"):
            feeds[item.name] = np.zeros((1, 8, 0, 52), np.float32)
    expected, actual = original.run(["logits"], feeds)[0], optimised.run(["logits"], feeds)[0]
    assert np.allclose(expected, actual, atol=1e-3)


def test_copies_are_reused_and_refreshed(models_root: Path, tmp_path: Path) -> None:
    source = tmp_path / "encoder_model.ort"
    source.write_bytes((models_root / "stt" / "encoder_model.ort").read_bytes())
    cache = tmp_path / "cache"
    first = optimisable_copy(source, [cache])
    assert first is not None
    made = first.stat().st_mtime_ns
    assert optimisable_copy(source, [cache]) == first and first.stat().st_mtime_ns == made
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))  # "reinstalled"
    second = optimisable_copy(source, [cache])
    assert second is not None and second != first
    assert [p.name for p in cache.glob("*.onnx")] == [second.name]  # the stale copy is gone


def test_no_writable_cache_keeps_the_original(models_root: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where a directory should be")
    assert optimisable_copy(models_root / "stt" / "encoder_model.ort", [blocked / "cache"]) is None
