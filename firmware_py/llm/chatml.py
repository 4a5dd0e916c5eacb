"""Prompt text for the "chatml-function-calling" format: ChatML turns, tools described in the system message.

The model answers either "message:" then text, or "functions.<name>:" then JSON arguments (one call per
line). This is the format of llama-cpp-python's handler of the same name, with three changes: tool
descriptions are included, tool results are rendered (as "tool" turns), and few-shot examples follow the
system message when the built-in tools are offered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .fewshot import shot_messages

IM_START, IM_END = "<|im_start|>", "<|im_end|>"
MESSAGE = "message:"
FUNCTION = "functions."
ASSISTANT_HEADER = f"{IM_START}assistant\n"

FORMAT_RULES = (
    "\n\nYou can respond to users messages with either a single message or one or more function calls."
    "\n\nTo respond with a message begin the message with 'message:', use the following format:"
    "\n\nmessage:\n<message>"
    "\n\nTo respond with one or more function calls begin the message with 'functions.<function_name>:', "
    "use the following format:"
    "\n\nfunctions.<function_name>:\n{ \"arg1\": \"value1\", \"arg2\": \"value2\" }"
    "\n\nCall a function only when the user asks for exactly what it does. For greetings, questions, facts, "
    "advice and chat, reply with a message."
)


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    description: str
    parameters: dict[str, Any]


def function_specs(tools: list[dict[str, Any]] | None) -> list[FunctionSpec]:
    """FunctionSpecs from an OpenAI "tools" list (entries without a function name are skipped)."""
    specs = []
    for tool in tools or []:
        body = tool.get("function", tool) if isinstance(tool, dict) else {}
        if isinstance(body, dict) and isinstance(body.get("name"), str):
            params = body.get("parameters") or {"type": "object", "properties": {}}
            specs.append(FunctionSpec(body["name"], str(body.get("description", "")), params))
    return specs


def system_text(system_prompt: str, functions: list[FunctionSpec]) -> str:
    if not functions:
        return system_prompt
    listed = "".join(
        f"\nfunctions.{f.name}:{' ' + f.description if f.description else ''}\n{json.dumps(f.parameters)}\n"
        for f in functions)
    return f"{system_prompt}\n\nYou have access to the following functions:\n{listed}{FORMAT_RULES}"


def render_prefix(system_prompt: str, functions: list[FunctionSpec]) -> str:
    """The part of every prompt that stays the same: system message and examples (the cached prefix)."""
    text = _turn("system", system_text(system_prompt, functions))
    if functions:
        text += "".join(_render(m, with_functions=True) for m in shot_messages({f.name for f in functions}))
    return text


def render_prompt(messages: list[dict[str, Any]], functions: list[FunctionSpec]) -> str:
    """The whole prompt, ending where the assistant's answer begins."""
    system_prompt, rest = _split_system(messages)
    body = "".join(_render(m, with_functions=bool(functions)) for m in rest)
    return render_prefix(system_prompt, functions) + body + ASSISTANT_HEADER


def _split_system(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    if messages and messages[0].get("role") == "system":
        return _text(messages[0].get("content")), messages[1:]
    return "", messages


def _render(message: dict[str, Any], with_functions: bool) -> str:
    role = str(message.get("role", "user"))
    content = _text(message.get("content"))
    if role != "assistant":
        return _turn(role, content)
    calls = message.get("tool_calls") or []
    parts = []
    if content:
        parts.append(f"{MESSAGE}\n{content}" if with_functions else content)
    for call in calls:
        function = call.get("function", {})
        parts.append(f"{FUNCTION}{function.get('name', '')}:\n{function.get('arguments') or '{}'}")
    return _turn("assistant", "\n".join(parts))


def _turn(role: str, content: str) -> str:
    return f"{IM_START}{role}\n{content}{IM_END}\n"


def _text(content: Any) -> str:
    """Message content as text (OpenAI content-part lists joined), unable to forge ChatML turn markers."""
    if content is None:
        return ""
    if isinstance(content, list):
        content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content).replace("<|im_", "<| im_")
