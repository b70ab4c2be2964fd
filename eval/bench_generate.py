"""``qa bench generate``: how long answers take to write, generator by generator, side by side.

Every answerable gold question (or the first ``--limit``) is asked through ``Assistant.stream``
once per generator, after one warm-up question that loads the model. Reported per generator:
time to first token and total time per answer (median, p95), how many answers the model worded
(refusals and disagreements never reach it), and the ratio of each median to the extractive one.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from statistics import median
from typing import Any

from eval.gold import load_gold
from eval.metrics import percentile
from eval.runner import corpus_settings, index_corpus
from qa import GENERATORS, Answer, Assistant, InputError, Settings


def measure(assistant: Assistant, questions: list[tuple[str, Any]]) -> dict[str, Any]:
    firsts: list[float] = []
    totals: list[float] = []
    worded: list[float] = []  # totals of the answers the model worded
    for question, history in questions:
        t0 = time.perf_counter()
        first = None
        for item in assistant.stream(question, history):
            if first is None and isinstance(item, str):
                first = time.perf_counter() - t0
        totals.append(time.perf_counter() - t0)
        assert isinstance(item, Answer)
        if item.generator != "extractive":
            worded.append(totals[-1])
            firsts.append(first if first is not None else totals[-1])
    return {
        "answers": len(totals),
        "model_worded": len(worded),
        "first_token_median_s": round(median(firsts), 2) if firsts else None,
        "first_token_p95_s": round(percentile(firsts, 0.95), 2) if firsts else None,
        "total_median_s": round(median(totals), 3),
        "total_p95_s": round(percentile(totals, 0.95), 3),
        "worded_total_median_s": round(median(worded), 2) if worded else None,
    }


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    generators = [g.strip() for g in (args.generator or "extractive,local").split(",") if g]
    if unknown := [g for g in generators if g not in GENERATORS]:
        raise InputError(f"unknown generator {unknown[0]!r}: use {', '.join(GENERATORS)}")
    corpus = Path(args.corpus)
    gold = Path(args.gold or "eval/gold.jsonl")
    settings = corpus_settings(settings, corpus)
    index_corpus(settings, corpus)
    results: dict[str, Any] = {}
    loads = {}
    for generator in generators:
        with Assistant.open(settings.model_copy(update={"generator": generator})) as assistant:
            items = [
                i for i in load_gold(gold, {a.id for a in assistant.articles()}) if i.answerable
            ]
            questions = [(i.question, i.history or None) for i in items][: args.limit or None]
            assistant.ask(questions[0][0])  # warm-up: loads (and verifies) the model
            loads[f"{generator} start"] = round(os.getloadavg()[0], 2)
            results[generator] = measure(assistant, questions)
            results[generator]["name"] = assistant.summary().generator
            loads[f"{generator} end"] = round(os.getloadavg()[0], 2)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = render(results, loads)
    payload = {"corpus": str(corpus), "gold": str(gold), "cpus": os.cpu_count(),
               "results": results, "loadavg_1min": loads, "table": table}  # fmt: skip
    (out / "bench-generate.json").write_text(json.dumps(payload, indent=2))
    print(table)
    print(f"\nwritten: {out / 'bench-generate.json'}")
    return 0


def render(results: dict[str, Any], loads: dict[str, float]) -> str:
    names = list(results)
    lines = [f"qa bench generate: {next(iter(results.values()))['answers']} answerable questions",
             f"{'':34}" + "".join(f"{n:>14}" for n in names)]  # fmt: skip
    for label, key in (
        ("model-worded answers", "model_worded"),
        ("first token median s", "first_token_median_s"),
        ("first token p95 s", "first_token_p95_s"),
        ("total per answer median s", "total_median_s"),
        ("total per answer p95 s", "total_p95_s"),
        ("total, model-worded, median s", "worded_total_median_s"),
    ):
        cells = [results[n].get(key) for n in names]
        lines.append(f"  {label:<32}" + "".join(f"{'-' if c is None else c:>14}" for c in cells))
    base = results.get("extractive", {}).get("total_median_s")
    if base:
        ratios = [results[n]["total_median_s"] / base for n in names]
        lines.append(
            f"  {'total median / extractive':<32}" + "".join(f"{r:>14.1f}" for r in ratios)
        )
    lines.append(f"cpus {os.cpu_count()}; load average (1 min): "
                 + ", ".join(f"{k} {v}" for k, v in loads.items()))  # fmt: skip
    return "\n".join(lines)
