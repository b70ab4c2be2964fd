"""The pure formatting of the web chat: escaping, markers, refusals, the highlighted article."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from qa import Answer, Citation, IndexSummary, Passage
from ui import render

EVIL = '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> [x](javascript:y)'
ARTICLE = (
    "Treaty signed\n\n"
    "Officials met on Monday. "
    f"The treaty was signed in Quuxville {EVIL} on 3 March.\n\n"
    "Talks go on & on < forever."
)
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)")


def cite(marker: int, quote: str, text: str = ARTICLE, **kw: object) -> Citation:
    start = text.index(quote)
    fields: dict = dict(
        marker=marker,
        article_id="a1",
        title="Treaty <b>signed</b>",
        published="2022-03-03",
        source="Daily <i>News</i>",
        start=start,
        end=start + len(quote),
        quote=quote,
    )
    fields.update(kw)
    return Citation(**fields)


def tags(fragment: str) -> set[str]:
    return {m[2].lower() for m in TAG.finditer(fragment)}


def visible_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_escape_markdown_renders_article_text_verbatim_and_as_no_html() -> None:
    rendered = MARKDOWN.render(render.escape_markdown(EVIL + " **bold** # not a heading"))
    assert tags(rendered) == {"p"}
    assert visible_text(rendered).strip() == EVIL + " **bold** # not a heading"


@given(st.text(st.one_of(st.characters(exclude_categories=["Cs", "Cc"]), st.just("\n"))))
def test_any_text_survives_markdown_escaping(text: str) -> None:
    """Whatever an article says, the markdown renderer shows exactly those characters (spacing
    aside) and makes no element of them."""
    rendered = MARKDOWN.render(render.escape_markdown(text))
    assert tags(rendered) <= {"p"}
    assert visible_text(rendered).split() == text.split()


def test_answer_keeps_markers_visible_and_escapes_the_sentences() -> None:
    quote = f"The treaty was signed in Quuxville {EVIL} on 3 March."
    answer = Answer("Where?", f"{quote} [1]", refused=False, citations=[cite(1, quote)])
    md = render.answer_markdown(answer)
    rendered = MARKDOWN.render(md)
    assert tags(rendered) <= {"p", "strong"}
    assert "<strong>[1]</strong>" in rendered
    assert visible_text(rendered).strip() == f"{quote} [1]"


def test_answer_keeps_its_bullet_list_and_every_marker() -> None:
    text = (
        "The articles give different figures [1][2]:\n- “A”: 94,000 troops [1]\n- “B”: 100,000 [2]"
    )
    cites = [cite(1, "Officials met on Monday."), cite(2, "Talks go on & on < forever.")]
    rendered = MARKDOWN.render(render.answer_markdown(Answer("q", text, False, cites)))
    assert rendered.count("<li>") == 2
    assert "figures <strong>[1][2]</strong>:" in rendered
    assert "troops <strong>[1]</strong></li>" in rendered
    assert "100,000 <strong>[2]</strong></li>" in rendered


def test_a_bracketed_number_that_is_no_citation_is_left_as_plain_text() -> None:
    answer = Answer("q", "See note [7] here. [1]", False, [cite(1, "Officials met on Monday.")])
    rendered = MARKDOWN.render(render.answer_markdown(answer))
    assert "<strong>[7]</strong>" not in rendered
    assert "[7]" in visible_text(rendered)


def test_refusal_reads_as_a_note_not_an_error() -> None:
    answer = Answer("Capital of France?", "The indexed articles don't answer this.", refused=True)
    md = render.answer_markdown(answer)
    assert md.startswith("ℹ️ **Not in the articles:**")
    assert "don't answer this" in md
    assert "⚠️" not in md and "rror" not in md
    assert "closest articles" not in md  # nothing was found: nothing to point at
    answer.passages = [Passage(1, "a1", "Treaty", None, None, 0, 6, "Treaty", 0.1)]
    assert "closest articles found are listed under Sources" in render.answer_markdown(answer)


def test_error_is_one_plain_line() -> None:
    md = render.error_markdown("the question is empty: ask something\nTraceback (most recent)")
    assert md.startswith("⚠️ ")
    assert "\n" not in md and "Traceback" not in md


def test_user_question_is_escaped() -> None:
    rendered = MARKDOWN.render(render.question_markdown("Is <img src=x onerror=y> *here*?"))
    assert tags(rendered) == {"p"}
    assert visible_text(rendered).strip() == "Is <img src=x onerror=y> *here*?"


def test_article_highlights_exactly_the_cited_span() -> None:
    quote = f"The treaty was signed in Quuxville {EVIL} on 3 March."
    c = cite(1, quote)
    page = render.article_html(ARTICLE, c)
    marked = re.findall(r'<mark id="cited"[^>]*>(.*?)</mark>', page, re.S)
    assert len(marked) == 1
    assert html.unescape(marked[0]) == ARTICLE[c.start : c.end]
    # the whole article is there, in order, as text
    body = re.search(r'<div class="qa-article-body">(.*)</div></div>$', page, re.S)
    assert body and visible_text(body[1]) == ARTICLE


def test_article_and_sources_never_carry_article_markup() -> None:
    quote = f"The treaty was signed in Quuxville {EVIL} on 3 March."
    c = cite(1, quote)
    for fragment in (render.article_html(ARTICLE, c), render.sources_html([c], question=EVIL)):
        assert not tags(fragment) & {"script", "img", "a", "b", "i"}
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in fragment
        assert "onerror=&quot;window.__xss=1&quot;" in fragment


def test_sources_list_number_title_outlet_date_and_quote() -> None:
    other = "Another article, on another day."
    cites = [
        cite(1, "Officials met on Monday."),
        cite(2, other, text=other, article_id="a2", title="Other", source=None, published=None),
        cite(3, "Talks go on & on < forever."),
    ]
    page = render.sources_html(cites)
    cards = [visible_text(card) for card in page.split('<div class="qa-source">')[1:]]
    assert len(cards) == 2  # one card an article, in order of first citation
    assert cards[0] == (
        "Treaty <b>signed</b>Daily <i>News</i> · 2022-03-03 · id a1"
        "[1] “Officials met on Monday.”[3] “Talks go on & on < forever.”"
    )
    assert (
        cards[1]
        == "Otheroutlet not stated · date not stated · id a2[2] “Another article, on another day.”"
    )


def test_a_quote_that_opens_with_its_own_quotation_mark_is_not_quoted_twice() -> None:
    said = "“We will not close,” the mayor said."
    text = f"{said} Ships wait."
    c = cite(1, said, text=text)
    assert render.citation_label(c) == "[1] “We will not close,” the mayor said."
    assert "[1] “We will not close,” the mayor said." in visible_text(render.sources_html([c]))
    plain = cite(2, "Ships wait.", text=text)
    assert render.citation_label(plain) == "[2] “Ships wait.”"
    straight = cite(3, '"No," she said.', text='"No," she said.')
    assert render.citation_label(straight) == '[3] "No," she said.'


def test_refusal_sources_show_the_closest_articles() -> None:
    passage = Passage(1, "a1", "Treaty <b>signed</b>", None, None, 0, 13, "Treaty signed", 0.1)
    page = render.sources_html([], [passage, passage])
    assert "No passage answers this" in page
    assert visible_text(page).count("Treaty <b>signed</b>") == 1


def test_article_changed_since_the_answer_falls_back_to_the_quote() -> None:
    c = cite(1, "Officials met on Monday.")
    moved = "New first paragraph.\n\n" + ARTICLE
    marked = re.findall(r'<mark id="cited"[^>]*>(.*?)</mark>', render.article_html(moved, c))
    assert marked == ["Officials met on Monday."]
    gone = render.article_html("Entirely different text.", c)
    assert "<mark" not in gone and "no longer in this article" in gone


def test_citation_label_is_short_numbered_and_tells_passages_apart() -> None:
    long = cite(3, f"The treaty was signed in Quuxville {EVIL} on 3 March.")
    short = cite(1, "Officials met on Monday.")
    assert render.citation_label(short) == "[1] “Officials met on Monday.”"
    label = render.citation_label(long)
    assert label.startswith("[3] “The treaty was signed in Quuxville")
    assert len(label) <= 50 and label.endswith("…”")


def test_header_says_what_is_indexed() -> None:
    md = render.header_markdown(IndexSummary(articles=5, chunks=53, newest="2022-01-19"))
    assert "5 articles" in md and "53 passages" in md and "2022-01-19" in md
    assert "1 article*" in render.header_markdown(IndexSummary(1, 3, None))


def test_markers_link_to_their_citation_when_the_answer_has_a_place_in_the_chat() -> None:
    text = "Figures differ [1][2] (see [7]):\n- A: 94 [1]\n- B: 100 [2]"
    cites = [cite(1, "Officials met on Monday."), cite(2, "Talks go on & on < forever.")]
    rendered = MARKDOWN.render(render.answer_markdown(Answer("q", text, False, cites), turn=3))
    assert 'differ <strong><a href="#cite-3-1">[1]</a><a href="#cite-3-2">[2]</a></strong> (' in (
        rendered
    )
    assert '100 <strong><a href="#cite-3-2">[2]</a></strong></li>' in rendered
    assert "[7]" in visible_text(rendered) and "#cite-3-7" not in rendered  # no such citation
    assert tags(rendered) <= {"p", "strong", "a", "ul", "li"}


def test_the_scope_of_an_answer_is_said_above_it_escaped() -> None:
    answer = Answer(
        "q", "Officials met on Monday. [1]", False, [cite(1, "Officials met on Monday.")]
    )
    md = render.answer_markdown(answer, 0, scope=f"outlet {EVIL}")
    head, body = md.split("\n\n", 1)
    rendered = MARKDOWN.render(head)
    assert visible_text(rendered).strip() == f"Scope: outlet {EVIL}"
    assert tags(rendered) <= {"p", "sub"}
    assert body.startswith("Officials met on Monday\\.")
    refusal = render.answer_markdown(Answer("q", "No.", True), 0, scope="outlet AP")
    assert refusal.startswith("<sub>Scope: outlet AP</sub>\n\nℹ️ **Not in the articles:**")


def test_the_article_list_shows_title_date_outlet_id_and_which_are_chosen() -> None:
    from qa import ArticleText

    articles = [
        ArticleText("a1", f"Treaty {EVIL}", "2022-03-03", "Daily <i>News</i>", ARTICLE),
        ArticleText('b"2', "", None, None, "Text"),
    ]
    page = render.article_list_html(articles, total=5, query="treaty", picked=['b"2'])
    assert not tags(page) - {"div", "ul", "li", "input", "button"}
    rows = page.split('<li class="qa-row">')[1:]
    assert visible_text(rows[0]) == f"Treaty {EVIL}Daily <i>News</i> · 2022-03-03 · id a1"
    assert 'data-id="a1"' in rows[0] and " checked" not in rows[0]
    assert 'data-id="b&quot;2" checked' in rows[1]  # an id cannot break out of its attribute
    assert visible_text(rows[1]) == 'b"2outlet not stated · date not stated · id b"2'
    info = visible_text(page.split("<ul")[0])
    assert info == "5 articles match “treaty”; the first 2 are shown: type more to narrow the list."
    empty = render.article_list_html([], total=0, query="<b>x</b>")
    assert visible_text(empty) == "No article matches “<b>x</b>”."
    assert "<b>" not in empty


def test_an_opened_article_is_whole_and_escaped() -> None:
    from qa import ArticleText

    page = render.whole_article_html(ArticleText("a1", "Treaty <b>x</b>", None, "AP", ARTICLE))
    assert not tags(page) - {"div"}
    body = re.search(r'<div class="qa-article-body">(.*)</div></div>$', page, re.S)
    assert body and html.unescape(body[1]) == ARTICLE


def test_the_add_status_is_a_line_a_file_escaped() -> None:
    page = render.status_html([("ok", "a.txt: 1 article added"), ("bad", f"{EVIL}: not added")])
    assert page.count("<li") == 2 and 'role="status"' in page
    assert not tags(page) - {"ul", "li"}
    assert render.status_html([]) == ""
