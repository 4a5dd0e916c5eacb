"""Engine floors: each engine called directly on the same inputs the pipeline saw, on the same executors.

The sum turn-end wait + STT + LLM first sentence + TTS first sentence is what a voice turn cannot beat
with these models on this machine; pipeline voice-to-voice divided by it is the pipeline's overhead.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from firmware_py.config import Settings
from firmware_py.events import EventBus

from .inprocess import reset_llm_cache
from .questions import Clip


async def in_executor(executor: Any, function: Any, *args: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = await asyncio.get_running_loop().run_in_executor(executor, function, *args)
    return result, time.monotonic() - started


async def llm_first_sentence(engines: Any, bus: EventBus, settings: Settings, user_text: str) -> dict[str, Any]:
    """First token and first sentence of the answer, through the same agent path and context as a turn.

    Generation stops after the first sentence: the rest does not matter to the floor.
    """
    from firmware_py.llm.agent import generate_reply
    from firmware_py.llm.context import Context
    from firmware_py.llm.text import SentenceSplitter, clean_for_speech

    llm = settings.llm
    context = Context(llm.system_prompt, llm.history_tokens, getattr(engines.llm, "count_tokens", None))
    context.add("user", user_text)
    splitter = SentenceSplitter(first_clause_early=True)
    cancel = asyncio.Event()
    started = time.monotonic()
    first_token: float | None = None
    sentence = ""
    replies = generate_reply(engines.llm, context, engines.tools, "bench-floor", bus, cancel)
    async with contextlib.aclosing(replies):
        async for delta in replies:
            first_token = first_token or time.monotonic() - started
            sentence = next((clean_for_speech(s) for s in splitter.push(delta) if clean_for_speech(s)), "")
            if sentence:
                cancel.set()
                break
    first_sentence_secs = time.monotonic() - started
    stats = getattr(engines.llm, "stats", None)  # the local engine's own account of the answer
    if not sentence:
        sentence = " ".join(clean_for_speech(s) for s in splitter.flush()).strip()
    return {"llm_first_token": first_token, "llm_first_sentence": first_sentence_secs, "first_sentence": sentence,
            "llm_decision": getattr(stats, "decision_secs", None), "llm_kind": getattr(stats, "kind", None),
            "prompt_tokens": getattr(stats, "prompt_tokens", None), "cached_tokens": getattr(stats, "cached_tokens", None)}


async def engine_floor(engines: Any, bus: EventBus, settings: Settings, clip: Clip) -> dict[str, Any]:
    """STT on the whole question, the LLM to its first sentence, TTS of that sentence."""
    await reset_llm_cache(engines, settings)
    text, stt_secs = await in_executor(engines.stt_executor, engines.stt.transcribe, clip.float_samples)
    llm = await llm_first_sentence(engines, bus, settings, text)
    tts_secs = None
    if llm["first_sentence"]:
        _, tts_secs = await in_executor(engines.tts_executor, engines.tts.synthesize, llm["first_sentence"])
    floor = None
    if llm["llm_first_sentence"] is not None and tts_secs is not None:
        floor = settings.vad.stop_secs + stt_secs + llm["llm_first_sentence"] + tts_secs
    return {"question": clip.question.text, "voice": clip.question.label, "transcript": text,
            "stt": round(stt_secs, 4), "llm_first_token": _round(llm["llm_first_token"]),
            "llm_first_sentence": _round(llm["llm_first_sentence"]), "tts_first_sentence": _round(tts_secs),
            "llm_decision": _round(llm["llm_decision"]), "llm_kind": llm["llm_kind"],
            "prompt_tokens": llm["prompt_tokens"], "cached_tokens": llm["cached_tokens"],
            "first_sentence": llm["first_sentence"], "turn_end_wait": settings.vad.stop_secs, "floor": _round(floor)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
