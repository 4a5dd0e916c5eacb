"""The one command catalogue: the same arguments, limits and messages from every front door."""

from __future__ import annotations

from typing import Any

import pytest

from firmware_py.commands import COMMANDS, CommandError, run_command


class Session:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def say(self, text: str, interrupt: bool = False) -> None:
        self.calls.append(("say", (text, interrupt)))

    async def interrupt(self) -> None:
        self.calls.append(("interrupt", None))

    def set_muted(self, muted: bool) -> None:
        self.calls.append(("mute", muted))

    def push_to_talk(self, pressed: bool) -> None:
        self.calls.append(("ptt", pressed))


class Host:
    class Device:
        volume = 1.0

        def set_volume(self, value: float) -> None:
            self.volume = value

    device = Device()


@pytest.mark.parametrize("name, data, call", [
    ("mute", "ON", ("mute", True)), ("mute", "off", ("mute", False)), ("mute", {}, ("mute", True)),
    ("mute", {"muted": False}, ("mute", False)), ("mute", {"mute": True}, ("mute", True)),
    ("unmute", "", ("mute", False)), ("say", "Hello there", ("say", ("Hello there", False))),
    ("say", {"text": "Hi", "interrupt": True}, ("say", ("Hi", True))), ("interrupt", None, ("interrupt", None)),
    ("push-to-talk", {"pressed": True}, ("ptt", True)),
])
async def test_plain_text_and_objects_mean_the_same(name: str, data: Any, call: tuple[str, Any]) -> None:
    session = Session()
    await run_command(name, data, session, Host())  # type: ignore[arg-type]
    assert session.calls == [call]


async def test_volume_is_checked_once_for_everyone() -> None:
    host = Host()
    await run_command("volume", "0.4", Session(), host)  # type: ignore[arg-type]
    assert host.device.volume == 0.4
    for bad in ("loud", {"volume": 1.5}, {"volume": True}, {"volume": float("nan")}):
        with pytest.raises(CommandError):
            await run_command("volume", bad, Session(), host)  # type: ignore[arg-type]


@pytest.mark.parametrize("name, data", [("mute", "maybe"), ("say", {"text": "  "}), ("say", {}),
                                        ("push-to-talk", {"pressed": "yes"}), ("reboot", {})])
async def test_bad_arguments_are_named(name: str, data: Any) -> None:
    with pytest.raises(CommandError):
        await run_command(name, data, Session(), Host())  # type: ignore[arg-type]


def test_every_command_documents_itself() -> None:
    assert all(command.summary for command in COMMANDS.values())
