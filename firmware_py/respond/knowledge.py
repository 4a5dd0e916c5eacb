"""The knowledge responder: answers a turn with the sentences of the operator's documents that answer it.

Extractive on purpose: the small local model invents facts even with the passage in its prompt, while a
sentence taken from the document can only be as right as the document (docs/benchmarks.md, knowledge).
When the documents do not answer, it says so (`fallback = "say"`) or passes the turn to the LLM
(`fallback = "llm"`); greetings and thanks, which no document answers, always pass.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from ..config import KnowledgeSettings, Settings
from ..knowledge.library import KnowledgeBase
from ..knowledge.watcher import SourceWatcher
from .base import Answer

log = logging.getLogger("rtvi_edge.knowledge")


class KnowledgeResponder:
    name = "knowledge"

    def __init__(self, base: KnowledgeBase, settings: KnowledgeSettings) -> None:
        self.base = base
        self.settings = settings
        self.watcher = SourceWatcher(base, settings.watch_secs)
        self._start_watching()

    def _start_watching(self) -> None:
        try:
            self.watcher.start()
        except RuntimeError:  # no running loop yet: the first match starts it
            pass

    async def match(self, text: str, session_id: str) -> Answer | None:
        self._start_watching()
        if self.base.is_empty:
            return None
        found = self.base.ask(text)
        if found is not None:
            source = {"document": Path(found.document).name, "section": found.section}
            return Answer(responder=self.name, text=found.text, source=source, confidence=found.score)
        if self.settings.fallback == "say" and self.base.has_content_words(text):
            return Answer(responder=self.name, text=self.settings.unknown_answer, confidence=0.0)
        return None

    async def close(self) -> None:
        await self.watcher.stop()
        await asyncio.to_thread(self.base.close)


def create_knowledge_responder(settings: Settings) -> KnowledgeResponder | None:
    """A responder over the configured documents, indexed now; None when `[knowledge] enabled = false`.

    It exists even while no document is loaded (it then passes every turn), so a document added later with
    `rtvi-edge knowledge add` is answered from without a restart.
    """
    if not settings.knowledge.enabled:
        return None
    base = KnowledgeBase(settings.knowledge)
    report = base.refresh()
    log.info("knowledge ready", extra={"documents": report.read, "failed": report.failed,
                                       "passages": base.index.passage_count, "secs": round(report.seconds, 3)})
    return KnowledgeResponder(base, settings.knowledge)
