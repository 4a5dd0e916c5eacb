"""Knowledge benchmark: answers from documents, measured against the issue's targets.

    .venv/bin/python -m scripts.bench.knowledge [--reps 5] [--tts] [--llm] [--set DIR ...]

- accuracy on four question sets (knowledge_data/: `dev`, the set the rules were shaped on; `holdout` and
  `fresh`, new documents, and `paraphrase`, informal rephrasings, each written later and run as written before
  its round of fixes): right fact, wrong fact, missed, and for questions the documents do not answer,
  declined or answered anyway; invented facts (a number or code in an answer that no
  document contains) everywhere;
- the questions the intent layer claims before the knowledge base sees them (knowledge_claims.py);
- index build time for 100 printed pages and query time on them (with the real documents among them);
- `--tts`: time to first audio of the in-process text path: responder match, then synthesis of the first
  sentence with the configured voice (the rest of the chain, STT and playback, is measured end to end by the
  conversation benchmarks);
- `--llm`: the same questions answered by SmolLM2 phrasing the retrieved passage instead of quoting it.

Raw results go to bench-results/knowledge-<time>.json (and knowledge-latest.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from firmware_py.config import KnowledgeSettings, Settings
from firmware_py.knowledge import KnowledgeBase

from .knowledge_claims import intent_claims
from .knowledge_pages import make_pages
from .stats import summarize

DATA = Path(__file__).resolve().parent / "knowledge_data"
SETS = {"dev": DATA, "holdout": DATA / "holdout", "fresh": DATA / "fresh", "paraphrase": DATA / "paraphrase",
        "fresh2": DATA / "fresh2", "fresh3": DATA / "fresh3", "fresh4": DATA / "fresh4",
        "fresh5": DATA / "fresh5", "fresh6": DATA / "fresh6", "fresh7": DATA / "fresh7",
        "fresh8": DATA / "fresh8", "fresh9": DATA / "fresh9", "fresh10": DATA / "fresh10",
        "fresh11": DATA / "fresh11", "fresh12": DATA / "fresh12",
        "fresh13": DATA / "fresh13", "fresh14": DATA / "fresh14", "fresh15": DATA / "fresh15",
        "fresh16": DATA / "fresh16", "fresh17": DATA / "fresh17",
        "fresh18": DATA / "fresh18", "fresh19": DATA / "fresh19",
        "fresh20": DATA / "fresh20", "fresh21": DATA / "fresh21",
        "fresh22": DATA / "fresh22", "fresh23": DATA / "fresh23"}
RESULTS = Path(__file__).resolve().parents[2] / "bench-results"
NO_LIBRARY = "/nonexistent-knowledge-library"
_FACT = re.compile(r"[$€£]?\d[\d.,:/-]*\d|[$€£]?\d|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{3,}")


def load_average() -> list[float]:
    return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]


def questions_of(folder: Path) -> list[dict[str, Any]]:
    return json.loads((folder / "questions.json").read_text())["questions"]


def documents_of(folder: Path) -> Path:
    """A set's documents: its own `documents/`, or the folder its questions.json names."""
    named = json.loads((folder / "questions.json").read_text()).get("documents")
    return (folder / named).resolve() if named else folder / "documents"


def base_for(sources: list[Path]) -> KnowledgeBase:
    base = KnowledgeBase(KnowledgeSettings(sources=[str(s) for s in sources], dir=NO_LIBRARY))
    base.refresh()
    return base


def document_text(folder: Path) -> str:
    return " ".join(path.read_text(errors="replace") for path in sorted(documents_of(folder).iterdir()))


def verdict(expect: list[str] | None, answer: str | None) -> str:
    if expect is None:
        return "declined" if answer is None else "false_answer"
    if answer is None:
        return "missed"
    lowered = answer.lower()
    right = all(any(alt.lower() in lowered for alt in fact.split("|")) for fact in expect)
    return "right" if right else "wrong"


def invented_facts(answer: str, source: str) -> list[str]:
    """Numbers, prices, times and codes of `answer` that `source` does not contain."""
    return [fact for fact in _FACT.findall(answer) if fact.rstrip(".,") not in source]


def tally(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["expect"] is not None]
    unanswerable = [r for r in rows if r["expect"] is None]
    count = lambda items, name: sum(r["verdict"] == name for r in items)  # noqa: E731
    return {"answerable": len(answerable), "right": count(answerable, "right"), "wrong": count(answerable, "wrong"),
            "missed": count(answerable, "missed"), "accuracy": round(count(answerable, "right") / len(answerable), 3),
            "unanswerable": len(unanswerable), "declined": count(unanswerable, "declined"),
            "false_answers": count(unanswerable, "false_answer"),
            "invented_facts": sum(len(r["invented"]) for r in rows)}


def run_set(name: str, folder: Path, reps: int) -> dict[str, Any]:
    base = base_for([documents_of(folder)])
    source = document_text(folder)
    rows = []
    for item in questions_of(folder):
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            found = base.ask(item["q"])
            times.append((time.perf_counter() - started) * 1000)
        answer = found.text if found else None
        rows.append({"q": item["q"], "expect": item["expect"], "answer": answer,
                     "source": [found.document.rsplit("/", 1)[-1], found.section] if found else None,
                     "score": found.score if found else None, "verdict": verdict(item["expect"], answer),
                     "invented": invented_facts(answer, source) if answer else [], "ask_ms": times})
    base.close()
    summary = tally(rows) | {"ask_ms": summarize([t for r in rows for t in r["ask_ms"]], 3)}
    return {"set": name, "summary": summary, "questions": rows}


def run_scale(reps: int, pages: int = 100) -> dict[str, Any]:
    """Index build for `pages` printed pages, and query times with the dev documents among them."""
    with tempfile.TemporaryDirectory() as folder:
        page_dir = Path(folder) / "pages"
        make_pages(page_dir, pages)
        chars = sum(path.stat().st_size for path in page_dir.iterdir())
        builds = []
        for _ in range(reps):
            started = time.perf_counter()
            base_for([page_dir]).close()
            builds.append(time.perf_counter() - started)
        base = base_for([page_dir, DATA / "documents"])
        questions = questions_of(DATA)
        ask_ms, search_ms, rows = [], [], []
        for item in questions:
            for _ in range(reps):
                started = time.perf_counter()
                found = base.ask(item["q"])
                ask_ms.append((time.perf_counter() - started) * 1000)
                terms = base.index.terms.terms(item["q"], merge_synonyms=True)
                started = time.perf_counter()
                base.index.search(terms)
                search_ms.append((time.perf_counter() - started) * 1000)
            answer = found.text if found else None
            rows.append({"verdict": verdict(item["expect"], answer), "expect": item["expect"], "invented": []})
        passages = base.index.passage_count
        base.close()
    return {"pages": pages, "chars": chars, "passages": passages, "build_secs": summarize(builds, 3),
            "ask_ms": summarize(ask_ms, 3), "search_ms": summarize(search_ms, 3),
            "dev_with_pages": tally(rows)}


async def run_first_audio(folder: Path, reps: int) -> dict[str, Any]:
    """Responder match plus synthesis of the answer's first sentence, per answerable question."""
    from firmware_py.models.manifest import models_dir
    from firmware_py.respond.knowledge import create_knowledge_responder
    from firmware_py.speech.tts import create_tts

    settings = Settings(knowledge=KnowledgeSettings(sources=[str(folder / "documents")], dir=NO_LIBRARY,
                                                    watch_secs=0))
    tts = create_tts(settings.tts, models_dir(settings.models.dir))
    responder = create_knowledge_responder(settings)
    assert responder is not None
    match_ms, synth_ms, total_ms = [], [], []
    for item in questions_of(folder):
        for _ in range(reps):
            started = time.perf_counter()
            answer = await responder.match(item["q"], "bench")
            matched = time.perf_counter()
            if answer is None:
                continue
            tts.synthesize(tts.sentences(answer.text)[0])
            done = time.perf_counter()
            match_ms.append((matched - started) * 1000)
            synth_ms.append((done - matched) * 1000)
            total_ms.append((done - started) * 1000)
    await responder.close()
    return {"match_ms": summarize(match_ms, 3), "first_sentence_tts_ms": summarize(synth_ms, 3),
            "first_audio_ms": summarize(total_ms, 3)}


def run_llm(folder: Path, n_ctx: int = 2048, kv_cache: str = "f16", model: Path | None = None) -> dict[str, Any]:
    """Every question of `folder` answered by the LLM from the passage the index ranks first."""
    from firmware_py.models.manifest import models_dir

    from .knowledge_llm import PassagePhraser

    phraser = PassagePhraser(model or models_dir() / "llm" / "SmolLM2-135M-Instruct.Q4_1.gguf", n_ctx, kv_cache)
    base = base_for([documents_of(folder)])
    rows = []
    for item in questions_of(folder):
        hits = base.index.search(base.index.terms.terms(item["q"], merge_synonyms=True), 1)
        passage = hits[0].passage.passage.text if hits else ""
        result = phraser.phrase(passage, item["q"])
        said = None if "don't have that information" in result["text"] else result["text"]
        rows.append({"q": item["q"], "expect": item["expect"], "answer": result["text"],
                     "verdict": verdict(item["expect"], said), "invented": invented_facts(said or "", passage),
                     "first_token_ms": result["first_token_ms"], "total_ms": result["total_ms"]})
    base.close()
    return {"summary": tally(rows) | {"first_token_ms": summarize([r["first_token_ms"] for r in rows], 1),
                                      "total_ms": summarize([r["total_ms"] for r in rows], 1)},
            "questions": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="repetitions of every timing")
    parser.add_argument("--tts", action="store_true", help="also time the first audio (loads the voice)")
    parser.add_argument("--llm", action="store_true", help="also measure LLM phrasing (loads SmolLM2)")
    parser.add_argument("--llm-ctx", type=int, default=2048, help="the LLM's context in tokens (small profile: 1024)")
    parser.add_argument("--llm-model", type=Path, default=None, help="another GGUF than the manifest's")
    parser.add_argument("--llm-kv-cache", default="f16", choices=("f16", "q8_0"), help="the LLM's KV cache precision")
    parser.add_argument("--set", dest="sets", action="append", type=Path, metavar="DIR",
                        help="only this question set: DIR/questions.json and DIR/documents/ (repeatable)")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "load_before": load_average(),
                              "reps": args.reps}
    sets = {folder.name: folder for folder in args.sets} if args.sets else SETS
    report["sets"] = {name: run_set(name, folder, args.reps) for name, folder in sets.items()}
    report["scale"] = run_scale(args.reps)
    report["intent_claims"] = intent_claims(sets, questions_of)
    if args.tts:
        report["first_audio"] = asyncio.run(run_first_audio(DATA, args.reps))
    if args.llm:
        report["llm_phrasing"] = {name: run_llm(folder, args.llm_ctx, args.llm_kv_cache, args.llm_model)
                                  for name, folder in sets.items()}
        report["llm_settings"] = {"n_ctx": args.llm_ctx, "kv_cache": args.llm_kv_cache,
                                  "model": str(args.llm_model or "manifest")}
    report["load_after"] = load_average()
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    (RESULTS / f"knowledge-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(text)
    (RESULTS / "knowledge-latest.json").write_text(text)
    print_summary(report)
    return 0


def print_summary(report: dict[str, Any]) -> None:
    print(f"load average before {report['load_before']}, after {report['load_after']}")
    for name, result in report["sets"].items():
        s = result["summary"]
        print(f"{name:8} right {s['right']}/{s['answerable']} ({s['accuracy']:.0%}), wrong {s['wrong']}, "
              f"missed {s['missed']}; unanswerable declined {s['declined']}/{s['unanswerable']}, "
              f"false answers {s['false_answers']}; invented facts {s['invented_facts']}; "
              f"ask ms median {s['ask_ms']['median']} p95 {s['ask_ms']['p95']}")
    scale = report["scale"]
    print(f"{scale['pages']} pages ({scale['passages']} passages): build s median {scale['build_secs']['median']} "
          f"p95 {scale['build_secs']['p95']}; ask ms median {scale['ask_ms']['median']} p95 {scale['ask_ms']['p95']}; "
          f"FTS5 search ms median {scale['search_ms']['median']} p95 {scale['search_ms']['p95']}; dev accuracy "
          f"among them {scale['dev_with_pages']['accuracy']:.0%}, "
          f"false answers {scale['dev_with_pages']['false_answers']}")
    claims = report["intent_claims"]
    print(f"claimed by the intents before the documents: {claims['claimed']} of {claims['questions']} questions")
    for claim in claims["claims"]:
        print(f"  {claim['set']}: {claim['question']!r} -> {claim['said'] or claim['actions']}")
    if "first_audio" in report:
        audio = report["first_audio"]
        print(f"first audio (match + first sentence TTS) ms median {audio['first_audio_ms']['median']} "
              f"p95 {audio['first_audio_ms']['p95']}")
    for name, result in report.get("llm_phrasing", {}).items():
        s = result["summary"]
        print(f"LLM {name:8} right {s['right']}/{s['answerable']}, wrong {s['wrong']}, missed {s['missed']}; "
              f"false answers {s['false_answers']}/{s['unanswerable']}; invented facts {s['invented_facts']}; "
              f"first token ms median {s['first_token_ms']['median']}")


if __name__ == "__main__":
    raise SystemExit(main())
