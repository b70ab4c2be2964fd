"""The chat's first screen offers questions that fit what is indexed: the seeds' own questions
(kept with the seeds) over the seeds, the newest headlines over anyone else's articles; and
nothing in ui/ knows what the seeds are about."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from qa import ArticleText
from ui.examples import EXAMPLES_FILE, examples_for, load_curated, seeds_folder

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def article(
    article_id: str, title: str, published: str | None = None, source: str | None = None
) -> ArticleText:
    return ArticleText(article_id, title, published, source, f"{title}\n\nBody of {article_id}.")


def seed_articles() -> list[ArticleText]:
    return [article(p.stem, p.read_text().splitlines()[0]) for p in sorted(SEEDS.glob("*.txt"))]


def test_the_seeds_get_their_own_questions() -> None:
    curated = load_curated(seeds_folder() / EXAMPLES_FILE)
    assert curated is not None and set(curated.articles) == {a.id for a in seed_articles()}
    examples = examples_for(seed_articles(), curated)
    assert [m["text"] for m in examples.messages] == list(curated.questions)
    assert "display_text" not in examples.messages[0]


def test_articles_added_to_the_seeds_show_beside_their_questions() -> None:
    curated = load_curated(SEEDS / EXAMPLES_FILE)
    mine = [article("u1", "Harbour bridge closed", "2023-03-01", "Coast Times"),
            article("u2", "Rail strike ends", "2023-05-02"), article("u3", "Old news", "2001-01-01")]  # fmt: skip
    examples = examples_for([*seed_articles(), *mine], curated)
    assert curated is not None
    assert [m["text"] for m in examples.messages[:4]] == list(curated.questions)
    assert [m.get("display_text") for m in examples.messages[4:]] == [
        "Rail strike ends (2023-05-02)",
        "Harbour bridge closed (Coast Times · 2023-03-01)",
    ]


def test_any_other_collection_gets_its_newest_headlines_as_questions() -> None:
    curated = load_curated(SEEDS / EXAMPLES_FILE)
    articles = [
        article("a", "Undated story"),
        article("b", "Harbour bridge closed", "2023-03-01", "Coast Times"),
        article("c", "Rail strike ends", "2023-05-02"),
        article("d", "   "),  # no title: nothing to offer
        article("e", "A council vote " + "on many things " * 20, "2023-04-01"),
        article("f", "Oldest story", "1999-12-31"),
    ]
    examples = examples_for(articles, curated)
    assert "newest headlines" in examples.placeholder
    shown = [m["display_text"] for m in examples.messages]
    assert shown[0] == "Rail strike ends (2023-05-02)"
    assert shown[2] == "Harbour bridge closed (Coast Times · 2023-03-01)"
    assert shown[3] == "Oldest story (1999-12-31)"  # undated last: only four
    assert shown[1].startswith("A council vote on many things") and "…" in shown[1]
    assert len(shown[1]) <= 90 + len(" (2023-04-01)")
    assert examples.messages[0]["text"] == "What does the news say about “Rail strike ends”?"


def test_a_broken_examples_file_falls_back_to_headlines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / EXAMPLES_FILE
    broken.write_text("articles = [1, 2\n")
    with caplog.at_level(logging.WARNING):
        assert load_curated(broken) is None
    assert "cannot be read" in caplog.text
    assert load_curated(tmp_path / "missing.toml") is None
    examples = examples_for(seed_articles(), None)
    assert all("display_text" in m for m in examples.messages)


def _seed_names_and_figures() -> set[str]:
    """Proper names (capitalised words never written in lower case there), figures and ids of
    the seed articles."""
    texts = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    lower = set(re.findall(r"\b[a-z]{4,}\b", texts))
    names = {w for w in re.findall(r"\b[A-Z][a-z]{3,}\b", texts) if w.lower() not in lower}
    figures = set(re.findall(r"\b\d{1,3}(?:,\d{3})+\b", texts))
    return names | figures | {p.stem for p in SEEDS.glob("*.txt")}


def test_nothing_in_ui_names_a_seed_article_person_or_figure() -> None:
    found = _seed_names_and_figures()
    assert {"Blinken", "Lavrov", "Kremlin", "94,000"} <= found  # the check sees what it must
    for path in sorted((REPO / "ui").glob("*.py")):
        code = path.read_text(encoding="utf-8")
        named = sorted(w for w in found if re.search(rf"(?<![\w,]){re.escape(w)}(?![\w,])", code))
        assert not named, (path.name, named)
