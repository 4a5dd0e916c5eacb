"""The talk button (gpiozero): push-to-talk, interrupt, mute.

- activation `push_to_talk`: the button is the talk key: pressed = listening, released = the turn ends.
  (Holding it is talking, so a long press does not toggle mute in this mode.)
- other activations: a short press interrupts the bot while it thinks or speaks; a long press
  (`long_press_secs`) toggles the microphone mute.

gpiozero calls back from its own threads; everything is handed to the event loop before it touches the
session.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..config import GpioSettings
from ..session import SessionHost, VoiceSession
from .tasks import TaskSet

log = logging.getLogger(__name__)

BOT_BUSY_STATES = ("thinking", "speaking")


class TalkButton:
    def __init__(self, settings: GpioSettings, host: SessionHost, loop: asyncio.AbstractEventLoop) -> None:
        from gpiozero import Button

        self._host, self._loop = host, loop
        self._held = False
        self._talking = False
        self._tasks = TaskSet()
        self.button = Button(settings.button, pull_up=True, bounce_time=0.02, hold_time=settings.long_press_secs)
        self.button.when_pressed = lambda: self._hand_off(self._pressed)
        self.button.when_released = lambda: self._hand_off(self._released)
        self.button.when_held = lambda: self._hand_off(self._long_press)

    def _hand_off(self, action: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(action)
        except RuntimeError:  # loop closed during shutdown
            pass

    def _session(self) -> VoiceSession | None:
        session_id = self._host.local_session_id
        session = self._host.get_session(session_id) if session_id else None
        if session is None:
            log.info("button pressed but there is no local session")
        return session

    def _push_to_talk(self) -> bool:
        return self._host.live.current.conversation.activation == "push_to_talk"

    def _pressed(self) -> None:
        self._held = False
        if self._push_to_talk() and (session := self._session()):
            self._talking = True
            session.push_to_talk(True)

    def _released(self) -> None:
        if self._talking:
            self._talking = False
            if session := self._session():
                session.push_to_talk(False)
            return
        if self._held or not (session := self._session()):
            return
        if session.status().get("state") in BOT_BUSY_STATES:
            self._tasks.spawn(session.interrupt(), "interrupt by button", self._loop)

    def _long_press(self) -> None:
        if self._talking:
            return
        self._held = True
        if session := self._session():
            muted = not bool(session.status().get("muted", False))
            session.set_muted(muted)
            log.info("mute toggled by button", extra={"muted": muted})

    def close(self) -> None:
        self.button.close()
