"""The bot's words as they stream, shown to clients at once, or held back until the answer's opening is
known to stand (an opening copied from an earlier answer is dropped unshown: conversation.py)."""

from __future__ import annotations

from typing import Callable


class HeldText:
    def __init__(self, publish: Callable[[str], None], holding: bool) -> None:
        self._publish = publish
        self._held: list[str] = []
        self.holding = holding

    def add(self, delta: str) -> None:
        if self.holding:
            self._held.append(delta)
        elif delta:
            self._publish(delta)

    def release(self) -> None:
        """Show what was held, and from now on show each piece as it comes."""
        if self.holding and "".join(self._held):
            self._publish("".join(self._held))
        self._held, self.holding = [], False
