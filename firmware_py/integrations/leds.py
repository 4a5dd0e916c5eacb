"""Status LEDs driven by bus events (gpiozero): what the assistant is doing, visible across the room.

    listening      led_listening dim (PWM 0.1)
    user speaking  led_listening on, led_speaking on
    thinking       led_speaking pulses
    bot speaking   led_speaking on
    muted          led_muted on (whatever the conversation does)
    error          led_muted blinks for a few seconds, then shows the mute state again

Pins that cannot do PWM get a plain LED: dim becomes on, pulse becomes blink.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..config import GpioSettings
from ..events import (BotStartedSpeaking, BotStoppedSpeaking, ErrorEvent, Event, EventBus, StateChanged,
                      UserMuteChanged, UserStartedSpeaking, UserStoppedSpeaking)

log = logging.getLogger(__name__)

DIM = 0.1
ERROR_BLINKS = 5
ERROR_BLINK_SECS = 0.2

# conversation state -> (led_listening, led_speaking); values: 0 off, DIM, 1 on, "pulse"
PATTERNS: dict[str, tuple[Any, Any]] = {
    "idle": (0, 0),
    "listening": (DIM, 0),
    "user_speaking": (1, 1),
    "thinking": (0, "pulse"),
    "speaking": (0, 1),
    "muted": (0, 0),
    "error": (0, 0),
}
EVENT_STATES: dict[type[Event], str] = {
    UserStartedSpeaking: "user_speaking",
    UserStoppedSpeaking: "thinking",
    BotStartedSpeaking: "speaking",
    BotStoppedSpeaking: "listening",
}


def make_led(pin: int) -> Any:
    """A PWMLED on `pin`, or a plain LED when the pin cannot do PWM; None for pin 0 (unused)."""
    if not pin:
        return None
    from gpiozero import LED, PWMLED
    from gpiozero.exc import PinPWMUnsupported

    try:
        return PWMLED(pin)
    except (PinPWMUnsupported, AttributeError):  # some pin factories lack PWM entirely
        log.info("pin has no PWM; using on/off", extra={"pin": pin})
        return LED(pin)


class LedController:
    def __init__(self, settings: GpioSettings, bus: EventBus, session_id: str | None) -> None:
        self.listening_led = make_led(settings.led_listening)
        self.speaking_led = make_led(settings.led_speaking)
        self.muted_led = make_led(settings.led_muted)
        self.state = "idle"
        self.muted = False
        self._restore: asyncio.TimerHandle | None = None
        types = (StateChanged, UserMuteChanged, ErrorEvent, *EVENT_STATES)
        self._unsubscribe = bus.subscribe(self._on_event, *types, session_id=session_id)
        self._show()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, StateChanged):
            self._on_state(event.state)
        elif isinstance(event, UserMuteChanged):
            self.muted = event.muted
        elif isinstance(event, ErrorEvent):
            self._blink_error()
            return
        else:
            self.state = EVENT_STATES[type(event)]
        self._show()

    def _on_state(self, state: str) -> None:
        if state not in PATTERNS:
            log.debug("no LED pattern for state", extra={"state": state})
            return
        self.state = state
        if state == "muted":
            self.muted = True
        elif state in ("listening", "user_speaking"):
            self.muted = False  # the microphone is live again

    def _show(self) -> None:
        listening, speaking = PATTERNS[self.state]
        _drive(self.listening_led, listening)
        _drive(self.speaking_led, speaking)
        if self._restore is None:  # an error blink owns the muted LED until it ends
            _drive(self.muted_led, 1 if self.muted else 0)

    def _blink_error(self) -> None:
        if self.muted_led is None:
            return
        self.muted_led.blink(on_time=ERROR_BLINK_SECS, off_time=ERROR_BLINK_SECS, n=ERROR_BLINKS, background=True)
        if self._restore is not None:
            self._restore.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # published from outside the loop: the blink simply ends dark
            return
        self._restore = loop.call_later(ERROR_BLINKS * 2 * ERROR_BLINK_SECS, self._end_error)

    def _end_error(self) -> None:
        self._restore = None
        self._show()

    def close(self) -> None:
        self._unsubscribe()
        if self._restore is not None:
            self._restore.cancel()
        for led in (self.listening_led, self.speaking_led, self.muted_led):
            if led is not None:
                led.close()


def _drive(led: Any, value: Any) -> None:
    if led is None:
        return
    if value == "pulse":
        if hasattr(led, "pulse"):
            led.pulse(fade_in_time=0.5, fade_out_time=0.5, background=True)
        else:
            led.blink(on_time=0.5, off_time=0.5, background=True)
    elif value and value < 1 and hasattr(led, "pulse"):  # only a PWMLED can be dim
        led.value = value
    elif value:
        led.on()
    else:
        led.off()
