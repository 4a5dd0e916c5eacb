"""The responder seam: who answers a user turn.

A turn's text goes down a chain of responders (intents, then the knowledge base, then the LLM). Each of the
first ones either claims the turn with an `Answer` or passes (None); the LLM answers whatever nobody claimed.
`match` must be quick and free of side effects: it also runs speculatively on the early transcript, and its
answer is dropped if the user goes on. Side effects (a timer, a light) happen only when the conversation
commits the answer at the end of the turn, through `Answer.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


TELLING_ACTIONS = frozenset({"get_time", "get_date", "list_timers", "list_alarms", "get_volume", "help", "repeat"})
"""Actions that only tell (the time, the timers left): running one again, or not at all, changes nothing."""


@dataclass(frozen=True)
class ActionCall:
    """A command to run when the answer is committed: a catalogue name and its validated arguments."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """A responder's claim on a turn.

    One of `text`, `actions` or `passage` drives it: `text` is spoken as is; `actions` are run in order and
    their results' `summary` sentences are spoken (the templated confirmation); a `passage` is handed to the
    LLM to phrase from (knowledge that wants phrasing). `source` says where a fact came from, for display.
    """

    responder: str
    text: str = ""
    actions: tuple[ActionCall, ...] = ()
    passage: str = ""
    command: str = ""
    """A conversation command instead of an answer: "stop" (stop talking, say nothing), "finished" (the words
    only finished a request already done: say nothing more)."""
    source: dict[str, str] | None = None
    confidence: float = 1.0
    tentative: bool = False
    """Perhaps half a sentence cut by a pause ("Turned the porch." refused as a device called porch): a turn
    that sounds cut off waits for its rest first, as an unmatched one does."""
    unknown_device: str = ""
    """The refusal of a device name this device does not have ("I don't know a device called mirror door"):
    a spoken turn may be read again for a known one misheard."""
    frame: str = ""
    """Set when the answer asks something back ("For how long?"): the request its reply completes, with
    "{reply}" where the reply goes ("set a timer for {reply}"; respond/asked.py)."""
    one_of: tuple[str, ...] = ()
    """Set when the answer asks which of several devices a request means: their names."""
    choices: tuple[str, ...] = ()
    """Set when the answer asks which of several readings was said ("Sorry, did you say ...?"): the readings."""
    read_far: bool = False
    """Read from the audio beyond the margin of what the recogniser wrote (respond/command_reread.py: `MARGIN`,
    passed only by a reading that sounds like the words heard): a weaker reading, which waits for a rest the
    turn's words may yet have."""
    name_in_doubt: bool = False
    """A timer's name was heard as words no name holds, and dropped, or with a piece of a word in it
    (respond/timer_names.py): a spoken turn may be read again for the name."""
    name_unheard: bool = False
    """The timer's name is a reading's, seldom given, and none of the words the recogniser wrote ("an end timer"
    read from "Sent on any time or ..."): when no common name reads better, the timer is set without it."""

    @property
    def only_tells(self) -> bool:
        """Does this answer change nothing (the time, a fact, the timers left, a device refused by a name it
        does not have)? Then taking it back costs only its words: a request cut by a pause after "What time"
        may still become "What timers are running", and "Turn the sound" (refused) "Turn the sound back on".
        A stop is one too: the bot fell silent when the user spoke, and stays so ("Stop. | The timer." is
        "Stop the timer", "Paul's. | Timer," "Pause the timer")."""
        if self.command:
            return self.command == "stop"
        return bool(self.unknown_device) or all(call.name in TELLING_ACTIONS for call in self.actions)


class Responder(Protocol):
    """One link of the chain."""

    name: str

    async def match(self, text: str, session_id: str) -> Answer | None:
        """Claim the turn (an Answer) or pass (None). No side effects: it may be called speculatively."""
        ...
