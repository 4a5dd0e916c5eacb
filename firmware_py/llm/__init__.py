"""The language model: engines (local llama-cpp-python, remote OpenAI-compatible), context, tools, replies.

Importing this package does not load llama_cpp; `create_llm` imports the engine it builds.
"""

from .agent import generate_reply
from .base import LlmDelta, LlmEngine, LlmError, ToolCall, create_llm
from .builtin_tools import DeviceControl
from .context import Context
from .queue import LlmQueue
from .text import SentenceSplitter, clean_for_speech
from .tools import ToolRegistry, ToolResult

__all__ = [
    "Context", "DeviceControl", "LlmDelta", "LlmEngine", "LlmError", "LlmQueue", "SentenceSplitter", "ToolCall",
    "ToolRegistry", "ToolResult", "clean_for_speech", "create_llm", "generate_reply",
]
