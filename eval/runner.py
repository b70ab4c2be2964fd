"""``qa eval``: answer every gold item through the public Assistant API, score it, write
results.jsonl, summary.json and report.md, and (with --check) gate on eval/baseline.json."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from eval.gold import GoldItem, load_gold
from eval.metrics import aggregate, contains, reciprocal_rank, token_f1
from eval.report import write_report
from qa import Answer, Assistant, InputError, Settings, index_paths


def score_row(item: GoldItem, answer: Answer, articles: dict[str, str]) -> dict[str, float]:
    text = answer.text
    sources = set(item.sources)
    ranked = list(dict.fromkeys(p.article_id for p in answer.passages))
    has_answer = any(contains(text, a) for a in item.answers)
    complete = all(contains(text, r) for r in item.requires)
    quotes = " ".join(c.quote for c in answer.citations)
    cited = [c.article_id for c in answer.citations]
    return {
        "correct": float(item.answerable and not answer.refused and has_answer and complete),
        "f1": max((token_f1(text, a) for a in item.answers), default=0.0)
        if not answer.refused
        else 0.0,
        "citation_precision": (sum(a in sources for a in cited) / len(cited)) if cited else 0.0,
        "supported": float(not answer.refused and any(contains(quotes, a) for a in item.answers)),
        "citations_valid": float(
            all(
                articles.get(c.article_id, "")[c.start : c.end] == c.quote for c in answer.citations
            )
        ),
        "hit@1": float(bool(ranked[:1]) and ranked[0] in sources),
        "hit@5": float(bool(sources & set(ranked[:5]))),
        "rr@10": reciprocal_rank(ranked, sources),
    }


def evaluate(assistant: Assistant, items: list[GoldItem]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        t0 = time.perf_counter()
        answer = assistant.ask(item.question, item.history or None, as_of=item.question_date)
        latency = (time.perf_counter() - t0) * 1000
        d = answer.to_dict()
        rows.append({
            "id": item.id, "question": item.question, **item.extra,
            "answers": item.answers, "sources": item.sources, "answerable": item.answerable,
            "kind": item.kind, "answer": answer.text, "refused": answer.refused,
            "citations": d["citations"],
            "retrieved": list(dict.fromkeys(p.article_id for p in answer.passages)),
            "latency_ms": round(latency, 1),
            "scores": score_row(item, answer, assistant.articles),
        })  # fmt: skip
    return rows


def summarize(rows: list[dict[str, Any]], assistant: Assistant) -> dict[str, Any]:
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        kinds[r["kind"]].append(r)
    return {
        "overall": aggregate(rows),
        "per_kind": {k: aggregate(v) for k, v in sorted(kinds.items())},
        "fingerprint": assistant.fingerprint,
        "settings": assistant.settings.model_dump(mode="json"),
        "models": {"embedding": assistant.embedder.model_id, "generator": "extractive"},
        "versions": {p: version(p) for p in ("sentence-transformers", "chromadb", "torch")},
    }


def check(summary: dict[str, Any], baseline_path: Path) -> list[str]:
    """The metrics that fell below their floor (or rose above their ceiling) by more than the
    tolerance stated in the baseline file."""
    baseline = json.loads(baseline_path.read_text())
    failures = []
    for name, rule in baseline["metrics"].items():
        value = summary["overall"].get(name)
        if value is None:
            failures.append(f"{name}: missing from the summary")
        elif "floor" in rule and value < rule["floor"] - rule.get("tolerance", 0.0):
            failures.append(
                f"{name} = {value} < floor {rule['floor']} - {rule.get('tolerance', 0)}"
            )
        elif "ceiling" in rule and value > rule["ceiling"] + rule.get("tolerance", 0.0):
            failures.append(
                f"{name} = {value} > ceiling {rule['ceiling']} + {rule.get('tolerance', 0)}"
            )
    return failures


def corpus_settings(settings: Settings, corpus: Path) -> Settings:
    """Each evaluated corpus gets its own index (reused by fingerprint across runs)."""
    if settings.chroma_url:
        return settings
    tag = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]
    return settings.model_copy(
        update={"home": Path(settings.home) / "eval" / f"{corpus.name}-{tag}"}
    )


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    corpus = Path(args.corpus or "seeds")
    if not corpus.exists():
        raise InputError(f"{corpus}: no such corpus file or folder")
    settings = corpus_settings(settings, corpus)
    report = index_paths(settings, [corpus])
    print(f"index: {report.counts()}", file=sys.stderr)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with Assistant.open(settings) as assistant:
        # Our own gold set must match our seeds exactly; another corpus may lack a cited page.
        lenient = args.corpus is not None and corpus.resolve() != Path("seeds").resolve()
        warn = (lambda m: print(f"warning: {m}", file=sys.stderr)) if lenient else None
        items = load_gold(Path(args.gold), set(assistant.articles), warn)
        rows = evaluate(assistant, items)
        summary = summarize(rows, assistant)
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    write_report(out, rows, summary)
    overall = summary["overall"]
    print(" ".join(f"{k}={v}" for k, v in overall.items()))
    print(f"report: {out / 'report.md'}")
    if args.check:
        failures = check(summary, Path(args.baseline))
        for failure in failures:
            print(f"regression: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0
