"""The suites of ``qa eval``: which gold files are scored over which corpus, where each writes its
files, and the floors each is gated on. All of it is read from eval/baseline.json::

    {"suites": {"seeds": {"gold": ["eval/gold.jsonl"], "corpus": "seeds", "metrics": {...}},
                "news": {"gold": ["{bench}/realtimeqa/questions.jsonl", "eval/news_refusals.jsonl"],
                         "corpus": "{bench}/realtimeqa/corpus.jsonl", "unknown_sources": "warn",
                         "metrics": {...}}}}

Paths are relative to the repository (the folder holding pyproject.toml above the baseline file),
so the gate means the same from any working folder. ``{bench}`` is the benchmark folder:
``--bench``, else ``$QA_BENCH_DIR``, else ``../shared/bench`` beside the repository. Benchmark
data is read from there at run time and never committed (its articles belong to their
publishers), so a checkout without it still gates on the suites it has: when the default folder
is absent, its suites are skipped with a one-line note. A folder asked for explicitly (``--bench``,
``$QA_BENCH_DIR``, ``--suite news``) must exist: a typo should fail, not pass quietly.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from qa import InputError

BENCH_ENV = "QA_BENCH_DIR"
BENCH_DEFAULT = Path("..") / "shared" / "bench"  # from the repository root
BENCH_TAG = "{bench}"
# The suite that writes into --out itself: the files `qa eval` wrote before there were suites.
MAIN_SUITE = "seeds"

Rules = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Suite:
    """One gold set (one or more files, scored together over one index) and its floors."""

    name: str
    gold: tuple[Path, ...]
    corpus: Path
    metrics: Rules
    benchmark: bool = False  # reads the benchmark folder, which may be absent outside CI
    lenient: bool = False  # a gold source missing from the corpus is a warning, not an error

    def missing(self, top: Path) -> Path | None:
        """The outermost absent folder or file, up to ``top``, among those this suite reads (so a
        missing ``realtimeqa/`` is named once, not as its two files)."""
        for path in (self.corpus, *self.gold):
            if not path.exists():
                while path != top and path.parent != path and not path.parent.exists():
                    path = path.parent
                return path
        return None


@dataclass(frozen=True)
class Plan:
    """What one ``qa eval`` does: the suites to run, each with its output folder, and the notes
    on what it skips (printed, one line each)."""

    runs: list[tuple[Suite, Path]]
    notes: list[str]


def repo_root(baseline: Path) -> Path:
    """The nearest folder above the baseline file holding pyproject.toml (else the working
    folder): suite paths are relative to it."""
    for folder in baseline.resolve().parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    return Path.cwd()


def bench_folder(option: str | None, root: Path) -> tuple[Path, bool]:
    """The benchmark folder and whether it was asked for (option or environment) rather than
    defaulted."""
    given = option or os.environ.get(BENCH_ENV)
    if given:
        return Path(given), True
    return Path(os.path.normpath(root / BENCH_DEFAULT)), False


def shown(path: Path) -> str:
    """A path as a user would type it from here: relative when that is short."""
    rel = os.path.relpath(path.resolve())
    return rel if not rel.startswith(os.path.join("..", "..")) else str(path.resolve())


def _path(template: str, root: Path, bench: Path) -> Path:
    if template.startswith(BENCH_TAG):
        return bench / template.removeprefix(BENCH_TAG).lstrip("/")
    return root / template


def _suite(name: str, spec: Any, root: Path, bench: Path, where: str) -> Suite:
    if not isinstance(spec, dict) or not isinstance(spec.get("metrics"), dict):
        raise InputError(f"{where}: suite '{name}' needs an object with 'metrics'")
    gold = spec.get("gold")
    if isinstance(gold, str):
        gold = [gold]
    if not gold or not all(isinstance(g, str) for g in gold):
        raise InputError(f"{where}: suite '{name}': 'gold' must be a path or a list of paths")
    corpus = spec.get("corpus")
    if not isinstance(corpus, str):
        raise InputError(f"{where}: suite '{name}': 'corpus' must be a path")
    return Suite(
        name=name,
        gold=tuple(_path(g, root, bench) for g in gold),
        corpus=_path(corpus, root, bench),
        metrics=spec["metrics"],
        benchmark=any(p.startswith(BENCH_TAG) for p in (corpus, *gold)),
        lenient=spec.get("unknown_sources") == "warn",
    )


def load_suites(baseline: Path, bench: Path) -> dict[str, Suite]:
    """Every suite of the baseline file, in file order. A file of the older one-suite shape
    (top-level ``metrics``) holds the seeds' floors."""
    try:
        data = json.loads(baseline.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{baseline}: cannot read the baseline file ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{baseline}: not valid JSON ({exc.msg})") from exc
    if isinstance(data, dict) and "suites" not in data and "metrics" in data:
        data = {"suites": {MAIN_SUITE: {"gold": ["eval/gold.jsonl"], "corpus": "seeds",
                                        "metrics": data["metrics"]}}}  # fmt: skip
    specs = data.get("suites") if isinstance(data, dict) else None
    if not isinstance(specs, dict) or not specs:
        raise InputError(f'{baseline}: expected {{"suites": {{NAME: {{...}}}}}}')
    root = repo_root(baseline)
    return {name: _suite(name, spec, root, bench, str(baseline)) for name, spec in specs.items()}


def _names(option: str | None, suites: dict[str, Suite]) -> list[str]:
    names = [n.strip() for n in (option or "").split(",") if n.strip()]
    if unknown := [n for n in names if n not in suites]:
        raise InputError(f"unknown suite {unknown[0]!r}: use {', '.join(suites)}")
    return names


def adhoc(suite: Suite, gold: str | None, corpus: str | None) -> Suite:
    """The suite with the gold file and/or corpus given on the command line in place of its
    own, still gated on its floors. Another corpus may lack a page the gold cites."""
    other = corpus is not None and Path(corpus).resolve() != suite.corpus.resolve()
    return replace(
        suite,
        gold=(Path(gold),) if gold else suite.gold,
        corpus=Path(corpus) if corpus else suite.corpus,
        benchmark=False,  # paths given by hand must exist
        lenient=suite.lenient or other,
    )


def plan(
    suites: dict[str, Suite], *, names: str | None, gold: str | None, corpus: str | None,
    out: Path, bench: Path, bench_asked: bool,
) -> Plan:  # fmt: skip
    """The runs of one ``qa eval``. With ``gold`` or ``corpus``: one ad-hoc run of the suite
    named (default seeds) into ``out``. Otherwise the suites named (default: all), the main one
    into ``out`` and each other into ``out/NAME``; a benchmark suite whose data is absent from
    the default folder is skipped with a note, anywhere else it is an error."""
    chosen = _names(names, suites)
    if gold or corpus:
        if len(chosen) > 1:
            raise InputError("--gold/--corpus replace one suite's data: name at most one --suite")
        return Plan([(adhoc(suites[chosen[0] if chosen else MAIN_SUITE], gold, corpus), out)], [])
    if bench_asked and not bench.is_dir():
        raise InputError(f"{bench}: no such benchmark folder (--bench or ${BENCH_ENV})")
    runs: list[tuple[Suite, Path]] = []
    skipped: list[tuple[Suite, Path]] = []
    for name in chosen or list(suites):
        suite = suites[name]
        missing = suite.missing(bench) if suite.benchmark else None
        if missing is not None and not bench_asked and not chosen:
            skipped.append((suite, missing))
            continue
        if missing is not None:
            raise InputError(f"{shown(missing)} not found: the {name} suite cannot run")
        runs.append((suite, out if name == MAIN_SUITE else out / name))
    if not runs:
        raise InputError("no suite to run")
    kept = ", ".join(s.name for s, _ in runs)
    notes = [f"{shown(missing)} not found: the {s.name} suite is skipped,"
             f" gating on the {kept} suite{'s' if len(runs) > 1 else ''} alone"
             for s, missing in skipped]  # fmt: skip
    return Plan(runs, notes)
