"""A small terminal progress bar for long work (model install, builds): quiet when not on a TTY."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`with Progress("label", total) as bar: bar.advance(n)`; prints one final line when not a TTY."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, unit: str = "MB") -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.unit = unit
        self.tty = self.stream.isatty()
        self._last_draw = 0.0
        self._started = time.monotonic()

    def __enter__(self) -> "Progress":
        self._draw(force=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.done = self.total if exc[0] is None else self.done
        self._draw(force=True, final=True)

    def advance(self, amount: int) -> None:
        self.done = min(self.total, self.done + amount)
        self._draw()

    def _scaled(self, value: int) -> str:
        return f"{value / 1e6:.1f}" if self.unit == "MB" else str(value)

    def _draw(self, force: bool = False, final: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        fraction = self.done / self.total
        if self.tty:
            bar = "#" * int(fraction * 30)
            self.stream.write(f"\r  {self.label:<40} [{bar:<30}] {fraction:4.0%} "
                              f"{self._scaled(self.done)}/{self._scaled(self.total)} {self.unit}")
            if final:
                self.stream.write("\n")
        elif final:
            self.stream.write(f"  {self.label}: {self._scaled(self.done)} {self.unit} "
                              f"in {now - self._started:.1f} s\n")
        self.stream.flush()
