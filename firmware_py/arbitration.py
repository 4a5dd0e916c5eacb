"""Multi-room arbitration: when several rooms hear one request, only the best one answers.

Rooms are the device's own microphone and the satellites (clients that introduced themselves with
`client-message satellite`, or claimed a wake word). A claim is a wake word heard (its score, and the
speech level a satellite measured) or a user turn starting. Claims from different rooms within
`window_secs` of the first one make a round; when the window closes the room with the highest rank
(`score_weight * wake score + level_weight * level`, the level mapped from -60..0 dBFS to 0..1) wins,
ties to the earliest. The others are told `state: standing_down` at once. A conversation asks
`admit_turn(bus, session_id)` before it answers a spoken turn: only the winner's turn is answered, so
there is never a second answer nor a second action. Sessions that are not rooms (apps, chat) are never
held back.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .events import LOCAL_SESSION, Event, EventBus, StateChanged, UserStartedSpeaking, WakeWordDetected

if TYPE_CHECKING:
    from .config import ArbitrationSettings
    from .rtvi.clients import ClientRequest
    from .session import SessionHost

log = logging.getLogger(__name__)

NEUTRAL_LEVEL = 0.5
"""Level given to a claim that measured none (the device's own microphone): -30 dBFS."""
TURN_SECS = 30.0
"""A room's claim is kept this long for its turn to end; later speech starts a new round."""
STAND_DOWN = "standing_down"

_ARBITERS: "weakref.WeakKeyDictionary[EventBus, Arbiter]" = weakref.WeakKeyDictionary()


@dataclass
class Claim:
    session_id: str
    at: float
    score: float | None = None
    level_dbfs: float | None = None

    def merge(self, score: float | None, level_dbfs: float | None) -> None:
        if score is not None:
            self.score = max(score, self.score or 0.0)
        if level_dbfs is not None:
            self.level_dbfs = level_dbfs


@dataclass(eq=False)
class Round:
    opened_at: float
    claims: dict[str, Claim] = field(default_factory=dict)
    decided: asyncio.Event = field(default_factory=asyncio.Event)
    winner: str | None = None


class Arbiter:
    def __init__(self, bus: EventBus, settings: "ArbitrationSettings", host: "SessionHost | None" = None) -> None:
        self.bus, self.settings, self.host = bus, settings, host
        self.rooms: dict[str, str] = {LOCAL_SESSION: "device"}
        self.rounds_decided = 0
        self._membership: dict[str, Round] = {}
        self._open: Round | None = None
        self._unsubscribe = bus.subscribe(self._on_event, WakeWordDetected, UserStartedSpeaking)
        _ARBITERS[bus] = self

    def close(self) -> None:
        self._unsubscribe()
        if _ARBITERS.get(self.bus) is self:
            del _ARBITERS[self.bus]

    # --- claims -------------------------------------------------------------------------------------

    def register_room(self, session_id: str, room: str) -> None:
        self.rooms[session_id] = room or session_id

    def claim(self, session_id: str, score: float | None = None, level_dbfs: float | None = None) -> None:
        """A room heard something: join (or open) the current round, or update this room's claim."""
        if not self.settings.enabled or session_id not in self.rooms:
            return
        now = time.monotonic()
        self._forget_stale(now)
        current = self._membership.get(session_id)
        if current is not None:
            current.claims[session_id].merge(score, level_dbfs)
            return
        round_ = self._open
        if round_ is None or now - round_.opened_at > self.settings.window_secs:
            round_ = self._open = Round(opened_at=now)
            asyncio.get_running_loop().call_later(self.settings.window_secs, self._decide, round_)
        round_.claims[session_id] = Claim(session_id, now)
        round_.claims[session_id].merge(score, level_dbfs)
        self._membership[session_id] = round_

    def _on_event(self, event: Event) -> None:
        if isinstance(event, WakeWordDetected):
            self.claim(event.session_id, score=event.score)
        elif isinstance(event, UserStartedSpeaking):
            self.claim(event.session_id)

    def _forget_stale(self, now: float) -> None:
        for session_id, round_ in list(self._membership.items()):
            if now - round_.opened_at > TURN_SECS:
                del self._membership[session_id]

    # --- decision -----------------------------------------------------------------------------------

    def rank(self, claim: Claim) -> float:
        level = NEUTRAL_LEVEL if claim.level_dbfs is None else min(1.0, max(0.0, (claim.level_dbfs + 60) / 60))
        return self.settings.score_weight * (claim.score or 0.0) + self.settings.level_weight * level

    def _decide(self, round_: Round) -> None:
        if self._open is round_:
            self._open = None
        claims = sorted(round_.claims.values(), key=lambda c: (-self.rank(c), c.at))
        round_.winner = claims[0].session_id if claims else None
        round_.decided.set()
        if len(claims) < 2:
            return
        self.rounds_decided += 1
        log.info("arbitration", extra={"winner": self.rooms.get(round_.winner or "", round_.winner),
                                       "ranks": {self.rooms.get(c.session_id, c.session_id): round(self.rank(c), 3)
                                                 for c in claims}})
        for claim in claims[1:]:
            self.bus.publish(StateChanged(session_id=claim.session_id, state=STAND_DOWN))

    async def admit(self, session_id: str) -> bool:
        """May this session answer the turn that just ended? Waits for its round's decision if needed."""
        round_ = self._membership.get(session_id)
        if not self.settings.enabled or round_ is None:
            return True
        await round_.decided.wait()
        if self._membership.get(session_id) is round_:
            del self._membership[session_id]
        return round_.winner == session_id

    # --- satellites' messages -----------------------------------------------------------------------

    def on_satellite(self, request: "ClientRequest") -> dict[str, Any]:
        """`client-message satellite {room}`: this connection is a room from now on."""
        room = request.d.get("room", "") if isinstance(request.d, dict) else ""
        if request.session_id:
            self.register_room(request.session_id, str(room)[:64])
        return {"room": self.rooms.get(request.session_id or "", ""), "arbitration": self.settings.enabled}

    def on_wake_word(self, request: "ClientRequest") -> dict[str, Any]:
        """`client-message wake-word {score, level_dbfs}`: a satellite heard its wake word."""
        d = request.d if isinstance(request.d, dict) else {}
        score, level = _number(d.get("score")), _number(d.get("level_dbfs"))
        if request.session_id is None:
            return {"accepted": False}
        self.rooms.setdefault(request.session_id, str(d.get("room", ""))[:64] or request.session_id)
        self.claim(request.session_id, score=score, level_dbfs=level)
        self._open_gate(request.session_id, score)
        return {"accepted": True}

    def _open_gate(self, session_id: str, score: float | None) -> None:
        """With wake-word activation the hub would wait for the phrase the satellite already heard."""
        if self.host is None or self.host.live.current.conversation.activation != "wakeword":
            return
        listener = getattr(self.host.get_session(session_id), "listener", None)
        if listener is not None and hasattr(listener, "wake"):
            listener.wake(min(score if score is not None else 1.0, 0.999))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


async def admit_turn(bus: EventBus, session_id: str) -> bool:
    """The conversation's one call: False when another room answers this request (no arbiter: True)."""
    arbiter = _ARBITERS.get(bus)
    return True if arbiter is None else await arbiter.admit(session_id)


def install(bus: EventBus, settings: "ArbitrationSettings", host: "SessionHost", server: Any) -> Arbiter:
    """An arbiter on `bus`, answering the satellites' client messages on `server`."""
    arbiter = Arbiter(bus, settings, host)
    server.on_client_message("satellite", arbiter.on_satellite)
    server.on_client_message("wake-word", arbiter.on_wake_word)
    return arbiter
