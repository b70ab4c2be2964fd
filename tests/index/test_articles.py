"""Loading articles: formats, titles and dates, ids, and one warning line per bad input."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from index.articles import Article, load, load_file, parse_date

CORPUS = Path(__file__).resolve().parents[3] / "shared/bench/realtimeqa/corpus.jsonl"

NEWS_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Ukraine says Russia has massed troops at border | Example News</title>
  <meta property="og:title" content="Ukraine says Russia has massed troops at border">
  <meta property="article:published_time" content="2022-01-19T10:30:00Z">
  <script>window.analytics = {track: function () {}}; console.log("tracking pixel");</script>
  <style>.nav { color: red; }</style>
</head>
<body>
  <header><nav><ul>
    <li><a href="/">Home</a></li><li><a href="/world">World</a></li>
    <li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li>
  </ul></nav></header>
  <main><article>
    <h1>Ukraine says Russia has massed troops at border</h1>
    <div class="share-bar"><button>Share</button><button>Tweet</button><button>Email</button>
      <span class="toast">Link Copied!</span></div>
    <p>Russia has amassed more than 94,000 troops near the border of Ukraine and could invade by
    the end of January, the Ukrainian defense minister told lawmakers on Friday.</p>
    <p>Oleksii Reznikov said the troops were gathered in Crimea and along the eastern frontier,
    according to a briefing that lasted more than two hours in the capital.</p>
    <p>Link Copied!</p>
    <p>Western officials have warned Moscow of severe economic consequences if it attacks, while
    the Kremlin denies any plan to invade its neighbour.</p>
  </article></main>
  <aside><h2>Related articles</h2><ul><li><a href="/a">Celebrity wedding photos</a></li></ul></aside>
  <footer><p>© 2022 Example News. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
  <script>document.querySelectorAll("button").forEach(b => b.addEventListener("click", share));</script>
</body>
</html>
"""

GOOD_TXT = "Good article title\n\nA sentence of the good article. Another sentence.\n"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only(articles: list[Article]) -> Article:
    assert len(articles) == 1, [a.id for a in articles]
    return articles[0]


# --- plain text and markdown --------------------------------------------------------------------


def test_txt_title_is_first_nonempty_line_and_text_is_kept_exactly(tmp_path: Path) -> None:
    raw = "\n\n  Senate passes the bill  \r\nBody line one.\r\n\r\nBody line two.\r\n"
    path = write(tmp_path / "story.txt", raw.encode())
    article = only(load(tmp_path).articles)
    assert article.id == "story"
    assert article.title == "Senate passes the bill"
    assert article.text == raw  # byte for byte: CRLF and blank lines included
    assert article.origin == str(path.resolve())
    assert article.published is None


def test_md_heading_marks_are_not_part_of_the_title(tmp_path: Path) -> None:
    write(tmp_path / "note.md", "# Markets rally on jobs data\n\nStocks rose on Friday.\n")
    article = only(load(tmp_path).articles)
    assert (article.id, article.title) == ("note", "Markets rally on jobs data")


def test_utf8_bom_is_not_part_of_the_text(tmp_path: Path) -> None:
    write(tmp_path / "bom.txt", "\ufeffTitle\nBody.\n".encode())
    assert only(load(tmp_path).articles).text == "Title\nBody.\n"


@pytest.mark.parametrize(
    ("head", "published", "title"),
    [
        ("date 2022-01-19\nTroops gather at the border\n", "2022-01-19", "Troops gather at the border"),
        (" date 2022-01-19 Troops gather at the border.\n", "2022-01-19", "Troops gather at the border."),
        ("Troops gather\nDate: 2021-12-03\n", "2021-12-03", "Troops gather"),
        ("Troops gather\nKYIV, Jan. 19, 2022 (Reuters) - Russia said\n", "2022-01-19", "Troops gather"),
        ("Troops gather\nPublished January 19, 2022\n", "2022-01-19", "Troops gather"),
        ("Troops gather\nUpdated Sept. 5, 2021 at 10:00\n", "2021-09-05", "Troops gather"),
        ("Troops gather\nNo date here at all.\n", None, "Troops gather"),
        ("Troops gather\nFebruary 30, 2022 is not a day\n", None, "Troops gather"),
    ],
)  # fmt: skip
def test_published_from_date_marker_or_dateline(
    tmp_path: Path, head: str, published: str | None, title: str
) -> None:
    write(tmp_path / "a.txt", head + "\nThe body of the story follows here.\n")
    article = only(load(tmp_path).articles)
    assert article.published == published
    assert article.title == title


def test_dateline_far_down_the_article_is_not_its_date(tmp_path: Path) -> None:
    body = "Title\n" + "Filler line.\n" * 10 + "On January 19, 2022 something happened.\n"
    write(tmp_path / "a.txt", body)
    assert only(load(tmp_path).articles).published is None


@pytest.mark.parametrize(
    "head",
    [
        "Council expands program\nOn March 4, 2021 the council met to vote on the plan.\n",
        "Council expands program\nA report dated 2021-03-04 said so.\n",
        "Council expands program\nThe plan, first drafted on January 19, 2022, was passed.\n",
        "Council expands program\nThe council said the date 2022-01-19 was too early.\n",
    ],
)
def test_a_date_in_running_text_is_not_the_articles_date(tmp_path: Path, head: str) -> None:
    """Only a dateline (a line that starts with the date, after a place or "Published") dates
    an article: a date the story mentions is not when it was published."""
    write(tmp_path / "a.txt", head + "\nThe body of the story follows here.\n")
    assert only(load(tmp_path).articles).published is None


def test_very_long_first_line_gives_a_sentence_as_title(tmp_path: Path) -> None:
    first = "Russia has deployed 127,000 soldiers near Ukraine, the ministry said. " * 5
    write(tmp_path / "a.txt", first + "\n")
    title = only(load(tmp_path).articles).title
    assert title == "Russia has deployed 127,000 soldiers near Ukraine, the ministry said."


def test_a_long_first_line_without_a_sentence_end_is_cut_at_a_word(tmp_path: Path) -> None:
    first = "Flood waters rose across the valley overnight as crews worked to reach stranded " * 5
    write(tmp_path / "a.txt", first + "\nThe body of the story.\n")
    title = only(load(tmp_path).articles).title
    kept = title.removesuffix("…")
    assert title.endswith("the valley…") and first.startswith(kept) and first[len(kept)] == " "


def test_seeds_load_with_their_file_names_as_ids(seeds_dir: Path) -> None:
    result = load(seeds_dir)
    assert result.warnings == []
    assert sorted(a.id for a in result.articles) == sorted(p.stem for p in seeds_dir.glob("*.txt"))
    by_id = {a.id: a for a in result.articles}
    assert by_id["001_2db3cbd43e9c484f"].published == "2022-01-19"
    assert by_id["000_7bf1043b0c29c4c3"].title.startswith("Ukraine says Russia has amassed")
    for a in result.articles:
        assert a.text == (seeds_dir / f"{a.id}.txt").read_text(encoding="utf-8-sig")


def test_ids_are_relative_paths_without_extension(tmp_path: Path) -> None:
    write(tmp_path / "top.txt", "Top\nBody.\n")
    write(tmp_path / "sub" / "name.md", "Nested\nBody.\n")
    write(tmp_path / "sub" / "deeper" / "page.html", NEWS_HTML)
    write(tmp_path / ".hidden" / "secret.txt", "Hidden\nBody.\n")
    write(tmp_path / ".dotfile.txt", "Hidden\nBody.\n")
    write(tmp_path / "notes.pdf", b"%PDF-1.4 not ours")
    result = load(tmp_path)
    assert sorted(a.id for a in result.articles) == ["sub/deeper/page", "sub/name", "top"]
    assert result.warnings == []


def test_a_single_file_root_uses_its_stem(tmp_path: Path) -> None:
    path = write(tmp_path / "folder" / "one.txt", "One\nBody.\n")
    assert only(load(path).articles).id == "one"


# --- html ---------------------------------------------------------------------------------------


def test_html_main_text_without_boilerplate(tmp_path: Path) -> None:
    write(tmp_path / "news" / "story.html", NEWS_HTML)
    result = load(tmp_path)
    article = only(result.articles)
    assert result.warnings == []
    assert article.id == "news/story"
    assert article.title == "Ukraine says Russia has massed troops at border"
    assert article.published == "2022-01-19"
    assert "more than 94,000 troops near the border" in article.text
    assert "Oleksii Reznikov said the troops" in article.text
    assert "the Kremlin denies any plan" in article.text
    for junk in ("Link Copied", "Tweet", "tracking pixel", "querySelectorAll", "Politics",
                 "Privacy policy", "All rights reserved", "Celebrity wedding", "color: red"):  # fmt: skip
        assert junk not in article.text, junk


BODY = (
    "<p>The council voted to expand the program, which began in 2023, to three more districts"
    " across the region on the coast.</p><p>Officials said the plan would cost more than"
    " expected and would take several years to finish completely.</p>"
)


def _page(head: str = "", lead: str = "") -> str:
    return (
        f"<html><head><title>Council expands program</title>{head}</head><body><article>"
        f"<h1>Council expands program</h1>{lead}{BODY}</article></body></html>"
    )


_META = '<meta property="article:published_time" content="2022-01-19T10:30:00Z">'
_JSON_LD = (
    '<script type="application/ld+json">{"@type": "NewsArticle",'
    ' "datePublished": "2021-05-06T08:00:00Z"}</script>'
)
_TIME = '<p class="byline">By Ann Author <time datetime="2020-07-08">July 8</time></p>'
_ISO_IN_TEXT = "<p>A report of 2021-03-04 said the districts had asked for it for years.</p>"
_DAY_IN_TEXT = "<p>On March 4, 2021 the districts asked for it, and every year since then.</p>"
_DATELINE = "<p>KYIV, Jan. 19, 2022 (Reuters) - The districts asked for it many times.</p>"
# (page, the date it should get): "which began in 2023" (in BODY) is running text, as are the
# dates of the "-in-text" pages and the year in a title.
DATED_PAGES = {
    "year-in-text": (_page(), None),
    "iso-in-text": (_page(lead=_ISO_IN_TEXT), None),
    "day-in-text": (_page(lead=_DAY_IN_TEXT), None),
    "year-in-title": (_page().replace("Council expands program", "The year 2023 in review"), None),
    "meta": (_page(_META), "2022-01-19"),
    "json-ld": (_page(_JSON_LD), "2021-05-06"),
    "time": (_page(lead=_TIME), "2020-07-08"),
    "dateline": (_page(lead=_DATELINE), "2022-01-19"),
}


@pytest.mark.parametrize(("html", "published"), DATED_PAGES.values(), ids=DATED_PAGES.keys())
def test_html_date_comes_from_metadata_or_a_dateline_never_running_text(
    tmp_path: Path, html: str, published: str | None
) -> None:
    write(tmp_path / "story.html", html)
    article = only(load(tmp_path).articles)
    assert "three more districts" in article.text
    assert article.published == published


def test_html_without_article_text_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.html", "<html><head><script>var x = 1;</script></head></html>")
    write(tmp_path / "good.txt", GOOD_TXT)
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["good"]
    assert len(result.warnings) == 1
    assert str(path) in result.warnings[0]


# --- json and jsonl -----------------------------------------------------------------------------

RECORD: dict[str, Any] = {
    "id": "rec-1",
    "title": "Record title",
    "text": "Line one of the record.\n\nLine two — with “quotes”.",
    "published": "2022-10-28T09:00:00Z",
    "url": "https://example.com/rec-1",
    "source": "Example Times",
    "authors": ["Ann Author", "Bob Writer"],
}


def test_jsonl_records_carry_all_fields(tmp_path: Path) -> None:
    second = {"id": "rec-2", "text": "Untitled record\nIts body."}
    write(tmp_path / "batch.jsonl", json.dumps(RECORD) + "\n\n" + json.dumps(second) + "\n")
    result = load(tmp_path)
    assert result.warnings == []
    first, other = result.articles
    assert first == Article(
        id="rec-1", title="Record title", text=RECORD["text"], published="2022-10-28",
        source="Example Times", url="https://example.com/rec-1",
        authors=("Ann Author", "Bob Writer"), origin=str((tmp_path / "batch.jsonl").resolve()),
    )  # fmt: skip
    assert (other.id, other.title, other.published, other.authors) == (
        "rec-2", "Untitled record", None, ()
    )  # fmt: skip


def test_json_file_with_one_record_or_a_list(tmp_path: Path) -> None:
    write(tmp_path / "one.json", json.dumps(RECORD))
    write(
        tmp_path / "many.json",
        json.dumps([{"id": "m1", "text": "M one."}, {"id": "m2", "text": "M two."}]),
    )
    result = load(tmp_path)
    assert result.warnings == []
    assert sorted(a.id for a in result.articles) == ["m1", "m2", "rec-1"]


def test_realtimeqa_corpus_loads_as_is() -> None:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not present")
    result = load(CORPUS)
    assert result.warnings == []
    assert len(result.articles) == 949
    assert len({a.id for a in result.articles}) == 949
    first = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[0])
    article = result.articles[0]
    assert (article.id, article.title, article.text, article.published, article.url) == (
        first["id"], first["title"], first["text"], first["published"][:10], first["url"],
    )  # fmt: skip
    assert article.authors == tuple(first["authors"])


# --- bad input: one warning line naming the file, nothing else lost -------------------------------


def make_unreadable(path: Path) -> None:
    """A file that exists but cannot be read, even by root (who ignores chmod)."""
    if os.geteuid() != 0:
        write(path, "Secret\nBody.\n")
        path.chmod(0)
        return
    target = Path("/proc/self/clear_refs")  # a regular file that refuses to be read
    if not target.is_file():
        pytest.skip("running as root without /proc: cannot make an unreadable file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def _binary(p: Path) -> None:
    write(p, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def _empty(p: Path) -> None:
    write(p, "")


def _blank(p: Path) -> None:
    write(p, "  \n\n\t\n")


def _latin1(p: Path) -> None:
    write(p, "Caf\u00e9 au lait\nPrix: 3\u20ac\n".encode("latin-1", errors="replace"))


def _bad_json(p: Path) -> None:
    write(p, '{"id": "x", "text": ')


def _not_object(p: Path) -> None:
    write(p, '"just a string"')


def _missing_text(p: Path) -> None:
    write(p, json.dumps({"id": "no-text", "title": "No text"}))


@pytest.mark.parametrize(
    ("name", "make", "says"),
    [
        ("locked.txt", make_unreadable, "cannot be read"),
        ("image.txt", _binary, "binary"),
        ("empty.txt", _empty, "empty"),
        ("blank.md", _blank, "empty"),
        ("empty.jsonl", _empty, "empty"),
        ("empty.json", _empty, "empty"),
        ("latin1.txt", _latin1, "UTF-8"),
        ("broken.json", _bad_json, "JSON"),
        ("strings.json", _not_object, "JSON object"),
        ("notext.json", _missing_text, "text"),
    ],
)
def test_bad_file_gives_one_warning_and_loses_nothing_else(
    tmp_path: Path, name: str, make: object, says: str
) -> None:
    write(tmp_path / "a_good.txt", GOOD_TXT)
    write(tmp_path / "z_good.jsonl", json.dumps(RECORD) + "\n")
    bad = tmp_path / name
    assert callable(make)
    make(bad)
    result = load(tmp_path)
    assert sorted(a.id for a in result.articles) == ["a_good", "rec-1"]
    assert len(result.warnings) == 1, result.warnings
    warning = result.warnings[0]
    assert "\n" not in warning
    assert str(bad) in warning
    assert says in warning
    assert str(bad) in result.failed_files


def test_file_name_that_is_not_utf8_is_one_warning_and_the_rest_load(tmp_path: Path) -> None:
    write(tmp_path / "a_good.txt", GOOD_TXT)
    write(tmp_path / os.fsdecode(b"bad\xff.txt"), GOOD_TXT)
    write(tmp_path / os.fsdecode(b"sub\xfe") / "inner.txt", GOOD_TXT)
    write(tmp_path / "z_good.jsonl", json.dumps(RECORD) + "\n")
    result = load(tmp_path)
    assert sorted(a.id for a in result.articles) == ["a_good", "rec-1"]
    assert len(result.warnings) == 2, result.warnings
    bad, sub = sorted(result.warnings)
    assert f"{tmp_path}/bad\\xff.txt: " in bad and "UTF-8" in bad
    assert f"{tmp_path}/sub\\xfe/inner.txt: " in sub
    for warning in result.warnings:
        warning.encode("utf-8")  # printable anywhere: the bad byte is shown as \xff


@pytest.mark.parametrize("field", ["text", "id", "title", "source"])
def test_jsonl_record_holding_a_lone_surrogate_is_named_by_line(tmp_path: Path, field: str) -> None:
    broken = {**RECORD, "id": "broken", field: "Bad \udcff character."}
    path = write(tmp_path / "feed.jsonl", json.dumps(broken) + "\n" + json.dumps(RECORD) + "\n")
    assert "\\udcff" in path.read_text()  # the JSON escape, as a producer wrote it
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["rec-1"]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{path}:1: ")
    assert field in result.warnings[0]
    result.warnings[0].encode("utf-8")


def test_json_record_holding_a_lone_surrogate_is_named_by_record(tmp_path: Path) -> None:
    records = [{"id": "ok", "text": "Fine."}, {"id": "bad", "text": "Bad \ud800."}]
    path = write(tmp_path / "list.json", json.dumps(records))
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["ok"]
    assert len(result.warnings) == 1 and result.warnings[0].startswith(f"{path} record 2: ")


@pytest.mark.parametrize("which", ["subfolder", "root"])
def test_unreadable_folder_is_one_warning_and_marked_failed(
    tmp_path: Path, lock_folder: Callable[[Path], None], which: str
) -> None:
    root = tmp_path / "news"
    write(root / "a_good.txt", GOOD_TXT)
    write(root / "locked" / "inside.txt", GOOD_TXT)
    locked = root / "locked" if which == "subfolder" else root
    lock_folder(locked)
    result = load(root)
    assert [a.id for a in result.articles] == ([] if which == "root" else ["a_good"])
    assert len(result.warnings) == 1, result.warnings
    assert result.warnings[0].startswith(f"{locked}: ")
    assert "cannot be read" in result.warnings[0] and "kept" in result.warnings[0]
    assert str(locked) in result.failed_folders


@pytest.mark.parametrize("names", [[], ["notes.pdf", "photo.jpg"], [".hidden.txt"]])
def test_folder_without_supported_files_is_one_warning(tmp_path: Path, names: list[str]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in names:
        write(folder / name, GOOD_TXT)
    result = load(folder)
    assert result.articles == []
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{folder}: no ")
    assert ".txt" in result.warnings[0] and ".jsonl" in result.warnings[0]


def test_directory_named_like_an_article_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "x.txt").mkdir()
    articles, warnings = load_file(tmp_path / "x.txt", tmp_path)
    assert articles == []
    assert len(warnings) == 1
    assert warnings[0].startswith(str(tmp_path / "x.txt"))


def test_jsonl_line_that_is_not_json_is_named_by_file_and_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(RECORD),
        "{not json at all",
        "",
        json.dumps({"id": "rec-3", "text": "Three."}),
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["rec-1", "rec-3"]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{path}:2: ")
    assert str(path) not in result.failed_files  # the file was read: its other records count


def test_jsonl_record_without_id_is_named_by_line(tmp_path: Path) -> None:
    lines = [json.dumps({"text": "No id here."}), json.dumps(RECORD)]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines))
    result = load(tmp_path)
    assert [a.id for a in result.articles] == ["rec-1"]
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{path}:1: ")
    assert "'id'" in result.warnings[0]


def test_duplicate_record_ids_keep_the_first(tmp_path: Path) -> None:
    dup = {**RECORD, "title": "Impostor"}
    path = write(tmp_path / "feed.jsonl", json.dumps(RECORD) + "\n" + json.dumps(dup) + "\n")
    result = load(tmp_path)
    assert only(result.articles).title == "Record title"
    assert len(result.warnings) == 1
    assert "duplicate" in result.warnings[0]
    assert "rec-1" in result.warnings[0]
    assert str(path) in result.warnings[0]


def test_duplicate_ids_across_files_keep_the_first(tmp_path: Path) -> None:
    write(tmp_path / "story.md", "From markdown\nBody.\n")
    second = write(tmp_path / "story.txt", "From text\nBody.\n")
    write(tmp_path / "other.txt", "Other\nBody.\n")
    result = load(tmp_path)
    assert sorted(a.title for a in result.articles) == ["From markdown", "Other"]
    assert len(result.warnings) == 1
    assert str(second) in result.warnings[0]
    assert "'story'" in result.warnings[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-01-19", "2022-01-19"),
        ("2022-01-19T10:30:00+02:00", "2022-01-19"),
        ("Jan. 19, 2022", "2022-01-19"),
        ("January 19, 2022", "2022-01-19"),
        ("Dec 1 2021", "2021-12-01"),
        ("2022-13-01", None),
        ("yesterday", None),
        (20220119, None),
        (None, None),
    ],
)
def test_parse_date(value: object, expected: str | None) -> None:
    assert parse_date(value) == expected


def test_an_article_over_the_length_limit_is_one_warning_and_the_rest_load(
    tmp_path: Path,
) -> None:
    """A 20 MB "article" took over 30 minutes and wrote nothing: it is refused at once, saying
    how to fix it, and the other articles (of the same JSONL too) load."""
    from index.articles import MAX_ARTICLE_CHARS

    huge = "A sentence about the harbour. " * (MAX_ARTICLE_CHARS // 30 + 10)
    (tmp_path / "huge.txt").write_text("Huge\n\n" + huge, encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Fine\n\nA short article.", encoding="utf-8")
    lines = [
        {"id": "big", "title": "Big", "text": huge},
        {"id": "small", "title": "S", "text": "x"},
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    result = load(tmp_path)
    assert sorted(a.id for a in result.articles) == ["ok", "small"]
    assert len(result.warnings) == 2
    for warning in result.warnings:
        assert "M characters; the limit is 2 M" in warning and "split it" in warning
    assert any(w.startswith(f"{tmp_path / 'huge.txt'}:") for w in result.warnings)
    assert any(f"{tmp_path / 'feed.jsonl'}:1" in w for w in result.warnings)


def test_an_untitled_record_gets_a_title_past_its_dateline_and_its_site_as_outlet(
    tmp_path: Path,
) -> None:
    record = {
        "id": "https://www.example.com/2022/07/02/fireworks-canceled",
        "title": "",
        "text": "Example News —\n\nAs the drought persists, cities cancel their fireworks.",
    }
    named = {"id": "x-1", "url": "https://news.example.org/a", "text": "ROME —\n\nRain fell."}
    plain = {"id": "x-2", "text": "Obituary\n\nShe was 90."}
    lines = [json.dumps(r) for r in (record, named, plain)]
    write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    by_id = {a.id: a for a in load(tmp_path).articles}
    first = by_id[record["id"]]
    assert first.title == "As the drought persists, cities cancel their fireworks."
    assert first.source == "example.com"
    assert (by_id["x-1"].title, by_id["x-1"].source) == ("Rain fell.", "news.example.org")
    assert (by_id["x-2"].title, by_id["x-2"].source) == ("Obituary", None)


def test_an_untitled_article_is_not_titled_by_page_furniture(tmp_path: Path) -> None:
    promo = "Sign up for our weekly science newsletter. Explore the universe with news."
    note = "Editor's Note: Our continuing coverage of the storm can be found here."
    lede = "A probe has slammed into an asteroid in the first test of planetary defense."
    records = [
        {"id": "promo", "title": "", "text": f"{promo}\n\nExample News —\n\n{lede}"},
        {"id": "note", "title": "", "text": f"{note}\n\n{lede}"},
        # a page of furniture alone keeps its first line: some title is better than none
        {"id": "ads", "title": "", "text": f"{promo}\n{note}\n"},
    ]
    write(tmp_path / "batch.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    by_id = {a.id: a for a in load(tmp_path).articles}
    assert by_id["promo"].title == lede and by_id["note"].title == lede
    assert by_id["ads"].title == promo
    assert load(tmp_path).articles[0].text.startswith(promo)  # the text itself is kept whole
