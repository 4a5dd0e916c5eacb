"""The timer just set, named where a request points at it (respond/timer_follow_ups.py)."""

from __future__ import annotations

import pytest

from firmware_py.respond.timer_follow_ups import named_in_place


@pytest.mark.parametrize("text, said", [
    ("Pause it.", "Pause the pasta timer."),
    ("Cancel that timer.", "Cancel the pasta timer."),   # named once, not "the pasta timer timer"
    ("Cancel that one, please.", "Cancel the pasta timer, please."),
    ("How long is left on it?", "How long is left on the pasta timer?"),
    ("Cancel.", None),
    ("Set a timer for five minutes.", None),
])
def test_the_timer_is_named_where_the_request_points(text: str, said: str | None) -> None:
    assert named_in_place(text, "the pasta timer") == said
