"""A recogniser's vocabulary held as one bytes blob and an offset array.

Moonshine's ~32k tokens as a list of bytes plus, for biasing, a list of their texts were ~65k Python
objects and ~4 MB resident; one blob and an int32 array of ends hold ~0.5 MB. A token's text is decoded
when asked for: a decoding step looks at eight of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np


class TokenTable(Sequence[bytes]):
    """Token id -> its bytes; `texts` is the same table read as UTF-8 strings."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        parts = list(pieces)
        self._blob = b"".join(parts)
        self._ends = np.cumsum([len(part) for part in parts], dtype=np.int64).astype(np.int32)
        self.texts = TokenTexts(self)

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> bytes:  # type: ignore[override]  # ids only, no slices
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        start = int(self._ends[index - 1]) if index else 0
        return self._blob[start:int(self._ends[index])]

    def __iter__(self) -> Iterator[bytes]:
        return (self[i] for i in range(len(self)))

    def join(self, ids: Iterable[int]) -> bytes:
        """The bytes of `ids` one after another; ids outside the table are skipped."""
        return b"".join(self[i] for i in ids if 0 <= i < len(self))


class TokenTexts(Sequence[str]):
    """The table's tokens as text (invalid UTF-8 replaced), decoded on each lookup."""

    def __init__(self, table: TokenTable) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return self._table[index].decode("utf-8", errors="replace")
