"""``qa bench serve``: answers through the real web app (``qa chat``) for 1, 4 and 10 clients at
once, each client asking its share of the gold questions one after another.

    qa bench serve --corpus seeds --gold eval/gold.jsonl [--clients 1,4,10] [--generator extractive]
                   [--think SECONDS]

Reports, per number of clients, the median and p95 time per answer (as a client sees it: queue
wait included) and answers per second, and their ratios to one client. Each generator gets its own
``qa chat`` process on a free loopback port, warmed up before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from statistics import median
from typing import Any

from eval.gold import load_gold
from eval.metrics import percentile
from eval.runner import corpus_settings, index_corpus
from qa import GENERATORS, Assistant, InputError, Settings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(settings: Settings, generator: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QA_HOME": str(settings.home), "QA_GENERATOR": generator}
    env.pop("QA_AUTH", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "chat", "--port", str(port)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise InputError(f"qa chat did not come up on port {port}") from None
            time.sleep(0.5)


def clients_run(url: str, questions: list[str], clients: int, think: float = 0.0) -> dict[str, Any]:
    """``clients`` at once, each with its own connection, asking its share in turn; with
    ``think``, each pauses a random time (exponential, that mean in seconds; the same pauses in
    every run) before each question, as a person reading the last answer does."""
    from gradio_client import Client

    shares = [questions[i::clients] for i in range(clients)]
    connections = [Client(url, verbose=False) for _ in range(clients)]

    def ask_all(n: int) -> list[float]:
        times = []
        pauses = random.Random(n)
        for q in shares[n]:
            if think:
                time.sleep(pauses.expovariate(1.0 / think))
            t = time.perf_counter()
            connections[n].predict(q, api_name="/ask")
            times.append(time.perf_counter() - t)
        return times

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        per_answer = [s for times in pool.map(ask_all, range(clients)) for s in times]
    wall = time.perf_counter() - t0
    return {"clients": clients, "answers": len(per_answer),
            "median_s": round(median(per_answer), 3),
            "p95_s": round(percentile(per_answer, 0.95), 3),
            "answers_per_s": round(len(per_answer) / wall, 2), "think_s": think,
            "load_1min": round(os.getloadavg()[0], 2)}  # fmt: skip


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    generators = [g.strip() for g in (args.generator or "extractive").split(",") if g.strip()]
    if unknown := [g for g in generators if g not in GENERATORS]:
        raise InputError(f"unknown generator {unknown[0]!r}: use {', '.join(GENERATORS)}")
    levels = [int(c) for c in (args.clients or "1,4,10").split(",")]
    corpus, gold = Path(args.corpus), Path(args.gold or "eval/gold.jsonl")
    settings = corpus_settings(settings, corpus)
    index_corpus(settings, corpus)
    with Assistant.open(settings) as assistant:
        known = {a.id for a in assistant.articles()}
    items = [i for i in load_gold(gold, known) if not i.history][: args.limit or None]
    questions = [i.question for i in items]
    results: dict[str, list[dict[str, Any]]] = {}
    for generator in generators:
        port = free_port()
        proc = serve(settings, generator, port)
        try:
            url = f"http://127.0.0.1:{port}/"
            clients_run(url, questions[:2], 1)  # warm-up: models loaded, caches filled
            results[generator] = [clients_run(url, questions, n, args.think) for n in levels]
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    table = render(results)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench-serve.json").write_text(json.dumps(
        {"corpus": str(corpus), "gold": str(gold), "questions": len(questions),
         "cpus": os.cpu_count(), "results": results, "table": table}, indent=2))  # fmt: skip
    print(table)
    print(f"\nwritten: {out / 'bench-serve.json'}")
    return 0


def render(results: dict[str, list[dict[str, Any]]]) -> str:
    think = next((r["think_s"] for rows in results.values() for r in rows), 0.0)
    pace = f"clients pause {think} s on average before a question" if think else "back to back"
    lines = [f"qa bench serve: {os.cpu_count()} cpus; per answer as a client sees it; {pace}"]
    for generator, rows in results.items():
        lines.append(f"{generator}:")
        lines.append("  clients  median s   p95 s  answers/s  p95 / 1 client  answers/s / 1"
                     "  load")  # fmt: skip
        one = rows[0]
        for r in rows:
            lines.append(
                f"  {r['clients']:>7}  {r['median_s']:>8}  {r['p95_s']:>6}  {r['answers_per_s']:>9}"
                f"  {r['p95_s'] / one['p95_s']:>14.1f}  {r['answers_per_s'] / one['answers_per_s']:>13.1f}"
                f"  {r['load_1min']:>4}"
            )
    return "\n".join(lines)
