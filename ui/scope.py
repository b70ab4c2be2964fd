"""What a question is asked about: the page's date, outlet and article controls, read into one
value that becomes ``Assistant.ask``'s filters and is shown next to the answer it produced.

    >>> scope = Scope.from_form("2024-05-01", "", "", ["Quux Herald"], [])
    >>> scope.filters()
    {'published_from': '2024-05-01', 'sources': ['Quux Herald']}
    >>> scope.describe()
    'published from 2024-05-01 · outlet Quux Herald'

No Gradio here: the handlers pass the controls' values in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from qa import Answer, InputError

# Chosen articles named one by one in a scope line; more are counted.
NAMED_ARTICLES = 3


def parse_day(value: str | None, field_name: str) -> str | None:
    """An ISO date from what was typed ("" or None: not set); an InputError naming the field
    for anything else."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(
            f"“{field_name}” must be a date like 2024-05-31 (got {text[:40]!r})"
        ) from None


@dataclass(frozen=True)
class Scope:
    """Filters for one question; every field empty means all indexed articles."""

    published_from: str | None = None
    published_to: str | None = None
    as_of: str | None = None
    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    @classmethod
    def from_form(
        cls,
        published_from: str | None,
        published_to: str | None,
        as_of: str | None,
        sources: Sequence[str] | str | None,
        article_ids: Sequence[str] | str | None,
    ) -> Scope:
        """The scope the controls show; an InputError (one line) for a malformed date or a
        range that ends before it starts."""
        start = parse_day(published_from, "From")
        end = parse_day(published_to, "To")
        if start and end and start > end:
            raise InputError(f"“From” ({start}) is after “To” ({end}): swap them")
        return cls(start, end, parse_day(as_of, "As of"), _strings(sources), _strings(article_ids))

    @property
    def is_empty(self) -> bool:
        return self == Scope()

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``Assistant.ask`` and ``stream``: only those that are set."""
        named: dict[str, Any] = {
            "as_of": self.as_of,
            "published_from": self.published_from,
            "published_to": self.published_to,
            "sources": list(self.sources),
            "article_ids": list(self.article_ids),
        }
        return {k: v for k, v in named.items() if v}

    def describe(self, titles: Mapping[str, str] | None = None) -> str:
        """The scope in words (plain text, to be escaped where shown): "all indexed articles",
        or its parts joined by " · "; chosen articles by title when ``titles`` knows them."""
        parts = []
        if self.published_from and self.published_to:
            parts.append(f"published {self.published_from} to {self.published_to}")
        elif self.published_from:
            parts.append(f"published from {self.published_from}")
        elif self.published_to:
            parts.append(f"published up to {self.published_to}")
        if self.as_of:
            parts.append(f"as of {self.as_of}")
        if self.sources:
            noun = "outlet" if len(self.sources) == 1 else "outlets"
            parts.append(f"{noun} {', '.join(self.sources)}")
        if self.article_ids:
            parts.append(_articles_part(self.article_ids, titles or {}))
        return " · ".join(parts) if parts else "all indexed articles"


def _articles_part(ids: Sequence[str], titles: Mapping[str, str]) -> str:
    if len(ids) > NAMED_ARTICLES or not titles:
        return f"only {len(ids)} chosen article{'' if len(ids) == 1 else 's'}"
    return "only " + ", ".join(f"“{titles.get(i, i)}”" for i in ids)


def _strings(values: Sequence[str] | str | None) -> tuple[str, ...]:
    if not values:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(dict.fromkeys(str(v) for v in values if str(v).strip()))


@dataclass(frozen=True)
class Turn:
    """One answered question of a conversation, with the scope it was asked in."""

    answer: Answer
    scope: Scope = field(default_factory=Scope)
