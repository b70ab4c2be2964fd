"""The assistant inside LlamaIndex apps and agents: a retriever, a query engine and a tool.

    from llama_index.core.postprocessor import SimilarityPostprocessor
    from qa import Assistant
    from qa.integrations.llama_index import NewsQueryEngine, NewsRetriever

    assistant = Assistant.open()
    nodes = NewsRetriever(assistant, k=8).retrieve("How many people were evacuated?")
    nodes = SimilarityPostprocessor(similarity_cutoff=0.5).postprocess_nodes(nodes)
    response = NewsQueryEngine(assistant).query("How many people were evacuated?")
    print(response.response, [n.node.metadata["marker"] for n in response.source_nodes])
    tool = NewsQueryEngine(assistant).as_tool()        # a QueryEngineTool for an agent

A node's score is the passage's ``relevance``: the cross-encoder's 0-1 judgement that it answers
the query (0.5: as likely as not), so a LlamaIndex similarity cut-off means what it says. Its
metadata carries the article id, title, date, outlet, the exact ``start``/``end`` in the article,
the dense cosine and the fused rank score. The query engine's text is the verified answer, its
source nodes are the citations (quote, span, marker) and its metadata says whether it was a
refusal and, when the articles disagree, which figure each article gives. The async methods run
the work in a thread, so they never block the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import date
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.tools import QueryEngineTool

from qa import Answer, Assistant, Citation, Passage

TOOL_DESCRIPTION = (
    "Answers a question from the indexed news articles. Every claim in the answer carries a"
    " marker [n] for an exact quoted passage; when the articles do not answer, it says so; when"
    " they give different figures, it lists each with its article. Input: one question in English."
)


def _node_id(article_id: str, start: int, end: int) -> str:
    return f"{article_id}:{start}-{end}"


def passage_node(passage: Passage) -> NodeWithScore:
    """A ranked passage as a LlamaIndex node, scored by its 0-1 relevance (the dense cosine when
    the cross-encoder is off)."""
    metadata = {
        "article_id": passage.article_id, "title": passage.title,
        "published": passage.published, "source": passage.source,
        "start": passage.start, "end": passage.end, "rank": passage.rank,
        "dense": passage.dense, "fused_score": passage.score,
    }  # fmt: skip
    node = TextNode(
        id_=_node_id(passage.article_id, passage.start, passage.end), text=passage.text,
        metadata=metadata, start_char_idx=passage.start, end_char_idx=passage.end,
        excluded_llm_metadata_keys=["start", "end", "rank", "dense", "fused_score"],
        excluded_embed_metadata_keys=list(metadata),
    )  # fmt: skip
    score = passage.relevance if passage.relevance is not None else passage.dense
    return NodeWithScore(node=node, score=score)


def citation_node(citation: Citation) -> NodeWithScore:
    """A citation as a node: its exact quote, where it sits in its article, and its marker."""
    metadata = {
        "marker": citation.marker, "article_id": citation.article_id, "title": citation.title,
        "published": citation.published, "source": citation.source,
        "start": citation.start, "end": citation.end,
    }  # fmt: skip
    node = TextNode(
        id_=_node_id(citation.article_id, citation.start, citation.end), text=citation.quote,
        metadata=metadata, start_char_idx=citation.start, end_char_idx=citation.end,
        excluded_llm_metadata_keys=["start", "end"], excluded_embed_metadata_keys=list(metadata),
    )  # fmt: skip
    return NodeWithScore(node=node, score=None)


def answer_response(answer: Answer) -> Response:
    metadata: dict[str, Any] = {
        "refused": answer.refused,
        "disagreement": asdict(answer.disagreement) if answer.disagreement else None,
        "notes": list(answer.notes),
        "generator": answer.generator,
        "fingerprint": answer.fingerprint,
    }
    return Response(
        response=answer.text,
        source_nodes=[citation_node(c) for c in answer.citations],
        metadata=metadata,
    )


class _Scope:
    """The filters every query of an adapter is asked with (see ``Assistant.ask``)."""

    def __init__(
        self,
        as_of: date | str | None = None,
        published_from: date | str | None = None,
        published_to: date | str | None = None,
        sources: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        self.filters: dict[str, Any] = {
            "as_of": as_of, "published_from": published_from,
            "published_to": published_to, "sources": sources,
        }  # fmt: skip


class NewsRetriever(BaseRetriever):
    """``Assistant.retrieve`` as a LlamaIndex retriever: the ``k`` best passages, ranked as the
    assistant ranks them (dense + keyword, fused), each scored by its 0-1 relevance."""

    def __init__(
        self,
        assistant: Assistant,
        k: int | None = None,
        *,
        article_ids: list[str] | tuple[str, ...] | None = None,
        **filters: Any,
    ) -> None:
        super().__init__()
        self.assistant = assistant
        self.k = k
        self.article_ids = article_ids
        self.scope = _Scope(**filters)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self.assistant.retrieve(
            query_bundle.query_str, self.k, article_ids=self.article_ids, **self.scope.filters
        )
        return [passage_node(p) for p in passages]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return await asyncio.to_thread(self._retrieve, query_bundle)


class NewsQueryEngine(BaseQueryEngine):
    """``Assistant.ask`` as a LlamaIndex query engine: the verified answer, its citations as
    source nodes, ``refused`` and the disagreement in the metadata."""

    def __init__(self, assistant: Assistant, **filters: Any) -> None:
        super().__init__(callback_manager=None)
        self.assistant = assistant
        self.scope = _Scope(**filters)

    def _query(self, query_bundle: QueryBundle) -> Response:
        return answer_response(self.assistant.ask(query_bundle.query_str, **self.scope.filters))

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return await asyncio.to_thread(self._query, query_bundle)

    def retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return NewsRetriever(self.assistant, **self.scope.filters).retrieve(query_bundle)

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}

    def as_tool(
        self, name: str = "news_articles", description: str = TOOL_DESCRIPTION
    ) -> QueryEngineTool:
        """A tool an agent can call with a question; its output is the cited answer."""
        return QueryEngineTool.from_defaults(self, name=name, description=description)
