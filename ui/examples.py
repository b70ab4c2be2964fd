"""The chat's first screen: example questions that fit what is indexed.

A collection may ship its own questions (``seeds/examples.toml``: the articles they are about and
the questions); they are offered when every one of those articles is indexed. Any other article
is offered by its headline, newest first, a click away from a question about it. So the chat over
the seeds opens with the seeds' questions, and a chat over anyone's articles with their own
headlines; nothing here knows what any collection is about.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa import ArticleText
from ui.render import shorten

log = logging.getLogger(__name__)

EXAMPLES_FILE = "examples.toml"
MAX_CURATED = 4
MAX_HEADLINES = 4  # with curated questions shown too: HEADLINES_BESIDE_CURATED
HEADLINES_BESIDE_CURATED = 2
HEADLINE_CHARS = 90  # a headline on its button, cut at a word
QUESTION_HEADLINE_CHARS = 160  # a headline inside the question it asks


@dataclass(frozen=True)
class Curated:
    """Questions written for a set of articles."""

    articles: tuple[str, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Examples:
    """What the empty chat shows: a line above the buttons, and the buttons (Gradio's example
    messages: ``text`` is asked, ``display_text``, when set, is what the button says)."""

    placeholder: str
    messages: list[Any]  # dicts of str, as gr.Chatbot types its ExampleMessage


def seeds_folder() -> Path:
    """seeds/ here, or the one shipped next to the packages (an editable install)."""
    here = Path("seeds")
    return here if here.is_dir() else Path(__file__).resolve().parents[1] / "seeds"


def load_curated(path: Path) -> Curated | None:
    """The questions file at ``path``, or None when there is none or it cannot be read (said
    in the log: the chat still opens, with headlines)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("%s cannot be read (%s): offering headlines instead", path, exc)
        return None
    articles, questions = _strings(data.get("articles")), _strings(data.get("questions"))
    if not articles or not questions:
        log.warning("%s needs lists of strings 'articles' and 'questions'", path)
        return None
    return Curated(articles, questions)


def _strings(value: object) -> tuple[str, ...]:
    """The non-empty strings of a list of strings, else ()."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return ()
    return tuple(v.strip() for v in value if v.strip())


def _headline(title: str, limit: int) -> str:
    return shorten(" ".join(title.split()), limit)


def newest_first(articles: Iterable[ArticleText]) -> list[ArticleText]:
    """Dated articles newest first, then the undated ones; ties by id."""
    ordered = sorted(articles, key=lambda a: a.id)
    return sorted(ordered, key=lambda a: a.published or "", reverse=True)


def headline_question(title: str) -> str:
    return f"What does the news say about “{_headline(title, QUESTION_HEADLINE_CHARS)}”?"


def headline_messages(articles: Iterable[ArticleText], limit: int) -> list[dict[str, str]]:
    """The newest titled articles as example buttons: the headline (with its date and outlet)
    on the button, a question about it when clicked."""
    messages: list[dict[str, str]] = []
    for article in newest_first(a for a in articles if a.title.strip()):
        if len(messages) == limit:
            break
        where = " · ".join(x for x in (article.source, article.published) if x)
        shown = _headline(article.title, HEADLINE_CHARS) + (f" ({where})" if where else "")
        messages.append({"text": headline_question(article.title), "display_text": shown})
    return messages


def examples_for(articles: Sequence[ArticleText], curated: Curated | None) -> Examples:
    """The curated questions when all their articles are indexed (and the newest headlines of
    any others), else the newest headlines."""
    indexed = {a.id for a in articles}
    if curated and set(curated.articles) <= indexed:
        others = [a for a in articles if a.id not in set(curated.articles)]
        messages: list[Any] = [{"text": q} for q in curated.questions[:MAX_CURATED]]
        messages += headline_messages(others, HEADLINES_BESIDE_CURATED)
        return Examples("**Ask about the news articles.** Try one of these:", messages)
    headlines: list[Any] = headline_messages(articles, MAX_HEADLINES)
    if not headlines:
        return Examples("**Ask about the indexed articles.**", [])
    return Examples(
        "**Ask about the indexed articles.** The newest headlines, a click away from a question:",
        headlines,
    )
