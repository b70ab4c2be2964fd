"""The conversation exported as Markdown: each answer followed by its numbered quotes with title,
date, outlet and article id; article text shown verbatim, never as markup."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from qa import Answer, Citation
from ui.export import code_span, conversation_markdown, md_line, md_text
from ui.scope import Scope, Turn

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)")
EVIL = (
    '<script>x()</script> <img src=x onerror="y()"> [a](javascript:z) ![i](http://t.example/p.png)'
    " **b** _c_ `d` | e | ~~f~~ $g$ &amp; # h"
)


def tags(fragment: str) -> set[str]:
    return {m[2].lower() for m in TAG.finditer(fragment)}


def visible(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def cite(marker: int, quote: str, **kw: object) -> Citation:
    fields: dict = dict(marker=marker, article_id="a_1", title="Bridge closed", published="2023-03-01",
                        source="Coast Times", start=0, end=len(quote), quote=quote)  # fmt: skip
    fields.update(kw)
    return Citation(**fields)


def test_each_answer_is_followed_by_its_numbered_quotes_with_title_date_outlet_and_id() -> None:
    first = Answer("Why was it closed?", "Engineers found cracks. [1] It reopens in May. [2]",
                   False, [cite(1, "Engineers found cracks."),
                           cite(2, "It reopens in May.", article_id="b-2", title="Reopening",
                                published=None, source=None)])  # fmt: skip
    second = Answer("Who paid?", "The articles don't say.", True)
    text = conversation_markdown([Turn(first), Turn(second, Scope(sources=("Coast Times",)))], {})
    assert text.startswith("# News QA: conversation\n")
    one, two = text.split("## 2. ")
    assert "## 1. Why was it closed?" in one
    assert "Engineers found cracks. [1] It reopens in May. [2]" in one
    assert "**[1]** *Bridge closed* · 2023-03-01 · Coast Times · article id `a_1`" in one
    assert "> Engineers found cracks." in one
    assert "**[2]** *Reopening* · date not stated · outlet not stated · article id `b-2`" in one
    assert one.index("[1] It reopens") < one.index("**[1]**") < one.index("**[2]**")
    assert two.startswith("Who paid?")
    assert "*Scope: outlet Coast Times*" in two
    assert "*Not in the articles:* The articles don't say." in two
    assert "**[" not in two  # a refusal quotes nothing


def test_export_renders_article_text_as_text() -> None:
    answer = Answer(
        EVIL, f"{EVIL} [1]", False, [cite(1, EVIL, title=EVIL, source=EVIL, article_id="x`y")]
    )
    rendered = MARKDOWN.render(conversation_markdown([Turn(answer, Scope(sources=(EVIL,)))]))
    assert tags(rendered) <= {"h1", "h2", "p", "em", "strong", "blockquote", "code"}
    assert "<code>x`y</code>" in rendered
    assert visible(rendered).count(EVIL) == 6  # question, scope, answer, title, outlet, quote


@given(st.text(st.one_of(st.characters(exclude_categories=["Cs", "Cc"]), st.just("\n"))))
def test_any_text_survives_export_escaping(text: str) -> None:
    rendered = MARKDOWN.render(md_text(text))
    assert tags(rendered) <= {"p"}
    assert visible(rendered).split() == text.split()


def test_escaping_is_light_enough_to_read_as_plain_text() -> None:
    assert md_line("Officials met on Monday, 3 March (2022).") == (
        "Officials met on Monday, 3 March (2022)."
    )
    assert md_line("1. first") == "1\\. first" and md_line("- item") == "\\- item"
    assert code_span("`x`") == "`` `x` ``"
