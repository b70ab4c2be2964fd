"""What ``qa bench`` prints and records beside its figures: the plain-text table, and what ties
a figure to the code, packages and CPU it was measured on (shared with ``qa bench scale``).
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def code_state() -> dict[str, str | None]:
    """The commit and a digest of the pipeline's sources (qa/, index/), so that a figure can be
    tied to the code it measured, and a run during which the code changed is flagged."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("qa/*.py"), *ROOT.glob("index/*.py")]):
        digest.update(path.name.encode() + path.read_bytes())
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip() or None  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"commit": commit, "sources_sha256": digest.hexdigest()[:16]}


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in ("torch", "chromadb", "llama-index-core", "sentence-transformers", "transformers"):
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "absent"
    return out


def cpu_model() -> str:
    """The CPU's model name: figures of the int8 embedder depend on it (see ``cpu_flags``)."""
    try:
        lines = Path("/proc/cpuinfo").read_text(errors="replace").splitlines()
    except OSError:
        return platform.processor() or "unknown"
    name = next((ln.partition(":")[2].strip() for ln in lines if ln.startswith("model name")), "")
    return name or platform.processor() or "unknown"


SYSTEMS = ("ours", "tuned", "defaults")


def render(result: dict[str, Any]) -> str:
    """The plain-text table: one row a figure, a column a pipeline, and ours / tuned."""
    gold = f"gold {result['gold']}" if result["gold"] else "generic title questions"
    gold = gold if "query" in result or "retrieval" in result else ""
    lines = [
        f"qa bench {result['part']}: {result['corpus']} ({result['articles']} articles),"
        f" {gold + ', ' if gold else ''}repeat {result['repeat']}",
        f"{'':40}{'ours':>10}{'tuned':>10}{'defaults':>10}{'ours/tuned':>12}",
    ]

    def add(label: str, values: dict[str, Any], fmt: str = "{:.3f}") -> None:
        cells = [fmt.format(values[c]) if values.get(c) is not None else "-" for c in SYSTEMS]
        o, t = values.get("ours"), values.get("tuned")
        ratio = (
            f"{o / t:.2f}"
            if isinstance(o, int | float) and isinstance(t, int | float) and t
            else "-"
        )
        lines.append(f"  {label:<38}" + "".join(f"{c:>10}" for c in cells) + f"{ratio:>12}")

    if r := result.get("retrieval"):
        lines.append(f"retrieval, article level ({r['items_with_source']} questions with a source)")
        keys = (("hit@1", "hit@1"), ("hit@5", "hit@5"), ("MRR@10", "mrr@10"))
        for label, key in keys:
            add(label, {n: r[n][key] for n in SYSTEMS})
        for label, key in keys:
            add(
                f"{label}, ours without question date",
                {"ours": r["ours_undated"][key], "tuned": r["tuned"][key]},
            )
        a = r["answers"]
        lines.append(f"answers, ours ({a['answerable']} answerable of {a['items']} questions)")
        add("answer contains a gold answer", {"ours": a["contains_gold"]})
        add("refused", {"ours": a["refused"]})
    if i := result.get("ingest"):
        lines.append("ingest (fresh index of the whole corpus, own process)")
        limit = i["ours"]["runs"][0]["word_piece_limit"]
        for label, key, fmt in (
            ("articles", "articles", "{:d}"), ("chunks", "chunks", "{:d}"),
            ("wall s", "wall_s", "{:.1f}"), ("chunks/s", "chunks_per_s", "{:.1f}"),
            ("articles/s", "articles_per_s", "{:.2f}"), ("peak RSS MB", "peak_rss_mb", "{:.0f}"),
            (f"chunks over {limit} word pieces", "truncated", "{:d}"),
        ):  # fmt: skip
            add(label, {n: i[n][key] for n in ("ours", "tuned")}, fmt)
    if q := result.get("query"):
        lines.append(f"query latency ({q['questions']} questions, after warm-up)")
        for label, key in (
            ("retrieval median ms", "retrieve_median_ms"),
            ("retrieval p95 ms", "retrieve_p95_ms"),
        ):
            add(label, {n: q[n][key] for n in SYSTEMS if n in q}, "{:.1f}")
        ours = q["ours"]
        add("ask median ms", {"ours": ours["ask_median_ms"]}, "{:.1f}")
        add("ask p95 ms", {"ours": ours["ask_p95_ms"]}, "{:.1f}")
        add("serving process peak RSS MB", {"ours": ours["serving_peak_rss_mb"]}, "{:.0f}")
        add("`qa ask` cold start s", {"ours": ours["cold_start_s"]}, "{:.2f}")
    loads = result["machine"]["loadavg_1min"]
    lines.append("ours/tuned below 1 is better for times and memory, above 1 for quality and rates")
    lines.append("load average (1 min): " + ", ".join(f"{k} {v}" for k, v in loads.items()))
    machine = result["machine"]
    flags = machine.get("cpu_flags", {})
    lines.append(
        f"cpu {machine.get('cpu_model', '?')}; int8 kernels by these flags: "
        + " ".join(f"{f}={'yes' if have else 'no'}" for f, have in flags.items())
    )
    lines.append(
        f"cpus {result['machine']['cpus']}; "
        + ", ".join(f"{k} {v}" for k, v in result["versions"].items())
    )
    code = result["code"]["end"]
    lines.append(f"code: commit {code['commit']}, qa/ + index/ sources {code['sources_sha256']}")
    lines += [f"note: {n}" for n in result["notes"]]
    return "\n".join(lines)
