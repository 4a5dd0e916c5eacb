"""The beam search keeps only a few readings that lead to the same place (speech/moonshine.py `_diverse`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from firmware_py.speech.moonshine import KIN_LIMIT, _diverse


class ByFirst:
    """A follower whose state's kin is its first element, as GrammarFollower's is its grammar state."""

    def start(self) -> Any:
        return (0,)

    def options(self, state: Any, log_probs: np.ndarray, most: int) -> list[tuple[int, Any]]:
        return []

    def kin(self, state: Any) -> Any:
        return state[0]


def test_the_likeliest_of_one_kin_leave_room_for_others() -> None:
    """Four spellings of a timer's name (kin 7) are likelier than the command (kin 3): the beam of 4 keeps
    two of them, then the command, then the next name's."""
    ranked = [(-1.0, 0, 10, (7,)), (-1.1, 0, 11, (7,)), (-1.2, 0, 12, (7,)), (-1.3, 0, 13, (7,)),
              (-5.0, 0, 20, (3,)), (-6.0, 0, 21, (5,))]
    kept = _diverse(ranked, 4, ByFirst())
    assert [token for _, _, token, _ in kept] == [10, 11, 20, 21]
    assert sum(1 for item in kept if item[3] == (7,)) == KIN_LIMIT


def test_fewer_readings_than_the_width_are_all_kept_in_order() -> None:
    ranked = [(-1.0, 0, 1, (1,)), (-2.0, 1, 2, (2,))]
    assert _diverse(ranked, 8, ByFirst()) == ranked
