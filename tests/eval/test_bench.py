"""``qa bench`` end to end on the shipped seeds (5 articles): our pipeline and the LlamaIndex
tutorial pipeline with the real model and real Chroma, through the ``qa`` command. The figures in
bench.json are what a reader of the table relies on, so their keys and ranges are checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qa.cli import main

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="module")
def gold3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three questions of the shipped gold set, each about one seed article."""
    lines = [ln for ln in (REPO / "eval" / "gold.jsonl").read_text().splitlines() if ln.strip()]
    path = tmp_path_factory.mktemp("gold") / "gold.jsonl"
    path.write_text("\n".join(lines[:3]) + "\n")
    return path


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One bench folder for the module: later parts reuse the indexes earlier ones built, as
    repeated runs do."""
    return tmp_path_factory.mktemp("bench")


def _bench(out: Path, *args: str) -> dict[str, Any]:
    assert main(["bench", *args, "--corpus", str(SEEDS), "--out", str(out)]) == 0
    data: dict[str, Any] = json.loads((out / "bench.json").read_text())
    return data


@pytest.mark.slow
def test_ingest_measures_both_pipelines(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _bench(out, "ingest")
    ingest = data["ingest"]
    for name in ("ours", "tuned"):
        figures = ingest[name]
        assert figures["articles"] == 5
        assert figures["chunks"] > 0
        assert figures["wall_s"] > 0 and figures["chunks_per_s"] > 0
        assert 100 < figures["peak_rss_mb"] < 4000
    assert ingest["ours"]["truncated"] == 0  # nothing silently cut by the model
    assert ingest["tuned"]["truncated"] >= 0
    for key in ("chunks", "wall_s", "chunks_per_s", "articles_per_s", "peak_rss_mb"):
        assert ingest["ratio"][key] > 0
    assert data["baselines"]["tuned"]["cache"] == "built"  # the timed build fills the cache
    assert set(data["machine"]["loadavg_1min"]) >= {"start", "end"}
    assert {"python", "torch", "chromadb"} <= set(data["versions"])
    assert data["code"]["end"]["sources_sha256"]  # figures are tied to the code they measured
    table = capsys.readouterr().out
    assert "chunks/s" in table and "peak RSS MB" in table and "ours/tuned" in table
    # the embedder's speed depends on the CPU's int8 instructions: the figures say which CPU
    assert "avx512_vnni" in data["machine"]["cpu_flags"] and data["machine"]["cpu_model"]
    assert "avx512_vnni=" in table and "avx2=" in table


@pytest.mark.slow
def test_retrieval_scores_all_three_and_reuses_cached_baselines(
    out: Path, gold3: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _bench(out, "retrieval", "--gold", str(gold3))
    retrieval = first["retrieval"]
    assert retrieval["items_with_source"] == 3
    for name in ("ours", "ours_undated", "tuned", "defaults"):
        for key in ("hit@1", "hit@5", "mrr@10"):
            assert 0.0 <= retrieval[name][key] <= 1.0
        assert retrieval[name]["hit@1"] <= retrieval[name]["hit@5"]
    assert retrieval["ours"]["hit@5"] == 1.0  # three plain questions about five articles
    assert 0.0 <= retrieval["answers"]["contains_gold"] <= 1.0
    assert 0.0 <= retrieval["answers"]["refused"] <= 1.0
    assert len(retrieval["per_question"]) == 3
    assert set(first["baselines"]) == {"tuned", "defaults"}
    assert "hit@5" in capsys.readouterr().out

    again = _bench(out, "retrieval", "--gold", str(gold3))
    assert {b["cache"] for b in again["baselines"].values()} == {"hit"}
    for name in ("ours", "tuned", "defaults"):  # retrieval is deterministic
        assert again["retrieval"][name] == retrieval[name]


@pytest.mark.slow
def test_query_reports_latency_and_cold_start(out: Path, gold3: Path) -> None:
    query = _bench(out, "query", "--gold", str(gold3))["query"]
    assert query["questions"] == 3
    ours = query["ours"]
    assert 0 < ours["retrieve_median_ms"] <= ours["ask_median_ms"]
    assert ours["ask_median_ms"] <= ours["ask_p95_ms"]
    assert ours["cold_start_s"] > 0 and ours["serving_peak_rss_mb"] > 100
    assert query["tuned"]["retrieve_median_ms"] > 0
    assert query["ratio"]["retrieve_median_ms"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "--corpus", "{tmp}/missing.jsonl"], "no such corpus"),
        (["retrieval", "--corpus", "seeds", "--gold", "{tmp}/missing.jsonl"], "no such gold file"),
        (["retrieval", "--corpus", "seeds"], "needs --gold"),
        (["ingest", "--corpus", "seeds", "--repeat", "0"], "--repeat must be >= 1"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    argv = ["bench", *(a.replace("{tmp}", str(tmp_path)) for a in args)]
    argv = [str(SEEDS) if a == "seeds" else a for a in argv]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
    assert not (tmp_path / "out" / "bench.json").exists()


def test_without_the_bench_extra_qa_bench_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from eval.bench import require_bench_extra
    from qa import InputError

    require_bench_extra()  # installed here (make test installs the extra)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec",
        lambda name, *a: None if name.startswith("llama_index.vector_stores") else real(name, *a),
    )  # fmt: skip
    with pytest.raises(InputError, match=r"pip install -e '.\[bench\]'") as err:
        require_bench_extra()
    assert "\n" not in str(err.value)
