"""`rtvi-edge` command line: run, doctor, models, say, config, chat, satellite."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any

from .config import ConfigError, Settings, find_config_file, load_settings

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. For `command` "run" it leaves out the client commands: their module loads the whole
    client SDK (~40 ms of every daemon start, for definitions the daemon never parses)."""
    parser = argparse.ArgumentParser(prog="rtvi-edge", description="Offline voice assistant daemon speaking RTVI.")
    parser.add_argument("--config", metavar="FILE", help="TOML config file (default: $RTVI_EDGE_CONFIG, "
                        "else /etc/rtvi-edge/config.toml if present, else built-in defaults)")
    parser.add_argument("--log-level", choices=("debug", "info", "warning", "error"), help="override [log] level")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="start the daemon")
    run.add_argument("--host", help="listen address (beyond loopback needs --token)")
    run.add_argument("--port", type=int, help="listen port")
    run.add_argument("--token", help="client token (?token=)")
    run.add_argument("--no-local-audio", action="store_true", help="serve RTVI clients only; no device mic/speaker")

    doctor = commands.add_parser("doctor", help="check that the daemon can run here")
    doctor.add_argument("--json", action="store_true", help="machine-readable report")
    doctor.add_argument("--echo", action="store_true", help="play a sweep, record it, report echo delay and cancellation")
    doctor.add_argument("--simulate", action="store_true", help="with --echo: a simulated room instead of the device")

    models = commands.add_parser("models", help="install, list or verify model files")
    models_commands = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    install = models_commands.add_parser("install", help="fetch and verify models (default set, or NAMEs)")
    install.add_argument("names", nargs="*", metavar="NAME", help="model names from the manifest")
    install.add_argument("--all", action="store_true", help="include optional models (piper voice, wake word)")
    models_commands.add_parser("list", help="show models and whether they are installed")
    verify = models_commands.add_parser("verify", help="re-hash every installed model file")
    verify.add_argument("names", nargs="*", metavar="NAME")

    say = commands.add_parser("say", help="speak text with the configured voice")
    say.add_argument("text", help="what to say")
    say.add_argument("--out", metavar="FILE.wav", help="write a WAV file instead of playing")

    config = commands.add_parser("config", help="show the effective config or the reference")
    config.add_argument("--reference", action="store_true", help="print every setting with its default and meaning")
    config.add_argument("--example", action="store_true", help="print a commented example config file")

    if command != "run":
        from .client.commands import add_client_commands

        add_client_commands(commands)

    from .knowledge.arguments import add_knowledge_parser

    add_knowledge_parser(commands)
    for subcommand in commands.choices.values():   # `rtvi-edge run --config F` works as well as `--config F run`
        subcommand.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="TOML config file")
        subcommand.add_argument("--log-level", choices=("debug", "info", "warning", "error"),
                                default=argparse.SUPPRESS, help="override [log] level")
    return parser


def flag_overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    overrides: dict[str, dict[str, Any]] = {}
    for flag, section, key in (("host", "server", "host"), ("port", "server", "port"), ("token", "server", "token"),
                               ("log_level", "log", "level")):
        value = getattr(args, flag, None)
        if value is not None:
            overrides.setdefault(section, {})[key] = value
    if getattr(args, "no_local_audio", False):
        overrides.setdefault("audio", {})["enabled"] = False
    return overrides


def named_command(argv: list[str] | None) -> str | None:
    """The subcommand on the command line, told apart from the global options' values; None when unsure."""
    first = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    first.add_argument("--config")
    first.add_argument("--log-level")
    first.add_argument("command", nargs="?")
    try:
        return first.parse_known_args(argv)[0].command
    except argparse.ArgumentError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser(named_command(argv)).parse_args(argv)
    try:
        settings = load_settings(find_config_file(args.config), flag_overrides(args))
    except ConfigError as err:
        print(f"rtvi-edge: config error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return dispatch(args, settings)


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from .logs import setup_logging

    setup_logging(settings.log.level, settings.log.format)
    if args.command == "run":
        before_daemon_imports()
        from .daemon import run_daemon

        return run_daemon(settings)
    if args.command == "doctor":
        from .doctor import run_doctor

        return run_doctor(settings, as_json=args.json, echo=args.echo, simulate=args.simulate)
    if args.command == "models":
        from .models.commands import models_command

        return models_command(settings, args)
    if args.command == "say":
        from .speech.say import say_command

        return say_command(settings, args.text, Path(args.out) if args.out else None)
    if args.command == "config":
        return config_command(settings, args.reference, args.example)
    if args.command in ("chat", "satellite"):
        from .client.commands import client_command

        return client_command(args, settings)
    if args.command == "knowledge":
        from .knowledge.commands import knowledge_command

        return knowledge_command(settings, args)
    return EXIT_USAGE


def before_daemon_imports() -> None:
    """What must be in place before the daemon's modules load (numpy reads its thread count once)."""
    # One thread per engine, numpy's too: OpenBLAS's own worker threads (one per core, spinning between
    # products) made Smart Turn's features take 120-150 ms instead of ~70 on a busy 2-core machine.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Start-up makes ~190k objects that live as long as the daemon; the collector's passes over them while
    # they are made cost ~0.15 s. It is turned back on at ready, once they are frozen (daemon.py).
    gc.disable()


def config_command(settings: Settings, reference: bool, example: bool) -> int:
    from dataclasses import asdict

    from .config import example_config, reference_rows

    if example:
        print(example_config())
        return EXIT_OK
    if reference:
        for key, default, doc in reference_rows():
            print(f"{key} = {default}\n    {doc}")
        return EXIT_OK
    import json

    print(json.dumps(asdict(settings), indent=2))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
