"""Copies of models made once and cached next to them with their own sha256: Moonshine's prepared (small, fast)
copies, and the other ONNX models compiled to ORT format.

A Moonshine copy is built by `quantize.build` in a child process (folding briefly needs ~0.9 GB; the daemon
must not keep that peak); a compiled copy by `quantize.compile_ort`, in process (as costly as one load).
Each is described by a sidecar `<copy>.json`: the recipe, the onnxruntime version, the source's size and
mtime, and the copy's size and sha256. At start-up a copy is used only when its sidecar matches the source
and its bytes match the sha256 (re-hashed only when its size or mtime moved, as the model stamps do); a
changed source rebuilds it, a corrupt copy is refused, deleted and rebuilt.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import onnxruntime as ort

from ..cache_dir import user_cache_dir
from ..models.manifest import sha256_file
from .quantize import COMPILE_RECIPE, RECIPE

log = logging.getLogger(__name__)

Builder = Callable[[Path, Path], None]


@dataclass(frozen=True)
class Recipe:
    """One kind of copy: its name in the sidecar (a new name rebuilds every copy), its file suffix, and what
    the caller loads when no copy can be made."""

    name: str
    suffix: str
    fallback: str


MOONSHINE = Recipe(RECIPE, ".prepared.ort", "the larger, slower original")
COMPILED = Recipe(COMPILE_RECIPE, ".compiled.ort", "the original (slower to load)")


class PrepareError(RuntimeError):
    """The prepared copy could not be built."""


def cache_dirs(model_dir: Path) -> list[Path]:
    """Where prepared copies may live: beside the models, else the user's cache (first writable wins); the
    model directory's name keeps the copies of different models (base-en, tiny-en) apart there."""
    shared = user_cache_dir() / "prepared" / Path(model_dir).name
    return [Path(model_dir) / ".prepared", shared]


def prepared_copy(source: Path, directories: list[Path], builder: Builder | None = None,
                  recipe: Recipe = MOONSHINE) -> Path | None:
    """The verified copy of `source` from the first directory holding one, else a fresh build in the first
    writable directory. None (the caller keeps the original) when nothing can be built."""
    for directory in directories:
        if check_copy(source, directory, recipe=recipe) == "ok":
            return copy_path(source, directory, recipe)
    for directory in directories:
        try:
            make_copy(source, directory, builder or build_in_child, recipe)
        except (OSError, PrepareError) as err:
            log.debug("cannot prepare here", extra={"dir": str(directory), "error": str(err)})
            continue
        return copy_path(source, directory, recipe)
    log.warning(f"cannot prepare a copy of the model; using {recipe.fallback}",
                extra={"model": source.name, "tried": [str(d) for d in directories]})
    return None


def copy_path(source: Path, directory: Path, recipe: Recipe = MOONSHINE) -> Path:
    return directory / f"{source.stem}{recipe.suffix}"


def sidecar_path(source: Path, directory: Path, recipe: Recipe = MOONSHINE) -> Path:
    """Named after the copy, so a copy of another format (an earlier recipe's `.prepared.onnx`, which
    another checkout may still load) keeps its own sidecar and neither rebuilds the other's."""
    return directory / f"{source.stem}{recipe.suffix}.json"


def check_copy(source: Path, directory: Path, deep: bool = False, recipe: Recipe = MOONSHINE) -> str:
    """"ok", "missing", "stale" (source, recipe or runtime changed) or "corrupt" (bytes differ from the sha256).
    A corrupt copy is deleted so it is never loaded. `deep` re-hashes even when the size and mtime match."""
    copy, sidecar = copy_path(source, directory, recipe), sidecar_path(source, directory, recipe)
    try:
        record = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return "missing"
    if record.get("source") != source_key(source) or record.get("recipe") != recipe.name \
            or record.get("onnxruntime") != ort.__version__:
        return "stale"
    if not copy.is_file() or copy.stat().st_size != record.get("size"):
        return _refuse(copy, sidecar, "size differs")
    if not deep and record.get("verified") == _stamp(copy):
        return "ok"
    if sha256_file(copy) != record.get("sha256"):
        return _refuse(copy, sidecar, "sha256 differs")
    record["verified"] = _stamp(copy)
    _write_json(sidecar, record)
    return "ok"


def make_copy(source: Path, directory: Path, builder: Builder, recipe: Recipe = MOONSHINE) -> Path:
    """Build the copy with `builder(source, destination)` and record its sidecar; returns the copy's path."""
    directory.mkdir(parents=True, exist_ok=True)
    copy, sidecar = copy_path(source, directory, recipe), sidecar_path(source, directory, recipe)
    sidecar.unlink(missing_ok=True)  # no sidecar while the copy is being replaced: never a half-trusted pair
    started = time.monotonic()
    builder(source, copy)
    record = {"recipe": recipe.name, "onnxruntime": ort.__version__, "source": source_key(source),
              "size": copy.stat().st_size, "sha256": sha256_file(copy), "verified": _stamp(copy)}
    _write_json(sidecar, record)
    log.info("model copy prepared", extra={"model": source.name, "copy": str(copy),
                                           "mb": round(record["size"] / 1e6, 1),
                                           "secs": round(time.monotonic() - started, 1)})
    return copy


def build_in_child(source: Path, destination: Path, progress: Callable[[str], None] | None = None) -> None:
    """Run `quantize.build` in a child Python, relaying its step lines to `progress` (default: the log)."""
    show = progress or (lambda line: log.warning("preparing speech model (once)",
                                                 extra={"model": source.name, "step": line}))
    command = [sys.executable, "-m", "firmware_py.speech.quantize", str(source), str(destination)]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    assert child.stderr is not None
    tail: list[str] = []
    for line in child.stderr:
        line = line.rstrip()
        if line.startswith("step "):
            show(line)
        elif line:
            tail = (tail + [line])[-5:]
    if child.wait() != 0 or not destination.is_file():
        raise PrepareError(f"preparing {source.name} failed (exit {child.returncode}): {' | '.join(tail)}")


def source_key(source: Path) -> list[int]:
    return _stamp(source)


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _refuse(copy: Path, sidecar: Path, why: str) -> str:
    log.warning("prepared speech model is corrupt; it is not used and will be rebuilt",
                extra={"copy": str(copy), "why": why})
    copy.unlink(missing_ok=True)
    sidecar.unlink(missing_ok=True)
    return "corrupt"


def _write_json(path: Path, record: dict) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(record, indent=1))
    os.replace(partial, path)
