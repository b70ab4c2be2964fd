"""The keyword index's on-disk cache: read back when the chunks are the same, and only the current
chunk set's kept (an index that grows all day would otherwise leave one copy per change)."""

from __future__ import annotations

from pathlib import Path

from index.store import StoredChunk
from qa.retrieval import KeywordIndex


def test_the_keyword_cache_keeps_only_the_current_chunk_set(tmp_path: Path) -> None:
    def chunk(n: int) -> StoredChunk:
        return StoredChunk(f"c{n}", "a", 0, 10, f"harbour bridge number {n}")

    KeywordIndex([chunk(1), chunk(2)], tmp_path, None)
    first = {p.name for p in tmp_path.glob("bm25-*")}
    index = KeywordIndex([chunk(1), chunk(2), chunk(3)], tmp_path, None)
    now = {p.name for p in tmp_path.glob("bm25-*")}
    assert len(first) == 1 and len(now) == 1 and first != now
    assert index.search("bridge")[0].size == 3
    again = KeywordIndex([chunk(1), chunk(2), chunk(3)], tmp_path, None)  # read from the cache
    assert {p.name for p in tmp_path.glob("bm25-*")} == now and again.search("harbour")[0].size == 3


def test_a_retitled_article_is_not_searched_under_its_old_title(tmp_path: Path) -> None:
    old = StoredChunk("c1", "a", 0, 10, "crews worked all night", title="CNN —")
    KeywordIndex([old], tmp_path, None)
    new = StoredChunk("c1", "a", 0, 10, "crews worked all night", title="Harbour bridge reopens")
    index = KeywordIndex([new], tmp_path, None)  # same chunk id, new title
    assert index.search("harbour")[0].size == 1


def test_the_cache_keeps_the_terms_rarity_so_an_opening_reads_no_chunk(tmp_path: Path) -> None:
    chunks = [StoredChunk(f"c{n}", "a", 0, 10, f"harbour bridge {w}") for n, w in enumerate("xyz")]
    built = KeywordIndex(list(chunks), tmp_path, None)
    again = KeywordIndex(list(chunks), tmp_path, None)
    assert again.idf == built.idf and again.idf["harbour"] < again.idf["x"]
    assert again._terms is None  # nothing read yet: BM25 and the rarity came from the cache
    assert again.terms == built.terms  # read when a changed index asks for them
    (next(tmp_path.glob("bm25-*")) / "idf.json").write_text("{not json", encoding="utf-8")
    rebuilt = KeywordIndex(list(chunks), tmp_path, None)  # a damaged cache is rebuilt
    assert rebuilt.idf == built.idf and rebuilt.search("bridge")[0].size == 3
