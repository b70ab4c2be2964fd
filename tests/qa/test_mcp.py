"""``qa mcp``: the tools ``ask`` and ``retrieve`` through the real MCP client (``ClientSession``
over streamable HTTP, and over stdio) on loopback, behind QA_AUTH's login when it is set.

The fast tests serve a fake assistant (hash embedder, in-memory store) with the real server in a
thread; the slow ones start the real ``qa mcp`` on the seed index."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx
import httpx2
import pytest
import uvicorn
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent
from netguard import free_port
from qa_helpers import fake_assistant, write
from starlette.types import ASGIApp

from qa import Assistant, InputError, Settings
from qa.integrations.mcp import http_app, login

REPO = Path(__file__).resolve().parents[2]
QA = Path(sys.executable).with_name("qa")
T = TypeVar("T")

BORDER = [
    {"id": "border-a", "title": "Troops gather at the border", "published": "2022-01-12",
     "source": "Reuters", "text": "Troops gather at the border\n\nRussia has massed 100,000"
     " troops near the border with Ukraine, officials said on Wednesday."},
    {"id": "border-b", "title": "Build-up continues", "published": "2022-01-14", "source": "AP",
     "text": "Build-up continues\n\nRussia has massed 127,000 troops near the border with"
     " Ukraine, the defense ministry said on Friday."},
]  # fmt: skip
ARTICLES = {
    "bridge.txt": "Harbour bridge closed\ndate 2022-01-10\n\nThe harbour bridge closed on Monday"
    " after engineers found cracks in two cables. Mayor Anna Berg said repairs would take weeks.",
    "reopen.txt": "Harbour bridge reopens\ndate 2022-02-20\n\nThe harbour bridge reopened on"
    " Friday after repairs to two cables costing 4,000,000 dollars, the mayor said.",
    "border.jsonl": "\n".join(json.dumps(record) for record in BORDER),
}
COST = "How much did the repairs to the harbour bridge cost?"
BRIDGE = "harbour bridge"
TROOPS = "How many Russian troops are massed near the border with Ukraine?"
LOGIN = "reader:s3cret"


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    return fake_assistant(write(tmp_path / "news", ARTICLES), tmp_path / "home")


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """``app`` served by uvicorn on a loopback port, in a thread; yields the MCP endpoint."""
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/mcp"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
    assert not thread.is_alive(), "the server did not stop"


def basic(credentials: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


def with_session(
    url: str, work: Callable[[ClientSession], Awaitable[T]], headers: dict[str, str] | None = None
) -> T:
    """Open an MCP session on ``url`` (initialize included), run ``work`` in it, close it."""

    async def main() -> T:
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            streamable_http_client(url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await work(session)

    return anyio.run(main)


def call(url: str, tool: str, arguments: dict[str, Any], **kw: Any) -> CallToolResult:
    return with_session(url, lambda s: s.call_tool(tool, arguments), **kw)


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1 and isinstance(result.content[0], TextContent)
    return result.content[0].text


def check_quotes(article_text: Callable[[str], str], data: dict[str, Any]) -> None:
    """Every [n] in the text is a citation and back; each quote is its article's [start:end]."""
    markers = {c["marker"] for c in data["citations"]}
    assert markers and all(f"[{m}]" in data["text"] for m in markers)
    for c in data["citations"]:
        assert article_text(c["article_id"])[c["start"] : c["end"]] == c["quote"]


def article_text_of(assistant: Assistant) -> Callable[[str], str]:
    def text(article_id: str) -> str:
        article = assistant.article(article_id)
        assert article is not None, article_id
        return article.text

    return text


def test_an_agent_sees_two_read_only_tools_it_can_act_on(assistant: Assistant) -> None:
    with serving(http_app(assistant)) as url:
        tools = {t.name: t for t in with_session(url, lambda s: s.list_tools()).tools}
    assert set(tools) == {"ask", "retrieve"}
    ask, retrieve = tools["ask"], tools["retrieve"]
    assert ask.input_schema["required"] == ["question"]
    assert set(ask.input_schema["properties"]) == {
        "question", "as_of", "published_from", "published_to", "sources"}  # fmt: skip
    assert retrieve.input_schema["required"] == ["query"]
    assert retrieve.input_schema["properties"]["k"]["default"] == 8
    assert {"article_ids", "as_of", "sources"} <= set(retrieve.input_schema["properties"])
    for name in ("as_of", "published_from", "published_to"):  # the date format is spelled out
        assert "YYYY-MM-DD" in ask.input_schema["properties"][name]["description"]
    assert ask.description and "[n]" in ask.description and "refused" in ask.description
    assert retrieve.description and "relevance" in retrieve.description
    assert ask.output_schema is not None and retrieve.output_schema is not None
    assert {"text", "refused", "citations", "disagreement"} <= set(ask.output_schema["properties"])
    assert "passages" in retrieve.output_schema["properties"]
    for tool in tools.values():
        assert tool.annotations is not None and tool.annotations.read_only_hint is True


def test_ask_gives_the_answer_with_its_exact_citations(assistant: Assistant) -> None:
    with serving(http_app(assistant)) as url:
        result = call(url, "ask", {"question": COST})
    assert not result.is_error
    data = result.structured_content
    assert isinstance(data, dict) and data["refused"] is False and "4,000,000" in data["text"]
    direct = assistant.ask(COST).to_dict()  # the tool gives what the Python API gives
    assert data["text"] == direct["text"] and data["citations"] == direct["citations"]
    check_quotes(article_text_of(assistant), data)
    article = assistant.article("reopen")
    assert article is not None
    cited = data["citations"][0]
    assert (cited["article_id"], cited["title"], cited["published"]) == (
        "reopen", article.title, article.published)  # fmt: skip
    # the text an agent that reads no structured content gets: answer, sources, quotes, spans
    text = text_of(result)
    assert text.startswith(data["text"]) and "Sources:" in text
    span = f"reopen:{cited['start']}-{cited['end']}"
    assert f"[1] Harbour bridge reopens (2022-02-20) [{span}]" in text
    assert f"“{cited['quote']}”" in text


def test_ask_lists_disagreeing_figures_and_refuses_what_the_articles_do_not_say(
    assistant: Assistant,
) -> None:
    async def work(session: ClientSession) -> list[CallToolResult]:
        return [
            await session.call_tool("ask", {"question": TROOPS}),
            await session.call_tool("ask", {"question": "Who won the football cup final?"}),
        ]

    with serving(http_app(assistant)) as url:
        troops, refused = with_session(url, work)
    data = troops.structured_content
    assert isinstance(data, dict) and data["refused"] is False
    disagreement = data["disagreement"]
    assert disagreement is not None
    figures = {(f["value"], f["article_id"]) for f in disagreement["figures"]}
    assert figures == {(100000, "border-a"), (127000, "border-b")}
    outlets = {c["article_id"]: c["source"] for c in data["citations"]}
    assert outlets == {"border-a": "Reuters", "border-b": "AP"}
    check_quotes(article_text_of(assistant), data)
    assert "Reuters" in text_of(troops) and "AP" in text_of(troops)
    assert isinstance(refused.structured_content, dict)
    assert refused.structured_content["refused"] is True
    assert refused.structured_content["citations"] == [] and not refused.is_error


def test_filters_reach_the_assistant(assistant: Assistant) -> None:
    async def work(session: ClientSession) -> list[CallToolResult]:
        return [
            await session.call_tool("ask", {"question": TROOPS, "sources": ["AP"]}),
            await session.call_tool("ask", {"question": TROOPS, "as_of": "2022-01-13"}),
            await session.call_tool("retrieve", {"query": BRIDGE, "published_to": "2022-01-31"}),
            await session.call_tool("retrieve", {"query": BRIDGE, "article_ids": ["reopen"]}),
        ]

    with serving(http_app(assistant)) as url:
        by_outlet, as_of, early, one = with_session(url, work)
    for result, only in ((by_outlet, "border-b"), (as_of, "border-a")):
        data = result.structured_content
        assert isinstance(data, dict) and not data["refused"] and data["disagreement"] is None
        assert {c["article_id"] for c in data["citations"]} == {only}
    for result, allowed in ((early, {"bridge", "border-a", "border-b"}), (one, {"reopen"})):
        assert isinstance(result.structured_content, dict)
        found = {p["article_id"] for p in result.structured_content["passages"]}
        assert found and found <= allowed
    assert isinstance(one.structured_content, dict)
    assert {p["article_id"] for p in one.structured_content["passages"]} == {"reopen"}


def test_retrieve_ranks_passages_with_their_relevance(assistant: Assistant) -> None:
    query = "Who found cracks in the harbour bridge?"
    with serving(http_app(assistant)) as url:
        result = call(url, "retrieve", {"query": query, "k": 2})
    assert not result.is_error and isinstance(result.structured_content, dict)
    passages = result.structured_content["passages"]
    assert passages == [asdict(p) for p in assistant.retrieve(query, 2)]  # as the Python API ranks
    assert [p["rank"] for p in passages] == [1, 2]
    assert "bridge" in {p["article_id"] for p in passages}
    text = article_text_of(assistant)
    for p in passages:
        assert text(p["article_id"])[p["start"] : p["end"]] == p["text"]
        assert 0.0 <= p["relevance"] <= 1.0
    shown, top = text_of(result), passages[0]
    where = f"1. {top['title']} ({top['published']}) [{top['article_id']}:{top['start']}-"
    assert shown.startswith(where) and f"relevance {top['relevance']:.2f}" in shown
    assert "engineers found cracks in two cables" in shown


def test_bad_input_is_a_tool_error_with_its_one_line_message(assistant: Assistant) -> None:
    calls: list[tuple[str, dict[str, Any], str]] = [
        ("ask", {"question": "   "}, "the question is empty: ask something about the articles"),
        ("ask", {"question": COST, "as_of": "last week"},
         "as_of must be a date like 2022-01-19 (got 'last week')"),
        ("retrieve", {"query": "bridge", "k": 0}, "k must be between 1 and 200 (got 0)"),
    ]  # fmt: skip

    async def work(session: ClientSession) -> list[CallToolResult]:
        return [await session.call_tool(tool, arguments) for tool, arguments, _ in calls]

    with serving(http_app(assistant)) as url:
        results = with_session(url, work)
    for result, (_, _, message) in zip(results, calls, strict=True):
        assert result.is_error is True and result.structured_content is None
        assert text_of(result) == message


def test_a_crash_reaches_the_client_without_its_details(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail in /srv/private/path")

    monkeypatch.setattr(assistant, "ask", broken)
    with serving(http_app(assistant)) as url:
        result = call(url, "ask", {"question": COST})
    assert result.is_error is True
    assert text_of(result) == "Error executing tool ask"  # no message, no traceback


def test_a_slow_answer_does_not_block_the_server(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ask() blocks; it runs in a worker thread, so another client is served meanwhile."""
    started, release = threading.Event(), threading.Event()
    real_ask = assistant.ask

    def slow_ask(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(timeout=20)
        return real_ask(*args, **kwargs)

    monkeypatch.setattr(assistant, "ask", slow_ask)
    waited: list[float] = []

    async def main(url: str) -> CallToolResult:
        async def other_client() -> None:
            await anyio.to_thread.run_sync(started.wait, 20)
            begun = time.monotonic()
            # blocking, in a thread: this client must not share the test's event loop
            tools = await anyio.to_thread.run_sync(with_session, url, lambda s: s.list_tools())
            waited.append(time.monotonic() - begun)
            assert {t.name for t in tools.tools} == {"ask", "retrieve"}
            release.set()

        async with anyio.create_task_group() as group:
            group.start_soon(other_client)
            result = await anyio.to_thread.run_sync(call, url, "ask", {"question": COST})
        return result

    with serving(http_app(assistant)) as url:
        result = anyio.run(main, url)
    assert waited and waited[0] < 10, waited  # served while ask() was still blocked
    assert not result.is_error and "4,000,000" in text_of(result)


def test_with_qa_auth_only_the_right_basic_login_gets_in(assistant: Assistant) -> None:
    credentials = login(Settings(auth=LOGIN))
    assert credentials == LOGIN
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    with serving(http_app(assistant, credentials=credentials)) as url:
        for headers in ({}, basic("reader:wrong"), basic("someone:s3cret"),
                        {"Authorization": "Bearer s3cret"}, {"Authorization": "Basic %%%"}):  # fmt: skip
            response = httpx.post(url, json=request, headers=headers, timeout=10)
            assert response.status_code == 401, headers
            assert response.text == "unauthorized"  # nothing about what was wrong
            assert response.headers["www-authenticate"] == 'Basic realm="qa"'
        for wrong in (None, basic("reader:wrong")):  # the real client cannot even start
            with pytest.raises(ExceptionGroup) as failed:
                with_session(url, lambda s: s.list_tools(), headers=wrong)
            assert failed.group_contains(MCPError, depth=None)
        result = call(url, "ask", {"question": COST}, headers=basic(LOGIN))
    assert not result.is_error and isinstance(result.structured_content, dict)
    assert "4,000,000" in result.structured_content["text"]


def test_qa_auth_must_be_user_colon_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_AUTH", LOGIN)
    assert login(Settings()) == LOGIN  # read from the environment, through Settings
    monkeypatch.setenv("QA_AUTH", "")
    assert login(Settings()) is None
    for bad in ("reader", "reader:", ":s3cret"):
        monkeypatch.setenv("QA_AUTH", bad)
        with pytest.raises(InputError, match='QA_AUTH must look like "user:password"'):
            login(Settings())


def seed_text(article_id: str) -> str:
    """A seed article exactly as the index loaded it (a .txt article's id is its file name)."""
    return (REPO / "seeds" / f"{article_id}.txt").read_bytes().decode("utf-8-sig")


def wait_for_port(port: int, proc: subprocess.Popen[str], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"qa mcp exited with {proc.returncode}: {proc.stderr.read()}")  # type: ignore[union-attr]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"qa mcp did not listen on port {port} within {timeout} s")


@pytest.mark.slow
def test_qa_mcp_serves_the_seed_index_over_http_behind_qa_auth(seed_home: Path) -> None:
    port = free_port()
    env = {**os.environ, "QA_HOME": str(seed_home), "QA_AUTH": LOGIN}
    proc = subprocess.Popen([str(QA), "mcp", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_for_port(port, proc)
        assert httpx.post(url, json={}, timeout=10).status_code == 401
        result = call(url, "ask", {"question": "How many Russian troops are massed near"
                                   " Ukraine's border?"}, headers=basic(LOGIN))  # fmt: skip
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert not result.is_error and isinstance(result.structured_content, dict)
    data = result.structured_content
    assert not data["refused"] and data["disagreement"] is not None
    assert len({f["value"] for f in data["disagreement"]["figures"]}) >= 2
    check_quotes(seed_text, data)
    assert proc.returncode == 0, err  # Ctrl-C is how one stops it: a clean exit
    assert url in out and "Traceback" not in err + out


@pytest.mark.slow
def test_qa_mcp_stdio_answers_a_client_that_starts_it(seed_home: Path, tmp_path: Path) -> None:
    """What Claude Desktop does: start ``qa mcp --stdio`` and speak MCP on its stdin/stdout."""
    params = StdioServerParameters(command=str(QA), args=["mcp", "--stdio"], cwd=str(REPO),
                                   env={"QA_HOME": str(seed_home)})  # fmt: skip

    async def main() -> tuple[set[str], CallToolResult]:
        with (tmp_path / "stderr.log").open("w") as errlog:
            async with (
                stdio_client(params, errlog=errlog) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                tools = await session.list_tools()
                answer = await session.call_tool("ask", {"question": "Where did Blinken meet"
                                                         " Lavrov?"})  # fmt: skip
                return {t.name for t in tools.tools}, answer

    names, result = anyio.run(main)
    assert names == {"ask", "retrieve"}
    assert not result.is_error and isinstance(result.structured_content, dict)
    assert "Stockholm" in result.structured_content["text"]
    check_quotes(seed_text, result.structured_content)
    assert "Traceback" not in (tmp_path / "stderr.log").read_text()
