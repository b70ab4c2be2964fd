"""Articles added from the page (``ui.uploads``), over a real Assistant with fast fakes: kept
under QA_HOME/uploads, indexed at once, a bad file named in one line and costing nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ui_helpers import fake_assistant

from qa import Assistant, InputError
from ui.uploads import (
    MAX_FILE_BYTES,
    MAX_FILES,
    Added,
    Uploads,
    pasted_record,
    safe_name,
)

BRIDGE = (
    "Harbour bridge closed\n\nThe harbour bridge closed on Monday after engineers found cracks."
)
STRIKE = "Rail strike ends\ndate 2023-05-02\n\nThe rail strike ended on Tuesday after a pay deal."


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    return fake_assistant(tmp_path / "home", {"library.txt": "Library wing\n\nA new wing opened."})


def upload(tmp_path: Path, name: str, data: bytes | str) -> Path:
    """A file as Gradio hands it over: in a temporary folder, under the user's name for it."""
    folder = (
        tmp_path
        / "gradio"
        / str(len(list((tmp_path / "gradio").glob("*"))) if (tmp_path / "gradio").exists() else "0")
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def kept(assistant: Assistant) -> list[str]:
    folder = Path(assistant.settings.home) / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_an_uploaded_file_is_kept_indexed_and_answerable(
    assistant: Assistant, tmp_path: Path
) -> None:
    uploads = Uploads(assistant)
    result = uploads.add_file("bridge.txt", upload(tmp_path, "bridge.txt", BRIDGE))
    assert result == Added("bridge.txt", added=1)
    assert result.line() == "bridge.txt: 1 article added"
    assert kept(assistant) == ["bridge.txt"]
    article = assistant.article("bridge")
    assert article is not None and article.title == "Harbour bridge closed"
    answer = assistant.ask("Why did the harbour bridge close?")
    assert {c.article_id for c in answer.citations} == {"bridge"}
    again = uploads.add_file("bridge.txt", upload(tmp_path, "bridge.txt", BRIDGE))
    assert again.line() == "bridge.txt: 1 article unchanged"
    changed = uploads.add_file(
        "bridge.txt", upload(tmp_path, "bridge.txt", BRIDGE + " Repairs take weeks.")
    )
    assert changed.updated == 1 and "weeks" in assistant.article("bridge").text


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("photo.txt", b"\x89PNG\x00\x00binary", "photo.txt: not added: binary file, skipped"),
        ("empty.md", b"   \n", "empty.md: not added: empty file, skipped"),
        ("broken.json", b'{"id": "x", ', "broken.json: not added: line 1: not valid JSON"),
        (
            "norecord.json",
            b'{"title": "no id"}',
            "norecord.json: not added: record 1: field 'id' missing",
        ),
        ("tool.exe", b"MZ", "tool.exe: not added: not a .txt, .md, .html, .json or .jsonl file"),
        ("latin1.txt", "Café crème".encode("latin-1"), "latin1.txt: not added: not valid UTF-8"),
        (
            "huge.txt",
            b"word " * (MAX_FILE_BYTES // 5 + 1),
            "huge.txt: not added: 1.0 MB, over the 1 MB limit",
        ),
        (
            "library.txt",
            b"Library wing\n\nA copy.",
            "library.txt: not added: article id 'library' is already indexed from library.txt",
        ),
    ],
)
def test_a_bad_file_is_one_line_naming_it_and_nothing_else_is_lost(
    assistant: Assistant, tmp_path: Path, name: str, data: bytes, said: str
) -> None:
    uploads = Uploads(assistant)
    assert uploads.add_file("bridge.txt", upload(tmp_path, "bridge.txt", BRIDGE)).ok
    before = {a.id: a.text for a in assistant.articles()}
    result = uploads.add_file(name, upload(tmp_path, name, data))
    assert not result.ok
    line = result.line()
    assert line.startswith(said), line
    assert "\n" not in line and str(tmp_path) not in line  # no server path either
    assert kept(assistant) == ["bridge.txt"]  # nothing of it stays to be indexed again
    assert {a.id: a.text for a in assistant.articles()} == before


def test_a_bad_file_under_an_earlier_uploads_name_brings_the_earlier_one_back(
    assistant: Assistant, tmp_path: Path
) -> None:
    uploads = Uploads(assistant)
    uploads.add_file("bridge.txt", upload(tmp_path, "bridge.txt", BRIDGE))
    assert not uploads.add_file("bridge.txt", upload(tmp_path, "bridge.txt", b"\x00\x01")).ok
    assert (Path(assistant.settings.home) / "uploads" / "bridge.txt").read_text() == BRIDGE
    assert assistant.article("bridge").text == BRIDGE


def test_a_jsonl_file_keeps_its_good_records_and_says_what_it_skipped(
    assistant: Assistant, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"id": "bridge", "title": "Bridge", "text": BRIDGE, "source": "Coast Times"}),
        "not json",
        json.dumps({"id": "strike", "text": STRIKE, "published": "2023-05-02"}),
        json.dumps({"id": "nothing"}),
    ]
    result = Uploads(assistant).add_file(
        "batch.jsonl", upload(tmp_path, "batch.jsonl", "\n".join(lines))
    )
    assert result.added == 2
    assert result.line() == (
        "batch.jsonl: 2 articles added; note: line 2: not valid JSON (Expecting value), skipped"
        " (and 1 more)"
    )
    assert assistant.article("bridge").source == "Coast Times"
    assert assistant.article("strike").published == "2023-05-02"


def test_a_pasted_article_keeps_its_title_date_and_outlet(assistant: Assistant) -> None:
    uploads = Uploads(assistant)
    result = uploads.add_text("  Rail strike\nends ", STRIKE, "2023-05-02", " Daily Post ")
    assert result.ok and result.line() == "Rail strike ends: 1 article added"
    [added] = [a for a in assistant.articles() if a.id.startswith("pasted-rail-strike-ends-")]
    assert (added.title, added.published, added.source, added.text) == (
        "Rail strike ends", "2023-05-02", "Daily Post", STRIKE,
    )  # fmt: skip
    assert kept(assistant) == [f"{added.id}.json"]
    assert uploads.add_text("Rail strike ends", STRIKE, "2023-05-02", "Daily Post").unchanged == 1


@pytest.mark.parametrize(
    ("title", "text", "day", "said"),
    [
        ("", "text", "", "the article needs a title"),
        ("Title", "  ", "", "the article needs its text"),
        ("Title", "text", "May 2", "the date must look like 2024-05-31 (got 'May 2')"),
        ("T" * 301, "text", "", "the title is 301 characters long; the limit is 300"),
        ("Title", "x" * 100_001, "", "the text is 100,001 characters long; the limit is 100,000"),
    ],
)
def test_a_pasted_article_that_cannot_be_added_says_why(
    title: str, text: str, day: str, said: str
) -> None:
    with pytest.raises(InputError) as info:
        pasted_record(title, text, day)
    assert str(info.value) == said


def test_restart_or_rebuild_gets_the_uploads_back(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = fake_assistant(home, {"library.txt": "Library wing\n\nA new wing opened."})
    Uploads(first).add_file("bridge.txt", upload(tmp_path, "bridge.txt", BRIDGE))
    first.close()
    rebuilt = fake_assistant(home, {"library.txt": "Library wing\n\nA new wing opened."})
    assert rebuilt.article("bridge") is None  # a fresh index: only what its folder holds
    report = Uploads(rebuilt).restore()
    assert report is not None and report.added == 1
    assert rebuilt.article("bridge").text == BRIDGE
    (home / "uploads" / "bridge.txt").unlink()  # deleted by hand: leaves on the next start
    assert Uploads(rebuilt).restore().removed == 1
    assert Uploads(fake_assistant(tmp_path / "other", {"a.txt": "A\n\nB."})).restore() is None


def test_file_names_are_made_safe() -> None:
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\Users\\ann\\story.MD") == "story.md"
    assert safe_name(".hidden.txt") == "hidden.txt"  # the indexer skips hidden files
    assert safe_name('<img src=x onerror="alert(1)">.html') == "img-src-x-onerror-alert-1.html"
    assert safe_name("Привет.txt") == "article.txt"
    assert safe_name("noextension") == "noextension"
    assert len(safe_name("a" * 500 + ".txt")) == 104


def test_too_many_files_at_once_is_refused_before_any_is_read(assistant: Assistant) -> None:
    Uploads(assistant).check_count(MAX_FILES)
    with pytest.raises(
        InputError, match=f"{MAX_FILES + 1} files at once: the limit is {MAX_FILES}"
    ):
        Uploads(assistant).check_count(MAX_FILES + 1)
