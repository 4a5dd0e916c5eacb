"""One answer in the chatml-function-calling format, streamed, on a llama-cpp-python model (blocking code).

llama-cpp-python's own handler cannot stream once tools are offered ("Automatic streaming tool choice is
not supported") and drops tool results from the prompt. So the answer is made in steps on the same Llama
object, each reusing the KV cache of the step before:
1. decide: message or which tool (a few tokens, constrained and calibrated: see decision.py), among the
   tools the turn's words point at (tool_select.py); none of them: plain chat, no decision at all;
2a. message: stream the text token by token after "message:\n";
2b. tool: generate the JSON arguments under a grammar made from the tool's JSON schema, then decide
    between another call and the end of the turn.
"""

from __future__ import annotations

import codecs
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import llama_cpp
from llama_cpp import Llama, LlamaGrammar
from llama_cpp.llama_grammar import JSON_GBNF

from .base import LlmDelta, ToolCall, ToolChoice
from .cache_shift import shift_out_dropped_turns
from .chatml import (ASSISTANT_HEADER, FUNCTION, IM_END, IM_START, MESSAGE, FunctionSpec, function_specs,
                     render_prefix, render_prompt)
from .decision import (CONTENT_FREE_INPUTS, Calibration, OptionTrie, calibrate, calibration_from_json,
                       calibration_to_json, choose)
from .prompt_cache import PromptCache
from .tool_select import relevant_tools

log = logging.getLogger(__name__)

TOOL_ROUNDS_PER_TURN = 1
"""Tool rounds a user turn may take before the model must answer: on SmolLM2-135M a second round was a
spurious call (list_timers, then set_timer, then cancel_timer) far more often than a useful chain."""
MAX_CALLS_PER_TURN = 1
"""More than one call per answer: on SmolLM2-135M the follow-up choice added a spurious call in 2 of 26
test questions, so by default one call per answer (the agent's next round can still call another tool)."""
MAX_ARGUMENT_TOKENS = 160
END_OF_CALLS = IM_END

Emit = Callable[[LlmDelta], None]
ShouldStop = Callable[[], bool]


@dataclass(frozen=True)
class Sampling:
    temperature: float
    max_tokens: int
    seed: int | None
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1

    @classmethod
    def of(cls, temperature: float, max_tokens: int, seed: int) -> "Sampling":
        """From the [llm] settings (a negative seed: a new random seed every answer)."""
        return cls(temperature, max_tokens, seed if seed >= 0 else None)


@dataclass
class TurnStats:
    """How the last answer went: prompt size, how much of it the KV cache already held, timings."""

    prompt_tokens: int = 0
    cached_tokens: int = 0
    decision_secs: float = 0.0      # prompt evaluation + choosing message or tool (0: no tools offered)
    first_text_secs: float = 0.0    # from the start to the first text token (0: no text)
    total_secs: float = 0.0
    generated_tokens: int = 0
    kind: str = ""                  # "message" | "tools"

    @property
    def evaluated_tokens(self) -> int:
        return self.prompt_tokens - self.cached_tokens


class FunctionCallingChat:
    """Runs answers on one Llama object; call only from one thread at a time."""

    def __init__(self, llama: Llama, sampling: Sampling, tool_rounds_per_turn: int = TOOL_ROUNDS_PER_TURN) -> None:
        self.llama = llama
        self.sampling = sampling
        self.tool_rounds_per_turn = tool_rounds_per_turn
        self.stats = TurnStats()
        self.calibrated = True  # off only to measure what calibration buys (scripts/bench_llm.py --accuracy)
        self.select_tools = True  # off only to measure what the per-turn tool choice buys (same script)
        self.prompt_cache: PromptCache | None = None
        self.warm_up_threads = 0  # prompt-evaluation threads during warm-up (0: as for answers)
        self._tries: dict[tuple[str, ...], OptionTrie] = {}
        self._calibrations: dict[str, Calibration] = {}
        self._grammars: dict[str, LlamaGrammar] = {}

    # --- entry points -------------------------------------------------------------------------------

    def answer(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
               tool_choice: ToolChoice, emit: Emit, should_stop: ShouldStop) -> None:
        functions = function_specs(tools)
        prompt = self.tokenize(render_prompt(messages, functions))
        shift_out_dropped_turns(self.llama, prompt)   # a trimmed history: keep the rest of it cached
        self.stats = TurnStats(prompt_tokens=len(prompt), cached_tokens=self._cached_prefix(prompt))
        started = time.perf_counter()
        try:
            option = self._first_option(messages, functions, prompt, tool_choice)
            self.stats.decision_secs = time.perf_counter() - started if option else 0.0
            if option is None or option == MESSAGE:
                self.stats.kind = "message"
                tail = self.tokenize(MESSAGE + "\n") if functions else []
                self._stream_text(prompt + tail, emit, should_stop, started)
                return
            self.stats.kind = "tools"
            calls = self._tool_calls(prompt, option, functions, should_stop)
            if calls and not should_stop():
                emit(LlmDelta(tool_calls=tuple(calls)))
        finally:
            self.stats.total_secs = time.perf_counter() - started

    def warm_up(self, system_prompt: str, tools: list[dict[str, Any]] | None) -> str:
        """Have the constant prompt prefix in the KV cache (and the tool decision calibrated) before the first
        turn: loaded from the prompt cache when it holds this prefix, else evaluated and saved there.
        Returns how: "loaded", "evaluated" or "cached" (already in the KV cache)."""
        functions = function_specs(tools)
        for function in functions:  # argument grammars and the option trie, so a first call pays none of it
            self._grammar(function)
        self._trie(self._options(functions, with_message=True))
        text = render_prefix(system_prompt, functions)
        prefix = self.tokenize(text)
        if self._cached_prefix(prefix) == len(prefix) and (not functions or text in self._calibrations):
            return "cached"
        cache, key = self.prompt_cache, ""
        if cache is not None:
            key = cache.key(text)
            saved = cache.load(self.llama, key, prefix)
            if saved is not None and self._restore_calibration(text, functions, saved):
                return "loaded"
        self._evaluate(prefix)
        state = cache.save(self.llama, key, prefix) if cache is not None else None
        data: dict[str, Any] = {}
        if functions:
            data["calibration"] = calibration_to_json(self._calibration(system_prompt, functions))
        if cache is not None and state is not None:
            cache.commit(state, key, len(prefix), data)
        return "evaluated"

    def tokenize(self, text: str) -> list[int]:
        return self.llama.tokenize(text.encode(), add_bos=False, special=True)

    # --- steps --------------------------------------------------------------------------------------

    def _first_option(self, messages: list[dict[str, Any]], functions: list[FunctionSpec], prompt: list[int],
                      tool_choice: ToolChoice) -> str | None:
        """None: plain chat (no tools); else "message:" or "functions.<name>:"."""
        if not functions:
            return None
        names = {f.name for f in functions}
        if isinstance(tool_choice, dict):
            name = tool_choice.get("function", {}).get("name")
            if name not in names:
                raise ValueError(f"tool_choice names {name!r}, which is not among the offered tools")
            return f"{FUNCTION}{name}:"
        if tool_choice == "none" or (tool_choice == "auto" and self._tool_rounds(messages) >= self.tool_rounds_per_turn):
            return MESSAGE
        offered = functions
        narrowed = tool_choice == "auto" and self.select_tools
        if narrowed:
            names = set(relevant_tools(_last_user_text(messages), ((f.name, f.description) for f in functions)))
            offered = [f for f in functions if f.name in names]
            if not offered:
                return None  # plain chat: no decision to make
        options = self._options(offered, with_message=tool_choice != "required")
        trie = self._trie(options)
        system_prompt = str(messages[0].get("content") or "") if messages and messages[0].get("role") == "system" else ""
        calibration = self._calibration(system_prompt, functions) if self.calibrated else None
        if calibration and narrowed:
            calibration = _without_message_fork(calibration, trie)
        return choose(self.llama, trie, prompt, calibration)

    def _tool_calls(self, prompt: list[int], option: str, functions: list[FunctionSpec],
                    should_stop: ShouldStop) -> list[ToolCall]:
        by_name = {f.name: f for f in functions}
        followups = self._options(functions, with_message=False) + (END_OF_CALLS,)
        calls: list[ToolCall] = []
        while option != END_OF_CALLS and len(calls) < MAX_CALLS_PER_TURN and not should_stop():
            name = option[len(FUNCTION):-1]
            prompt = prompt + self.tokenize(f"{option}\n")
            arguments = self._arguments(prompt, by_name[name])
            calls.append(ToolCall.parse(f"call_{uuid.uuid4().hex[:16]}", name, arguments))
            prompt = prompt + self.tokenize(arguments + "\n")
            option = choose(self.llama, self._trie(followups), prompt, None)
        return calls

    def _arguments(self, prompt: list[int], function: FunctionSpec) -> str:
        result = self.llama.create_completion(
            prompt, max_tokens=MAX_ARGUMENT_TOKENS, temperature=0.0, stop=[IM_END, IM_START],
            grammar=self._grammar(function), repeat_penalty=1.0)
        text = result["choices"][0]["text"].strip()  # type: ignore[index]
        self.stats.generated_tokens += result["usage"]["completion_tokens"]  # type: ignore[index]
        return text

    def _stream_text(self, prompt: list[int], emit: Emit, should_stop: ShouldStop, started: float) -> None:
        """Sample token by token and emit text as soon as it forms whole characters.

        Uses Llama.generate directly: create_completion(stream=True) re-detokenizes the whole answer at
        every token (quadratic in its length), which cost more than the model itself on the tiny test model.
        """
        s = self.sampling
        self.llama.set_seed(s.seed if s.seed is not None else llama_cpp.LLAMA_DEFAULT_SEED)  # default: random
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stop_ids = self._stop_ids()
        leading = True
        for count, token in enumerate(self.llama.generate(
                prompt, temp=s.temperature, top_p=s.top_p, top_k=s.top_k, min_p=s.min_p,
                repeat_penalty=s.repeat_penalty), start=1):
            if token in stop_ids or should_stop():
                break
            self.stats.generated_tokens = count
            text = decoder.decode(self.llama.detokenize([token]))
            if leading:
                text = text.lstrip()
                leading = not text
            if text:
                self.stats.first_text_secs = self.stats.first_text_secs or time.perf_counter() - started
                emit(LlmDelta(text=text))
            if count >= s.max_tokens:
                break
        tail = decoder.decode(b"", final=True)
        if tail.strip() and not should_stop():
            emit(LlmDelta(text=tail))

    def _stop_ids(self) -> set[int]:
        ids = {self.llama.token_eos()}
        for marker in (IM_END, IM_START):
            tokens = self.tokenize(marker)
            if len(tokens) == 1:
                ids.add(tokens[0])
        return ids

    @staticmethod
    def _tool_rounds(messages: list[dict[str, Any]]) -> int:
        """Assistant messages with tool calls since the last user message."""
        rounds = 0
        for message in reversed(messages):
            if message.get("role") == "user":
                break
            rounds += bool(message.get("role") == "assistant" and message.get("tool_calls"))
        return rounds

    # --- caches -------------------------------------------------------------------------------------

    @staticmethod
    def _options(functions: list[FunctionSpec], with_message: bool) -> tuple[str, ...]:
        named = tuple(f"{FUNCTION}{f.name}:" for f in functions)
        return ((MESSAGE,) if with_message else ()) + named

    def _trie(self, options: tuple[str, ...]) -> OptionTrie:
        if options not in self._tries:
            self._tries[options] = OptionTrie.build(self.llama, options)
        return self._tries[options]

    def _calibration(self, system_prompt: str, functions: list[FunctionSpec]) -> Calibration:
        """Calibration of the choice among message and every tool; subsets of the options share it."""
        prefix = render_prefix(system_prompt, functions)
        if prefix not in self._calibrations:
            prompts = [self.tokenize(prefix + f"{IM_START}user\n{text}{IM_END}\n{ASSISTANT_HEADER}")
                       for text in CONTENT_FREE_INPUTS]
            options = self._options(functions, with_message=True)
            self._remember_calibration(prefix, calibrate(self.llama, self._trie(options), prompts))
        return self._calibrations[prefix]

    def _remember_calibration(self, prefix: str, calibration: Calibration) -> None:
        self._calibrations[prefix] = calibration
        if len(self._calibrations) > 8:  # system prompts or tool sets changed many times: forget the oldest
            self._calibrations.pop(next(iter(self._calibrations)))

    def _restore_calibration(self, prefix: str, functions: list[FunctionSpec], saved: dict[str, Any]) -> bool:
        if not functions:
            return True
        try:
            self._remember_calibration(prefix, calibration_from_json(saved.get("calibration")))
        except ValueError:
            return False
        return True

    def _evaluate(self, prefix: list[int]) -> None:
        """Evaluate the prefix (with more threads at warm-up, when asked: nothing else waits for the model)."""
        threads = self.warm_up_threads
        ctx = self.llama._ctx.ctx  # noqa: SLF001
        if threads:
            llama_cpp.llama_set_n_threads(ctx, self.llama.context_params.n_threads, threads)
        try:
            for _token in self.llama.generate(prefix, temp=0.0):
                break
        finally:
            if threads:
                llama_cpp.llama_set_n_threads(ctx, self.llama.context_params.n_threads,
                                              self.llama.context_params.n_threads_batch)

    def _grammar(self, function: FunctionSpec) -> LlamaGrammar:
        schema = json.dumps(function.parameters, sort_keys=True)
        if schema not in self._grammars:
            try:
                self._grammars[schema] = LlamaGrammar.from_json_schema(schema, verbose=False)
            except Exception as err:  # an exotic schema the converter cannot express: any JSON object
                log.warning("tool schema not convertible to a grammar; using plain JSON",
                            extra={"tool": function.name, "error": str(err)})
                self._grammars[schema] = LlamaGrammar.from_string(JSON_GBNF, verbose=False)
        return self._grammars[schema]

    def _cached_prefix(self, tokens: list[int]) -> int:
        cached = self.llama.input_ids[: self.llama.n_tokens]
        common = 0
        for have, want in zip(cached, tokens):
            if have != want:
                break
            common += 1
        return common


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, str) else ""
    return ""


def _without_message_fork(calibration: Calibration, trie: OptionTrie) -> Calibration:
    """The calibration minus the fork between "message:" and the tools.

    Calibration removes the model's standing lean towards calling a tool, which mattered when every turn
    was offered every tool (chat questions read the clock). Once a turn is offered only tools its words
    point at, that lean is evidence, not bias: keeping the correction there made the model answer "what
    time is it" in words. The forks between tools stay calibrated.
    """
    message = next((path for path, option in trie.options.items() if option == MESSAGE), None)
    if message is None:
        return calibration
    return {fork: values for fork, values in calibration.items() if message[:len(fork)] != fork}
