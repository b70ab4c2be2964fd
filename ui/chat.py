"""What the chat's events do: ask (with the scope the page shows), open a citation, show the
sources, clear, export, and the ``/ask`` API endpoint.

Everything a session owns comes in and goes out through ``gr.State``: its turns (each answer with
the scope it was asked in) and which turn the sources panel shows. The only shared object is the
``Assistant``, whose ``ask`` is thread-safe.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from qa import Answer, Assistant, InputError, QAError
from ui import render
from ui.export import conversation_markdown
from ui.scope import Scope, Turn

import gradio as gr  # isort: skip

log = logging.getLogger(__name__)

ALL = "All sources"
SOURCES_TAB = "sources"
UNEXPECTED = "Something went wrong while answering (the error is in the server log). Try again."


def history_of(answers: list[Answer]) -> list[dict[str, Any]]:
    """The conversation so far as ``Assistant.ask`` wants it: each assistant message carries its
    citations, so a follow-up keeps the articles it is about in view."""
    messages: list[dict[str, Any]] = []
    for answer in answers:
        data = answer.to_dict()
        messages.append({"role": "user", "content": answer.question})
        messages.append(
            {"role": "assistant", "content": answer.text, "citations": data["citations"]}
        )
    return messages


def picker_for(answer: Answer, value: str = ALL) -> Any:
    """The choice of "all sources" or one citation of ``answer`` (hidden without citations)."""
    choices = [(render.citation_label(c), str(c.marker)) for c in answer.citations]
    return gr.Radio(choices=[(ALL, ALL), *choices], value=value, visible=bool(choices))


class Chat:
    """The chat's handlers over one Assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def titles(self, article_ids: tuple[str, ...]) -> dict[str, str]:
        """Titles of chosen articles, to name them in a scope line."""
        found = (self.assistant.article(i) for i in article_ids)
        return {a.id: render.shorten(a.title or a.id, 60) for a in found if a}

    def _said(self, scope: Scope) -> str | None:
        """The scope in words, for the line above an answer (None: all articles)."""
        return None if scope.is_empty else scope.describe(self.titles(scope.article_ids))

    def export(self, turns: list[Turn]) -> str:
        """The conversation as Markdown (what the export button downloads)."""
        chosen = tuple(dict.fromkeys(i for t in turns for i in t.scope.article_ids))
        return conversation_markdown(turns, self.titles(chosen)) if turns else ""

    def _answers(
        self, question: str, turns: list[Turn], scope: Scope
    ) -> Iterator[tuple[str, Answer | None, bool]]:
        """(chat message, Answer, done) as the answer is written: the model's draft while it
        streams, then the verified answer (or one error line: done with no Answer)."""
        try:
            draft = ""
            history = history_of([t.answer for t in turns])
            for item in self.assistant.stream(question, history=history, **scope.filters()):
                if isinstance(item, Answer):
                    yield render.answer_markdown(item, len(turns), self._said(scope)), item, True
                    return
                draft += item
                yield render.draft_markdown(draft), None, False
        except QAError as exc:
            yield render.error_markdown(str(exc)), None, True
        except Exception:
            log.exception("answering %r failed", question)
            yield render.error_markdown(UNEXPECTED), None, True

    def respond(
        self, question: str, chat: list[dict[str, Any]], turns: list[Turn], *form: Any
    ) -> Iterator[tuple[Any, ...]]:
        """Show the question at once with a pending note, the model's draft as it streams (with
        a language model), then the verified answer and its sources. ``form``: the scope
        controls' values. Yields (textbox, chat, turns, picker, panel, export, shown, tabs)."""
        question = (question or "").strip()
        keep = (gr.skip(),) * 5
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), *keep
            return
        chat = [*chat, {"role": "user", "content": render.question_markdown(question)}]
        try:
            scope = Scope.from_form(*form)
        except InputError as exc:
            chat.append({"role": "assistant", "content": render.error_markdown(str(exc))})
            yield "", chat, turns, *keep
            return
        chat.append({"role": "assistant", "content": "", "metadata": render.PENDING})
        yield "", chat, turns, *keep
        for message, answer, done in self._answers(question, turns, scope):
            if not done:
                draft = {"role": "assistant", "content": message, "metadata": render.DRAFTING}
                yield "", [*chat[:-1], draft], turns, *keep
                continue
            chat = [*chat[:-1], {"role": "assistant", "content": message}]
            if answer is None:
                yield "", chat, turns, *keep
                return
            turns = [*turns, Turn(answer, scope)]
            yield (
                "",
                chat,
                turns,
                picker_for(answer),
                render.sources_html(answer.citations, answer.passages, answer.question),
                self.export(turns),
                len(turns) - 1,
                gr.Tabs(selected=SOURCES_TAB),
            )

    def respond_example(
        self, evt: gr.SelectData, chat: list[dict[str, Any]], turns: list[Turn], *form: Any
    ) -> Iterator[tuple[Any, ...]]:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        yield from self.respond(str(value.get("text", "")), chat, turns, *form)

    def open_citation(self, evt: gr.EventData, turns: list[Turn]) -> tuple[Any, ...]:
        """A ``[n]`` clicked in an answer: that answer's citation, in its article, in the
        sources panel. Returns (picker, panel, shown, tabs)."""
        try:
            turn, marker = int(getattr(evt, "turn", -1)), int(getattr(evt, "marker", -1))
        except (TypeError, ValueError):
            turn = marker = -1
        if not 0 <= turn < len(turns):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        answer = turns[turn].answer
        choice = str(marker) if any(c.marker == marker for c in answer.citations) else ALL
        return (
            picker_for(answer, choice),
            self._panel(answer, choice),
            turn,
            gr.Tabs(selected=SOURCES_TAB),
        )

    def show(self, choice: str | None, turns: list[Turn], shown: int | None) -> str:
        """The panel for a choice: all sources of the answer shown, or one cited article."""
        if not turns:
            return render.sources_html([])
        index = shown if isinstance(shown, int) and 0 <= shown < len(turns) else len(turns) - 1
        return self._panel(turns[index].answer, choice)

    def _panel(self, answer: Answer, choice: str | None) -> str:
        for citation in answer.citations:
            if str(citation.marker) == choice:
                article = self.assistant.article(citation.article_id)
                if article is None:
                    return render.missing_article_html(citation)
                return render.article_html(article.text, citation)
        return render.sources_html(answer.citations, answer.passages, answer.question)

    @staticmethod
    def clear() -> tuple[Any, ...]:
        """A fresh start: (turns, picker, panel, export, shown)."""
        hidden = gr.Radio(choices=[], value=None, visible=False)
        return [], hidden, render.sources_html([]), "", 0

    def ask_api(self, question: str) -> dict[str, Any]:
        """Answer one question from the articles; returns Answer.to_dict()."""
        try:
            return self.assistant.ask(question).to_dict()
        except QAError as exc:  # the user's mistake, not the server's: one line, no traceback
            log.warning("question refused (API): %s", exc)
            raise gr.Error(str(exc), print_exception=False) from exc
        except Exception as exc:
            log.exception("answering %r (API) failed", question)
            raise gr.Error(UNEXPECTED) from exc
