"""LEDs follow a turn, and the button drives push-to-talk, interrupt and mute, on gpiozero's mock pins."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin

from firmware_py.config import ConversationSettings, GpioSettings, Settings
from firmware_py.events import (BotStartedSpeaking, BotStoppedSpeaking, ErrorEvent, EventBus, StateChanged,
                                UserMuteChanged, UserStartedSpeaking, UserStoppedSpeaking)
from firmware_py.integrations.button import TalkButton
from firmware_py.integrations.leds import LedController

from .doubles import RecordingHost

PINS = GpioSettings(enabled=True, led_listening=17, led_speaking=27, led_muted=22, button=5, long_press_secs=0.2)


@pytest.fixture
def factory() -> Iterator[MockFactory]:
    saved = Device.pin_factory
    Device.pin_factory = MockFactory(pin_class=MockPWMPin)
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = saved


def levels(factory: MockFactory) -> tuple[float, float, float]:
    return tuple(round(float(factory.pin(pin).state), 3) for pin in (17, 27, 22))  # type: ignore[return-value]


async def test_leds_follow_a_spoken_turn(factory: MockFactory) -> None:
    bus = EventBus()
    leds = LedController(PINS, bus, session_id="local")
    assert levels(factory) == (0, 0, 0)
    bus.publish(StateChanged(state="listening"))
    assert levels(factory) == (0.1, 0, 0)
    bus.publish(UserStartedSpeaking())
    assert levels(factory) == (1, 1, 0)
    mark = len(factory.pin(27).states)
    bus.publish(UserStoppedSpeaking())
    await asyncio.sleep(0.3)
    pulse_values = {round(s.state, 2) for s in factory.pin(27).states[mark:]}
    assert leds.state == "thinking" and len(pulse_values) > 3  # a fade, not just on/off
    bus.publish(BotStartedSpeaking())
    assert levels(factory) == (0, 1, 0)
    bus.publish(BotStoppedSpeaking())
    assert levels(factory) == (0.1, 0, 0)
    # another session's turn does not touch the device's LEDs
    bus.publish(UserStartedSpeaking(session_id="client-1"))
    assert levels(factory) == (0.1, 0, 0)
    bus.publish(UserMuteChanged(muted=True))
    bus.publish(StateChanged(state="muted"))
    assert levels(factory) == (0, 0, 1)
    bus.publish(UserMuteChanged(muted=False))
    bus.publish(StateChanged(state="listening"))
    assert levels(factory) == (0.1, 0, 0)
    leds.close()


async def test_error_blinks_then_shows_mute_again(factory: MockFactory) -> None:
    bus = EventBus()
    leds = LedController(PINS, bus, session_id=None)
    bus.publish(UserMuteChanged(muted=True))
    bus.publish(ErrorEvent(message="stt failed"))
    await asyncio.sleep(0.7)
    flips = [s.state for s in factory.pin(22).states]
    assert flips.count(0) >= 2 and flips.count(1) >= 2  # blinking
    await asyncio.sleep(1.6)
    assert levels(factory)[2] == 1  # back to "muted"
    leds.close()


def test_pins_without_pwm_fall_back_to_on_off() -> None:
    saved = Device.pin_factory
    Device.pin_factory = MockFactory()  # plain MockPin: no PWM
    try:
        bus = EventBus()
        leds = LedController(PINS, bus, session_id=None)
        bus.publish(StateChanged(state="listening"))
        assert Device.pin_factory.pin(17).state == 1  # "dim" is simply on
        leds.close()
    finally:
        Device.pin_factory.reset()
        Device.pin_factory = saved


async def press(factory: MockFactory, hold: float) -> None:
    pin = factory.pin(5)
    pin.drive_low()
    await asyncio.sleep(hold)
    pin.drive_high()
    await asyncio.sleep(0.05)  # let the handed-off callbacks run


async def test_button_push_to_talk(factory: MockFactory) -> None:
    host = RecordingHost(EventBus(), Settings(conversation=ConversationSettings(activation="push_to_talk")))
    button = TalkButton(PINS, host, asyncio.get_running_loop())
    await press(factory, 0.5)  # held longer than a long press: still talking, not muting
    assert host.local.calls == [("push_to_talk", True), ("push_to_talk", False)]
    button.close()


async def test_button_short_press_interrupts_long_press_toggles_mute(factory: MockFactory) -> None:
    host = RecordingHost(EventBus())
    button = TalkButton(PINS, host, asyncio.get_running_loop())
    await press(factory, 0.05)
    assert host.local.calls == []  # nothing to interrupt while listening
    host.local.state = "speaking"
    await press(factory, 0.05)
    assert host.local.calls == [("interrupt",)]
    await press(factory, 0.4)
    await press(factory, 0.4)
    assert host.local.calls[1:] == [("set_muted", True), ("set_muted", False)]
    button.close()


async def test_button_without_local_session_does_nothing(factory: MockFactory) -> None:
    host = RecordingHost(EventBus(), local=False)
    button = TalkButton(PINS, host, asyncio.get_running_loop())
    await press(factory, 0.4)
    assert host.sessions == {}
    button.close()
