"""Fixtures for the read side: a fast assistant over fakes, and a real one over the seeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa import Assistant, Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real_assistant(seed_home: Path) -> Iterator[Assistant]:
    with Assistant.open(Settings(home=seed_home)) as assistant:
        yield assistant
