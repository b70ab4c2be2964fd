"""What a question pins down that the articles of its answer must hold: the years and figures its
asking sentence names ("the 2024 Super Bowl halftime show", "the recall of 2.9 million
vehicles"). An article that neither names such a year nor was published in it, or that never
names such a figure, is about another edition of the event or another event, however closely its
sentences match the question's other words: the answer is a refusal, not a near miss."""

from __future__ import annotations

import re

from qa.question import asking_clause

_NUMBER = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\d,]*\d)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def pinned(question: str) -> list[str]:
    """The figures (years included) of the question's asking sentence, without thousands
    separators, in order."""
    clause = _THOUSANDS.sub("", asking_clause(question))
    return list(dict.fromkeys(m.group() for m in _NUMBER.finditer(clause)))


def _is_year(figure: str) -> bool:
    return len(figure) == 4 and figure.isdigit() and 1900 <= int(figure) <= 2100


def mentions(text: str, figure: str) -> bool:
    """Whether ``text`` names ``figure`` as a number of its own ("2.9" in "2.9 million", "62" in
    "62nd", "13" in "13.5%"; not "27" in "2027" or "1.27")."""
    pattern = rf"(?<![\d.]){re.escape(figure)}(?!\d)"
    return re.search(pattern, _THOUSANDS.sub("", text)) is not None


def unmet(question: str, articles: list[tuple[str, str | None]]) -> str | None:
    """Why the answer's ``articles`` (text, publication date) cannot answer ``question``: a
    figure it pins down that none of them names (a year also counts as named by an article
    published that year). None when every pinned figure is there."""
    for figure in pinned(question):
        if not any(
            mentions(text, figure) or (_is_year(figure) and (published or "").startswith(figure))
            for text, published in articles
        ):
            return f"the articles cited never mention {figure}, which the question names"
    return None
