"""The real web chat in a real headless Chromium: ask, read the sources, open a citation in its
article, follow up, and survive an article full of markup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_helpers import (
    RunningApp,
    ask,
    bots,
    mark_in_view,
    norm,
    open_chat,
    open_citation,
    outbound_requests,
    serving,
)

from qa import Settings, index_paths
from ui.examples import EXAMPLES_FILE, load_curated, seeds_folder
from ui.render import quoted

pytestmark = pytest.mark.slow

TROOPS = "How many Russian troops are at Ukraine's border?"
MINISTER = "How many troops did Ukraine's defense minister say Russia has amassed?"

# Markup an attacker could put in an article: each would run if it reached the page as HTML.
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
LINK = "[details](javascript:window.__xss=1)"
TEMPLATE = "${window.__xss=1} {{constructor.constructor('window.__xss=1')()}}"
TARGET = f"The Zorblatt treaty was signed in Quuxville, said Minister Flarn {IMG} {LINK} {SCRIPT} on Thursday."


def test_first_open_says_what_is_indexed_and_offers_examples(
    browser: Any, seed_app: RunningApp
) -> None:
    page = browser.new_page()
    outbound = outbound_requests(page, seed_app)
    page.goto(seed_app.url)
    page.wait_for_selector("#qa-chat")
    summary = seed_app.assistant.summary()
    header = norm(page.locator("#qa-header").inner_text())
    assert f"{summary.articles} articles" in header
    assert f"{summary.chunks} passages" in header and str(summary.newest) in header
    curated = load_curated(seeds_folder() / EXAMPLES_FILE)  # the seeds' own questions
    assert curated is not None
    examples = list(curated.questions)
    for example in examples:
        assert page.get_by_role("button", name=example).is_visible()

    page.get_by_role("button", name="Where did Blinken meet Lavrov?").click()
    page.wait_for_selector("#qa-panel .qa-source")
    assert "Stockholm" in bots(page).last.inner_text()
    assert "[1]" in bots(page).last.inner_text()
    assert not page.get_by_role("button", name=examples[0]).is_visible()  # first open only
    assert outbound == [], "the page fetched something off the machine"
    page.close()


def test_answer_shows_markers_and_sources_then_a_highlighted_article(
    browser: Any, seed_app: RunningApp, artifacts: Path
) -> None:
    expected = seed_app.assistant.ask(TROOPS)  # a first question has no history: same answer
    assert len(expected.citations) >= 2
    page = open_chat(browser, seed_app)
    shown = ask(page, TROOPS)
    for citation in expected.citations:
        assert f"[{citation.marker}]" in shown
    assert "94,000" in shown

    cards = [norm(card.inner_text()) for card in page.locator("#qa-panel .qa-source").all()]
    articles = list(dict.fromkeys(c.article_id for c in expected.citations))
    assert len(cards) == len(articles)  # one card an article, each citation's quote in it
    for citation in expected.citations:
        card = cards[articles.index(citation.article_id)]
        assert card.startswith(norm(citation.title))
        assert f"[{citation.marker}] {norm(quoted(citation.quote))}" in card
        assert (citation.source or "outlet not stated") in card
        assert (citation.published or "date not stated") in card
    page.screenshot(path=str(artifacts / "chat.png"))

    deepest = max(expected.citations, key=lambda c: c.start)
    mark = open_citation(page, deepest.marker)
    assert mark.inner_text() == deepest.quote.replace("\u00a0", " ") or mark.inner_text() == (
        deepest.quote
    )
    article = norm(page.locator("#qa-panel .qa-article").inner_text())
    assert article.startswith(f"[{deepest.marker}] {norm(deepest.title)}")
    assert norm(seed_app.assistant.article(deepest.article_id).text) in article  # the whole article
    assert mark_in_view(page)
    page.screenshot(path=str(artifacts / "article.png"))

    page.locator("#qa-picker label", has_text="All sources").click()
    page.wait_for_selector("#qa-panel .qa-source")
    assert page.locator("#qa-panel mark").count() == 0
    page.close()


def test_follow_up_uses_this_chats_history_only(browser: Any, seed_app: RunningApp) -> None:
    assert seed_app.assistant.ask("When did he say that?").refused  # no answer without history
    mine, other = open_chat(browser, seed_app), open_chat(browser, seed_app)
    assert "94,000" in ask(mine, MINISTER)
    assert "Stockholm" in ask(other, "Where did Blinken meet Lavrov?")  # another user, meanwhile

    follow_up = ask(mine, "When did he say that?")
    assert "Friday" in follow_up and "Not in the articles" not in follow_up
    assert "94,000" in mine.locator("#qa-panel").inner_text()
    assert "Stockholm" in other.locator("#qa-panel").inner_text()
    assert "Stockholm" not in mine.locator("#qa-panel").inner_text()
    mine.close()
    other.close()


def test_refusal_and_error_look_like_what_they_are(
    browser: Any, seed_app: RunningApp, artifacts: Path
) -> None:
    page = open_chat(browser, seed_app)
    refusal = ask(page, "What is the capital of France?")
    assert refusal.startswith("ℹ️ Not in the articles:")
    assert "No passage answers this" in page.locator("#qa-panel").inner_text()
    assert not page.locator("#qa-picker").is_visible()
    page.screenshot(path=str(artifacts / "refusal.png"))

    error = ask(page, "why " * 600)
    assert error.startswith("⚠️ the question is 2399 characters long")
    assert "\n" not in error.strip() and "Traceback" not in page.content()

    page.get_by_role("button", name="Clear").click()  # a fresh start forgets the sources too
    page.wait_for_function(
        "() => document.querySelector('#qa-panel').innerText.includes('sources of each answer')"
    )
    assert bots(page).count() == 0
    page.close()


@pytest.fixture(scope="module")
def xss_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """An index of one article full of markup, deep enough that its cited span needs scrolling."""
    folder = tmp_path_factory.mktemp("xss-articles")
    filler = [
        f"Paragraph {i}: delegates from the northern provinces discussed fishing quotas, road"
        " repairs and the price of grain at length, without reaching any conclusion."
        for i in range(1, 25)
    ]
    paragraphs = [
        f"Zorblatt treaty {SCRIPT} finally signed",
        "date: 2022-03-04",
        f"The long-awaited agreement {IMG} was celebrated by both delegations. {TEMPLATE}",
        *filler,
        TARGET,
        "Observers expect the treaty to come into force next year.",
    ]
    (folder / "zorblatt.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    home = tmp_path_factory.mktemp("xss-home")
    index_paths(Settings(home=home), [folder], progress=False)
    with serving(home) as running:
        yield running


def test_article_markup_shows_as_text_and_runs_nothing(
    browser: Any, xss_app: RunningApp, artifacts: Path
) -> None:
    page = open_chat(browser, xss_app)
    shown = ask(page, "Where was the Zorblatt treaty signed?")
    assert "Quuxville" in shown
    assert IMG in shown and SCRIPT in shown and LINK in shown  # verbatim, as text

    sources = page.locator("#qa-panel").inner_text()
    assert SCRIPT in sources and IMG in sources
    mark = open_citation(page, 1)
    assert mark.inner_text() == TARGET
    assert mark_in_view(page)  # 24 paragraphs down: the box had to scroll
    article = page.locator("#qa-panel .qa-article").inner_text()
    assert f"Zorblatt treaty {SCRIPT} finally signed" in article
    assert TEMPLATE in article  # neither a JS template nor Handlebars evaluated it

    page.screenshot(path=str(artifacts / "xss.png"))
    page.wait_for_timeout(500)  # give any injected handler its chance to fire
    assert page.evaluate("typeof window.__xss") == "undefined"
    for area in ("#qa-chat", "#qa-panel", "#qa-picker"):
        assert (
            page.locator(
                f"{area} script, {area} img[src='x'], {area} a[href^='javascript']"
            ).count()
            == 0
        )
    page.close()
