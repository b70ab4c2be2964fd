"""The web chat: a Gradio app over one ``Assistant``. ``create_app`` wires it, ``serve`` runs it.

    >>> from qa import Assistant, Settings
    >>> app = create_app(Assistant.open(Settings()))            # doctest: +SKIP
    >>> app.launch(server_name="127.0.0.1", **LAUNCH_OPTIONS)   # doctest: +SKIP

The page (``ui.page``): the chat, with examples drawn from what is indexed on first open and a
scope (dates, outlets, chosen articles) under it; beside it the sources of an answer (each
``[n]`` of an answer opens its article with the quote highlighted), the list of indexed articles,
and a form to add articles (``ui.uploads``). The events are ``ui.chat``'s and ``ui.library``'s.
Besides the page, the app serves one API endpoint, ``/ask`` (question -> ``Answer.to_dict()``),
for ``gradio_client``.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
import threading
from typing import Any

import qa  # first: sets the offline and no-telemetry switches before gradio is imported
from qa import Assistant, IndexEmptyError, InputError, QAError, Settings
from ui.chat import Chat
from ui.examples import EXAMPLES_FILE, load_curated, seeds_folder
from ui.library import Library, scope_label
from ui.login import login_options
from ui.page import PAGE_CSS, Page, layout
from ui.uploads import MAX_FILE_BYTES, Uploads

import gradio as gr  # isort: skip

log = logging.getLogger(__name__)

# Page-level theme, style and footer: Gradio 6 takes these at launch(), not in Blocks().
# Gradio refuses a whole upload when one file is over its limit: so its limit is only a guard
# against filling the disk, well above ours, which refuses just the file that is too big.
LAUNCH_OPTIONS: dict[str, Any] = {
    "theme": gr.themes.Soft(),
    "css": PAGE_CSS,
    "footer_links": ["api"],
    "max_file_size": 10 * MAX_FILE_BYTES,
}
# Gradio's copies of uploaded files (ours are in QA_HOME/uploads): checked hourly, gone after a day.
DELETE_CACHE = (3600, 86400)


def _wire_chat(page: Page, chat: Chat, concurrency: int) -> None:
    # Questions from the page and from the API share one queue of ``concurrency`` workers (the
    # Assistant answers side by side); a queue shows waiting users their place.
    asking: dict[str, Any] = {
        "concurrency_id": "assistant",
        "concurrency_limit": concurrency,
        "show_progress": "minimal",
        "api_visibility": "private",
    }
    quick: dict[str, Any] = {"concurrency_limit": None, "api_visibility": "private"}
    outputs = [page.question, page.chatbot, page.turns, page.picker, page.panel, page.export,
               page.shown, page.tabs]  # fmt: skip
    inputs = [page.question, page.chatbot, page.turns, *page.scope_form]
    page.question.submit(chat.respond, inputs, outputs, **asking)
    page.send.click(chat.respond, inputs, outputs, **asking)
    page.chatbot.example_select(chat.respond_example, inputs[1:], outputs, **asking)
    page.picker.input(chat.show, [page.picker, page.turns, page.shown], page.panel, **quick)
    page.panel.click(chat.open_citation, page.turns,
                     [page.picker, page.panel, page.shown, page.tabs], **quick)  # fmt: skip
    page.chatbot.clear(chat.clear, None,
                       [page.turns, page.picker, page.panel, page.export, page.shown],
                       api_visibility="private")  # fmt: skip
    gr.api(chat.ask_api, api_name="ask", concurrency_id="assistant",
           concurrency_limit=concurrency)  # fmt: skip


def _wire_library(page: Page, library: Library) -> None:
    quick: dict[str, Any] = {"concurrency_limit": None, "api_visibility": "private",
                             "show_progress": "hidden"}  # fmt: skip
    # Indexing has a queue of its own: between two files, questions get their turn.
    adding: dict[str, Any] = {"concurrency_id": "indexing", "api_visibility": "private"}
    listed = [page.filter, page.only]
    for control in page.scope_form:
        control.change(scope_label, page.scope_form, page.scope_box, **quick)
    page.filter.change(library.listing, listed, page.listing, trigger_mode="always_last", **quick)
    page.only.input(library.listing, listed, page.listing, **quick)
    page.listing.select(library.open, None, page.viewer, **quick)
    page.listing.click(library.pick, page.only, page.only, **quick)
    page.clear_scope.click(lambda: ("", "", "", [], [], ""), None,
                           [*page.scope_form, page.filter], **quick).then(
        library.listing, listed, page.listing, **quick)  # fmt: skip
    page.files.upload(library.add_files, [page.files, *listed],
                      [page.status, page.files, *page.followers], **adding)  # fmt: skip
    page.paste_add.click(library.add_text, [*page.paste, *listed],
                         [page.status, *page.paste, *page.followers], **adding)  # fmt: skip


def create_app(assistant: Assistant) -> gr.Blocks:
    """The chat page and the ``ask`` API endpoint over ``assistant`` (not launched)."""
    curated = load_curated(seeds_folder() / EXAMPLES_FILE)
    with gr.Blocks(title="News QA", delete_cache=DELETE_CACHE) as app:
        library = Library(assistant, curated, login_required=lambda: app.auth is not None)
        page = layout(library.collection())
        _wire_chat(page, Chat(assistant), assistant.settings.concurrency)
        _wire_library(page, library)
        # Another user may have added articles since the app started: every page load shows
        # the collection as it is now.
        app.load(library.refresh, [page.filter, page.only], page.followers,
                 api_visibility="private", show_progress="hidden")  # fmt: skip
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


def open_assistant(settings: Settings) -> Assistant:
    """Open the index, building it from the seeds first when there is none."""
    try:
        return Assistant.open(settings)
    except IndexEmptyError:
        seeds = seeds_folder()
        print(f"no articles indexed under {settings.home}: indexing {seeds} first", file=sys.stderr)
        qa.index_paths(settings, [seeds])
        return Assistant.open(settings)


def restore_uploads(assistant: Assistant) -> None:
    """Index the articles added from the page again (a rebuilt index gets them back; one whose
    file was deleted leaves); one line when that changed anything, never a failed start."""
    try:
        report = Uploads(assistant).restore()
    except QAError as exc:
        print(f"warning: the uploaded articles could not be indexed: {exc}", file=sys.stderr)
        return
    if report and (report.added or report.updated or report.removed):
        print(f"uploaded articles: {report.added} added, {report.updated} updated,"
              f" {report.removed} removed", file=sys.stderr)  # fmt: skip
    for warning in report.warnings if report else []:
        log.warning("uploads: %s", warning)


def warm_up(assistant: Assistant) -> None:
    try:
        assistant.warm_up()
    except Exception:  # a failing warm-up must not stop the app; the user's question will tell
        log.exception("warm-up question failed")


def run_cli(args: argparse.Namespace, settings: Settings) -> int:
    """``qa chat``: registered for qa's command line in pyproject.toml (``qa.commands`` entry
    points), so that qa itself never imports ui. Returns the exit code."""
    if args.generator:
        settings = settings.model_copy(update={"generator": args.generator})
    return serve(settings, host=args.host, port=args.port, auth=args.auth)


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None
) -> int:
    """Run the web chat until interrupted (``qa chat``). Returns the exit code."""
    if auth is None and settings.auth is not None:
        auth = settings.auth.get_secret_value()
    credentials = parse_auth(auth)
    if not is_loopback(host) and credentials is None:
        print(
            f"warning: serving on {host} without a login: anyone who can reach it can ask and"
            " add articles (set QA_AUTH=user:password)",
            file=sys.stderr,
        )
    assistant = open_assistant(settings)
    restore_uploads(assistant)
    # The first answer pays for loading the model's kernels and the caches (~10 s here): pay it
    # while the page loads, not when the first user asks. ask() is serialised, so a question
    # arriving meanwhile simply waits for it.
    threading.Thread(target=warm_up, args=(assistant,), daemon=True).start()
    try:
        app = create_app(assistant)
        app.launch(server_name=host, server_port=port, **login_options(credentials),
                   **LAUNCH_OPTIONS)  # fmt: skip
    except OSError as exc:
        print(f"error: cannot serve on {host}:{port}: {exc}", file=sys.stderr)
        return 2
    finally:
        assistant.close()
    return 0
