"""`rtvi-edge models install|list|verify`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import Settings
from .install import install
from .manifest import (Manifest, ModelError, Stamps, check_entries, file_problem, load_manifest, models_dir,
                       profile_entries)


def models_command(settings: Settings, args: argparse.Namespace) -> int:
    manifest = load_manifest()
    root = models_dir(settings.models.dir)
    try:
        if args.models_command == "install":
            profile = settings.models.profile
            names = args.names or (None if args.all else profile_entries(manifest, profile))
            print(f"installing models into {root} (profile {profile})", file=sys.stderr)
            install(manifest, root, names, include_optional=args.all,
                    log=lambda line: print(line, file=sys.stderr))
            prepare_installed(manifest, root, names, include_optional=args.all)
            return 0
        if args.models_command == "list":
            stamps = Stamps(root)
            print(f"models directory: {root}")
            for entry in manifest.entries.values():
                problems = [p for f in entry.files if (p := file_problem(root, f, stamps, deep=False))]
                state = "installed" if not problems else ("not installed" if all(p == "missing" for p in problems)
                                                          else "damaged")
                size = sum(f.size for f in entry.files) / 1e6
                kind = " (optional)" if entry.optional else ""
                print(f"  {entry.name:<9} {state:<13} {size:6.1f} MB  {entry.requirement:<26} {entry.license}{kind}")
                print(f"            {entry.role}")
            stamps.save()
            return 0
        if args.models_command == "verify":
            names = args.names or [n for n, e in manifest.entries.items()
                                   if not e.optional or (root / e.files[0].dest).exists()]
            problems = check_entries(root, manifest.select(names, include_optional=True), deep=True)
            problems += check_prepared(manifest, root, names)
            for line in problems:
                print(line, file=sys.stderr)
            if not problems:
                print(f"all model files intact ({', '.join(names)})")
            return 1 if problems else 0
    except ModelError as err:
        print(f"rtvi-edge: {err}", file=sys.stderr)
        return 1
    return 2


def check_prepared(manifest: Manifest, root: Path, names: list[str]) -> list[str]:
    """Re-hash every prepared copy of the named models; a corrupt one is removed (rebuilt at the next start)."""
    from ..speech.prepare import COMPILED, MOONSHINE, cache_dirs, check_copy, copy_path

    problems = []
    for entry in manifest.select(names, include_optional=True):
        for file in entry.files:
            source = root / file.dest
            recipe = {".ort": MOONSHINE, ".onnx": COMPILED}.get(source.suffix)
            if recipe is None or not source.is_file():
                continue
            for directory in cache_dirs(source.parent):
                if check_copy(source, directory, deep=True, recipe=recipe) == "corrupt":
                    problems.append(f"prepared copy {copy_path(source, directory, recipe)} was corrupt and is "
                                    f"removed; fix: run `rtvi-edge models install {entry.name}` (or just start "
                                    f"the daemon)")
    return problems


def prepare_installed(manifest: Manifest, root: Path, names: list[str] | None, include_optional: bool) -> None:
    """Build the prepared (4-bit) copy of every installed ORT-format model, the compiled copy of every ONNX
    model the engines open, and the voice's packed G2P tables, now: the first start is then as quick and as
    small as every later one."""
    from ..speech.onnx import compiled_copy
    from ..speech.prepare import PrepareError, build_in_child, cache_dirs, check_copy, make_copy
    from ..speech.tts import HIBARI_VOICES, packed_voice_tables

    for entry in manifest.select(names, include_optional):
        if entry.name == "tts" and (root / "tts").is_dir():
            for voice in HIBARI_VOICES:
                packed_voice_tables(voice, root / "tts")
        for file in entry.files:
            source = root / file.dest
            if source.suffix == ".onnx" and entry.name != "wakeword" and source.is_file():
                compiled_copy(source)  # the wake word's models run on their own runtime (wake_runtime.py)
            if source.suffix != ".ort" or not source.is_file():
                continue
            directory = cache_dirs(source.parent)[0]
            if check_copy(source, directory) == "ok":
                continue
            print(f"preparing {file.dest} (once; about 20 s) ...", file=sys.stderr)
            try:
                make_copy(source, directory, lambda src, dst: build_in_child(
                    src, dst, progress=lambda step: print(f"  {step}", file=sys.stderr)))
            except (OSError, PrepareError) as err:
                raise ModelError(f"could not prepare {file.dest}: {err}") from err
            print(f"{file.dest:<34} prepared", file=sys.stderr)
