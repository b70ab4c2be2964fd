"""Select the evidence: the sentences of the retrieved passages that may answer the question,
best first.

Every sentence of the pool is scored cheaply (``qa.evidence``: similarity, keyword overlap,
answer-type fit), narrowed to what the question pins (this week's articles for "this week",
the articles naming the speaker of "did Olsen say", those naming the figure of "the $36 million
settlement"), then the best are ordered by the cross-encoder (``qa.relevance``), and the best
sentence is given the one before it when the two together answer better. The composer
(``qa.compose``) reads this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from index.embedding import Vectors
from qa.answer import Passage
from qa.constraints import names_figures, pinned, said_in, speaker, years
from qa.crossencoder import CrossEncoder
from qa.evidence import (
    Cheap,
    Sentence,
    SentenceVectors,
    from_articles,
    of_the_week,
    score_sentences,
)
from qa.expectation import Alike
from qa.question import AnswerType, Condensed, asking_clause, scene
from qa.relevance import Relevance, rerank, with_antecedent
from qa.settings import Settings


@dataclass(frozen=True)
class EvidenceSelector:
    """The evidence stage: its cheap score, its cross-encoder (None: the cheap order alone) and
    how the cross-encoder's order is weighed."""

    vectors: SentenceVectors
    cheap: Cheap
    relevance: Relevance
    cross_encoder: CrossEncoder | None
    alike: Alike | None = None  # whether two words name the same kind of thing or act

    @classmethod
    def from_settings(cls, settings: Settings, vectors: SentenceVectors,
                      cross_encoder: CrossEncoder | None,
                      alike: Alike | None = None) -> EvidenceSelector:  # fmt: skip
        cheap = Cheap(
            settings.evidence_similarity_weight, settings.evidence_overlap_weight,
            settings.evidence_type_weight, settings.evidence_rank_weight,
            settings.evidence_near_credit, settings.evidence_embedded_sentences,
        )  # fmt: skip
        relevance = Relevance(
            settings.rerank_candidates,
            settings.relevance_typed_weight,
            settings.relevance_recency_weight,
            min_share=settings.rerank_min_share,
            antecedent_gain=settings.antecedent_gain,
            echo_tolerance=settings.antecedent_echo_tolerance,
            title_weight=settings.relevance_title_weight,
            title_reading_weight=settings.relevance_title_reading_weight,
        )
        return cls(vectors, cheap, relevance, cross_encoder, alike)

    def select(self, question: str, turn: Condensed, kind: AnswerType, pool: list[Passage],
               texts: dict[str, str], idf: dict[str, float], query_vector: Vectors,
               when: date | None, since: str | None) -> list[Sentence]:  # fmt: skip
        """The sentences of ``pool`` (passages of the articles ``texts``) best first, for
        ``question`` read as ``turn`` (a follow-up is judged with what it refers to), asked as
        of ``when``; only of articles published since ``since`` when it is given ("this
        week")."""
        evidence = score_sentences(
            question, turn.query, turn.context_terms, kind, pool, texts, idf, self.vectors,
            query_vector, self.cheap, self.alike,
        )  # fmt: skip
        if since is not None:
            evidence = of_the_week(evidence, since)
        if said_by := speaker(question):  # "did Olsen say": from the articles naming her
            evidence = from_articles(evidence, lambda a: said_in(texts[a], said_by))
        # "the $36 million settlement": from the articles naming 36 (not a year: any article of
        # that year may speak of it, and ``unmet`` checks the cited ones)
        if figures := [f for f in pinned(question) if not years(f)]:
            evidence = from_articles(evidence, lambda a: names_figures(texts[a], figures))
        if self.cross_encoder is None:
            return evidence
        # the question's asking sentence is read alone too, unless it is a follow-up
        asking = asking_clause(question) if turn.query == question else None
        evidence = rerank(turn.query, evidence, self.cross_encoder, self.relevance, when,
                          asking, scene(question) if asking else "")  # fmt: skip
        return with_antecedent(turn.query, evidence, texts, self.cross_encoder, self.relevance)
