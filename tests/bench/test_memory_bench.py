"""The memory benchmark's verdicts on synthetic figures: which targets pass, which fail."""

from __future__ import annotations

import argparse

from scripts.bench.memory import verdicts


def results(default_peak: float, small_peak: float, wer: float, rtf: float) -> dict:
    daemon = {"today": {"peak_rss_mb": 1070.0, "ready_secs_median": 7.0},
              "default": {"peak_rss_mb": default_peak, "ready_secs_median": 1.8},
              "small": {"peak_rss_mb": small_peak, "ready_secs_median": 1.5}}
    engines = {"today": {"stt": {"wer_percent": 10.0, "rtf_cpu_median": 0.10, "rtf_wall_median": 0.14}},
               "default": {"stt": {"wer_percent": wer, "rtf_cpu_median": rtf, "rtf_wall_median": rtf}}}
    return {"daemon": daemon, "engines": engines}


ARGS = argparse.Namespace(target_mb=600.0, small_target_mb=350.0)


def missed(figures: dict) -> list[str]:
    return [row["target"] for row in verdicts(figures, ARGS) if not row["met"]]


def test_all_targets_met() -> None:
    assert missed(results(550, 340, 10.4, 0.06)) == []


def test_each_target_can_fail() -> None:
    assert missed(results(601, 340, 10.4, 0.06)) == ["default peak RSS (MB)"]
    assert missed(results(550, 351, 10.4, 0.06)) == ["small peak RSS (MB)"]
    assert missed(results(550, 340, 10.6, 0.06)) == ["default STT WER (%)"]
    assert set(missed(results(550, 340, 10.0, 0.13))) == {"default STT real-time factor (cpu)"}


def test_today_is_reported_beside_the_measure() -> None:
    rows = {row["target"]: row for row in verdicts(results(550, 340, 10.4, 0.06), ARGS)}
    assert rows["default peak RSS (MB)"]["today"] == 1070.0
    assert rows["default STT WER (%)"]["today"] == 10.0 and rows["default STT WER (%)"]["limit"] == 10.5


def test_the_remote_llm_board_and_the_start_up_have_targets_too() -> None:
    figures = results(550, 340, 10.4, 0.06)
    figures["daemon"]["small-remote"] = {"peak_rss_mb": 351.0}
    figures["daemon"]["small"]["ready_secs_median"] = 2.1
    assert missed(figures) == ["small, remote LLM peak RSS (MB)", "small start-up to ready (s)"]
