"""The human report of an evaluation run: metrics tables, plots, and every failed item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

METRICS = ["accuracy", "f1", "supported", "citation_source_precision", "citation_validity",
           "hit@1", "hit@5", "mrr@10", "refusal_precision", "refusal_recall",
           "false_refusal_rate", "latency_median_ms", "latency_p95_ms"]  # fmt: skip


def _plots(out: Path, rows: list[dict[str, Any]], summary: dict[str, Any]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    kinds = list(summary["per_kind"])
    values = [
        summary["per_kind"][k]["refusal_recall" if k == "unanswerable" else "accuracy"]
        for k in kinds
    ]
    left.barh(kinds, values, color="#4c72b0")
    left.set_xlim(0, 1)
    left.set_title("accuracy by kind (unanswerable: refusal recall)")
    right.hist([r["latency_ms"] for r in rows], bins=20, color="#55a868")
    right.set_title("latency per question (ms)")
    fig.tight_layout()
    fig.savefig(out / "report.png", dpi=110)
    plt.close(fig)
    return ["![per-kind accuracy and latency](report.png)"]


def _failed(r: dict[str, Any]) -> bool:
    return (not r["scores"]["correct"]) if r["answerable"] else not r["refused"]


def _per_file(per_file: dict[str, dict[str, float]]) -> list[str]:
    """Each gold file of a suite on its own: an answerable set and a refusal set scored together
    would otherwise hide each other's figures."""
    if len(per_file) < 2:
        return []
    lines = ["", "## Per gold file", "", "| file | items | accuracy | strict | supported |"
             " hit@5 | refusal recall | false refusals |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, m in per_file.items():
        lines.append(f"| {name} | {m['items']:.0f} | {m['accuracy']} | {m['strict_accuracy']} |"
                     f" {m['supported']} | {m['hit@5']} | {m['refusal_recall']} |"
                     f" {m['false_refusal_rate']} |")  # fmt: skip
    return lines


def write_report(out: Path, rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    overall = summary["overall"]
    suite = f": {summary['suite']} suite" if summary.get("suite") else ""
    lines = [f"# Evaluation report{suite}", "", f"Settings fingerprint `{summary['fingerprint']}`,"
             f" embedding `{summary['models']['embedding']}`, {overall['items']} items.", "",
             "| metric | value |", "|---|---|"]  # fmt: skip
    lines += [f"| {m} | {overall[m]} |" for m in METRICS]
    lines += _per_file(summary.get("per_file", {}))
    lines += ["", "## Per kind", "", "| kind | items | accuracy | supported | refusal recall |",
              "|---|---|---|---|---|"]  # fmt: skip
    for kind, m in summary["per_kind"].items():
        lines.append(f"| {kind} | {m['items']:.0f} | {m['accuracy']} | {m['supported']} |"
                     f" {m['refusal_recall']} |")  # fmt: skip
    lines += ["", *_plots(out, rows, summary), "", "## Failures", ""]
    failures = [r for r in rows if _failed(r)]
    if not failures:
        lines.append("None.")
    for r in failures:
        expected = " / ".join(r["answers"]) if r["answerable"] else "(a refusal)"
        if r.get("requires"):
            expected += f" — must mention all of: {', '.join(r['requires'])}"
        lines += [f"### {r['id']} ({r['kind']})", "", f"**Q:** {r['question']}", "",
                  f"**Expected:** {expected}", "", f"**Given{' (refused)' if r['refused'] else ''}:**"
                  f" {r['answer']}", "", f"Retrieved: {', '.join(r['retrieved'][:5])};"
                  f" sources: {', '.join(r['sources']) or '-'}", ""]  # fmt: skip
        lines += [f"> [{c['marker']}] {c['article_id']}: {c['quote']}" for c in r["citations"]]
        lines.append("")
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
