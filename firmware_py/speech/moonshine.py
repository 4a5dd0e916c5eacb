"""Moonshine's encoder and merged decoder run directly on onnxruntime: greedy decoding with a KV cache.

Running the two sessions here (rather than through a second onnxruntime inside another library) keeps
one onnxruntime in the process and lets each session's options be chosen: weight prepacking stays on
(without it the 4-bit decoder ran ~13x slower) and the CPU arena is kept (turning it off saved nothing).
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import onnxruntime as ort

from ..audio.frames import SAMPLE_RATE
from .biasing import WordBias
from .token_table import TokenTable

START_TOKEN, END_TOKEN = 1, 2
SPECIAL_TOKENS = 3
"""Ids below this (<unk>, <s>, </s>) are never text."""
TOKENS_PER_SECOND = 15
"""Longest transcript per second of audio. Speech needs ~4 tokens/s; a looping decoder runs to this limit,
and the repeats it leaves are cut afterwards (stt.collapse_repeats), which needs two whole copies."""
SAMPLES_PER_FRAME = 384
"""Audio samples per encoder output frame."""
WORD_START = "\u2581"
KIN_LIMIT = 2
"""Readings of one kin (Follower.kin) a beam keeps at a step."""


class Follower(Protocol):
    """What a constrained reading may write next (speech/constrained.py)."""

    def start(self) -> Any: ...

    def options(self, state: Any, log_probs: np.ndarray, most: int) -> list[tuple[int, Any]]:
        """Up to `most` allowed (token, state after it), likeliest first; END_TOKEN where text may end."""

    def kin(self, state: Any) -> Any:
        """What readings in `state` can still become: a beam keeps only a few readings of one kin."""


def session_options(threads: int) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    return options


def read_tokens(path: Path) -> TokenTable:
    """tokens.txt: `<base64 token> <id>` per line, ids in order (binascii directly: half the time of
    base64.b64decode's checks, ~10 ms less at start-up)."""
    lines = Path(path).read_bytes().splitlines()
    return TokenTable(binascii.a2b_base64(line.partition(b" ")[0]) for line in lines)


class MoonshineModel:
    """One encoder + decoder pair; `transcribe` is not thread-safe (the caller serialises)."""

    def __init__(self, encoder: Path, decoder: Path, tokens: Path, threads: int = 1) -> None:
        options = session_options(threads)
        providers = ["CPUExecutionProvider"]
        self.encoder = ort.InferenceSession(str(encoder), options, providers=providers)
        self.decoder = ort.InferenceSession(str(decoder), options, providers=providers)
        self.tokens = read_tokens(tokens)
        self.bias: WordBias | None = None   # set by `bias_towards`
        # a beam's batched steps need larger buffers than a turn's decode: handed back after each step, or
        # the arena keeps them (~25 MB more after 60 readings)
        self._shrink = ort.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        past = [i for i in self.decoder.get_inputs() if i.name.startswith("past_key_values.")]
        self._past = [i.name for i in past]
        self._present = [o.name for o in self.decoder.get_outputs()][1:]
        _, heads, _, head_size = past[0].shape  # [batch, heads, past length, head size]
        self._empty = np.zeros((1, heads, 0, head_size), np.float32)
        # newer exports (tiny-en in moonshine-voice) also take all-ones attention masks
        self._audio_mask = _mask_type(self.encoder, "attention_mask")
        self._hidden_mask = _mask_type(self.decoder, "encoder_attention_mask")

    def encode(self, audio: np.ndarray, hand_back: bool = False) -> np.ndarray:
        """The encoder's view of float32 16 kHz mono `audio`, for `read` and `read_within`; `hand_back`: the
        arena returns what this run took beyond its usual (a clip longer than the turns it is sized for)."""
        inputs = {"input_values": audio[None, :].astype(np.float32, copy=False)}
        if self._audio_mask is not None:
            inputs["attention_mask"] = np.ones((1, len(audio)), self._audio_mask)
        return self.encoder.run(None, inputs, self._shrink if hand_back else None)[0]

    def read(self, hidden: np.ndarray, hand_back: bool = False,
             words_first: bool = False) -> tuple[str, float, list[int]]:
        """The free reading (greedy, with the word bias), its log-likelihood and its token ids; with
        `words_first`, the end is never the first token (see `MoonshineStt.hear_out`)."""
        ids, score = self._decode(hidden, hand_back, words_first)
        return self.detokenize(ids), score, ids

    def read_within(self, hidden: np.ndarray, follower: Follower, width: int = 8,
                    floor: float = -np.inf, rival: float = 0.0,
                    known: list[int] | None = None) -> list[tuple[str, float]]:
        """A beam search over only the tokens `follower` allows (see speech/constrained.py): the finished
        readings within `rival` of the likeliest, with their log-likelihoods, likeliest first; [] when none
        finished above `floor` (readings are dropped as soon as they fall below it, or below the likeliest
        finished one by more than `rival`: a log-likelihood only falls as a reading grows).

        `known`: the tokens of a reading the follower holds (the free reading, when it is a sentence of the
        grammar), scored at every step by one decoder run over all of it. The likeliest is at least as
        likely, so from the first step nothing more than `rival` below it is kept, and the decoder runs step
        by step only for readings that leave it within reach (most often none: a one-sound command's check
        then costs one run instead of one a token)."""
        path = self._known_path(hidden, known) if known is not None else None
        beams = [_Beam(0.0, [], follower.start(), None, path is not None)]
        finished: list[tuple[float, list[int]]] = [(path.score, path.ids)] if path is not None else []
        bar = max(floor, path.score - rival) if path is not None else floor
        cross = path.cross if path is not None else None
        for step in range(int(hidden.shape[1] * SAMPLES_PER_FRAME / SAMPLE_RATE * TOKENS_PER_SECOND)):
            off = [index for index, beam in enumerate(beams) if not beam.on_path]
            rows: list[np.ndarray] = [path.rows[step] if path is not None and beam.on_path else np.empty(0)
                                      for beam in beams]
            present: dict[str, np.ndarray] = {}
            if off:
                if cross is None:   # the first step, nothing known: the encoder's keys and values made once
                    logits, present, cross = self._first_run(hidden)
                else:
                    logits, present = self._run_beams([beams[index] for index in off], hidden, cross)
                for index, row in zip(off, _log_softmax(logits[:, -1, :])):
                    rows[index] = row
            grown: dict[Any, tuple[float, int, int, Any]] = {}
            for index, beam in enumerate(beams):
                for token, next_state in follower.options(beam.state, rows[index], 2 * width):
                    total = beam.score + float(rows[index][token])
                    if total < bar:
                        continue
                    if token == END_TOKEN:
                        if path is None or beam.ids != path.ids:   # (the known reading is counted once)
                            finished.append((total, beam.ids))
                        bar = max(bar, total - rival)
                        continue
                    # readings that differ only in case or marks hold the same words: keep the likeliest,
                    # or the beam fills with "Said," "Said." "Said!"
                    key = (next_state, self._spelled(beam.ids, token))
                    if key not in grown or grown[key][0] < total:
                        grown[key] = (total, index, token, next_state)
            kept = _diverse(sorted((item for item in grown.values() if item[0] >= bar), key=lambda item: -item[0]),
                            width, follower)
            if not kept:
                break   # every reading finished or fell below the bar
            slots = {index: slot for slot, index in enumerate(off)}
            beams = [_grown(beams[index], token, state, total, step, path, present, slots.get(index, 0))
                     for total, index, token, state in kept]
        finished.sort(key=lambda item: -item[0])
        return [(self.detokenize(ids), score) for score, ids in finished if score >= finished[0][0] - rival]

    def _known_path(self, hidden: np.ndarray, ids: list[int]) -> _KnownPath:
        """The known reading run through the decoder at once: its log-probabilities at every step, the
        decoder's keys and values along it, and the encoder's."""
        logits, own, cross = self._first_run(hidden, ids)
        rows = _log_softmax(logits[0])
        score = float(rows[np.arange(len(ids) + 1), [*ids, END_TOKEN]].sum())
        return _KnownPath(ids, rows, score, own, cross)

    def _first_run(self, hidden: np.ndarray,
                   ids: list[int] | None = None) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The decoder run from the start over `ids` too, if given: its logits, its own keys and values and the
        encoder's."""
        feeds = self._first_feeds(hidden)
        if ids:
            feeds["input_ids"] = np.array([[START_TOKEN, *ids]], np.int64)
        logits, *present = self.decoder.run(None, feeds, self._shrink)
        own, cross = self._split(present)
        return logits, own, cross

    def _run_beams(self, beams: list[_Beam], hidden: np.ndarray,
                   cross: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One cached decoder step for readings off the known one (each with its own keys and values). The
        encoder's keys and values and its output go in once, not once per reading: the decoder's attention
        MatMuls broadcast them over the batch (the same logits, bit for bit). Repeated for a width of 16 they
        were 16 copies: the 12 longest kept turns of one run read at width 16 peaked 372-379 MB in process
        against 264-267 MB now, and took 6.0-6.2 s of CPU against 4.2-4.3 s."""
        feeds = {**self._first_feeds(hidden), **cross}
        for name in beams[0].past or {}:
            feeds[name] = np.concatenate([beam.past[name] for beam in beams if beam.past is not None])
        feeds["input_ids"] = np.array([[beam.ids[-1]] for beam in beams], np.int64)
        feeds["use_cache_branch"] = np.array([True])
        logits, *present = self.decoder.run(None, feeds, self._shrink)
        return logits, self._split(present)[0]

    def _split(self, present: list[np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """A run's keys and values as the next run's inputs: the decoder's own, and the encoder's."""
        named = {name.replace("present.", "past_key_values.", 1): value for name, value in zip(self._present, present)}
        return ({name: value for name, value in named.items() if ".decoder." in name},
                {name: value for name, value in named.items() if ".decoder." not in name})

    def _first_feeds(self, hidden: np.ndarray) -> dict[str, np.ndarray]:
        feeds: dict[str, np.ndarray] = {name: self._empty for name in self._past}
        if self._hidden_mask is not None:
            feeds["encoder_attention_mask"] = np.ones(hidden.shape[:2], self._hidden_mask)
        feeds.update(encoder_hidden_states=hidden, input_ids=np.array([[START_TOKEN]], np.int64),
                     use_cache_branch=np.array([False]))
        return feeds

    def _decode(self, hidden: np.ndarray, hand_back: bool = False,
                words_first: bool = False) -> tuple[list[int], float]:
        """Greedy token ids (the word bias deciding close calls) and their summed log-probability."""
        feeds = self._first_feeds(hidden)
        ids: list[int] = []
        bias, partial = self.bias, ""
        score = 0.0
        for step in range(int(hidden.shape[1] * SAMPLES_PER_FRAME / SAMPLE_RATE * TOKENS_PER_SECOND)):
            logits, *present = self.decoder.run(None, feeds, self._shrink if hand_back else None)
            row = scored = logits[0, -1]
            if words_first and step == 0:   # picked among the words; scored with the end's probability left in
                row = scored.copy()
                row[END_TOKEN] = row.min()
            if bias is None:
                token = int(row.argmax())
            else:
                token = bias.pick(row, partial)
                partial = bias.next_partial(partial, token)
            score += float(_log_softmax(scored[None, :])[0, token])
            if token == END_TOKEN:
                break
            ids.append(token)
            for name, value in zip(self._present, present):
                if step == 0 or ".decoder." in name:  # the encoder's keys and values are made once
                    feeds[name.replace("present.", "past_key_values.", 1)] = value
            feeds["input_ids"] = np.array([[token]], np.int64)
            feeds["use_cache_branch"] = np.array([True])
        return ids, score

    def bias_towards(self, words: list[str], bonus: float = 2.0) -> None:
        """Favour these words in close calls (device names, rooms, command words); [] turns it off."""
        self.bias = WordBias(self.tokens.texts, words, WORD_START, bonus) if words else None

    def _spelled(self, ids: list[int], token: int) -> str:
        text = self.detokenize([*ids, token]).lower()
        return "".join(ch for ch in text if ch.isalnum() or ch in " '")

    def detokenize(self, ids: list[int]) -> str:
        text = self.tokens.join(i for i in ids if i >= SPECIAL_TOKENS)
        return text.decode("utf-8", errors="replace").replace(WORD_START, " ").strip()


@dataclass
class _Beam:
    """A reading being grown."""

    score: float
    ids: list[int]
    state: Any
    past: dict[str, np.ndarray] | None
    """The decoder's keys and values over the start and every token but the last (None while on the known
    reading, whose own are used)."""
    on_path: bool
    """Still the known reading's first tokens: its next step is already scored."""


@dataclass(frozen=True)
class _KnownPath:
    ids: list[int]
    rows: np.ndarray
    """Log-probabilities of the next token after the start and after each of `ids`."""
    score: float
    """The reading's log-likelihood, its end included."""
    past: dict[str, np.ndarray]
    """The decoder's keys and values over the start and all of `ids`."""
    cross: dict[str, np.ndarray]


def _grown(parent: _Beam, token: int, state: Any, total: float, step: int, path: _KnownPath | None,
           present: dict[str, np.ndarray], slot: int) -> _Beam:
    """`parent` grown by `token`: on the known reading still, leaving it here (its keys and values so far are
    the known reading's), or off it already (this step's run made them; `slot`: its place in that batch)."""
    ids = [*parent.ids, token]
    if parent.on_path and path is not None:
        if step < len(path.ids) and token == path.ids[step]:
            return _Beam(total, ids, state, None, True)
        return _Beam(total, ids, state, {name: value[:, :, :step + 1] for name, value in path.past.items()}, False)
    return _Beam(total, ids, state, {name: value[slot:slot + 1] for name, value in present.items()}, False)


def _diverse(ranked: list[tuple[float, int, int, Any]], width: int, follower: Follower) -> list[tuple[float, int, int, Any]]:
    """The likeliest `width` readings, at most `KIN_LIMIT` of one kin: spellings of a free word (a timer's
    name) all lead to one grammar state, and the likeliest of them would fill the beam."""
    kept: list[tuple[float, int, int, Any]] = []
    counts: dict[Any, int] = {}
    for item in ranked:
        kin = follower.kin(item[3])
        if counts.get(kin, 0) < KIN_LIMIT:
            counts[kin] = counts.get(kin, 0) + 1
            kept.append(item)
            if len(kept) == width:
                break
    return kept


def _log_softmax(rows: np.ndarray) -> np.ndarray:
    rows = rows.astype(np.float64)
    top = rows.max(axis=1, keepdims=True)
    return rows - top - np.log(np.exp(rows - top).sum(axis=1, keepdims=True))


def _mask_type(session: ort.InferenceSession, name: str) -> type | None:
    """The numpy type of input `name`, or None when the model has no such input."""
    for item in session.get_inputs():
        if item.name == name:
            return np.int32 if item.type == "tensor(int32)" else np.int64
    return None
