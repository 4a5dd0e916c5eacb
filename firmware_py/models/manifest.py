"""Reading `models/manifest.toml`, locating the models directory and checking installed files."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CHECKOUT_ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = CHECKOUT_ROOT / "models" / "manifest.toml"
DEVICE_MODELS_DIR = Path("/var/lib/rtvi-edge/models")
MODELS_ENV = "RTVI_EDGE_MODELS"
STAMP_FILE = ".verified.json"


class ModelError(RuntimeError):
    """A model file is missing or corrupt; the message names the file and the fix."""


REINSTALL_HINT = "run `rtvi-edge models install` (or `rtvi-edge models verify` to check the files)"


@dataclass(frozen=True)
class ModelFile:
    dest: str
    sha256: str
    size: int
    src: str = ""        # path inside the wheel (extracted files)
    recipe: str = ""     # how a derived file is made
    source: str = ""     # the extracted file a derived one is made from


@dataclass(frozen=True)
class ModelEntry:
    name: str
    role: str
    package: str
    version: str
    license: str
    platform: str
    optional: bool
    files: tuple[ModelFile, ...]

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    @property
    def extracted(self) -> tuple[ModelFile, ...]:
        return tuple(f for f in self.files if not f.recipe)

    @property
    def derived(self) -> tuple[ModelFile, ...]:
        return tuple(f for f in self.files if f.recipe)


@dataclass(frozen=True)
class Profile:
    """A model set: the default entries with some swapped for smaller ones (config `models.profile`)."""

    name: str
    board: str
    swap: dict[str, str]


DEFAULT_PROFILE = Profile("default", "1 GB boards (Raspberry Pi 3 B/B+, Pi 4/5 with 1 GB or more)", {})


@dataclass(frozen=True)
class Manifest:
    entries: dict[str, ModelEntry]
    profiles: dict[str, Profile] = field(default_factory=lambda: {"default": DEFAULT_PROFILE})

    def profile(self, name: str) -> Profile:
        if name not in self.profiles:
            raise ModelError(f"unknown model profile {name!r}; known: {', '.join(self.profiles)}")
        return self.profiles[name]

    def entry_for(self, name: str, profile: str) -> str:
        """The entry a profile loads in place of the default entry `name`."""
        return self.profile(profile).swap.get(name, name)

    def select(self, names: list[str] | None, include_optional: bool) -> list[ModelEntry]:
        if names:
            unknown = [n for n in names if n not in self.entries]
            if unknown:
                raise ModelError(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(self.entries)}")
            return [self.entries[n] for n in names]
        return [e for e in self.entries.values() if include_optional or not e.optional]


def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    data = tomllib.loads(path.read_text())
    entries: dict[str, ModelEntry] = {}
    for name, raw in data["models"].items():
        files = [ModelFile(dest=f["dest"], sha256=f["sha256"], size=f["size"], src=f["src"]) for f in raw["files"]]
        files += [ModelFile(dest=d["dest"], sha256=d["sha256"], size=d["size"], recipe=d["recipe"], source=d["from"])
                  for d in raw.get("derived", [])]
        entries[name] = ModelEntry(
            name=name, role=raw["role"], package=raw["package"], version=raw["version"],
            license=raw["license"], platform=raw.get("platform", ""), optional=raw.get("optional", False),
            files=tuple(files))
    profiles = {"default": DEFAULT_PROFILE}
    for name, raw in data.get("profiles", {}).items():
        unknown = [target for target in raw.get("swap", {}).values() if target not in entries]
        if unknown:
            raise ModelError(f"profile {name!r} in {path} swaps in unknown entries {unknown}")
        profiles[name] = Profile(name, raw.get("board", ""), dict(raw.get("swap", {})))
    return Manifest(entries, profiles)


def models_dir(configured: str = "") -> Path:
    """Config value, else $RTVI_EDGE_MODELS, else `models/` of a checkout, else the device location."""
    if configured:
        return Path(configured)
    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV])
    if MANIFEST_PATH.exists() and os.access(MANIFEST_PATH.parent, os.W_OK):
        return MANIFEST_PATH.parent
    return DEVICE_MODELS_DIR


def sha256_file(path: Path, on_bytes: "callable[[int], None] | None" = None) -> str:  # type: ignore[valid-type]
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            if on_bytes:
                on_bytes(len(chunk))
    return digest.hexdigest()


class Stamps:
    """Remembers (size, mtime) of files whose sha256 was verified, so start-up need not re-hash them."""

    def __init__(self, root: Path) -> None:
        self.path = root / STAMP_FILE
        try:
            self.data: dict[str, list[int]] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.data = {}

    @staticmethod
    def _key(path: Path) -> list[int]:
        stat = path.stat()
        return [stat.st_size, stat.st_mtime_ns]

    def fresh(self, file: ModelFile, path: Path) -> bool:
        return self.data.get(file.dest) == self._key(path) + [int(file.sha256[:8], 16)]

    def mark(self, file: ModelFile, path: Path) -> None:
        self.data[file.dest] = self._key(path) + [int(file.sha256[:8], 16)]

    def save(self) -> None:
        try:
            self.path.write_text(json.dumps(self.data, indent=0))
        except OSError:
            pass  # a read-only models dir just means re-hashing next time


def file_problem(root: Path, file: ModelFile, stamps: Stamps | None, deep: bool) -> str | None:
    """None when the file is present and intact, else what is wrong with it."""
    path = root / file.dest
    if not path.is_file():
        return "missing"
    size = path.stat().st_size
    if size != file.size:
        return f"corrupt (size {size} bytes, expected {file.size})"
    if stamps is not None and not deep and stamps.fresh(file, path):
        return None
    actual = sha256_file(path)
    if actual != file.sha256:
        return f"corrupt (sha256 {actual[:12]}..., expected {file.sha256[:12]}...)"
    if stamps is not None:
        stamps.mark(file, path)
    return None


def check_entries(root: Path, entries: list[ModelEntry], deep: bool = False) -> list[str]:
    """One line per problem file, naming it and the fix; empty when everything is intact."""
    stamps = Stamps(root)
    problems = []
    for entry in entries:
        for file in entry.files:
            problem = file_problem(root, file, stamps, deep)
            if problem:
                problems.append(f"model file {root / file.dest} ({entry.name}) is {problem}; "
                                f"fix: run `rtvi-edge models install {entry.name}`")
    stamps.save()
    return problems


def resolve_models(root: Path, names: list[str], manifest: Manifest | None = None) -> dict[str, Path]:
    """Paths of every file of the named models, after checking them; raises ModelError naming the fix."""
    manifest = manifest or load_manifest()
    entries = manifest.select(names, include_optional=True)
    problems = check_entries(root, entries)
    if problems:
        raise ModelError("\n".join(problems))
    return {file.dest: root / file.dest for entry in entries for file in entry.files}


def required_models(manifest: Manifest, tts_engine: str, activation: str, local_llm: bool,
                    profile: str = "default") -> list[str]:
    """The manifest entries a daemon with these settings loads."""
    names = profile_entries(manifest, profile)
    if tts_engine == "piper":
        names.append("piper")
    if activation == "wakeword":
        names.append("wakeword")
    if not local_llm:
        names.remove(manifest.entry_for("llm", profile))
    return names


def profile_entries(manifest: Manifest, profile: str) -> list[str]:
    """The entries a profile installs: the non-optional ones, with the profile's swaps applied."""
    return [manifest.entry_for(name, profile) for name, entry in manifest.entries.items() if not entry.optional]
