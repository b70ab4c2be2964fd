"""The assistant as MCP tools, for agents that speak the Model Context Protocol (Claude Desktop,
IDE assistants, LlamaIndex agents): ``ask`` gives the cited answer, ``retrieve`` the ranked
passages.

    qa mcp              # streamable HTTP on http://127.0.0.1:8765/mcp
    qa mcp --stdio      # MCP on stdin/stdout, for a client that starts the server itself

    from qa import Assistant
    from qa.integrations.mcp import build_server
    build_server(Assistant.open()).run("stdio")

A tool's result is structured content (the answer with each citation's marker, article id,
title, date, outlet, exact quote and span; or the passages with their relevance) and the same
as plain text for clients that only read text. A ``QAError`` (an empty question, a malformed
date) comes back as a tool error whose text is its one-line message; anything else is logged
here and reaches the client as "Error executing tool ...", never a traceback. The Assistant's
calls block, so they run in a worker thread and the event loop keeps serving other sessions.

With ``QA_AUTH=user:password`` set, every HTTP request must carry
``Authorization: Basic base64(user:password)``; any other gets a bare 401. stdio needs no login:
the client started the process.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import ipaddress
import logging
import os
import socket
import sys
import textwrap
import threading
from collections.abc import Callable
from functools import partial
from typing import Annotated

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from qa import Answer, Assistant, Citation, Disagreement, InputError, Passage, QAError, Settings

log = logging.getLogger(__name__)

ASK_DESCRIPTION = (
    "Answer a question from the indexed news articles. The answer quotes or words what the"
    " articles say; every claim carries a marker [n] that resolves to a citation with the"
    " article's id, title, date and outlet and the exact quoted passage (quote =="
    " article_text[start:end]). When the articles do not answer, refused is true and the text"
    " says so: do not guess then. When articles give different figures for one quantity, the"
    " answer lists each with its article and `disagreement` holds them. Ask one self-contained"
    " question in English (resolve 'he' or 'that' yourself); narrow it with as_of,"
    " published_from, published_to or sources when the question is about a time or an outlet."
)
RETRIEVE_DESCRIPTION = (
    "Search the indexed news articles: the k passages that best match the query (keyword and"
    " semantic search, fused), best first. Each passage has its article id, title, date,"
    " outlet, its exact text and span in the article, and relevance: a 0-1 judgement that it"
    " answers the query (0.5: as likely as not). Use it to browse or to gather evidence;"
    " use `ask` for an answer with checked citations."
)
CHALLENGE = {"WWW-Authenticate": 'Basic realm="qa"'}  # a 401's only header: nothing else leaks
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

Question = Annotated[str, Field(description="One self-contained question, in English.")]
Query = Annotated[str, Field(description="What to search for: a question or keywords.")]
AsOf = Annotated[
    str | None,
    Field(description="YYYY-MM-DD: answer as of this date (no article published after it)."),
]
Since = Annotated[
    str | None, Field(description="YYYY-MM-DD: only articles published on or after this date.")
]
Until = Annotated[
    str | None, Field(description="YYYY-MM-DD: only articles published on or before this date.")
]
Sources = Annotated[
    list[str] | None, Field(description="Only articles from these outlets (as results name them).")
]
Count = Annotated[
    int, Field(description="How many passages (1 to 200).", json_schema_extra={"minimum": 1})
]
ArticleIds = Annotated[
    list[str] | None, Field(description="Only these articles (ids as returned in results).")
]


class AskResult(BaseModel):
    """The structured content of ``ask``: ``Answer.to_dict()`` without the ranked passages."""

    text: str = Field(description="The answer; each [n] in it is the citation with marker n.")
    refused: bool = Field(description="True when the articles do not answer the question.")
    citations: list[Citation] = Field(
        description="Each quote is exactly article_text[start:end]; published is an ISO date."
    )
    disagreement: Disagreement | None = Field(
        description="Set when the articles give different figures for one quantity."
    )
    notes: list[str] = Field(description="Caveats about how the answer was made.")
    generator: str = Field(description="What worded the text: extractive or a model's name.")
    fingerprint: str = Field(description="The index's model and chunking settings.")


class RetrieveResult(BaseModel):
    """The structured content of ``retrieve``."""

    passages: list[Passage] = Field(
        description="Best first; text is exactly article_text[start:end]; relevance is 0-1;"
        " score is the fused rank score (compare, do not threshold)."
    )


def build_server(assistant: Assistant, name: str = "news-qa") -> MCPServer:
    """An MCP server whose tools ``ask`` and ``retrieve`` call ``assistant`` (not started)."""
    server: MCPServer = MCPServer(name, instructions=_instructions(assistant), log_level="WARNING")

    async def ask(
        question: Question,
        as_of: AsOf = None,
        published_from: Since = None,
        published_to: Until = None,
        sources: Sources = None,
    ) -> Annotated[CallToolResult, AskResult]:
        call = partial(assistant.ask, question, as_of=as_of, published_from=published_from,
                       published_to=published_to, sources=sources)  # fmt: skip
        try:
            answer = await anyio.to_thread.run_sync(call)
        except QAError as exc:
            return tool_error(exc)
        return _result(answer_text(answer), ask_result(answer))

    async def retrieve(
        query: Query,
        k: Count = 8,
        as_of: AsOf = None,
        published_from: Since = None,
        published_to: Until = None,
        sources: Sources = None,
        article_ids: ArticleIds = None,
    ) -> Annotated[CallToolResult, RetrieveResult]:
        call = partial(assistant.retrieve, query, k, as_of=as_of, published_from=published_from,
                       published_to=published_to, sources=sources, article_ids=article_ids)  # fmt: skip
        try:
            passages = await anyio.to_thread.run_sync(call)
        except QAError as exc:
            return tool_error(exc)
        return _result(passages_text(passages), RetrieveResult(passages=passages))

    server.add_tool(ask, title="Ask the news articles", description=ASK_DESCRIPTION,
                    annotations=READ_ONLY)  # fmt: skip
    server.add_tool(retrieve, title="Search the news articles",
                    description=RETRIEVE_DESCRIPTION, annotations=READ_ONLY)  # fmt: skip
    return server


def _instructions(assistant: Assistant) -> str:
    summary = assistant.summary()
    newest = f", the newest published {summary.newest}" if summary.newest else ""
    return (
        f"Answers questions from {summary.articles} indexed news articles{newest}, every claim"
        " cited with an exact quote. Use `ask` for answers and `retrieve` to search passages."
    )


def ask_result(answer: Answer) -> AskResult:
    return AskResult(
        text=answer.text, refused=answer.refused, citations=answer.citations,
        disagreement=answer.disagreement, notes=answer.notes, generator=answer.generator,
        fingerprint=answer.fingerprint,
    )  # fmt: skip


def _result(text: str, data: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=data.model_dump(mode="json"),
    )


def tool_error(exc: QAError) -> CallToolResult:
    """A ``QAError`` as the tool error an agent reads: its one-line message."""
    return CallToolResult(content=[TextContent(type="text", text=str(exc))], is_error=True)


def _where(title: str, source: str | None, published: str | None, span: str) -> str:
    meta = ", ".join(x for x in (source, published) if x)
    return f"{title} ({meta}) [{span}]" if meta else f"{title} [{span}]"


def answer_text(answer: Answer) -> str:
    """The answer as text, its numbered sources and their exact quotes below it."""
    lines = [answer.text]
    lines += [f"Note: {n}" for n in answer.notes]
    if answer.citations:
        lines.append("\nSources:")
    for c in answer.citations:
        lines.append(f"[{c.marker}] " + _where(c.title, c.source, c.published,
                                               f"{c.article_id}:{c.start}-{c.end}"))  # fmt: skip
        lines.append(f"    “{c.quote}”")
    return "\n".join(lines)


def passages_text(passages: list[Passage]) -> str:
    """Ranked passages as text: where each is, its relevance, then its words."""
    if not passages:
        return "No passage matches (check the filters)."
    lines = []
    for p in passages:
        relevance = f" relevance {p.relevance:.2f}" if p.relevance is not None else ""
        lines.append(f"{p.rank}. " + _where(p.title, p.source, p.published,
                                            f"{p.article_id}:{p.start}-{p.end}") + relevance)  # fmt: skip
        lines.append(textwrap.indent(p.text, "    "))
    return "\n".join(lines)


def login(settings: Settings) -> str | None:
    """``QA_AUTH`` ("user:password"), checked; None when unset or empty."""
    value = settings.auth.get_secret_value() if settings.auth is not None else ""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not (user and sep and password):
        raise InputError('QA_AUTH must look like "user:password"')
    return value


class BasicAuth:
    """ASGI middleware: every HTTP request must carry ``Authorization: Basic
    base64(user:password)``; any other gets 401 and no hint of what was wrong."""

    def __init__(self, app: ASGIApp, credentials: str) -> None:
        self.app = app
        self._expected = credentials.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan" and not self._allowed(scope):
            if scope["type"] == "http":
                response = PlainTextResponse("unauthorized", 401, CHALLENGE)
                await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            given = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given, self._expected)


def http_app(
    assistant: Assistant, *, credentials: str | None = None, host: str = "127.0.0.1"
) -> ASGIApp:
    """The streamable HTTP app (endpoint ``/mcp``), behind ``BasicAuth`` when ``credentials``
    ("user:password") are given. ``host``: where it listens (loopback turns on the SDK's check
    of the Host header against DNS rebinding)."""
    app: ASGIApp = build_server(assistant).streamable_http_app(host=host)
    return BasicAuth(app, credentials) if credentials else app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    settings: Settings, *, host: str = "127.0.0.1", port: int = 8765, stdio: bool = False
) -> int:
    """Run the MCP server until interrupted (``qa mcp``). Returns the exit code."""
    if stdio:
        return _run(settings, lambda assistant: anyio.run(build_server(assistant).run_stdio_async))
    credentials = login(settings)
    if credentials is None and not is_loopback(host):
        print(f"warning: serving MCP on {host} without a login: anyone who can reach it can ask"
              " (set QA_AUTH=user:password)", file=sys.stderr)  # fmt: skip
    try:
        sock = _bind(host, port)  # before the index is opened: a busy port fails at once
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        print(f"error: cannot serve on {host}:{port}: {reason}", file=sys.stderr)
        return 2
    with sock:
        app = partial(http_app, credentials=credentials, host=host)
        return _run(settings, lambda assistant: _serve_http(app(assistant), sock, host))


def _run(settings: Settings, body: Callable[[Assistant], None]) -> int:
    """Open the index, warm the assistant up in the background, run ``body`` until Ctrl-C."""
    with contextlib.redirect_stdout(sys.stderr):  # with --stdio, stdout is the protocol's
        assistant = Assistant.open(settings)
    # The first answer pays for loading the model's kernels and caches: pay it before an agent
    # asks (ask() is serialised, so an early question simply waits for it).
    warm = threading.Thread(target=_warm_up, args=(assistant,), daemon=True)
    warm.start()
    try:
        body(assistant)
    except KeyboardInterrupt:  # Ctrl-C is how one stops it (uvicorn re-raises it once stopped)
        pass
    finally:
        warm.join()  # closing the index under a running warm-up would crash the process
        assistant.close()
    return 0


def _warm_up(assistant: Assistant) -> None:
    try:
        assistant.warm_up()
    except Exception:  # a failing warm-up must not stop the server; the first question will tell
        log.exception("warm-up question failed")


def _bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, not yet listening: clients are refused, not kept waiting,
    until the index is open and the server accepts."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _serve_http(app: ASGIApp, sock: socket.socket, host: str) -> None:
    import uvicorn

    shown, port = f"[{host}]" if ":" in host else host, sock.getsockname()[1]  # --port 0: any
    print(f"MCP server on http://{shown}:{port}/mcp (Ctrl-C stops it)", flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])  # listens on sock, stops on Ctrl-C
