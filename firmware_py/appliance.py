"""The appliance: shared engines plus the set of live conversations (the device's own and RTVI clients')."""

from __future__ import annotations

import asyncio
import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .audio.io import AudioSink, AudioSource, LoopingWavSource, NullSink
from .config import Settings
from .engines import SharedEngines, load_engines
from .events import LOCAL_SESSION, ConfigChanged, Event, EventBus
from .live_config import LiveSettings
from .session import SessionHost, VoiceSession

if TYPE_CHECKING:  # the conversation's modules load after the models (`load_responders`), not with this one
    from .conversation import Conversation
    from .respond.chain import ResponderChain

log = logging.getLogger(__name__)


class DeviceState:
    """Volume and mute of the device's own session, as the LLM tools and MQTT see them."""

    def __init__(self, appliance: "Appliance", volume: float) -> None:
        self._appliance = appliance
        self.volume = volume

    def get_volume(self) -> float:
        return self.volume

    def set_volume(self, value: float) -> None:
        self.volume = max(0.0, min(1.0, value))
        sink = self._appliance.local_sink
        if sink is not None and hasattr(sink, "set_volume"):
            sink.set_volume(self.volume)

    def set_muted(self, muted: bool) -> None:
        session = self._appliance.local_session
        if session is not None:
            session.set_muted(muted)


class Appliance(SessionHost):
    def __init__(self, settings: Settings, bus: EventBus, live: LiveSettings) -> None:
        self.settings, self.bus, self.live = settings, bus, live
        self.device = DeviceState(self, settings.audio.volume)
        self.engines: SharedEngines | None = None
        self.sessions: dict[str, Conversation] = {}
        self.local_session_id: str | None = None
        self.local_sink: AudioSink | None = None
        self.responders: ResponderChain | None = None
        self._warming: asyncio.Future[None] | None = None
        self._chain_built: asyncio.Future[None] | None = None
        self._unsubscribe = bus.subscribe(self._on_config, ConfigChanged)

    # Start-up comes in two steps because model loading holds the interpreter (onnxruntime's session
    # creation keeps the GIL) while the warm-up is mostly native work that lets it go: the models load first,
    # then their warm-up runs on the other core beside the Python-bound rest (the sentence library, the
    # conversation's and the server's modules). The LLM's part waits for the responder chain, which settles
    # the tool list its prompt prefix holds. All of it finishes before ready: the first answer needs it.

    async def load_engines(self, models_root: Path) -> None:
        """The models; their warm-up is started, `warm_up` waits for it."""
        self.engines = await load_engines(self.settings, models_root, self.bus, self.device)
        self.engines.tools.timers.rings_on = self._rings_on
        self._chain_built = asyncio.get_running_loop().create_future()  # the LLM's part waits for the chain
        self._start_warm_up(self.engines)

    async def load_responders(self) -> None:
        """The responder chain (the sentence library) and the conversation's modules, imported here so that
        they do not delay the model loads, and on a worker thread so that the event loop stays free to move
        the warm-up from one step to the next."""
        engines = self.engines
        assert engines is not None, "engines are not loaded"
        directory, responders = await asyncio.to_thread(_load_responders, self.settings)
        from .respond.assembly import build_chain
        from .speech.biasing import COMMAND_WORDS

        self.responders = build_chain(self.settings, engines.tools, self.bus, self, responders, directory)
        if self._chain_built is not None:
            self._chain_built.set_result(None)  # the tool registry is final: the LLM's prefix can be warmed
        # the recogniser hears this device's words best (set on its own thread: the warm-up may be decoding)
        words = [*COMMAND_WORDS, *(name for device in directory.devices for name in device.spoken_names()),
                 *directory.areas()]
        await asyncio.get_running_loop().run_in_executor(engines.stt_executor, engines.stt.bias_towards, words)

    def _start_warm_up(self, engines: SharedEngines) -> asyncio.Future[None]:
        if self._warming is None:
            self._warming = asyncio.ensure_future(engines.warm_up(self.live.current.llm.system_prompt,
                                                                  self._chain_built))
        return self._warming

    async def warm_up(self) -> None:
        """Until the engines are warm (the warm-up `load_engines` started, or one started now)."""
        assert self.engines is not None, "engines are not loaded"
        try:
            await self._start_warm_up(self.engines)
        except Exception:  # a failed warm-up only costs the first user some latency
            log.warning("warm-up failed", exc_info=True)

    def keep_timers(self, path: Path) -> None:
        """Timers and alarms kept at `path`: those of the last run come back (any that ended meanwhile ring
        now, late), and every change is saved there."""
        from .llm.timer_store import TimerStore

        assert self.engines is not None, "engines are not loaded"
        self.engines.tools.timers.keep_in(TimerStore(path))

    def _rings_on(self, session_id: str) -> str:
        """A timer rings on the session that set it; when that one has gone (a client that left, a session of
        the last run), on the device's own, else on any open session (an app or satellite still connected)."""
        if session_id in self.sessions:
            return session_id
        if self.local_session_id in self.sessions:
            return self.local_session_id or session_id
        return next(iter(self.sessions), session_id)

    # --- sessions ----------------------------------------------------------------------------------

    def _new_conversation(self, session_id: str, sink: AudioSink, source: AudioSource | None,
                          client_tools: list[dict[str, Any]] | None) -> Conversation:
        from .conversation import Conversation

        assert self.engines is not None, "engines are not loaded"
        conversation = Conversation(session_id, self.engines, self.bus, self.live, sink, source, client_tools,
                                    self.responders)
        self.sessions[session_id] = conversation
        conversation.start()
        return conversation

    async def open_session(self, session_id: str, sink: AudioSink,
                           client_tools: list[dict[str, Any]] | None = None, echo_cancel: bool = False) -> VoiceSession:
        if session_id in self.sessions:
            await self.close_session(session_id)
        from .audio.processing import echo_cancelled

        log.info("session opened", extra={"session": session_id, "echo_cancel": echo_cancel})
        source = echo_cancelled(None, sink) if echo_cancel else None
        return self._new_conversation(session_id, sink, source, client_tools)

    def open_local_session(self, source: AudioSource, sink: AudioSink) -> Conversation:
        from .audio.processing import processed_source

        self.local_session_id, self.local_sink = LOCAL_SESSION, sink
        audio = self.settings.audio
        echo_cancel = audio.echo_cancel and not audio.input_wav  # a WAV microphone hears no speaker
        source = processed_source(source, sink, echo_cancel, audio.noise_suppression, audio.gain_control) or source
        return self._new_conversation(LOCAL_SESSION, sink, source, None)

    @property
    def local_session(self) -> Conversation | None:
        return self.sessions.get(self.local_session_id or "")

    def get_session(self, session_id: str) -> VoiceSession | None:
        return self.sessions.get(session_id)

    async def close_session(self, session_id: str) -> None:
        conversation = self.sessions.pop(session_id, None)
        if conversation is not None:
            await conversation.close()
            log.info("session closed", extra={"session": session_id})

    async def close(self) -> None:
        self._unsubscribe()
        if self._warming is not None:
            self._warming.cancel()  # start-up stopped part way: the LLM's part may wait for a chain never built
        await asyncio.gather(*(self.close_session(sid) for sid in list(self.sessions)), return_exceptions=True)
        if self.responders:
            await self.responders.close()
        if self.engines:
            self.engines.close()

    # --- live config -------------------------------------------------------------------------------

    def _on_config(self, event: Event) -> None:
        assert isinstance(event, ConfigChanged)
        if event.section == "llm" and "system_prompt" in event.values:
            for conversation in self.sessions.values():
                conversation.context.system_prompt = self.live.current.llm.system_prompt
        if event.section == "tts" and self.engines is not None:
            asyncio.get_running_loop().create_task(self._reload_tts())

    async def _reload_tts(self) -> None:
        from .speech.tts import create_tts
        from .models import models_dir

        assert self.engines is not None
        try:
            tts = await asyncio.to_thread(create_tts, self.live.current.tts, models_dir(self.settings.models.dir))
        except Exception as err:
            log.error("voice change failed", extra={"error": str(err)})
            return
        self.engines.speech.tts = tts


def _load_responders(settings: Settings) -> tuple[Any, Any]:
    from .respond.assembly import device_directory, load_responders

    importlib.import_module(f"{__package__}.conversation")  # what a session needs, imported before ready
    directory = device_directory(settings)
    return directory, load_responders(settings, directory)


def local_audio(settings: Settings, bus: EventBus) -> tuple[AudioSource, AudioSink] | None:
    """The device's mic and speaker: a WAV file when configured, else ALSA, else None (RTVI only)."""
    audio = settings.audio
    if audio.input_wav:
        return LoopingWavSource(Path(audio.input_wav), audio.input_wav_loop_secs), NullSink()
    from .audio.alsa import open_local_audio

    return open_local_audio(audio, bus)
