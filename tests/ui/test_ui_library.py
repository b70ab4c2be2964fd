"""The web chat over anyone's articles, in a real headless Chromium with the real models: examples
drawn from what is indexed, articles added from the page and answered at once, a question's
scope, the article list, [n] links, the Markdown export, and a hostile upload that stays inert."""

from __future__ import annotations

import json
import re
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
    outbound_requests,
    serving,
    wait_for_mark,
)

from qa import Settings, index_paths

pytestmark = pytest.mark.slow

COST = "How much will the harbour bridge repairs cost?"
BRIDGE = [
    {
        "id": "bridge-coast",
        "title": "Harbour bridge repairs to cost 4 million",
        "published": "2023-03-01",
        "source": "Coast Times",
        "text": "Harbour bridge repairs to cost 4 million\n\nRepairs to the cracked harbour bridge"
        " will cost 4 million dollars, the city engineer said on Wednesday. The bridge has been"
        " closed to traffic since engineers found cracks in two of its cables.",
    },
    {
        "id": "bridge-post",
        "title": "Harbour bridge repair bill rises to 7 million",
        "published": "2023-05-10",
        "source": "Daily Post",
        "text": "Harbour bridge repair bill rises to 7 million\n\nRepairs to the harbour bridge"
        " will now cost 7 million dollars, the city council said on Tuesday, after divers found"
        " more damage under the water line. The bridge is to reopen in the autumn.",
    },
]
LIBRARY = (
    "City library opens a children's wing\ndate 2023-04-02\n\nThe city library opened a new"
    " wing for children on Saturday. The director said 12,000 books were added to the shelves."
)
PANDAS = (
    "# Zoo welcomes two red pandas\n\ndate: 2023-06-01\n\nThe city zoo welcomed two red pandas"
    " named Ember and Soot on Thursday, the head keeper said. They came from a breeding"
    " programme abroad and can be seen from Saturday."
)
FERRY = (
    "<html><head><title>Ferry timetable changes</title></head><body><nav>Home | News</nav>"
    "<article><h1>Ferry timetable changes</h1><p>From June the island ferry leaves every 40"
    " minutes instead of every hour, the ferry company said on Monday.</p><p>The first boat"
    " leaves the harbour at six in the morning.</p></article></body></html>"
)
# Markup an attacker could put in an uploaded article: each would run, or fetch from elsewhere,
# if it reached the page as HTML or markdown.
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'
LINK = "[details](javascript:window.__xss=1)"
PIXEL = "![pixel](http://203.0.113.9/pixel.png)"
ANCHOR = '<a href="javascript:window.__xss=1">click</a>'
TEMPLATE = "${window.__xss=1} {{constructor.constructor('window.__xss=1')()}}"
HOSTILE_TITLE = f"Quux council {IMG} votes {SCRIPT}"
HOSTILE = (
    f"{HOSTILE_TITLE}\ndate 2023-07-01\n\nThe Quux council voted on Monday to rename the square"
    f" after Flarn Zib {IMG} {LINK} {PIXEL} {ANCHOR} {SCRIPT}.\n\n{TEMPLATE}\n\n"
    f'<iframe src="javascript:window.__xss=1"></iframe> The vote was 7 to 2.'
)
HOSTILE_NAME = '<img src=x onerror="window.__xss=1">.md'
EVIL_OUTLET = '<img src=x onerror="window.__xss=1"> Gazette'
EVIL_ID = '<b onclick="window.__xss=1">zib</b>'
ZIB = {
    "id": EVIL_ID,
    "title": "Zib ferry strike",
    "published": "2023-06-15",
    "source": EVIL_OUTLET,
    "text": "Zib ferry strike\n\nThe Zib ferry crews went on strike on Friday over pay, the union"
    " said. No boats will sail until Monday.",
}


@pytest.fixture(scope="module")
def library_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """Someone's own articles (not the seeds): two outlets and dates on one story, and more."""
    folder = tmp_path_factory.mktemp("own-articles")
    (folder / "bridge.jsonl").write_text("\n".join(json.dumps(r) for r in BRIDGE))
    (folder / "library.txt").write_text(LIBRARY)
    home = tmp_path_factory.mktemp("library-home")
    index_paths(Settings(home=home), [folder], progress=False)
    with serving(home) as running:
        yield running


def files(tmp_path: Path, contents: dict[str, str | bytes]) -> list[str]:
    paths = []
    for name, data in contents.items():
        path = tmp_path / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        paths.append(str(path))
    return paths


def upload(page: Any, paths: list[str]) -> tuple[list[str], list[str]]:
    """Add files from the page: (every status the page showed meanwhile, the final lines)."""
    page.get_by_role("tab", name="Add articles", exact=True).click()
    page.evaluate(
        """() => { window.__statuses = [];
                   const box = document.querySelector('#qa-add-status');
                   new MutationObserver(() => window.__statuses.push(box.innerText))
                       .observe(box, {childList: true, subtree: true, characterData: true}); }"""
    )
    page.set_input_files("#qa-upload input[type=file]", paths)
    page.wait_for_function(
        """n => document.querySelectorAll('#qa-add-status .qa-status li').length >= n
                && !document.querySelector('#qa-add-status .qa-status-busy')""",
        arg=len(paths),
        timeout=120_000,
    )
    statuses: list[str] = page.evaluate("window.__statuses")
    final = page.locator("#qa-add-status .qa-status").inner_text()
    return statuses, [norm(line) for line in final.splitlines() if line.strip()]


def scope(page: Any, **fields: str | list[str]) -> None:
    """Set the scope box's fields (from, to, as_of: text; outlets, only: option labels)."""
    box = page.locator("#qa-scope")
    if not page.locator("#qa-from input, #qa-from textarea").first.is_visible():
        box.locator("button").first.click()
    for key in ("from", "to", "as_of"):
        if key in fields:
            target = page.locator(
                f"#qa-{key.replace('_', '-')} textarea, #qa-{key.replace('_', '-')} input"
            ).first
            target.fill(str(fields[key]))
    for key in ("outlets", "only"):
        for option in fields.get(key, []):
            page.locator(f"#qa-{key} input").first.click()
            page.get_by_role("option", name=option).first.click()
            page.keyboard.press("Escape")
    page.wait_for_timeout(300)


def clear_scope(page: Any) -> None:
    page.click("#qa-clear-scope")
    page.wait_for_function(
        "() => document.querySelector('#qa-scope').innerText.includes('Scope: all indexed')"
    )


# --- examples from the index --------------------------------------------------------------------


def test_first_screen_offers_the_newest_headlines_of_this_collection(
    browser: Any, library_app: RunningApp
) -> None:
    page = open_chat(browser, library_app)
    buttons = page.locator("#qa-chat .examples button")
    buttons.first.wait_for()
    shown = [norm(b.inner_text()) for b in buttons.all()]
    assert shown[:3] == [
        "Harbour bridge repair bill rises to 7 million (Daily Post · 2023-05-10)",
        "City library opens a children's wing (2023-04-02)",
        "Harbour bridge repairs to cost 4 million (Coast Times · 2023-03-01)",
    ]
    assert not any("Russia" in s or "troops" in s for s in shown)
    buttons.nth(1).click()
    answer = ask_wait(page)
    assert "12,000 books" in answer or "children" in answer
    question = norm(page.locator("#qa-chat [data-testid=user]").last.inner_text())
    assert question == "What does the news say about “City library opens a children's wing”?"
    page.close()


def ask_wait(page: Any) -> str:
    """The answer to a question sent some other way (an example button, a key)."""
    page.wait_for_function(
        """() => { const b = document.querySelectorAll('#qa-chat [data-testid=bot]');
                   return b.length && !b[b.length - 1].querySelector('[aria-busy=true]')
                          && !b[b.length - 1].innerText.includes('Searching'); }""",
        timeout=60_000,
    )
    page.wait_for_timeout(300)
    text: str = bots(page).last.inner_text()
    return text


# --- add articles from the page -------------------------------------------------------------------


def test_upload_several_files_then_ask_about_one(
    browser: Any, library_app: RunningApp, tmp_path: Path, artifacts: Path
) -> None:
    assistant = library_app.assistant
    before = assistant.summary()
    page = open_chat(browser, library_app)
    paths = files(tmp_path, {"pandas.md": PANDAS, "ferry.html": FERRY,
                             "photo.txt": b"\x89PNG\r\n\x00\x00\x00binary", "tool.exe": b"MZ"})  # fmt: skip
    statuses, final = upload(page, paths)
    assert any("Indexing 1 of 4: pandas.md" in s for s in statuses)  # progress, file by file
    assert any("Indexing 3 of 4: photo.txt" in s for s in statuses)
    assert final == [
        "✓ pandas.md: 1 article added",
        "✓ ferry.html: 1 article added",
        "⚠ photo.txt: not added: binary file, skipped",
        "⚠ tool.exe: not added: not a .txt, .md, .html, .json or .jsonl file",
    ]
    page.screenshot(path=str(artifacts / "upload.png"))
    after = assistant.summary()
    assert after.articles == before.articles + 2
    header = norm(page.locator("#qa-header").inner_text())
    assert f"{after.articles} articles" in header and f"{after.chunks} passages" in header
    uploads = Path(assistant.settings.home) / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["ferry.html", "pandas.md"]

    answer = ask(page, "What are the names of the red pandas?")
    assert "Ember" in answer and "Soot" in answer and "[1]" in answer
    assert "pandas" in page.locator("#qa-panel").inner_text().lower()
    assert "40 minutes" in ask(page, "How often does the island ferry leave from June?")
    page.close()


def test_paste_an_article_with_its_date_and_outlet(browser: Any, library_app: RunningApp) -> None:
    page = open_chat(browser, library_app)
    assert "12,000" in ask(page, "How many books were added to the library?")
    page.get_by_role("tab", name="Add articles", exact=True).click()
    page.fill("#qa-paste-title textarea, #qa-paste-title input", "Tram line approved")
    page.fill("#qa-paste-text textarea", "The council approved a new tram line to the airport"
              " on Friday. Building starts next spring and costs 90 million dollars.")  # fmt: skip
    page.fill("#qa-paste-date textarea, #qa-paste-date input", "not a date")
    page.click("#qa-paste-add")
    page.wait_for_function(
        "() => document.querySelector('#qa-add-status').innerText.includes('Not added')"
    )
    status = norm(page.locator("#qa-add-status .qa-status").inner_text())
    assert status == "⚠ Not added: the date must look like 2024-05-31 (got 'not a date')"
    page.fill("#qa-paste-date textarea, #qa-paste-date input", "2023-08-04")
    page.fill("#qa-paste-outlet textarea, #qa-paste-outlet input", "Metro News")
    page.click("#qa-paste-add")
    page.wait_for_function(
        "() => document.querySelector('#qa-add-status').innerText.includes('1 article added')"
    )
    assert norm(page.locator("#qa-add-status .qa-status").inner_text()) == (
        "✓ Tram line approved: 1 article added"
    )
    assert page.locator("#qa-paste-title textarea, #qa-paste-title input").first.input_value() == ""
    [tram] = [a for a in library_app.assistant.articles() if a.title == "Tram line approved"]
    assert (tram.published, tram.source) == ("2023-08-04", "Metro News")
    answer = ask(page, "How much will the tram line to the airport cost?")
    assert "90 million" in answer
    assert "12,000" in bots(page).first.inner_text()  # adding kept the conversation
    page.close()


# --- scope -----------------------------------------------------------------------------------------


def test_scope_changes_the_answer_and_is_shown_next_to_it(
    browser: Any, library_app: RunningApp, artifacts: Path
) -> None:
    page = open_chat(browser, library_app)
    everything = ask(page, COST)
    assert "7 million" in everything and "Scope" not in everything

    scope(page, outlets=["Coast Times"])
    assert "Scope: outlet Coast Times" in page.locator("#qa-scope").inner_text()
    coast = ask(page, COST)
    assert "4 million" in coast and "7 million" not in coast
    assert norm(coast).startswith("Scope: outlet Coast Times")
    page.screenshot(path=str(artifacts / "scope.png"))

    clear_scope(page)
    scope(page, to="2023-03-31")
    early = ask(page, COST)
    assert "4 million" in early and "7 million" not in early
    assert norm(early).startswith("Scope: published up to 2023-03-31")

    clear_scope(page)
    scope(page, only=["Harbour bridge repair bill rises to 7 million (Daily Post · 2023-05-10)"])
    only = ask(page, COST)
    assert "7 million" in only and "4 million" not in only
    assert "only “Harbour bridge repair bill rises to 7 million”" in norm(only)
    cited = {c.strip() for c in page.locator("#qa-panel .qa-meta").all_inner_texts()}
    assert all("bridge-post" in c for c in cited)

    scope(page, **{"from": "2023-09-01", "to": "2023-01-01"})
    wrong = ask(page, COST)
    assert wrong.startswith("⚠️ “From” (2023-09-01) is after “To” (2023-01-01)")
    page.close()


# --- browse -----------------------------------------------------------------------------------------


def test_browse_filter_and_open_an_article_whole(browser: Any, library_app: RunningApp) -> None:
    page = open_chat(browser, library_app)
    page.get_by_role("tab", name="Articles", exact=True).click()
    rows = page.locator("#qa-list .qa-row")
    rows.first.wait_for()
    assert rows.count() == len(library_app.assistant.articles())
    page.fill("#qa-filter textarea, #qa-filter input", "bridge daily")
    page.wait_for_function("() => document.querySelectorAll('#qa-list .qa-row').length === 1")
    row = norm(rows.first.inner_text())
    assert (
        row
        == "Harbour bridge repair bill rises to 7 million Daily Post · 2023-05-10 · id bridge-post"
    )
    rows.first.locator(".qa-open").click()
    viewer = page.locator("#qa-viewer .qa-article")
    viewer.wait_for()
    assert norm(viewer.inner_text()).endswith(norm(BRIDGE[1]["text"]))

    # ticking an article puts it in "only these articles" (and the scope says so)
    rows.first.locator(".qa-pick").check()
    page.wait_for_function(
        "() => document.querySelector('#qa-scope').innerText.includes('only 1 chosen')"
    )
    answer = ask(page, COST)
    assert "7 million" in answer and "4 million" not in answer
    page.get_by_role("tab", name="Articles", exact=True).click()  # the answer showed Sources
    page.fill("#qa-filter textarea, #qa-filter input", "no such words anywhere")
    page.wait_for_function(
        "() => document.querySelector('#qa-list').innerText.includes('No article matches')"
    )
    page.close()


# --- citations and export ------------------------------------------------------------------------------


def test_clicking_a_marker_opens_its_article_with_the_quote_highlighted(
    browser: Any, library_app: RunningApp, artifacts: Path
) -> None:
    page = open_chat(browser, library_app)
    ask(page, "How many books were added to the library?")
    second = ask(page, COST)
    assert "[1]" in second
    first_answer = library_app.assistant.ask("How many books were added to the library?")
    # a [1] of the earlier answer opens that answer's citation, not the last one's
    bots(page).first.locator("a", has_text="[1]").click()
    mark = wait_for_mark(page)
    assert mark.inner_text() == first_answer.citations[0].quote
    assert mark_in_view(page)
    assert page.locator("#qa-tab-sources").is_visible()
    page.wait_for_timeout(500)  # let the choice of citation settle before the picture
    page.screenshot(path=str(artifacts / "citation-click.png"))
    bots(page).last.locator("a", has_text="[1]").first.click()
    page.wait_for_function(
        "() => document.querySelector('#qa-panel mark#cited').innerText.includes('million')"
    )
    page.close()


def test_export_holds_each_answer_and_its_numbered_quotes(
    browser: Any, library_app: RunningApp, tmp_path: Path
) -> None:
    page = open_chat(browser, library_app)
    assert page.locator("#qa-export button").is_disabled()  # nothing to export yet
    ask(page, COST)
    scope(page, outlets=["Coast Times"])
    ask(page, "How much did the city engineer say the repairs will cost?")
    with page.expect_download() as download:
        page.locator("#qa-export button").click()
    assert download.value.suggested_filename == "news-qa-chat.md"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    expected = library_app.assistant.ask(COST)  # the first question has no history
    assert (
        f"## 1. {COST}" in text
        and "## 2. How much did the city engineer say the repairs will cost?" in text
    )
    first, second = text.split("## 2. ")
    for c in expected.citations:
        meta = f"**[{c.marker}]** *{c.title}* · {c.published} · {c.source} · article id `{c.article_id}`"
        assert meta in first
        assert f"> {c.quote.strip()}" in first.replace("\n> ", "\n> ")
    assert (
        "*Scope: outlet Coast Times*" in second
        and "Coast Times · article id `bridge-coast`" in second
    )
    page.close()


# --- a hostile uploaded file ---------------------------------------------------------------------------


def test_a_hostile_uploaded_file_stays_inert_everywhere(
    browser: Any, library_app: RunningApp, tmp_path: Path, artifacts: Path
) -> None:
    page = browser.new_page()
    outbound = outbound_requests(page, library_app)
    page.goto(library_app.url)
    page.wait_for_selector("#qa-chat")
    _, [line, zib] = upload(
        page, files(tmp_path, {HOSTILE_NAME: HOSTILE, "zib.json": json.dumps(ZIB)})
    )
    # Gradio drops "<", ">" and quotes from an uploaded file's name; the rest shows as text
    assert line.startswith("✓ img src=x onerror=") and line.endswith(".md: 1 article added")
    assert zib == "✓ zib.json: 1 article added"
    [article] = [a for a in library_app.assistant.articles() if a.title == HOSTILE_TITLE]
    saved = Path(library_app.assistant.settings.home) / "uploads" / f"{article.id}.md"
    assert saved.read_text() == HOSTILE and re.fullmatch(r"[\w.-]+", article.id)

    page.reload()  # one of the newest headlines is now the hostile one: on the first screen
    page.wait_for_function(
        "() => (document.querySelector('#qa-chat .examples') || {}).innerText"
        "?.includes('Quux council <img src=x')"
    )
    shown = ask(page, "What did the Quux council vote to rename?")
    assert "Flarn Zib" in shown and IMG in shown and LINK in shown and PIXEL in shown
    bots(page).last.locator("a", has_text="[1]").first.click()
    mark = wait_for_mark(page)
    assert IMG in mark.inner_text()
    page.get_by_role("tab", name="Articles", exact=True).click()
    page.fill("#qa-filter textarea, #qa-filter input", "quux")
    page.wait_for_function("() => document.querySelectorAll('#qa-list .qa-row').length === 1")
    assert HOSTILE_TITLE in page.locator("#qa-list").inner_text()
    page.locator("#qa-list .qa-open").first.click()
    page.locator("#qa-viewer .qa-article").wait_for()
    body = page.locator("#qa-viewer .qa-article-body").inner_text()
    assert TEMPLATE in body and ANCHOR in body and SCRIPT in body
    page.screenshot(path=str(artifacts / "hostile-upload.png"))

    scope(page, outlets=[EVIL_OUTLET])  # an outlet and an id full of markup, scoped to
    assert f"Scope: outlet {EVIL_OUTLET}" in page.locator("#qa-scope").inner_text()
    strike = ask(page, "Why did the Zib ferry crews go on strike?")
    assert norm(strike).startswith(f"Scope: outlet {EVIL_OUTLET}") and "pay" in strike
    assert f"{EVIL_OUTLET} · 2023-06-15 · id {EVIL_ID}" in page.locator("#qa-panel").inner_text()

    page.wait_for_timeout(500)  # give any injected handler its chance to fire
    assert page.evaluate("typeof window.__xss") == "undefined"
    areas = ("#qa-chat", "#qa-panel", "#qa-list", "#qa-viewer", "#qa-add-status", "#qa-header",
             "#qa-scope")  # fmt: skip
    for area in areas:
        injected = (
            f"{area} script, {area} img, {area} iframe, {area} a[href^='javascript'], {area} b"
        )
        assert page.locator(injected).count() == 0, area
    assert outbound == [], "the page fetched something off the machine"
    page.close()


# --- phone width and the keyboard ------------------------------------------------------------------------


def test_phone_width_and_keyboard_alone(
    browser: Any, library_app: RunningApp, artifacts: Path
) -> None:
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(library_app.url)
    page.wait_for_selector("#qa-chat")
    page.screenshot(path=str(artifacts / "phone-first.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing off the side
    focused = page.evaluate("document.activeElement.closest('#qa-input') !== null")
    assert focused  # the question box has the focus on open
    page.keyboard.type("How many books were added to the library?")
    page.keyboard.press("Enter")  # Enter sends
    answer = ask_wait(page)
    assert "12,000" in answer
    for _ in range(60):  # Tab until a [n] of the answer has the focus
        page.keyboard.press("Tab")
        if page.evaluate(
            "(document.activeElement.getAttribute('href') || '').startsWith('#cite-')"
        ):
            break
    else:
        pytest.fail("no [n] link of the answer can be reached with Tab")
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert ring[0] != "none" and ring[1] >= 2, ring  # the focus can be seen
    page.keyboard.press("Enter")
    wait_for_mark(page)
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "phone-citation.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for tab, name in (("Articles", "phone-articles.png"), ("Add articles", "phone-add.png")):
        page.get_by_role("tab", name=tab, exact=True).click()
        page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts / name), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, tab
    page.close()


def test_desktop_screenshots(browser: Any, library_app: RunningApp, artifacts: Path) -> None:
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(library_app.url)
    page.wait_for_selector("#qa-chat .examples button")
    page.screenshot(path=str(artifacts / "desktop-first.png"))
    ask(page, COST)
    page.screenshot(path=str(artifacts / "desktop-answer.png"))
    page.get_by_role("tab", name="Articles", exact=True).click()
    page.locator("#qa-list .qa-open").first.click()
    page.locator("#qa-viewer .qa-article").wait_for()
    page.screenshot(path=str(artifacts / "desktop-articles.png"))
    page.get_by_role("tab", name="Add articles", exact=True).click()
    page.locator("#qa-scope").locator("button").first.click()
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "desktop-add-and-scope.png"), full_page=True)
    assert re.search(r"Up to \d+ files at a time, each up to \d+ MB", page.inner_text("body"))
    page.close()


def test_a_marker_opens_its_citation_from_any_tab(browser: Any, library_app: RunningApp) -> None:
    page = open_chat(browser, library_app)
    ask(page, "How many books were added to the library?")
    for tab in ("Articles", "Add articles", "Sources", "Articles"):
        page.get_by_role("tab", name=tab, exact=True).click()
    bots(page).last.locator("a", has_text="[1]").click()  # the panel's tab is not shown
    mark = wait_for_mark(page)
    assert "12,000 books" in mark.inner_text()
    page.close()
