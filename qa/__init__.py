"""News QA: answers questions about news articles; every claim cites the passage it came from.

>>> from qa import Assistant
>>> answer = Assistant.open().ask("How many people were evacuated?")  # doctest: +SKIP
"""

from index.errors import (
    IndexEmptyError,
    IndexLockedError,
    IndexMismatchError,
    InputError,
    QAError,
    StoreUnavailableError,
)
from index.indexer import IndexReport
from index.onnx_minilm import cpu_flags
from qa.answer import Answer, Citation, Passage
from qa.assistant import Assistant, IndexSummary
from qa.backend import index_paths
from qa.grounding import MIN_SUPPORT, similarities, split_answer, support_score
from qa.settings import GENERATORS, Settings  # first: sets the offline and no-telemetry switches

__all__ = [
    "GENERATORS",
    "MIN_SUPPORT",
    "Answer",
    "Assistant",
    "Citation",
    "IndexEmptyError",
    "IndexLockedError",
    "IndexMismatchError",
    "IndexReport",
    "IndexSummary",
    "InputError",
    "Passage",
    "QAError",
    "Settings",
    "StoreUnavailableError",
    "cpu_flags",
    "index_paths",
    "similarities",
    "split_answer",
    "support_score",
]
