"""English word forms from ``inflect``: singulars ("casualties" -> "casualty") and ordinals
("second" -> 2, 22 -> "twenty-second"), and the numbered things a text speaks of ("the second
episode")."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

_INFLECT_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _inflect() -> Any:
    """inflect's engine, made on first use (``import qa`` does not pay for it; an ``Assistant``
    makes it when it opens, ``load_inflect``). inflect wraps its methods in typeguard's
    ``@typechecked``, which re-parses and recompiles inflect's source as it is imported: 2 to 3 s
    of every cold start here (jaraco/inflect#212, agronholm/typeguard#468, both open). It is
    imported with that decorator leaving functions as they are: the checks guard inflect's
    arguments, which here are always a word or a number."""
    with _INFLECT_LOCK:
        import typeguard

        checked = typeguard.typechecked
        typeguard.typechecked = _unchecked
        try:
            import inflect
        finally:
            typeguard.typechecked = checked
        return inflect.engine()


def _unchecked(target: Any = None, **_: Any) -> Any:
    """``typeguard.typechecked`` that checks nothing, used bare or with arguments."""
    return _unchecked if target is None else target


def load_inflect() -> None:
    """Make inflect's engine now, in the opening thread, so that no answer waits for it and two
    answers never import it at once."""
    _inflect()


@lru_cache(maxsize=8192)
def singular(word: str) -> str:
    """'casualties' -> 'casualty', 'people' -> 'person', 'news' -> 'news' (inflect's rules)."""
    word = word.lower()
    return _inflect().singular_noun(word) or word


@lru_cache(maxsize=1)
def _ordinal_words() -> dict[str, int]:
    """'first' -> 1, 'second' -> 2, ... 'hundredth' -> 100, in inflect's words."""
    return {ordinal_word(n): n for n in range(1, 101)}


def ordinal_word(n: int) -> str:
    """1 -> 'first', 22 -> 'twenty-second' (inflect's words)."""
    engine = _inflect()
    return str(engine.number_to_words(engine.ordinal(n)))


_ORDINAL_THING = re.compile(r"\b(\d+(?:st|nd|rd|th)|[a-z]+(?:-[a-z]+)?)\s+(?=([a-z]+)\b)", re.I)


def ordinals(text: str) -> set[tuple[int, str]]:
    """The numbered things ``text`` speaks of, each as (its number, its noun in the singular):
    "the second episode" is (2, "episode"), "its 62nd home run" (62, "home"). An ordinal
    is a word inflect spells as one or a figure with its suffix; the word after it is taken as
    what it numbers."""
    words = _ordinal_words()
    found: set[tuple[int, str]] = set()
    for m in _ORDINAL_THING.finditer(text):
        number = m[1].lower()
        n = int(number[:-2]) if number[0].isdigit() else words.get(number)
        if n is not None:
            found.add((n, singular(m[2])))
    return found
