"""What the page's article events do: browse and open the indexed articles, tick some for "only
these articles", add articles (files or pasted), and refresh what depends on the collection
(the header's counts, the example questions, the outlets and articles to choose from).

Adding needs a logged-in user whenever the app has a login (``QA_AUTH``): Gradio already keeps
everyone else off the page, and the handlers check again, so that no other route to them adds
anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa import ArticleText, Assistant, InputError
from ui import render
from ui.examples import Curated, Examples, examples_for, newest_first
from ui.scope import Scope
from ui.uploads import Added, Uploads

import gradio as gr  # isort: skip

MAX_LISTED = 100  # rows in the list at once: the filter narrows the rest
LOGIN_NEEDED = "Log in to add articles."


@dataclass(frozen=True)
class Collection:
    """What the page shows of the indexed collection: the header, the example questions, the
    outlets and articles a question can be scoped to (those chosen), and the article list."""

    header: str
    examples: Examples
    outlets: list[str]
    choices: list[tuple[str, str]]
    picked: list[str]
    listing: str


def matching(articles: Sequence[ArticleText], query: str) -> list[ArticleText]:
    """The articles whose title, id, outlet or date hold every word of ``query`` (any case)."""
    words = query.casefold().split()
    if not words:
        return list(articles)

    def text(a: ArticleText) -> str:
        return " ".join((a.title, a.id, a.source or "", a.published or "")).casefold()

    return [a for a in articles if all(w in text(a) for w in words)]


def article_choice(article: ArticleText) -> tuple[str, str]:
    """How an article is offered in "only these articles": (label, id)."""
    where = " · ".join(x for x in (article.source, article.published) if x)
    title = render.shorten(" ".join((article.title or article.id).split()), 70)
    return (f"{title} ({where})" if where else title), article.id


def scope_label(*form: Any) -> Any:
    """The scope box's title: the scope the next question will be asked in."""
    try:
        said = Scope.from_form(*form).describe()
    except InputError as exc:
        said = f"⚠️ {exc}"
    return gr.Accordion(label=f"Scope: {said}")


class Library:
    """The article handlers over one Assistant and its uploads folder."""

    def __init__(
        self, assistant: Assistant, curated: Curated | None, login_required: Callable[[], bool]
    ) -> None:
        self.assistant = assistant
        self.uploads = Uploads(assistant)
        self.curated = curated
        self.login_required = login_required

    def listing(self, query: str | None, picked: Sequence[str] | None) -> str:
        """The list of articles (newest first) that match the filter."""
        found = matching(newest_first(self.assistant.articles()), query or "")
        return render.article_list_html(found[:MAX_LISTED], len(found), query or "", picked or ())

    def open(self, evt: gr.EventData) -> Any:
        """An article opened from the list, whole."""
        article = self.assistant.article(str(getattr(evt, "id", "")))
        return render.whole_article_html(article) if article else gr.skip()

    def pick(self, evt: gr.EventData, picked: Sequence[str] | None) -> list[str]:
        """A list box ticked or unticked: "only these articles" gains or loses that article."""
        article_id = str(getattr(evt, "id", ""))
        chosen = [i for i in (picked or []) if i != article_id]
        if getattr(evt, "picked", False) and self.assistant.article(article_id):
            chosen.append(article_id)
        return chosen

    def collection(self, query: str | None = "", picked: Sequence[str] | None = ()) -> Collection:
        """What the page shows of the collection as it is now."""
        articles = newest_first(self.assistant.articles())
        chosen = [i for i in (picked or []) if self.assistant.article(i)]
        return Collection(
            header=render.header_markdown(self.assistant.summary()),
            examples=examples_for(articles, self.curated),
            outlets=sorted({a.source for a in articles if a.source}, key=str.casefold),
            choices=[article_choice(a) for a in articles],
            picked=chosen,
            listing=self.listing(query, chosen),
        )

    def refresh(self, query: str | None, picked: Sequence[str] | None) -> tuple[Any, ...]:
        """Everything that follows the collection (``Page.followers``): (header, chatbot
        examples, outlets, articles to choose, list)."""
        now = self.collection(query, picked)
        return (
            now.header,
            gr.Chatbot(
                examples=now.examples.messages or None, placeholder=now.examples.placeholder
            ),
            gr.Dropdown(
                choices=now.outlets, interactive=bool(now.outlets), info=outlets_info(now.outlets)
            ),
            gr.Dropdown(choices=now.choices, value=now.picked),
            now.listing,
        )

    def _allowed(self, request: gr.Request | None) -> bool:
        return not self.login_required() or bool(request and request.username)

    def add_files(
        self,
        files: Sequence[str] | None,
        query: str | None,
        picked: Sequence[str] | None,
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        """Index uploaded files one by one, saying which is being indexed, then what became
        of each. Yields (status, files, header, chatbot, outlets, articles, list)."""
        skip = (gr.skip(),) * 5
        if not files:
            yield gr.skip(), gr.skip(), *skip
            return
        if not self._allowed(request):
            yield render.status_html([("bad", LOGIN_NEEDED)]), None, *skip
            return
        paths = [Path(f) for f in files]
        try:
            self.uploads.check_count(len(paths))
        except InputError as exc:
            yield render.status_html([("bad", str(exc))]), None, *skip
            return
        done: list[tuple[str, str]] = []
        header: Any = gr.skip()
        for n, path in enumerate(paths, start=1):
            busy = ("busy", f"Indexing {n} of {len(paths)}: {path.name}…")
            yield render.status_html([*done, busy]), gr.skip(), header, *skip[1:]
            done.append(_line(self.uploads.add_file(path.name, path)))
            header = render.header_markdown(self.assistant.summary())  # counts as they grow
        yield render.status_html(done), None, *self.refresh(query, picked)

    def add_text(
        self,
        title: str,
        text: str,
        published: str,
        source: str,
        query: str | None,
        picked: Sequence[str] | None,
        request: gr.Request,
    ) -> tuple[Any, ...]:
        """Index a pasted article. Returns (status, title, text, date, outlet, header, chatbot,
        outlets, articles, list): the form is emptied once the article is in."""
        keep = (gr.skip(),) * 9
        if not self._allowed(request):
            return render.status_html([("bad", LOGIN_NEEDED)]), *keep
        try:
            added = self.uploads.add_text(title, text, published, source)
        except InputError as exc:
            return render.status_html([("bad", f"Not added: {exc}")]), *keep
        if not added.ok:
            return render.status_html([_line(added)]), *keep
        return render.status_html([_line(added)]), "", "", "", "", *self.refresh(query, picked)


def _line(added: Added) -> tuple[str, str]:
    return ("ok" if added.ok else "bad"), added.line()


def outlets_info(outlets: Sequence[str]) -> str:
    if outlets:
        return "answer only from these outlets"
    return "no indexed article states its outlet"
