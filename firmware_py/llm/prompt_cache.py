"""The warmed prompt prefix kept on disk, so that a restarted daemon answers its first question at once.

Evaluating the constant prefix of every prompt (system prompt, tool list, examples: about 1,000 tokens)
takes 4-10 s on a 2-core board; loading the saved llama.cpp context state of that prefix takes a small
fraction of a second. The state is written with `llama_state_save_file` (KV cache + the prefix tokens) and
a small JSON sidecar holds what else the warm-up computed (the decision's calibration). Files are named by
a digest of everything the state depends on: model file identity (path, size, mtime), llama-cpp-python
version, context size, chat format and the rendered prefix (system prompt, tool schemas, examples).
Writes are atomic (temporary file, then rename; the sidecar last, as the commit mark); a missing, stale,
truncated or corrupt pair is ignored and rebuilt. Only the newest few states are kept.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import llama_cpp
from llama_cpp import Llama

from ..cache_dir import atomic_write, user_cache_dir

log = logging.getLogger(__name__)

KEEP_STATES = 4
"""States kept per directory (system prompts or models switched back and forth)."""
FORMAT_VERSION = 1


def cache_dirs(model_path: Path) -> list[Path]:
    """Beside the model, else the user's cache directory (the first writable one is used)."""
    return [model_path.parent / ".llm-cache", user_cache_dir() / "llm-cache"]


class PromptCache:
    """Saved prefix states for one model file and context configuration."""

    def __init__(self, model_path: Path, n_ctx: int, chat_format: str, directories: list[Path] | None = None,
                 kv_cache: str = "f16") -> None:
        stat = model_path.stat()
        version = getattr(llama_cpp, "__version__", "")
        self._identity = f"{FORMAT_VERSION}|{model_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{version}|" \
                         f"{n_ctx}|{chat_format}|{kv_cache}"
        self.directories = directories if directories is not None else cache_dirs(model_path)

    def key(self, prefix_text: str) -> str:
        return hashlib.sha256(f"{self._identity}|{prefix_text}".encode()).hexdigest()[:24]

    def load(self, llama: Llama, key: str, tokens: list[int]) -> dict[str, Any] | None:
        """Restore the state saved under `key` into `llama`; its sidecar data, or None (nothing loaded)."""
        for directory in self.directories:
            meta = _read_meta(directory / f"{key}.json", key, len(tokens))
            if meta is None:
                continue
            if _load_state(llama, directory / f"{key}.state", tokens):
                return meta
            log.warning("saved prompt state unusable; rebuilding it", extra={"file": str(directory / f"{key}.state")})
            _forget(llama)
        return None

    def save(self, llama: Llama, key: str, tokens: list[int]) -> Path | None:
        """Write the state of `llama`, which must hold exactly `tokens`; the sidecar follows in `commit`."""
        for directory in self.directories:
            try:
                directory.mkdir(parents=True, exist_ok=True)
                path = directory / f"{key}.state"
                atomic_write(path, lambda tmp: _save_state(llama, tmp, tokens))
                return path
            except OSError as err:
                log.debug("cannot save the prompt state here", extra={"dir": str(directory), "error": str(err)})
        log.warning("no writable cache for the prompt state; the next start warms up again",
                    extra={"tried": [str(d) for d in self.directories]})
        return None

    def commit(self, state_path: Path, key: str, tokens: int, data: dict[str, Any]) -> None:
        """Write the sidecar that makes `state_path` usable, then drop the oldest states."""
        meta = {"key": key, "tokens": tokens, **data}
        try:
            atomic_write(state_path.with_suffix(".json"), lambda tmp: Path(tmp).write_text(json.dumps(meta)))
        except OSError as err:
            log.warning("cannot save the prompt state", extra={"error": str(err)})
            return
        _prune(state_path.parent)


def _read_meta(path: Path, key: str, tokens: int) -> dict[str, Any] | None:
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("key") != key or meta.get("tokens") != tokens:
        return None
    return meta


def _save_state(llama: Llama, path: str, tokens: list[int]) -> None:
    if llama.n_tokens != len(tokens) or list(llama.input_ids[: llama.n_tokens]) != tokens:
        raise OSError("the context does not hold exactly the prefix")
    array = (llama_cpp.llama_token * len(tokens))(*tokens)
    if not llama_cpp.llama_state_save_file(llama._ctx.ctx, path.encode(), array, len(tokens)):  # noqa: SLF001
        raise OSError(f"llama.cpp could not write {path}")


def _load_state(llama: Llama, path: Path, tokens: list[int]) -> bool:
    if not path.is_file():
        return False
    capacity = len(tokens)
    array = (llama_cpp.llama_token * capacity)()
    count = ctypes.c_size_t(0)
    ok = llama_cpp.llama_state_load_file(llama._ctx.ctx, str(path).encode(), array, capacity,  # noqa: SLF001
                                         ctypes.byref(count))
    if not ok or count.value != capacity or list(array) != tokens:
        return False
    llama.input_ids[:capacity] = tokens
    llama.n_tokens = capacity
    llama._requires_eval = True  # noqa: SLF001 - the logits of the last token are not restored: evaluate it again
    return True


def _forget(llama: Llama) -> None:
    """Drop whatever a failed load left in the KV cache."""
    llama.reset()
    llama._ctx.kv_cache_clear()  # noqa: SLF001


def _prune(directory: Path) -> None:
    metas = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in metas[KEEP_STATES:]:
        stale.unlink(missing_ok=True)
        stale.with_suffix(".state").unlink(missing_ok=True)
    for orphan in directory.glob("*.state"):
        if not orphan.with_suffix(".json").exists():
            orphan.unlink(missing_ok=True)
