"""The web chat: a Gradio app over one ``Assistant``. ``create_app`` wires it, ``serve`` runs it.

    >>> from qa import Assistant, Settings
    >>> app = create_app(Assistant.open(Settings()))            # doctest: +SKIP
    >>> app.launch(server_name="127.0.0.1", **LAUNCH_OPTIONS)   # doctest: +SKIP

Layout: the chat (with example questions on first open) on the left; the sources of the last
answer on the right, where choosing one shows its whole article with the cited span highlighted.
Everything a session owns (its past answers) lives in ``gr.State``; the only shared object is the
``Assistant``, whose ``ask`` is thread-safe. Besides the page, the app serves one API endpoint,
``/ask`` (question -> ``Answer.to_dict()``), for ``gradio_client``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qa  # first: sets the offline and no-telemetry switches before gradio is imported
from qa import Answer, Assistant, IndexEmptyError, InputError, QAError, Settings
from ui import render

import gradio as gr  # isort: skip

log = logging.getLogger(__name__)

EXAMPLES = [
    "How many Russian troops are at Ukraine's border?",
    "Who is the Kremlin spokesman?",
    "Where did Blinken meet Lavrov?",
    "How many troops did Ukraine's defense minister say Russia has amassed?",
]
ALL = "All sources"
UNEXPECTED = "Something went wrong while answering (the error is in the server log). Try again."

# Keeps the highlighted passage in view whenever the article changes: scroll the article's own
# box to the mark, then make sure the box itself is on screen.
SCROLL_TO_CITED = """
const toCited = () => requestAnimationFrame(() => {
  const mark = element.querySelector('#cited');
  const body = element.querySelector('.qa-article-body');
  if (!mark || !body) return;
  body.scrollTop = Math.max(0, mark.offsetTop - body.clientHeight / 4);
  body.scrollIntoView({block: 'nearest'});
});
watch('value', toCited);
toCited();
"""

PANEL_CSS = """
.qa-sources { display: flex; flex-direction: column; gap: 10px; }
.qa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  background: var(--background-fill-secondary); }
.qa-title { font-weight: 600; line-height: 1.3; }
.qa-marker, .qa-article-title { color: var(--color-accent); font-style: normal; font-weight: 600; }
.qa-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 4px; }
.qa-quote { margin: 6px 0 2px !important; padding: 2px 0 2px 10px; border-left: 3px solid #f5c542;
  font-style: italic; overflow-wrap: anywhere; }
.qa-empty, .qa-caption { color: var(--body-text-color-subdued); font-style: italic; }
.qa-closest { margin: 0; }
.qa-article-title { font-weight: 600; font-size: 1.05em; }
.qa-article-body { position: relative; white-space: pre-wrap; overflow-wrap: anywhere;
  max-height: 55vh; overflow-y: auto; padding: 8px 10px; line-height: 1.5;
  border: 1px solid var(--border-color-primary); border-radius: 8px; }
.qa-cited { background: #ffe066; color: #1a1a1a; padding: 1px 0; border-radius: 2px; }
.qa-warning { color: var(--body-text-color-subdued); font-style: italic; }
"""

# Page-level theme, style and footer: Gradio 6 takes these at launch(), not in Blocks().
LAUNCH_OPTIONS: dict[str, Any] = {
    "theme": gr.themes.Soft(),
    "css": "#qa-input textarea { font-size: 1rem; }",
    "footer_links": ["api"],
}


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


class Handlers:
    """What the page's events do. The Assistant is the only shared object; everything a session
    owns (its past answers) comes in and goes out through ``gr.State``."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def _answers(
        self, question: str, answers: list[Answer]
    ) -> Iterator[tuple[str, Answer | None, bool]]:
        """(chat message, Answer, done) as the answer is written: the model's draft while it
        streams, then the verified answer (or one error line: done with no Answer)."""
        try:
            draft = ""
            for item in self.assistant.stream(question, history=history_of(answers)):
                if isinstance(item, Answer):
                    yield render.answer_markdown(item), item, True
                    return
                draft += item
                yield render.draft_markdown(draft), None, False
        except QAError as exc:
            yield render.error_markdown(str(exc)), None, True
        except Exception:
            log.exception("answering %r failed", question)
            yield render.error_markdown(UNEXPECTED), None, True

    def respond(
        self, question: str, chat: list[dict[str, Any]], answers: list[Answer]
    ) -> Iterator[tuple[Any, ...]]:
        """Show the question at once with a pending note, the model's draft as it streams (with
        a language model), then the verified answer and its sources.
        Yields (textbox, chat, answers, picker, panel)."""
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        chat = [
            *chat,
            {"role": "user", "content": render.question_markdown(question)},
            {"role": "assistant", "content": "", "metadata": render.PENDING},
        ]
        yield "", chat, answers, gr.skip(), gr.skip()
        for message, answer, done in self._answers(question, answers):
            if not done:
                draft = {"role": "assistant", "content": message, "metadata": render.DRAFTING}
                yield "", [*chat[:-1], draft], answers, gr.skip(), gr.skip()
                continue
            chat = [*chat[:-1], {"role": "assistant", "content": message}]
            if answer is None:
                yield "", chat, answers, gr.skip(), gr.skip()
                return
            choices = [(render.citation_label(c), str(c.marker)) for c in answer.citations]
            yield (
                "",
                chat,
                [*answers, answer],
                gr.Radio(choices=[(ALL, ALL), *choices], value=ALL, visible=bool(choices)),
                render.sources_html(answer.citations, answer.passages, answer.question),
            )

    def respond_example(
        self, evt: gr.SelectData, chat: list[dict[str, Any]], answers: list[Answer]
    ) -> Iterator[tuple[Any, ...]]:
        value = evt.value if isinstance(evt.value, dict) else {"text": str(evt.value)}
        yield from self.respond(str(value.get("text", "")), chat, answers)

    def show(self, choice: str | None, answers: list[Answer]) -> str:
        """The panel for a choice: all sources of the last answer, or one cited article."""
        if not answers:
            return render.sources_html([])
        answer = answers[-1]
        for citation in answer.citations:
            if str(citation.marker) == choice:
                text = self.assistant.article(citation.article_id)
                if text is None:
                    return render.missing_article_html(citation)
                return render.article_html(text, citation)
        return render.sources_html(answer.citations, answer.passages, answer.question)

    @staticmethod
    def clear() -> tuple[Any, ...]:
        return [], gr.Radio(choices=[], value=None, visible=False), render.sources_html([])

    def ask_api(self, question: str) -> dict[str, Any]:
        """Answer one question from the articles; returns Answer.to_dict()."""
        try:
            return self.assistant.ask(question).to_dict()
        except QAError as exc:
            raise gr.Error(str(exc)) from exc
        except Exception as exc:
            log.exception("answering %r (API) failed", question)
            raise gr.Error(UNEXPECTED) from exc


@dataclass
class Page:
    """The components the events read and write."""

    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    answers: gr.State
    picker: gr.Radio
    panel: gr.HTML


def _chat_column() -> tuple[gr.Chatbot, gr.Textbox, gr.Button]:
    chatbot = gr.Chatbot(
        label="Chat",
        show_label=False,
        elem_id="qa-chat",
        height="62vh",
        min_height=360,
        examples=[{"text": q} for q in EXAMPLES],
        placeholder="**Ask about the news articles.** Try one of these:",
        latex_delimiters=[],  # "$5 and $6" is money, not maths
        allow_tags=False,
        feedback_options=None,
        buttons=["copy"],
    )
    with gr.Row(equal_height=True):
        question = gr.Textbox(
            show_label=False,
            placeholder="Ask a question about the articles…",
            elem_id="qa-input",
            scale=6,
            max_lines=4,
            autofocus=True,
        )
        send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="qa-send")
    return chatbot, question, send


def _layout(assistant: Assistant) -> Page:
    gr.Markdown("## News QA")
    gr.Markdown(render.header_markdown(assistant.summary()), elem_id="qa-header")
    answers = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            chatbot, question, send = _chat_column()
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("### Sources")
            picker = gr.Radio(
                choices=[],
                label="Show",
                info="all sources of the last answer, or one of them in its whole article",
                elem_id="qa-picker",
                visible=False,
            )
            panel = gr.HTML(
                render.sources_html([]),
                elem_id="qa-panel",
                css_template=PANEL_CSS,
                js_on_load=SCROLL_TO_CITED,
            )
    return Page(chatbot, question, send, answers, picker, panel)


def _wire(page: Page, handlers: Handlers) -> None:
    # Questions from the page and from the API share one queue: ask() is serialised anyway,
    # and a queue shows waiting users their place instead of blocking a worker thread.
    asking: dict[str, Any] = {
        "concurrency_id": "assistant",
        "show_progress": "minimal",
        "api_visibility": "private",
    }
    outputs = [page.question, page.chatbot, page.answers, page.picker, page.panel]
    inputs = [page.question, page.chatbot, page.answers]
    page.question.submit(handlers.respond, inputs, outputs, **asking)
    page.send.click(handlers.respond, inputs, outputs, **asking)
    page.chatbot.example_select(
        handlers.respond_example, [page.chatbot, page.answers], outputs, **asking
    )
    page.picker.input(
        handlers.show,
        [page.picker, page.answers],
        page.panel,
        concurrency_limit=None,
        api_visibility="private",
    )
    page.chatbot.clear(
        handlers.clear, None, [page.answers, page.picker, page.panel], api_visibility="private"
    )
    gr.api(handlers.ask_api, api_name="ask", concurrency_id="assistant")


def create_app(assistant: Assistant) -> gr.Blocks:
    """The chat page and the ``ask`` API endpoint over ``assistant`` (not launched)."""
    with gr.Blocks(title="News QA") as app:
        _wire(_layout(assistant), Handlers(assistant))
    return app


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """ "user:password" -> ("user", "password"); None or "" -> no login."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise InputError('auth must look like "user:password" (from --auth or QA_AUTH)')
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def seeds_folder() -> Path:
    """seeds/ here, or the one shipped next to the packages (an editable install)."""
    here = Path("seeds")
    return here if here.is_dir() else Path(__file__).resolve().parents[1] / "seeds"


def open_assistant(settings: Settings) -> Assistant:
    """Open the index, building it from the seeds first when there is none."""
    try:
        return Assistant.open(settings)
    except IndexEmptyError:
        seeds = seeds_folder()
        print(f"no articles indexed under {settings.home}: indexing {seeds} first", file=sys.stderr)
        qa.index_paths(settings, [seeds])
        return Assistant.open(settings)


def warm_up(assistant: Assistant) -> None:
    try:
        assistant.warm_up()
    except Exception:  # a failing warm-up must not stop the app; the user's question will tell
        log.exception("warm-up question failed")


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None
) -> int:
    """Run the web chat until interrupted (``qa chat``). Returns the exit code."""
    credentials = parse_auth(auth if auth is not None else os.environ.get("QA_AUTH"))
    if not is_loopback(host) and credentials is None:
        print(
            f"warning: serving on {host} without a login: anyone who can reach it can ask"
            " (set QA_AUTH=user:password)",
            file=sys.stderr,
        )
    assistant = open_assistant(settings)
    # The first answer pays for loading the model's kernels and the caches (~10 s here): pay it
    # while the page loads, not when the first user asks. ask() is serialised, so a question
    # arriving meanwhile simply waits for it.
    threading.Thread(target=warm_up, args=(assistant,), daemon=True).start()
    try:
        app = create_app(assistant)
        app.launch(server_name=host, server_port=port, auth=credentials, **LAUNCH_OPTIONS)
    except OSError as exc:
        print(f"error: cannot serve on {host}:{port}: {exc}", file=sys.stderr)
        return 2
    finally:
        assistant.close()
    return 0
