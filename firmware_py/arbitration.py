"""Multi-room arbitration: when several rooms hear one request, only the best one answers.

Rooms are the device's own microphone and the satellites (clients that introduced themselves with
`client-message satellite`, or claimed a wake word). A claim is a wake word heard (its score, and the
speech level a satellite measured) or a user turn starting. Claims from different rooms within
`window_secs` of the first one make a round. A conversation asks `admit_turn(bus, session_id, text)`
before it answers a spoken turn. Rooms of a round that both heard the wake word heard one request; rooms
without one (streaming all the time) heard one request when their transcripts say the same thing (most of
their words shared). Of the rooms that heard one request only the best ranked answers:
`score_weight * wake score + level_weight * level`, the level mapped from -60..0 dBFS to 0..1, ties to
the earliest claim. The others are told `state: standing_down`. Two people asking different things in
two rooms at the same moment both get their answer. A turn waits at most TRANSCRIPT_WAIT_SECS for the
other rooms' transcripts; a room whose transcript comes later loses to an answer already under way, so
there is never a second answer nor a second action. Sessions that are not rooms (apps, chat) are never
held back.
"""

from __future__ import annotations

import asyncio
import logging
import re
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
TRANSCRIPT_WAIT_SECS = 1.0
"""How long a finished turn waits for the other rooms of its round to finish theirs."""
SAME_REQUEST = 0.5
"""Share of words two transcripts must have in common to be one request heard twice."""
STAND_DOWN = "standing_down"

_ARBITERS: "weakref.WeakKeyDictionary[EventBus, Arbiter]" = weakref.WeakKeyDictionary()


@dataclass
class Claim:
    session_id: str
    at: float
    score: float | None = None
    """Wake-word score; None when the room heard no wake word (a turn that simply started)."""
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
    texts: dict[str, str] = field(default_factory=dict)
    """Final transcripts of the rooms whose turn has ended."""
    answering: set[str] = field(default_factory=set)
    first_turn_end: float | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def all_heard(self) -> bool:
        return set(self.claims) <= set(self.texts)


class Arbiter:
    def __init__(self, bus: EventBus, settings: "ArbitrationSettings", host: "SessionHost | None" = None) -> None:
        self.bus, self.settings, self.host = bus, settings, host
        self.rooms: dict[str, str] = {LOCAL_SESSION: "device"}
        self.stand_downs = 0
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
        if self.host is not None:  # satellites that reconnected left their old sessions behind
            for gone in [sid for sid in self.rooms if sid != LOCAL_SESSION and self.host.get_session(sid) is None]:
                del self.rooms[gone]
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

    async def admit(self, session_id: str, text: str = "") -> bool:
        """May this room answer the turn it just heard (`text`)? False: another room answers it."""
        round_ = self._membership.pop(session_id, None)
        if not self.settings.enabled or round_ is None:
            return True
        round_.texts[session_id] = text
        round_.changed.set()  # rooms waiting for this transcript look again
        round_.changed = asyncio.Event()
        if not text.strip():
            return True  # nothing heard: nothing to answer, nothing to arbitrate
        now = time.monotonic()
        round_.first_turn_end = round_.first_turn_end or now
        deadline = round_.first_turn_end + TRANSCRIPT_WAIT_SECS
        while not round_.all_heard() and time.monotonic() < deadline:
            try:
                await asyncio.wait_for(round_.changed.wait(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                break
        admitted = self._wins(round_, session_id)
        if admitted:
            round_.answering.add(session_id)
        else:
            self.stand_downs += 1
            self.bus.publish(StateChanged(session_id=session_id, state=STAND_DOWN))
        self._log_decision(round_, session_id, admitted)
        return admitted

    def outranked(self, session_id: str) -> bool:
        """Has a room of this room's round that heard the wake word too (so the same request) a better rank?
        Then it answers, and a guess at the answer here meanwhile is work for nothing."""
        round_ = self._membership.get(session_id) if self.settings.enabled else None
        if round_ is None or round_.claims[session_id].score is None:
            return False
        mine = self._order(round_.claims[session_id])
        return any(other != session_id and rival.score is not None and self._order(rival) < mine
                   for other, rival in round_.claims.items())

    def _order(self, claim: Claim) -> tuple[float, float]:
        """Where a claim stands among its round's: the best rank first, ties to the earliest."""
        return -self.rank(claim), claim.at

    def _wins(self, round_: Round, session_id: str) -> bool:
        """Best ranked among the rooms that heard the same request, and none of them answering already."""
        key = self._order(round_.claims[session_id])
        mine = round_.claims[session_id]
        for other, text in round_.texts.items():
            rival = round_.claims[other]
            woke_both = mine.score is not None and rival.score is not None
            if other == session_id or not (woke_both or same_request(text, round_.texts[session_id])):
                continue
            if other in round_.answering:
                return False
            if self._order(rival) < key:
                return False
        return True

    def _log_decision(self, round_: Round, session_id: str, admitted: bool) -> None:
        if len(round_.claims) > 1:
            log.info("arbitration", extra={
                "room": self.rooms.get(session_id, session_id), "answers": admitted,
                "ranks": {self.rooms.get(c.session_id, c.session_id): round(self.rank(c), 3)
                          for c in round_.claims.values()}})

    # --- satellites' messages -----------------------------------------------------------------------

    def on_satellite(self, request: "ClientRequest") -> dict[str, Any]:
        """`client-message satellite {room}`: this connection is a room from now on."""
        room = request.d.get("room", "") if isinstance(request.d, dict) else ""
        if request.session_id:
            self.register_room(request.session_id, str(room)[:64])
        return {"room": self.rooms.get(request.session_id or "", ""), "arbitration": self.settings.enabled}

    def on_wake_word(self, request: "ClientRequest") -> dict[str, Any]:
        """`client-message wake-word {score, level_dbfs}`: a satellite heard its wake word (score null: it streams
        all the time and heard speech start)."""
        d = request.d if isinstance(request.d, dict) else {}
        score, level = _number(d.get("score")), _number(d.get("level_dbfs"))
        if request.session_id is None:
            return {"accepted": False}
        if request.session_id not in self.rooms:
            self.register_room(request.session_id, str(d.get("room", ""))[:64])
        self.claim(request.session_id, score=score, level_dbfs=level)
        if score is not None:
            self._open_gate(request.session_id, score)
        return {"accepted": True}

    def _open_gate(self, session_id: str, score: float) -> None:
        """With wake-word activation the hub would wait for the phrase the satellite already heard."""
        if self.host is None or self.host.live.current.conversation.activation != "wakeword":
            return
        listener = getattr(self.host.get_session(session_id), "listener", None)
        if listener is not None and hasattr(listener, "wake"):
            listener.wake(min(score, 0.999))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


async def admit_turn(bus: EventBus, session_id: str, text: str) -> bool:
    """The conversation's one call: False when another room answers this request (no arbiter: True)."""
    arbiter = _ARBITERS.get(bus)
    return True if arbiter is None else await arbiter.admit(session_id, text)


def outranked(bus: EventBus, session_id: str) -> bool:
    """Is another room sure to answer what this one is hearing (no arbiter: never)?"""
    arbiter = _ARBITERS.get(bus)
    return arbiter is not None and arbiter.outranked(session_id)


def same_request(first: str, second: str) -> bool:
    """Do two transcripts share most of their words (one request heard by two microphones)?"""
    words = [set(re.findall(r"[a-z0-9']+", text.lower())) for text in (first, second)]
    if not words[0] or not words[1]:
        return False
    return len(words[0] & words[1]) / len(words[0] | words[1]) >= SAME_REQUEST


def install(bus: EventBus, settings: "ArbitrationSettings", host: "SessionHost", server: Any) -> Arbiter:
    """An arbiter on `bus`, answering the satellites' client messages on `server`."""
    arbiter = Arbiter(bus, settings, host)
    server.on_client_message("satellite", arbiter.on_satellite)
    server.on_client_message("wake-word", arbiter.on_wake_word)
    return arbiter
