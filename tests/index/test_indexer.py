"""Incremental, idempotent, crash-safe indexing (HashEmbedder + MemoryStore; one real-model run)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from fakes import CountingEmbedder, HashEmbedder

from index.articles import load
from index.chunking import chunk_text
from index.embedding import Embedder, Vectors
from index.errors import InputError
from index.indexer import IndexConfig, Indexer, IndexReport, embedding_input
from index.store import ArticleRecord, MemoryStore, Store, StoredChunk

CONFIG = IndexConfig("hash-embedder", chunk_tokens=40, chunk_overlap=8)


@pytest.fixture
def news(tmp_path: Path, seeds_dir: Path) -> Path:
    """A copy of the seeds that tests may change."""
    folder = tmp_path / "news"
    shutil.copytree(seeds_dir, folder)
    return folder


def run(store: Store, *paths: Path, embedder: Embedder | None = None) -> IndexReport:
    return Indexer(store, embedder or HashEmbedder(), CONFIG).index(list(paths), progress=False)


def counts(report: IndexReport) -> tuple[int, int, int, int]:
    return report.added, report.updated, report.unchanged, report.removed


def assert_consistent(store: Store) -> None:
    """Chunks and article records agree: every chunk addresses its article's text exactly, every
    article has exactly the chunks a fresh chunking gives, nothing is orphaned."""
    records = store.articles()
    chunks = store.get()
    assert store.count() == len(chunks) == sum(r.chunk_count for r in records.values())
    assert len({c.id for c in chunks}) == len(chunks)
    for chunk in chunks:
        article = records[chunk.article_id].article
        assert chunk.text == article.text[chunk.start : chunk.end]
        assert (chunk.title, chunk.published, chunk.source) == (
            article.title, article.published, article.source,
        )  # fmt: skip
    for article_id, record in records.items():
        expected = chunk_text(article_id, record.article.text, HashEmbedder(),
                              CONFIG.chunk_tokens, CONFIG.chunk_overlap)  # fmt: skip
        assert {c.id for c in store.get(article_id)} == {c.id for c in expected}


def test_first_run_adds_every_article(news: Path) -> None:
    store = MemoryStore()
    report = run(store, news)
    assert counts(report) == (5, 0, 0, 0)
    assert report.warnings == []
    assert report.chunks == store.count() > 5  # small chunks: several per article
    assert sorted(store.articles()) == sorted(p.stem for p in news.glob("*.txt"))
    assert_consistent(store)
    record = store.article("000_7bf1043b0c29c4c3")
    assert record is not None
    assert record.article.text == (news / "000_7bf1043b0c29c4c3.txt").read_text(encoding="utf-8")
    assert record.root == str(news.resolve())


def test_vectors_are_of_title_and_chunk(news: Path) -> None:
    store = MemoryStore()
    embedder = CountingEmbedder(HashEmbedder())
    run(store, news, embedder=embedder)
    records = store.articles()
    expected = {
        embedding_input(records[c.article_id].article.title, c.text, embedder) for c in store.get()
    }
    assert set(embedder.texts) == expected
    assert len(embedder.texts) == store.count()


def test_second_run_changes_nothing_and_embeds_nothing(news: Path) -> None:
    store = MemoryStore()
    run(store, news)
    before = (sorted(store.get(), key=lambda c: c.id), store.articles())
    embedder = CountingEmbedder(HashEmbedder())
    report = run(store, news, embedder=embedder)
    assert counts(report) == (0, 0, 5, 0)
    assert embedder.calls == 0
    assert (sorted(store.get(), key=lambda c: c.id), store.articles()) == before


def test_changed_file_replaces_all_of_its_chunks(news: Path) -> None:
    store = MemoryStore()
    run(store, news)
    target = news / "002_86a2d6844343d0f1.txt"
    old_ids = {c.id for c in store.get("002_86a2d6844343d0f1")}
    other_ids = {c.id for c in store.get()} - old_ids
    target.write_text("A new headline\n\nEntirely new body. " * 30, encoding="utf-8")
    embedder = CountingEmbedder(HashEmbedder())
    report = run(store, news, embedder=embedder)
    assert counts(report) == (0, 1, 4, 0)
    new_ids = {c.id for c in store.get("002_86a2d6844343d0f1")}
    assert new_ids and not new_ids & old_ids
    assert {c.id for c in store.get()} == other_ids | new_ids
    assert len(embedder.texts) == len(new_ids)  # only the changed article was embedded
    assert_consistent(store)


def test_small_edit_keeps_unchanged_chunks_and_drops_stale_ones(news: Path) -> None:
    store = MemoryStore()
    run(store, news)
    target = news / "000_7bf1043b0c29c4c3.txt"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("94,000 troops at", "96,000 troops at"), encoding="utf-8")
    report = run(store, news)
    assert counts(report) == (0, 1, 4, 0)
    assert "96,000" in store.article("000_7bf1043b0c29c4c3").article.text  # type: ignore[union-attr]
    assert not any("94,000 troops at" in c.text for c in store.get("000_7bf1043b0c29c4c3"))
    assert_consistent(store)


def test_deleted_file_is_removed_on_the_next_run_of_its_folder(news: Path, tmp_path: Path) -> None:
    store = MemoryStore()
    other = tmp_path / "other"
    other.mkdir()
    (other / "elsewhere.txt").write_text("Elsewhere\nA story from another folder.\n")
    run(store, news, other)
    (news / "003_69509773b3ea4668.txt").unlink()
    report = run(store, news)
    assert counts(report) == (0, 0, 4, 1)
    assert store.article("003_69509773b3ea4668") is None
    assert store.get("003_69509773b3ea4668") == []
    assert store.article("elsewhere") is not None  # another folder's articles stay
    assert_consistent(store)


def test_deleted_record_of_a_jsonl_is_removed(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    records = [
        {"id": f"r{i}", "title": f"Story {i}", "text": f"Body of story {i}."} for i in range(3)
    ]
    feed.write_text("\n".join(json.dumps(r) for r in records))
    store = MemoryStore()
    assert counts(run(store, tmp_path)) == (3, 0, 0, 0)
    feed.write_text("\n".join(json.dumps(r) for r in records[:2]))
    assert counts(run(store, tmp_path)) == (0, 0, 2, 1)
    assert sorted(store.articles()) == ["r0", "r1"]
    assert_consistent(store)


def make_unreadable(path: Path) -> None:
    """Replace a file by one that exists but cannot be read, even by root."""
    path.unlink()
    if os.geteuid() != 0:
        path.write_text("secret")
        path.chmod(0)
        return
    if not Path("/proc/self/clear_refs").is_file():
        pytest.skip("running as root without /proc: cannot make an unreadable file")
    path.symlink_to("/proc/self/clear_refs")


def make_binary(path: Path) -> None:
    path.write_bytes(b"\x00\x01\x02binary\x00")


@pytest.mark.parametrize("spoil", [make_unreadable, make_binary], ids=["unreadable", "binary"])
def test_bad_file_warns_and_keeps_what_was_indexed(news: Path, spoil: object) -> None:
    store = MemoryStore()
    run(store, news)
    before = sorted(store.get(), key=lambda c: c.id)
    path = news / "001_2db3cbd43e9c484f.txt"
    assert callable(spoil)
    spoil(path)
    report = run(store, news)
    assert counts(report) == (0, 0, 4, 0)
    assert len(report.warnings) == 1
    assert str(path) in report.warnings[0]
    assert store.article("001_2db3cbd43e9c484f") is not None
    assert sorted(store.get(), key=lambda c: c.id) == before


def test_new_bad_file_does_not_stop_the_others(news: Path) -> None:
    (news / "broken.jsonl").write_text('{"id": "ok", "text": "Fine."}\n{oops\n')
    (news / "empty.txt").write_text("")
    store = MemoryStore()
    report = run(store, news)
    assert counts(report) == (6, 0, 0, 0)
    assert len(report.warnings) == 2
    assert any(f"{news.resolve() / 'broken.jsonl'}:2" in w for w in report.warnings)
    assert_consistent(store)


def test_duplicate_ids_in_one_folder_keep_one_and_warn_about_the_other(news: Path) -> None:
    txt = news / "000_7bf1043b0c29c4c3.txt"
    md = news / "000_7bf1043b0c29c4c3.md"
    md.write_text("Impostor\nSame id, other file.\n")
    store = MemoryStore()
    report = run(store, news)
    assert counts(report) == (5, 0, 0, 0)
    assert len(report.warnings) == 1 and "duplicate" in report.warnings[0]
    kept = store.article("000_7bf1043b0c29c4c3")
    assert kept is not None
    skipped = txt if kept.article.origin == str(md.resolve()) else md
    assert str(skipped.resolve()) in report.warnings[0]
    again = run(store, news)  # the same one wins every time: nothing flips
    assert counts(again) == (0, 0, 5, 0)
    assert store.article("000_7bf1043b0c29c4c3") == kept
    assert_consistent(store)


def test_bad_names_and_records_warn_and_the_rest_is_indexed_every_run(news: Path) -> None:
    """A file name that is not UTF-8, or a JSONL record holding a lone surrogate ("\\udcff"),
    cannot be stored (ids, texts and origins are UTF-8): each is one warning, not a crash."""
    (news / os.fsdecode(b"bad\xff.txt")).write_text("Bad name\nIts body.\n")
    record = json.dumps({"id": "broken", "text": "Broken \udcff text."})
    (news / "feed.jsonl").write_text(record + "\n" + json.dumps({"id": "ok", "text": "Fine."}))
    store = MemoryStore()
    report = run(store, news)
    assert counts(report) == (6, 0, 0, 0)
    assert len(report.warnings) == 2, report.warnings
    assert any("bad\\xff.txt" in w for w in report.warnings)
    assert any(f"{news.resolve() / 'feed.jsonl'}:1: " in w for w in report.warnings)
    assert counts(run(store, news)) == (0, 0, 6, 0)  # and every re-run, the same
    assert_consistent(store)


@pytest.mark.parametrize("which", ["subfolder", "root"])
def test_unreadable_folder_keeps_its_articles(
    news: Path, lock_folder: Callable[[Path], None], which: str
) -> None:
    """Nothing leaves the index because it could not be read: a folder that cannot be listed
    (chmod 000) is one warning naming it, and its articles stay as they were."""
    sub = news / "sub"
    sub.mkdir()
    for name in ("000_7bf1043b0c29c4c3.txt", "001_2db3cbd43e9c484f.txt"):
        (news / name).rename(sub / name)
    store = MemoryStore()
    assert counts(run(store, news)) == (5, 0, 0, 0)
    before = sorted(store.get(), key=lambda c: c.id)
    locked = sub if which == "subfolder" else news
    lock_folder(locked)
    report = run(store, news)
    assert report.removed == 0
    assert len(report.warnings) == 1, report.warnings
    assert report.warnings[0].startswith(f"{locked.resolve()}: ")
    assert sorted(store.articles()) == sorted(
        ["sub/000_7bf1043b0c29c4c3", "sub/001_2db3cbd43e9c484f", "002_86a2d6844343d0f1",
         "003_69509773b3ea4668", "004_5aafc08a58258595"]
    )  # fmt: skip
    assert sorted(store.get(), key=lambda c: c.id) == before


def test_same_text_under_two_names_is_indexed_with_a_warning_naming_both(news: Path) -> None:
    """Both are kept (each file is an article a user may cite or filter by); the warning says
    which ids hold the same text, once, when the copy is written."""
    original = news / "000_7bf1043b0c29c4c3.txt"
    (news / "copy.txt").write_text(original.read_text().replace("\n", "\r\n"))
    store = MemoryStore()
    report = run(store, news)
    assert counts(report) == (6, 0, 0, 0)
    assert len(report.warnings) == 1, report.warnings
    assert "'copy'" in report.warnings[0] and "'000_7bf1043b0c29c4c3'" in report.warnings[0]
    assert "same text" in report.warnings[0] and "\n" not in report.warnings[0]
    assert run(store, news).warnings == []  # nothing written, nothing to say again
    assert_consistent(store)


def test_an_article_with_nothing_to_quote_is_indexed_with_a_warning(news: Path) -> None:
    """The answer stage says what can be quoted; an article holding nothing is indexed all the
    same (nothing is lost) and named in one warning line, once, when it is written."""
    (news / "form.txt").write_text("Feedback\nHow relevant is this ad to you?\n")
    store = MemoryStore()
    indexer = Indexer(store, HashEmbedder(), CONFIG, quotable=lambda text: "ad to you" not in text)
    report = indexer.index([news], progress=False)
    assert counts(report) == (6, 0, 0, 0)
    assert len(report.warnings) == 1, report.warnings
    warning = report.warnings[0]
    assert "'form'" in warning and "no sentence an answer can quote" in warning
    assert "\n" not in warning
    assert store.get("form")  # indexed: its chunks are there
    assert indexer.index([news], progress=False).warnings == []
    assert_consistent(store)


def test_same_text_as_an_article_of_another_folder_is_a_warning(news: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "again.txt").write_text((news / "002_86a2d6844343d0f1.txt").read_text())
    store = MemoryStore()
    run(store, news)
    report = run(store, other)
    assert counts(report) == (1, 0, 0, 0)
    assert len(report.warnings) == 1
    assert "'again'" in report.warnings[0] and "'002_86a2d6844343d0f1'" in report.warnings[0]


def test_same_id_from_another_folder_is_skipped(news: Path, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "000_7bf1043b0c29c4c3.txt").write_text("Impostor\nSame id, other folder.\n")
    store = MemoryStore()
    run(store, news)
    report = run(store, twin)
    assert counts(report) == (0, 0, 0, 0)
    assert len(report.warnings) == 1
    assert "already indexed" in report.warnings[0]
    assert store.article("000_7bf1043b0c29c4c3").article.title.startswith("Ukraine")  # type: ignore[union-attr]
    assert counts(run(store, news)) == (0, 0, 5, 0)


def test_indexing_one_file_of_a_folder_then_the_folder(news: Path) -> None:
    """A file indexed on its own and through its folder is one article, indexed once, and still
    leaves the index when it is deleted from the folder."""
    store = MemoryStore()
    one = news / "004_5aafc08a58258595.txt"
    assert counts(run(store, one)) == (1, 0, 0, 0)
    assert counts(run(store, news)) == (4, 0, 1, 0)
    embedder = CountingEmbedder(HashEmbedder())
    assert counts(run(store, one, embedder=embedder)) == (0, 0, 1, 0)
    assert counts(run(store, news, embedder=embedder)) == (0, 0, 5, 0)
    assert embedder.calls == 0
    one.unlink()
    assert counts(run(store, news)) == (0, 0, 4, 1)
    assert store.article("004_5aafc08a58258595") is None
    assert_consistent(store)


def test_progress_bar_only_when_asked_and_on_long_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(25):
        (tmp_path / f"a{i:02d}.txt").write_text(f"Story {i}\nBody of story {i}.\n")
    Indexer(MemoryStore(), HashEmbedder(), CONFIG).index([tmp_path], progress=False)
    assert capsys.readouterr().err == ""
    Indexer(MemoryStore(), HashEmbedder(), CONFIG).index([tmp_path], progress=True)
    err = capsys.readouterr().err
    assert "25/25" in err and "article" in err
    (tmp_path / "a00.txt").write_text("Changed\nChanged body.\n")
    store = MemoryStore()
    Indexer(store, HashEmbedder(), CONFIG).index([tmp_path], progress=False)
    (tmp_path / "a01.txt").write_text("Changed\nChanged body.\n")
    Indexer(store, HashEmbedder(), CONFIG).index([tmp_path], progress=True)
    assert capsys.readouterr().err == ""  # one article to do: no bar for a short run


def test_missing_path_is_an_input_error_before_anything_is_written(news: Path) -> None:
    store = MemoryStore()
    with pytest.raises(InputError, match="no such file"):
        run(store, news, news / "nope")
    assert store.count() == 0 and store.articles() == {}


def test_chunk_size_must_leave_room_for_the_title() -> None:
    with pytest.raises(InputError, match="chunk_tokens must be <="):
        Indexer(MemoryStore(), HashEmbedder(), IndexConfig("hash-embedder", chunk_tokens=240))


def test_fingerprint_follows_what_changes_vectors() -> None:
    base = IndexConfig("m")
    assert base.fingerprint == IndexConfig("m").fingerprint
    others = [
        IndexConfig("m2"),
        IndexConfig("m", chunk_tokens=100),
        IndexConfig("m", chunk_overlap=0),
    ]
    assert len({base.fingerprint, *(c.fingerprint for c in others)}) == 4


# --- crash safety: a run that dies at any write, then a re-run, equals a clean run -----------------


class Crash(Exception):
    pass


class CrashingStore(MemoryStore):
    """A MemoryStore that dies at its n-th write (add, delete, put_articles, delete_article)."""

    def __init__(self, crash_at: int) -> None:
        super().__init__()
        self.crash_at = crash_at
        self.writes = 0

    def _write(self) -> None:
        self.writes += 1
        if self.writes == self.crash_at:
            raise Crash

    def add(self, chunks: Sequence[StoredChunk], vectors: Vectors) -> None:
        self._write()
        super().add(chunks, vectors)

    def delete(self, ids: Sequence[str]) -> None:
        self._write()
        super().delete(ids)

    def put_articles(self, records: Sequence[ArticleRecord]) -> None:
        self._write()
        super().put_articles(records)

    def delete_article(self, article_id: str) -> None:
        self._write()
        super().delete_article(article_id)


def _edit(news: Path) -> None:
    """Change one article, delete one, add one."""
    (news / "000_7bf1043b0c29c4c3.txt").write_text("Changed headline\n\nChanged body. " * 20)
    (news / "003_69509773b3ea4668.txt").unlink()
    (news / "new.txt").write_text("Brand new\n\nA brand new story. " * 10)


def _state(store: MemoryStore) -> tuple[list[str], dict[str, str]]:
    return sorted(store.chunks), {k: r.content_hash for k, r in store.articles().items()}


def test_a_run_killed_at_any_write_then_rerun_equals_a_clean_run(
    news: Path, tmp_path: Path
) -> None:
    clean = MemoryStore()
    run(clean, news)
    _edit(news)
    run(clean, news)
    shutil.rmtree(news)
    crash_at = 1
    while True:
        shutil.copytree(Path(__file__).resolve().parents[2] / "seeds", news)
        store = CrashingStore(crash_at=0)
        run(store, news)  # the state before the edit
        _edit(news)
        store.crash_at, store.writes = crash_at, 0
        try:
            run(store, news)
            finished = True
        except Crash:
            finished = False
        store.crash_at = 0
        run(store, news)
        assert _state(store) == _state(clean), f"after a crash at write {crash_at}"
        assert_consistent(store)
        shutil.rmtree(news)
        if finished:
            break
        crash_at += 1
    assert crash_at > 5  # every write of the run was a crash point


# --- the real thing ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_real_model_and_chroma_over_seeds(news: Path, tmp_path: Path) -> None:
    from index.chroma_store import open_chroma
    from index.embedding import SentenceTransformerEmbedder

    real = SentenceTransformerEmbedder()
    config = IndexConfig(real.model_id)
    store = open_chroma(tmp_path / "home", None, config.fingerprint, config.describe(), create=True)
    try:
        embedder = CountingEmbedder(real)
        report = Indexer(store, embedder, config).index([news], progress=False)
        assert counts(report) == (5, 0, 0, 0)
        assert (
            report.chunks == store.count() == sum(r.chunk_count for r in store.articles().values())
        )
        for text in embedder.texts:  # nothing the model would truncate
            assert len(real.token_spans(text)) <= real.max_tokens
        records = store.articles()
        for chunk in store.get():
            assert chunk.text == records[chunk.article_id].article.text[chunk.start : chunk.end]
        # the real model finds the passage about 127,000 soldiers
        hits = store.query(real.embed_query("How many soldiers has Russia deployed?"), 3)
        assert any("127,000" in h.chunk.text for h in hits)

        embedder = CountingEmbedder(real)
        report = Indexer(store, embedder, config).index([news], progress=False)
        assert counts(report) == (0, 0, 5, 0)
        assert embedder.calls == 0

        target = news / "002_86a2d6844343d0f1.txt"
        old_ids = {c.id for c in store.get("002_86a2d6844343d0f1")}
        target.write_text(target.read_text(encoding="utf-8") + "\nOne more paragraph at the end.\n")
        report = Indexer(store, real, config).index([news], progress=False)
        assert counts(report) == (0, 1, 4, 0)
        new_ids = {c.id for c in store.get("002_86a2d6844343d0f1")}
        assert new_ids != old_ids
        assert (
            report.chunks == store.count() == sum(r.chunk_count for r in store.articles().values())
        )

        (news / "004_5aafc08a58258595.txt").unlink()
        report = Indexer(store, real, config).index([news], progress=False)
        assert counts(report) == (0, 0, 4, 1)
        assert store.get("004_5aafc08a58258595") == []
    finally:
        store.close()


def test_load_and_index_agree_on_ids(news: Path) -> None:
    store = MemoryStore()
    run(store, news)
    assert sorted(store.articles()) == sorted(a.id for a in load(news).articles)
