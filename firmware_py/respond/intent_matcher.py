"""Sentence-template matching with hassil over Home Assistant's sentence library, the product's own
sentences and the user's, tolerant of what speech-to-text produces.

STT writes capitals, punctuation, digits or number words, filler words, and now and then a mis-heard word
("Inute yourself"). hassil handles case, punctuation and numbers; fillers are skip words; a word that is in
no template is replaced by the closest template word (only when the whole sentence then matches).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hassil import Intents, RecognizeResult, TextSlotList, TextSlotValue, recognize_best

from ..integrations.devices import DeviceDirectory
from .custom import CustomCommand

FILLERS = ("um", "umm", "uh", "uhm", "er", "erm", "hmm", "ah", "oh", "okay", "ok", "hey", "so", "well",
           "just", "actually", "right", "now")
NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
                "hundred thousand half quarter and a an").split()
DEVICE_DOMAINS = {"light": "light", "switch": "switch", "fan": "fan", "cover": "cover"}
"""Our device kinds as Home Assistant domains (the sentence library's context for on/off, open/close)."""
DEVICE_INTENTS = ("HassTurnOn", "HassTurnOff", "HassLightSet")
"""Where a name nobody configured means "that device does not exist", not "no intent"."""
SPELLINGS = {"lite": "light", "lites": "lights", "nite": "night", "thru": "through", "ur": "your", "pls": "please",
             "plz": "please", "tonite": "tonight", "alarm": "timer", "lamps": "lamp", "volumn": "volume"}
"""Spellings speech-to-text and people use for template words, mended before matching."""
PHRASES = ((re.compile(r"\b(shut|power|switch) (off|down)\b", re.I), "turn off"),
           (re.compile(r"\bpower (on|up)\b", re.I), "turn on"))
"""Verbs the library does not know, said as the ones it does."""
PRONOUNS = ("it", "that", "this", "them", "those", "these", "everything", "yourself", "you", "me")
PRIORITY = "device_own"
"""Metadata key of the device's own and the user's sentences: they win over the library's when both match."""
SENTENCES_DIR = Path(__file__).with_name("sentences")
WORD = re.compile(r"[a-z][a-z']*")


@dataclass(frozen=True)
class IntentMatch:
    intent: str
    slots: dict[str, Any]
    text: str
    unknown_name: str = ""        # a device name that is in no list ("garage heater")
    corrected: bool = False       # a mis-heard word was replaced to match
    context: dict[str, Any] = field(default_factory=dict)


def load_sentence_data(language: str, custom: tuple[CustomCommand, ...]) -> dict[str, Any]:
    """Home Assistant's library for `language`, plus the product's sentences and the user's commands."""
    from home_assistant_intents import get_intents

    data = get_intents(language)
    if data is None:
        raise ValueError(f"no sentence library for language {language!r}")
    own_file = SENTENCES_DIR / f"{language}.yaml"
    own = yaml.safe_load(own_file.read_text()) if own_file.is_file() else {}
    for name, intent in own.get("intents", {}).items():
        for block in intent.get("data", []):
            block.setdefault("metadata", {})[PRIORITY] = True
        data["intents"][name] = intent
    data["lists"].update(own.get("lists", {}))
    for index, command in enumerate(custom):
        data["intents"][f"custom:{index}"] = {"data": [{"sentences": list(command.sentences),
                                                        "metadata": {PRIORITY: True}}]}
    return data


class IntentMatcher:
    """Text -> the best intent with its slots, or None. Synchronous and quick (a few ms after warm-up)."""

    def __init__(self, language: str, directory: DeviceDirectory, custom: tuple[CustomCommand, ...] = (),
                 area: str = "") -> None:
        data = load_sentence_data(language, custom)
        self.language = language
        self._intents = Intents.from_dict(data)
        self._skip_words = list(data.get("skip_words", [])) + list(FILLERS)
        self._context = {"area": area or "here"}   # sentences about "the volume" mean this device's area
        self._slot_lists = self._device_lists(directory)
        self._vocabulary = self._words_of(data, directory)

    @staticmethod
    def _device_lists(directory: DeviceDirectory) -> dict[str, TextSlotList]:
        names = [TextSlotValue.from_tuple((spoken, device.name, {"domain": DEVICE_DOMAINS[device.kind]}))
                 for device in directory.devices for spoken in device.spoken_names()]
        return {"name": TextSlotList(name="name", values=names),
                "area": TextSlotList.from_strings(directory.areas(), name="area"),
                "floor": TextSlotList(name="floor", values=[])}

    @staticmethod
    def _words_of(data: dict[str, Any], directory: DeviceDirectory) -> set[str]:
        words = set(NUMBER_WORDS)
        for intent in data["intents"].values():
            for block in intent.get("data", []):
                for sentence in block.get("sentences", []):
                    words.update(WORD.findall(sentence.lower()))
        for rule in data.get("expansion_rules", {}).values():
            words.update(WORD.findall(str(rule).lower()))
        for values in data.get("lists", {}).values():
            for value in values.get("values", []):
                words.update(WORD.findall(str(value.get("in", value) if isinstance(value, dict) else value).lower()))
        for device in directory.devices:
            for spoken in (*device.spoken_names(), device.area):
                words.update(WORD.findall(spoken))
        return words

    def match(self, text: str) -> IntentMatch | None:
        cleaned = " ".join(SPELLINGS.get(word.lower(), word) for word in text.replace("’", "'").split())
        for pattern, replacement in PHRASES:
            cleaned = pattern.sub(replacement, cleaned)
        if not cleaned:
            return None
        found = self._recognize(cleaned)
        if found is not None:
            return found
        mended = [m for m in map(self._recognize, self._corrections(cleaned)) if m is not None]
        if mended:
            meanings = {(m.intent, repr(sorted(m.slots.items()))) for m in mended}
            if len(meanings) > 1:  # "Inute yourself": mute or unmute? Asking beats a wrong action
                return IntentMatch("ambiguous", {"choices": [m.text for m in mended]}, cleaned, corrected=True)
            return IntentMatch(mended[0].intent, mended[0].slots, mended[0].text, corrected=True,
                               context=mended[0].context)
        return self._unknown_device(cleaned)

    def _recognize(self, text: str) -> IntentMatch | None:
        result = recognize_best(text, self._intents, slot_lists=self._slot_lists, skip_words=self._skip_words,
                                intent_context=self._context, language=self.language, best_metadata_key=PRIORITY)
        if result is None:
            return None
        return IntentMatch(result.intent.name, _slots(result), text, context=dict(result.context))

    def _unknown_device(self, text: str) -> IntentMatch | None:
        """A device command naming something not configured: say so rather than guess another action."""
        result = recognize_best(text, self._intents, slot_lists=self._slot_lists, skip_words=self._skip_words,
                                intent_context=self._context, language=self.language, allow_unmatched_entities=True)
        if result is None or result.intent.name not in DEVICE_INTENTS or result.text_chunks_matched < 1:
            return None
        unmatched = result.unmatched_entities.get("name")
        name = unmatched.text.strip(" .,!?").lower() if unmatched is not None else ""
        if not name or len(name.split()) > 4 or name.split()[0] in PRONOUNS:
            return None
        if len(name) >= len(text.strip(" .,!?")) * 0.8:   # the whole sentence taken as a name: no template fits
            return None
        area = result.entities.get("area")
        words = f"{area.text} {name}" if area is not None else name
        return IntentMatch(result.intent.name, _slots(result), text, unknown_name=" ".join(words.split()))

    def _corrections(self, text: str, tries: int = 8) -> list[str]:
        """`text` with its one word found in no template replaced by each of the closest template words.

        Only sentences with exactly one unknown word are corrected: more would be guessing, not mending.
        """
        words = text.lower().replace("-", " ").split()
        unknown = [i for i, word in enumerate(words)
                   if len(bare := word.strip(".,!?;:\"")) > 3 and bare.isalpha() and bare not in self._vocabulary]
        if len(unknown) != 1:
            return []
        index = unknown[0]
        close = difflib.get_close_matches(words[index].strip(".,!?;:\""), self._vocabulary, n=tries, cutoff=0.6)
        return [" ".join(words[:index] + [candidate] + words[index + 1:]) for candidate in close]


def _slots(result: RecognizeResult) -> dict[str, Any]:
    return {name: entity.value for name, entity in result.entities.items()}
