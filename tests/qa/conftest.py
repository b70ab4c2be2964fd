"""Fixtures for the read side: a fast assistant over fakes, and a real one over the seeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa import Assistant, Settings, index_paths

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def seed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real on-disk index of seeds/ (real model, real Chroma), built once per session."""
    home = tmp_path_factory.mktemp("seed-home")
    index_paths(Settings(home=home), [REPO / "seeds"], progress=False)
    return home


@pytest.fixture(scope="module")
def real_assistant(seed_home: Path) -> Iterator[Assistant]:
    with Assistant.open(Settings(home=seed_home)) as assistant:
        yield assistant
