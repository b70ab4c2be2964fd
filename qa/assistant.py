"""The ``Assistant``: the one object the CLI, the web chat and the evaluation talk to.

    >>> from qa import Assistant
    >>> with Assistant.open() as assistant:                       # doctest: +SKIP
    ...     answer = assistant.ask("How many troops has Russia amassed?")
    ...     print(answer.text, [c.quote for c in answer.citations])

Pipeline: condense the follow-up -> retrieve (dense + BM25, fused) -> score evidence sentences ->
compose (extractive by default) -> verify citations -> ``Answer``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from index.embedding import Embedder, Vectors
from index.errors import IndexEmptyError, InputError
from index.store import Filter, Store
from qa.answer import Answer, Passage
from qa.backend import make_cross_encoder, make_embedder, make_llm, open_store
from qa.citations import verify
from qa.compose import ArticleInfo, Draft, ExtractiveGenerator, Generator
from qa.crossencoder import CrossEncoder
from qa.evidence import Relevance, Sentence, SentenceVectors, rerank, score_sentences
from qa.generation import LLMGenerator, Worded
from qa.llm import LLM, LLMUnavailable
from qa.question import answer_type, condense
from qa.retrieval import STOPWORDS, HybridRetriever, Query
from qa.settings import Settings

log = logging.getLogger(__name__)
_RELATIVE = re.compile(
    r"\b(this|last|past) (week|month|weekend)\b|\brecent(ly)?\b|\blatest\b|\bnow\b|\bcurrently\b"
    r"|\btoday\b|\byesterday\b|\bso far\b",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+")
NOT_ENGLISH = (
    "I can only answer questions asked in English (the indexed articles and the model are"
    " English). Please rephrase the question in English."
)


def looks_english(question: str) -> bool:
    """False for questions in another script, or Latin-script ones with no English function
    words; short questions get the benefit of the doubt."""
    words = _WORD.findall(question)
    letters = "".join(words)
    if not letters:
        return True
    if sum(c.isascii() for c in letters) / len(letters) < 0.6:
        return False
    return len(words) < 4 or any(w.lower() in STOPWORDS for w in words)


@dataclass(frozen=True)
class IndexSummary:
    articles: int
    chunks: int
    newest: str | None


class Assistant:
    """Answers questions from the indexed articles, every claim cited."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings,
                 generator: Generator | None = None, llm: LLM | None = None,
                 cross_encoder: CrossEncoder | None = None) -> None:  # fmt: skip
        """``cross_encoder`` orders the evidence (default: the bundled one, loaded here unless
        ``settings.rerank_candidates`` is 0)."""
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.fingerprint = settings.index_config(embedder.model_id).fingerprint
        records = store.articles()
        if not records or store.count() == 0:
            store.close()
            raise IndexEmptyError('the index is empty: run "qa index" (default: seeds/) first')
        self.articles = {i: r.article.text for i, r in records.items()}
        self.info = {
            i: ArticleInfo(r.article.title, r.article.published, r.article.source)
            for i, r in records.items()
        }
        # "this week" is read against the newest article (fixed while the assistant is open)
        self.newest = max((i.published for i in self.info.values() if i.published), default=None)
        cache = None if settings.chroma_url else Path(settings.home) / "cache"
        self.retriever = HybridRetriever(
            store, embedder, candidates=settings.candidates, per_article=settings.per_article,
            rrf_k=settings.rrf_k, cache=cache,
        )  # fmt: skip
        self.generator = generator or ExtractiveGenerator(settings.max_sentences, self._alike)
        self.relevance = Relevance(settings.rerank_candidates, settings.relevance_typed_weight)
        self.cross_encoder = cross_encoder
        if cross_encoder is None and settings.rerank_candidates:
            try:
                self.cross_encoder = make_cross_encoder()
            except Exception:
                store.close()
                raise
        self.vectors = SentenceVectors(embedder)
        # With a language model, it words the answers; the extractive draft still decides refusals.
        self.llm = None
        if llm is not None:
            self.llm = LLMGenerator(llm, embedder.embed_documents,
                                    max_tokens=settings.llm_max_tokens,
                                    timeout=settings.llm_timeout)  # fmt: skip
        self._lock = threading.Lock()  # one ask at a time: caches and torch are shared

    @classmethod
    def open(cls, settings: Settings | None = None, *, home: str | Path | None = None,
             chroma_url: str | None = None, llm: LLM | None = None) -> Assistant:  # fmt: skip
        """Open the index under ``settings.home`` (default ``.qa/``) or on a Chroma server.
        The answers are worded as ``settings.generator`` says, or by ``llm`` when given (any
        object with ``name`` and ``stream(messages, max_tokens)``, see ``qa.llm.LLM``)."""
        settings = settings or Settings()
        if home is not None:
            settings = settings.model_copy(update={"home": Path(home)})
        if chroma_url is not None:
            settings = settings.model_copy(update={"chroma_url": chroma_url})
        embedder = make_embedder(settings)
        llm = llm or make_llm(settings)
        return cls(open_store(settings, embedder), embedder, settings, llm=llm)

    def summary(self) -> IndexSummary:
        return IndexSummary(len(self.articles), self.store.count(), self.newest)

    def article(self, article_id: str) -> str | None:
        """The whole text of an indexed article, exactly as loaded (citations index into it)."""
        return self.articles.get(article_id)

    def warm_up(self) -> None:
        """Load the model and fill the caches now, so that the first real question is fast
        (the web chat calls this while the page loads)."""
        title = next((i.title for i in self.info.values() if i.title), "news")
        self.ask(title)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def ask(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        *,
        as_of: date | str | None = None,
        published_from: date | str | None = None,
        published_to: date | str | None = None,
        sources: list[str] | tuple[str, ...] | None = None,
    ) -> Answer:
        """Answer ``question`` from the articles (optionally as of a date, within a date range or
        from some outlets); ``history`` is the conversation so far, as chat messages (an
        assistant message may carry ``citations`` or ``metadata.article_ids``: those articles are
        kept in view). Safe to call from several threads; calls are serialised."""
        answer = None
        for item in self.stream(question, history, as_of=as_of, published_from=published_from,
                                published_to=published_to, sources=sources):  # fmt: skip
            answer = item
        assert isinstance(answer, Answer)
        return answer

    def stream(
        self,
        question: str,
        history: list[dict[str, Any]] | None = None,
        *,
        as_of: date | str | None = None,
        published_from: date | str | None = None,
        published_to: date | str | None = None,
        sources: list[str] | tuple[str, ...] | None = None,
    ) -> Iterator[str | Answer]:
        """Like ``ask``, but yields the language model's text as it is generated (nothing, for
        the extractive generator) and ends with the verified ``Answer``, whose text is what to
        show: unsupported sentences are gone and markers are renumbered."""
        with self._lock:
            t0 = time.perf_counter()
            prepared = self._prepare(question, history, as_of, published_from, published_to,
                                     sources)  # fmt: skip
            if isinstance(prepared, Answer):
                yield prepared
                return
            t1 = time.perf_counter()
            draft, generator, first = prepared.draft, "extractive", None
            reply: list[str] = []
            if self.llm is not None and not prepared.draft.refused:
                try:
                    for item in self.llm.stream(
                        prepared.question, history, prepared.evidence, self._vectors_of,
                        self.info, prepared.draft,
                    ):  # fmt: skip
                        if isinstance(item, Worded):
                            draft = item.draft
                            generator = self.llm.name if item.by_model else "extractive"
                        else:
                            first = first or time.perf_counter()
                            reply.append(item)
                            yield item
                except LLMUnavailable as exc:
                    note = f"{str(exc).rstrip('.')} (this is the extractive answer instead)"
                    log.warning("%s", note)
                    draft = replace(prepared.draft, notes=[*prepared.draft.notes, note])
            t2 = time.perf_counter()
            timings = {"retrieve": prepared.retrieve_ms, "compose": round((t2 - t1) * 1000, 1),
                       "total": round((t2 - t0) * 1000, 1)}  # fmt: skip
            if first is not None:
                timings["first_token"] = round((first - t0) * 1000, 1)
            answer = self._finish(prepared, draft, generator, timings)
            answer.model_reply = "".join(reply) if reply else None
            yield answer

    def _alike(self, noun: str, other: str) -> bool:
        """Whether two counted nouns count the same kind of thing, by the embedding model."""
        if noun == other or not noun or not other:
            return noun == other
        similarity = float(self.embedder.embed_query(noun) @ self.embedder.embed_query(other))
        return similarity >= self.settings.same_noun_similarity

    def _vectors_of(self, sentences: list[Sentence]) -> Vectors:
        return self.vectors.get([(s.article_id, s.start, s.end) for s in sentences],
                                [s.text for s in sentences])  # fmt: skip

    def _prepare(self, question: str, history: list[dict[str, Any]] | None,
                 as_of: date | str | None, published_from: date | str | None,
                 published_to: date | str | None,
                 sources: list[str] | tuple[str, ...] | None) -> Prepared | Answer:  # fmt: skip
        """Retrieval, evidence and the extractive draft (which also decides refusals)."""
        t0 = time.perf_counter()
        question = validate_question(question, self.settings.max_question_chars)
        if not looks_english(question):
            return Answer(question, NOT_ENGLISH, True, fingerprint=self.fingerprint)
        when = _as_date(as_of, "as_of")
        if when is None and _RELATIVE.search(question):
            when = date.fromisoformat(self.newest) if self.newest else None
        flt = Filter(_iso(published_from, "published_from"), _iso(published_to, "published_to"),
                     tuple(sources or ()))  # fmt: skip
        turn = condense(question, history)
        passages, pool = self.retriever.retrieve_with_pool(
            Query(turn.query, self.settings.top_k, flt, when, turn.articles),
            self.settings.evidence_passages, self.settings.evidence_per_article,
        )  # fmt: skip
        # Chunks whose article record is missing (an ingestion killed mid-article, not yet re-run)
        # are not citable: their article text is unknown.
        passages = [p for p in passages if p.article_id in self.articles]
        pool = [p for p in pool if p.article_id in self.articles]
        t1 = time.perf_counter()
        kind = answer_type(question)
        evidence = score_sentences(
            question, turn.query, turn.context_terms, kind, pool, self.articles,
            self.retriever.keyword.idf, self.vectors, self.embedder.embed_query(turn.query),
        )  # fmt: skip
        if self.cross_encoder is not None:  # a follow-up is judged with what it refers to
            evidence = rerank(turn.query, evidence, self.cross_encoder, self.relevance)
        draft = self.generator.compose(
            question, kind, evidence, self.info, self.settings.refusal_threshold
        )  # fmt: skip
        return Prepared(question, passages, evidence, draft, round((t1 - t0) * 1000, 1))

    def _finish(self, prepared: Prepared, draft: Draft, generator: str,
                timings: dict[str, float]) -> Answer:  # fmt: skip
        text, citations = verify(draft.text, draft.citations, self.articles)
        refused = draft.refused or not citations
        return Answer(
            question=prepared.question,
            text=text if not refused or draft.refused else draft.text,
            refused=refused,
            citations=citations if not refused else [],
            passages=prepared.passages,
            fingerprint=self.fingerprint,
            timings_ms=timings,
            notes=draft.notes,
            generator=generator,
        )


@dataclass(frozen=True)
class Prepared:
    """A question made ready for wording: its passages, scored evidence and extractive draft."""

    question: str
    passages: list[Passage]
    evidence: list[Sentence]
    draft: Draft
    retrieve_ms: float


def validate_question(question: str, max_chars: int) -> str:
    """The question, stripped; an InputError for an empty or over-long one."""
    if not isinstance(question, str) or not question.strip():
        raise InputError("the question is empty: ask something about the articles")
    question = question.strip()
    if len(question) > max_chars:
        raise InputError(
            f"the question is {len(question)} characters long; the limit is {max_chars}: shorten it"
        )
    return question


def _as_date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InputError(f"{name} must be a date like 2022-01-19 (got {value!r})") from exc


def _iso(value: date | str | None, name: str) -> str | None:
    parsed = _as_date(value, name)
    return parsed.isoformat() if parsed else None
