"""One way to open an ONNX model: pinned thread counts, quiet logs, and a ModelError naming the file on failure."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import onnxruntime as ort

from ..models import REINSTALL_HINT, ModelError
from .prepare import COMPILED, PrepareError, cache_dirs, prepared_copy
from .quantize import compile_ort

log = logging.getLogger(__name__)


def session_options(threads: int = 1, arena: bool = True, spin: bool = True) -> ort.SessionOptions:
    """`threads` intra-op threads, one inter-op thread, sequential, fully optimised, no memory-pattern
    planner, quiet; `arena` keeps the CPU memory arena, `spin` lets idle threads spin for work."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_mem_pattern = False
    options.enable_cpu_mem_arena = arena
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3
    return options


def open_session(path: Path, threads: int = 1, arena: bool = True) -> ort.InferenceSession:
    """An inference session on `threads` intra-op threads and one inter-op thread.

    On a 2-core device engines share the CPU, so every engine stays on its own small thread budget
    instead of onnxruntime's default of one thread per core (threads fighting made everything slower).
    Memory (measured, docs/benchmarks.md): the CPU arena stays on unless `arena=False` (off, Smart Turn's
    runs took 10-20 MB more; hibari's voice held 30-40 MB less at the same speed), weight prepacking stays on
    (no memory gain off; slower), and the memory-pattern planner is off: Smart Turn's 8 s window kept
    ~14 MB less after its runs, at the same speed.
    """
    if not Path(path).is_file():
        raise ModelError(f"model file {path} is missing; fix: {REINSTALL_HINT}")
    options = session_options(threads, arena)
    compiled = compiled_copy(Path(path))
    if compiled is not None:
        try:
            session = ort.InferenceSession(str(compiled), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # made by another build of onnxruntime, say: the original still loads
            log.warning("compiled copy not loaded; using the original", extra={"copy": str(compiled),
                                                                             "error": str(err)})
        else:
            log.debug("model loaded", extra={"model": Path(path).name, "threads": threads, "compiled": True})
            return session
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises several types for unreadable/corrupt files
        raise ModelError(f"model file {path} cannot be loaded ({err}); fix: {REINSTALL_HINT}") from err
    log.debug("model loaded", extra={"model": Path(path).name, "threads": threads})
    return session


def compiled_copy(model: Path) -> Path | None:
    """The model in ORT format with its graph already optimised (made at the first load, kept beside it):
    it loads in a quarter of the time (hibari 0.13 -> 0.03 s, Smart Turn 0.04 -> 0.02, Silero VAD 0.04 ->
    0.01; session creation holds the GIL, so start-up waits for it), computes the same and runs as fast.
    None when no copy can be made (a read-only models directory and cache): the caller loads the original."""
    return prepared_copy(model, cache_dirs(model.parent), _compile, COMPILED)


def _compile(source: Path, destination: Path) -> None:
    try:
        compile_ort(source, destination)
    except Exception as err:  # onnxruntime raises several types for unreadable models
        raise PrepareError(f"cannot compile {source.name}: {err}") from err


def input_names(session: ort.InferenceSession) -> list[str]:
    return [i.name for i in session.get_inputs()]


def require_inputs(session: ort.InferenceSession, path: Path, expected: list[str]) -> None:
    """ModelError when the model's inputs are not what this engine feeds (a wrong file in its place)."""
    names = input_names(session)
    if names != expected:
        raise ModelError(f"model file {path} has inputs {names}, expected {expected}; "
                         f"it is not the model this engine needs; fix: {REINSTALL_HINT}")


@contextmanager
def timed(engine: Any) -> Iterator[None]:
    """Record the block's wall time as `engine.last_secs` (the metrics every engine exposes)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        engine.last_secs = time.perf_counter() - start
