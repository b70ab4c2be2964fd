"""``qa eval``: answer every gold item through the public Assistant API, score it, write
results.jsonl, summary.json and report.md, and (with --check) gate on eval/baseline.json.

Each suite of eval/baseline.json (see eval.suites: seeds, and realtimeqa news) is run over its
own cached index and gated on its own floors."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from statistics import median
from typing import Any

from eval.gold import GoldItem, load_gold_files
from eval.metrics import aggregate, contains, reciprocal_rank, token_f1
from eval.report import write_report
from eval.suites import Rules, Suite, bench_folder, load_suites, plan, repo_root
from qa import (
    GENERATORS,
    Answer,
    Assistant,
    Citation,
    IndexMismatchError,
    IndexReport,
    InputError,
    Settings,
    index_paths,
)


def _quoted(assistant: Assistant, c: Citation) -> bool:
    article = assistant.article(c.article_id)
    return article is not None and article.text[c.start : c.end] == c.quote


def score_row(item: GoldItem, answer: Answer, assistant: Assistant) -> dict[str, float]:
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
        "citations_valid": float(all(_quoted(assistant, c) for c in answer.citations)),
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
        first = answer.timings_ms.get("first_token")
        rows.append({
            "id": item.id, "question": item.question, **item.extra,
            "answers": item.answers, "sources": item.sources, "answerable": item.answerable,
            "kind": item.kind, "answer": answer.text, "refused": answer.refused,
            "citations": d["citations"],
            "retrieved": list(dict.fromkeys(p.article_id for p in answer.passages)),
            "latency_ms": round(latency, 1),
            "first_token_ms": first, "generator": answer.generator, "notes": answer.notes,
            "model_reply": answer.model_reply,
            "scores": score_row(item, answer, assistant),
        })  # fmt: skip
    return rows


def summarize(rows: list[dict[str, Any]], assistant: Assistant) -> dict[str, Any]:
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        kinds[r["kind"]].append(r)
    overall = aggregate(rows)
    firsts = [r["first_token_ms"] for r in rows if r.get("first_token_ms") is not None]
    if firsts:
        overall["first_token_median_ms"] = round(median(firsts), 1)
    index = assistant.summary()
    # answers the model worded (the others: refusals and disagreements, which it never sees, and
    # fallbacks when it was unavailable)
    overall["model_worded"] = sum(r["generator"] != "extractive" for r in rows)
    return {
        "overall": overall,
        "per_kind": {k: aggregate(v) for k, v in sorted(kinds.items())},
        # each gold file on its own (a suite may score an answerable set and a refusal set together)
        "per_file": {
            f: aggregate([r for r in rows if r.get("gold_file") == f])
            for f in dict.fromkeys(r.get("gold_file") for r in rows)
            if f
        },
        "fingerprint": index.fingerprint,
        "settings": assistant.settings.model_dump(mode="json"),
        "models": {"embedding": index.embedding_model, "generator": index.generator},
        "versions": {p: version(p) for p in ("sentence-transformers", "chromadb", "torch")},
    }


def check(summary: dict[str, Any], rules: Rules) -> list[str]:
    """The metrics that fell below their floor (or rose above their ceiling) by more than the
    tolerance stated in the baseline file."""
    failures = []
    for name, rule in rules.items():
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


def index_corpus(settings: Settings, corpus: Path) -> IndexReport:
    """Bring the corpus's own evaluation index up to date; it is a cache of the corpus, so one
    built with other settings is rebuilt (a shared Chroma server is left to its owner)."""
    try:
        return index_paths(settings, [corpus])
    except IndexMismatchError:
        if settings.chroma_url:
            raise
        print(f"note: rebuilding {settings.home} (built with other settings)", file=sys.stderr)
        return index_paths(settings, [corpus], rebuild=True)


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    generators = [g.strip() for g in (args.generator or settings.generator).split(",") if g.strip()]
    if unknown := [g for g in generators if g not in GENERATORS]:
        raise InputError(f"unknown generator {unknown[0]!r}: use {', '.join(GENERATORS)}")
    baseline = Path(args.baseline)
    bench, asked = bench_folder(args.bench, repo_root(baseline))
    suites = load_suites(baseline, bench)
    runs = plan(suites, names=args.suite, gold=args.gold, corpus=args.corpus,
                out=Path(args.out), bench=bench, bench_asked=asked)  # fmt: skip
    for note in runs.notes:
        print(f"note: {note}", file=sys.stderr)
    failures: list[str] = []
    for suite, out in runs.runs:
        found = run_suite(suite, settings, generators, out, gate=args.check)
        failures += [f"{suite.name} {f}" for f in found]
    for failure in failures:
        print(f"regression: {failure}", file=sys.stderr)
    return 1 if args.check and failures else 0


def run_suite(
    suite: Suite, settings: Settings, generators: list[str], out: Path, *, gate: bool
) -> list[str]:
    """Index the suite's corpus, run each generator over its gold files, and return what fell
    below the suite's floors (with ``gate``) or cited worse than the extractive run."""
    if not suite.corpus.exists():
        raise InputError(f"{suite.corpus}: no such corpus file or folder")
    settings = corpus_settings(settings, suite.corpus)
    t0 = time.perf_counter()
    report = index_corpus(settings, suite.corpus)
    print(f"index ({suite.name}): {report.counts()} in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)  # fmt: skip
    summaries: dict[str, dict[str, Any]] = {}
    for generator in generators:
        # one generator: its files in `out`; several: one folder each, and a comparison
        where = out / generator if len(generators) > 1 else out
        summaries[generator] = run_one(suite, settings.model_copy(update={"generator": generator}),
                                       where)  # fmt: skip
    failures: list[str] = []
    if len(generators) > 1:
        write_comparison(out, summaries)
        print(f"comparison: {out / 'comparison.md'}")
        failures += compare(summaries)
    if gate and "extractive" in summaries:
        # the committed floors are the extractive default's; a model is held to "no worse"
        failures += check(summaries["extractive"], suite.metrics)
    return failures


# A model may word answers differently, but must not cite worse than the extractive default.
NO_WORSE = ("supported", "citation_source_precision", "citation_validity")
COMPARED = ("accuracy", "f1", "supported", "citation_source_precision", "citation_validity",
            "refusal_recall", "false_refusal_rate", "model_worded", "latency_median_ms",
            "latency_p95_ms", "first_token_median_ms")  # fmt: skip


def run_one(suite: Suite, settings: Settings, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with Assistant.open(settings) as assistant:
        # Our own gold set must match our seeds exactly; a benchmark's corpus (or another
        # corpus given by hand) may lack a page its questions cite.
        warn = (lambda m: print(f"warning: {m}", file=sys.stderr)) if suite.lenient else None
        groups = load_gold_files(list(suite.gold), {a.id for a in assistant.articles()}, warn)
        rows = [
            {**row, "gold_file": label}
            for label, items in groups.items()
            for row in evaluate(assistant, items)
        ]
        summary = summarize(rows, assistant)
    summary = {"suite": suite.name, "gold": [str(p) for p in suite.gold],
               "corpus": str(suite.corpus), **summary}  # fmt: skip
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    write_report(out, rows, summary)
    overall = summary["overall"]
    print(f"[{suite.name}, {settings.generator}] "
          + " ".join(f"{k}={v}" for k, v in overall.items()))  # fmt: skip
    print(f"{suite.name}: {len(rows)} questions answered in {time.perf_counter() - t0:.1f} s;"
          f" report: {out / 'report.md'}")  # fmt: skip
    return summary


def compare(summaries: dict[str, dict[str, Any]]) -> list[str]:
    """Where a model-worded run cites worse than the extractive one."""
    base = summaries.get("extractive")
    if base is None:
        return []
    failures = []
    for generator, summary in summaries.items():
        for metric in NO_WORSE:
            mine, theirs = summary["overall"][metric], base["overall"][metric]
            if generator != "extractive" and mine < theirs:
                failures.append(f"{generator} {metric} = {mine} < extractive {theirs}")
    return failures


def write_comparison(out: Path, summaries: dict[str, dict[str, Any]]) -> None:
    names = list(summaries)
    lines = ["# Generators side by side", "",
             "Same gold set, same index; each column's full report is in its folder.", "",
             "| metric | " + " | ".join(f"{n} (`{summaries[n]['models']['generator']}`)"
                                       for n in names) + " |",
             "|---|" + "---|" * len(names)]  # fmt: skip
    for metric in COMPARED:
        values = [summaries[n]["overall"].get(metric, "-") for n in names]
        lines.append(f"| {metric} | " + " | ".join(str(v) for v in values) + " |")
    (out / "comparison.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
