"""What a caller hands the ``Assistant``, checked and read before anything is retrieved: the
question itself, the day it is asked as of, and the filters on what may be cited.

Each bad value is one ``InputError`` line that says what to change, raised before any model is
loaded or any article read (``qa ask`` checks the question before it loads the models).
"""

from __future__ import annotations

import re
from datetime import date

from index.errors import InputError
from index.store import Filter
from qa.text import STOPWORDS

_RELATIVE = re.compile(
    r"\b(this|last|past) (week|month|weekend)\b|\brecent(ly)?\b|\blatest\b|\bnow\b|\bcurrently\b"
    r"|\btoday\b|\byesterday\b|\bso far\b",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+")
NOT_ENGLISH = (
    "I can only answer questions asked in English (the indexed articles and the model are"
    " English). Please rephrase the question in English."
)


def validate_question(question: str, max_chars: int) -> str:
    """The question, stripped; an InputError for an empty or over-long one."""
    if not isinstance(question, str) or not question.strip():
        raise InputError("the question is empty: ask something about the articles")
    try:
        question.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: bytes that were not UTF-8
        raise InputError(
            f"the question holds a character that is not valid Unicode (at character"
            f" {exc.start + 1}): type it again"
        ) from None
    question = question.strip()
    if len(question) > max_chars:
        raise InputError(
            f"the question is {len(question)} characters long; the limit is {max_chars}: shorten it"
        )
    return question


def looks_english(question: str) -> bool:
    """False for questions in another script, or Latin-script ones with no English function
    words; short questions get the benefit of the doubt."""
    words = _WORD.findall(question)
    letters = "".join(words)
    if not letters:
        return True
    if sum(c.isascii() for c in letters) / len(letters) < 0.6:
        return False
    return len(words) < 4 or any(w.lower() in STOPWORDS for w in words)


def as_date(value: date | str | None, name: str) -> date | None:
    """``value`` (a date or an ISO string) as a date; an InputError naming ``name`` otherwise."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InputError(f"{name} must be a date like 2022-01-19 (got {value!r})") from exc


def day_asked(question: str, as_of: date | str | None, newest: str | None) -> date | None:
    """The day a question is asked as of: ``as_of`` when given; else, for a question about
    "this week", "recently" or "now", the newest article's day (ISO ``newest``), since the
    index is read as of its latest news; else None (no day: recency plays no part)."""
    when = as_date(as_of, "as_of")
    if when is None and _RELATIVE.search(question) and newest:
        return date.fromisoformat(newest)
    return when


def article_filter(published_from: date | str | None, published_to: date | str | None,
                   sources: list[str] | tuple[str, ...] | None,
                   article_ids: list[str] | tuple[str, ...] | None) -> Filter:  # fmt: skip
    """Which articles may be cited, from the caller's bounds (inclusive dates), outlets and
    article ids; an InputError for a bound that is not a date."""
    low, high = as_date(published_from, "published_from"), as_date(published_to, "published_to")
    return Filter(low.isoformat() if low else None, high.isoformat() if high else None,
                  tuple(sources or ()), tuple(article_ids or ()))  # fmt: skip
