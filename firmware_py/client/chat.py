"""`rtvi-edge chat [URL]`: a terminal RTVI client for the daemon or any other RTVI server.

`URL` is a WebSocket (`ws://HOST:7860/ws`) or a SmallWebRTC offer endpoint (`http://HOST:7860/api/offer`).
Interactive: each line typed is sent (`send-text`) and the answer streams in, with the state and the
latency of each turn. Scriptable: `--text` (repeatable) sends each text and waits for its answer;
`--wav FILE` streams the file as the microphone in real time and prints what was heard and answered;
`--mic` uses the local microphone and speaker. The exit code is 0 when every request was answered.
Transcripts and answers go to stdout; state, latency and errors to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from dataclasses import dataclass, field
from typing import IO

from . import events as ev
from .audio_io import WavMicrophone
from .client import RtviClient
from .transport import Transport, WebSocketTransport
from .turns import TurnRecord, TurnWatcher

log = logging.getLogger(__name__)

DEFAULT_URL = "ws://127.0.0.1:7860/ws"
EXIT_OK, EXIT_UNANSWERED, EXIT_UNREACHABLE = 0, 1, 3


@dataclass(frozen=True)
class ChatOptions:
    url: str = DEFAULT_URL
    token: str = ""
    texts: list[str] = field(default_factory=list)
    wav: str = ""
    mic: bool = False
    timeout_secs: float = 60.0
    """Longest wait for one answer."""


class ChatView:
    """Prints the conversation as it happens."""

    def __init__(self, client: RtviClient, out: IO[str], err: IO[str]) -> None:
        self.out, self.err = out, err
        self._bot_line_open = False
        self._state = ""
        client.on(ev.UserTranscript, self._user)
        client.on(ev.BotLlmText, self._bot_text)
        client.on(ev.BotLlmStopped, self._bot_done)
        client.on(ev.ServerMessage, self._server_message)
        client.on(ev.Error, lambda e: self._note(f"error: {e.error}"))
        client.on(ev.Disconnected, lambda e: self._note(f"disconnected: {e.reason}"))

    def _user(self, event: ev.UserTranscript) -> None:
        if event.final:
            self._close_bot_line()
            print(f"you: {event.text}", file=self.out, flush=True)

    def _bot_text(self, event: ev.BotLlmText) -> None:
        if not self._bot_line_open:
            print("bot: ", end="", file=self.out)
            self._bot_line_open = True
        print(str(event.text).replace("\n", " "), end="", file=self.out, flush=True)

    def _bot_done(self, _event: ev.BotLlmStopped) -> None:
        self._close_bot_line()

    def _close_bot_line(self) -> None:
        if self._bot_line_open:
            print(file=self.out, flush=True)
            self._bot_line_open = False

    def _server_message(self, event: ev.ServerMessage) -> None:
        kind = event.data.get("type")
        if kind == "state" and event.data.get("state") != self._state:
            self._state = str(event.data.get("state"))
            self._note(f"[{self._state}]")
        elif kind == "llm-queued" and event.data.get("position"):
            self._note(f"[waiting for the LLM: {event.data.get('position')} ahead]")

    def _note(self, text: str) -> None:
        print(text, file=self.err, flush=True)

    def latency(self, record: TurnRecord, voice: bool) -> None:
        if voice:
            self._note(f"  (voice to voice {record.voice_latency_ms} ms, first text {record.text_latency_ms} ms)")
        else:
            self._note(f"  (first text {record.text_latency_ms} ms, answer done {record.ms(record.done_at)} ms)")


async def run_chat(options: ChatOptions, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr) -> int:
    client = RtviClient(transport_for(options.url, options.token), library="rtvi-edge chat")
    view = ChatView(client, out, err)
    try:
        ready = await client.connect()
    except (OSError, ConnectionError) as error:
        print(f"chat: cannot reach {options.url}: {error}", file=err)
        return EXIT_UNREACHABLE
    server = ready.about.get("library", "server") if isinstance(ready.about, dict) else "server"
    print(f"connected to {server}, protocol {ready.version}", file=err, flush=True)
    try:
        if options.mic:
            return await _talk_with_mic(client)
        answered = True
        for text in options.texts:
            answered &= await _ask_text(client, view, text, options.timeout_secs, echo=True)
        if options.wav:
            answered &= await _ask_wav(client, view, options.wav, options.timeout_secs)
        if not options.texts and not options.wav:
            answered = await _interactive(client, view, options.timeout_secs)
        return EXIT_OK if answered else EXIT_UNANSWERED
    finally:
        await client.disconnect()


def transport_for(url: str, token: str) -> Transport:
    """ws:// or wss://: the WebSocket transport; http(s):// (an offer endpoint): SmallWebRTC."""
    if url.startswith(("http://", "https://")):
        from .webrtc import SmallWebRTCTransport

        return SmallWebRTCTransport(url, token)
    return WebSocketTransport(url, token)


async def _ask_text(client: RtviClient, view: ChatView, text: str, timeout: float, echo: bool) -> bool:
    watcher = TurnWatcher(client, voice=False)
    try:
        if echo:
            print(f"you: {text}", file=view.out, flush=True)
        watcher.begin()
        await client.send_text(text, audio_response=False)
        record = await watcher.wait(timeout)
    except (asyncio.TimeoutError, ConnectionError) as error:
        print(f"chat: no answer to {text!r} ({error or 'timed out'})", file=view.err, flush=True)
        return False
    finally:
        watcher.close()
    view.latency(record, voice=False)
    return record.answered


async def _ask_wav(client: RtviClient, view: ChatView, path: str, timeout: float) -> bool:
    mic = WavMicrophone(path, tail_secs=timeout)
    watcher = TurnWatcher(client, voice=True)
    record = watcher.begin()
    streaming = asyncio.create_task(_stream(client, mic))
    try:
        while mic.speech_end_at is None:
            await asyncio.sleep(0.01)
        record.started_at = mic.speech_end_at
        await watcher.wait(timeout + mic.speech_end_secs)
    except (asyncio.TimeoutError, ConnectionError):
        print(f"chat: no answer to {path} (heard: {record.user_text!r})", file=view.err, flush=True)
        return False
    finally:
        streaming.cancel()
        await asyncio.gather(streaming, return_exceptions=True)
        watcher.close()
    view.latency(record, voice=True)
    return record.answered


async def _stream(client: RtviClient, mic: WavMicrophone) -> None:
    async for chunk in mic.chunks():
        await client.send_audio(chunk)


async def _interactive(client: RtviClient, view: ChatView, timeout: float) -> bool:
    answered = True
    while client.connected:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return answered
        if line.strip():
            answered &= await _ask_text(client, view, line.strip(), timeout, echo=not sys.stdin.isatty())
    return answered


async def _talk_with_mic(client: RtviClient) -> int:
    from ..config import AudioSettings
    from ..events import EventBus
    from .audio_io import DeviceMicrophone, device_speaker

    bus = EventBus()
    mic, speaker = DeviceMicrophone(AudioSettings(), bus), device_speaker(AudioSettings(), bus)
    client.on(ev.BotAudio, speaker.play)
    client.on(ev.BotInterrupted, lambda _e: speaker.clear())
    client.on(ev.UserStartedSpeaking, lambda _e: speaker.clear())
    try:
        async for chunk in mic.chunks():
            if not client.connected:
                return EXIT_UNANSWERED
            with contextlib.suppress(ConnectionError):
                await client.send_audio(chunk)
    finally:
        await mic.close()
        await speaker.close()
    return EXIT_OK


def chat_command(options: ChatOptions) -> int:
    try:
        return asyncio.run(run_chat(options))
    except KeyboardInterrupt:
        return EXIT_OK
