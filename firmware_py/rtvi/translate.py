"""Bus events -> the RTVI messages a client of a given generation expects.

One translator per connection: it keeps the little state some messages need (the LLM text of the
current sentence for `bot-transcription`). Events the protocol has no message for but a display
wants (state, timers, tool messages, queue position) go out as `server-message` `{type, ...}`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from .. import events as ev
from .protocol.messages import Generation, RtviMessage, compact, server_message

SENTENCE_ENDS = (".", "!", "?", "…", "。", "！", "？")

_BARE = {  # events that map to a message without data
    ev.UserStartedSpeaking: "user-started-speaking",
    ev.UserStoppedSpeaking: "user-stopped-speaking",
    ev.BotLlmStarted: "bot-llm-started",
    ev.BotTtsStarted: "bot-tts-started",
    ev.BotTtsStopped: "bot-tts-stopped",
    ev.BotStartedSpeaking: "bot-started-speaking",
    ev.BotStoppedSpeaking: "bot-stopped-speaking",
}
_TEXT = {ev.UserLlmText: "user-llm-text", ev.BotTtsText: "bot-tts-text"}


def iso_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SentenceCollector:
    """Builds LLM text up to each sentence end. A sentence is only closed when the next piece starts
    with a space, so "3." followed by "5" stays one number."""

    def __init__(self) -> None:
        self._text = ""

    def push(self, piece: str) -> str | None:
        done = None
        if self._text.rstrip().endswith(SENTENCE_ENDS) and piece[:1].isspace():
            done, self._text = self._text.strip(), ""
        self._text += piece
        return done or None

    def flush(self) -> str | None:
        done, self._text = self._text.strip(), ""
        return done or None


class EventTranslator:
    def __init__(self, user_id: str, generation: Generation = Generation.V2) -> None:
        self.user_id = user_id
        self.generation = generation
        self._sentences = SentenceCollector()
        self._handlers: dict[type[ev.Event], Callable[[Any], list[RtviMessage]]] = {
            ev.UserTranscript: self._transcript,
            ev.UserMuteChanged: lambda e: [RtviMessage("user-mute-started" if e.muted else "user-mute-stopped")],
            ev.BotLlmText: self._llm_text,
            ev.BotLlmStopped: self._llm_stopped,
            ev.BotOutput: self._bot_output,
            ev.BotInterrupted: self._interrupted,
            ev.FunctionCallStarted: self._call_started,
            ev.FunctionCallInProgress: self._call_in_progress,
            ev.FunctionCallStopped: self._call_stopped,
            ev.Metrics: self._metrics,
            ev.ErrorEvent: lambda e: [RtviMessage("error", {"error": e.message, "fatal": e.fatal})],
            ev.StateChanged: lambda e: [server_message("state", state=e.state)],
            ev.TimerFired: lambda e: [server_message("timer", timer_id=e.timer_id, label=e.label)],
            ev.ToolMessage: lambda e: [server_message("tool", topic=e.topic, payload=e.payload)],
            ev.LlmQueued: lambda e: [server_message("llm-queued", position=e.position)],
            ev.WakeWordDetected: lambda e: [server_message("wake-word", phrase=e.phrase, score=e.score)],
            ev.DeviceStatus: lambda e: [server_message("device-status", part=e.part, ok=e.ok, detail=e.detail)],
            ev.ConfigChanged: lambda e: [server_message("config-changed", section=e.section, values=e.values)],
            ev.AnswerSource: lambda e: [server_message("answer-source", document=e.document, section=e.section)],
        }

    def translate(self, event: ev.Event) -> list[RtviMessage]:
        kind = type(event)
        if kind in _BARE:
            return [RtviMessage(_BARE[kind])]
        if kind in _TEXT:
            return [RtviMessage(_TEXT[kind], {"text": event.text})]  # type: ignore[attr-defined]
        handler = self._handlers.get(kind)
        return handler(event) if handler else []

    # --- user and LLM text ------------------------------------------------------------------------

    def _transcript(self, event: ev.UserTranscript) -> list[RtviMessage]:
        data = {"text": event.text, "user_id": self.user_id, "timestamp": iso_time(event.ts), "final": event.final}
        messages = [RtviMessage("user-transcription", data)]
        if event.final and self.generation is Generation.V2:  # 2.2.0: the user's input, whatever its kind
            messages.insert(0, RtviMessage("user-input", {**data, "input_type": "transcription"}))
        return messages

    def _llm_text(self, event: ev.BotLlmText) -> list[RtviMessage]:
        messages = [RtviMessage("bot-llm-text", {"text": event.text})]
        sentence = self._sentences.push(event.text)
        if sentence:
            messages.append(RtviMessage("bot-transcription", {"text": sentence}))
        return messages

    def _llm_stopped(self, event: ev.BotLlmStopped) -> list[RtviMessage]:
        rest = self._sentences.flush()
        messages = [RtviMessage("bot-transcription", {"text": rest})] if rest else []
        return messages + [RtviMessage("bot-llm-stopped")]

    def _interrupted(self, event: ev.BotInterrupted) -> list[RtviMessage]:
        self._sentences.flush()  # what was cut off is not a sentence the bot said
        return [RtviMessage("bot-interrupted")]

    def _bot_output(self, event: ev.BotOutput) -> list[RtviMessage]:
        data: dict[str, Any] = {"text": event.text, "aggregated_by": event.aggregated_by}
        if self.generation is Generation.V2:
            data.update(output_type=event.aggregated_by, will_be_spoken=event.spoken)
            if event.spoken:
                data.update(spoken_status="completed",
                            spoken_progress={"accumulated_text": event.text, "remaining_text": ""})
            else:
                data["spoken_status"] = "new"
        else:
            data["spoken"] = event.spoken
        return [RtviMessage("bot-output", data)]

    # --- function calls ---------------------------------------------------------------------------

    def _call_started(self, event: ev.FunctionCallStarted) -> list[RtviMessage]:
        name = "llm-function-call-start" if self.generation is Generation.SEED else "llm-function-call-started"
        return [RtviMessage(name, {"function_name": event.function_name})]

    def _call_in_progress(self, event: ev.FunctionCallInProgress) -> list[RtviMessage]:
        legacy_call = RtviMessage("llm-function-call", {"function_name": event.function_name,
                                                        "tool_call_id": event.tool_call_id,
                                                        "args": event.arguments})
        if self.generation is Generation.SEED:
            return [legacy_call] if event.run_on_client else []
        # A named in-progress makes the client run its handler; a 1.x client gets the deprecated
        # llm-function-call for that instead, so the handler never runs twice.
        named = self.generation is Generation.V2 or not event.run_on_client
        data = compact({"tool_call_id": event.tool_call_id,
                        "function_name": event.function_name if named else None,
                        "arguments": event.arguments if named else None})
        messages = [RtviMessage("llm-function-call-in-progress", data)]
        if self.generation is Generation.V1 and event.run_on_client:
            messages.append(legacy_call)
        return messages

    def _call_stopped(self, event: ev.FunctionCallStopped) -> list[RtviMessage]:
        if self.generation is Generation.SEED:
            return []
        data = compact({"tool_call_id": event.tool_call_id, "cancelled": event.cancelled,
                        "function_name": event.function_name, "result": event.result})
        return [RtviMessage("llm-function-call-stopped", data)]

    # --- metrics ----------------------------------------------------------------------------------

    @staticmethod
    def _metrics(event: ev.Metrics) -> list[RtviMessage]:
        data = compact({
            "ttfb": [{"processor": name, "value": value} for name, value in event.ttfb.items()] or None,
            "processing": [{"processor": name, "value": value} for name, value in event.processing.items()] or None,
        })
        return [RtviMessage("metrics", data)] if data else []
