"""Speech to text: Moonshine base-en (tiny-en in the small profile) on onnxruntime (see moonshine).

Moonshine is not streaming: it decodes a whole segment at once, about 0.06 x real time on one core from
its prepared copies (see quantize and prepare: 4-bit weights, ~125 MB resident instead of ~650 MB).
The conversation hands it VAD-trimmed pieces of a turn as the user pauses.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.frames import SAMPLE_RATE
from ..models import ModelError
from .constrained import Grammar, GrammarFollower, TokenSpellings
from .moonshine import MoonshineModel
from .onnx import REINSTALL_HINT, timed
from .ort_export import cache_dirs, optimisable_copy
from .prepare import cache_dirs as prepared_dirs
from .prepare import prepared_copy

log = logging.getLogger(__name__)

FILES = ("encoder_model.ort", "decoder_model_merged.ort", "tokens.txt")
MIN_SECS = 0.1
"""Shorter pieces hold no word, and the encoder's convolutions need a minimum length anyway."""
RECENT_DECODES = 4
"""Decodes whose encodings are kept: a turn's pieces, its early decode and the whole turn."""
READINGS_KEPT = 4
"""Readings within a grammar kept by clip, grammar and search: one made ahead, at the user's pause, is found
again when the turn ends on the same audio."""
FOLLOWERS_KEPT = 10
"""Grammars whose followers are kept: the three one-sound families', the commands', the commands' with their
first sound lost, the alarms' and the NAME_GRAMMARS of timers' names (respond/command_reread.py)."""
EDGE_LEVEL = 1e-4
"""Samples quieter than this at the edges are trimmed: Moonshine returns nothing for clips that start
with digital silence."""
MAX_LOOP_WORDS = 12
BIAS_BONUS = 1.5
"""Logit bonus of the device's words (speech/biasing.py). On the spoken-command corpus: commands heard within
a WER of 0.25 rose from 46 to 53 of 73 (held-out dressing: 40 to 42 of 70), general WER unchanged (10.17 %);
2.5 reached 51. Before single letters were excluded, 2.0 and 3.0 spelled words letter by letter ("Ms. Kai")."""
RIVAL_NATS = 1.0
"""How close (log-likelihood) another reading within a grammar must come to the likeliest to be its rival:
e^-1, over a third as likely. Chosen, not tuned: in the benchmark's runs no reading had a rival of other words
within it (the "un" a clipped "unmute" lost is caught from the words heard, respond/command_reread.py)."""
WEIGHTS = ("prepared", "folded", "original")
_SPACES = re.compile(r"\s+")
NO_MUSIC_MARKS = str.maketrans(dict.fromkeys("\u2669\u266a\u266b\u266c\U0001f3b5\U0001f3b6"))
"""Music marks, which the recogniser writes around words heard in room noise ("♪ Who wrote Romeo and
Juliet ♪"): no one said them, and a question wrapped in them read as no question (seed 953)."""


@dataclass(frozen=True)
class Rereading:
    """A reading within a grammar, beside the free reading of the same audio, with their log-likelihoods; text ""
    (score -inf) when the grammar was searched and held nothing within the margin."""

    text: str
    score: float
    heard_score: float
    heard_words: int = 0
    """Words of the free reading."""
    rivals: tuple[tuple[str, float], ...] = ()
    """Other readings within the grammar (other words, not only other marks) no more than RIVAL_NATS less
    likely, likeliest first: where one means something else ("Turn on ..." beside "Turn off ..."), the audio
    does not say which."""
    as_read: str = ""
    """The words as the audio held them, when `text` gave back a first sound it lost ("Pen the office shades"
    for "Open the office shades"): what to compare with the words heard."""


@dataclass(frozen=True)
class _Decode:
    """A clip's free reading, kept for reading it again."""

    hidden: np.ndarray
    """The encoder's view of the clip."""
    score: float
    words: int
    ids: list[int]
    text: str = ""
    """The words written, tidied as a transcript is."""


class MoonshineStt:
    """Shared recognizer; decodes are serialised."""

    def __init__(self, model_dir: Path, threads: int = 1, weights: str = "prepared") -> None:
        """`weights`: "prepared" (4-bit copies, small and fast), or for comparison "folded" (the decoder as
        float32 ONNX: fast, ~650 MB) or "original" (the shipped .ort files: slow)."""
        if weights not in WEIGHTS:
            raise ValueError(f"weights={weights!r}: use one of {WEIGHTS}")
        self.model_dir = Path(model_dir)
        missing = [name for name in FILES if not (self.model_dir / name).is_file()]
        if missing:
            raise ModelError(f"speech-to-text model files missing in {self.model_dir}: {', '.join(missing)}; "
                             f"fix: {REINSTALL_HINT} stt")
        self.recognizer = _load_recognizer(self.model_dir, threads, weights)
        self._lock = threading.Lock()
        self.last_secs = 0.0
        self._recent: dict[bytes, _Decode] = {}
        self._spellings = TokenSpellings(self.recognizer.tokens.texts)
        self._followers: dict[Grammar, GrammarFollower] = {}
        self._readings: dict[tuple[bytes, Grammar, float, int, float, bool], Rereading | None] = {}

    def transcribe(self, audio: np.ndarray, hand_back: bool = False) -> str:
        """Text of `audio` (float32 16 kHz mono; int16 accepted) with spaces tidied; "" when nothing was said.
        `hand_back`: memory this decode takes beyond the usual is returned after it (a second hearing, slower,
        is longer than the turn: kept, the arena grew the daemon's peak by ~10 MB)."""
        clip = _trim_edges(as_float(audio))
        if len(clip) < MIN_SECS * SAMPLE_RATE:
            self.last_secs = 0.0
            return ""
        with self._lock, timed(self):
            hidden = self.recognizer.encode(clip, hand_back)
            text, score, ids = self.recognizer.read(hidden, hand_back)
            cleaned = clean_transcript(text)
            self._remember(clip, _Decode(hidden, score, len(text.split()), ids, cleaned))
        log.debug("transcribed", extra={"audio_secs": round(len(clip) / SAMPLE_RATE, 2),
                                        "secs": round(self.last_secs, 3), "chars": len(cleaned)})
        return cleaned

    def read_within(self, audio: np.ndarray, grammar: Grammar, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        """`audio` read again within `grammar` (speech/constrained.py), when that reading's log-likelihood
        is within `margin` of the free reading's (the decode of the same audio, kept from `transcribe`).
        None at once when the free reading averaged more than `trusted` per word: the recogniser was sure; a
        reading with no text when nothing within the margin was found. `heard_within`: the free reading may
        well be a sentence of the grammar (a command heard, read again among its like); when it is, it is
        one of the readings, and only those near it are searched for."""
        clip = _trim_edges(as_float(audio))
        if len(clip) < MIN_SECS * SAMPLE_RATE:
            return None
        key = (_fingerprint(clip), grammar, margin, width, trusted, heard_within)
        with self._lock:
            if key in self._readings:
                return self._readings[key]
            reading = self._read_within(clip, key[0], grammar, margin, width, trusted, heard_within)
            self._readings[key] = reading
            while len(self._readings) > READINGS_KEPT:
                self._readings.pop(next(iter(self._readings)))
            return reading

    def _read_within(self, clip: np.ndarray, fingerprint: bytes, grammar: Grammar, margin: float, width: int,
                     trusted: float, heard_within: bool) -> Rereading | None:
        with timed(self):
            follower = self._follower(grammar)
            decode = self._recent.get(fingerprint)
            if decode is None:
                hidden = self.recognizer.encode(clip)
                heard, score, ids = self.recognizer.read(hidden)
                decode = _Decode(hidden, score, len(heard.split()), ids)
            heard_score, words = decode.score, decode.words
            if words and heard_score / words > trusted:
                return None
            known = self._heard_within(decode.ids, follower) if heard_within else None
            found = self.recognizer.read_within(decode.hidden, follower, width, heard_score - margin,
                                                rival=RIVAL_NATS, known=known)
        if not found:
            return Rereading("", float("-inf"), heard_score, words)
        (text, score), others = found[0], found[1:]
        words_of = [_word_key(word) for word in text.split()]
        rivals = tuple((clean_transcript(other), other_score) for other, other_score in others
                       if [_word_key(word) for word in other.split()] != words_of)   # not "... running" for "... running?"
        return Rereading(clean_transcript(text), score, heard_score, words, rivals)

    def _heard_within(self, ids: list[int], follower: GrammarFollower) -> list[int] | None:
        """The free reading's tokens as far as they make the words heard, when the grammar holds them: a
        decode that looped ("Close the office blinds. Close the office blinds. ...", heard as its first copy)
        is known by that copy. None when the grammar does not hold the words heard."""
        heard = clean_transcript(self.recognizer.detokenize(ids))
        return next((ids[:end] for end in range(1, len(ids) + 1)
                     if clean_transcript(self.recognizer.detokenize(ids[:end])) == heard and follower.holds(ids[:end])),
                    None)

    def _follower(self, grammar: Grammar) -> GrammarFollower:
        """The grammar's follower, kept while it is one of the last few read within: a reading within one
        family's sentences, then the commands', then the family's again each paid ~0.03 s to look for its key
        words among the 32k tokens, on the turn's critical path."""
        follower = self._followers.pop(grammar, None) or GrammarFollower(grammar, self._spellings)
        self._followers[grammar] = follower   # (last used last)
        while len(self._followers) > FOLLOWERS_KEPT:
            self._followers.pop(next(iter(self._followers)))
        return follower

    def hear_out(self, audio: np.ndarray) -> str:
        """The words of speech that decoded to nothing, decoded with the end barred from the first token: the
        recogniser sometimes ends at once on a clip that holds a command ("Set an egg timer for six minutes."
        after digital silence, seed 887), while its likeliest words after that are the command heard a little
        wrong ("Santa nun, time for sick spirits."). Remembered as the clip's free reading, so a reading within
        the commands is judged against these words; "" for a clip too short to hold speech."""
        clip = _trim_edges(as_float(audio))
        if len(clip) < MIN_SECS * SAMPLE_RATE:
            return ""
        with self._lock, timed(self):
            known = self._recent.get(_fingerprint(clip))
            hidden = known.hidden if known is not None else self.recognizer.encode(clip)
            text, score, ids = self.recognizer.read(hidden, words_first=True)
            self._remember(clip, _Decode(hidden, score, len(text.split()), ids, clean_transcript(text)))
        return clean_transcript(text)

    def heard_confidence(self, audio: np.ndarray, text: str) -> float | None:
        """How sure the recogniser was of `text`, its free reading of `audio`: the reading's mean log-likelihood
        per token (nats); None when `text` is not what the last decode of that audio wrote."""
        clip = _trim_edges(as_float(audio))
        with self._lock:
            decode = self._recent.get(_fingerprint(clip))
        if decode is None or not decode.ids or not text or decode.text != text:
            return None
        return decode.score / len(decode.ids)

    def _remember(self, clip: np.ndarray, decode: _Decode) -> None:
        """The last decodes' encodings: a turn read again reuses its decode (~0.15 s for 2 s of speech). The
        clip's readings kept were judged against its last free reading (`hear_out` gives another): dropped."""
        fingerprint = _fingerprint(clip)
        self._recent[fingerprint] = decode
        self._readings = {key: reading for key, reading in self._readings.items() if key[0] != fingerprint}
        while len(self._recent) > RECENT_DECODES:
            self._recent.pop(next(iter(self._recent)))

    def bias_towards(self, words: list[str]) -> None:
        """Favour these words (device names, rooms, command words) where the recogniser hesitates."""
        with self._lock:
            self.recognizer.bias_towards(words, BIAS_BONUS)

    def warm_up(self, speech: np.ndarray) -> None:
        """Decode real speech once, so a user never pays first-call costs (silence does not exercise the
        decoder). With the optimised decoder the first decode is no slower; from the .ort it is ~0.2 s slower."""
        text = self.transcribe(speech)
        log.info("speech-to-text warm", extra={"secs": round(self.last_secs, 2), "heard": text})


def _fingerprint(clip: np.ndarray) -> bytes:
    return hashlib.blake2b(clip.tobytes(), digest_size=16).digest()


def clean_transcript(text: str) -> str:
    """Single spaces, looping repeats cut, letters of other scripts and music marks dropped, and "" for output
    without a letter or digit (noise decoded as '.')."""
    text = collapse_repeats(_SPACES.sub(" ", _latin_only(text).translate(NO_MUSIC_MARKS)).strip())
    return text if any(ch.isalnum() for ch in text) else ""


def _latin_only(text: str) -> str:
    """`text` without letters of other scripts: the English models write them only when a decode has gone
    astray (fast speech after digital silence as "下次继继继…", foreign speech as "跟跟跟…"), never as words
    anyone said to the device; what is left of the turn is then read again within the commands."""
    return "".join(ch for ch in text if not ch.isalpha() or ch.isascii() or unicodedata.name(ch, "").startswith("LATIN"))


def collapse_repeats(text: str) -> str:
    """Cut decoder loops ("like in the weather like in the weather like in ...") down to one copy.

    On clipped or odd audio Moonshine can repeat a phrase until its length limit. A phrase of 4-12
    words twice in a row, of 2-3 words three times, or one word four times is a loop, not speech; a
    trailing piece of the looped phrase goes too.
    """
    words = text.split()
    keys = [_word_key(w) for w in words]
    for size in range(1, MAX_LOOP_WORDS + 1):
        needed = 4 if size == 1 else 3 if size < 4 else 2
        index = 0
        while index + size * needed <= len(words):
            unit = keys[index:index + size]
            count = 1
            while keys[index + count * size: index + (count + 1) * size] == unit:
                count += 1
            if count >= needed:
                end = index + count * size
                tail = 0
                while end + tail < len(words) and tail < size and keys[end + tail] == unit[tail]:
                    tail += 1
                del words[index + size: end + tail], keys[index + size: end + tail]
            index += 1
    return " ".join(words)


def _word_key(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def as_float(audio: np.ndarray) -> np.ndarray:
    """int16, or float, as finite float32 in [-1, 1]."""
    audio = np.asarray(audio).ravel()
    if audio.dtype == np.int16:
        return audio.astype(np.float32) / 32768.0
    audio = np.nan_to_num(audio.astype(np.float32, copy=False), nan=0.0, posinf=0.0, neginf=0.0)
    return np.clip(audio, -1.0, 1.0)


def _trim_edges(audio: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > EDGE_LEVEL)
    if not len(loud):
        return audio[:0]
    return np.ascontiguousarray(audio[loud[0]: loud[-1] + 1])


def model_files(model_dir: Path, weights: str) -> tuple[Path, Path]:
    """(encoder, decoder) files for `weights`; a copy that cannot be made falls back to the original."""
    encoder, decoder = model_dir / "encoder_model.ort", model_dir / "decoder_model_merged.ort"
    if weights == "prepared":
        directories = prepared_dirs(model_dir)
        return prepared_copy(encoder, directories) or encoder, prepared_copy(decoder, directories) or decoder
    if weights == "folded":  # as ONNX, onnxruntime folds the int8 dequantisation once: ~6x faster per token
        decoder = optimisable_copy(decoder, cache_dirs(model_dir)) or decoder
    return encoder, decoder


def _load_recognizer(model_dir: Path, threads: int, weights: str) -> MoonshineModel:
    encoder, decoder = model_files(model_dir, weights)
    try:
        return MoonshineModel(encoder, decoder, model_dir / "tokens.txt", threads)
    except Exception as err:  # onnxruntime raises several types for unreadable models
        raise ModelError(f"speech-to-text model in {model_dir} cannot be loaded ({err}); "
                         f"fix: {REINSTALL_HINT} stt") from err
