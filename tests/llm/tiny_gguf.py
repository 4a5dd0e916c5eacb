"""A tiny random-weight llama GGUF that llama.cpp loads in milliseconds, for fast tests of the LLM path.

Byte-level BPE ("gpt2") vocabulary: the 256 byte symbols (so any text can be encoded and every grammar can
be satisfied), a few hundred merges learnt from a small English corpus, and the ChatML control tokens;
2 layers, 64-dim, 4096 context, ChatML chat template in the metadata. Its output is random text, but deterministic for a
given seed, and grammar-constrained generation (tool calls) produces valid JSON.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import gguf
import numpy as np

CHATML_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CORPUS = (
    "the quick brown fox jumps over the lazy dog. what time is it? set a timer for five minutes. "
    "hello there, how are you today? the weather is nice and the sun is shining. functions message "
    "assistant user system timer seconds minutes label volume mute true false. one two three four five. "
)
N_EMBD, N_HEAD, N_LAYER, N_FF, N_MERGES, N_CTX = 64, 4, 2, 128, 600, 4096


def _byte_symbols() -> list[str]:
    """GPT-2's reversible byte -> printable unicode mapping, in byte order."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    mapping, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            mapping[byte] = chr(byte)
        else:
            mapping[byte] = chr(256 + extra)
            extra += 1
    return [mapping[b] for b in range(256)]


def _corpus() -> str:
    """English plus the tool prompt the engine writes, so that prompts take a realistic number of tokens."""
    from firmware_py.llm.builtin_tools import BUILTIN_TOOLS
    from firmware_py.llm.chatml import function_specs, render_prefix

    prompt = render_prefix("You are a helpful assistant.", function_specs([t.schema() for t in BUILTIN_TOOLS]))
    return CORPUS + prompt.replace("<|im_start|>", " ").replace("<|im_end|>", " ")


def _learn_merges(symbols: list[str], count: int) -> tuple[list[str], list[str]]:
    """Plain BPE training on the corpus: returns (merges "a b", new tokens)."""
    words = [[symbols[b] for b in (" " + w).encode()] for w in _corpus().split()]
    merges, tokens = [], []
    for _ in range(count):
        pairs = Counter(p for w in words for p in zip(w, w[1:]))
        if not pairs:
            break
        (left, right), _n = pairs.most_common(1)[0]
        if left + right in tokens:  # already made by another pair: one token per string
            words = [_merge_word(w, left, right) for w in words]
            continue
        merges.append(f"{left} {right}")
        tokens.append(left + right)
        words = [_merge_word(w, left, right) for w in words]
    return merges, tokens


def _merge_word(word: list[str], left: str, right: str) -> list[str]:
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == left and word[i + 1] == right:
            out.append(left + right)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def write_tiny_gguf(path: Path, seed: int = 0) -> Path:
    symbols = _byte_symbols()
    merges, merged = _learn_merges(symbols, N_MERGES)
    tokens = SPECIALS + symbols + merged
    types = [gguf.TokenType.CONTROL] * len(SPECIALS) + [gguf.TokenType.NORMAL] * (len(tokens) - len(SPECIALS))
    n_vocab = len(tokens)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny-test-llama")
    writer.add_context_length(N_CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(n_vocab)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(0)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHATML_TEMPLATE)

    rng = np.random.default_rng(seed)

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.2).astype(np.float32)

    writer.add_tensor("token_embd.weight", weight(n_vocab, N_EMBD))
    for layer in range(N_LAYER):
        prefix = f"blk.{layer}."
        writer.add_tensor(prefix + "attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(prefix + name + ".weight", weight(N_EMBD, N_EMBD))
        writer.add_tensor(prefix + "ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(prefix + "ffn_gate.weight", weight(N_FF, N_EMBD))
        writer.add_tensor(prefix + "ffn_up.weight", weight(N_FF, N_EMBD))
        writer.add_tensor(prefix + "ffn_down.weight", weight(N_EMBD, N_FF))
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    writer.add_tensor("output.weight", weight(n_vocab, N_EMBD))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
