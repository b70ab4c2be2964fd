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
from qa.answer import Answer, ArticleText, Citation, Disagreement, Figure, Passage
from qa.assistant import Assistant, IndexSummary
from qa.backend import index_paths
from qa.settings import GENERATORS, Settings  # first: sets the offline and no-telemetry switches

__all__ = [
    "GENERATORS",
    "Answer",
    "ArticleText",
    "Assistant",
    "Citation",
    "Disagreement",
    "Figure",
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
]
