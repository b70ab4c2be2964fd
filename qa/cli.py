"""The ``qa`` command: a thin adapter over the index and the Assistant.

Every command turns a ``QAError`` into one plain line on stderr and a non-zero exit; a traceback
means a bug. What it prints for people passes through ``terminal_safe``: article text is shown,
never obeyed by the terminal (``--json`` prints it exactly, JSON escapes control characters).
``qa chat``, ``qa eval`` and ``qa bench`` come from ``ui`` and ``eval``, which build on ``qa``:
pyproject.toml registers them (``qa.commands`` entry points) and no module of ``qa`` imports
those packages.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from index.errors import InputError, QAError
from qa.settings import GENERATORS, Settings  # sets the offline/telemetry switches first

# what a subcommand runs: its parsed arguments and the settings in, the exit code out
Command = Callable[[argparse.Namespace, Settings], int]

# What a terminal obeys instead of showing: escape sequences (CSI "ESC [ 2 J" clears the screen;
# OSC "ESC ] 0 ; title BEL" sets the window title, "ESC ] 8" makes links; DCS, SOS, PM and APC
# strings; two-character ones), the one-character C1 CSI, then any other C0 control but newline
# and tab, DEL and the C1 controls.
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # strings, to BEL or ST
    r"|\x1b[ -/]*[0-~]"  # two characters, and an unterminated string's opening
    r"|\x9b[0-?]*[ -/]*[@-~]"  # C1 CSI
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` without escape sequences and control characters (newlines and tabs stay):
    articles are untrusted input, and a terminal would obey "clear the screen" or "set the
    title" rather than show it."""
    return _CONTROL.sub("", _ESCAPE.sub("", text))


def _show(text: str, file: TextIO | None = None) -> None:
    """Print one piece of output for people (stdout by default), made terminal-safe."""
    print(terminal_safe(text), file=file)


def text_argument(value: str, what: str) -> str:
    """A command-line argument that is text (the question, an outlet), or a one-line error when
    it is not UTF-8. Python hands such bytes over as lone surrogates (``$'\\xff'`` becomes
    ``"\\udcff"``), which no model, store or terminal can take. Refusing beats guessing:
    answering a question with a replacement character in place of what was typed could answer
    another question, with nothing to show it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        what_is_bad = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        raise InputError(
            f"the {what} is not valid UTF-8 ({what_is_bad} at character {exc.start + 1}): set"
            " the terminal to UTF-8 (e.g. LANG=C.UTF-8) and type it again"
        ) from None
    return value


def _cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from qa.backend import index_paths

    paths = [Path(p) for p in (args.paths or ["seeds"])]
    if args.watch:
        return _watch(args, settings, paths)
    report = index_paths(settings, paths, rebuild=args.rebuild)
    for warning in report.warnings:
        _show(f"warning: {warning}", sys.stderr)
    c = report.counts()
    _show(
        f"{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged,"
        f" {c['removed']} removed; {c['chunks']} chunks in the index"
    )
    if args.json:
        print(json.dumps(c))
    return 0


def _watch(args: argparse.Namespace, settings: Settings, paths: list[Path]) -> int:
    """``qa index --watch``: one line per batch on stdout, warnings on stderr, each flushed at
    once (a log follows it live); SIGTERM or Ctrl-C ends it after the batch in flight, exit 0."""
    from index.watch import StopSignals
    from qa.backend import watch_paths

    if args.json:
        raise InputError("--json and --watch do not go together: --watch logs one line a batch")

    def log(line: str, file: TextIO = sys.stdout) -> None:
        print(terminal_safe(line), file=file, flush=True)

    with StopSignals() as stop:
        watch_paths(settings, paths, interval=args.interval, stop=stop, rebuild=args.rebuild,
                    log=log, warn=lambda line: log(line, sys.stderr))  # fmt: skip
    return 0


def _cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa.assistant import Assistant
    from qa.intake import validate_question

    text_argument(args.question, "question")
    for source in args.source or ():
        text_argument(source, "outlet given to --source")
    validate_question(args.question, settings.max_question_chars)  # before loading the model
    if args.generator:
        settings = settings.model_copy(update={"generator": args.generator})
    with Assistant.open(settings) as assistant:
        answer = assistant.ask(
            args.question, as_of=args.as_of, published_from=args.since,
            published_to=args.until, sources=args.source,
        )  # fmt: skip
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return 0
    for note in answer.notes:
        _show(f"note: {note}", sys.stderr)
    _show(answer.text)
    if answer.citations:
        _show("\nSources:")
    for c in answer.citations:
        when = f", {c.published}" if c.published else ""
        outlet = (
            f" ({c.source}{when})" if c.source else (f" ({c.published})" if c.published else "")
        )
        _show(f"[{c.marker}] {c.title}{outlet} [{c.article_id}:{c.start}-{c.end}]")
        _show(f"    “{c.quote}”")
    if answer.refused and answer.passages:
        _show("\nClosest passages:")
        for p in answer.passages[:3]:
            _show(f"- {p.title} [{p.article_id}:{p.start}-{p.end}]")
    return 0


def _cmd_mcp(args: argparse.Namespace, settings: Settings) -> int:
    from qa.integrations.mcp import serve

    if args.generator:
        settings = settings.model_copy(update={"generator": args.generator})
    return serve(settings, host=args.host, port=args.port, stdio=args.stdio)


def _provided(name: str) -> Command:
    """The command ``qa NAME`` that a package built on qa provides (``qa chat`` by ui/, ``qa eval``
    and ``qa bench`` by eval/), as pyproject.toml registers it (``qa.commands`` entry points):
    those packages import qa, so qa finds their commands and never imports them."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        found = entry_points(group="qa.commands", name=name)
        if not found:
            raise QAError(
                f'"qa {name}" is not installed here: run "make install" (pip install -e .)'
            )
        command: Command = next(iter(found)).load()
        return command(args, settings)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("index", help="add, update and remove articles (default: seeds/)")
    p.add_argument("paths", nargs="*", help="folders or files (txt, md, html, json, jsonl)")
    p.add_argument("--json", action="store_true", help="end with one JSON line of counts")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    p.add_argument("--watch", action="store_true",
                   help="index the paths, then keep following them: what arrives, changes or goes"
                   " (JSONL files that grow too), one line per batch, until Ctrl-C or SIGTERM"
                   " (the batch in flight is finished). The on-disk index is held meanwhile, as"
                   " by qa chat: to ask questions while watching, use a Chroma server"
                   " (QA_CHROMA_URL), where an open assistant sees new articles at its next"
                   " question")  # fmt: skip
    p.add_argument("--interval", type=float, default=2.0,
                   help="--watch: seconds between looks (default 2); a batch waits until the"
                   " files have been still for one")  # fmt: skip
    p.set_defaults(func=_cmd_index)

    p = sub.add_parser("ask", help="answer one question from the indexed articles")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the Answer as one JSON object")
    p.add_argument("--as-of", help="answer as of this date (YYYY-MM-DD): no later articles")
    p.add_argument("--since", help="only articles published on or after this date")
    p.add_argument("--until", help="only articles published on or before this date")
    p.add_argument("--source", action="append", help="only this outlet (repeatable)")
    p.add_argument("--generator", choices=GENERATORS, help="who words the answer (default:"
                   " $QA_GENERATOR or extractive)")  # fmt: skip
    p.set_defaults(func=_cmd_ask)

    p = sub.add_parser("chat", help="start the web chat")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback)")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", default=None, help="user:password (default: $QA_AUTH, if set)")
    p.add_argument("--generator", choices=GENERATORS, help="who words the answers (default:"
                   " $QA_GENERATOR or extractive)")  # fmt: skip
    p.set_defaults(func=_provided("chat"))

    p = sub.add_parser(
        "mcp", help="serve ask and retrieve as MCP tools, for agents",
        description="Serve the tools ask and retrieve over MCP: streamable HTTP on"
        " http://HOST:PORT/mcp, or stdin/stdout with --stdio (for clients such as Claude Desktop"
        " that start the server). With QA_AUTH=user:password set, HTTP requests must carry"
        " 'Authorization: Basic base64(user:password)'; others get 401.",
    )  # fmt: skip
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--stdio", action="store_true",
                   help="speak MCP on stdin/stdout instead of HTTP (no login: the client started"
                   " this process)")  # fmt: skip
    p.add_argument("--generator", choices=GENERATORS, help="who words the answers (default:"
                   " $QA_GENERATOR or extractive)")  # fmt: skip
    p.set_defaults(func=_cmd_mcp)

    p = sub.add_parser("eval", help="score the assistant on the gold Q&A suites")
    p.add_argument("--suite", default=None,
                   help="suites to run, comma-separated (default: every suite of --baseline:"
                   " seeds, news); with --gold/--corpus, the one whose floors --check uses")  # fmt: skip
    p.add_argument("--gold", default=None,
                   help="an ad-hoc run: this gold file instead of the suite's own")  # fmt: skip
    p.add_argument("--corpus", default=None,
                   help="an ad-hoc run: evaluate against these articles instead")  # fmt: skip
    p.add_argument("--bench", default=None,
                   help="benchmark data folder (default: $QA_BENCH_DIR or ../shared/bench"
                   " beside the repository)")  # fmt: skip
    p.add_argument("--out", default="eval/out",
                   help="seeds suite's files here, each other suite's in OUT/NAME/")  # fmt: skip
    p.add_argument("--check", action="store_true",
                   help="fail when a metric of any suite drops below its floor")  # fmt: skip
    p.add_argument("--baseline", default="eval/baseline.json", help="the suites and their floors")
    p.add_argument("--generator", default=None,
                   help="extractive, local or openai; several, comma-separated, are compared"
                   " side by side (default: $QA_GENERATOR or extractive)")  # fmt: skip
    p.set_defaults(func=_provided("eval"))

    p = sub.add_parser("bench", help="speed and quality benchmarks against LlamaIndex")
    p.add_argument(
        "part", choices=["all", "ingest", "query", "retrieval", "generate", "serve", "scale"]
    )
    p.add_argument("--corpus", default="seeds")
    p.add_argument("--gold", default=None)
    p.add_argument("--out", default="bench-out")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument(
        "--generator",
        default=None,
        help="generate, serve: generators to time, comma-separated (default extractive,local;"
        " serve: extractive)",
    )
    p.add_argument(
        "--limit", type=int, default=0,
        help="generate, serve, scale: only the first N questions (scale: default 40)",
    )  # fmt: skip
    p.add_argument(
        "--clients", default=None, help="serve: clients at once, comma-separated (default 1,4,10)"
    )
    p.add_argument("--think", type=float, default=0.0,
                   help="serve: mean seconds each client pauses before a question, as a reader"
                   " does (default 0: back to back)")  # fmt: skip
    p.add_argument("--bench", default=None,
                   help="scale: benchmark data folder (default: $QA_BENCH_DIR or ../shared/bench"
                   " beside the repository)")  # fmt: skip
    p.add_argument("--steps", type=int, default=3,
                   help="scale: steps that grow the collection with scale/corpus.jsonl"
                   " (default 3)")  # fmt: skip
    p.add_argument("--modes", default=None,
                   help="scale: indexes to grow, comma-separated (default disk,server)")  # fmt: skip
    p.add_argument("--step-articles", type=int, default=0,
                   help="scale: at most N articles a step, the first one too (default: all)")  # fmt: skip
    p.set_defaults(func=_provided("bench"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Command = args.func
    try:
        settings = Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "QA_" + "_".join(str(p) for p in err["loc"]).upper()
        _show(f"error: {name}: {err['msg']} (got {err.get('input')!r})", sys.stderr)
        return 2
    try:
        return func(args, settings)
    except QAError as exc:
        _show(f"error: {exc}", sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa ask ... | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
