"""The spoken-command corpus: what people ask a voice appliance, and what the device should do about it.

Two splits. `hand` is a fixed list of requests written out one by one (it includes every request a user
report named). `generated` is drawn from templates and vocabularies with a seed, so a new seed gives
requests nobody has tuned against; the two are reported separately. Every case gets a voice, a speed and
one acoustic condition (room noise, leading digital silence, a mid-sentence pause, a mis-hearing, a quiet
talker across the room),
assigned deterministically, so a corpus is the same on every run with the same seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

COMMAND, QUESTION, CHITCHAT, UNKNOWN_DEVICE = "command", "question", "chitchat", "unknown_device"
CATEGORIES = (COMMAND, QUESTION, CHITCHAT, UNKNOWN_DEVICE)
CONDITIONS = ("clean", "noise", "lead_zeros", "pause", "mishear", "quiet")
CORPUS_VERSION = 5
"""1: each voice always had the same condition (unpinned cases); 2: conditions dealt independently; 3: the
generated requests include alarms at a time of day (the draw for a seed differs from version 2's); 4: some of
those alarms are for a named day or repeat (the draw differs from version 3's); 5: a sixth condition, a quiet
talker (the deck of conditions, and so every draw, differs from version 4's)."""
VOICES = (  # (voice, speed): hibari, the Piper joe voice and espeak-ng variants
    ("hibari", 1.0), ("espeak:en-us", 1.0), ("piper:joe", 1.0), ("espeak:en-gb", 0.9),
    ("hibari", 1.15), ("espeak:en-us+f3", 1.15), ("piper:joe", 1.1), ("espeak:en-gb-x-rp", 0.85),
    ("espeak:en-us", 1.25), ("hibari", 0.9),
)
PAUSE_SECS = (0.6, 0.9)
"""Range of the mid-sentence pause; each case draws its own length from it."""


@dataclass(frozen=True)
class Device:
    """A device declared in the benchmark daemon's config (`[[devices]]`)."""

    name: str
    kind: str  # light | switch | fan | cover
    area: str
    aliases: tuple[str, ...] = ()

    @property
    def topic(self) -> str:
        return "bench/" + self.name.lower().replace(" ", "_") + "/set"


DEVICES = (
    Device("Kitchen Light", "light", "Kitchen", ("kitchen lights",)),
    Device("Living Room Lamp", "light", "Living Room", ("floor lamp",)),
    Device("Bedroom Fan", "fan", "Bedroom", ("ceiling fan",)),
    Device("Garage Door", "cover", "Garage"),
    Device("Porch Light", "switch", "Porch", ("porch lights",)),
    Device("Office Blinds", "cover", "Office", ("office shades",)),
)
DEVICE_BY_NAME = {device.name.lower(): device for device in DEVICES}


@dataclass(frozen=True)
class Expect:
    """What the device should do. `args` holds expected argument values; a value {"gt": 0} or {"lt": 0}
    asks only for a sign. For `set_timer` and `add_timer_time`, `seconds` is checked against the result's
    total (the tool may take minutes). `needs_timer` is the label of a timer that must be running before
    the request ("" for one unlabelled timer)."""

    category: str
    action: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    needs_timer: str | None = None
    answer: str = ""
    """For a question the device works out itself (a sum): the number its answer must say."""


@dataclass(frozen=True)
class Case:
    case_id: str
    text: str              # what is spoken; " | " marks the mid-sentence pause
    intended: str          # the request before any mis-hearing was applied
    expect: Expect
    split: str             # "hand" or "generated"
    voice: str = "hibari"
    speed: float = 1.0
    condition: str = ""    # "" until `dress` assigns one (clean when rendered undressed)
    pause_secs: float = 0.0

    @property
    def intent(self) -> str:
        return self.expect.action or self.expect.category

    @property
    def voice_label(self) -> str:
        return f"{self.voice}@{self.speed:g}"


def cmd(action: str, needs_timer: str | None = None, **args: Any) -> Expect:
    return Expect(COMMAND, action, args, needs_timer)


UP, DOWN = {"gt": 0}, {"lt": 0}
Q, CHAT, UNKNOWN = Expect(QUESTION), Expect(CHITCHAT), Expect(UNKNOWN_DEVICE)

HAND_WRITTEN: tuple[tuple[str, Expect, str], ...] = (
    # (text, expectation, pinned condition or "")
    ("Set a timer for ten minutes.", cmd("set_timer", seconds=600), ""),
    ("Set a timer for thirty seconds.", cmd("set_timer", seconds=30), ""),
    ("Start a pasta timer for eight minutes.", cmd("set_timer", seconds=480, label="pasta"), "pause"),
    ("Set a timer for one hour.", cmd("set_timer", seconds=3600), ""),
    ("Set a timer for two and a half minutes.", cmd("set_timer", seconds=150), ""),
    ("Set a tea timer for three minutes.", cmd("set_timer", seconds=180, label="tea"), ""),
    ("Can you set a timer for an hour and fifteen minutes?", cmd("set_timer", seconds=4500), ""),
    ("Set a timer for ninety seconds.", cmd("set_timer", seconds=90), "noise"),
    ("Set an egg timer for six minutes.", cmd("set_timer", seconds=360, label="egg"), ""),
    ("Cancel the timer.", cmd("cancel_timer", needs_timer=""), ""),
    ("Cancel the pasta timer.", cmd("cancel_timer", needs_timer="pasta", label="pasta"), ""),
    ("How much time is left on my timer?", cmd("list_timers", needs_timer=""), ""),
    ("What timers are running?", cmd("list_timers", needs_timer=""), ""),
    ("Pause the timer.", cmd("pause_timer", needs_timer=""), ""),
    ("Resume the timer.", cmd("resume_timer", needs_timer=""), ""),
    ("Add two minutes to the timer.", cmd("add_timer_time", needs_timer="", seconds=120), ""),
    ("Stop the tea timer.", cmd("cancel_timer", needs_timer="tea", label="tea"), ""),
    ("What time is it?", cmd("get_time"), ""),
    ("What's the time?", cmd("get_time"), "lead_zeros"),
    ("What's the date today?", cmd("get_date"), ""),
    ("What day is it today?", cmd("get_date"), ""),
    ("Tell me the time, please.", cmd("get_time"), ""),
    ("Set the volume to thirty percent.", cmd("set_volume", percent=30), ""),
    ("Set the volume to eighty.", cmd("set_volume", percent=80), ""),
    ("Turn the volume down.", cmd("change_volume", delta=DOWN), "lead_zeros"),
    ("Turn the volume down a bit.", cmd("change_volume", delta=DOWN), ""),
    ("Turn the volume up a little.", cmd("change_volume", delta=UP), ""),
    ("Turn the volume down by twenty percent.", cmd("change_volume", delta=-20), ""),
    ("Make it louder.", cmd("change_volume", delta=UP), ""),
    ("Mute yourself.", cmd("set_mute", muted=True), "mishear"),
    ("Unmute the speaker.", cmd("set_mute", muted=False), ""),
    ("Mute the speaker.", cmd("set_mute", muted=True), ""),
    ("Turn on the kitchen light.", cmd("turn_on", device="Kitchen Light"), ""),
    ("Turn off the living room lamp.", cmd("turn_off", device="Living Room Lamp"), ""),
    ("Switch on the bedroom fan.", cmd("turn_on", device="Bedroom Fan"), ""),
    ("Turn off the bedroom fan.", cmd("turn_off", device="Bedroom Fan"), "noise"),
    ("Open the garage door.", cmd("open_cover", device="Garage Door"), ""),
    ("Close the garage door.", cmd("close_cover", device="Garage Door"), ""),
    ("Set the kitchen light to fifty percent.", cmd("set_brightness", device="Kitchen Light", percent=50), "pause"),
    ("Dim the living room lamp to twenty percent.", cmd("set_brightness", device="Living Room Lamp", percent=20), ""),
    ("Turn on the porch light.", cmd("turn_on", device="Porch Light"), ""),
    ("Turn the porch light off.", cmd("turn_off", device="Porch Light"), ""),
    ("Close the office blinds.", cmd("close_cover", device="Office Blinds"), ""),
    ("Open the office shades.", cmd("open_cover", device="Office Blinds"), ""),
    ("Turn on the kitchen lights.", cmd("turn_on", device="Kitchen Light"), "mishear"),
    ("Never mind.", cmd("never_mind"), ""),
    ("Oh, never mind.", cmd("never_mind"), ""),
    ("What can you do?", cmd("help"), ""),
    ("What can I ask you?", cmd("help"), ""),
    ("What is the capital of France?", Q, ""),
    ("How many legs does a spider have?", Q, ""),
    ("What is five plus three?", Expect(QUESTION, answer="8"), ""),
    ("Why is the sky blue?", Q, ""),
    ("Who wrote Romeo and Juliet?", Q, ""),
    ("What is the tallest mountain in the world?", Q, ""),
    ("How do I boil an egg?", Q, ""),
    ("What is the boiling point of water?", Q, ""),
    ("Tell me a joke.", CHAT, ""),
    ("How are you today?", CHAT, ""),
    ("Good morning!", CHAT, ""),
    ("Thanks a lot.", CHAT, ""),
    ("What's your name?", CHAT, ""),
    ("I had a long day at work.", CHAT, ""),
    ("Switch on the garage heater.", UNKNOWN, ""),
    ("Turn off the hallway light.", UNKNOWN, ""),
    ("Turn on the television.", UNKNOWN, ""),
    ("Open the front gate.", UNKNOWN, ""),
    ("Set the basement light to forty percent.", UNKNOWN, ""),
    ("Turn on the coffee machine.", UNKNOWN, ""),
)


def hand_written() -> list[Case]:
    return [Case(f"h{index:02d}", text, text, expect, "hand", condition=pinned or "")
            for index, (text, expect, pinned) in enumerate(HAND_WRITTEN)]


# --- mis-hearings: the request the way a speech recogniser may get it --------------------------------

FILLERS = ("um", "uh", "so", "okay so")


def mishear(text: str, rng: random.Random) -> str:
    """One STT-style slip: a filler word, a dropped first letter, or a restarted phrase."""
    words = text.split()
    kind = rng.choice(("filler", "dropped_letter", "restart")) if len(words) > 2 else "dropped_letter"
    if kind == "dropped_letter" and len(words[0]) <= 2:
        kind = "filler"
    if kind == "filler":
        return f"{rng.choice(FILLERS).capitalize()}, {words[0].lower()} " + " ".join(words[1:])
    if kind == "restart":
        head = " ".join(words[:2]).rstrip(",.?!")
        return f"{head}, {head.lower()} " + " ".join(words[2:])
    return " ".join([words[0][1:].capitalize(), *words[1:]])


def with_pause_mark(text: str) -> str:
    """Put the pause mark a little past the middle, at a word boundary."""
    words = text.split()
    cut = max(1, min(len(words) - 1, round(len(words) * 0.55)))
    return " ".join(words[:cut]) + " | " + " ".join(words[cut:])


def dress(cases: list[Case], seed: int) -> list[Case]:
    """Assign voice, speed and condition to each case (pinned conditions kept), deterministically."""
    rng = random.Random(seed)
    offset = rng.randrange(len(VOICES))
    # conditions dealt from a shuffled, balanced deck: independent of the voice rotation, so neither
    # stands in for the other in the per-voice and per-condition figures
    deck = [CONDITIONS[i % len(CONDITIONS)] for i in range(len(cases))]
    rng.shuffle(deck)
    dressed = []
    for index, case in enumerate(cases):
        voice, speed = VOICES[(index + offset) % len(VOICES)]
        condition = case.condition or deck[index]
        text, pause = case.intended, 0.0
        if condition == "mishear":
            text = mishear(text, rng)
        elif condition == "pause":
            text, pause = with_pause_mark(text), round(rng.uniform(*PAUSE_SECS), 2)
        dressed.append(replace(case, text=text, voice=voice, speed=speed, condition=condition, pause_secs=pause))
    return dressed


def corpus(seed: int = 2026, generated_count: int = 32, quick: bool = False) -> list[Case]:
    """The hand-written split plus `generated_count` generated cases, dressed; `quick`: about 15 of them."""
    from .command_templates import generate

    cases = dress(hand_written(), seed) + dress(generate(seed, generated_count), seed + 1)
    return quick_subset(cases) if quick else cases


QUICK_PICKS = {"hand": {COMMAND: 8, QUESTION: 1, CHITCHAT: 1, UNKNOWN_DEVICE: 2}, "generated": {COMMAND: 2, QUESTION: 1}}


def quick_subset(cases: list[Case]) -> list[Case]:
    """A smoke run: a few cases of every category from both splits, spread over the list (so several
    voices and conditions), skipping cases that need a timer set up first."""
    picked: list[Case] = []
    for split, wanted in QUICK_PICKS.items():
        for category, count in wanted.items():
            pool = [c for c in cases if c.split == split and c.expect.category == category
                    and c.expect.needs_timer is None]
            step = max(1, len(pool) // count)
            picked += pool[::step][:count]
    return picked
