"""``qa bench``: our pipeline and the plain LlamaIndex tutorial pipeline side by side, on the same
corpus, questions and embedding model. Prints one table and writes ``<out>/bench.json``.

    qa bench all --corpus ../shared/bench/realtimeqa/corpus.jsonl \\
        --gold ../shared/bench/realtimeqa/questions.jsonl --out bench-out

Parts: ``ingest`` (wall time, chunks/s, peak memory, truncated chunks), ``query`` (retrieval and
``ask`` latency after a warm-up, serving memory, ``qa ask`` cold start), ``retrieval`` (article
hit@1, hit@5, MRR@10 and answer quality). Our pipeline is driven through the public ``qa`` API
only. Each timed ingest and the serving run happen in a fresh subprocess (``python -m
eval.bench_worker SPEC``) so that every peak-memory figure is that pipeline's own. The tutorial
indexes are cached by fingerprint (eval.baselines); our index of the corpus lives in
``<out>/ours/``. The table and what ties a figure to its code and machine are in
``eval.bench_report``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from eval import baselines as bl
from eval.bench_report import code_state, cpu_model, package_versions, render
from eval.gold import GoldItem, load_gold
from eval.metrics import contains, percentile, reciprocal_rank
from qa import InputError, QAError, Settings, cpu_flags

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Bench:
    corpus: Path
    gold: Path | None
    out: Path
    repeat: int
    settings: Settings  # our pipeline's settings; ``home`` is set per run
    model: Path
    loads: list[tuple[str, float]] = field(default_factory=list)
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        digest = hashlib.sha256(str(self.corpus.resolve()).encode()).hexdigest()[:8]
        return f"{self.corpus.stem or 'corpus'}-{digest}"

    @property
    def ours_home(self) -> Path:
        return self.out / "ours" / self.tag

    def scratch(self, name: str) -> Path:
        return self.out / "tmp" / f"{name}-{uuid.uuid4().hex[:8]}"

    def stamp(self, label: str) -> None:
        self.loads.append((label, round(os.getloadavg()[0], 2)))


# ------------------------------------------------ subprocess workers (eval.bench_worker)


def run_worker(bench: Bench, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one worker in a fresh Python process; its result, wall time and peak memory."""
    folder = bench.scratch("worker")
    folder.mkdir(parents=True)
    spec = {**spec, "result": str(folder / "result.json")}
    (folder / "spec.json").write_text(json.dumps(spec))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [sys.executable, "-m", "eval.bench_worker", str(folder / "spec.json")]
    code, wall, peak = spawn(cmd, env)
    result_file = folder / "result.json"
    result = json.loads(result_file.read_text()) if result_file.is_file() else {}
    shutil.rmtree(folder, ignore_errors=True)
    if code != 0 or "error" in result:
        raise QAError(
            result.get("error") or f"benchmark worker '{spec['kind']}' failed (exit {code})"
        )
    return {**result, "process_s": round(wall, 2), "process_peak_rss_mb": peak}


def spawn(cmd: list[str], env: dict[str, str], stdout: Any = 2) -> tuple[int, float, float]:
    """(exit code, wall seconds, peak RSS in MB) of a child process; its stdout goes to our
    stderr by default, so that stdout keeps only the table."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t0, round(usage.ru_maxrss / 1024, 1)


# ---------------------------------------------------------------- the parts


def bench_ingest(bench: Bench) -> dict[str, Any]:
    """Fresh ingests of the corpus, ours then the tuned tutorial, ``repeat`` times; the first of
    ours becomes the index the other parts use, the first tutorial one fills its cache."""
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "tuned": []}
    for r in range(bench.repeat):
        home = bench.scratch("ours")
        bench.stamp(f"ingest ours #{r + 1}")
        run = run_worker(bench, _ingest_spec(bench, home))
        runs["ours"].append({**run, "loadavg_1min": bench.loads[-1][1]})
        if r == 0:
            shutil.rmtree(bench.ours_home, ignore_errors=True)
            bench.ours_home.parent.mkdir(parents=True, exist_ok=True)
            home.rename(bench.ours_home)
        else:
            shutil.rmtree(home, ignore_errors=True)
        bench.stamp(f"ingest tuned #{r + 1}")
        runs["tuned"].append({**_build(bench, "tuned"), "loadavg_1min": bench.loads[-1][1]})
    bench.stamp("ingest end")
    result = {name: _ingest_summary(rs) for name, rs in runs.items()}
    return {**result, "ratio": ratios(result["ours"], result["tuned"])}


def _ingest_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    first = runs[0]
    walls = [r["wall_s"] for r in runs]
    return {
        "articles": first["articles"], "chunks": first["chunks"],
        "wall_s": round(median(walls), 2),
        "chunks_per_s": round(median(first["chunks"] / w for w in walls), 1),
        "articles_per_s": round(median(first["articles"] / w for w in walls), 2),
        "peak_rss_mb": round(median(r["peak_rss_mb"] for r in runs), 1),
        "truncated": first["truncated"], "max_word_pieces": first["max_word_pieces"],
        "runs": runs,
    }  # fmt: skip


def _build(bench: Bench, name: str) -> dict[str, Any]:
    """Build a tutorial index in a fresh process; keep it in the cache."""
    variant = bl.VARIANTS[name]
    dest = bench.scratch(name)
    stats = run_worker(bench, {"kind": "baseline", "variant": name, "corpus": str(bench.corpus),
                               "model": str(bench.model), "dest": str(dest)})  # fmt: skip
    folder = bl.cache_dir(bench.out, bench.tag, bench.corpus, variant, bench.model)
    bl.keep(dest, folder)
    bench.baselines[name] = _baseline_record(name, folder, "built", stats)
    return stats


def _baseline_record(name: str, folder: Path, cache: str, stats: dict[str, Any]) -> dict[str, Any]:
    keys = ("wall_s", "chunks", "peak_rss_mb", "truncated", "truncated_text_only")
    return {"describe": bl.VARIANTS[name].describe(), "dir": str(folder), "cache": cache,
            **{k: stats.get(k) for k in keys}}  # fmt: skip


def ensure_baseline(bench: Bench, name: str) -> Path:
    """The cached tutorial index for this corpus, built first if missing."""
    folder = bl.cache_dir(bench.out, bench.tag, bench.corpus, bl.VARIANTS[name], bench.model)
    meta = bl.cached(folder)
    if meta is None:
        bench.stamp(f"build {name}")
        _build(bench, name)
    elif name not in bench.baselines:
        bench.baselines[name] = _baseline_record(name, folder, "hit", meta)
    return folder


def run_baselines(
    bench: Bench, names: list[str], served: dict[str, Any], passes: int
) -> dict[str, Any]:
    """Each tutorial retriever over the same questions: rankings (first pass) and latencies."""
    folders = {name: ensure_baseline(bench, name) for name in names}  # builds before timings
    embed = bl.embed_model(bench.model)
    out: dict[str, Any] = {}
    for name in names:
        baseline = bl.Baseline(bl.VARIANTS[name], folders[name], embed)
        bench.stamp(f"time {name}")
        for w in served["warmup"]:
            baseline.rank(w)
        rankings: list[list[str]] = []
        latency: list[list[float]] = []
        for p in range(passes):
            times = []
            for q in served["questions"]:
                t = time.perf_counter()
                ranked = baseline.rank(q["question"])
                times.append((time.perf_counter() - t) * 1000)
                if p == 0:
                    rankings.append(ranked)
            latency.append(times)
        out[name] = {"rankings": rankings, "retrieve_ms": latency}
    return out


def quality(rankings: list[list[str]], relevant: list[set[str]]) -> dict[str, float]:
    pairs = [(r, s) for r, s in zip(rankings, relevant, strict=True) if s]

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 4) if values else 0.0

    return {
        "hit@1": mean([float(bool(r) and r[0] in s) for r, s in pairs]),
        "hit@5": mean([float(bool(s & set(r[:5]))) for r, s in pairs]),
        "mrr@10": mean([reciprocal_rank(r, s, 10) for r, s in pairs]),
    }


def bench_retrieval(
    items: list[GoldItem], served: dict[str, Any], base: dict[str, Any]
) -> dict[str, Any]:
    corpus_ids = set(served["article_ids"])
    relevant = [set(i.sources) & corpus_ids for i in items]
    rows = served["rows"]
    result: dict[str, Any] = {
        "ours": quality([r["ranked"] for r in rows], relevant),
        "ours_undated": quality([r["ranked_undated"] for r in rows], relevant),
        **{name: quality(b["rankings"], relevant) for name, b in base.items()},
    }
    result["ratio"] = ratios(result["ours"], result["tuned"])
    answerable = [(i, r) for i, r in zip(items, rows, strict=True) if i.answerable]
    right = [
        not r["refused"] and any(contains(r["answer"], a) for a in i.answers) for i, r in answerable
    ]
    result["answers"] = {
        "items": len(items), "answerable": len(answerable),
        "contains_gold": round(sum(right) / len(right), 4) if right else 0.0,
        "refused": round(sum(r["refused"] for r in rows) / len(rows), 4),
    }  # fmt: skip
    result["items_with_source"] = sum(bool(s) for s in relevant)
    result["per_question"] = [
        {"id": i.id, "sources": sorted(s), "ours": r["ranked"][:10], "ours_undated": r["ranked_undated"][:10],
         **{n: b["rankings"][k][:10] for n, b in base.items()}, "answer": r["answer"], "refused": r["refused"]}
        for k, (i, s, r) in enumerate(zip(items, relevant, rows, strict=True))
    ]  # fmt: skip
    return result


def _latency(passes: list[list[float]]) -> dict[str, float]:
    """Median and p95 of each pass, then the median over passes."""
    return {
        "median_ms": round(median(median(p) for p in passes), 1),
        "p95_ms": round(median(percentile(p, 0.95) for p in passes), 1),
    }


def bench_query(bench: Bench, served: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    ret = _latency([p["retrieve_ms"] for p in served["passes"]])
    ask = _latency([p["ask_ms"] for p in served["passes"]])
    ours = {"retrieve_median_ms": ret["median_ms"], "retrieve_p95_ms": ret["p95_ms"],
            "ask_median_ms": ask["median_ms"], "ask_p95_ms": ask["p95_ms"],
            "serving_peak_rss_mb": served["peak_rss_mb"],
            "open_s": round(median(p["open_s"] for p in served["passes"]), 2),
            **cold_start(bench, served["questions"][0])}  # fmt: skip
    result: dict[str, Any] = {"ours": ours, "questions": len(served["questions"])}
    for name, b in base.items():
        lat = _latency(b["retrieve_ms"])
        result[name] = {"retrieve_median_ms": lat["median_ms"], "retrieve_p95_ms": lat["p95_ms"]}
    if "tuned" in result:
        result["ratio"] = ratios(ours, result["tuned"])
    return result


def cold_start(bench: Bench, question: dict[str, Any]) -> dict[str, float]:
    """``qa ask --json`` as a user runs it: a new process that loads everything, answers, exits."""
    script = Path(sys.executable).with_name("qa")
    cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "qa.cli"]
    cmd += ["ask", question["question"], "--json"]
    if question.get("as_of"):
        cmd += ["--as-of", question["as_of"]]
    env = {k: v for k, v in os.environ.items() if k != "QA_CHROMA_URL"}
    env["QA_HOME"] = str(bench.ours_home)
    walls, peaks = [], []
    for _ in range(bench.repeat):
        code, wall, peak = spawn(cmd, env, stdout=subprocess.DEVNULL)
        if code != 0:
            raise QAError(f"`qa ask` failed during the cold-start benchmark (exit {code})")
        walls.append(wall)
        peaks.append(peak)
    return {"cold_start_s": round(median(walls), 2), "cold_start_peak_rss_mb": max(peaks)}


def ratios(ours: dict[str, Any], tuned: dict[str, Any]) -> dict[str, float]:
    """ours / tuned for every figure both have (for times and memory, lower is better)."""
    return {
        k: round(v / tuned[k], 3)
        for k, v in ours.items()
        if isinstance(v, int | float) and isinstance(tuned.get(k), int | float) and tuned[k]
    }


# ---------------------------------------------------------------- command line


def _dump(bench: Bench, home: Path) -> dict[str, Any]:
    return bench.settings.model_copy(update={"home": home, "chroma_url": None}).model_dump(
        mode="json"
    )


def _setup(args: argparse.Namespace, settings: Settings) -> Bench:
    corpus = Path(args.corpus)
    if not corpus.exists():
        raise InputError(f"{corpus}: no such corpus file or folder")
    gold = Path(args.gold) if args.gold else None
    if gold is not None and not gold.is_file():
        raise InputError(f"{gold}: no such gold file")
    if args.repeat < 1:
        raise InputError(f"--repeat must be >= 1 (got {args.repeat})")
    model = bl.model_folder(settings.embedding_model)
    return Bench(corpus.resolve(), gold, Path(args.out).resolve(), args.repeat, settings, model)


BENCH_EXTRA = (
    "llama_index.embeddings.huggingface",
    "llama_index.vector_stores.chroma",
    "llama_index.retrievers.bm25",
)


def require_bench_extra() -> None:
    """The plain LlamaIndex pipeline we compare with is the ``bench`` extra, not the product."""
    from importlib.util import find_spec

    try:
        missing = [m for m in BENCH_EXTRA if find_spec(m) is None]
    except ModuleNotFoundError as exc:
        missing = [str(exc.name)]
    if missing:
        raise InputError(
            f"qa bench compares with the plain LlamaIndex pipeline, whose packages are not"
            f" installed ({missing[0]}): pip install -e '.[bench]' (or make install-dev)"
        )


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    require_bench_extra()
    bl.quiet_logs()
    bench = _setup(args, settings)
    parts = ["ingest", "retrieval", "query"] if args.part == "all" else [args.part]
    items = load_gold(bench.gold) if bench.gold else None
    notes: list[str] = []
    if "retrieval" in parts and items is None:
        if args.part == "retrieval":
            raise InputError("qa bench retrieval needs --gold FILE (questions with their sources)")
        parts.remove("retrieval")
        notes.append("no --gold: retrieval and answer quality skipped")
    if items and any(i.history for i in items):
        notes.append("the tutorial retrievers see each question alone (no chat history)")
    bench.out.mkdir(parents=True, exist_ok=True)
    bench.stamp("start")
    code = code_state()
    result: dict[str, Any] = {
        "part": args.part, "corpus": str(bench.corpus), "repeat": bench.repeat,
        "gold": str(bench.gold) if bench.gold and parts != ["ingest"] else None,
    }  # fmt: skip
    if "ingest" in parts:
        result["ingest"] = bench_ingest(bench)
        result["articles"] = result["ingest"]["ours"]["articles"]
    if "retrieval" in parts or "query" in parts:
        result.update(serve_and_compare(bench, parts, items))
    bench.stamp("end")
    result["code"] = {"start": code, "end": code_state()}
    if result["code"]["start"] != result["code"]["end"]:
        notes.append(
            "the code under qa/ or index/ changed during this run: figures may mix versions"
        )
    result["baselines"] = bench.baselines
    result["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(),
                         "cpu_model": cpu_model(), "cpu_flags": cpu_flags(),
                         "loadavg_1min": dict(bench.loads)}  # fmt: skip
    result["versions"] = package_versions()
    result["notes"] = notes
    result["table"] = text = render(result)
    (bench.out / "bench.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    shutil.rmtree(bench.out / "tmp", ignore_errors=True)
    print(text)
    print(f"\nwritten: {bench.out / 'bench.json'}")
    return 0


def serve_and_compare(
    bench: Bench, parts: list[str], items: list[GoldItem] | None
) -> dict[str, Any]:
    """Our serving process over the questions, then the tutorial retrievers over the same ones."""
    if "ingest" not in parts:  # bring our index of the corpus up to date (incremental)
        bench.stamp("index ours")
        run_worker(bench, _ingest_spec(bench, bench.ours_home))
    passes = bench.repeat if "query" in parts else 1
    bench.stamp("serve ours")
    served = run_worker(bench, {
        "kind": "serve", "questions": _gold_questions(items) if items else None, "repeat": passes,
        "undated": "retrieval" in parts, "settings": _dump(bench, bench.ours_home),
    })  # fmt: skip
    names = ["tuned", "defaults"] if "retrieval" in parts else ["tuned"]
    bench.stamp("baselines")
    base = run_baselines(bench, names, served, passes)
    out: dict[str, Any] = {"articles": len(served["article_ids"])}
    if "retrieval" in parts and items:
        out["retrieval"] = bench_retrieval(items, served, base)
    if "query" in parts:
        bench.stamp("cold start")
        out["query"] = bench_query(bench, served, base)
    return out


def _ingest_spec(bench: Bench, home: Path) -> dict[str, Any]:
    return {"kind": "ours-ingest", "corpus": str(bench.corpus), "model": str(bench.model),
            "settings": _dump(bench, home)}  # fmt: skip


def _gold_questions(items: list[GoldItem]) -> list[dict[str, Any]]:
    return [{"id": i.id, "question": i.question, "history": i.history, "as_of": i.question_date}
            for i in items]  # fmt: skip
