"""What a tool's result says aloud: its summary, or its refusal as a whole sentence."""

from __future__ import annotations

import pytest

from firmware_py.respond.chain import spoken_result


@pytest.mark.parametrize(("value", "ok", "said"), [
    ({"summary": "The pizza timer is paused."}, True, "The pizza timer is paused."),
    ({"error": "The 20 minute timer is already paused"}, True, "Sorry, the 20 minute timer is already paused."),
    ({"error": "no timer is running"}, False, "Sorry, no timer is running."),
    ({"error": "I don't know a device called attic light."}, True, "I don't know a device called attic light."),
    ({"error": "Kitchen Light is not dimmable"}, True, "Sorry, Kitchen Light is not dimmable."),   # a name stays
    ("anything", True, "Done."),
])
def test_a_result_is_said_as_a_sentence(value: object, ok: bool, said: str) -> None:
    assert spoken_result(value, ok) == said
