"""Model copies in ORT format (loaded without parsing ONNX or optimising the graph again): Moonshine's prepared
copies and the other models' compiled copies compute what the ONNX model does, are made once, and leave an
earlier recipe's copy and sidecar alone (another checkout may load them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from firmware_py.models import ModelError
from firmware_py.speech.onnx import open_session
from firmware_py.speech.prepare import COMPILED, copy_path, prepared_copy, sidecar_path
from firmware_py.speech.quantize import compile_ort

ORT_FORMAT_ID = b"ORTM"
"""The flatbuffer file identifier of an ORT-format model (bytes 4-8)."""


def small_model(path: Path) -> None:
    """y = relu(x @ w + b) + 0: enough for the optimiser to fuse and drop something."""
    rng = np.random.default_rng(1)
    weight = numpy_helper.from_array(rng.standard_normal((8, 4)).astype(np.float32), "w")
    bias = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "b")
    zero = numpy_helper.from_array(np.zeros(4, np.float32), "zero")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["z"]),
             helper.make_node("Relu", ["z"], ["r"]), helper.make_node("Add", ["r", "zero"], ["y"])]
    graph = helper.make_graph(nodes, "small", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [weight, bias, zero])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def run(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def test_compiled_copy_is_ort_format_and_computes_the_same(tmp_path: Path) -> None:
    small_model(tmp_path / "small.onnx")
    compile_ort(tmp_path / "small.onnx", tmp_path / "small.ort")
    assert (tmp_path / "small.ort").read_bytes()[4:8] == ORT_FORMAT_ID
    x = np.random.default_rng(2).standard_normal((1, 8)).astype(np.float32)
    np.testing.assert_allclose(run(tmp_path / "small.ort", x), run(tmp_path / "small.onnx", x), rtol=1e-6)


def test_an_earlier_recipes_copy_is_left_alone(tmp_path: Path) -> None:
    source, cache = tmp_path / "decoder_model_merged.ort", tmp_path / "cache"
    source.write_bytes(b"model bytes" * 100)
    cache.mkdir()
    older = {cache / "decoder_model_merged.prepared.onnx": b"an earlier recipe's copy",
             cache / "decoder_model_merged.prepared.json": b'{"recipe": "q4-block32-acc4-v1"}'}
    for path, data in older.items():
        path.write_bytes(data)
    copy = prepared_copy(source, [cache], lambda src, dst: dst.write_bytes(src.read_bytes()[::-1]))
    assert copy == copy_path(source, cache) and copy.suffix == ".ort"
    assert sidecar_path(source, cache) not in older and all(path.read_bytes() == data for path, data in older.items())


def test_installed_prepared_copies_are_ort_format(models_root: Path) -> None:
    for model in ("encoder_model", "decoder_model_merged"):
        copy = copy_path(models_root / "stt" / f"{model}.ort", models_root / "stt" / ".prepared")
        if copy.is_file():  # built at the first start; a fresh checkout may not have it yet
            with copy.open("rb") as file:
                assert file.read(8)[4:8] == ORT_FORMAT_ID


def test_small_models_load_from_a_compiled_copy_that_computes_the_same(tmp_path: Path) -> None:
    small_model(tmp_path / "small.onnx")
    x = np.random.default_rng(3).standard_normal((1, 8)).astype(np.float32)
    expected = run(tmp_path / "small.onnx", x)
    session = open_session(tmp_path / "small.onnx")
    copy = copy_path(tmp_path / "small.onnx", tmp_path / ".prepared", COMPILED)
    with copy.open("rb") as file:
        assert file.read(8)[4:8] == ORT_FORMAT_ID
    np.testing.assert_allclose(session.run(None, {"x": x})[0], expected, rtol=1e-6)
    built = copy.stat().st_mtime_ns
    open_session(tmp_path / "small.onnx")
    assert copy.stat().st_mtime_ns == built  # made once, then reused


def test_an_unreadable_model_is_still_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="broken.onnx"):
        open_session(tmp_path / "broken.onnx")
    assert not copy_path(tmp_path / "broken.onnx", tmp_path / ".prepared", COMPILED).exists()


def test_models_install_compiles_and_verify_rehashes_the_compiled_copies(tmp_path: Path) -> None:
    from firmware_py.models.commands import check_prepared, prepare_installed
    from firmware_py.models.manifest import Manifest, ModelEntry, ModelFile

    small_model(tmp_path / "demo.onnx")
    (tmp_path / "vad").mkdir()
    (tmp_path / "demo.onnx").rename(tmp_path / "vad" / "demo.onnx")
    entry = ModelEntry("vad", "vad", "vad", "1", "MIT", "", False, (ModelFile("vad/demo.onnx", "0" * 64, 1),))
    manifest = Manifest({"vad": entry})
    prepare_installed(manifest, tmp_path, ["vad"], include_optional=False)
    copy = copy_path(tmp_path / "vad" / "demo.onnx", tmp_path / "vad" / ".prepared", COMPILED)
    assert copy.is_file() and check_prepared(manifest, tmp_path, ["vad"]) == []
    copy.write_bytes(b"X" + copy.read_bytes()[1:])
    [problem] = check_prepared(manifest, tmp_path, ["vad"])
    assert str(copy) in problem and not copy.exists()
