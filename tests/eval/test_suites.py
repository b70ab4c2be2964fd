"""qa eval's suites: the baseline file's shape, where each suite writes, the gate per suite, and
the note when the benchmark folder is absent. Over fakes (hash embedder, in-memory store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fakes import HashEmbedder

from eval import runner
from eval.suites import BENCH_ENV, load_suites, plan
from index.indexer import IndexConfig, Indexer
from index.store import MemoryStore
from qa import Assistant, InputError, Settings
from qa.cli import main

REPO = Path(__file__).resolve().parents[2]
ARTICLES = {
    "bridge.txt": "Harbour bridge closed\ndate 2022-01-10\n\nThe harbour bridge closed on Monday"
    " after engineers found cracks in two cables. Mayor Anna Berg said repairs would take weeks.",
    "library.txt": "Library gets new wing\n\nThe city library opened a new wing for children."
    " The library director said 12,000 books were added to the shelves.",
}
NEWS = [
    {"id": "https://example.com/vote", "title": "Council vote", "published": "2022-06-12",
     "text": "The council voted 7 to 2 on Tuesday to build a new tram line along the river."},
    {"id": "https://example.com/zoo", "title": "Zoo panda", "published": "2022-06-13",
     "text": "The city zoo welcomed a baby panda named Bao on Wednesday, its keepers said."},
]  # fmt: skip
PASS = {"citation_validity": {"floor": 0.0}}
IMPOSSIBLE = {"accuracy": {"floor": 1.01, "tolerance": 0.0}}


def jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def make_repo(tmp: Path, news_metrics: dict[str, Any], *, bench: bool = True) -> Path:
    """A repository with a seeds suite and a news suite whose data sits in ``tmp/shared/bench``
    (absent unless ``bench``); returns its baseline file."""
    repo = tmp / "repo"
    (repo / "pyproject.toml").parent.mkdir(parents=True)
    (repo / "pyproject.toml").write_text("")
    for name, text in ARTICLES.items():
        (repo / "seeds").mkdir(exist_ok=True)
        (repo / "seeds" / name).write_text(text, encoding="utf-8")
    jsonl(repo / "eval" / "gold.jsonl", [
        {"id": "s1", "question": "Why did the harbour bridge close?", "answers": ["cracks"],
         "sources": ["bridge"], "answerable": True}])  # fmt: skip
    jsonl(repo / "eval" / "refusals.jsonl", [
        {"id": "r1", "question": "What did the tram line cost?", "answers": [], "sources": [],
         "answerable": False, "question_date": "2022-06-16"}])  # fmt: skip
    (tmp / "shared" / "bench").mkdir(parents=True)
    if bench:
        jsonl(tmp / "shared" / "bench" / "realtimeqa" / "corpus.jsonl", NEWS)
        jsonl(tmp / "shared" / "bench" / "realtimeqa" / "questions.jsonl", [
            {"id": "q1", "question": "What was the baby panda at the zoo named?", "answers": ["Bao"],
             "sources": ["https://example.com/zoo"], "answerable": True,
             "question_date": "2022-06-16"}])  # fmt: skip
    baseline = {"suites": {
        "seeds": {"gold": ["eval/gold.jsonl"], "corpus": "seeds", "metrics": PASS},
        "news": {"gold": ["{bench}/realtimeqa/questions.jsonl", "eval/refusals.jsonl"],
                 "corpus": "{bench}/realtimeqa/corpus.jsonl", "unknown_sources": "warn",
                 "metrics": news_metrics}}}  # fmt: skip
    return jsonl(repo / "eval" / "baseline.json", [baseline])


@pytest.fixture
def fake_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``qa eval`` over the hash embedder and an in-memory index of each suite's corpus."""
    corpora: dict[Path, Path] = {}

    def index_corpus(settings: Settings, corpus: Path) -> Any:
        corpora[Path(settings.home)] = corpus
        return type("Report", (), {"counts": lambda self: {"added": 1}})()

    class FakeAssistant(Assistant):
        @classmethod
        def open(cls, settings: Settings | None = None, **_: Any) -> Assistant:
            assert settings is not None
            embedder, store = HashEmbedder(), MemoryStore()
            indexer = Indexer(store, embedder, IndexConfig(embedder.model_id))
            indexer.index([corpora[Path(settings.home)]], progress=False)
            return cls(store, embedder, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "index_corpus", index_corpus)
    monkeypatch.setattr(runner, "Assistant", FakeAssistant)
    monkeypatch.setenv("QA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(BENCH_ENV, raising=False)


def test_suites_resolve_repo_and_bench_paths(tmp_path: Path) -> None:
    baseline = make_repo(tmp_path, PASS)
    bench = tmp_path / "shared" / "bench"
    suites = load_suites(baseline, bench)
    assert list(suites) == ["seeds", "news"]
    repo = baseline.parents[1]
    assert suites["seeds"].gold == (repo / "eval" / "gold.jsonl",)
    assert suites["seeds"].corpus == repo / "seeds" and not suites["seeds"].benchmark
    news = suites["news"]
    assert news.gold == (bench / "realtimeqa" / "questions.jsonl", repo / "eval" / "refusals.jsonl")
    assert news.corpus == bench / "realtimeqa" / "corpus.jsonl" and news.benchmark and news.lenient


def test_committed_baseline_has_both_suites() -> None:
    suites = load_suites(REPO / "eval" / "baseline.json", Path("/bench"))
    assert suites["news"].corpus == Path("/bench/realtimeqa/corpus.jsonl")
    assert suites["news"].gold[1] == REPO / "eval" / "news_refusals.jsonl"
    for suite in suites.values():
        assert suite.metrics["citation_validity"] == {"floor": 1.0, "tolerance": 0.0}
        assert "ceiling" in suite.metrics["false_refusal_rate"]


def test_older_one_suite_baseline_is_the_seeds_floors(tmp_path: Path) -> None:
    old = jsonl(tmp_path / "baseline.json", [{"metrics": IMPOSSIBLE}])
    suites = load_suites(old, tmp_path)
    assert list(suites) == ["seeds"] and suites["seeds"].metrics == IMPOSSIBLE


def test_adhoc_gold_is_gated_on_the_named_suite(tmp_path: Path) -> None:
    suites = load_suites(make_repo(tmp_path, IMPOSSIBLE), tmp_path / "shared" / "bench")
    runs = plan(suites, names="news", gold="mine.jsonl", corpus=None, out=tmp_path / "o",
                bench=tmp_path / "shared" / "bench", bench_asked=False).runs  # fmt: skip
    ((suite, out),) = runs
    assert suite.name == "news" and suite.metrics == IMPOSSIBLE and out == tmp_path / "o"
    assert suite.gold == (Path("mine.jsonl"),) and suite.corpus == suites["news"].corpus


@pytest.mark.usefixtures("fake_models")
def test_missing_bench_is_one_note_and_the_seeds_alone_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = make_repo(tmp_path, IMPOSSIBLE, bench=False)
    out = tmp_path / "out"
    assert main(["eval", "--check", "--baseline", str(baseline), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "regression" not in err
    assert notes[0].endswith("bench/realtimeqa not found: the news suite is skipped,"
                             " gating on the seeds suite alone")  # fmt: skip
    assert (out / "results.jsonl").exists() and not (out / "news").exists()


@pytest.mark.usefixtures("fake_models")
def test_each_suite_gates_on_its_floors_and_reports_each_gold_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, baseline = tmp_path / "out", make_repo(tmp_path, IMPOSSIBLE)
    args = ["eval", "--check", "--baseline", str(baseline), "--out", str(out)]
    assert main(args) == 1
    regressions = [line for line in capsys.readouterr().err.splitlines() if "regression" in line]
    assert regressions == [f"regression: news accuracy = {_overall(out / 'news')['accuracy']}"
                           " < floor 1.01 - 0.0"]  # fmt: skip
    seeds = json.loads((out / "summary.json").read_text())
    assert seeds["suite"] == "seeds" and seeds["overall"]["items"] == 1
    news = json.loads((out / "news" / "summary.json").read_text())
    assert set(news["per_file"]) == {"questions.jsonl", "refusals.jsonl"}
    assert news["per_file"]["refusals.jsonl"]["items"] == 1
    assert news["overall"]["items"] == 2
    rows = [json.loads(line) for line in (out / "news" / "results.jsonl").read_text().splitlines()]
    assert [(r["id"], r["gold_file"]) for r in rows] == [
        ("q1", "questions.jsonl"), ("r1", "refusals.jsonl")]  # fmt: skip
    assert "## Per gold file" in (out / "news" / "report.md").read_text()


def _overall(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "summary.json").read_text())["overall"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--bench", "nowhere"], "nowhere: no such benchmark folder"),
        (["--suite", "news"], "realtimeqa not found: the news suite cannot run"),
        (["--suite", "sports"], "unknown suite 'sports': use seeds, news"),
    ],
)
def test_data_asked_for_must_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    baseline = make_repo(tmp_path, PASS, bench=False)
    assert main(["eval", "--baseline", str(baseline), "--out", str(tmp_path / "o"), *extra]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: ") and message in line


def test_bad_baseline_is_one_line(tmp_path: Path) -> None:
    bad = jsonl(tmp_path / "baseline.json", [{"suites": {"seeds": {"gold": "g.jsonl"}}}])
    with pytest.raises(InputError, match="suite 'seeds' needs an object with 'metrics'"):
        load_suites(bad, tmp_path)
