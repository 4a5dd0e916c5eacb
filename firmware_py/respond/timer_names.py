"""A timer's name the recogniser wrote as other words, read again among the names timers are given.

A timer's name is free text in the sentences ("start a {name} timer"), so the recogniser's words stand for
it however far off they are: "Start her past her time, or ..." for "Start a pasta timer", "Set a long
re-timer" for a laundry one. The intent layer drops a name that holds words no name holds (intents.py,
LABEL_NOT) and sets an unnamed timer. The audio still says the name, and most timers are named from a short
list of things people time: when the name heard is in doubt, the turn's audio is read again within the timer
sentences, with the name taken from that list (or, for a running timer, from the running timers' names), and
the reading is taken when it is the same request with a name from the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from .base import ActionCall, Answer

COMMON_TIMER_NAMES: tuple[str, ...] = (
    # cooking and baking
    "pasta", "spaghetti", "noodle", "noodles", "rice", "egg", "eggs", "boiled egg", "potato", "potatoes",
    "pizza", "bread", "toast", "cake", "cookie", "cookies", "muffin", "muffins", "brownie", "brownies", "pie",
    "bagel", "bagels", "biscuit", "biscuits", "scone", "scones", "cupcake", "cupcakes", "dough", "pancake",
    "pancakes", "waffle", "waffles", "oatmeal", "porridge", "soup", "stew", "chili", "curry", "sauce",
    "beans", "lentils", "quinoa", "corn", "peas", "carrots", "broccoli", "vegetables", "veggies", "salad",
    "chicken", "turkey", "beef", "steak", "pork", "ribs", "roast", "ham", "bacon", "sausage", "sausages",
    "burger", "burgers", "fish", "salmon", "shrimp", "lasagna", "casserole", "dumplings", "tacos", "fries",
    "popcorn", "oven", "stove", "grill", "barbecue", "slow cooker", "pressure cooker", "microwave", "kettle",
    "marinade", "jam", "yogurt",
    # drinks
    "tea", "green tea", "coffee", "espresso", "french press", "cold brew", "cocoa",
    # the house
    "laundry", "washing", "washer", "dryer", "wash", "dishwasher", "dishes", "ironing", "vacuum", "cleaning",
    "plants", "watering", "garden", "sprinkler", "bins", "trash", "recycling", "heater", "fan",
    "car", "parking", "meter", "charger", "battery", "candle", "fire", "bath", "shower", "hot tub",
    # people and pets
    "nap", "sleep", "bedtime", "wake up", "medicine", "pills", "tablets", "inhaler", "baby", "bottle",
    "feeding", "diaper", "dog", "cat", "walk", "pet", "fish tank",
    # work, school and play
    "homework", "study", "reading", "writing", "piano", "guitar", "violin", "practice", "lesson", "meeting",
    "call", "break", "lunch", "dinner", "breakfast", "snack", "focus", "pomodoro", "work", "email",
    "screen time", "game", "games", "tv", "movie", "video games", "bus", "train", "school", "pickup",
    # exercise and care
    "workout", "exercise", "run", "running", "plank", "stretch", "stretching", "yoga", "meditation",
    "breathing", "push ups", "sit ups", "rest", "interval", "cardio", "weights", "hair", "hair dye",
    "face mask", "teeth", "brushing", "mask",
)
"""Things people time, as they name them."""

TIMER_ACTIONS = frozenset(("set_timer", "cancel_timer", "pause_timer", "resume_timer", "add_timer_time"))
"""The actions whose timer a name picks."""
FRAGMENT_LETTERS = 2
"""A name's word this short, beside another word, is a piece of a word ("long re" for "laundry")."""


def timer_call(answer: Answer | None) -> ActionCall | None:
    """The answer's one timer action, or None."""
    actions = answer.actions if answer is not None else ()
    return actions[0] if len(actions) == 1 and actions[0].name in TIMER_ACTIONS else None


def name_in_doubt(heard: str, kept: str) -> bool:
    """Was a timer's name heard (`heard`, the sentence's name slot) and then dropped as mis-heard words, or
    kept (`kept`) with a piece of a word or a lone letter in it?"""
    if not heard.strip():
        return False
    if not kept:
        return True   # "her past her", "piece of": no name holds these words
    words = kept.split()
    # a letter alone is a word heard as its letter's name ("T-timer": tea); two letters may be a name ("tv")
    return any(len(word) == 1 for word in words) or len(words) > 1 and any(len(word) <= FRAGMENT_LETTERS for word in words)


def name_unheard(answer: Answer, heard: str) -> bool:
    """Is the answer's timer name one people seldom give, none of whose words the recogniser wrote (`heard`)?
    Then a reading made it up from sounds ("Set an end timer" of "Sent on any time or forsake minutes")."""
    call = timer_call(answer)
    label = str(call.arguments.get("label", "")).strip().lower() if call is not None else ""
    if not label or not heard.strip() or label in COMMON_TIMER_NAMES:
        return False
    return not set(re.findall(r"[a-z']+", label)) & set(re.findall(r"[a-z']+", heard.lower()))


def without_the_name(answer: Answer) -> Answer:
    """The answer's timer action without its name."""
    return replace(answer, actions=tuple(ActionCall(call.name, {key: value for key, value in call.arguments.items()
                                                                if key != "label"}) for call in answer.actions),
                   name_in_doubt=False, name_unheard=False)


def run_into_timer(text: str, label: str) -> bool:
    """Was a name people seldom give written joined to "timer" ("Said Totsie-timer" for a tea timer, "her
    bed-timer" for a bread one)? The recogniser ran the words together where it was unsure of them: on the
    spoken-command corpus every such name was a mis-heard one, every common name so written was right."""
    name = label.strip().lower()
    if not name or name in COMMON_TIMER_NAMES:
        return False
    return re.search(rf"\b{re.escape(name.split()[-1])}-timers?\b", text.lower()) is not None


def names_known(names: Iterable[str]) -> tuple[str, ...]:
    """The names a reading may give, each once, in a stable order (the grammar is kept per set of names)."""
    return tuple(sorted({name.strip().lower() for name in names if name.strip()}))


def name_left_out(call: ActionCall, in_doubt: bool) -> bool:
    """Is it a timer set with no name and none heard in doubt? The recogniser may have left a short name out
    whole: "Set a timer for 3 minutes" for an espeak voice's "Set a tea timer for three minutes." in noise."""
    return call.name == "set_timer" and not in_doubt and not str(call.arguments.get("label", "")).strip()


def names_to_read(call: ActionCall, in_doubt: bool, running: tuple[str, ...], picks_a_running_timer: bool) -> tuple[str, ...]:
    """The names a timer request is read again among, () when it is not read again: a timer set with its
    name in doubt, or with none (`name_left_out`), among the common names and the running timers'; a request
    on a running timer whose name picked none (`picks_a_running_timer` False), or was dropped while two or
    more run, among the running timers' names (with one running, a request with no name acts on it anyway)."""
    if call.name == "set_timer":
        return names_known((*COMMON_TIMER_NAMES, *running)) if in_doubt or name_left_out(call, in_doubt) else ()
    named = bool(str(call.arguments.get("label", "")).strip())
    return running if (in_doubt and len(running) > 1) or (named and not picks_a_running_timer) else ()


def same_but_name(first: Answer, second: Answer | None, besides: tuple[str, ...] = ()) -> bool:
    """Do both answers run the same timer action with the same arguments, the name (and the arguments named in
    `besides`) apart?"""
    one, other = timer_call(first), timer_call(second)
    if one is None or other is None or one.name != other.name:
        return False
    apart = ("label", *besides)
    return ({k: v for k, v in one.arguments.items() if k not in apart}
            == {k: v for k, v in other.arguments.items() if k not in apart})


def one_request_named_twice(answers: Sequence[Answer | None], setting: bool = False) -> Answer | None:
    """Of the readings a question asks between, the first, when all run the same timer request and differ only
    by its name: a request on a running timer ("Cancel my grandet timer" or "... garage timer"?), or with
    `setting` a timer to set ("Start past a timer" or "Start a pasta timer"?); None otherwise."""
    first = answers[0] if answers else None
    call = timer_call(first)
    if first is None or call is None or (call.name == "set_timer") != setting or len(answers) < 2:
        return None
    return first if all(same_but_name(first, other) for other in answers[1:]) else None


def the_named_one(first: Answer | None, second: Answer | None) -> int | None:
    """Of two timers to set that differ only by their names, the one (0 or 1) whose name is one people give
    timers when the other's is not ("Start past a timer" beside "Start a pasta timer": the pasta one); None
    when neither or both are, or they differ by more than the name."""
    if first is None or second is None or not same_but_name(first, second):
        return None
    calls = (timer_call(first), timer_call(second))
    if any(call is None or call.name != "set_timer" for call in calls):
        return None
    known = [str(call.arguments.get("label", "")).lower() in COMMON_TIMER_NAMES for call in calls if call is not None]
    return known.index(True) if known.count(True) == 1 else None
