"""``qa bench``: which benchmark its first argument names. Registered for qa's command line in
pyproject.toml (``qa.commands`` entry points), as ``qa eval`` (``eval.runner.run_cli``) is: qa
itself never imports eval."""

from __future__ import annotations

import argparse

from qa import Settings


def bench(args: argparse.Namespace, settings: Settings) -> int:
    """Run the benchmark ``args.part`` names (ingest, retrieval, query or all; generate; serve;
    scale). Returns the exit code."""
    if args.part == "generate":
        from eval.bench_generate import run_cli as generate

        return generate(args, settings)
    if args.part == "serve":
        from eval.bench_serve import run_cli as serve

        return serve(args, settings)
    if args.part == "scale":
        from eval.bench_scale import run_cli as scale

        return scale(args, settings)
    from eval.bench import run_cli

    return run_cli(args, settings)
