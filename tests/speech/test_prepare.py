"""Prepared speech models: cached with their own sha256, rebuilt when the source changes, refused when corrupt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from firmware_py.speech.prepare import cache_dirs, check_copy, copy_path, prepared_copy, sidecar_path
from firmware_py.speech.quantize import gather_before_dequantize, share_branch_weights


class CountingBuilder:
    """Stands in for the real build (tens of seconds): the copy is the source's bytes reversed."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, source: Path, destination: Path) -> None:
        self.calls += 1
        destination.write_bytes(source.read_bytes()[::-1])


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "decoder_model_merged.ort"
    path.write_bytes(bytes(range(256)) * 64)
    return path


def test_copy_is_built_once_and_then_reused(source: Path, tmp_path: Path) -> None:
    build, cache = CountingBuilder(), tmp_path / "cache"
    first = prepared_copy(source, [cache], build)
    assert first == copy_path(source, cache) and first.read_bytes() == source.read_bytes()[::-1]
    record = json.loads(sidecar_path(source, cache).read_text())
    assert len(record["sha256"]) == 64 and record["size"] == first.stat().st_size
    assert prepared_copy(source, [cache], build) == first
    assert build.calls == 1


def test_changed_source_rebuilds_the_copy(source: Path, tmp_path: Path) -> None:
    build, cache = CountingBuilder(), tmp_path / "cache"
    prepared_copy(source, [cache], build)
    source.write_bytes(b"a reinstalled model" * 100)
    assert check_copy(source, cache) == "stale"
    copy = prepared_copy(source, [cache], build)
    assert build.calls == 2 and copy is not None and copy.read_bytes() == source.read_bytes()[::-1]


@pytest.mark.parametrize("damage", ["flip a byte", "truncate"])
def test_corrupt_copy_is_refused_and_rebuilt(source: Path, tmp_path: Path, damage: str) -> None:
    build, cache = CountingBuilder(), tmp_path / "cache"
    copy = prepared_copy(source, [cache], build)
    assert copy is not None
    data = bytearray(copy.read_bytes())
    if damage == "flip a byte":
        data[100] ^= 0xFF
    else:
        del data[-10:]
    copy.write_bytes(bytes(data))
    assert check_copy(source, cache) == "corrupt"
    assert not copy.exists()  # never loaded
    rebuilt = prepared_copy(source, [cache], build)
    assert build.calls == 2 and rebuilt is not None and rebuilt.read_bytes() == source.read_bytes()[::-1]


def test_corruption_with_the_old_mtime_is_still_caught_by_a_deep_check(source: Path, tmp_path: Path) -> None:
    build, cache = CountingBuilder(), tmp_path / "cache"
    copy = prepared_copy(source, [cache], build)
    assert copy is not None
    stat = copy.stat()
    data = bytearray(copy.read_bytes())
    data[0] ^= 0xFF
    copy.write_bytes(bytes(data))
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and mtime: the stamp alone trusts it
    assert check_copy(source, cache) == "ok"
    assert check_copy(source, cache, deep=True) == "corrupt"


def test_failed_build_falls_back_to_the_next_directory_then_to_none(source: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where a directory should be")
    build = CountingBuilder()
    second = tmp_path / "second"
    assert prepared_copy(source, [blocked / "cache", second], build) == copy_path(source, second)
    assert prepared_copy(source, [blocked / "cache"], build) is None


def dequantized_gather_model() -> onnx.ModelProto:
    """main: W = Cast(Wq) * s + z; an If whose branches Gather rows of W and transpose-multiply by W."""
    rng = np.random.default_rng(0)
    quantized = numpy_helper.from_array(rng.integers(-128, 127, (50, 8), dtype=np.int8), "wq")
    scale, zero = numpy_helper.from_array(np.array([0.02], np.float32), "s"), \
        numpy_helper.from_array(np.array([0.1], np.float32), "z")
    shared = numpy_helper.from_array(rng.standard_normal((8, 4)).astype(np.float32), "proj")

    def branch(name: str) -> onnx.GraphProto:
        return helper.make_graph(
            [helper.make_node("Gather", ["w", "ids"], [f"{name}_rows"]),
             helper.make_node("MatMul", [f"{name}_rows", "proj"], [f"{name}_out"])],
            name, [], [helper.make_tensor_value_info(f"{name}_out", TensorProto.FLOAT, None)],
            initializer=[shared])

    nodes = [helper.make_node("Cast", ["wq"], ["wc"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["wc", "s"], ["wm"]), helper.make_node("Add", ["wm", "z"], ["w"]),
             helper.make_node("If", ["flag"], ["out"], then_branch=branch("then"), else_branch=branch("else"))]
    graph = helper.make_graph(
        nodes, "main",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [3]),
         helper.make_tensor_value_info("flag", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)], initializer=[quantized, scale, zero])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], ir_version=8)


def run(model: onnx.ModelProto) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"ids": np.array([3, 0, 49]), "flag": np.array(True)})[0]


def test_embedding_rows_are_dequantized_after_the_lookup_with_the_same_result() -> None:
    model = dequantized_gather_model()
    expected = run(model)
    assert gather_before_dequantize(model) == 2
    gathers = [n for g in (model.graph.node[3].attribute[0].g, model.graph.node[3].attribute[1].g)
               for n in g.node if n.op_type == "Gather"]
    assert gathers and all(n.input[0] == "wq" for n in gathers)
    assert np.allclose(run(model), expected, atol=1e-6)


def test_a_weight_both_branches_hold_is_kept_once() -> None:
    model = dequantized_gather_model()
    expected = run(model)
    assert share_branch_weights(model) > 0
    assert [i.name for i in model.graph.initializer].count("proj") == 1
    assert all(not a.g.initializer for a in model.graph.node[3].attribute)
    assert np.allclose(run(model), expected)


def test_the_daemon_uses_small_prepared_copies(stt, models_root: Path) -> None:  # type: ignore[no-untyped-def]
    copies = {}
    for name in ("encoder_model", "decoder_model_merged"):
        source = models_root / "stt" / f"{name}.ort"
        found = [d for d in cache_dirs(source.parent) if check_copy(source, d, deep=True) == "ok"]
        assert found, f"no verified prepared copy of {name}"
        copies[name] = copy_path(source, found[0])
    decoder = copies["decoder_model_merged"].read_bytes()  # ORT format (a flatbuffer): op types are strings in it
    assert b"MatMulNBits" in decoder
    assert len(decoder) < 50e6  # the 32,768 x 416 embedding alone would be 54 MB as float32


def test_models_verify_rehashes_prepared_copies(tmp_path: Path) -> None:
    from firmware_py.models.commands import check_prepared
    from firmware_py.models.manifest import Manifest, ModelEntry, ModelFile

    source = tmp_path / "demo" / "model.ort"
    source.parent.mkdir()
    source.write_bytes(b"an ort model" * 100)
    entry = ModelEntry("demo", "demo", "demo", "1", "MIT", "", False, (ModelFile("demo/model.ort", "0" * 64, 1200),))
    manifest = Manifest({"demo": entry})
    copy = prepared_copy(source, cache_dirs(source.parent)[:1], CountingBuilder())
    assert copy is not None and check_prepared(manifest, tmp_path, ["demo"]) == []
    stat = copy.stat()
    copy.write_bytes(b"X" + copy.read_bytes()[1:])
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # only a re-hash can tell
    [problem] = check_prepared(manifest, tmp_path, ["demo"])
    assert str(copy) in problem and "models install demo" in problem and not copy.exists()
