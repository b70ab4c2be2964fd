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
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from index.embedding import Embedder, Vectors
from index.errors import IndexEmptyError, InputError
from index.indexer import IndexReport
from index.store import ArticleRecord, Store
from qa.answer import Answer, ArticleText, Passage
from qa.backend import make_cross_encoder, make_embedder, make_indexer, make_llm, open_store
from qa.citations import verified_answer
from qa.compose import ExtractiveGenerator, Generator
from qa.concurrency import ReadWriteGate
from qa.constraints import unmet
from qa.crossencoder import CrossEncoder
from qa.drafts import REFUSAL, ArticleInfo, Draft
from qa.evidence import PersonReader, Sentence, SentenceVectors
from qa.generation import LLMGenerator, Worded
from qa.grounding import similarities, split_answer, support_score
from qa.inflection import load_inflect
from qa.intake import (
    NOT_ENGLISH,
    article_filter,
    as_date,
    day_asked,
    looks_english,
    validate_question,
)
from qa.llm import LLM, LLMUnavailable
from qa.question import answer_type, asks_about_this_week, condense
from qa.retrieval import HybridRetriever, Query
from qa.select import EvidenceSelector
from qa.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexSummary:
    """What an open index holds (``newest``: the latest publication date) and how it was built."""

    articles: int
    chunks: int
    newest: str | None
    fingerprint: str = ""
    embedding_model: str = ""
    scheme: str = ""
    generator: str = "extractive"


class Assistant:
    """Answers questions from the indexed articles, every claim cited."""

    def __init__(self, store: Store, embedder: Embedder, settings: Settings,
                 generator: Generator | None = None, llm: LLM | None = None,
                 cross_encoder: CrossEncoder | None = None) -> None:  # fmt: skip
        """``cross_encoder`` orders the evidence (default: the bundled one, loaded here unless
        ``settings.rerank_candidates`` is 0)."""
        self.settings = settings
        config = settings.index_config(embedder.model_id)
        self.fingerprint = config.fingerprint
        self._scheme = config.scheme
        self._store = store
        self._embedder = embedder
        self._generation = store.generation()
        records = store.articles()
        if not records or store.count() == 0:
            store.close()
            raise IndexEmptyError('the index is empty: run "qa index" (default: seeds/) first')
        self._load(records)
        self._vectors = SentenceVectors(embedder)
        is_person = PersonReader(self._vectors) if settings.person_check else None
        self._generator = generator or ExtractiveGenerator.from_settings(
            settings, self._alike, is_person
        )
        self._cross_encoder = cross_encoder
        if cross_encoder is None and settings.rerank_candidates:
            try:
                self._cross_encoder = make_cross_encoder()
            except Exception:
                store.close()
                raise
        self._evidence = EvidenceSelector.from_settings(
            settings, self._vectors, self._cross_encoder, self._alike
        )
        # With a language model, it words the answers; the extractive draft still decides refusals.
        self._llm = None
        if llm is not None:
            self._llm = LLMGenerator(llm, embedder.embed_documents,
                                     max_tokens=settings.llm_max_tokens,
                                     timeout=settings.llm_timeout,
                                     min_support=settings.min_support)  # fmt: skip
        self._gate = ReadWriteGate()  # answers side by side; a change of the index alone
        load_inflect()

    def _load(self, records: dict[str, ArticleRecord]) -> None:
        """Take in the stored articles: their texts, metadata and the keyword index."""
        self._hashes = {i: r.content_hash for i, r in records.items()}
        self._texts = {i: r.article.text for i, r in records.items()}
        self._info = {
            i: ArticleInfo(r.article.title, r.article.published, r.article.source)
            for i, r in records.items()
        }
        # "this week" is read against the newest article
        self._newest = max((i.published for i in self._info.values() if i.published), default=None)
        cache = None if self.settings.chroma_url else Path(self.settings.home) / "cache"
        self._retriever = HybridRetriever(
            self._store, self._embedder, candidates=self.settings.candidates,
            per_article=self.settings.per_article, rrf_k=self.settings.rrf_k, cache=cache,
            previous=getattr(self, "_retriever", None),
            recency_weight=self.settings.retrieval_recency_weight,
        )  # fmt: skip

    @classmethod
    def open(cls, settings: Settings | None = None, *, home: str | Path | None = None,
             chroma_url: str | None = None, llm: LLM | None = None) -> Assistant:  # fmt: skip
        """Open the index under ``settings.home`` (default ``.qa/``) or on a Chroma server.
        The answers are worded as ``settings.generator`` says, or by ``llm`` when given (any
        object with ``name`` and ``stream(messages, max_tokens)``, see ``qa.llm.LLM``)."""
        settings = settings or Settings.load()
        if home is not None:
            settings = settings.model_copy(update={"home": Path(home)})
        if chroma_url is not None:
            settings = settings.model_copy(update={"chroma_url": chroma_url})
        embedder = make_embedder(settings)
        llm = llm or make_llm(settings)
        return cls(open_store(settings, embedder), embedder, settings, llm=llm)

    def summary(self) -> IndexSummary:
        """What is indexed, and under which settings (``fingerprint``: the index's model and
        chunking; every ``Answer`` carries it too). Up to date with other writers."""
        self._follow()
        with self._gate.reading():
            return IndexSummary(
                articles=len(self._texts), chunks=self._store.count(), newest=self._newest,
                fingerprint=self.fingerprint, embedding_model=self._embedder.model_id,
                scheme=self._scheme, generator=self._llm.name if self._llm else "extractive",
            )  # fmt: skip

    def article(self, article_id: str) -> ArticleText | None:
        """An indexed article whole, its text exactly as loaded (citations index into it)."""
        with self._gate.reading():
            return self._article(article_id)

    def articles(self) -> list[ArticleText]:
        """Every indexed article, by id."""
        with self._gate.reading():
            return [a for i in sorted(self._texts) if (a := self._article(i))]

    def _article(self, article_id: str) -> ArticleText | None:
        if article_id not in self._texts:
            return None
        info = self._info[article_id]
        return ArticleText(article_id, info.title, info.published, info.source,
                           self._texts[article_id])  # fmt: skip

    def passages(self, article_id: str | None = None) -> list[Passage]:
        """Every indexed passage (chunk) as stored, of one article or all, in article order;
        unranked (``rank`` 0, no scores)."""
        with self._gate.reading():
            chunks = self._store.get(article_id=article_id) if article_id else self._store.get()
            texts = self._texts
        chunks.sort(key=lambda c: (c.article_id, c.start))
        return [Passage(0, c.article_id, c.title, c.published, c.source, c.start, c.end, c.text,
                        0.0) for c in chunks if c.article_id in texts]  # fmt: skip

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        *,
        as_of: date | str | None = None,
        published_from: date | str | None = None,
        published_to: date | str | None = None,
        sources: list[str] | tuple[str, ...] | None = None,
        article_ids: list[str] | tuple[str, ...] | None = None,
    ) -> list[Passage]:
        """The ``k`` passages (default ``settings.top_k``) that ``ask`` would rank for ``query``,
        best first, each with its fused ``score``, its ``dense`` cosine when the dense search
        found it and its ``relevance``: the cross-encoder's 0-1 judgement of how well the
        passage answers the query (None when the cross-encoder is off), the score to cut on."""
        query = validate_question(query, self.settings.max_question_chars)
        k = self.settings.top_k if k is None else k
        if not 1 <= k <= 200:
            raise InputError(f"k must be between 1 and 200 (got {k})")
        flt = article_filter(published_from, published_to, sources, article_ids)
        asked = Query(query, k, flt, as_date(as_of, "as_of"))
        self._follow()
        with self._gate.reading():
            found = [p for p in self._retriever.retrieve(asked) if self._current(p)]
        if self._cross_encoder is None or not found:
            return found
        logits = self._cross_encoder.score(query, [p.text for p in found])
        return [replace(p, relevance=round(float(1 / (1 + np.exp(-x))), 4))
                for p, x in zip(found, logits, strict=True)]  # fmt: skip

    def index(self, paths: list[Path], progress: bool | None = False) -> IndexReport:
        """Add, update or remove the articles of these files or folders (as ``qa index`` does)
        through this assistant's own index, and answer from them at once. Waits for the answer
        in progress; answers wait for it."""
        with self._gate.writing():
            report = make_indexer(self.settings, self._store, self._embedder).index(paths, progress)
            self._refresh()
        return report

    def support(self, text: str, quotes: list[str], question: str = "") -> list[tuple[str, float]]:
        """Each sentence of ``text`` with how well the best of ``quotes`` supports it, as a
        language model's answer is checked: -1 when a figure or name of it is in none of them,
        else half the share of its words found plus half the embedding similarity (read as an
        answer to ``question``); ``settings.min_support`` is the bar."""
        sentences = [sentence for sentence, _ in split_answer(text)]
        if not sentences or not quotes:
            return [(sentence, -1.0) for sentence in sentences]
        embed = self._embedder.embed_documents
        sims = similarities(sentences, question, embed(quotes), embed)
        return [
            (sentence, max(support_score(sentence, q, float(x), question)
                           for q, x in zip(quotes, row, strict=True)))
            for sentence, row in zip(sentences, sims, strict=True)
        ]  # fmt: skip

    def warm_up(self) -> None:
        """Load the model and fill the caches now, so that the first real question is fast
        (the web chat calls this while the page loads)."""
        with self._gate.reading():
            title = next((i.title for i in self._info.values() if i.title), "news")
        self.ask(title)

    def close(self) -> None:
        """Close the index, after the answer in progress (a store closed under a running
        answer crashed the process)."""
        with self._gate.writing():
            self._store.close()

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
        article_ids: list[str] | tuple[str, ...] | None = None,
    ) -> Answer:
        """Answer ``question`` from the articles (optionally as of a date, within a date range,
        from some outlets or from some articles); ``history`` is the conversation so far, as chat
        messages (an assistant message may carry ``citations`` or ``metadata.article_ids``: those
        articles are kept in view). Safe to call from several threads: answers run side by side
        (a language model words one at a time)."""
        answer = None
        for item in self.stream(question, history, as_of=as_of, published_from=published_from,
                                published_to=published_to, sources=sources,
                                article_ids=article_ids):  # fmt: skip
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
        article_ids: list[str] | tuple[str, ...] | None = None,
    ) -> Iterator[str | Answer]:
        """Like ``ask``, but yields the language model's text as it is generated (nothing, for
        the extractive generator) and ends with the verified ``Answer``, whose text is what to
        show: unsupported sentences are gone and markers are renumbered."""
        t0 = time.perf_counter()
        self._follow()
        with self._gate.reading():  # what the LLM stage needs is kept: a change may come meanwhile
            prepared = self._prepare(question, history, as_of, published_from, published_to,
                                     sources, article_ids)  # fmt: skip
            texts, info = self._texts, self._info
        if isinstance(prepared, Answer):
            yield prepared
            return
        t1 = time.perf_counter()
        draft, generator, first = prepared.draft, "extractive", None
        reply: list[str] = []
        if self._llm is not None and not prepared.draft.refused:
            try:
                for item in self._llm.stream(
                    prepared.question, history, prepared.evidence, self._vectors_of, info,
                    prepared.draft,
                ):  # fmt: skip
                    if isinstance(item, Worded):
                        draft = item.draft
                        generator = self._llm.name if item.by_model else "extractive"
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
        answer = verified_answer(prepared.question, draft, prepared.passages, texts,
                                 self.fingerprint, generator, timings)  # fmt: skip
        answer.model_reply = "".join(reply) if reply else None
        yield answer

    def _alike(self, noun: str, other: str) -> bool:
        """Whether two words name the same kind of thing ("troops", "soldiers") or act
        ("arrested", "detained"), by the embedding model."""
        if noun == other or not noun or not other:
            return noun == other
        similarity = float(self._embedder.embed_query(noun) @ self._embedder.embed_query(other))
        return similarity >= self.settings.same_noun_similarity

    def _current(self, passage: Passage) -> bool:
        """Whether a stored chunk is of the article text this assistant holds. Not when its
        record is missing (an ingestion killed mid-article) or is of another version (another
        process updated the article, or was killed between its chunks and its record): such a
        chunk cannot be quoted, its offsets point into another text."""
        text = self._texts.get(passage.article_id)
        return text is not None and text[passage.start : passage.end] == passage.text

    def _follow(self) -> None:
        """Take in what other processes added, updated or removed since the last look (the
        store's generation changes with every write): a removed article is never cited."""
        if self._store.generation() != self._generation:
            with self._gate.writing():
                if self._store.generation() != self._generation:  # not done by another thread
                    self._refresh()

    def _refresh(self) -> bool:
        """Take in what another process added, updated or removed; whether anything changed
        (inside ``self._gate.writing()``)."""
        self._generation = self._store.generation()
        records = self._store.articles()
        if {i: r.content_hash for i, r in records.items()} == self._hashes:
            return False
        self._load(records)
        return True

    def _vectors_of(self, sentences: list[Sentence]) -> Vectors:
        return self._vectors.get([s.text for s in sentences])

    def _prepare(self, question: str, history: list[dict[str, Any]] | None,
                 as_of: date | str | None, published_from: date | str | None,
                 published_to: date | str | None, sources: list[str] | tuple[str, ...] | None,
                 article_ids: list[str] | tuple[str, ...] | None) -> Prepared | Answer:  # fmt: skip
        """Retrieval, evidence and the extractive draft (which also decides refusals)."""
        t0 = time.perf_counter()
        question = validate_question(question, self.settings.max_question_chars)
        if not looks_english(question):
            return Answer(question, NOT_ENGLISH, True, fingerprint=self.fingerprint)
        when = day_asked(question, as_of, self._newest)
        flt = article_filter(published_from, published_to, sources, article_ids)
        turn = condense(question, history)
        query = Query(turn.query, self.settings.top_k, flt, when, turn.articles)
        since = self._week_asked(question, when)
        passages, pool = self._retriever.retrieve_with_pool(
            query, self.settings.evidence_passages, self.settings.evidence_per_article, since
        )
        passages = [p for p in passages if self._current(p)]
        pool = [p for p in pool if self._current(p)]
        t1 = time.perf_counter()
        kind = answer_type(question)
        evidence = self._evidence.select(
            question, turn, kind, pool, self._texts, self._retriever.keyword.idf,
            self._embedder.embed_query(turn.query), when, since,
        )  # fmt: skip
        draft = self._generator.compose(
            question, kind, evidence, self._info, self.settings.refusal_threshold
        )  # fmt: skip
        if not draft.refused and (reason := unmet(
            question,
            [(self._texts[c.article_id], self._info[c.article_id].published)
             for c in draft.citations],
            [self._texts[a] for a in dict.fromkeys(p.article_id for p in passages)],
            listed=draft.disagreement is not None,
        )):  # fmt: skip
            draft = Draft(REFUSAL, True, notes=[reason])
        if draft.refused and since is not None and not draft.notes:
            read = f"only articles published since {since} were read"
            draft = replace(draft, notes=[f"the question asks about this week: {read}"])
        return Prepared(question, passages, evidence, draft, round((t1 - t0) * 1000, 1))

    def _week_asked(self, question: str, when: date | None) -> str | None:
        """The first day (ISO) of the week a question about "this week" asks about, the
        ``this_week_days`` before the day asked about; None for other questions."""
        if when is None or not self.settings.this_week_days or not asks_about_this_week(question):
            return None
        return (when - timedelta(days=self.settings.this_week_days)).isoformat()


@dataclass(frozen=True)
class Prepared:
    """A question made ready for wording: its passages, scored evidence and extractive draft."""

    question: str
    passages: list[Passage]
    evidence: list[Sentence]
    draft: Draft
    retrieve_ms: float
