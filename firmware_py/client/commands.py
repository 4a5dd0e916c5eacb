"""The `chat` and `satellite` subcommands of `rtvi-edge`: their flags and how they start."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..config import Settings

HUB_ENV = "RTVI_EDGE_HUB"
TOKEN_ENV = "RTVI_EDGE_TOKEN"


def add_client_commands(commands: Any) -> None:
    chat = commands.add_parser("chat", help="talk to an RTVI server from the terminal")
    chat.add_argument("url", nargs="?", default="ws://127.0.0.1:7860/ws",
                      help="RTVI WebSocket URL, or a SmallWebRTC offer URL (http://HOST:7860/api/offer)")
    chat.add_argument("--token", default=os.environ.get(TOKEN_ENV, ""), help=f"server token (or ${TOKEN_ENV})")
    chat.add_argument("--text", action="append", default=[], metavar="TEXT",
                      help="send TEXT, print the answer (repeatable); exits 0 when all were answered")
    chat.add_argument("--wav", metavar="FILE", help="stream a 16-bit WAV as the microphone in real time")
    chat.add_argument("--mic", action="store_true", help="use the local microphone and speaker")
    chat.add_argument("--timeout", type=float, default=60.0, help="longest wait for one answer (seconds)")

    satellite = commands.add_parser("satellite", help="be the microphone and speaker of a hub")
    satellite.add_argument("--hub", default=os.environ.get(HUB_ENV, ""),
                           help=f"the hub's RTVI WebSocket URL (or ${HUB_ENV})")
    satellite.add_argument("--token", default=os.environ.get(TOKEN_ENV, ""), help=f"hub token (or ${TOKEN_ENV})")
    satellite.add_argument("--room", default="", help="this satellite's name (default: the host name)")
    satellite.add_argument("--always", action="store_true", help="stream all the time instead of after the wake word")
    satellite.add_argument("--own-echo-cancel", action="store_true",
                           help="the device cancels its own speaker echo (else the hub is asked to)")
    satellite.add_argument("--listen-secs", type=float, default=8.0, help="streaming after the wake word")
    satellite.add_argument("--wav", metavar="FILE", help="a WAV file as the microphone (testing)")


def client_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "chat":
        from .chat import ChatOptions, chat_command

        if args.wav and args.mic:
            print("rtvi-edge chat: --wav and --mic exclude each other")
            return 2
        return chat_command(ChatOptions(url=args.url, token=args.token, texts=args.text, wav=args.wav or "",
                                        mic=args.mic, timeout_secs=args.timeout))
    from .satellite import SatelliteSettings, satellite_command

    if not args.hub:
        print(f"rtvi-edge satellite: --hub URL (or ${HUB_ENV}) is required")
        return 2
    satellite = SatelliteSettings(
        hub_url=args.hub, token=args.token, room=args.room, mode="always" if args.always else "wakeword",
        phrase=settings.wakeword.phrase, threshold=settings.wakeword.threshold, listen_secs=args.listen_secs,
        follow_up_secs=settings.conversation.follow_up_secs, own_echo_cancel=args.own_echo_cancel,
        audio=settings.audio, gpio=settings.gpio)
    return satellite_command(satellite, wav=args.wav or "", models_dir=settings.models.dir)
