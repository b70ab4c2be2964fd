"""``qa bench scale`` end to end on a tiny benchmark folder (6 + 2 x 3 articles): an on-disk index
and a real ``chroma run`` server grown in two steps, with the real model, through the ``qa``
command. The curve is only worth reading if each size holds each article exactly once, so the
counts are checked, and the figures a reader compares across sizes are there and sane."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from qa.cli import main

pytestmark = pytest.mark.slow

TOPICS = [
    ("harbour", "The harbour authority in Porto Vela opened a new container terminal on Monday,"
     " adding 1,200 metres of quay. Officials said 340 workers were hired for the terminal."),
    ("orchard", "Farmers in the Alder valley reported a record apple harvest of 52,000 tonnes."
     " The cooperative said prices fell by 8 percent as a result."),
    ("bridge", "Engineers closed the Kessel river bridge after inspectors found cracks in two"
     " piers. Repairs are expected to take nine months and cost 14 million euros."),
    ("library", "The city library of Marden reopened after a two-year renovation. It now holds"
     " 410,000 books and a new children's wing named after a local teacher."),
    ("marathon", "Runner Ana Brisk won the Dunmore marathon in 2 hours 21 minutes, a course"
     " record. More than 9,000 people finished the race on Sunday."),
    ("vaccine", "Health officials in Tarn province began a measles vaccination drive in schools,"
     " aiming to reach 65,000 children before the winter term ends."),
]  # fmt: skip


def _article(prefix: str, n: int, topic: tuple[str, str], day: int) -> dict[str, Any]:
    name, text = topic
    body = "\n\n".join(f"{text} Update {k} of the {name} story from {prefix}." for k in range(4))
    return {"id": f"https://example.org/{prefix}/{name}-{n}", "url": "", "title": f"{name} {n}",
            "published": f"2022-06-{day:02d}", "authors": [], "text": body}  # fmt: skip


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A benchmark folder shaped like ../shared/bench: realtimeqa/{corpus,questions}.jsonl and
    scale/corpus.jsonl."""
    root = tmp_path_factory.mktemp("bench-data")
    (root / "realtimeqa").mkdir()
    (root / "scale").mkdir()
    base = [_article("rtqa", n, t, 10 + n) for n, t in enumerate(TOPICS)]
    grow = [_article("scale", n, t, 1 + n) for n, t in enumerate(TOPICS)]
    for path, rows in ((root / "realtimeqa" / "corpus.jsonl", base),
                       (root / "scale" / "corpus.jsonl", grow)):  # fmt: skip
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    questions = [
        {"id": "q1", "question": "How many workers were hired for the container terminal?",
         "answers": ["340"], "sources": [base[0]["id"]], "answerable": True,
         "question_date": "2022-06-20", "choices": ["340", "12"]},
        {"id": "q2", "question": "How long will the bridge repairs take?",
         "answers": ["nine months"], "sources": [base[2]["id"]], "answerable": True,
         "question_date": "2022-06-20"},
        {"id": "q3", "question": "Who won the marathon?", "answers": ["Ana Brisk"],
         "sources": [base[4]["id"]], "answerable": True, "question_date": "2022-06-20",
         "history": [{"role": "user", "content": "Any sports news?"}]},
        {"id": "q4", "question": "How many books does the library hold?", "answers": ["410,000"],
         "sources": [base[3]["id"]], "answerable": True, "question_date": "2022-06-20"},
    ]  # fmt: skip
    (root / "realtimeqa" / "questions.jsonl").write_text(
        "".join(json.dumps(q) + "\n" for q in questions)
    )
    return root


def test_scale_grows_both_indexes_and_measures_each_size(
    bench_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["bench", "scale", "--bench", str(bench_dir), "--steps", "2", "--limit", "2",
                 "--out", str(out)])  # fmt: skip
    assert code == 0
    data = json.loads((out / "bench-scale.json").read_text())
    assert data["modes"] == ["disk", "server"] and data["questions"] == 2
    for mode in ("disk", "server"):
        rows = [r for r in data["rows"] if r["mode"] == mode]
        # 6 base articles, then the 6 others in two steps of 3, each indexed exactly once
        assert [r["articles"] for r in rows] == [6, 9, 12]
        assert [r["expected_articles"] for r in rows] == [6, 9, 12]
        assert [r["added"] for r in rows] == [6, 3, 3]
        assert all(r["updated"] == r["removed"] == 0 for r in rows)
        chunks = [r["chunks"] for r in rows]
        assert chunks[0] > 0 and chunks[0] < chunks[1] < chunks[2]
        assert [r["step_chunks"] for r in rows] == [chunks[0], chunks[1] - chunks[0],
                                                     chunks[2] - chunks[1]]  # fmt: skip
        sizes = [r["disk_bytes"] for r in rows]
        assert sizes[0] > 0 and sizes[-1] >= sizes[0]
        for r in rows:
            assert r["ingest_s"] > 0 and r["articles_per_s"] > 0 and r["chunks_per_s"] > 0
            assert 0 < r["open_s"] <= r["cold_s"] and r["first_open_s"] > 0
            assert 100 < r["rss_mb"] < 4000
            assert len(r["ask_ms"]) == 2 and 0 < r["ask_p50_ms"] <= r["ask_p95_ms"]
            assert 0.0 <= r["hit@5"] <= 1.0 and r["load_1min"] >= 0
            assert r["questions_with_source"] == 2
        assert rows[0]["hit@5"] == 1.0  # two plain questions over six articles
    server = [r for r in data["rows"] if r["mode"] == "server"]
    assert all(r["server_memory"]["rss_mb"] > 0 for r in server)
    assert all(r["disk_parts"]["db"] > 0 for r in server)  # the server's --path folder counts
    assert data["growth"]["disk"]["articles"] == 2.0
    assert data["machine"]["cpu_model"] and "avx2" in data["machine"]["cpu_flags"]
    assert data["code"]["end"]["sources_sha256"]
    table = capsys.readouterr().out
    assert "p95 ms" in table and "disk MB" in table and "largest / smallest" in table
    for mode in ("disk", "server"):  # one line a size
        assert len(re.findall(rf"^{mode} +\d", table, re.M)) == 3


def test_scale_rejects_bad_options_in_one_line(
    bench_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, message in ((["--modes", "disk,cloud"], "--modes takes disk, server"),
                          (["--steps", "0"], "--steps must be between 1 and 6"),
                          (["--bench", str(tmp_path / "nowhere")], "no such benchmark folder")):  # fmt: skip
        cli = ["bench", "scale", "--bench", str(bench_dir), "--out", str(tmp_path), *args]
        assert main(cli) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
