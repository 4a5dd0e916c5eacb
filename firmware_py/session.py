"""What the front doors (RTVI, MQTT, GPIO button, kiosk) may ask of a conversation and of the daemon.

`VoiceSession` is one conversation; `SessionHost` creates them and owns the shared engines and settings.
The conversation engine implements both; the front doors depend only on these interfaces.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from .audio.frames import AudioFrame
from .audio.io import AudioSink
from .live_config import LiveSettings


class VoiceSession(ABC):
    """One conversation: its audio in and out, turn-taking state and LLM context."""

    session_id: str

    @abstractmethod
    def push_audio(self, frame: AudioFrame) -> None:
        """Microphone audio from a remote client (any rate; resampled to 16 kHz). Never blocks."""

    @abstractmethod
    async def send_text(self, text: str, run_immediately: bool = True, audio_response: bool = True) -> None:
        """A typed user message. With `run_immediately` it interrupts the bot and answers now."""

    @abstractmethod
    async def append_to_context(self, role: str, content: str, run_immediately: bool = False) -> None:
        """Add a message to the LLM context; optionally answer it now."""

    @abstractmethod
    async def say(self, text: str, interrupt: bool = False) -> None:
        """Speak `text` as the bot, without the LLM (added to the context as an assistant message)."""

    @abstractmethod
    async def interrupt(self) -> None:
        """Stop the bot now: audio, TTS and LLM work."""

    @abstractmethod
    async def run_llm(self) -> None:
        """Answer from the current context (RTVI `llm:run`)."""

    @abstractmethod
    def set_muted(self, muted: bool) -> None:
        """Mute or unmute the user's microphone for this session."""

    @abstractmethod
    def push_to_talk(self, pressed: bool) -> None:
        """Press or release the talk button (push-to-talk activation)."""

    @abstractmethod
    def get_context(self) -> list[dict[str, Any]]:
        """The LLM messages (system prompt first)."""

    @abstractmethod
    def set_context(self, messages: list[dict[str, Any]]) -> None:
        """Replace the LLM messages (a leading system message replaces the system prompt)."""

    @abstractmethod
    def resolve_client_tool(self, tool_call_id: str, result: Any) -> bool:
        """Deliver a client-side function call's result; False when no such call is waiting."""

    @abstractmethod
    def status(self) -> dict[str, Any]:
        """State for display/diagnostics: state name, muted, activation, last transcript/answer."""

    @abstractmethod
    async def close(self) -> None:
        """End the conversation and release its audio."""


class SessionHost(ABC):
    """Owns the engines and the sessions; RTVI and MQTT go through it."""

    live: LiveSettings
    local_session_id: str | None
    """The device's own mic/speaker session, or None when local audio is off."""

    @abstractmethod
    async def open_session(self, session_id: str, sink: AudioSink, client_tools: list[dict[str, Any]] | None = None,
                           echo_cancel: bool = False) -> VoiceSession:
        """A new conversation whose audio arrives by `push_audio` and leaves through `sink`.

        `echo_cancel`: the client plays the bot's audio on a speaker its microphone hears (and has no
        canceller of its own): what `sink` sends is cancelled out of the pushed microphone audio."""

    @abstractmethod
    def get_session(self, session_id: str) -> VoiceSession | None: ...

    @abstractmethod
    async def close_session(self, session_id: str) -> None: ...
