"""An alarm request whose time the recogniser wrote as other words is read again within the alarm sentences
(real Moonshine, the real sentences, speech from the test voices): the alarm is set; a request that said no
time is still asked for one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from firmware_py.audio.frames import to_float
from firmware_py.integrations.devices import DeviceDirectory
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import IntentAnswers, IntentResponder
from firmware_py.speech.stt import MoonshineStt
from tests.speechgen import speech


@pytest.fixture(scope="module")
def responder() -> IntentResponder:
    devices = DeviceDirectory(())
    return IntentResponder(IntentMatcher("en", devices), IntentAnswers(devices, ()))


@pytest.mark.parametrize("said, voice, arguments", [
    # heard "Could you set an alarm for 10, 1"
    ("Could you set an alarm for quarter past eight every day?", "en-gb", {"hour": 8, "minute": 15, "repeat": "daily"}),
    # heard "Wake me up at the level of nonsense."
    ("Wake me up at eleven on Sunday.", "en-gb", {"hour": 11, "minute": 0, "day": "sunday"}),
    ("Set an alarm for my meeting.", "en-us", None),
])
async def test_an_alarms_time_heard_as_other_words_is_read_from_the_audio(stt: MoonshineStt, responder: IntentResponder,
                                                                         said: str, voice: str, arguments: dict | None) -> None:
    audio = to_float(speech(said, voice="espeak", speed=0.9 if voice == "en-gb" else 1.0, espeak_voice=voice)[0])
    heard = stt.transcribe(audio)
    asked = await responder.match(heard, "test")
    assert asked is not None and asked.text == "For what time?", f"heard {heard!r}: nothing to read again"
    with ThreadPoolExecutor(1) as executor:
        found = await responder.read_time(audio, stt, executor, "test", heard, asked)
    if arguments is None:
        assert found is None
    else:
        assert found is not None and len(found[1].actions) == 1, heard
        assert {key: found[1].actions[0].arguments.get(key) for key in arguments} == arguments
