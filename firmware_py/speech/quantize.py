"""Building the small, fast copy of a Moonshine model: int8 shipped weights -> 4-bit MatMulNBits blocks.

Moonshine's .ort files hold int8 weights that a Cast/Mul/Add chain dequantizes on every run (slow), and
loaded as ONNX onnxruntime folds them into float32 once (fast, but ~4x the memory: ~650 MB for base).
This keeps the speed and drops the float copies:

1. export the .ort graph as ONNX (`ort_export.export_onnx`);
2. let the token embedding's lookup read the int8 table and dequantize only the rows it picked, so no
   float copy of the 32,768-row table is kept (the same arithmetic, applied after the Gather);
3. fold the remaining dequantisation with onnxruntime's basic optimisation, saved to a file;
4. in the decoder, turn onnxruntime's integer MatMuls with a constant weight back into float MatMuls
   (`dequantize_integer_matmuls`), for step 5 to re-quantize: tiny-en's int8 weights do not fold into float
   MatMuls as base-en's do but stay uint8 in `DynamicQuantizeMatMul` / `MatMulIntegerToFloat` nodes, which
   step 5 does not touch (tiny-en's copy was all uint8). Its output projection and its encoder keep them
   (4 bits there cost words, see `DEQUANTIZE_MAX_COLUMNS`). Tiny-en's decoder copy: 30.0 -> 26.3 MB, ~12 MB
   less resident, the same speed, WER 13.56 -> 12.43 %; base-en has no such nodes, its copy is as before;
5. re-quantize every MatMul weight, in the If branches too, with onnxruntime's `MatMulNBitsQuantizer`
   (4-bit blocks of 32, accuracy level 4: int8 dot products, faster than float on x86 and ARM);
6. keep one copy of a weight both If branches hold (the output projection), in the parent graph;
7. hoist the output projection out of the If (`hoist_branch_projections`): both branches end with the same
   node on that shared weight (tiny-en's int8 `DynamicQuantizeMatMul`, base-en's 4-bit `MatMulNBits`), which
   onnxruntime prepacked once per branch while loading; the branches now output the hidden state and one
   node after the If makes the logits, bit for bit the same. Base-en's load peaks ~16 MB lower and leaves
   ~15 MB less in the heap (tiny-en's ~9 MB shows in some loads only); once the freed heap is returned
   (`heap.release_freed_heap`, as the daemon does after loading) both hold the same. WER and speed as before;
8. apply onnxruntime's extended graph optimisations once and save the result in ORT format (`compile_ort`),
   so that a start loads it without parsing ONNX protobuf or running the optimisers (decoder and encoder
   ~0.17 s less of start-up, ~6 MB less held; the same graph and speed).

Folding briefly needs ~0.9 GB, so the daemon runs this in a child process:
`python -m firmware_py.speech.quantize SOURCE.ort DESTINATION.ort`, with one progress line per step.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import onnxruntime as ort

from .ort_export import export_onnx

RECIPE = "q4-block32-acc4-ort-v5"
"""Names the build: a change here (or in onnxruntime's version) rebuilds every prepared copy."""
COMPILE_RECIPE = "ort-extended-v1"
"""Names `compile_ort`, the ORT-format copy of the other ONNX models (VAD, Smart Turn, the voices)."""
BITS, BLOCK_SIZE, ACCURACY_LEVEL = 4, 32, 4
DEQUANTIZE_MAX_COLUMNS = 8192
"""The dequantize step rewrites the decoder's integer MatMuls up to this many output columns: the output
projection onto the 32,768-token vocabulary keeps its int8 weight, as does the encoder (at 4 bits each cost
tiny-en words: WER 13.56 -> 15.82 % with the projection, 22.6 % with the encoder)."""
STEPS = ("export", "embedding", "fold", "dequantize", "quantize", "share", "hoist", "compile")


def build(source: Path, destination: Path, report: Callable[[str], None] = lambda _: None) -> None:
    """Write the prepared copy of `source` (.ort) at `destination` (atomically)."""
    import onnx  # only this build step needs onnx; the daemon never imports it

    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".prepare-") as scratch:
        work = Path(scratch)
        report("export")
        export_onnx(source, work / "exported.onnx")
        report("embedding")
        model = onnx.load(str(work / "exported.onnx"))
        gather_before_dequantize(model)
        onnx.save(model, str(work / "gathered.onnx"))
        del model
        report("fold")
        fold(work / "gathered.onnx", work / "folded.onnx")
        report("dequantize")
        model = onnx.load(str(work / "folded.onnx"))
        if source.name.startswith("decoder"):  # the encoder keeps its int8 MatMuls (DEQUANTIZE_MAX_COLUMNS)
            dequantize_integer_matmuls(model, max_columns=DEQUANTIZE_MAX_COLUMNS)
        report("quantize")
        model = quantize_matmuls(model)
        report("share")
        share_branch_weights(model)
        report("hoist")
        hoist_branch_projections(model)
        onnx.save(model, str(work / "prepared.onnx"))
        del model
        report("compile")
        compile_ort(work / "prepared.onnx", work / "prepared.ort")
        os.replace(work / "prepared.ort", destination)


def fold(source: Path, destination: Path) -> None:
    """onnxruntime's basic optimisation (constant folding) of `source`, saved as `destination`."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(destination)
    options.log_severity_level = 3
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def compile_ort(source: Path, destination: Path) -> None:
    """`source` with onnxruntime's extended optimisations applied, saved in ORT format as `destination`
    (atomically: a start that loads it meanwhile sees the old file or none). Extended, not all: the layout
    optimisations left out depend on the CPU."""
    partial = destination.with_name(f"{destination.name}.{os.getpid()}.part")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(partial)
    options.add_session_config_entry("session.save_model_format", "ORT")
    options.log_severity_level = 3
    try:
        ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)


def quantize_matmuls(model):  # type: ignore[no-untyped-def]  # onnx.ModelProto
    from onnxruntime.quantization.matmul_nbits_quantizer import (DefaultWeightOnlyQuantConfig,
                                                                  MatMulNBitsQuantizer)

    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    config = DefaultWeightOnlyQuantConfig(block_size=BLOCK_SIZE, is_symmetric=True, bits=BITS,
                                          accuracy_level=ACCURACY_LEVEL, op_types_to_quantize=("MatMul",))
    quantizer = MatMulNBitsQuantizer(model, algo_config=config)
    quantizer.process()
    return quantizer.model.model


def dequantize_integer_matmuls(model, max_columns: int | None = None) -> int:  # type: ignore[no-untyped-def]
    """Rewrite onnxruntime's integer MatMuls whose weight is a constant into float MatMuls, in every graph.

    `DynamicQuantizeMatMul(A, B, b_scale, b_zero_point, bias)` and `MatMulIntegerToFloat(A_q, B, a_scale,
    b_scale, a_zero_point, b_zero_point, bias)` (A_q, a_scale and a_zero_point from a `DynamicQuantizeLinear`
    of A) become `MatMul(A, (B - b_zero_point) * b_scale)`, plus `Add(..., bias)` when there is a bias; the
    scale and zero point may be per tensor or per column. The float weight is written into the node's own
    graph (as the folding writes base-en's), so the quantize step finds it and `share_branch_weights` keeps
    one copy of what both If branches hold. `DynamicQuantizeLinear` nodes whose outputs nothing reads any
    more are removed. Nodes whose B is not an initializer, or has more than `max_columns` columns, are left
    as they are. Returns how many were rewritten.
    """
    from onnx import helper, numpy_helper

    graphs = [model.graph, *_subgraphs(model.graph)]
    scopes = _scopes(model.graph)
    quantizers = {node.output[0]: node for graph in graphs for node in graph.node
                  if node.op_type == "DynamicQuantizeLinear"}
    rewritten = 0
    for graph in reversed(graphs):  # inner graphs first: rebuilding a graph's nodes copies its subgraphs
        made: dict[str, str] = {}  # quantized weight -> its float copy in this graph
        nodes = []
        for node in graph.node:
            float_matmul = _float_matmul(node, scopes[id(graph)], quantizers, max_columns)
            if float_matmul is None:
                nodes.append(node)
                continue
            a, weight, dequantize, bias = float_matmul
            if weight not in made:
                made[weight] = f"{weight}_dequantized"
                graph.initializer.append(numpy_helper.from_array(dequantize(), made[weight]))
            product, label = f"{node.output[0]}_float" if bias else node.output[0], node.name or node.output[0]
            nodes.append(helper.make_node("MatMul", [a, made[weight]], [product], name=f"{label}_float"))
            if bias:
                nodes.append(helper.make_node("Add", [product, bias], [node.output[0]], name=f"{label}_bias"))
            rewritten += 1
        graph.ClearField("node")
        graph.node.extend(nodes)
    _drop_unread_dynamic_quantizers([model.graph, *_subgraphs(model.graph)])
    return rewritten


def _float_matmul(node, initializers: dict, quantizers: dict, max_columns: int | None):  # type: ignore[no-untyped-def]
    """For an integer MatMul with a constant weight: its float input, the weight's name, a function making
    the float weight, and the bias ("" when none). None for any other node."""
    import numpy as np
    from onnx import numpy_helper

    spec = _INTEGER_MATMULS.get((node.domain, node.op_type))
    if spec is None:
        return None
    inputs = list(node.input) + [""] * (7 - len(node.input))
    a = inputs[0]
    if node.op_type == "MatMulIntegerToFloat":  # A_q, a_scale, a_zero_point must be one DynamicQuantizeLinear's
        quantizer = quantizers.get(a)
        if quantizer is None or list(quantizer.output[:3]) != [inputs[0], inputs[2], inputs[4]]:
            return None
        a = quantizer.input[0]
    weight, scale = initializers.get(inputs[1]), initializers.get(inputs[spec["b_scale"]])
    zero = initializers.get(inputs[spec["b_zero_point"]]) if inputs[spec["b_zero_point"]] else None
    if weight is None or scale is None or (inputs[spec["b_zero_point"]] and zero is None) or len(weight.dims) != 2:
        return None
    columns = weight.dims[1]
    if max_columns is not None and columns > max_columns:
        return None
    b_scale = numpy_helper.to_array(scale).astype(np.float32).reshape(-1)
    b_zero = numpy_helper.to_array(zero).astype(np.float32).reshape(-1) if zero is not None else np.zeros(1, np.float32)
    if b_scale.size not in (1, columns) or b_zero.size not in (1, columns):
        return None
    return (a, weight.name,
            lambda: ((numpy_helper.to_array(weight).astype(np.float32) - b_zero) * b_scale).astype(np.float32),
            inputs[spec["bias"]])


_INTEGER_MATMULS = {
    ("com.microsoft", "DynamicQuantizeMatMul"): {"b_scale": 2, "b_zero_point": 3, "bias": 4},
    ("com.microsoft", "MatMulIntegerToFloat"): {"b_scale": 3, "b_zero_point": 5, "bias": 6},
}
"""Where each contrib op takes the weight's scale, zero point and bias (B is input 1 of both)."""


def _scopes(graph, outer: dict | None = None) -> dict:  # type: ignore[no-untyped-def]
    """For `graph` and each graph nested in it (by id): the initializers its nodes can read, the inner
    graph's own shadowing its parents'."""
    from onnx import AttributeProto

    visible = {**(outer or {}), **{init.name: init for init in graph.initializer}}
    scopes = {id(graph): visible}
    for node in graph.node:
        for attribute in node.attribute:
            nested = [attribute.g] if attribute.type == AttributeProto.GRAPH else \
                list(attribute.graphs) if attribute.type == AttributeProto.GRAPHS else []
            for subgraph in nested:
                scopes.update(_scopes(subgraph, visible))
    return scopes


def _drop_unread_dynamic_quantizers(graphs) -> None:  # type: ignore[no-untyped-def]
    """Remove the `DynamicQuantizeLinear` nodes no node (in any graph) and no graph output reads."""
    read = {name for graph in graphs for node in graph.node for name in node.input}
    read |= {output.name for graph in graphs for output in graph.output}
    for graph in graphs:
        unread = [node for node in graph.node
                  if node.op_type == "DynamicQuantizeLinear" and not read.intersection(node.output)]
        for node in unread:
            graph.node.remove(node)
        dropped = {name for node in unread for name in node.output}
        for info in [info for info in graph.value_info if info.name in dropped]:
            graph.value_info.remove(info)


def gather_before_dequantize(model) -> int:  # type: ignore[no-untyped-def]
    """Rewrite Gather(Cast(q) * scale + zero, ids) in subgraphs as Cast(Gather(q, ids)) * scale + zero.

    Only for per-tensor (scalar) scale and zero, where both orders give the same numbers. Returns how many
    Gathers were rewritten.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    chains = {}
    producers = {out: node for node in graph.node for out in node.output}
    for add in (n for n in graph.node if n.op_type == "Add"):
        mul = producers.get(add.input[0])
        cast = producers.get(mul.input[0]) if mul is not None and mul.op_type == "Mul" else None
        if cast is None or cast.op_type != "Cast" or cast.input[0] not in initializers:
            continue
        scale, zero = initializers.get(mul.input[1]), initializers.get(add.input[1])
        if scale is None or zero is None or numpy_helper.to_array(scale).size != 1 \
                or numpy_helper.to_array(zero).size != 1:
            continue
        chains[add.output[0]] = (cast.input[0], mul.input[1], add.input[1])
    rewritten = 0
    for subgraph in _subgraphs(graph):
        nodes = []
        for node in subgraph.node:
            if node.op_type != "Gather" or node.input[0] not in chains:
                nodes.append(node)
                continue
            quantized, scale, zero = chains[node.input[0]]
            rows, cast, scaled = (f"{node.output[0]}_{part}" for part in ("rows", "cast", "scaled"))
            nodes += [helper.make_node("Gather", [quantized, node.input[1]], [rows], axis=0),
                      helper.make_node("Cast", [rows], [cast], to=1),
                      helper.make_node("Mul", [cast, scale], [scaled]),
                      helper.make_node("Add", [scaled, zero], [node.output[0]])]
            rewritten += 1
        subgraph.ClearField("node")
        subgraph.node.extend(nodes)
    return rewritten


def share_branch_weights(model) -> int:  # type: ignore[no-untyped-def]
    """Move initializers that several subgraphs hold under the same name and bytes to the main graph,
    once. Returns the number of bytes saved."""
    seen: dict[str, list] = {}
    for subgraph in _subgraphs(model.graph):
        for init in subgraph.initializer:
            seen.setdefault(init.name, []).append((subgraph, init))
    outer = {init.name for init in model.graph.initializer}
    saved = 0
    for name, holders in seen.items():
        payload = holders[0][1].SerializeToString()
        if len(holders) < 2 or name in outer or any(i.SerializeToString() != payload for _, i in holders[1:]):
            continue
        model.graph.initializer.append(holders[0][1])
        for subgraph, init in holders:
            subgraph.initializer.remove(init)
        saved += len(payload) * (len(holders) - 1)
    return saved


PROJECTIONS = {("", "MatMul"), ("com.microsoft", "MatMulNBits"), ("com.microsoft", "DynamicQuantizeMatMul")}
"""The ops `hoist_branch_projections` moves out of an If: the product of the first input (a tensor of the output's
element type) and constant weights."""


def hoist_branch_projections(model) -> int:  # type: ignore[no-untyped-def]
    """Where both branches of an If end an output with the same projection, compute it once after the If.

    For each output of each If (in any graph) whose producer in both branches is a `PROJECTIONS` op with the
    same op, the same attributes and the same weight inputs (every input but the first), all initializers of
    the If's own graph (as `share_branch_weights` leaves the output projection's): the branches output the
    projection's input instead, and one node after the If, reading the same initializers, produces the output
    under its old name. The results are the same; onnxruntime then prepacks the weight once, not once per
    branch. Outputs whose projections differ in any of these, or whose producer's result is read inside the
    branch too, are left as they are. Returns how many projections were hoisted.
    """
    graphs = [model.graph, *_subgraphs(model.graph)]  # held, so that `_scopes`' ids stay theirs
    scopes = _scopes(graphs[0])
    names = {name for graph in graphs for node in graph.node for name in (*node.input, *node.output, node.name)}
    names |= {info.name for graph in graphs for info in (*graph.input, *graph.output, *graph.initializer)}
    hoisted = 0
    for graph in reversed(graphs):  # inner graphs first: rebuilding a graph's nodes copies its subgraphs
        nodes, before = [], hoisted
        for node in graph.node:
            nodes.append(node)
            branches = {attribute.name: attribute.g for attribute in node.attribute}
            if node.op_type != "If" or node.domain not in ("", "ai.onnx") or len(branches) != 2:
                continue
            pair = (branches["then_branch"], branches["else_branch"])
            for index, output in enumerate(node.output):
                heads = [_branch_head(branch, index) for branch in pair]
                if heads[0] is None or heads[1] is None \
                        or not _same_projection(heads[0], heads[1], scopes[id(graph)], pair):
                    continue
                for branch, head in zip(pair, heads):
                    _end_branch_before(branch, index, head)
                hidden = _unused_name(f"{output}_hidden", names)
                node.output[index] = hidden
                head = heads[0]
                nodes.append(_node_like(head, [hidden, *head.input[1:]], [output],
                                        _unused_name(head.name or f"{output}_projection", names)))
                hoisted += 1
        if hoisted > before:
            graph.ClearField("node")
            graph.node.extend(nodes)
    return hoisted


def _node_like(like, inputs: list[str], outputs: list[str], name: str):  # type: ignore[no-untyped-def]
    """A node of `like`'s op, domain and attributes with these inputs, outputs and name."""
    from onnx import helper

    node = helper.make_node(like.op_type, inputs, outputs, name=name, domain=like.domain)
    node.attribute.extend(like.attribute)
    return node


def _branch_head(branch, index: int):  # type: ignore[no-untyped-def]
    """The `PROJECTIONS` node producing `branch`'s output `index` from a tensor the branch computes, when
    nothing else reads its result; else None."""
    name = branch.output[index].name
    producers = [node for node in branch.node if name in node.output]
    if len(producers) != 1 or (producers[0].domain or "", producers[0].op_type) not in PROJECTIONS:
        return None
    head = producers[0]
    readers = [node for graph in (branch, *_subgraphs(branch)) for node in graph.node if name in node.input]
    outputs = [output.name for output in branch.output]
    computed = {out for node in branch.node for out in node.output}
    if readers or outputs.count(name) != 1 or not head.input or head.input[0] not in computed \
            or head.input[0] in outputs:
        return None
    return head


def _same_projection(a, b, visible: dict, branches) -> bool:  # type: ignore[no-untyped-def]
    """Same op and attributes, and the same weights: initializers of the If's graph no branch shadows."""
    own = {init.name for branch in branches for init in branch.initializer}
    attributes = [sorted((attr.name, attr.SerializeToString(deterministic=True)) for attr in node.attribute)
                  for node in (a, b)]
    return (a.op_type, a.domain or "") == (b.op_type, b.domain or "") and attributes[0] == attributes[1] \
        and list(a.input[1:]) == list(b.input[1:]) \
        and all(not name or (name in visible and name not in own) for name in a.input[1:])


def _end_branch_before(branch, index: int, head) -> None:  # type: ignore[no-untyped-def]
    """Remove `head` from `branch`, whose output `index` becomes `head`'s first input."""
    from onnx import helper

    output, hidden = branch.output[index], head.input[0]
    known = next((info for info in branch.value_info if info.name == hidden), None)
    replacement = helper.make_tensor_value_info(hidden, output.type.tensor_type.elem_type, None) \
        if known is None else known
    output.CopyFrom(replacement)
    for info in [info for info in branch.value_info if info.name in (hidden, *head.output)]:
        branch.value_info.remove(info)
    branch.node.remove(head)


def _unused_name(name: str, names: set[str]) -> str:
    """`name`, or it with the first free numeric suffix; recorded in `names`."""
    candidate, number = name, 1
    while candidate in names:
        candidate, number = f"{name}_{number}", number + 1
    names.add(candidate)
    return candidate


def _subgraphs(graph):  # type: ignore[no-untyped-def]
    """Every graph nested in `graph`'s nodes (If branches, loop bodies), depth first."""
    from onnx import AttributeProto

    for node in graph.node:
        for attribute in node.attribute:
            nested = [attribute.g] if attribute.type == AttributeProto.GRAPH else \
                list(attribute.graphs) if attribute.type == AttributeProto.GRAPHS else []
            for subgraph in nested:
                yield subgraph
                yield from _subgraphs(subgraph)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m firmware_py.speech.quantize SOURCE.ort DESTINATION.ort", file=sys.stderr)
        return 2
    steps = iter(range(1, len(STEPS) + 1))
    build(Path(argv[0]), Path(argv[1]),
          report=lambda step: print(f"step {next(steps)}/{len(STEPS)} {step}", file=sys.stderr, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
