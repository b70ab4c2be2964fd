"""One contract, every Store: MemoryStore, Chroma on disk, and a real `chroma run` server.

Also the ways opening an on-disk or served index can go wrong: another fingerprint, nothing
indexed yet, another process holding it, a server that is not there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from netguard import free_port

from index.articles import Article
from index.chroma_store import ChromaStore, open_chroma
from index.errors import (
    IndexEmptyError,
    IndexLockedError,
    IndexMismatchError,
    InputError,
    StoreUnavailableError,
)
from index.store import ArticleRecord, Filter, MemoryStore, Store, StoredChunk, matches

REPO = Path(__file__).resolve().parents[2]
CHROMA = REPO / ".venv" / "bin" / "chroma"
DIM = 8
DESCRIBE = {"model_id": "hash-embedder", "chunk_tokens": 200, "chunk_overlap": 40}


@pytest.fixture(
    params=["memory", "chroma-disk", pytest.param("chroma-server", marks=pytest.mark.slow)]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    fingerprint = uuid.uuid4().hex[:12]
    url = request.getfixturevalue("chroma_server") if request.param == "chroma-server" else None
    opened = open_chroma(tmp_path / "home", url, fingerprint, DESCRIBE, create=True)
    try:
        yield opened
    finally:
        if url:  # leave the shared server as we found it
            for name in (f"chunks-{fingerprint}", f"articles-{fingerprint}"):
                opened.client.delete_collection(name)
        opened.close()


# --- data -----------------------------------------------------------------------------------------


def unit(*values: float) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(values)] = values
    return (v / np.linalg.norm(v)).astype(np.float32)


def random_units(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


CORPUS = [
    # id, article, published, source
    ("c1", "a1", "2022-01-01", "Reuters"),
    ("c2", "a1", "2022-01-01", "Reuters"),
    ("c3", "a2", "2022-01-19", "CNN"),
    ("c4", "a3", "2022-02-01", "BBC"),
    ("c5", "a4", None, None),
    ("c6", "a5", "2021-12-31", "CNN"),
]


def chunks_and_vectors() -> tuple[list[StoredChunk], np.ndarray]:
    chunks = [
        StoredChunk(
            cid, art, 10 * n, 10 * n + 9, f"text of {cid} — ünïcode", f"Title {art}", pub, src
        )
        for n, (cid, art, pub, src) in enumerate(CORPUS)
    ]
    return chunks, random_units(len(chunks))


def record(article_id: str = "sub/story", **changes: object) -> ArticleRecord:
    fields: dict[str, object] = dict(
        id=article_id, title="Troops “gather” at border",
        text="  Leading spaces, CRLF\r\nand ünïcode: 東京 🙂\n\nTrailing newline\n",
        published="2022-01-19", source="Example Times", url="https://example.com/a?b=1&c=2",
        authors=("Ann Author", "Bob, Jr."), origin="/data/news/sub/story.txt",
    )  # fmt: skip
    fields.update(changes)
    return ArticleRecord(Article(**fields), "hash-" + article_id, "/data/news", 3)  # type: ignore[arg-type]


# --- chunks ----------------------------------------------------------------------------------------


def test_add_is_idempotent(store: Store) -> None:
    chunks, vectors = chunks_and_vectors()
    assert store.count() == 0
    store.add(chunks, vectors)
    store.add(chunks, vectors)
    store.add(chunks[:2], vectors[:2])
    assert store.count() == len(chunks)
    assert sorted(store.get(), key=lambda c: c.id) == chunks


def test_upsert_replaces_text_and_vector(store: Store) -> None:
    chunks, vectors = chunks_and_vectors()
    store.add(chunks, vectors)
    target = unit(1, 2, 3)
    changed = StoredChunk("c3", "a2", 20, 29, "new text", "New title", "2022-01-20", "AP")
    store.add([changed], target[None, :])
    assert store.count() == len(chunks)
    top = store.query(target, 1)[0]
    assert top.chunk == changed
    assert top.score == pytest.approx(1.0, abs=1e-4)


def test_query_returns_nearest_first_with_cosine_score(store: Store) -> None:
    chunks, vectors = chunks_and_vectors()
    store.add(chunks, vectors)
    q = random_units(1, seed=42)[0]
    hits = store.query(q, 4)
    expected = np.argsort(-(vectors @ q))[:4]
    assert [h.chunk.id for h in hits] == [chunks[i].id for i in expected]
    for hit in hits:
        i = [c.id for c in chunks].index(hit.chunk.id)
        assert hit.score == pytest.approx(float(vectors[i] @ q), abs=1e-4)
        assert hit.chunk == chunks[i]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_query_k_beyond_count_and_empty_store(store: Store) -> None:
    assert store.query(unit(1), 5) == []
    chunks, vectors = chunks_and_vectors()
    store.add(chunks, vectors)
    assert len(store.query(unit(1), 100)) == len(chunks)
    assert len(store.query(unit(1), 1)) == 1


FILTERS = [
    Filter(),
    Filter(published_from="2022-01-01"),
    Filter(published_from="2022-01-02"),
    Filter(published_to="2022-01-19"),
    Filter(published_to="2021-12-31"),
    Filter(published_from="2022-01-01", published_to="2022-01-19"),
    Filter(published_from="2022-01-19", published_to="2022-01-19"),
    Filter(published_from="2023-01-01"),
    Filter(sources=("CNN",)),
    Filter(sources=("CNN", "BBC")),
    Filter(sources=("Nobody",)),
    Filter(article_ids=("a1", "a4")),
    Filter(article_ids=("a2",), sources=("CNN",), published_to="2022-01-31"),
    Filter(article_ids=("a2",), sources=("BBC",)),
]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_filter_agrees_with_the_reference_meaning(store: Store, flt: Filter) -> None:
    chunks, vectors = chunks_and_vectors()
    store.add(chunks, vectors)
    got = {h.chunk.id for h in store.query(unit(1), 100, flt)}
    assert got == {c.id for c in chunks if matches(c, flt)}


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_filtered_nearest_are_the_nearest_that_pass(store: Store, flt: Filter) -> None:
    """Few results wanted: Chroma's store first filters a wider unfiltered search, and asks
    Chroma to filter only when that keeps too few (both paths must give the same answer)."""
    chunks, vectors = chunks_and_vectors()
    store.add(chunks, vectors)
    q = random_units(1, seed=7)[0]
    passing = [i for i, c in enumerate(chunks) if matches(c, flt)]
    expected = [chunks[i].id for i in sorted(passing, key=lambda i: -float(vectors[i] @ q))]
    for k in (1, 2):
        assert [h.chunk.id for h in store.query(q, k, flt)] == expected[:k]


def test_reference_filter_meaning() -> None:
    """What `matches` means, spelled out: bounds inclusive, undated passes date bounds."""
    chunks, _ = chunks_and_vectors()

    def ids(flt: Filter) -> set[str]:
        return {c.id for c in chunks if matches(c, flt)}

    assert ids(Filter(published_from="2022-01-01")) == {"c1", "c2", "c3", "c4", "c5"}
    assert ids(Filter(published_to="2022-01-01")) == {"c1", "c2", "c5", "c6"}
    assert ids(Filter(published_from="2022-01-19", published_to="2022-01-19")) == {"c3", "c5"}
    assert ids(Filter(sources=("CNN",))) == {"c3", "c6"}
    assert ids(Filter(article_ids=("a1",))) == {"c1", "c2"}
    assert ids(Filter()) == {c.id for c in chunks}


def test_get_by_article_and_delete(store: Store) -> None:
    chunks, vectors = chunks_and_vectors()
    store.add(chunks, vectors)
    assert sorted(c.id for c in store.get("a1")) == ["c1", "c2"]
    assert store.get("no-such-article") == []
    store.delete(["c1", "c4", "not-there"])
    assert store.count() == len(chunks) - 2
    assert [c.id for c in store.get("a1")] == ["c2"]
    assert store.get("a3") == []
    assert "c4" not in {h.chunk.id for h in store.query(vectors[3], 10)}
    store.delete([])
    assert store.count() == len(chunks) - 2


def test_get_returns_more_than_a_page(store: Store) -> None:
    n = 2100  # ChromaStore pages by 2000
    chunks = [StoredChunk(f"id{i:05d}", f"art{i % 7}", i, i + 1, f"t{i}") for i in range(n)]
    store.add(chunks, random_units(n))
    assert store.count() == n
    assert len({c.id for c in store.get()}) == n
    assert len(store.get("art3")) == len([i for i in range(n) if i % 7 == 3])
    store.delete([c.id for c in chunks])
    assert store.count() == 0


# --- articles --------------------------------------------------------------------------------------


def test_article_round_trip(store: Store) -> None:
    rec = record()
    bare = record("bare", published=None, source=None, url=None, authors=(), origin="")
    store.put_articles([rec])
    store.put_articles([bare])
    assert store.article("sub/story") == rec
    assert store.article("bare") == bare
    assert store.article("missing") is None
    assert store.articles() == {"sub/story": rec, "bare": bare}
    got = store.article("sub/story")
    assert got is not None
    assert got.article.text == rec.article.text
    assert got.article.authors == ("Ann Author", "Bob, Jr.")


def test_article_update_and_delete(store: Store) -> None:
    store.put_articles([record()])
    newer = ArticleRecord(record(title="Revised").article, "hash-2", "/elsewhere", 7)
    store.put_articles([newer])
    assert store.articles() == {"sub/story": newer}
    store.delete_article("sub/story")
    store.delete_article("sub/story")  # deleting twice is fine
    assert store.articles() == {}
    assert store.article("sub/story") is None


def test_many_articles_page(store: Store) -> None:
    store.put_articles([record(f"a{i}") for i in range(25)])
    assert sorted(store.articles()) == sorted(f"a{i}" for i in range(25))


# --- opening an index: mismatch, empty, locked, unreachable --------------------------------------


def test_other_fingerprint_is_a_clear_error_and_rebuild_drops_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old = open_chroma(
        home, None, "aaaaaaaaaaaa", {**DESCRIBE, "model_id": "old-model"}, create=True
    )
    chunks, vectors = chunks_and_vectors()
    old.add(chunks, vectors)
    old.close()
    with pytest.raises(IndexMismatchError) as err:
        open_chroma(home, None, "bbbbbbbbbbbb", DESCRIBE, create=True)
    message = str(err.value)
    assert "qa index --rebuild" in message
    assert "old-model" in message and "hash-embedder" in message
    assert "\n" not in message
    # the failed open released the lock, and the old index is intact
    again = open_chroma(home, None, "aaaaaaaaaaaa", DESCRIBE, create=False)
    assert again.count() == len(chunks)
    again.close()
    new = open_chroma(home, None, "bbbbbbbbbbbb", DESCRIBE, create=True, rebuild=True)
    assert new.count() == 0
    assert [c.name for c in new.client.list_collections()] != []
    assert all("aaaaaaaaaaaa" not in c.name for c in new.client.list_collections())
    new.close()


def test_rebuild_empties_the_same_fingerprint(tmp_path: Path) -> None:
    first = open_chroma(tmp_path, None, "cccccccccccc", DESCRIBE, create=True)
    chunks, vectors = chunks_and_vectors()
    first.add(chunks, vectors)
    first.put_articles([record()])
    first.close()
    again = open_chroma(tmp_path, None, "cccccccccccc", DESCRIBE, create=True)
    assert again.count() == len(chunks)  # reopening keeps what was there
    again.close()
    rebuilt = open_chroma(tmp_path, None, "cccccccccccc", DESCRIBE, create=True, rebuild=True)
    assert (rebuilt.count(), rebuilt.articles()) == (0, {})
    rebuilt.close()


def _hnsw(store: ChromaStore) -> dict[str, object]:
    return dict(store._chunks.configuration["hnsw"])


@pytest.mark.parametrize("where", ["disk", pytest.param("server", marks=pytest.mark.slow)])
def test_the_search_breadth_is_built_in_and_follows_the_setting(
    where: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("chroma_server") if where == "server" else None
    fingerprint = uuid.uuid4().hex[:12]
    made = open_chroma(tmp_path, url, fingerprint, DESCRIBE, create=True, search_breadth=123)
    assert (_hnsw(made)["ef_construction"], _hnsw(made)["ef_search"]) == (123, 123)
    made.add(*chunks_and_vectors())
    made.close()
    # an index made with another breadth keeps how it was built and searches at the new one
    again = open_chroma(tmp_path, url, fingerprint, DESCRIBE, create=False, search_breadth=456)
    try:
        assert (_hnsw(again)["ef_construction"], _hnsw(again)["ef_search"]) == (123, 456)
        assert len(again.query(unit(1.0), 3)) == 3
    finally:
        if url:  # leave the shared server as we found it
            for name in (f"chunks-{fingerprint}", f"articles-{fingerprint}"):
                again.client.delete_collection(name)
        again.close()


def test_the_default_breadth_finds_the_exact_nearest_chunks(tmp_path: Path) -> None:
    """Random points are hard for a narrow HNSW search: at Chroma's default breadth (100), 3 of
    these 20 searches miss some of their 40 nearest chunks. At the default breadth here, each
    finds exactly the nearest, as a full scan does."""
    n, k = 3000, 40
    vectors = np.random.default_rng(1).standard_normal((n, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [StoredChunk(f"c{i}", f"a{i}", 0, 1, "x", "T", None, None) for i in range(n)]
    store = open_chroma(tmp_path, None, "iiiiiiiiiiii", DESCRIBE, create=True)
    store.add(chunks, vectors)
    queries = np.random.default_rng(2).standard_normal((20, 32)).astype(np.float32)
    for q in queries / np.linalg.norm(queries, axis=1, keepdims=True):
        exact = {f"c{i}" for i in np.argsort(-(vectors @ q))[:k]}
        assert {h.chunk.id for h in store.query(q, k)} == exact
    store.close()


def test_opening_an_empty_home_without_create(tmp_path: Path) -> None:
    with pytest.raises(IndexEmptyError, match='run "qa index"'):
        open_chroma(tmp_path / "home", None, "dddddddddddd", DESCRIBE, create=False)
    # and the lock was released
    open_chroma(tmp_path / "home", None, "dddddddddddd", DESCRIBE, create=True).close()


def test_opening_a_missing_home_without_create_creates_nothing(tmp_path: Path) -> None:
    """`qa ask` before any `qa index`: the one-line "run qa index" error, and no folder made."""
    home = tmp_path / "home"
    with pytest.raises(IndexEmptyError, match='run "qa index"'):
        open_chroma(home, None, "dddddddddddd", DESCRIBE, create=False)
    assert not home.exists()
    home.mkdir()  # an empty QA_HOME stays empty too: no lock file, no chroma/ folder
    with pytest.raises(IndexEmptyError, match='run "qa index"'):
        open_chroma(home, None, "dddddddddddd", DESCRIBE, create=False)
    assert list(home.iterdir()) == []


def test_second_open_in_process_is_locked(tmp_path: Path) -> None:
    first = open_chroma(tmp_path, None, "eeeeeeeeeeee", DESCRIBE, create=True)
    try:
        started = time.monotonic()
        with pytest.raises(IndexLockedError, match="in use") as err:
            open_chroma(tmp_path, None, "eeeeeeeeeeee", DESCRIBE, create=True, lock_timeout=0.5)
        assert time.monotonic() - started < 5
        assert f"pid {os.getpid()}" in str(err.value)
        assert "QA_CHROMA_URL" in str(err.value)
    finally:
        first.close()
    open_chroma(tmp_path, None, "eeeeeeeeeeee", DESCRIBE, create=True).close()


HOLDER = """
import sys
from pathlib import Path
from index.chroma_store import open_chroma
store = open_chroma(Path(sys.argv[1]), None, "ffffffffffff", {}, create=True)
print("ready", flush=True)
sys.stdin.read()
"""


def test_another_process_holding_the_index_locks_it_out(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], cwd=REPO,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(IndexLockedError, match="in use") as err:
            open_chroma(tmp_path, None, "ffffffffffff", {}, create=True, lock_timeout=0.5)
        assert f"pid {holder.pid}" in str(err.value)
        # a holder killed outright (as a killed `qa index` is) leaves no stale lock behind
        os.kill(holder.pid, 9)
        holder.wait(timeout=10)
        store = open_chroma(tmp_path, None, "ffffffffffff", {}, create=True)
        store.close()
    finally:
        if holder.poll() is None:
            os.kill(holder.pid, 9)
            holder.wait(timeout=10)


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match="cannot reach the Chroma server") as err:
        open_chroma(tmp_path, url, "gggggggggggg", DESCRIBE, create=True)
    assert url in str(err.value)
    assert time.monotonic() - started < 30


def test_malformed_server_url_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="QA_CHROMA_URL"):
        open_chroma(tmp_path, "http://", "gggggggggggg", DESCRIBE, create=True)


@pytest.mark.slow
def test_server_mismatch_and_empty(chroma_server: str, tmp_path: Path) -> None:
    fp_old, fp_new = uuid.uuid4().hex[:12], uuid.uuid4().hex[:12]
    with pytest.raises(IndexEmptyError):
        open_chroma(tmp_path, chroma_server, fp_old, DESCRIBE, create=False)
    old = open_chroma(tmp_path, chroma_server, fp_old, {**DESCRIBE, "model_id": "old"}, create=True)
    try:
        assert isinstance(old, ChromaStore)
        with pytest.raises(IndexMismatchError, match="qa index --rebuild"):
            open_chroma(tmp_path, chroma_server, fp_new, DESCRIBE, create=True)
        new = open_chroma(tmp_path, chroma_server, fp_new, DESCRIBE, create=True, rebuild=True)
        names = {c.name for c in new.client.list_collections()}
        assert f"chunks-{fp_new}" in names and f"chunks-{fp_old}" not in names
        for name in names:
            new.client.delete_collection(name)
    finally:
        old.close()
