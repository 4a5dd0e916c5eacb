"""Moonshine's encoder and merged decoder run directly on onnxruntime: greedy decoding with a KV cache.

Running the two sessions here (rather than through a second onnxruntime inside another library) keeps
one onnxruntime in the process and lets each session's options be chosen: weight prepacking stays on
(without it the 4-bit decoder ran ~13x slower) and the CPU arena is kept (turning it off saved nothing).
"""

from __future__ import annotations

import binascii
from pathlib import Path

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
        past = [i for i in self.decoder.get_inputs() if i.name.startswith("past_key_values.")]
        self._past = [i.name for i in past]
        self._present = [o.name for o in self.decoder.get_outputs()][1:]
        _, heads, _, head_size = past[0].shape  # [batch, heads, past length, head size]
        self._empty = np.zeros((1, heads, 0, head_size), np.float32)
        # newer exports (tiny-en in moonshine-voice) also take all-ones attention masks
        self._audio_mask = _mask_type(self.encoder, "attention_mask")
        self._hidden_mask = _mask_type(self.decoder, "encoder_attention_mask")

    def transcribe(self, audio: np.ndarray) -> str:
        """Text of float32 16 kHz mono `audio`."""
        inputs = {"input_values": audio[None, :].astype(np.float32, copy=False)}
        if self._audio_mask is not None:
            inputs["attention_mask"] = np.ones((1, len(audio)), self._audio_mask)
        hidden = self.encoder.run(None, inputs)[0]
        feeds: dict[str, np.ndarray] = {name: self._empty for name in self._past}
        if self._hidden_mask is not None:
            feeds["encoder_attention_mask"] = np.ones(hidden.shape[:2], self._hidden_mask)
        feeds.update(encoder_hidden_states=hidden, input_ids=np.array([[START_TOKEN]], np.int64),
                     use_cache_branch=np.array([False]))
        ids: list[int] = []
        bias, partial = self.bias, ""
        for step in range(int(hidden.shape[1] * SAMPLES_PER_FRAME / SAMPLE_RATE * TOKENS_PER_SECOND)):
            logits, *present = self.decoder.run(None, feeds)
            if bias is None:
                token = int(logits[0, -1].argmax())
            else:
                token = bias.pick(logits[0, -1], partial)
                partial = bias.next_partial(partial, token)
            if token == END_TOKEN:
                break
            ids.append(token)
            for name, value in zip(self._present, present):
                if step == 0 or ".decoder." in name:  # the encoder's keys and values are made once
                    feeds[name.replace("present.", "past_key_values.", 1)] = value
            feeds["input_ids"] = np.array([[token]], np.int64)
            feeds["use_cache_branch"] = np.array([True])
        return self.detokenize(ids)

    def bias_towards(self, words: list[str], bonus: float = 2.0) -> None:
        """Favour these words in close calls (device names, rooms, command words); [] turns it off."""
        self.bias = WordBias(self.tokens.texts, words, WORD_START, bonus) if words else None

    def detokenize(self, ids: list[int]) -> str:
        text = self.tokens.join(i for i in ids if i >= SPECIAL_TOKENS)
        return text.decode("utf-8", errors="replace").replace(WORD_START, " ").strip()


def _mask_type(session: ort.InferenceSession, name: str) -> type | None:
    """The numpy type of input `name`, or None when the model has no such input."""
    for item in session.get_inputs():
        if item.name == name:
            return np.int32 if item.type == "tensor(int32)" else np.int64
    return None
