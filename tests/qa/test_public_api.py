"""The public API over fakes: retrieve, article(s), passages, summary, support, settings errors,
and that ui/ and eval/ use nothing but what ``qa`` exports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from qa_helpers import fake_assistant, write

import qa
from qa import Assistant, InputError, Settings

REPO = Path(__file__).resolve().parents[2]
ARTICLES = {
    "bridge.json": '{"id": "bridge", "title": "Harbour bridge closed", "published": "2022-01-10", "source":'
    ' "Harbour Times", "text": "The harbour bridge closed on Monday after engineers found'
    ' cracks in two cables. Mayor Anna Berg said repairs would take weeks."}',
    "reopen.json": '{"id": "reopen", "title": "Harbour bridge reopens", "published": "2022-02-20", "source":'
    ' "City Wire", "text": "The harbour bridge reopened on Friday after repairs to two cables'
    ' costing 4,000,000 dollars, the mayor said."}',
    "library.txt": "Library gets new wing\n\nThe city library opened a new wing for children."
    " The library director said 12,000 books were added to the shelves.",
}


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    return fake_assistant(write(tmp_path / "news", ARTICLES), tmp_path / "home")


def test_retrieve_ranks_passages_with_readable_scores(assistant: Assistant) -> None:
    found = assistant.retrieve("Who found cracks in the harbour bridge?", k=3)
    assert [p.rank for p in found] == list(range(1, len(found) + 1))
    for p in found:
        assert p.relevance is not None and 0.0 <= p.relevance <= 1.0
        article = assistant.article(p.article_id)
        assert article is not None and article.text[p.start : p.end] == p.text
    # the fused score orders them; relevance says how well each answers (the fake judges overlap)
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)
    assert max(found, key=lambda p: p.relevance or 0).article_id == "bridge"


def test_retrieve_filters_like_ask(assistant: Assistant) -> None:
    query = "harbour bridge cables"
    assert {p.article_id for p in assistant.retrieve(query, sources=["City Wire"])} == {"reopen"}
    assert {p.article_id for p in assistant.retrieve(query, article_ids=["bridge"])} == {"bridge"}
    early = assistant.retrieve(query, published_to="2022-01-31")
    assert "reopen" not in {p.article_id for p in early}
    assert "reopen" not in {p.article_id for p in assistant.retrieve(query, as_of="2022-02-01")}


@pytest.mark.parametrize(
    ("query", "k", "message"),
    [("", 3, "empty"), ("bridge", 0, "k must be"), ("x" * 3000, 3, "limit is")],
)
def test_retrieve_rejects_bad_input_in_one_line(
    assistant: Assistant, query: str, k: int, message: str
) -> None:
    with pytest.raises(InputError, match=message) as exc:
        assistant.retrieve(query, k=k)
    assert "\n" not in str(exc.value)


def test_articles_passages_and_summary(assistant: Assistant) -> None:
    articles = assistant.articles()
    assert [a.id for a in articles] == ["bridge", "library", "reopen"]
    bridge = assistant.article("bridge")
    assert bridge is not None and bridge.source == "Harbour Times"
    assert bridge.published == "2022-01-10" and bridge.title == "Harbour bridge closed"
    assert assistant.article("nope") is None
    passages = assistant.passages()
    assert {p.article_id for p in passages} == {"bridge", "library", "reopen"}
    for p in assistant.passages("bridge"):
        assert p.article_id == "bridge" and bridge.text[p.start : p.end] == p.text
    summary = assistant.summary()
    assert (summary.articles, summary.chunks, summary.newest) == (3, len(passages), "2022-02-20")
    assert summary.fingerprint == assistant.ask("When did the bridge reopen?").fingerprint
    assert summary.embedding_model and summary.generator == "extractive"


def test_support_checks_each_sentence_against_quotes(assistant: Assistant) -> None:
    quote = "The harbour bridge reopened on Friday after repairs costing 4,000,000 dollars."
    scored = assistant.support(
        "The bridge reopened on Friday [1]. Repairs cost 9,000,000 dollars.", [quote]
    )
    assert [s for s, _ in scored] == [
        "The bridge reopened on Friday.",
        "Repairs cost 9,000,000 dollars.",
    ]
    assert scored[0][1] >= assistant.settings.min_support
    assert scored[1][1] == -1.0  # a figure no quote states


def test_a_bad_setting_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QA_LOCK_TIMEOUT", "abc")
    with pytest.raises(InputError, match="QA_LOCK_TIMEOUT") as exc:
        Settings.load()
    assert "\n" not in str(exc.value)
    monkeypatch.delenv("QA_LOCK_TIMEOUT")
    afile = tmp_path / "afile"
    afile.write_text("x")
    monkeypatch.setenv("QA_HOME", str(afile))
    with pytest.raises(InputError, match=r"QA_HOME: .*is a file, not a folder"):
        Assistant.open()


def test_auth_and_lock_timeout_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_AUTH", "ann:secret")
    monkeypatch.setenv("QA_LOCK_TIMEOUT", "2.5")
    settings = Settings.load()
    assert settings.auth is not None and settings.auth.get_secret_value() == "ann:secret"
    assert settings.lock_timeout == 2.5
    assert "secret" not in repr(settings)


def test_qa_exports_no_internals() -> None:
    assert {"MIN_SUPPORT", "similarities", "split_answer", "support_score"}.isdisjoint(qa.__all__)
    for name in qa.__all__:
        assert hasattr(qa, name), name


@pytest.mark.parametrize("folder", ["ui", "eval"])
def test_ui_and_eval_use_only_what_qa_exports(folder: str) -> None:
    """No ``qa.<module>`` or ``index`` import, no name qa does not export, and no private
    attribute of the Assistant."""
    for path in sorted((REPO / folder).glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                root = node.module.split(".")[0]
                assert root not in ("index",) and not node.module.startswith("qa."), (
                    path,
                    node.module,
                )
                if node.module == "qa":
                    assert {a.name for a in node.names} <= set(qa.__all__), path
            if isinstance(node, ast.Import):
                assert all(
                    a.name == "qa" or not a.name.startswith(("qa.", "index")) for a in node.names
                )
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                base = node.value
                assert not (isinstance(base, ast.Name) and base.id == "assistant"), (
                    path,
                    node.attr,
                )


def test_qa_imports_neither_ui_nor_eval() -> None:
    """Imports run one way: ui and eval build on qa, and provide ``qa chat``, ``qa eval`` and
    ``qa bench`` through pyproject.toml's entry points, which the installed package lists."""
    from importlib.metadata import entry_points

    for path in sorted((REPO / "qa").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in ("ui", "eval"), (path, node.module)
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] not in ("ui", "eval") for a in node.names), path
    provided = {e.name: e.value for e in entry_points(group="qa.commands")}
    assert provided == {
        "chat": "ui.app:run_cli", "eval": "eval.runner:run_cli", "bench": "eval.commands:bench"
    }  # fmt: skip


def test_a_command_that_is_not_installed_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import qa.cli

    monkeypatch.setattr(qa.cli, "entry_points", lambda **_: ())  # a checkout never installed
    assert qa.cli.main(["eval", "--suite", "seeds"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == 'error: "qa eval" is not installed here: run "make install" (pip install -e .)'


def test_import_qa_stays_light() -> None:
    """No web framework, agent framework, vector store or model runtime on ``import qa``."""
    import subprocess
    import sys

    code = (
        "import sys, qa\n"
        "heavy = ('gradio', 'llama_index', 'chromadb', 'torch', 'mcp', 'transformers',"
        " 'onnxruntime', 'sentence_transformers')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [("QA_LOCK_TIMEOUT", "abc", "QA_LOCK_TIMEOUT"), ("QA_HOME", "FILE", "is a file, not a folder")],
)
def test_cli_configuration_mistakes_are_one_line(
    variable: str,
    value: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from qa.cli import main

    if value == "FILE":
        (tmp_path / "afile").write_text("not a folder")
        value = str(tmp_path / "afile")
    monkeypatch.setenv(variable, value)
    assert main(["ask", "How many troops?"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err


def test_close_waits_for_the_answer_in_progress(tmp_path: Path) -> None:
    """Closing the index under a running answer crashed the process (a warm-up still running
    when the server stopped): close() now waits for it."""
    import threading
    import time

    from fakes import HashEmbedder, OverlapCrossEncoder

    from index.indexer import IndexConfig, Indexer
    from index.store import MemoryStore

    events: list[str] = []

    class SlowJudge(OverlapCrossEncoder):
        def score(self, query: str, texts: list[str]):  # type: ignore[no-untyped-def]
            time.sleep(0.3)
            events.append("scored")
            return super().score(query, texts)

    class Store(MemoryStore):
        def close(self) -> None:
            events.append("closed")

    embedder, store = HashEmbedder(), Store()
    folder = write(tmp_path / "news", ARTICLES)
    Indexer(store, embedder, IndexConfig(embedder.model_id)).index([folder], progress=False)
    assistant = Assistant(store, embedder, Settings(home=tmp_path), cross_encoder=SlowJudge())
    asking = threading.Thread(target=assistant.ask, args=("Who found cracks in the bridge?",))
    asking.start()
    time.sleep(0.1)
    assistant.close()
    asking.join()
    # the answer's reads (its sentences, then its articles' headlines) all came before the close
    assert events[-1] == "closed" and events[:-1] and set(events[:-1]) == {"scored"}


def test_index_adds_articles_that_are_answerable_at_once(
    assistant: Assistant, tmp_path: Path
) -> None:
    before = assistant.summary()
    more = write(tmp_path / "more", {"zoo.txt": "Zoo welcomes panda\ndate 2022-03-01\n\n"
                                     "The city zoo welcomed a giant panda named Bao on Sunday."})  # fmt: skip
    report = assistant.index([more])
    assert report.added == 1
    after = assistant.summary()
    assert (after.articles, after.newest) == (before.articles + 1, "2022-03-01")
    assert after.chunks > before.chunks
    answer = assistant.ask("What did the city zoo welcome on Sunday?")
    assert not answer.refused and "Bao" in answer.text
    assert {c.article_id for c in answer.citations} == {"zoo"}
    (more / "zoo.txt").unlink()  # re-indexing the folder without it removes it
    assert assistant.index([more]).removed == 1
    assert assistant.article("zoo") is None and assistant.summary().articles == before.articles
    assert "zoo" not in {p.article_id for p in assistant.retrieve("giant panda zoo", k=8)}


def test_ask_can_be_scoped_to_some_articles(assistant: Assistant) -> None:
    question = "What happened to the harbour bridge?"
    only = assistant.ask(question, article_ids=["reopen"])
    assert not only.refused and {c.article_id for c in only.citations} == {"reopen"}
    assert {p.article_id for p in only.passages} == {"reopen"}
    assert "library" not in {c.article_id for c in assistant.ask(question).citations}


DAM_V1 = "Dam report\n\nThe river dam held during the storm. Engineers said it was safe."
DAM_V2 = (
    "Dam report updated\n\n" + "A new introduction shifts every offset in the article. " * 8
    + "The river dam failed during the storm, and 2,000 people were evacuated from the valley."
)  # fmt: skip


def _dam_assistant(tmp_path: Path) -> tuple[Assistant, Path, object]:
    from fakes import HashEmbedder, OverlapCrossEncoder

    from index.indexer import IndexConfig, Indexer
    from index.store import MemoryStore

    embedder, store = HashEmbedder(), MemoryStore()
    folder = write(tmp_path / "news", {"dam.txt": DAM_V1})
    indexer = Indexer(store, embedder, IndexConfig(embedder.model_id))
    indexer.index([folder], progress=False)
    settings = Settings(home=tmp_path)
    return (
        Assistant(store, embedder, settings, cross_encoder=OverlapCrossEncoder()),
        folder,
        indexer,
    )


def test_an_article_updated_by_another_writer_is_answered_from_its_new_text(
    tmp_path: Path,
) -> None:
    """Chunks of a newer version than the text the assistant holds crashed it (IndexError)."""
    assistant, folder, indexer = _dam_assistant(tmp_path)
    write(folder, {"dam.txt": DAM_V2})
    indexer.index([folder], progress=False)  # type: ignore[attr-defined]  # "another process"
    answer = assistant.ask("How many people were evacuated after the dam failed?")
    assert not answer.refused and "2,000" in answer.text
    for c in answer.citations:
        article = assistant.article(c.article_id)
        assert article is not None and article.text[c.start : c.end] == c.quote
    for p in assistant.retrieve("dam evacuated valley"):
        assert DAM_V2[p.start : p.end] == p.text


def test_chunks_whose_record_was_never_written_are_not_quoted(tmp_path: Path) -> None:
    """An update killed after its chunks were written, before its record: the old record's
    text stays, and the new chunks (other offsets) are never quoted against it."""
    assistant, folder, indexer = _dam_assistant(tmp_path)
    record = assistant.article("dam")
    write(folder, {"dam.txt": DAM_V2})
    store = indexer.store  # type: ignore[attr-defined]
    put, store.put_articles = store.put_articles, lambda records: None  # killed before records
    indexer.index([folder], progress=False)  # type: ignore[attr-defined]
    store.put_articles = put
    answer = assistant.ask("How many people were evacuated after the dam failed?")
    assert assistant.article("dam") == record
    for c in answer.citations:
        assert DAM_V1[c.start : c.end] == c.quote


def test_articles_another_writer_adds_or_removes_are_followed(tmp_path: Path) -> None:
    """An open assistant takes in what another writer did to the index at its next call."""
    assistant, folder, indexer = _dam_assistant(tmp_path)
    write(
        folder, {"zoo.txt": "Zoo welcomes panda\n\nThe city zoo welcomed a giant panda on Sunday."}
    )
    indexer.index([folder], progress=False)  # type: ignore[attr-defined]
    assert assistant.summary().articles == 2
    answer = assistant.ask("What did the city zoo welcome on Sunday?")
    assert {c.article_id for c in answer.citations} == {"zoo"}
    (folder / "zoo.txt").unlink()
    indexer.index([folder], progress=False)  # type: ignore[attr-defined]
    answer = assistant.ask("What did the city zoo welcome on Sunday?")
    assert "zoo" not in {c.article_id for c in answer.citations}
    assert "zoo" not in {p.article_id for p in answer.passages}
    assert assistant.article("zoo") is None


def test_opening_an_assistant_imports_inflect_in_the_opening_thread(tmp_path: Path) -> None:
    """inflect is imported when the assistant opens, not in an answer: no answer waits for it,
    and two answers never import it at once (when typeguard still recompiled inflect's source as
    it was imported, CPython 3.11's parser failed in two threads at once: "AST constructor
    recursion depth mismatch", seen when the first answers of a web chat ran side by side)."""
    import sys

    code = (
        "import sys\n"
        "sys.path[:0] = ['tests', 'tests/qa']\n"
        "from pathlib import Path\n"
        "from qa_helpers import fake_assistant, write\n"
        f"folder = write(Path({str(tmp_path)!r}) / 'news', {{'a.txt': 'T\\n\\nSome text.'}})\n"
        "assert 'inflect' not in sys.modules\n"
        f"fake_assistant(folder, Path({str(tmp_path)!r}) / 'home')\n"
        "print('inflect' in sys.modules)\n"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, check=True)  # fmt: skip
    assert out.stdout.strip() == "True"
