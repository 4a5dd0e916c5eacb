"""`rtvi-edge run`: load the models, open the front doors, serve until SIGINT/SIGTERM, stop within 2 s."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, NoReturn

from .appliance import Appliance, local_audio
from .config import Settings, is_loopback
from .events import EventBus
from .heap import share_one_heap
from .live_config import LiveSettings
from .models import ModelError, models_dir, resolve_models
from .models.manifest import load_manifest, required_models

log = logging.getLogger(__name__)

WEB_ROOT = Path(__file__).parent / "web"
SHUTDOWN_BUDGET_SECS = 1.5
EXIT_CANNOT_START = 1


def run_daemon(settings: Settings) -> NoReturn:
    share_one_heap()  # before any worker thread allocates
    try:
        code = asyncio.run(Daemon(settings).run())
    except KeyboardInterrupt:
        code = 0
    # An inference call in native code (a prompt evaluation, a decode) cannot be interrupted, and Python
    # would join its worker thread at exit: leave at once instead, everything has been closed already.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class Daemon:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bus = EventBus()
        self.live = LiveSettings(settings, self.bus)
        self.appliance = Appliance(settings, self.bus, self.live)
        self._closers: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
        self._stop = asyncio.Event()
        self.port = 0

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop.set)
        started = time.monotonic()
        try:
            if not await self._start_unless_stopped():
                await self.shutdown()
                return 0
        except (ModelError, OSError) as err:
            print(f"rtvi-edge: cannot start: {err}", file=sys.stderr)
            await self.shutdown()
            return EXIT_CANNOT_START
        self._announce(time.monotonic() - started)
        await self._stop.wait()
        await self.shutdown()
        return 0

    async def _start_unless_stopped(self) -> bool:
        """Start; False when SIGINT/SIGTERM came first (loading and warming up can take seconds)."""
        starting = asyncio.ensure_future(self.start())
        stopping = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not starting.done():
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            return False
        starting.result()
        return True

    async def start(self) -> None:
        from .integrations.systemd import SystemdNotifier

        notifier = SystemdNotifier()
        notifier.status("checking models")
        root = models_dir(self.settings.models.dir)
        await asyncio.to_thread(self._check_models, root)
        notifier.status("loading models")
        self._closers.append(("engines", self.appliance.close))
        await self.appliance.load_engines(root)  # and starts their warm-up
        notifier.status("warming up")
        # the server's modules are Python work too: imported beside the warm-up and the sentence library, on a
        # worker thread (the event loop moves the warm-up along)
        await asyncio.gather(self.appliance.load_responders(), asyncio.to_thread(_import_server_modules))
        from .arbitration import install as install_arbitration
        from .rtvi.server import RtviServer

        # Ready means ready: the first question must not wait for first-call costs (the LLM prompt prefix
        # comes from disk after the first start), so the doors open only once the engines are warm.
        await self.appliance.warm_up()

        server = RtviServer(host=self.appliance, bus=self.bus, settings=self.settings.server, web_root=WEB_ROOT)
        install_arbitration(self.bus, self.settings.arbitration, self.appliance, server)  # rooms: one answers
        await server.start()
        self.port = server.port
        self._closers.append(("rtvi", server.stop))

        self._open_local_audio()
        await self._start_integrations()
        if self.settings.timers.keep:   # after the sessions and MQTT: a timer that ended meanwhile rings on them
            from .cache_dir import user_state_dir

            self.appliance.keep_timers(user_state_dir() / "timers.json")
        # start-up's objects (the sentence library, the engines' Python side) live as long as the daemon: kept
        # out of the collector's reach, a full collection (one after each local answer) scans only the new ones.
        # The collector was off while they were made (cli.py); the few thousand objects of garbage start-up
        # leaves are frozen with them rather than paying a full pass (~0.1 s) to free them.
        gc.freeze()
        gc.enable()
        notifier.ready()
        notifier.status(f"serving on port {self.port}")
        watchdog = asyncio.create_task(notifier.watchdog_loop())
        self._closers.append(("watchdog", lambda: _cancel(watchdog)))
        self._closers.append(("notify", _as_async(notifier.stopping)))
        greeting = self.settings.conversation.greeting
        if greeting and self.appliance.local_session:
            await self.appliance.local_session.say(greeting)

    def _check_models(self, root: Path) -> None:
        """Every missing or corrupt file named at once, before any model is loaded."""
        settings = self.settings
        manifest = load_manifest()
        names = required_models(manifest, settings.tts.engine, settings.conversation.activation,
                                local_llm=settings.llm.backend == "local" and not settings.llm.model,
                                profile=settings.models.profile)
        resolve_models(root, names, manifest)

    def _open_local_audio(self) -> None:
        if not self.settings.audio.enabled:
            log.info("local audio disabled by config")
            return
        devices = local_audio(self.settings, self.bus)
        if devices is None:
            return  # open_local_audio already said why, once
        source, sink = devices
        self.appliance.open_local_session(source, sink)

    async def _start_integrations(self) -> None:
        settings = self.settings
        if settings.mqtt.enabled:
            from .integrations.mqtt import MqttBridge

            bridge = MqttBridge(settings.mqtt, self.bus, self.appliance, self.live)
            await bridge.start()
            self._closers.append(("mqtt", bridge.stop))
        if settings.gpio.enabled:
            from .integrations.button import TalkButton
            from .integrations.leds import LedController

            leds = LedController(settings.gpio, self.bus, self.appliance.local_session_id)
            self._closers.append(("leds", _as_async(leds.close)))
            if settings.gpio.button:
                button = TalkButton(settings.gpio, self.appliance, asyncio.get_running_loop())
                self._closers.append(("button", _as_async(button.close)))
        if not is_loopback(settings.server.host):
            from .integrations.discovery import ServiceAdvertiser

            advertiser = ServiceAdvertiser(settings.server)
            await advertiser.start(self.port)
            self._closers.append(("zeroconf", advertiser.stop))

    def _announce(self, secs: float) -> None:
        scheme = "wss" if self.settings.server.tls_cert else "ws"
        local = "on" if self.appliance.local_session_id else "off"
        web = "https" if self.settings.server.tls_cert else "http"
        offer = f", WebRTC offers at {web}://{self.settings.server.host}:{self.port}/api/offer" \
            if self.settings.server.webrtc else ""
        print(f"rtvi-edge: ready on {scheme}://{self.settings.server.host}:{self.port}/ws{offer} "
              f"(local audio {local}, started in {secs:.1f} s)", file=sys.stderr, flush=True)

    async def shutdown(self) -> None:
        """Close every part at once; whatever has not finished within the budget is abandoned."""
        closers, self._closers = self._closers, []

        async def close(name: str, closer: Callable[[], Awaitable[Any]]) -> None:
            try:
                await closer()
            except Exception as err:
                log.warning("shutdown step failed", extra={"part": name, "error": repr(err)})

        pending = [asyncio.ensure_future(close(name, closer)) for name, closer in reversed(closers)]
        if pending:
            done, late = await asyncio.wait(pending, timeout=SHUTDOWN_BUDGET_SECS)
            for task in late:
                task.cancel()


def _import_server_modules() -> None:
    for name in ("arbitration", "rtvi.server"):
        importlib.import_module(f"{__package__}.{name}")


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def _as_async(function: Callable[[], Any]) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        function()

    return call
