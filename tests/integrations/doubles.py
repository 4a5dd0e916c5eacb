"""A recording SessionHost/VoiceSession: what the front doors asked of the conversation, in order."""

from __future__ import annotations

from typing import Any

from firmware_py.audio.frames import AudioFrame
from firmware_py.audio.io import AudioSink
from firmware_py.config import Settings
from firmware_py.events import LOCAL_SESSION, EventBus, UserMuteChanged
from firmware_py.live_config import LiveSettings
from firmware_py.session import SessionHost, VoiceSession


class RecordingSession(VoiceSession):
    def __init__(self, session_id: str, bus: EventBus) -> None:
        self.session_id = session_id
        self.bus = bus
        self.calls: list[tuple[Any, ...]] = []
        self.state = "listening"
        self.muted = False

    def push_audio(self, frame: AudioFrame) -> None:
        self.calls.append(("push_audio", len(frame.samples)))

    async def send_text(self, text: str, run_immediately: bool = True, audio_response: bool = True) -> None:
        self.calls.append(("send_text", text, run_immediately, audio_response))

    async def append_to_context(self, role: str, content: str, run_immediately: bool = False) -> None:
        self.calls.append(("append_to_context", role, content, run_immediately))

    async def say(self, text: str, interrupt: bool = False) -> None:
        self.calls.append(("say", text, interrupt))

    async def interrupt(self) -> None:
        self.calls.append(("interrupt",))

    async def run_llm(self) -> None:
        self.calls.append(("run_llm",))

    def set_muted(self, muted: bool) -> None:
        self.calls.append(("set_muted", muted))
        self.muted = muted
        self.bus.publish(UserMuteChanged(muted=muted, session_id=self.session_id))

    def push_to_talk(self, pressed: bool) -> None:
        self.calls.append(("push_to_talk", pressed))

    def get_context(self) -> list[dict[str, Any]]:
        return []

    def set_context(self, messages: list[dict[str, Any]]) -> None:
        self.calls.append(("set_context", messages))

    def resolve_client_tool(self, tool_call_id: str, result: Any) -> bool:
        return False

    def status(self) -> dict[str, Any]:
        return {"state": self.state, "muted": self.muted}

    async def close(self) -> None:
        self.calls.append(("close",))


class RecordingHost(SessionHost):
    def __init__(self, bus: EventBus, settings: Settings | None = None, local: bool = True) -> None:
        self.live = LiveSettings(settings or Settings(), bus)
        self.bus = bus
        self.sessions: dict[str, RecordingSession] = {}
        self.local_session_id = LOCAL_SESSION if local else None
        if local:
            self.sessions[LOCAL_SESSION] = RecordingSession(LOCAL_SESSION, bus)

    @property
    def local(self) -> RecordingSession:
        return self.sessions[LOCAL_SESSION]

    async def open_session(self, session_id: str, sink: AudioSink,
                           client_tools: list[dict[str, Any]] | None = None) -> VoiceSession:
        self.sessions[session_id] = RecordingSession(session_id, self.bus)
        return self.sessions[session_id]

    def get_session(self, session_id: str) -> VoiceSession | None:
        return self.sessions.get(session_id)

    async def close_session(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)
