"""The LlamaIndex adapters against the real llama-index-core (no LLM needed): the retriever,
the query engine, the agent tool, async without blocking the loop, and a similarity cut-off."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from llama_index.core.postprocessor import SimilarityPostprocessor
from llama_index.core.schema import NodeWithScore, QueryBundle
from qa_helpers import fake_assistant, write

from qa import Assistant
from qa.integrations.llama_index import NewsQueryEngine, NewsRetriever

ARTICLES = {
    "bridge.txt": "Harbour bridge closed\ndate 2022-01-10\n\nThe harbour bridge closed on Monday"
    " after engineers found cracks in two cables. Mayor Anna Berg said repairs would take weeks.",
    "reopen.txt": "Harbour bridge reopens\ndate 2022-02-20\n\nThe harbour bridge reopened on"
    " Friday after repairs to two cables costing 4,000,000 dollars, the mayor said.",
    "library.txt": "Library gets new wing\n\nThe city library opened a new wing for children."
    " The library director said 12,000 books were added to the shelves.",
}


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    return fake_assistant(write(tmp_path / "news", ARTICLES), tmp_path / "home")


def test_retriever_nodes_carry_article_and_exact_span(assistant: Assistant) -> None:
    nodes = NewsRetriever(assistant, k=3).retrieve("Who found cracks in the harbour bridge?")
    assert nodes and all(isinstance(n, NodeWithScore) for n in nodes)
    for n in nodes:
        meta = n.node.metadata
        article = assistant.article(meta["article_id"])
        assert article is not None
        assert article.text[meta["start"] : meta["end"]] == n.node.get_content()
        assert (n.node.start_char_idx, n.node.end_char_idx) == (meta["start"], meta["end"])
        assert meta["title"] == article.title and meta["published"] == article.published
        assert n.score is not None and 0.0 <= n.score <= 1.0
    # what a language model would read of a node: its text and article, not offsets
    assert "start" not in nodes[0].node.get_content(metadata_mode="llm")


def test_retriever_filters(assistant: Assistant) -> None:
    early = NewsRetriever(assistant, k=5, published_to="2022-01-31").retrieve("harbour bridge")
    assert {n.node.metadata["article_id"] for n in early} <= {"bridge", "library"}
    one = NewsRetriever(assistant, k=5, article_ids=["reopen"]).retrieve("harbour bridge")
    assert {n.node.metadata["article_id"] for n in one} == {"reopen"}


def test_query_engine_response_is_the_verified_answer(assistant: Assistant) -> None:
    engine = NewsQueryEngine(assistant)
    response = engine.query("How much did the repairs to the harbour bridge cost?")
    answer = assistant.ask("How much did the repairs to the harbour bridge cost?")
    assert response.response == answer.text and "4,000,000" in response.response
    assert response.metadata is not None and response.metadata["refused"] is False
    assert [n.node.metadata["marker"] for n in response.source_nodes] == [
        c.marker for c in answer.citations
    ]
    for n in response.source_nodes:
        meta = n.node.metadata
        assert f"[{meta['marker']}]" in response.response
        article = assistant.article(meta["article_id"])
        assert article is not None and article.text[meta["start"] : meta["end"]] == n.node.text
    refused = engine.query("Who won the football cup final?")
    assert refused.metadata is not None and refused.metadata["refused"] is True
    assert refused.source_nodes == []


def test_tool_gives_an_agent_the_cited_answer(assistant: Assistant) -> None:
    tool = NewsQueryEngine(assistant).as_tool()
    assert tool.metadata.name == "news_articles" and "quoted" in tool.metadata.description
    output = tool.call("How much did the repairs to the harbour bridge cost?")
    assert "4,000,000" in output.content and "[1]" in output.content
    assert output.raw_output.source_nodes


def test_async_runs_off_the_event_loop(assistant: Assistant) -> None:
    """While the (slowed) assistant answers, the loop keeps running other coroutines."""
    ask, retrieve = assistant.ask, assistant.retrieve

    def slow_ask(*args: object, **kwargs: object) -> object:
        time.sleep(0.3)
        return ask(*args, **kwargs)  # type: ignore[arg-type]

    def slow_retrieve(*args: object, **kwargs: object) -> object:
        time.sleep(0.3)
        return retrieve(*args, **kwargs)  # type: ignore[arg-type]

    assistant.ask = slow_ask  # type: ignore[method-assign]
    assistant.retrieve = slow_retrieve  # type: ignore[method-assign]

    async def main() -> tuple[int, object, object]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        response = await NewsQueryEngine(assistant).aquery("How many books did the library add?")
        nodes = await NewsRetriever(assistant, k=2).aretrieve(QueryBundle("library wing"))
        task.cancel()
        return ticks, response, nodes

    ticks, response, nodes = asyncio.run(main())
    assert ticks >= 20  # ~60 ticks in 0.6 s; a blocked loop gives 0
    assert "12,000" in str(response) and nodes


@pytest.mark.slow
def test_similarity_cutoff_keeps_the_answering_passages(real_assistant: Assistant) -> None:
    """With the real cross-encoder, LlamaIndex's SimilarityPostprocessor at 0.5 keeps the passage
    that answers and drops every passage for a question the articles do not touch."""
    cutoff = SimilarityPostprocessor(similarity_cutoff=0.5)
    retriever = NewsRetriever(real_assistant, k=8)
    question = "How many Russian troops did Ukraine's defense minister say were at the border?"
    kept = cutoff.postprocess_nodes(retriever.retrieve(question))
    assert kept and any("94,000" in n.node.get_content() for n in kept)
    assert all(n.score is not None and n.score >= 0.5 for n in kept)
    assert cutoff.postprocess_nodes(retriever.retrieve("How do I bake sourdough bread?")) == []
