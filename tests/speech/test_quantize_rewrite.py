"""The build's dequantize step: onnxruntime's integer MatMuls with constant weights become float MatMuls (which
the quantize step then turns into 4-bit MatMulNBits), with the same results; and its hoist step: a projection
both If branches end with becomes one node after the If, with the same results."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from firmware_py.speech.quantize import (_subgraphs, dequantize_integer_matmuls, hoist_branch_projections,
                                         quantize_matmuls)

K, N = 64, 24
INTEGER_OPS = {"DynamicQuantizeMatMul", "MatMulIntegerToFloat", "DynamicQuantizeLinear"}


def integer_matmul_model() -> onnx.ModelProto:
    """main: x quantized by DynamicQuantizeLinear; an If whose branches hold
    DynamicQuantizeMatMul(x, Wa, per-tensor scale and zero point, bias) and
    MatMulIntegerToFloat(x_q, Wb, per-column scale and zero point) reading main's weights and x_q, and
    DynamicQuantizeMatMul(x, y) whose B is an input (left alone)."""
    rng = np.random.default_rng(1)
    weights = [
        numpy_helper.from_array(rng.integers(0, 256, (K, N), dtype=np.uint8), "wa"),
        numpy_helper.from_array(np.array(0.013, np.float32), "wa_scale"),
        numpy_helper.from_array(np.array(131, np.uint8), "wa_zero"),
        numpy_helper.from_array(rng.standard_normal(N).astype(np.float32), "bias"),
        numpy_helper.from_array(rng.integers(0, 256, (K, N), dtype=np.uint8), "wb"),
        numpy_helper.from_array(rng.uniform(0.005, 0.02, N).astype(np.float32), "wb_scale"),
        numpy_helper.from_array(rng.integers(100, 156, N, dtype=np.uint8), "wb_zero"),
    ]

    def branch(name: str) -> onnx.GraphProto:
        nodes = [helper.make_node("DynamicQuantizeMatMul", ["x", "wa", "wa_scale", "wa_zero", "bias"], [f"{name}_a"],
                                  domain="com.microsoft"),
                 helper.make_node("MatMulIntegerToFloat", ["x_q", "wb", "x_scale", "wb_scale", "x_zero", "wb_zero"],
                                  [f"{name}_b"], domain="com.microsoft"),
                 helper.make_node("Add", [f"{name}_a", f"{name}_b"], [f"{name}_out"])]
        outputs = [helper.make_tensor_value_info(f"{name}_out", TensorProto.FLOAT, None)]
        return helper.make_graph(nodes, name, [], outputs)

    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["x_q", "x_scale", "x_zero"]),
             helper.make_node("If", ["flag"], ["out"], then_branch=branch("then"), else_branch=branch("else")),
             helper.make_node("DynamicQuantizeMatMul", ["x", "y", "wa_scale", "wa_zero"], ["dynamic"],
                              domain="com.microsoft")]
    graph = helper.make_graph(
        nodes, "main",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, K]),
         helper.make_tensor_value_info("y", TensorProto.UINT8, [K, N]),
         helper.make_tensor_value_info("flag", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("dynamic", TensorProto.FLOAT, None)], initializer=weights)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=8)


def run(model: onnx.ModelProto, x: np.ndarray, flag: bool = True) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    y = np.random.default_rng(2).integers(0, 256, (K, N), dtype=np.uint8)
    return session.run(None, {"x": x, "y": y, "flag": np.array(flag)})


def op_types(model: onnx.ModelProto) -> list[str]:
    return [node.op_type for graph in (model.graph, *_subgraphs(model.graph)) for node in graph.node]


def test_integer_matmuls_become_float_matmuls_with_the_same_results() -> None:
    model = integer_matmul_model()
    x = np.random.default_rng(3).standard_normal((3, K)).astype(np.float32)
    expected = run(model, x)
    assert dequantize_integer_matmuls(model) == 4  # two per branch; the one whose B is an input stays
    assert op_types(model).count("MatMul") == 4 and op_types(model).count("DynamicQuantizeMatMul") == 1
    assert "MatMulIntegerToFloat" not in op_types(model)
    assert "DynamicQuantizeLinear" not in op_types(model)  # nothing reads x_q any more
    got = run(model, x)
    assert np.allclose(got[1], expected[1])
    # the integer ops quantized x to 8 bits too; the float MatMul does not: they differ by that rounding only
    assert np.abs(got[0] - expected[0]).max() < 0.01 * np.abs(expected[0]).max()
    # and the float ones are exactly (B - zero point) * scale, per tensor (a, with its bias) and per column (b)
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    wa = (init["wa"].astype(np.float32) - 131) * np.float32(0.013)
    wb = (init["wb"].astype(np.float32) - init["wb_zero"]) * init["wb_scale"]
    assert np.allclose(got[0], x @ wa + init["bias"] + x @ wb, atol=1e-4)
    assert np.allclose(run(model, x, flag=False)[0], got[0])


def test_the_float_matmuls_are_then_quantized_to_4_bits() -> None:
    model = integer_matmul_model()
    x = np.random.default_rng(4).standard_normal((3, K)).astype(np.float32)
    expected = run(model, x)[0]
    dequantize_integer_matmuls(model)
    model = quantize_matmuls(model)
    assert op_types(model).count("MatMulNBits") == 4 and "MatMul" not in op_types(model)
    assert np.abs(run(model, x)[0] - expected).max() < 0.1 * np.abs(expected).max()


def test_a_model_without_integer_matmuls_is_left_as_it_is() -> None:
    rng = np.random.default_rng(5)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["out"])], "main",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, K])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(rng.standard_normal((K, N)).astype(np.float32), "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    before = model.SerializeToString(deterministic=True)
    assert dequantize_integer_matmuls(model) == 0
    assert model.SerializeToString(deterministic=True) == before


def test_a_weight_wider_than_the_limit_keeps_its_integer_matmul() -> None:
    model = integer_matmul_model()
    assert dequantize_integer_matmuls(model, max_columns=N - 1) == 0
    assert op_types(model).count("MatMul") == 0 and "DynamicQuantizeLinear" in op_types(model)
    model = integer_matmul_model()
    assert dequantize_integer_matmuls(model, max_columns=N) == 4


def projection_if_model(op: str, else_weight: str = "w") -> onnx.ModelProto:
    """main: an If whose branches compute a hidden state from x differently (Relu, Neg), output it doubled,
    and project it with `op` (MatMul, DynamicQuantizeMatMul or MatMulNBits) by weights in main; the else
    branch's projection reads `else_weight`'s initializers."""
    rng = np.random.default_rng(6)
    if op == "MatMulNBits":
        blocks = K // 32
        weights = {"w": [rng.integers(0, 256, (N, blocks, 16), dtype=np.uint8),
                         rng.uniform(0.01, 0.02, N * blocks).astype(np.float32)]}
        attributes = {"K": K, "N": N, "bits": 4, "block_size": 32, "accuracy_level": 4}
    elif op == "DynamicQuantizeMatMul":
        weights = {"w": [rng.integers(0, 256, (K, N), dtype=np.uint8), np.array(0.013, np.float32),
                         np.array(131, np.uint8)]}
        attributes = {}
    else:
        weights = {"w": [rng.standard_normal((K, N)).astype(np.float32)]}
        attributes = {}
    weights["v"] = [array + 1 if array.dtype == np.uint8 else array * 2 for array in weights["w"]]
    names = {key: [f"{key}{i}" for i in range(len(arrays))] for key, arrays in weights.items()}
    initializers = [numpy_helper.from_array(array, name)
                    for key in weights for array, name in zip(weights[key], names[key])]
    domain = "" if op == "MatMul" else "com.microsoft"

    def branch(name: str, activation: str, weight: str) -> onnx.GraphProto:
        nodes = [helper.make_node(activation, ["x"], [f"{name}_hidden"]),
                 helper.make_node("Add", [f"{name}_hidden", f"{name}_hidden"], [f"{name}_side"]),
                 helper.make_node(op, [f"{name}_hidden", *names[weight]], [f"{name}_logits"], name=f"{name}_head",
                                  domain=domain, **attributes)]
        outputs = [helper.make_tensor_value_info(f"{name}_logits", TensorProto.FLOAT, [3, N]),
                   helper.make_tensor_value_info(f"{name}_side", TensorProto.FLOAT, [3, K])]
        return helper.make_graph(nodes, name, [], outputs)

    graph = helper.make_graph(
        [helper.make_node("If", ["flag"], ["logits", "side"], then_branch=branch("then", "Relu", "w"),
                          else_branch=branch("else", "Neg", else_weight))], "main",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, K]),
         helper.make_tensor_value_info("flag", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [3, N]),
         helper.make_tensor_value_info("side", TensorProto.FLOAT, [3, K])], initializer=initializers)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=8)


def run_if(model: onnx.ModelProto, x: np.ndarray, flag: bool) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x, "flag": np.array(flag)})


@pytest.mark.parametrize("op", ["MatMul", "DynamicQuantizeMatMul", "MatMulNBits"])
def test_the_branches_projection_is_hoisted_after_the_if_with_the_same_results(op: str) -> None:
    model = projection_if_model(op)
    x = np.random.default_rng(7).standard_normal((3, K)).astype(np.float32)
    expected = [run_if(model, x, flag) for flag in (True, False)]
    assert hoist_branch_projections(model) == 1
    assert [node.op_type for node in model.graph.node] == ["If", op]
    head = model.graph.node[1]  # main's weights, the If's hidden state, the old output's name
    assert list(head.input[1:]) == [init.name for init in model.graph.initializer if init.name.startswith("w")]
    assert list(head.output) == ["logits"] and model.graph.node[0].output[0] == head.input[0]
    assert op not in [node.op_type for graph in _subgraphs(model.graph) for node in graph.node]
    onnx.checker.check_model(model)
    for flag, before in zip((True, False), expected):
        after = run_if(model, x, flag)
        assert all(np.array_equal(a, b) for a, b in zip(after, before))  # the same arithmetic, bit for bit


def test_an_if_whose_branches_project_differently_is_left_as_it_is() -> None:
    model = projection_if_model("MatMul", else_weight="v")  # other weights
    before = model.SerializeToString(deterministic=True)
    assert hoist_branch_projections(model) == 0
    assert model.SerializeToString(deterministic=True) == before
    model = projection_if_model("MatMulNBits")  # same weights, other attributes
    next(a for a in model.graph.node[0].attribute[1].g.node[2].attribute if a.name == "accuracy_level").i = 0
    before = model.SerializeToString(deterministic=True)
    assert hoist_branch_projections(model) == 0
    assert model.SerializeToString(deterministic=True) == before
