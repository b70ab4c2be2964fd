"""One ``qa bench`` measurement in a fresh Python process (``python -m eval.bench_worker SPEC``),
so that its peak memory is that pipeline's own: our ingest, a tutorial index build, or our
serving run over the questions. ``eval.bench.run_worker`` writes the SPEC (a JSON file naming
the kind of run and where to write its result) and reads the result back.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from eval import baselines as bl
from qa import Assistant, IndexMismatchError, QAError, Settings, index_paths

TITLE_PIECES = 32  # our "title-prefix-v1" scheme embeds the title cut to 32 word pieces


def worker_main(argv: list[str]) -> int:
    """Run the SPEC file ``argv[0]`` names; its result (or error) goes to the file it names."""
    spec = json.loads(Path(argv[0]).read_text())
    bl.quiet_logs()
    workers = {"ours-ingest": _ours_ingest, "baseline": _baseline_build, "serve": _serve}
    try:
        result, code = workers[spec["kind"]](spec), 0
    except QAError as exc:
        result, code = {"error": str(exc)}, 2
    Path(spec["result"]).write_text(json.dumps(result))
    return code


def _ours_ingest(spec: dict[str, Any]) -> dict[str, Any]:
    settings = Settings(**spec["settings"])
    t0 = time.perf_counter()
    try:
        report = index_paths(settings, [Path(spec["corpus"])], progress=False)
    except IndexMismatchError:  # built under other settings: the benchmark's own index, rebuild
        report = index_paths(settings, [Path(spec["corpus"])], rebuild=True, progress=False)
    wall = time.perf_counter() - t0
    peak = bl.peak_rss_mb()
    t1 = time.perf_counter()
    with Assistant.open(settings) as assistant:
        open_s = time.perf_counter() - t1  # first open also builds the BM25 cache
        over = _over_limit(assistant, Path(spec["model"]))
    articles = report.added + report.updated + report.unchanged
    return {"articles": articles, "chunks": report.chunks, "wall_s": round(wall, 2),
            "peak_rss_mb": peak, "first_open_s": round(open_s, 2), **over}  # fmt: skip


def _over_limit(assistant: Assistant, model: Path) -> dict[str, Any]:
    """Our chunks whose embedding input (title prefix + text, as the indexer builds it) exceeds
    the model's limit, counted with the model's own tokenizer."""
    pieces, limit = bl.WordPieces(model), bl.word_piece_limit(model)
    scheme = assistant.summary().scheme
    cut = TITLE_PIECES if "title-prefix-v1" in scheme else 10_000  # unknown: whole title
    titles: dict[str, str] = {}
    inputs = []
    for c in assistant.passages():
        if c.title not in titles:
            titles[c.title] = pieces.cut(c.title, cut)
        inputs.append(f"{titles[c.title]}\n{c.text}" if c.title else c.text)
    counts = pieces.count(inputs)
    return {"truncated": sum(n > limit for n in counts), "max_word_pieces": max(counts, default=0),
            "word_piece_limit": limit, "scheme": scheme}  # fmt: skip


def _baseline_build(spec: dict[str, Any]) -> dict[str, Any]:
    variant = bl.VARIANTS[spec["variant"]]
    return bl.build(variant, Path(spec["corpus"]), Path(spec["model"]), Path(spec["dest"]))


def _title_questions(assistant: Assistant) -> tuple[list[dict[str, Any]], list[str]]:
    """Generic questions (and different warm-up ones) built from article titles."""
    titles = [a.title or a.id for a in assistant.articles()]
    measure = [{"id": f"title-{n}", "question": f"What does the news say about {t}?"}
               for n, t in enumerate(titles[:20])]  # fmt: skip
    return measure, [f"Tell me about {t}" for t in titles[-3:]]


def _serve(spec: dict[str, Any]) -> dict[str, Any]:
    """Open the assistant and answer every question, ``repeat`` times, each time in a fresh
    Assistant (so per-process caches of query and sentence vectors start cold), after a warm-up."""
    settings = Settings(**spec["settings"])
    passes: list[dict[str, Any]] = []
    out: dict[str, Any] = {}
    for r in range(spec["repeat"]):
        t0 = time.perf_counter()
        with Assistant.open(settings) as assistant:
            open_s = time.perf_counter() - t0
            generic, warmup = _title_questions(assistant)
            questions = spec["questions"] if spec["questions"] is not None else generic
            for w in warmup:
                assistant.ask(w)
            ask_ms, retrieve_ms, rows = [], [], []
            for q in questions:
                t = time.perf_counter()
                a = assistant.ask(q["question"], q.get("history") or None, as_of=q.get("as_of"))
                ask_ms.append((time.perf_counter() - t) * 1000)
                retrieve_ms.append(a.timings_ms.get("retrieve", 0.0))
                rows.append({"id": q["id"], "ranked": _ranked(a), "answer": a.text,
                             "refused": a.refused})  # fmt: skip
            passes.append(
                {"open_s": round(open_s, 2), "ask_ms": ask_ms, "retrieve_ms": retrieve_ms}
            )
            if r == 0:
                if spec["undated"]:
                    for row, q in zip(rows, questions, strict=True):
                        row["ranked_undated"] = _ranked(
                            assistant.ask(q["question"], q.get("history") or None)
                        )
                out = {"rows": rows, "questions": questions, "warmup": warmup,
                       "article_ids": [a.id for a in assistant.articles()]}  # fmt: skip
    return {**out, "passes": passes, "peak_rss_mb": bl.peak_rss_mb()}


def _ranked(answer: Any) -> list[str]:
    return list(dict.fromkeys(p.article_id for p in answer.passages))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m eval.bench_worker SPEC (internal to qa bench)")
    sys.exit(worker_main(sys.argv[1:]))
