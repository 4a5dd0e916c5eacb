"""The spoken-command benchmark's pure parts: corpus generation, audio conditions, judging and the report."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scripts.bench import command_audio
from scripts.bench.command_corpus import (CATEGORIES, CHITCHAT, COMMAND, CONDITIONS, QUESTION, UNKNOWN_DEVICE,
                                          Case, Expect, cmd, corpus, mishear, with_pause_mark)
from scripts.bench.command_judge import Observed, calls_from_messages, judge
from scripts.bench.command_report import evaluate_targets, markdown, summarize_rows
from scripts.bench.command_session import TimerLedger
from scripts.bench.questions import SAMPLE_RATE


def test_corpus_covers_categories_voices_and_conditions() -> None:
    cases = corpus()
    assert len(cases) >= 80 and len({c.case_id for c in cases}) == len(cases)
    assert {c.expect.category for c in cases} == set(CATEGORIES)
    assert {c.split for c in cases} == {"hand", "generated"}
    assert len({c.voice_label for c in cases}) >= 6
    assert {c.voice.split(":")[0] for c in cases} == {"hibari", "piper", "espeak"}
    assert set(CONDITIONS) <= {c.condition for c in cases}
    for split in ("hand", "generated"):
        assert {c.expect.category for c in cases if c.split == split} == set(CATEGORIES)
    paused = [c for c in cases if c.condition == "pause"]
    assert all(" | " in c.text and 0.6 <= c.pause_secs <= 0.9 for c in paused)
    assert all(c.text != c.intended for c in cases if c.condition == "mishear")
    by_voice: dict[str, set[str]] = {}
    for case in cases:
        by_voice.setdefault(case.voice_label, set()).add(case.condition)
    assert all(len(conditions) >= 3 for conditions in by_voice.values())  # voice and condition not tied


def test_corpus_is_deterministic_and_the_seed_draws_new_requests() -> None:
    assert corpus(seed=5) == corpus(seed=5)
    generated = lambda seed: {c.intended for c in corpus(seed=seed) if c.split == "generated"}  # noqa: E731
    assert generated(5) != generated(6)


def test_quick_run_is_small_and_mixed() -> None:
    quick = corpus(quick=True)
    assert 12 <= len(quick) <= 18
    assert {c.expect.category for c in quick} == set(CATEGORIES)
    assert all(c.expect.needs_timer is None for c in quick)


def test_mishearings_and_pause_marks() -> None:
    import random

    rng = random.Random(1)
    heard = {mishear("Mute yourself.", rng) for _ in range(20)}
    assert "Ute yourself." in heard
    assert any(text.lower().startswith(("um,", "uh,", "so,", "okay so,")) for text in
               (mishear("Turn on the kitchen light.", random.Random(s)) for s in range(30)))
    assert with_pause_mark("Set a timer for ten minutes.") == "Set a timer | for ten minutes."


def _tone(secs: float) -> np.ndarray:
    t = np.arange(int(secs * SAMPLE_RATE)) / SAMPLE_RATE
    return (8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_rendered_conditions(monkeypatch: pytest.MonkeyPatch, condition: str) -> None:
    monkeypatch.setattr(command_audio, "spoken", lambda text, voice, speed: np.concatenate(
        [np.zeros(800, np.int16), _tone(0.1 * len(text.split()))]))
    text = "Set a timer | for ten minutes." if condition == "pause" else "Set a timer for ten minutes."
    case = Case("t1", text, text, cmd("set_timer", seconds=600), "hand", condition=condition, pause_secs=0.7)
    clip = command_audio.render(case)
    lead = int(command_audio.LEAD_SECS * SAMPLE_RATE)
    assert clip.first_voiced >= lead and clip.last_voiced < len(clip.samples)
    assert np.count_nonzero(clip.samples[:lead]) > lead // 2  # a live microphone, not digital silence
    zeros = clip.samples[clip.first_voiced - int(0.3 * SAMPLE_RATE):clip.first_voiced]
    assert (not zeros.any()) == (condition == "lead_zeros")
    voiced = (clip.last_voiced - clip.first_voiced) / SAMPLE_RATE
    assert voiced == pytest.approx(0.6 + (0.7 if condition == "pause" else 0.0), abs=0.05)
    if condition == "noise":
        assert clip.ambient_level > command_audio.FLOOR_LEVEL * 10
    loudest = int(np.abs(clip.samples[clip.first_voiced:clip.last_voiced]).max())
    assert (loudest < 1000) == (condition == "quiet")   # the tone's 8000 at -24 dB: ~505


def _call(name: str, args: dict, result: dict, call_id: str = "c1") -> list[tuple[str, dict]]:
    return [("llm-function-call-started", {"function_name": name}),
            ("llm-function-call-in-progress", {"function_name": name, "tool_call_id": call_id, "arguments": args}),
            ("llm-function-call-stopped", {"function_name": name, "tool_call_id": call_id, "cancelled": False,
                                           "result": json.dumps(result)})]


def _case(text: str, expect) -> Case:  # type: ignore[no-untyped-def]
    return Case("x", text, text, expect, "hand")


def test_judging_timers_by_their_total_seconds() -> None:
    case = _case("Set a timer for thirty seconds.", cmd("set_timer", seconds=30))
    right = calls_from_messages(_call("set_timer", {"minutes": 0.5}, {"seconds": 30, "summary": "set"}))
    assert right[0].ran and right[0].arguments == {"minutes": 0.5}
    assert judge(case, Observed(right, "A timer is set.", "", True)).ok
    wrong = calls_from_messages(_call("set_timer", {"minutes": 30}, {"seconds": 1800, "summary": "set"}))
    verdict = judge(case, Observed(wrong, "A timer is set for 30 minutes.", "", True))
    assert not verdict.ok and verdict.wrong_action and verdict.outcome == "wrong arguments"
    refused = calls_from_messages(_call("set_timer", {"seconds": 30}, {"error": "too many timers"}))
    assert judge(case, Observed(refused, "Sorry.", "", True)).outcome == "action refused"
    assert judge(case, Observed([], "", "", False)).outcome == "no answer"
    assert judge(case, Observed([], "Sure!", "", True)).outcome == "no action"


def test_a_sum_is_judged_by_the_result_it_says() -> None:
    """ "5 plus 4 is 9." for "What is five plus three?" counted as answered for thirty rounds."""
    case = _case("What is five plus three?", Expect(QUESTION, answer="8"))
    assert judge(case, Observed([], "5 plus 3 is 8.", "", True)).ok
    assert judge(case, Observed([], "Five plus three is eight.", "", True)).ok
    assert judge(case, Observed([], "5 plus 4 is 9.", "", True)).outcome == "wrong answer"
    assert judge(case, Observed([], "8 plus 3 is 11.", "", True)).outcome == "wrong answer", "an 8 is no result"
    assert judge(case, Observed([], "It is 2:51 PM. Plus three, 3 + 4 = 7", "", True)).outcome == "wrong answer"
    assert judge(case, Observed([], "Sorry, I didn't catch the first number: what plus 3?", "", True)).outcome == (
        "not worked out")
    assert judge(case, Observed([], "By +3 is a common mathematical operation.", "", True)).outcome == "not worked out"
    assert judge(_case("What do bees make?", Expect(QUESTION)), Observed([], "Honey.", "", True)).ok


def test_judging_labels_signs_and_silent_actions() -> None:
    labelled = _case("Cancel the pasta timer.", cmd("cancel_timer", needs_timer="pasta", label="pasta"))
    calls = calls_from_messages(_call("cancel_timer", {"label": "Pasta timer"}, {"summary": "cancelled"}))
    assert judge(labelled, Observed(calls, "Cancelled.", "", True)).ok
    down = _case("Turn the volume down.", cmd("change_volume", delta={"lt": 0}))
    up = calls_from_messages(_call("change_volume", {"delta": 10}, {"summary": "up"}))
    assert judge(down, Observed(up, "Louder.", "", True)).wrong_action
    never = _case("Never mind.", cmd("never_mind"))
    quiet = calls_from_messages(_call("never_mind", {}, {"summary": ""}))
    assert judge(never, Observed(quiet, "", "", False)).ok


def test_a_corrected_step_is_judged_by_what_it_did() -> None:
    """"Turn the volume down. | By twenty percent.": -10 ran at once, then -10 more once the amount came."""
    case = _case("Turn the volume down | by twenty percent.", cmd("change_volume", delta=-20))
    steps = calls_from_messages(_call("change_volume", {"delta": -10}, {"summary": "60"}, "c1")
                                + _call("change_volume", {"delta": -10}, {"summary": "50"}, "c2"))
    assert judge(case, Observed(steps, "The volume is 50 percent.", "", True)).ok
    twice = calls_from_messages(_call("change_volume", {"delta": -10}, {"summary": "60"}, "c1")
                                + _call("change_volume", {"delta": -20}, {"summary": "40"}, "c2"))
    assert judge(case, Observed(twice, "The volume is 40 percent.", "", True)).outcome == "wrong arguments"
    lamp = _case("Turn the volume down | to ten percent.", cmd("set_volume", percent=10))
    then_set = calls_from_messages(_call("change_volume", {"delta": -25}, {"summary": "75"}, "c1")
                                   + _call("set_volume", {"percent": 10}, {"summary": "10"}, "c2"))
    assert judge(lamp, Observed(then_set, "The volume is 10 percent.", "", True)).ok


def test_a_setting_set_again_by_the_rest_of_the_request_counts_as_its_last_value() -> None:
    case = _case("Volume to sixty | percent, please.", cmd("set_volume", percent=60))
    again = calls_from_messages(_call("set_volume", {"percent": 60}, {"summary": "60"}, "c1")
                                + _call("set_volume", {"percent": 60}, {"summary": "60"}, "c2"))
    assert judge(case, Observed(again, "The volume is 60 percent.", "", True)).ok
    amended = calls_from_messages(_call("set_volume", {"percent": 50}, {"summary": "50"}, "c1")
                                  + _call("set_volume", {"percent": 60}, {"summary": "60"}, "c2"))
    assert judge(case, Observed(amended, "The volume is 60 percent.", "", True)).ok
    wrong_last = calls_from_messages(_call("set_volume", {"percent": 60}, {"summary": "60"}, "c1")
                                     + _call("set_volume", {"percent": 50}, {"summary": "50"}, "c2"))
    assert judge(case, Observed(wrong_last, "The volume is 50 percent.", "", True)).wrong_action
    lamps = _case("Dim the kitchen light to ten percent.", cmd("set_brightness", device="Kitchen Light", percent=10))
    two = calls_from_messages(_call("set_brightness", {"device": "Kitchen Light", "percent": 10}, {"summary": ""}, "c1")
                              + _call("set_brightness", {"device": "Porch Light", "percent": 10}, {"summary": ""}, "c2"))
    assert judge(lamps, Observed(two, "Done.", "", True), mqtt_checked=False).wrong_action, "another device"


def test_an_answer_that_only_tells_said_again_counts_once() -> None:
    """"How much time is left | on the cookie timer?": the first piece's answer, cut by the rest, then the whole
    request's: the same status twice is one answer; another call after it is still judged."""
    case = _case("How much time is left | on the cookie timer?", cmd("list_timers"))
    twice = calls_from_messages(_call("list_timers", {}, {"summary": "19 minutes"}, "c1")
                                + _call("list_timers", {}, {"summary": "19 minutes"}, "c2"))
    assert judge(case, Observed(twice, "The cookie timer has 19 minutes left.", "", True)).ok
    then_time = calls_from_messages(_call("list_timers", {}, {"summary": "19 minutes"}, "c1")
                                    + _call("get_time", {}, {"summary": "6 PM"}, "c2"))
    assert judge(case, Observed(then_time, "It is 6 PM.", "", True)).wrong_action


def test_judging_devices_by_the_mqtt_payload() -> None:
    case = _case("Set the kitchen light to fifty percent.",
                 cmd("set_brightness", device="Kitchen Light", percent=50))
    calls = calls_from_messages(_call("set_brightness", {"device": "kitchen light", "percent": 50}, {"summary": "ok"}))
    topic = "bench/kitchen_light/set"
    assert judge(case, Observed(calls, "Done.", "", True, [(topic, '{"state": "ON", "brightness": 128}')])).ok
    assert judge(case, Observed(calls, "Done.", "", True)).outcome == "device not commanded"
    stray = [(topic, '{"state": "ON", "brightness": 128}'), ("bench/garage_door/set", "OPEN")]
    assert judge(case, Observed(calls, "Done.", "", True, stray)).wrong_action


def test_judging_questions_and_unknown_devices() -> None:
    question = _case("What is five plus three?", Expect(QUESTION))
    clock = calls_from_messages(_call("get_time", {}, {"summary": "It is noon."}))
    assert judge(question, Observed([], "Eight.", "", True)).ok
    assert judge(question, Observed(clock, "It is noon.", "", True)).outcome == "wrong action"
    unknown = _case("Switch on the garage heater.", Expect(UNKNOWN_DEVICE))
    assert judge(unknown, Observed([], "I don't know a device called garage heater.", "", True)).ok
    assert judge(unknown, Observed([], "Sure, here is a poem.", "", True)).outcome == "no refusal"
    mute = calls_from_messages(_call("set_mute", {"muted": True}, {"summary": "muted"}))
    assert judge(unknown, Observed(mute, "The speaker is muted.", "", True)).wrong_action
    chat = _case("Good morning!", Expect(CHITCHAT))
    assert judge(chat, Observed([], "Good morning!", "", True)).ok


def test_a_timer_amended_by_the_rest_of_its_request_is_judged_as_it_ended() -> None:
    """"Timer for one minute. | And thirty seconds.": 60 s at once, then 30 s added to the same timer."""
    case = _case("Timer for one minute | and thirty seconds.", cmd("set_timer", seconds=90))
    amended = calls_from_messages(_call("set_timer", {"seconds": 60}, {"timer_id": "4", "seconds": 60}, "c1")
                                  + _call("amend_timer", {"add_seconds": 30}, {"timer_id": "4", "seconds": 90}, "c2"))
    assert judge(case, Observed(amended, "A timer is set for 1 minute 30 seconds.", "", True)).ok
    named = _case("Timer for five minutes | for the workout.", cmd("set_timer", seconds=300, label="workout"))
    renamed = calls_from_messages(_call("set_timer", {"seconds": 300}, {"timer_id": "5", "seconds": 300}, "c1")
                                  + _call("amend_timer", {"label": "workout"},
                                          {"timer_id": "5", "seconds": 300, "label": "workout"}, "c2"))
    assert judge(named, Observed(renamed, "The workout timer is set for 5 minutes.", "", True)).ok
    other = calls_from_messages(_call("set_timer", {"seconds": 60}, {"timer_id": "4", "seconds": 60}, "c1")
                                + _call("amend_timer", {"add_seconds": 30}, {"timer_id": "2", "seconds": 90}, "c2"))
    assert judge(case, Observed(other, "A timer is set.", "", True)).wrong_action, "another timer amended"
    ledger = TimerLedger()
    ledger.record(renamed)
    assert ledger.satisfies("workout") and len(ledger.live()) == 1


def test_an_alarm_moved_by_the_rest_of_its_request_is_judged_as_it_ended() -> None:
    """ "Set an alarm for nine | fifteen every Tuesday, please." (seed 829): 9:00 set at the pause, then moved."""
    case = _case("Set an alarm for nine | fifteen every Tuesday, please.",
                 cmd("set_alarm", hour=9, minute=15, repeat="tuesday"))
    first = _call("set_alarm", {"hour": 9, "minute": 0}, {"timer_id": "1", "label": "9 PM alarm"}, "c1")
    moved = calls_from_messages(first + _call("set_alarm", {"hour": 9, "minute": 15, "repeat": "tuesday", "move": True},
                                              {"timer_id": "2", "label": "9:15 PM alarm", "moved_from": "9 PM alarm"}, "c2"))
    assert judge(case, Observed(moved, "The alarm is moved to 9:15 PM every Tuesday.", "", True)).ok
    other = calls_from_messages(first + _call("set_alarm", {"hour": 9, "minute": 15, "repeat": "tuesday", "move": True},
                                              {"timer_id": "2", "label": "9:15 PM alarm", "moved_from": "7 AM alarm"}, "c2"))
    assert judge(case, Observed(other, "The alarm is moved.", "", True)).wrong_action, "another alarm moved"
    ledger = TimerLedger()
    ledger.record(moved)
    assert [timer.label for timer in ledger.live()] == ["9:15 PM alarm"]


def test_timer_ledger_follows_sets_and_cancels() -> None:
    ledger = TimerLedger()
    assert ledger.satisfies(None) and not ledger.satisfies("")
    ledger.record(calls_from_messages(_call("set_timer", {}, {"timer_id": "1", "seconds": 600, "label": "pasta"})))
    assert ledger.satisfies("") and ledger.satisfies("pasta") and not ledger.satisfies("tea")
    ledger.record(calls_from_messages(_call("cancel_timer", {"label": "pasta"}, {"timer_id": "1"}, "c2")))
    assert ledger.live() == []


def test_timer_ledger_follows_pauses_so_a_resume_finds_its_timer_paused() -> None:
    ledger = TimerLedger()
    ledger.record(calls_from_messages(_call("set_timer", {}, {"timer_id": "1", "seconds": 1200})))
    assert not ledger.paused()
    ledger.record(calls_from_messages(_call("pause_timer", {}, {"timer_id": "1"}, "c2")))
    assert ledger.paused() and ledger.satisfies("")
    ledger.record(calls_from_messages(_call("add_timer_time", {"seconds": 60}, {"timer_id": "1"}, "c3")))
    assert ledger.paused(), "time added to a paused timer leaves it paused"
    ledger.record(calls_from_messages(_call("resume_timer", {}, {"timer_id": "1"}, "c4")))
    assert not ledger.paused()


def test_the_bench_knows_when_a_timer_would_ring_over_the_next_request() -> None:
    ledger = TimerLedger()
    ledger.record(calls_from_messages(_call("set_timer", {}, {"timer_id": "1", "seconds": 1200, "label": "pasta"})))
    assert not ledger.rings_near()
    ledger.record(calls_from_messages(_call("set_timer", {}, {"timer_id": "2", "seconds": 20}, "c2")))
    assert ledger.rings_near(), "a 20-second timer rings during the next request: the daemon starts clean"
    ledger = TimerLedger()
    ledger.record(calls_from_messages(_call("set_timer", {}, {"timer_id": "2", "seconds": 45})))
    ledger.record(calls_from_messages(_call("amend_timer", {}, {"timer_id": "2", "seconds": 45, "label": ""}, "c2")))
    assert not ledger.rings_near(ahead=30) and ledger.rings_near(ahead=60), \
        "the rest of a timer request ('| Please') changed nothing: it still ends in 45 s (seed 397)"


def _row(category: str, ok: bool, v2v: float | None, wrong: bool = False, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"category": category, "split": "hand", "intent": extra.pop("intent", category), "ok": ok,
            "outcome": "ok" if ok else "wrong action", "answered": v2v is not None, "wrong_action": wrong,
            "voice_to_voice": v2v, "voice": "hibari@1", "condition": "clean", "case_id": "x", "run": 0, **extra}


def test_report_figures_targets_and_markdown() -> None:
    rows = [_row(COMMAND, True, 0.3, intent="set_timer"), _row(COMMAND, True, 0.4, intent="set_timer"),
            _row(COMMAND, False, 0.5, True, intent="turn_on"), _row(QUESTION, True, 0.7),
            _row(QUESTION, False, None), _row(UNKNOWN_DEVICE, True, 0.6)]
    summary = summarize_rows(rows)
    command = summary["category"][COMMAND]
    assert command["n"] == 3 and command["accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert command["wrong_action_rate"] == pytest.approx(1 / 3, abs=1e-3) and command["voice_to_voice"]["median"] == 0.4
    assert summary["category"][QUESTION]["no_answer_rate"] == 0.5
    assert summary["intent"]["set_timer"]["accuracy"] == 1.0 and len(summary["failures"]) == 2
    targets = {t["name"]: t for t in evaluate_targets(summary)}
    assert targets["commands: voice-to-voice median"]["ok"] is True
    assert targets["commands: accuracy with arguments"]["ok"] is False
    text = markdown({"summary": summary, "targets": evaluate_targets(summary), "config": {"runs": 1}, "load": {}})
    assert "| command | 3 | 67 % | 0 % | 33 % | 0.40 s |" in text and "**no**" in text


def test_before_after_comparison() -> None:
    from scripts.bench.command_report import comparison_markdown

    def results(ok: bool, v2v: float) -> dict:
        return {"title": "t", "load": {"loadavg_1min": {"median": 1.0}},
                "summary": summarize_rows([_row(COMMAND, ok, v2v), _row(COMMAND, True, v2v)])}

    text = comparison_markdown(results(False, 2.0), results(True, 0.3))
    assert "| command | 50 % → 100 % | n/a → n/a | 0 % → 0 % | 0 % → 0 % | 2.00 → 0.30 | 2.00 → 0.30 |" in text
    assert "| question | n/a → n/a |" in text


def test_accuracy_over_requests_heard_right() -> None:
    rows = [_row(COMMAND, False, 0.5, intended="Set a timer for ten minutes.", transcript="Set a timer for 10 minutes."),
            _row(COMMAND, True, 0.5, intended="Mute yourself.", transcript="Mute yourself."),
            _row(COMMAND, False, 0.5, intended="Turn on the porch light.", transcript="Earned the porch-like off.")]
    figures = summarize_rows(rows)["category"][COMMAND]
    assert figures["heard_right"] == 2 and figures["accuracy_heard_right"] == 0.5
