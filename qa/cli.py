"""The ``qa`` command: a thin adapter over the index and the Assistant.

Every command turns a ``QAError`` into one plain line on stderr and a non-zero exit; a traceback
means a bug. This is the one module of ``qa`` that reaches ``ui`` and ``eval`` (lazily, for
``qa chat``, ``qa eval`` and ``qa bench``): the rest of ``qa`` never imports them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from index.errors import QAError
from qa.settings import GENERATORS, Settings  # sets the offline/telemetry switches first


def _cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from qa.backend import index_paths

    paths = [Path(p) for p in (args.paths or ["seeds"])]
    report = index_paths(settings, paths, rebuild=args.rebuild)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    c = report.counts()
    print(
        f"{c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged,"
        f" {c['removed']} removed; {c['chunks']} chunks in the index"
    )
    if args.json:
        print(json.dumps(c))
    return 0


def _cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa.assistant import Assistant, validate_question

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
        if note != "the articles disagree":  # the text says so itself
            print(f"note: {note}", file=sys.stderr)
    print(answer.text)
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        when = f", {c.published}" if c.published else ""
        outlet = (
            f" ({c.source}{when})" if c.source else (f" ({c.published})" if c.published else "")
        )
        print(f"[{c.marker}] {c.title}{outlet} [{c.article_id}:{c.start}-{c.end}]")
        print(f"    “{c.quote}”")
    if answer.refused and answer.passages:
        print("\nClosest passages:")
        for p in answer.passages[:3]:
            print(f"- {p.title} [{p.article_id}:{p.start}-{p.end}]")
    return 0


def _cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from ui.app import serve

    if args.generator:
        settings = settings.model_copy(update={"generator": args.generator})
    return serve(settings, host=args.host, port=args.port, auth=args.auth)


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from eval.runner import run_cli

    return run_cli(args, settings)


def _cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.part == "generate":
        from eval.bench_generate import run_cli as generate

        return generate(args, settings)
    from eval.bench import run_cli

    return run_cli(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("index", help="add, update and remove articles (default: seeds/)")
    p.add_argument("paths", nargs="*", help="folders or files (txt, md, html, json, jsonl)")
    p.add_argument("--json", action="store_true", help="end with one JSON line of counts")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
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
    p.set_defaults(func=_cmd_chat)

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
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("bench", help="speed and quality benchmarks against LlamaIndex")
    p.add_argument("part", choices=["all", "ingest", "query", "retrieval", "generate"])
    p.add_argument("--corpus", default="seeds")
    p.add_argument("--gold", default=None)
    p.add_argument("--out", default="bench-out")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument(
        "--generator",
        default=None,
        help="generate: generators to time, comma-separated (default extractive,local)",
    )
    p.add_argument("--limit", type=int, default=0, help="generate: only the first N questions")
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace, Settings], int] = args.func
    try:
        settings = Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "QA_" + "_".join(str(p) for p in err["loc"]).upper()
        print(f"error: {name}: {err['msg']} (got {err.get('input')!r})", file=sys.stderr)
        return 2
    try:
        return func(args, settings)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `qa ask ... | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
