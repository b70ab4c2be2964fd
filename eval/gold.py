"""The gold file: one Q&A item a line (see DESIGN.md). Unknown fields are kept and passed through;
a bad line is an error naming the file, the line and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa import InputError

KNOWN = {"id", "question", "answers", "sources", "answerable", "history", "question_date"}


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answers: list[str]
    sources: list[str]
    answerable: bool
    history: list[dict[str, Any]] = field(default_factory=list)
    question_date: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # kind, requires, note, choices, ...

    @property
    def kind(self) -> str:
        return str(self.extra.get("kind") or ("answerable" if self.answerable else "unanswerable"))

    @property
    def requires(self) -> list[str]:
        value = self.extra.get("requires") or []
        return [str(v) for v in value] if isinstance(value, list) else []


def _field(row: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in row:
        raise InputError(f"{where}: field '{name}' is missing")
    if not isinstance(row[name], kind):
        raise InputError(f"{where}: field '{name}' has the wrong type ({type(row[name]).__name__})")
    return row[name]


def _item(row: object, where: str) -> GoldItem:
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected a JSON object")
    item_id = _field(row, "id", str, where)
    question = _field(row, "question", str, where)
    answers = _field(row, "answers", list, where)
    sources = _field(row, "sources", list, where)
    answerable = _field(row, "answerable", bool, where)
    for name, values in (("answers", answers), ("sources", sources)):
        if not all(isinstance(v, str) for v in values):
            raise InputError(f"{where}: field '{name}' must be a list of strings")
    if answerable and not answers:
        raise InputError(f"{where}: field 'answers' is empty for an answerable item")
    history = row.get("history") or []
    if not isinstance(history, list) or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant") for m in history
    ):
        raise InputError(f"{where}: field 'history' must be a list of {{role, content}} messages")
    qdate = row.get("question_date")
    if qdate is not None and not isinstance(qdate, str):
        raise InputError(f"{where}: field 'question_date' must be a YYYY-MM-DD string")
    extra = {k: v for k, v in row.items() if k not in KNOWN}
    return GoldItem(item_id, question, answers, sources, answerable, history, qdate, extra)


def load_gold(
    path: Path, article_ids: set[str] | None = None, warn: Callable[[str], None] | None = None
) -> list[GoldItem]:
    """Every item of a gold file; with ``article_ids``, sources must name indexed articles. With
    ``warn``, an unknown source is reported through it instead (the item stays and its retrieval
    counts as a miss): an external benchmark's corpus can lack a page its questions cite."""
    if not path.is_file():
        raise InputError(f"{path}: no such gold file")
    items: list[GoldItem] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from exc
        item = _item(row, where)
        if item.id in seen:
            raise InputError(f"{where}: field 'id' repeats '{item.id}'")
        seen.add(item.id)
        if article_ids is not None:
            unknown = [s for s in item.sources if s not in article_ids]
            if unknown:
                message = f"{where}: field 'sources' names unknown article '{unknown[0]}'"
                if warn is None:
                    raise InputError(message)
                warn(message)
        items.append(item)
    if not items:
        raise InputError(f"{path}: no gold items")
    return items


def load_gold_files(
    paths: list[Path],
    article_ids: set[str] | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, list[GoldItem]]:
    """Several gold files scored together (one suite), keyed by a short label for each (its file
    name, or its path when two share a name) so that the report can show each set on its own.
    Ids must be unique across the files: result rows are keyed by them."""
    names = [p.name for p in paths]
    groups: dict[str, list[GoldItem]] = {}
    first: dict[str, Path] = {}
    for path in paths:
        items = load_gold(path, article_ids, warn)
        for item in items:
            if item.id in first:
                raise InputError(f"{path}: id '{item.id}' is also in {first[item.id]}")
            first[item.id] = path
        groups[path.name if names.count(path.name) == 1 else str(path)] = items
    return groups
