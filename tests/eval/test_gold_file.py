"""Sanity checks for the regression-evaluation gold set (eval/gold.jsonl).

Standard library + pytest only: no model, index or QA code is involved.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
GOLD = ROOT / "eval" / "gold.jsonl"
SEEDS = ROOT / "seeds"

REQUIRED_FIELDS = ("id", "question", "answers", "sources", "answerable")
KINDS = (
    "number",
    "person",
    "place",
    "date",
    "quote",
    "organisation",
    "multi",
    "disagreement",
    "unanswerable",
    "followup",
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _load_items() -> list[dict[str, Any]]:
    items = []
    for lineno, line in enumerate(GOLD.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:  # pragma: no cover - failure path
            pytest.fail(f"gold.jsonl line {lineno} is not valid JSON: {exc}")
        assert isinstance(item, dict), f"line {lineno} is not a JSON object"
        items.append(item)
    return items


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    assert GOLD.is_file(), f"missing {GOLD}"
    return _load_items()


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    texts = {p.stem: _norm(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    assert texts, f"no seed articles in {SEEDS}"
    return texts


def test_fields_and_types(items: list[dict[str, Any]]) -> None:
    for item in items:
        missing = [f for f in REQUIRED_FIELDS if f not in item]
        assert not missing, f"{item.get('id')}: missing fields {missing}"
        assert isinstance(item["id"], str) and item["id"], item
        assert isinstance(item["question"], str) and item["question"].strip(), item["id"]
        assert isinstance(item["answers"], list), item["id"]
        assert all(isinstance(a, str) and a.strip() for a in item["answers"]), item["id"]
        assert isinstance(item["sources"], list), item["id"]
        assert isinstance(item["answerable"], bool), item["id"]
        assert item.get("kind") in KINDS, f"{item['id']}: bad kind {item.get('kind')!r}"
        if "history" in item:
            history = item["history"]
            assert isinstance(history, list) and history, item["id"]
            for turn in history:
                assert turn.get("role") in ("user", "assistant"), item["id"]
                assert isinstance(turn.get("content"), str) and turn["content"], item["id"]


def test_ids_unique(items: list[dict[str, Any]]) -> None:
    counts = Counter(item["id"] for item in items)
    dupes = sorted(i for i, n in counts.items() if n > 1)
    assert not dupes, f"duplicate ids: {dupes}"


def test_sources_are_seed_articles(items: list[dict[str, Any]], seeds: dict[str, str]) -> None:
    for item in items:
        unknown = [s for s in item["sources"] if s not in seeds]
        assert not unknown, f"{item['id']}: unknown sources {unknown}"


def test_answers_occur_verbatim_in_sources(
    items: list[dict[str, Any]], seeds: dict[str, str]
) -> None:
    for item in items:
        if not item["answerable"]:
            continue
        assert item["answers"], f"{item['id']}: answerable item without answers"
        assert item["sources"], f"{item['id']}: answerable item without sources"
        texts = [seeds[s] for s in item["sources"]]
        for answer in item["answers"]:
            assert any(_norm(answer) in t for t in texts), (
                f"{item['id']}: answer {answer!r} not found in {item['sources']}"
            )
        for required in item.get("requires", []):
            assert any(_norm(required) in t for t in texts), (
                f"{item['id']}: required {required!r} not found in {item['sources']}"
            )


def test_unanswerable_items_have_no_answers(items: list[dict[str, Any]]) -> None:
    for item in items:
        if not item["answerable"]:
            assert item["answers"] == [], item["id"]
            assert "requires" not in item or item["requires"] == [], item["id"]


def test_multi_and_disagreement_items_use_several_articles(items: list[dict[str, Any]]) -> None:
    for item in items:
        if item["kind"] == "multi":
            assert len(set(item["sources"])) >= 2, item["id"]
        if item["kind"] == "disagreement":
            assert len(item.get("requires", [])) >= 2, item["id"]


def test_counts(items: list[dict[str, Any]], seeds: dict[str, str]) -> None:
    assert len(items) >= 60
    assert sum(1 for i in items if not i["answerable"]) >= 10
    assert sum(1 for i in items if i.get("history")) >= 8
    assert sum(1 for i in items if len(set(i["sources"])) >= 2) >= 6

    used = {s for i in items for s in i["sources"]}
    assert set(seeds) <= used, f"seed articles never used as a source: {sorted(set(seeds) - used)}"

    kinds = Counter(i["kind"] for i in items)
    missing = [k for k in KINDS if kinds[k] == 0]
    assert not missing, f"no items of kind {missing}"
