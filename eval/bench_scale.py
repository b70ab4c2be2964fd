"""``qa bench scale``: what growing the collection costs, measured at each size.

    qa bench scale [--bench DIR] [--steps 3] [--modes disk,server] [--limit 40] [--out bench-out]

Indexes the RealTime QA articles (``{bench}/realtimeqa/corpus.jsonl``, 949), then grows the
collection in ``--steps`` steps with the other news articles of ``{bench}/scale/corpus.jsonl``
(2,897, an equal share a step), on an on-disk index and on a real ``chroma run`` server. At each
size, per mode:

- ingest: wall time of the step's ``index_paths`` (what ``qa index`` runs; a fresh process, so
  the model load is in it) over the step's new articles only, and articles/s, chunks/s;
- index size: bytes under QA_HOME, plus the server's ``--path`` folder;
- open: ``Assistant.open`` right after the step (``first_open_s``: the keyword index is built,
  and on disk cached), then in a fresh process as a restart does (``open_s`` alone, ``cold_s``
  from process start to open done);
- serving memory: that process's peak RSS after answering (and the server's RSS);
- ``ask`` p50/p95 over the first ``--limit`` RealTime QA questions without history, asked as of
  no day, as in the chat, so that every article competes (extractive, after two untimed warm-up
  asks), and how often the gold article is among the first five retrieved (hit@5).

The step files (the first records of each corpus) and the indexes live in a scratch folder under
the system's temp folder, deleted at the end: the benchmark's articles are measured, never kept.
``--step-articles N`` caps every step (the first one too) at N articles, for a quick run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from eval.bench import spawn
from eval.bench_report import code_state, cpu_model, package_versions
from eval.bench_serve import free_port
from eval.gold import load_gold
from eval.metrics import contains, percentile
from eval.suites import bench_folder
from qa import Assistant, InputError, QAError, Settings, cpu_flags, index_paths

ROOT = Path(__file__).resolve().parents[1]
MODES = ("disk", "server")
QUESTIONS = 40  # --limit's default here
WARMUP = 2  # untimed asks before the clock starts: models loaded, caches filled
CHROMA = Path(sys.executable).with_name("chroma")  # installed with chromadb, beside python


# ---------------------------------------------------------------- inputs


def records(path: Path) -> list[str]:
    """The non-blank lines of a JSONL corpus, as they are (the product's loader parses them)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file (the benchmark folder is --bench, $QA_BENCH_DIR"
                         " or ../shared/bench beside the repository)")  # fmt: skip
    return [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def write_steps(bench: Path, folder: Path, steps: int, cap: int) -> list[tuple[Path, int]]:
    """One JSONL file a step, each holding only that step's new records, and its size: the base
    corpus first, then ``steps`` equal shares of the scale corpus (each cut to ``cap``, if set)."""
    base = records(bench / "realtimeqa" / "corpus.jsonl")
    grow = records(bench / "scale" / "corpus.jsonl")
    if not 1 <= steps <= len(grow):
        raise InputError(f"--steps must be between 1 and {len(grow)} (got {steps})")
    bounds = [round(i * len(grow) / steps) for i in range(steps + 1)]
    shares = [base] + [grow[a:b] for a, b in pairwise(bounds)]
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n, share in enumerate(shares):
        lines = share[:cap] if cap else share
        path = folder / f"step-{n}.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append((path, len(lines)))
    return files


def questions(path: Path, limit: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The first ``limit`` questions without history, and the warm-up ones (the next ones, so
    that no timed question was asked before)."""
    items = [i for i in load_gold(path) if not i.history]
    # Asked as of no day, as in the chat: every article competes (the scale corpus is mostly
    # 2023-26, so asking as of the 2022 question dates would filter most of the growth out).
    asked = [{"question": i.question, "as_of": None, "sources": i.sources,
              "answers": i.answers} for i in items]  # fmt: skip
    measured = asked[:limit]
    return measured, (asked[limit:] + measured)[:WARMUP]


def dumped(settings: Settings) -> dict[str, Any]:
    """Settings for a worker process; secrets stay out of the spec file (the worker reads them
    from the environment it inherits)."""
    secret = {name for name, value in settings if isinstance(value, SecretStr)}
    return settings.model_dump(mode="json", exclude=secret)


# ---------------------------------------------------------------- measuring


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def memory_mb(pid: int) -> dict[str, float]:
    """A running process's resident memory now and at its peak (Linux /proc; empty elsewhere)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    found = {k: v.split()[0] for k, _, v in (ln.partition(":") for ln in lines)
             if k in ("VmRSS", "VmHWM")}  # fmt: skip
    return {("rss_mb" if k == "VmRSS" else "peak_rss_mb"): round(int(v) / 1024, 1)
            for k, v in found.items()}  # fmt: skip


def run_worker(scratch: Path, spec: dict[str, Any]) -> dict[str, Any]:
    """One worker (``python -m eval.bench_scale _worker SPEC``) in a fresh process: its result
    and its peak RSS."""
    spec_file, result_file = scratch / "spec.json", scratch / "result.json"
    result_file.unlink(missing_ok=True)
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}  # fmt: skip
    spec_file.write_text(json.dumps({**spec, "result": str(result_file), "launched": time.time()}))
    code, _, peak = spawn([sys.executable, "-m", "eval.bench_scale", "_worker", str(spec_file)],
                          env)  # fmt: skip
    result = json.loads(result_file.read_text()) if result_file.is_file() else {}
    if code != 0 or "error" in result:
        raise QAError(result.get("error") or f"scale worker '{spec['kind']}' failed (exit {code})")
    return {**result, "process_peak_rss_mb": peak}


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``chroma run`` on a free loopback port, once its heartbeat answers."""
    if not CHROMA.is_file():
        raise InputError(f"{CHROMA} is missing: server mode needs chromadb's `chroma` command")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with (folder / "server.log").open("wb") as log:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1",
             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_server(proc)
                tail = (folder / "server.log").read_text(errors="replace")[-500:]
                raise QAError(f"chroma run did not come up on port {port}: {tail}") from None
            time.sleep(0.3)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def measure_mode(mode: str, steps: list[tuple[Path, int]], settings: Settings,
                 asked: tuple[list[dict[str, Any]], list[dict[str, Any]]],
                 scratch: Path) -> list[dict[str, Any]]:  # fmt: skip
    """Grow one index step by step (a fresh one: scratch/MODE), measuring it at each size."""
    home, db = scratch / mode / "home", scratch / mode / "server"
    server = None
    try:
        url = None
        if mode == "server":
            server, url = start_server(db)
        spec = dumped(settings.model_copy(
            update={"home": home, "chroma_url": url, "generator": "extractive"}))  # fmt: skip
        rows: list[dict[str, Any]] = []
        expected = chunks = 0
        for n, (path, size) in enumerate(steps):
            ingest = run_worker(scratch, {"kind": "ingest", "settings": spec, "path": str(path)})
            served = run_worker(scratch, {"kind": "serve", "settings": spec,
                                          "questions": asked[0], "warmup": asked[1]})  # fmt: skip
            expected += size
            row = {"mode": mode, "step": n, "step_file_articles": size,
                   "expected_articles": expected, **figures(ingest, served, chunks),
                   "disk_bytes": folder_bytes(home) + folder_bytes(db / "db"),
                   "disk_parts": {p.name: folder_bytes(p) for p in (*sorted(home.glob("*")),
                                                                    db / "db") if p.is_dir()},
                   "server_memory": memory_mb(server.pid) if server else None,
                   "load_1min": round(os.getloadavg()[0], 2)}  # fmt: skip
            chunks = row["chunks"]
            rows.append(row)
            print(render_row(row), file=sys.stderr, flush=True)
        return rows
    finally:
        if server is not None:
            stop_server(server)


def figures(ingest: dict[str, Any], served: dict[str, Any], chunks_before: int) -> dict[str, Any]:
    """One size's figures from its two workers."""
    new_articles = ingest["added"] + ingest["updated"]
    new_chunks = served["chunks"] - chunks_before
    seconds = ingest["ingest_s"]
    ask = served["ask_ms"]
    return {
        "articles": served["articles"], "chunks": served["chunks"], "added": ingest["added"],
        "updated": ingest["updated"], "removed": ingest["removed"],
        "ingest_warnings": ingest["warnings"], "step_chunks": new_chunks,
        "ingest_s": seconds, "articles_per_s": round(new_articles / seconds, 2) if seconds else None,
        "chunks_per_s": round(new_chunks / seconds, 1) if seconds else None,
        "ingest_peak_rss_mb": ingest["process_peak_rss_mb"],
        "first_open_s": ingest["first_open_s"], "open_s": served["open_s"],
        "cold_s": served["cold_s"], "rss_mb": served["peak_rss_mb"],
        "ask_p50_ms": round(percentile(ask, 0.5), 1), "ask_p95_ms": round(percentile(ask, 0.95), 1),
        "ask_ms": [round(t, 1) for t in ask], "hit@5": served["hit@5"],
        "contains_answer": served["contains_answer"],
        "questions_with_source": served["questions_with_source"],
    }  # fmt: skip


# ---------------------------------------------------------------- the workers


def worker_main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    try:
        result, code = (_ingest if spec["kind"] == "ingest" else _serve)(spec), 0
    except QAError as exc:
        result, code = {"error": str(exc)}, 2
    Path(spec["result"]).write_text(json.dumps(result))
    return code


def _ingest(spec: dict[str, Any]) -> dict[str, Any]:
    """Index one step's file into the growing index, then open it once (as the first ``qa ask``
    or ``qa chat`` after the step would: the keyword index is built then)."""
    settings = Settings.load(**spec["settings"])
    t0 = time.perf_counter()
    report = index_paths(settings, [Path(spec["path"])], progress=False)
    ingest_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    with Assistant.open(settings):
        first_open_s = time.perf_counter() - t1
    return {**report.counts(), "warnings": len(report.warnings), "ingest_s": round(ingest_s, 2),
            "first_open_s": round(first_open_s, 2)}  # fmt: skip


def _serve(spec: dict[str, Any]) -> dict[str, Any]:
    """A restart: open the index in this fresh process, answer the questions, report the time to
    open (alone, and since the process was launched) and the peak memory."""
    import resource

    settings = Settings.load(**spec["settings"])
    t0 = time.perf_counter()
    with Assistant.open(settings) as assistant:
        open_s, cold_s = time.perf_counter() - t0, time.time() - spec["launched"]
        summary = assistant.summary()
        for q in spec["warmup"]:
            assistant.ask(q["question"], as_of=q["as_of"])
        ask_ms, hits, found, indexed = [], 0, 0, 0
        for q in spec["questions"]:
            t = time.perf_counter()
            answer = assistant.ask(q["question"], as_of=q["as_of"])
            ask_ms.append((time.perf_counter() - t) * 1000)
            ranked = list(dict.fromkeys(p.article_id for p in answer.passages))[:5]
            hits += bool(set(q["sources"]) & set(ranked))
            found += not answer.refused and any(contains(answer.text, a) for a in q["answers"])
            indexed += any(assistant.article(a) is not None for a in q["sources"])
    n = len(spec["questions"]) or 1
    return {"open_s": round(open_s, 2), "cold_s": round(cold_s, 2), "articles": summary.articles,
            "chunks": summary.chunks, "ask_ms": ask_ms, "hit@5": round(hits / n, 3),
            "contains_answer": round(found / n, 3), "questions_with_source": indexed,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}  # fmt: skip


# ---------------------------------------------------------------- command line


def plan_modes(option: str | None) -> list[str]:
    modes = [m.strip() for m in (option or ",".join(MODES)).split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        raise InputError(f"--modes takes {', '.join(MODES)}, comma-separated (got {option!r})")
    return list(dict.fromkeys(modes))


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    modes = plan_modes(args.modes)
    cap, limit = args.step_articles or 0, args.limit or QUESTIONS
    if cap < 0 or limit < 0:
        raise InputError("--step-articles and --limit must be >= 0")
    bench, _ = bench_folder(args.bench, ROOT)
    if not bench.is_dir():
        raise InputError(f"{bench}: no such benchmark folder (give --bench DIR or set"
                         " $QA_BENCH_DIR; the default is ../shared/bench beside the repository)")  # fmt: skip
    asked = questions(bench / "realtimeqa" / "questions.jsonl", limit)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="qa-bench-scale-"))
    loads = {"start": round(os.getloadavg()[0], 2)}
    code = code_state()
    try:
        steps = write_steps(bench, scratch / "steps", args.steps, cap)
        print(HEADER, file=sys.stderr, flush=True)
        rows = [r for mode in modes for r in measure_mode(mode, steps, settings, asked, scratch)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    loads["end"] = round(os.getloadavg()[0], 2)
    result: dict[str, Any] = {
        "bench": str(bench), "steps": args.steps, "step_articles": cap or None,
        "questions": len(asked[0]), "as_of_question_date": False, "generator": "extractive",
        "modes": modes, "rows": rows, "growth": growth(rows, modes),
        "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model(), "cpu_flags": cpu_flags(),
                    "loadavg_1min": loads},
        "versions": package_versions(), "code": {"start": code, "end": code_state()}, "notes": [],
    }  # fmt: skip
    if result["code"]["start"] != result["code"]["end"]:
        result["notes"].append("the code under qa/ or index/ changed during this run: figures"
                               " may mix versions")  # fmt: skip
    result["table"] = table = render(result)
    (out / "bench-scale.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(table)
    print(f"\nwritten: {out / 'bench-scale.json'}")
    return 0


GROWN = ("articles", "chunks", "disk_bytes", "first_open_s", "open_s", "cold_s", "rss_mb",
         "ask_p50_ms", "ask_p95_ms")  # fmt: skip


def growth(rows: list[dict[str, Any]], modes: list[str]) -> dict[str, dict[str, float | None]]:
    """Per mode, the largest size's figure over the smallest's."""
    out = {}
    for mode in modes:
        mine = [r for r in rows if r["mode"] == mode]
        first, last = mine[0], mine[-1]
        out[mode] = {k: round(last[k] / first[k], 2) if first[k] else None for k in GROWN}
    return out


# ---------------------------------------------------------------- the table

HEADER = ("mode    articles  chunks  ingest s  art/s  chunks/s  disk MB  1st open s  open s"
          "  cold s  RSS MB  p50 ms  p95 ms  hit@5  load  server MB")  # fmt: skip


def render_row(r: dict[str, Any]) -> str:
    return (f"{r['mode']:<6}  {r['articles']:>8}  {r['chunks']:>6}  {r['ingest_s']:>8}"
            f"  {r['articles_per_s'] or '-':>5}  {r['chunks_per_s'] or '-':>8}"
            f"  {r['disk_bytes'] / 1e6:>7.1f}  {r['first_open_s']:>10}  {r['open_s']:>6}"
            f"  {r['cold_s']:>6}  {r['rss_mb']:>6}  {r['ask_p50_ms']:>6}  {r['ask_p95_ms']:>6}"
            f"  {r['hit@5']:>5}  {r['load_1min']:>4}"
            f"  {(r['server_memory'] or {}).get('rss_mb', '-'):>9}")  # fmt: skip


def render(result: dict[str, Any]) -> str:
    machine = result["machine"]
    flags = " ".join(f"{k}={'yes' if v else 'no'}" for k, v in machine["cpu_flags"].items())
    lines = [f"qa bench scale: {machine['cpus']} cpus, {machine['cpu_model']} ({flags});"
             f" {result['questions']} questions a size, extractive", HEADER]  # fmt: skip
    lines += [render_row(r) for r in result["rows"]]
    for mode, ratio in result["growth"].items():
        shown = "  ".join(f"{k} {v}x" for k, v in ratio.items() if v is not None)
        lines.append(f"{mode} largest / smallest: {shown}")
    for r in result["rows"]:
        if r["articles"] != r["expected_articles"]:
            lines.append(f"warning: {r['mode']} step {r['step']}: {r['articles']} articles"
                         f" indexed, {r['expected_articles']} expected")  # fmt: skip
    lines += [f"note: {note}" for note in result["notes"]]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "_worker":
        sys.exit(worker_main(sys.argv[2:]))
    sys.exit("usage: qa bench scale ... (this module's own entry is internal)")
