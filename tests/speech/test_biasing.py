"""Contextual biasing: the device's words win the recogniser's close calls, and only those."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from firmware_py.speech.biasing import COMMAND_WORDS, WordBias

TOKENS = ["", "<s>", "</s>", "\u2581set", "\u2581s", "et", "\u2581volume", "\u2581DIM", "ume", "\u2581vol", "\u2581sky"]


def logits(**scores: float) -> np.ndarray:
    values = np.zeros(len(TOKENS), np.float32)
    for token, score in scores.items():
        values[TOKENS.index(token.replace("_", "\u2581"))] = score
    return values


@pytest.fixture
def bias() -> WordBias:
    return WordBias(TOKENS, ["set", "volume", "dim"], "\u2581", bonus=1.5, candidates=4)


def test_a_device_word_wins_a_close_call(bias: WordBias) -> None:
    assert bias.pick(logits(_set=1.0, _s=2.0), "") == TOKENS.index("\u2581set")


def test_a_clear_lead_is_kept(bias: WordBias) -> None:
    assert bias.pick(logits(_set=1.0, _sky=3.0), "") == TOKENS.index("\u2581sky")


def test_a_word_in_progress_is_continued(bias: WordBias) -> None:
    partial = bias.next_partial("", TOKENS.index("\u2581vol"))
    assert partial == "vol"
    assert bias.pick(logits(ume=1.0, et=1.5), partial) == TOKENS.index("ume")


def test_single_letters_and_capitals_are_not_favoured(bias: WordBias) -> None:
    assert bias.pick(logits(_s=1.0, _sky=2.0), "") == TOKENS.index("\u2581sky")    # "s" starts too much
    assert bias.pick(logits(_DIM=1.0, _sky=2.0), "") == TOKENS.index("\u2581sky")  # shouting derails decoding


@pytest.mark.slow
def test_the_recogniser_hears_the_devices_words_and_nothing_else_changes() -> None:
    """Real Moonshine on spoken-command clips: "volume" was heard as "moleu"/"molecule"; a question is
    transcribed exactly as without the bias."""
    from firmware_py.models import models_dir
    from firmware_py.speech.stt import MoonshineStt
    from scripts.bench.command_audio import render
    from scripts.bench.command_corpus import DEVICES, corpus

    stt = MoonshineStt(models_dir() / "stt")
    words = [*COMMAND_WORDS, *(name for device in DEVICES for name in (device.name, device.area, *device.aliases))]
    cases = {case.case_id: case for case in corpus()}
    # dressed as they were heard wrong (corpus version 4's deck): the voice, speed and condition pinned here
    dressed = {"h22": ("espeak:en-gb", 0.9, "clean"), "h26": ("espeak:en-gb-x-rp", 0.85, "lead_zeros"),
               "h52": ("espeak:en-gb", 0.9, "lead_zeros")}
    heard: dict[str, tuple[str, str]] = {}
    for case_id, (voice, speed, condition) in dressed.items():
        case = replace(cases[case_id], text=cases[case_id].intended, voice=voice, speed=speed, condition=condition,
                       pause_secs=0.0)
        clip = render(case)
        audio = clip.samples[max(0, clip.first_voiced - 4000): clip.last_voiced + 4000]
        stt.recognizer.bias = None
        plain = stt.transcribe(audio)
        stt.bias_towards(words)
        heard[case_id] = (plain, stt.transcribe(audio))
    assert "volume" not in heard["h22"][0].lower() and "volume" in heard["h22"][1].lower(), heard["h22"]
    assert "volume" not in heard["h26"][0].lower() and "volume" in heard["h26"][1].lower(), heard["h26"]
    assert heard["h52"][0] == heard["h52"][1], heard["h52"]
