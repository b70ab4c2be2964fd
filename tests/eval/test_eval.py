"""qa eval: gold-file validation, metrics, and the whole run with its gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.gold import load_gold
from eval.metrics import aggregate, contains, normalize, reciprocal_rank, token_f1
from qa import InputError
from qa.cli import main

REPO = Path(__file__).resolve().parents[2]
GOOD = {"id": "x1", "question": "Q?", "answers": ["94,000"], "sources": ["a"], "answerable": True}


def write_gold(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{not json", "gold.jsonl:2: not valid JSON"),
        ({k: v for k, v in GOOD.items() if k != "question"} | {"id": "x2"}, "field 'question'"),
        (GOOD | {"id": "x2", "answerable": "yes"}, "field 'answerable' has the wrong type"),
        (GOOD | {"id": "x2", "sources": ["nope"]}, "field 'sources' names unknown article 'nope'"),
        (GOOD, "gold.jsonl:2: field 'id' repeats 'x1'"),
    ],
)
def test_bad_gold_lines_name_file_line_and_field(tmp_path: Path, row: object, message: str) -> None:
    path = write_gold(tmp_path, GOOD, row)
    with pytest.raises(InputError, match=message.replace("(", r"\(")) as err:
        load_gold(path, {"a"})
    assert f"{path}:2" in str(err.value)


def test_unknown_fields_pass_through(tmp_path: Path) -> None:
    (item,) = load_gold(write_gold(tmp_path, GOOD | {"kind": "number", "choices": ["a", "b"]}))
    assert item.kind == "number" and item.extra["choices"] == ["a", "b"]


def test_squad_normalisation_and_scores() -> None:
    assert normalize("The  U.S. sent “8,500” troops!") == "us sent 8500 troops"
    assert contains("Russia has amassed more than 94,000 troops.", "94,000")
    assert not contains("Russia has 194,000 troops", "94,000")
    assert token_f1("more than 94,000 troops", "94,000 troops") == pytest.approx(2 / 3)
    # a possessive or a hyphenated word still holds the name or figure it is made of
    assert contains("Brazil’s polarizing presidential race will go to a run-off.", "Brazil")
    assert contains("A 17-year-old has become the youngest pilot.", "17")
    assert contains("Macy's said", "Macy’s") and contains("after 9/11", "9/11")
    assert not contains("Brazilian voters went to the polls.", "Brazil")
    assert not contains("A 17.5-tonne truck", "17")
    assert reciprocal_rank(["b", "a"], {"a"}) == 0.5
    assert reciprocal_rank(["b"], {"a"}) == 0.0


def test_aggregate_refusal_metrics() -> None:
    def row(answerable: bool, refused: bool, correct: float) -> dict[str, object]:
        scores = {"correct": correct, "f1": correct, "citation_precision": 1.0, "supported": correct,
                  "citations_valid": 1.0, "hit@1": 1.0, "hit@5": 1.0, "rr@10": 1.0}  # fmt: skip
        return {"answerable": answerable, "refused": refused, "citations": [] if refused else [1],
                "sources": ["a"] if answerable else [], "latency_ms": 10.0, "scores": scores}  # fmt: skip

    rows = [
        row(True, False, 1.0),
        row(True, True, 0.0),
        row(False, True, 0.0),
        row(False, False, 0),
    ]
    m = aggregate(rows)  # type: ignore[arg-type]
    assert m["accuracy"] == 0.5
    assert m["refusal_recall"] == 0.5 and m["refusal_precision"] == 0.5
    assert m["false_refusal_rate"] == 0.5


@pytest.mark.slow
def test_eval_writes_results_summary_report_and_gates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QA_HOME", str(tmp_path / "home"))
    gold = write_gold(
        tmp_path,
        {"id": "t1", "question": "Who is the Kremlin spokesman?", "answers": ["Dmitry Peskov"],
         "sources": ["004_5aafc08a58258595"], "answerable": True, "kind": "person"},
        {"id": "t2", "question": "How do I make sourdough bread at home?", "answers": [],
         "sources": [], "answerable": False, "kind": "unanswerable"},
    )  # fmt: skip
    out = tmp_path / "out"
    args = ["eval", "--gold", str(gold), "--corpus", str(REPO / "seeds"), "--out", str(out)]
    assert main(args) == 0
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2"]
    assert rows[0]["kind"] == "person" and rows[0]["scores"]["correct"] == 1.0
    assert "004_5aafc08a58258595" in rows[0]["retrieved"][:3] and rows[1]["refused"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overall"]["accuracy"] == 1.0 and summary["overall"]["refusal_recall"] == 1.0
    assert set(summary["per_kind"]) == {"person", "unanswerable"} and summary["fingerprint"]
    report = (out / "report.md").read_text()
    assert "| accuracy | 1.0 |" in report and (out / "report.png").exists()

    strict = tmp_path / "baseline.json"
    strict.write_text(json.dumps({"metrics": {"accuracy": {"floor": 0.5},
                                              "hit@1": {"floor": 1.01, "tolerance": 0.0}}}))  # fmt: skip
    capsys.readouterr()
    assert main([*args, "--check", "--baseline", str(strict)]) == 1
    err = capsys.readouterr().err
    assert "hit@1" in err and "accuracy" not in err


def test_unknown_sources_can_be_warnings_for_external_corpora(tmp_path: Path) -> None:
    warnings: list[str] = []
    path = write_gold(tmp_path, GOOD, GOOD | {"id": "x2", "sources": ["gone"]})
    items = load_gold(path, {"a"}, warnings.append)
    assert [i.id for i in items] == ["x1", "x2"]
    assert warnings == [f"{path}:2: field 'sources' names unknown article 'gone'"]
