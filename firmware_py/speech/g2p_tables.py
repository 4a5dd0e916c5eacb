"""hibari's G2P with its big tables packed on disk and memory-mapped: ~10 MB instead of ~100 MB of Python dicts.

hibari's G2P keeps two pronunciation lexicons (183k words) and its part-of-speech tagger's weights (79k
features) as Python dicts: about 100 MB resident, the largest part of the voice. Here each table becomes
three flat arrays (sorted CRC-32 hashes of the keys, offsets, and one blob of `key NUL value` entries)
written once next to the models and memory-mapped afterwards: lookups give the same values (a test
compares whole sentences' phonemes with hibari's own G2P), and the pages are clean file pages the kernel
can drop and re-read.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

TABLES = {"gold": "lexicon_{accent}_gold.json.gz", "silver": "lexicon_{accent}_silver.json.gz"}
TAGGER = "tagger.json.gz"
TAGGER_TABLES = ("weights", "tagdict", "vocab")
"""The tagger's big parts, packed too: its feature weights, word -> tag dictionary and vocabulary (as word ->
1; a set in hibari, ~3 MB of Python objects, where the tagger only asks `in`)."""
FORMAT = 2
"""Bump when the packed layout changes: older packs are rebuilt."""


class PackedTable:
    """A read-only str -> str | JSON value mapping over three (memory-mapped) arrays; `get` as dict.get."""

    def __init__(self, hashes: np.ndarray, offsets: np.ndarray, blob: np.ndarray) -> None:
        self.hashes, self.offsets, self.blob = hashes, offsets, blob
        # plain memoryviews: bisect and slicing on them cost far less per lookup than numpy scalars
        self._hashes = memoryview(np.ascontiguousarray(hashes)).cast("B").cast("I")
        self._offsets = memoryview(np.ascontiguousarray(offsets)).cast("B").cast("q")
        self._blob = memoryview(np.ascontiguousarray(blob)).cast("B")

    @classmethod
    def pack(cls, mapping: dict[str, Any]) -> "PackedTable":
        entries = sorted(((zlib.crc32(key.encode()), key.encode() + b"\0" + _encode(value))
                          for key, value in mapping.items()), key=lambda item: item[0])
        lengths = np.fromiter((len(entry) for _, entry in entries), np.int64, len(entries))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        blob = np.frombuffer(b"".join(entry for _, entry in entries), np.uint8)
        return cls(np.fromiter((h for h, _ in entries), np.uint32, len(entries)), offsets, blob)

    def get(self, key: str, default: Any = None) -> Any:
        raw = key.encode()
        wanted = zlib.crc32(raw)
        hashes, offsets = self._hashes, self._offsets
        index = bisect.bisect_left(hashes, wanted)
        while index < len(hashes) and hashes[index] == wanted:
            stored, _, value = bytes(self._blob[offsets[index]:offsets[index + 1]]).partition(b"\0")
            if stored == raw:
                return _decode(value)
            index += 1
        return default

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return len(self.hashes)

    def save(self, directory: Path, name: str) -> None:
        for part in ("hashes", "offsets", "blob"):
            np.save(directory / f"{name}.{part}.npy", getattr(self, part))

    @classmethod
    def load(cls, directory: Path, name: str) -> "PackedTable":
        parts = ("hashes", "offsets", "blob")
        return cls(*(np.load(directory / f"{name}.{part}.npy", mmap_mode="r") for part in parts))


def _encode(value: Any) -> bytes:
    return b"s" + value.encode() if isinstance(value, str) else b"j" + json.dumps(value).encode()


def _decode(raw: bytes) -> Any:
    return raw[1:].decode() if raw[:1] == b"s" else json.loads(raw[1:])


def packed_g2p(british: bool, directories: list[Path]) -> Any:
    """hibari's G2P reading its lexicons and tagger weights from packed tables (built on first use)."""
    import hibari
    import hibari.g2p as g2p_module

    accent = "gb" if british else "us"
    name = f"g2p-hibari-{hibari.__version__}-{accent}-v{FORMAT}"
    directory = next((d / name for d in directories if (d / name / "done").is_file()), None)
    if directory is None:
        directory = _build(directories, name, accent, g2p_module._load_json)  # noqa: SLF001
    tables = {key: PackedTable.load(directory, key) for key in (*TABLES, *TAGGER_TABLES)}
    tagger = json.loads((directory / "tagger.json").read_text())
    tagger.update(weights=tables.pop("weights"), tagdict=tables.pop("tagdict"))
    vocabulary = tables.pop("vocab")   # left out of the model: hibari's Tagger would copy it into a set
    files = {template.format(accent=accent): table for table, template in
             ((tables[key], TABLES[key]) for key in TABLES)}
    files[TAGGER] = tagger
    original = g2p_module._load_json  # noqa: SLF001 - G2P reads its tables through this one function
    g2p_module._load_json = lambda file: files[file] if file in files else original(file)  # noqa: SLF001
    try:
        g2p = g2p_module.G2P(british=british)
        g2p.tagger.vocab = vocabulary
        return g2p
    finally:
        g2p_module._load_json = original  # noqa: SLF001


def _build(directories: list[Path], name: str, accent: str, load_json: Any) -> Path:
    """Pack the tables into the first writable directory (once; ~100 MB of JSON is read here)."""
    for parent in directories:
        try:
            parent.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(dir=parent, prefix=".g2p-"))
        except OSError:
            continue
        for key, template in TABLES.items():
            PackedTable.pack(load_json(template.format(accent=accent))).save(scratch, key)
        tagger = load_json(TAGGER)
        PackedTable.pack(tagger.pop("weights")).save(scratch, "weights")
        PackedTable.pack(tagger.pop("tagdict")).save(scratch, "tagdict")
        PackedTable.pack(dict.fromkeys(tagger.pop("vocab"), 1)).save(scratch, "vocab")
        (scratch / "tagger.json").write_text(json.dumps(tagger))
        (scratch / "done").write_text(name)
        target = parent / name
        shutil.rmtree(target, ignore_errors=True)
        os.replace(scratch, target)
        log.info("voice tables packed", extra={"dir": str(target)})
        return target
    raise OSError(f"no writable directory for the packed G2P tables among {[str(d) for d in directories]}")
