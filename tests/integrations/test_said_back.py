"""A refusal names what was heard, but never repeats a slur or a swear word the recogniser wrote."""

from __future__ import annotations

import pytest

from firmware_py.integrations.devices import said_back


@pytest.mark.parametrize("heard, said", [
    ("garage heater", "garage heater"),
    ("classic lamp", "classic lamp"),      # whole words only: "ass" in "classic" is no swear word
    ("bull shit lamp", "that"),            # a phrase of the list
    ("shit lamp", "that"),
    ("", "that"),
])
def test_a_refusal_says_back_only_what_is_fit_to_say(heard: str, said: str) -> None:
    assert said_back(heard) == said
