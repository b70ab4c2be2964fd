r"""Pure formatting for the web chat: answers to chat markdown (each ``[n]`` a link that opens its
citation, the scope it was asked in above it), citations to a sources panel, an article to HTML
with the cited span highlighted, the list of indexed articles, and what adding articles did.
No Gradio here, so all of it is unit-testable.

Article, passage and question text is untrusted (anyone can index a page containing ``<script>``):
every piece of it goes through ``html.escape`` (HTML output) or ``escape_markdown`` (chat output)
before it reaches the page, so it always shows as text and never runs.

    >>> escape_markdown("<img src=x onerror=alert(1)> [link](javascript:x)")
    '&lt;img src\\=x onerror\\=alert\\(1\\)&gt; \\[link\\]\\(javascript\\:x\\)'
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from qa import Answer, ArticleText, Citation, IndexSummary, Passage

REFUSAL_PREFIX = "ℹ️ **Not in the articles:**"
PENDING = {"title": "Searching the articles…", "status": "pending"}
DRAFTING = {"title": "Writing… (citations are checked when the model is done)", "status": "pending"}

_MARKERS = re.compile(r"\[\d+\](?:\[\d+\])*")  # a run of markers: [1] or [1][2][3]
# Markdown's active ASCII punctuation: escaped with a backslash so that article text never turns
# into links, images, emphasis, headings, lists, tables or code (CommonMark allows escaping any).
_MD_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$=:])")
_LIST_ITEM = re.compile(r"^\s*[-*] (?=\S)")


def escape_markdown(text: str) -> str:
    """Text that a markdown renderer shows verbatim: HTML-escaped (<, >, &), markdown punctuation
    backslash-escaped, and no line indented (four spaces would make a code block)."""
    return "\n".join(_inline(line.lstrip()) for line in text.split("\n"))


def _inline(text: str) -> str:
    """Text inside a line, escaped (its spaces kept: it may follow a marker)."""
    return _MD_ACTIVE.sub(r"\\\1", html.escape(text, quote=False))


def cite_link(turn: int, marker: int) -> str:
    """Where a marker of the ``turn``-th answer points: the page opens that citation."""
    return f"#cite-{turn}-{marker}"


def _marker_run(numbers: list[str], turn: int | None) -> str:
    """Markers in one bold run ("**[1]****[2]**" breaks), each a link when the answer's place
    in the conversation is known."""
    if turn is None:
        return "**" + "".join(f"\\[{n}\\]" for n in numbers) + "**"
    return "**" + "".join(f"[\\[{n}\\]]({cite_link(turn, int(n))})" for n in numbers) + "**"


def _line_markdown(line: str, markers: set[int], turn: int | None = None) -> str:
    """One line of an answer: escaped, its "- " bullet kept, its citation markers in bold."""
    prefix = ""
    if m := _LIST_ITEM.match(line):
        prefix, line = "- ", line[m.end() :]
    parts: list[str] = []
    last = 0
    for m in _MARKERS.finditer(line):
        numbers = re.findall(r"\d+", m[0])
        if all(int(n) in markers for n in numbers):
            parts += [_inline(line[last : m.start()]), _marker_run(numbers, turn)]
            last = m.end()
    parts.append(_inline(line[last:]))
    return prefix + "".join(parts).lstrip()


def answer_markdown(answer: Answer, turn: int | None = None, scope: str | None = None) -> str:
    """The chat message for an answer: its text with the ``[n]`` markers kept (in bold; links
    that open the citation when ``turn``, the answer's index in the conversation, is given); a
    refusal reads as a calm note, not an error. ``scope``: the scope it was asked in, in words,
    shown above it when the question was not asked of all articles."""
    head = scope_markdown(scope) if scope else ""
    if answer.refused:
        hint = (
            "\n\n_The closest articles found are listed under Sources._" if answer.passages else ""
        )
        return (
            f"{head}{REFUSAL_PREFIX} {escape_markdown(answer.text)}{hint}"
            f"{notes_markdown(answer.notes)}"
        )
    markers = {c.marker for c in answer.citations}
    text = "\n".join(_line_markdown(line, markers, turn) for line in answer.text.splitlines())
    return head + text + notes_markdown(answer.notes)


def scope_markdown(scope: str) -> str:
    """The scope an answer was found in, small, above it."""
    return f"<sub>Scope: {escape_markdown(scope)}</sub>\n\n"


def notes_markdown(notes: Sequence[str]) -> str:
    """What the reader should know about how the answer was made (a model left out, or one
    unavailable), in small italics."""
    return "".join(f"\n\n<sub>ℹ️ {escape_markdown(n)}</sub>" for n in notes)


def draft_markdown(text: str) -> str:
    """A model's reply while it is being written: shown as plain text until it is checked."""
    return escape_markdown(text)


def question_markdown(question: str) -> str:
    """The user's own message, shown as typed."""
    return escape_markdown(question)


def error_markdown(message: str) -> str:
    """One plain line for a failed question (never a traceback)."""
    first = message.strip().splitlines()[0] if message.strip() else "something went wrong"
    return f"⚠️ {escape_markdown(first)}"


def header_markdown(summary: IndexSummary) -> str:
    """What is indexed, for the page header."""
    newest = f", newest from {summary.newest}" if summary.newest else ""
    plural = "" if summary.articles == 1 else "s"
    return (
        f"Answers come only from the indexed news articles, and every claim is cited. "
        f"Indexed: **{summary.articles} article{plural}** ({summary.chunks} passages{newest})."
    )


def _meta(source: str | None, published: str | None, article_id: str) -> str:
    parts = [source or "outlet not stated", published or "date not stated", f"id {article_id}"]
    return " · ".join(html.escape(p) for p in parts)


def citation_label(citation: Citation) -> str:
    """How a citation is offered for opening: "[1] “The start of its quote…”" (the quote, not
    the title: two citations of one article must not look alike)."""
    return f"[{citation.marker}] {quoted(shorten(citation.quote, 44))}"


_OPENING_QUOTE = ("“", '"', "‘", "'", "«", "„")


def quoted(text: str) -> str:
    """``text`` in quotation marks, unless it opens with its own ("“We will,” she said."): the
    quote must stay verbatim, and ““We will,” ...” reads as a typo."""
    return text if text.lstrip().startswith(_OPENING_QUOTE) else f"“{text}”"


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:.-") + "…"


def sources_html(
    citations: Sequence[Citation], passages: Sequence[Passage] = (), question: str | None = None
) -> str:
    """The sources panel: a card for each cited article (title, outlet, date) holding each of its
    citations' number and quote. With no citations (a refusal), the closest articles found, so
    the user can see what was searched."""
    caption = (
        f'<div class="qa-caption">For “{html.escape(shorten(question, 120))}”</div>'
        if question
        else ""
    )
    if not citations:
        if not passages:
            return (
                '<div class="qa-sources qa-empty">The sources of each answer appear here: the'
                " passage cited, and its whole article with the passage highlighted.</div>"
            )
        seen: list[str] = []
        for p in passages:
            if p.title not in seen:
                seen.append(p.title)
        items = "".join(f"<li>{html.escape(t)}</li>" for t in seen[:3])
        return (
            f'<div class="qa-sources">{caption}<div class="qa-empty">No passage answers this.'
            f' Closest articles found:</div><ul class="qa-closest">{items}</ul></div>'
        )
    by_article: dict[str, list[Citation]] = {}
    for c in citations:  # one card an article, in the order the answer first cites them
        by_article.setdefault(c.article_id, []).append(c)
    cards = []
    for group in by_article.values():
        first = group[0]
        quotes = "".join(
            f'<blockquote class="qa-quote" id="source-{c.marker}">'
            f'<span class="qa-marker">[{c.marker}]</span> {html.escape(quoted(c.quote))}</blockquote>'
            for c in group
        )
        cards.append(
            f'<div class="qa-source"><div class="qa-title">{html.escape(first.title)}</div>'
            f'<div class="qa-meta">{_meta(first.source, first.published, first.article_id)}</div>'
            f"{quotes}</div>"
        )
    return f'<div class="qa-sources">{caption}{"".join(cards)}</div>'


def _cited_span(text: str, citation: Citation) -> tuple[int, int] | None:
    """The span to highlight: the citation's own, or (if the article changed since) its quote's
    first occurrence; None when the quote is no longer in the article."""
    if citation.start >= 0 and text[citation.start : citation.end] == citation.quote:
        return citation.start, citation.end
    at = text.find(citation.quote) if citation.quote else -1
    return (at, at + len(citation.quote)) if at >= 0 else None


def article_html(text: str, citation: Citation) -> str:
    """The whole article with the cited span in ``<mark id="cited">``, inside a scrollable body
    (the app scrolls the mark into view)."""
    span = _cited_span(text, citation)
    if span is None:
        body = html.escape(text) + (
            '<p class="qa-warning">The cited passage is no longer in this article'
            " (it was re-indexed since).</p>"
        )
    else:
        start, end = span
        body = (
            f"{html.escape(text[:start])}"
            f'<mark id="cited" class="qa-cited">{html.escape(text[start:end])}</mark>'
            f"{html.escape(text[end:])}"
        )
    return (
        f'<div class="qa-article" data-marker="{citation.marker}">'
        f'<div class="qa-article-title">[{citation.marker}] {html.escape(citation.title)}</div>'
        f'<div class="qa-meta">{_meta(citation.source, citation.published, citation.article_id)}'
        f'</div><div class="qa-article-body">{body}</div></div>'
    )


def missing_article_html(citation: Citation) -> str:
    """When the cited article has left the index since the answer was given."""
    return (
        f'<div class="qa-article qa-empty">[{citation.marker}] '
        f"{html.escape(citation.title)}: this article is no longer in the index.</div>"
    )


def whole_article_html(article: ArticleText) -> str:
    """An article opened from the list: title, outlet, date and id, then all of its text."""
    return (
        f'<div class="qa-article" data-article="{html.escape(article.id)}">'
        f'<div class="qa-article-title">{html.escape(article.title or article.id)}</div>'
        f'<div class="qa-meta">{_meta(article.source, article.published, article.id)}</div>'
        f'<div class="qa-article-body">{html.escape(article.text)}</div></div>'
    )


def article_list_html(
    articles: Sequence[ArticleText], total: int, query: str = "", picked: Sequence[str] = ()
) -> str:
    """The browsable list: for each article its title (a button that opens it), outlet, date
    and id, and a box that puts it in "only these articles". ``articles``: those shown (already
    filtered and cut), of ``total`` that match."""
    if not articles:
        said = f" matches “{html.escape(shorten(query, 60))}”" if query.strip() else " is indexed"
        return f'<div class="qa-list-info qa-empty">No article{said}.</div>'
    chosen = set(picked)
    rows = "".join(_article_row(a, a.id in chosen) for a in articles)
    count = f"{total} article{'' if total == 1 else 's'}"
    if query.strip():
        count += f" match “{html.escape(shorten(query, 60))}”"
    if len(articles) < total:
        count += f"; the first {len(articles)} are shown: type more to narrow the list"
    return f'<div class="qa-list-info">{count}.</div><ul class="qa-list">{rows}</ul>'


def _article_row(article: ArticleText, picked: bool) -> str:
    key = html.escape(article.id, quote=True)
    title = html.escape(article.title or article.id)
    checked = " checked" if picked else ""
    return (
        f'<li class="qa-row"><input type="checkbox" class="qa-pick" data-id="{key}"{checked}'
        f' aria-label="Only these articles: {html.escape(article.title or article.id, quote=True)}"'
        f' title="Ask only about the ticked articles">'
        f'<div class="qa-row-main"><button type="button" class="qa-open" data-id="{key}">'
        f"{title}</button>"
        f'<div class="qa-meta">{_meta(article.source, article.published, article.id)}</div>'
        f"</div></li>"
    )


def status_html(lines: Sequence[tuple[str, str]]) -> str:
    """What adding articles did, a line each: (kind, text) with kind "ok", "bad" or "busy"."""
    icons = {"ok": "✓ ", "bad": "⚠ "}  # glyphs every font has (emoji may show as boxes)
    items = "".join(
        f'<li class="qa-status-{kind}">{icons.get(kind, "")}{html.escape(text)}</li>'
        for kind, text in lines
    )
    return f'<ul class="qa-status" role="status">{items}</ul>' if items else ""
