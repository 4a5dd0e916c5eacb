"""The follow-ups benchmark judges a follow-up by the calls it ran: all the expected ones, in any order, a sign
where only a sign is asked, and nothing more."""

from __future__ import annotations

from scripts.bench.command_judge import Call
from scripts.bench.follow_ups import PAIRS, matches, off


def call(name: str, **arguments: object) -> Call:
    return Call(f"id-{name}-{sorted(arguments.items())}", name, dict(arguments), stopped=True)


def test_a_follow_up_is_right_only_with_exactly_its_calls() -> None:
    both = (off("kitchen light"), off("living room lamp"))
    assert matches([call("turn_off", device="living room lamp"), call("turn_off", device="kitchen light")], both)
    assert not matches([call("turn_off", device="living room lamp")], both), "one of two"
    assert not matches([*map(lambda d: call("turn_off", device=d), ("kitchen light", "living room lamp", "porch light"))], both)
    assert not matches([], both)


def test_a_step_is_judged_by_its_sign() -> None:
    dim = (("change_brightness", {"device": "kitchen light", "delta": {"lt": 0}}),)
    assert matches([call("change_brightness", device="kitchen light", delta=-25)], dim)
    assert not matches([call("change_brightness", device="kitchen light", delta=25)], dim)
    assert not matches([call("change_brightness", device="living room lamp", delta=-25)], dim)


def test_a_cancelled_call_is_not_a_call_made() -> None:
    cancelled = call("turn_off", device="porch light")
    cancelled.cancelled = True
    assert not matches([cancelled], (off("porch light"),))


def test_every_pair_is_a_command_then_a_follow_up_that_expects_calls() -> None:
    assert PAIRS and all(pair.command and pair.follow_up and pair.expected for pair in PAIRS)
    assert {pair.kind for pair in PAIRS} == {"pointed at", "same for another", "the timer just set", "a correction"}
    assert all(pair.cleanup for pair in PAIRS if "timer" in pair.command.lower()), "no timer is left for the next pair"
