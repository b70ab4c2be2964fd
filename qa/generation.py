"""Fluent answers: a language model words the answer from numbered evidence sentences, then
``qa.grounding`` keeps only what the evidence supports and attaches the citations itself.

The extractive composer still decides whether to answer at all: a question its evidence score
refuses is refused without calling the model (refusals stay calibrated and cheap), and when the
articles disagree on a figure the answer is its per-article list, which a small model would blur.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from index.embedding import Vectors
from qa.compose import answers, beside
from qa.drafts import ArticleInfo, Draft, attribution, cite
from qa.entities import entities
from qa.evidence import Sentence
from qa.grounding import MIN_SUPPORT, ground
from qa.llm import LLM, LLMUnavailable
from qa.question import AnswerType, answer_type

_MARKERS = re.compile(r"\s*\[\d+\]")
SYSTEM = (
    "You answer questions about news articles using only the numbered passages you are given. "
    "Answer in one to three short sentences; the first one answers the question directly, with "
    "the name, figure, place or date asked for. End every sentence with the number of the passage it "
    "comes from in square brackets, like [2]. Copy figures, names and dates exactly as the passages "
    "give them; never add facts that are not in the passages. If the passages give different "
    "figures, say so and give each one with its passage number. If the passages do not answer the "
    "question, reply exactly: NOT IN ARTICLES"
)


@dataclass(frozen=True)
class Worded:
    """The end of a stream: the draft, and whether the model worded it (else it is the
    extractive draft, passed through)."""

    draft: Draft
    by_model: bool


@dataclass(frozen=True)
class Numbered:
    """The evidence the model sees, numbered from 1 in the prompt; the first ``answered`` of
    them are the sentences the extractive answer quotes."""

    sentences: list[Sentence]
    answered: int

    def prompt_lines(self, info: dict[str, ArticleInfo]) -> str:
        return "\n".join(
            f"[{n}] ({attribution(info[s.article_id])}) {s.text}"
            for n, s in enumerate(self.sentences, start=1)
        )


def select_evidence(evidence: list[Sentence], draft: Draft, limit: int) -> Numbered:
    """The extractive answer's sentences first, then the next best, each span once."""
    first = {(c.article_id, c.start) for c in draft.citations}
    ordered = [s for s in evidence if (s.article_id, s.start) in first]
    ordered += [s for s in evidence if (s.article_id, s.start) not in first]
    seen: set[str] = set()
    out = []
    for s in ordered:
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    answered = len({s.text for s in evidence if (s.article_id, s.start) in first})
    return Numbered(out[:limit], min(answered, limit))


def messages_for(question: str, history: list[dict[str, Any]] | None, numbered: Numbered,
                 info: dict[str, ArticleInfo]) -> list[dict[str, str]]:  # fmt: skip
    """System rules, the last exchanges (for follow-ups), then passages and question."""
    out = [{"role": "system", "content": SYSTEM}]
    for m in (history or [])[-4:]:
        role, content = m.get("role"), str(m.get("content") or "")
        if role in ("user", "assistant") and content:
            # earlier markers point at earlier passages: keep them out of this prompt's numbering
            content = _MARKERS.sub("", content)[:1000]
            out.append({"role": str(role), "content": content})
    out.append({
        "role": "user",
        "content": f"Passages:\n{numbered.prompt_lines(info)}\n\nQuestion: {question}",
    })  # fmt: skip
    return out


def names_the_answer(question: str, best: Sentence, base: Draft, text: str) -> bool:
    """Whether ``text`` (the model's kept sentences) holds one of the things the best evidence
    sentence (or the quoted one next to it) gives for a who / where / which / how-many / when
    question: a small model sometimes answers with another name from the passages ("Reuters"
    for "the AP reported")."""
    kind = answer_type(question)
    lead = [
        c.quote for c in base.citations
        if c.article_id == best.article_id
        and (c.start == best.start or beside(best.start, best.end, c.start, c.end))
    ]  # fmt: skip
    want = {e for quote in lead for e in answers(kind, quote)} - entities(question, kind)
    if kind is AnswerType.OTHER or not want:
        return True
    lowered = text.lower()  # whole words: "us" is not in "Russia"
    return any(re.search(rf"(?<!\w){re.escape(e)}(?!\w)", lowered) for e in want)


class LLMGenerator:
    """Streams the model's reply, then yields the grounded draft (``Worded``) as the last item."""

    def __init__(self, llm: LLM, embed: Callable[[list[str]], Vectors], *, passages: int = 5,
                 max_tokens: int = 160, timeout: float = 60.0,
                 min_support: float = MIN_SUPPORT) -> None:  # fmt: skip
        self.llm = llm
        self.name = llm.name
        self.embed = embed
        self.passages = passages
        self.max_tokens = max_tokens
        self.min_support = min_support
        self.timeout = timeout

    def stream(self, question: str, history: list[dict[str, Any]] | None,
               evidence: list[Sentence], evidence_vectors: Callable[[list[Sentence]], Vectors],
               info: dict[str, ArticleInfo], base: Draft) -> Iterator[str | Worded]:  # fmt: skip
        """``base`` is the extractive draft: refusals and disagreements pass through as they are,
        and it is the answer whenever the model's cannot be (declined, nothing supported, or not
        resting on the best evidence). Raises ``LLMUnavailable`` when the model cannot answer."""
        if base.refused or base.disagreement is not None:
            yield Worded(base, False)
            return
        numbered = select_evidence(evidence, base, self.passages)
        reply = []
        deadline = time.monotonic() + self.timeout
        for delta in self.llm.stream(messages_for(question, history, numbered, info),
                                     self.max_tokens):  # fmt: skip
            reply.append(delta)
            yield delta
            if time.monotonic() > deadline:
                raise LLMUnavailable(f"the model took longer than {self.timeout:g} s")
        texts = [s.text for s in numbered.sentences]
        grounded = ground("".join(reply), texts, evidence_vectors(numbered.sentences),
                          self.embed, self.min_support, question)  # fmt: skip
        notes = []
        if grounded.dropped:
            n = len(grounded.dropped)
            notes.append(f"{n} sentence{'s' if n > 1 else ''} of the model's answer left out:"
                         " the articles do not support it")  # fmt: skip
        # The extractive answer stands, with a note, when the model's answer cannot: when the model
        # says the passages do not answer (they passed the refusal threshold), when nothing it
        # wrote is supported, or when none of it rests on the sentences the extractive answer
        # quotes (the model then answers from a side passage: "the troops were gathered in Crimea"
        # for "how many troops"). Refusing there would say the articles do not answer what they do.
        fallback = (
            "the model found no answer in the passages" if grounded.declined
            else "the model's answer was not supported by the passages" if grounded.refused
            else "the model's answer left out the best evidence"
            if not any(n <= numbered.answered for _, ns in grounded.sentences for n in ns)
            else "the model's answer names none of the things the evidence answers with"
            if not names_the_answer(question, evidence[0], base,
                                    " ".join(t for t, _ in grounded.sentences))
            else None
        )  # fmt: skip
        if fallback:
            note = f"{fallback}; these are the evidence sentences"
            yield Worded(replace(base, notes=[*base.notes, note]), False)
            return
        yield Worded(self._draft(grounded.sentences, numbered, info, notes), True)

    @staticmethod
    def _draft(sentences: list[tuple[str, list[int]]], numbered: Numbered,
               info: dict[str, ArticleInfo], notes: list[str]) -> Draft:  # fmt: skip
        markers: dict[int, int] = {}  # evidence number -> citation marker
        citations = []
        parts = []
        for sentence, support in sentences:
            for n in support:
                if n not in markers:
                    markers[n] = len(markers) + 1
                    citations.append(cite(markers[n], numbered.sentences[n - 1], info))
            tags = "".join(f"[{markers[n]}]" for n in support)
            parts.append(f"{sentence.rstrip()} {tags}")
        return Draft(" ".join(parts), False, citations, notes)
