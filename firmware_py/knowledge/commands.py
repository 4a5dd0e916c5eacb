"""`rtvi-edge knowledge add|remove|list|search`: the operator's documents.

`add` copies documents into the library directory (checked first: a document that cannot be read is refused
with the reason) and `remove` deletes them from it; a running daemon watches that directory and picks the
change up within `[knowledge] watch_secs`, without a restart. `list` and `search` read the documents the way
the daemon does, so `search` shows exactly what a visitor asking that question would hear.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..progress import Progress

if TYPE_CHECKING:
    from .library import KnowledgeBase

EXIT_OK, EXIT_FAILURE = 0, 1
PROGRESS_FROM = 20
"""Reading fewer documents than this is quick: no progress bar."""


def knowledge_command(settings: Settings, args: argparse.Namespace) -> int:
    from .sources import library_dir

    library = library_dir(settings.knowledge.dir)
    if args.knowledge_command == "add":
        return _add(library, [Path(p) for p in args.paths])
    if args.knowledge_command == "remove":
        return _remove(settings, library, args.names)
    base = _loaded(settings)
    try:
        if args.knowledge_command == "list":
            return _list(base, library)
        return _search(base, " ".join(args.query), settings.knowledge.unknown_answer)
    finally:
        base.close()


def _add(library: Path, paths: list[Path]) -> int:
    from .documents import DocumentError
    from .formats import read_document
    from .sources import is_document_name

    files = [f for p in paths for f in (sorted(x for x in p.rglob("*") if is_document_name(x.name))
                                        if p.is_dir() else [p])]
    if not files:
        print("no documents found in " + ", ".join(map(str, paths)))
        return EXIT_FAILURE
    library.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in files:
        try:
            passages = len(read_document(path).passages)
        except DocumentError as err:
            print(f"refused {path}: {err}")
            failed += 1
            continue
        target = library / path.name
        verb = "updated" if target.exists() else "added"
        _copy_atomically(path, target)
        print(f"{verb} {path.name}: {passages} passages")
    print(f"library: {library}")
    return EXIT_FAILURE if failed else EXIT_OK


def _copy_atomically(source: Path, target: Path) -> None:
    """Write beside the target, then rename: a watching daemon never reads half a document."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _remove(settings: Settings, library: Path, names: list[str]) -> int:
    failed = 0
    for name in names:
        target = library / Path(name).name
        if target.is_file():
            target.unlink()
            print(f"removed {target.name}")
        elif any(Path(s).expanduser().name == Path(name).name for s in settings.knowledge.sources):
            print(f"{name} is a configured source: remove it from [knowledge] sources in the config")
            failed += 1
        else:
            print(f"{name} is not in the library {library}")
            failed += 1
    return EXIT_FAILURE if failed else EXIT_OK


def _loaded(settings: Settings) -> KnowledgeBase:
    from .library import KnowledgeBase

    base = KnowledgeBase(settings.knowledge)
    bars: list[Progress] = []

    def advance(done: int, total: int) -> None:
        if total < PROGRESS_FROM:
            return
        if not bars:
            bars.append(Progress("reading documents", total, unit="documents"))
        bars[0].advance(done - bars[0].done)

    base.refresh(advance)
    if bars:
        bars[0].__exit__(None, None, None)
    return base


def _list(base: KnowledgeBase, library: Path) -> int:
    statuses = base.status()
    for status in statuses:
        state = f"{status.passages} passages" if not status.problem else f"NOT USED: {status.problem}"
        print(f"{status.path}  {state}")
    print(f"{len(statuses)} documents; library: {library}")
    return EXIT_FAILURE if any(status.problem for status in statuses) else EXIT_OK


def _search(base: KnowledgeBase, query: str, unknown_answer: str) -> int:
    found = base.ask(query)
    if found is None:
        print(f"no answer in the documents (the assistant says: {unknown_answer!r})")
        return EXIT_FAILURE
    print(found.text)
    print(f"  from {Path(found.document).name}" + (f", section {found.section!r}" if found.section else "")
          + f", covers {found.score:.0%} of the question")
    return EXIT_OK
