"""The knowledge responder in the chain: an answer with its source, the no-answer policy, live changes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from firmware_py.config import KnowledgeSettings, Settings
from firmware_py.respond.knowledge import create_knowledge_responder

HOURS = "# Bakery\n\n## Opening hours\n\nWe open at 7 am and close at 3 pm.\n"


def _settings(library: Path, **knowledge: object) -> Settings:
    return Settings(knowledge=KnowledgeSettings(dir=str(library), **knowledge))  # type: ignore[arg-type]


async def test_an_answer_names_its_document_and_section(library: Path) -> None:
    (library / "bakery.md").write_text(HOURS)
    responder = create_knowledge_responder(_settings(library, watch_secs=0))
    assert responder is not None
    answer = await responder.match("When do you open?", "local")
    assert answer is not None
    assert (answer.responder, answer.text) == ("knowledge", "We open at 7 am and close at 3 pm.")
    assert answer.source == {"document": "bakery.md", "section": "Opening hours"}
    assert 0 < answer.confidence <= 1
    await responder.close()


async def test_unanswered_questions_are_declined_or_passed_as_configured(library: Path) -> None:
    (library / "bakery.md").write_text(HOURS)
    saying = create_knowledge_responder(_settings(library, watch_secs=0, unknown_answer="Not in my papers."))
    passing = create_knowledge_responder(_settings(library, watch_secs=0, fallback="llm"))
    assert saying is not None and passing is not None
    declined = await saying.match("Do you sell birthday cakes?", "local")
    assert declined is not None and declined.text == "Not in my papers." and declined.source is None
    for small_talk in ("Hello there, thanks!", "Good morning!", "How are you?"):
        assert await saying.match(small_talk, "local") is None  # small talk is the LLM's
    assert await passing.match("Do you sell birthday cakes?", "local") is None
    await saying.close()
    await passing.close()


async def test_without_documents_every_turn_passes_and_disabled_means_none(library: Path) -> None:
    responder = create_knowledge_responder(_settings(library, watch_secs=0))
    assert responder is not None
    assert await responder.match("What's the wifi password?", "local") is None
    await responder.close()
    assert create_knowledge_responder(_settings(library, enabled=False)) is None


async def test_a_document_added_while_running_is_answered_from(library: Path) -> None:
    responder = create_knowledge_responder(_settings(library, watch_secs=0.05))
    assert responder is not None
    assert await responder.match("When do you open?", "local") is None
    (library / "bakery.md").write_text(HOURS)
    for _ in range(100):  # the watcher polls every 50 ms
        answer = await responder.match("When do you open?", "local")
        if answer is not None:
            break
        await asyncio.sleep(0.05)
    assert answer is not None and "7 am" in answer.text
    await responder.close()


async def test_a_broken_source_does_not_stop_the_responder(tmp_path: Path, library: Path) -> None:
    (library / "bakery.md").write_text(HOURS)
    (library / "scan.pdf").write_bytes(b"%PDF-1.4 garbage")
    settings = _settings(library, watch_secs=0, sources=[str(tmp_path / "missing-dir")])
    responder = create_knowledge_responder(settings)
    assert responder is not None
    problems = sorted(Path(s.path).name for s in responder.base.status() if s.problem)
    assert problems == ["missing-dir", "scan.pdf"]
    assert await responder.match("When do you close?", "local") is not None
    await responder.close()
