"""The alternative answer path, measured: the local LLM phrases the answer from the retrieved passage.

Same model, threads and context as the daemon's default (SmolLM2-135M Q4_1, one thread; `--llm-ctx` and
`--llm-kv-cache` give the small profile's 1024 tokens and q8_0 cache). Each question gets
the passage the index ranks first and an instruction to use only it, or to say it does not know.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

SYSTEM = ("You answer visitors' questions at an information kiosk. Use only the facts in the passage. Answer in "
          "one short sentence. If the passage does not answer the question, say: Sorry, I don't have that "
          "information.")


class PassagePhraser:
    def __init__(self, model_path: Path, n_ctx: int = 2048, kv_cache: str = "f16") -> None:
        from llama_cpp import Llama

        from firmware_py.llm.local import kv_cache_options

        self._llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=1, n_batch=256, seed=0,
                          chat_format="chatml", verbose=False, **kv_cache_options(kv_cache))
        self.phrase("Warm-up passage.", "Warm-up?")

    def phrase(self, passage: str, question: str) -> dict[str, Any]:
        """The model's answer with its time to first token and total time, in milliseconds."""
        messages = [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": f"Passage: {passage}\n\nQuestion: {question}"}]
        started = time.perf_counter()
        first_token_ms = None
        pieces = []
        for chunk in self._llm.create_chat_completion(messages=messages, max_tokens=60, temperature=0.0,
                                                      stream=True):
            delta = chunk["choices"][0]["delta"].get("content") or ""
            if delta and first_token_ms is None:
                first_token_ms = (time.perf_counter() - started) * 1000
            pieces.append(delta)
        return {"text": "".join(pieces).strip(), "first_token_ms": first_token_ms,
                "total_ms": (time.perf_counter() - started) * 1000}
