"""What the server does with each client message type, both protocol generations.

`handle` never raises: a bad request becomes an error-response carrying the request's id (a failed
update-config also a config-error), and an unexpected failure is logged and answered the same way.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from ..commands import CommandError, run_command
from ..config import ConfigError
from . import services
from .clients import ClientRequest, check_client_tools
from .protocol.messages import (MessageError, RtviMessage, bot_ready, error_event, error_response, negotiate,
                       server_message, server_response)
from .transport import CloseCode

if TYPE_CHECKING:
    from .session import RtviSession

log = logging.getLogger(__name__)

Handler = Callable[["RtviSession", RtviMessage], Awaitable[None]]
DTMF_KEYS = set("0123456789*#ABCD")


async def handle(conn: "RtviSession", message: RtviMessage) -> None:
    await guarded(conn, message, HANDLERS.get(message.type))


async def guarded(conn: "RtviSession", message: RtviMessage, handler: Handler | None) -> None:
    try:
        if handler is None:
            raise MessageError(f"Unsupported type {message.type}", message.id)
        await handler(conn, message)
    except MessageError as err:
        await conn.reject(err.msg_id if err.msg_id is not None else message.id, str(err))
    except ConfigError as err:
        if message.type == "update-config":
            await conn.send_message(RtviMessage("config-error", {"error": str(err)}, message.id))
        await conn.reject(message.id, str(err))
    except (ValueError, TypeError, KeyError) as err:  # the conversation refused the request's content
        await conn.reject(message.id, f"{message.type}: {err}")
    except Exception:
        log.exception("message handler failed", extra={"type": message.type, "connection": conn.connection_id})
        await conn.send_message(error_response(message.id, f"internal error while handling {message.type}"))


def needs_session(conn: "RtviSession", what: str) -> Any:
    """The conversation this connection drives or follows; it exists from client-ready on."""
    if conn.session is None:
        raise MessageError(f"{what}: send client-ready first")
    return conn.session


# --- connection -------------------------------------------------------------------------------------


async def client_ready(conn: "RtviSession", message: RtviMessage) -> None:
    negotiation = negotiate((message.data or {}).get("version"))
    if negotiation.warning:
        await conn.send_message(error_response(message.id, negotiation.warning))
    conn.generation = conn.translator.generation = negotiation.generation
    conn.subscribe_events()
    if not conn.monitor and conn.session is None and not await _open_conversation(conn):
        return
    config = services.get_config(conn.server.host.live, conn.session) if negotiation.legacy else None
    await conn.send_message(bot_ready(message.id, negotiation.reply_version, config, audio=not conn.monitor))
    conn.ready = True
    conn.start_events()
    log.info("client ready", extra={"connection": conn.connection_id, "version": negotiation.reply_version,
                                    "monitor": conn.monitor})


async def _open_conversation(conn: "RtviSession") -> bool:
    """Without bot-ready the official client waits forever, so a failure here ends the connection."""
    try:
        conn.session = await conn.server.host.open_session(conn.connection_id, conn.sink,
                                                           echo_cancel=conn.echo_cancel)
    except Exception as err:
        log.warning("conversation could not open", extra={"connection": conn.connection_id, "error": repr(err)})
        await conn.send_message(error_event(f"the assistant could not start a conversation: {err}", fatal=True))
        await conn.close(CloseCode.INTERNAL_ERROR, "could not open a conversation")
        return False
    conn.owns_session = True
    return True


async def disconnect_bot(conn: "RtviSession", message: RtviMessage) -> None:
    await conn.close(reason="disconnect-bot")


# --- conversation -----------------------------------------------------------------------------------


async def send_text(conn: "RtviSession", message: RtviMessage) -> None:
    content = message.field("content", str)
    options = message.field("options", dict, {})
    run_immediately, audio_response = options.get("run_immediately", True), options.get("audio_response", True)
    if not isinstance(run_immediately, bool) or not isinstance(audio_response, bool):
        raise MessageError("send-text: options.run_immediately and options.audio_response must be true or false",
                           message.id)
    await needs_session(conn, message.type).send_text(content, run_immediately, audio_response)


async def append_to_context(conn: "RtviSession", message: RtviMessage) -> None:
    role = message.field("role", str)
    if role not in ("user", "assistant"):
        raise MessageError(f"append-to-context: role must be user or assistant, not {role!r}", message.id)
    content = message.field("content", str)
    run_immediately = message.field("run_immediately", bool, False)
    await needs_session(conn, message.type).append_to_context(role, content, run_immediately)


async def function_call_result(conn: "RtviSession", message: RtviMessage) -> None:
    tool_call_id = message.field("tool_call_id", str)
    result = (message.data or {}).get("result")
    if not needs_session(conn, message.type).resolve_client_tool(tool_call_id, result):
        raise MessageError(f"no function call {tool_call_id!r} is waiting for a result", message.id)


async def dtmf(conn: "RtviSession", message: RtviMessage) -> None:
    data = message.data or {}
    buttons = data.get("buttons", [data["button"]] if "button" in data else None)  # 2.1 list; older: one
    if not isinstance(buttons, list) or not buttons or not all(isinstance(b, str) and b in DTMF_KEYS for b in buttons):
        raise MessageError("dtmf: data.buttons must be a non-empty list of 0-9, *, #, A-D", message.id)
    log.info("dtmf", extra={"connection": conn.connection_id, "buttons": "".join(buttons)})
    await conn.send_message(server_message("dtmf", buttons=buttons))


async def raw_audio(conn: "RtviSession", message: RtviMessage) -> None:
    batch = message.field("base64AudioBatch", list, None) if message.type == "raw-audio-batch" else None
    chunks = batch if batch is not None else [message.field("base64Audio", str)]
    sample_rate = message.field("sampleRate", int)
    channels = message.field("numChannels", int, 1)
    for chunk in chunks:
        if not isinstance(chunk, str):
            raise MessageError(f"{message.type}: audio must be base64 text", message.id)
        try:
            pcm = base64.b64decode(chunk, validate=True)
        except binascii.Error:
            raise MessageError(f"{message.type}: audio is not valid base64", message.id) from None
        await conn.on_audio(pcm, sample_rate, channels)


# --- client-message (app hooks) ---------------------------------------------------------------------


async def client_message(conn: "RtviSession", message: RtviMessage) -> None:
    t = message.field("t", str)
    d = (message.data or {}).get("d")
    builtin = BUILTINS.get(t)
    if builtin is not None:
        result = await builtin(conn, d)
    else:
        hook = conn.server.client_messages.get(t)
        if hook is None:
            known = ", ".join(conn.server.client_messages.names())
            raise MessageError(f"no handler for client-message {t!r}; known: {known}", message.id)
        result = hook(ClientRequest(t, d, conn.session, conn.session_id, conn.connection_id))
        if asyncio.iscoroutine(result):
            result = await result
    await conn.send_message(server_response(message.id, t, result))


async def _ping(conn: "RtviSession", d: Any) -> dict[str, Any]:
    return {"pong": True, "ts": time.time(), "echo": d}


async def _status(conn: "RtviSession", d: Any) -> dict[str, Any]:
    status = {"connection": conn.connection_id, "session": conn.session_id, "monitor": conn.monitor,
              "ready": conn.ready, "protocol": conn.generation.value, "transport": conn.transport.kind}
    if conn.session is not None:
        status.update(conn.session.status())
    return status


async def _get_context(conn: "RtviSession", d: Any) -> dict[str, Any]:
    return {"messages": needs_session(conn, "get-context").get_context()}


def _catalogue(name: str) -> Callable[["RtviSession", Any], Awaitable[Any]]:
    """A device command from the shared catalogue (firmware_py/commands.py), on this client's conversation."""

    async def run(conn: "RtviSession", d: Any) -> Any:
        if d is not None and not isinstance(d, dict):
            raise MessageError(f"{name}: d must be an object")
        try:
            return await run_command(name, d or {}, needs_session(conn, name), conn.server.host)
        except CommandError as err:
            raise MessageError(str(err)) from None

    return run


async def _set_client_tools(conn: "RtviSession", d: Any) -> dict[str, Any]:
    """Reopen this client's conversation with the functions the client runs itself (context kept)."""
    tools = check_client_tools(d)
    if conn.monitor or conn.session is None:
        raise MessageError("set-client-tools: needs this client's own conversation (after client-ready)")
    context = conn.session.get_context()
    conn.session = await conn.server.host.open_session(conn.connection_id, conn.sink, tools,
                                                       echo_cancel=conn.echo_cancel)
    conn.session.set_context(context)
    return {"tools": [tool["name"] for tool in tools]}


BUILTINS: dict[str, Callable[["RtviSession", Any], Awaitable[Any]]] = {
    "ping": _ping, "status": _status, "get-context": _get_context, "set-client-tools": _set_client_tools,
    "mute": _catalogue("mute"), "push-to-talk": _catalogue("push-to-talk"), "interrupt": _catalogue("interrupt")}


# --- the services API of the first generation -------------------------------------------------------


async def describe_config(conn: "RtviSession", message: RtviMessage) -> None:
    await conn.send_message(RtviMessage("config-available", services.describe_config(), message.id))


async def get_config(conn: "RtviSession", message: RtviMessage) -> None:
    config = services.get_config(conn.server.host.live, conn.session)
    await conn.send_message(RtviMessage("config", {"config": config}, message.id))


async def update_config(conn: "RtviSession", message: RtviMessage) -> None:
    config = await services.update_config(conn.server.host.live, conn.session, message,
                                          conn.session_id or conn.connection_id)
    await conn.send_message(RtviMessage("config", {"config": config}, message.id))


async def describe_actions(conn: "RtviSession", message: RtviMessage) -> None:
    await conn.send_message(RtviMessage("actions-available", services.describe_actions(), message.id))


async def action(conn: "RtviSession", message: RtviMessage) -> None:
    """Actions may take long (tts:say waits for its turn): they run beside the command lane."""
    conn.spawn(guarded(conn, message, perform_action), f"action-{message.id}")


async def perform_action(conn: "RtviSession", message: RtviMessage) -> None:
    result = await services.run_action(conn.session, message)
    await conn.send_message(RtviMessage("action-response", {"result": result}, message.id))


HANDLERS: dict[str, Handler] = {
    "client-ready": client_ready,
    "disconnect-bot": disconnect_bot,
    "client-message": client_message,
    "send-text": send_text,
    "append-to-context": append_to_context,
    "llm-function-call-result": function_call_result,
    "dtmf": dtmf,
    "raw-audio": raw_audio,
    "raw-audio-batch": raw_audio,
    "describe-config": describe_config,
    "get-config": get_config,
    "update-config": update_config,
    "describe-actions": describe_actions,
    "action": action,
}
