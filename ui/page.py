"""The page's components and their layout (no events: ``ui.app`` wires those).

    ┌ header: what is indexed ───────────────────────────────────────────────┐
    │ chat (examples when empty)            │ [Sources] [Articles] [Add]    │
    │ question ........................ Send │  sources of an answer, or a   │
    │ ▸ Scope: all indexed articles          │  cited article highlighted;   │
    │ Export chat (Markdown)                 │  the article list; uploads    │
    └────────────────────────────────────────┴───────────────────────────────┘

Below about 700 px the two columns stack. Article text reaches the page only through
``ui.render`` (escaped); the scripts below read ids from ``data-`` attributes and never build
markup from text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ui import render
from ui.examples import Examples
from ui.library import Collection, outlets_info
from ui.uploads import LIMITS, MAX_PASTE_CHARS

import gradio as gr  # isort: skip

# The sources panel: keeps the highlighted passage in view whenever the article changes (scroll
# the article's own box to the mark, then the box onto the screen), and opens a citation when a
# [n] of an answer is clicked (or Enter is pressed on it): the link says which answer and marker.
PANEL_JS = """
const toCited = () => requestAnimationFrame(() => {
  const mark = element.querySelector('#cited');
  const body = element.querySelector('.qa-article-body');
  if (!mark || !body) return;
  body.scrollTop = Math.max(0, mark.offsetTop - body.clientHeight / 4);
  body.scrollIntoView({block: 'nearest'});
});
watch('value', toCited);
toCited();
// one listener a page, bound to the panel as last mounted
if (window.qaCiteLinks) document.removeEventListener('click', window.qaCiteLinks, true);
window.qaCiteLinks = (event) => {
  const link = event.target.closest && event.target.closest('#qa-chat a[href^="#cite-"]');
  if (!link) return;
  event.preventDefault();
  const found = /^#cite-(\\d+)-(\\d+)$/.exec(link.getAttribute('href'));
  if (found) trigger('click', {turn: Number(found[1]), marker: Number(found[2])});
};
document.addEventListener('click', window.qaCiteLinks, true);
"""

# The article list: a title opens its article, a box ticks it for "only these articles".
LIST_JS = """
element.addEventListener('click', (event) => {
  const open = event.target.closest('.qa-open');
  if (open) trigger('select', {id: open.dataset.id});
});
element.addEventListener('change', (event) => {
  const box = event.target.closest('.qa-pick');
  if (box) trigger('click', {id: box.dataset.id, picked: box.checked});
});
"""

# An opened article: bring it on screen (on a phone it is below the list).
VIEWER_JS = """
watch('value', () => requestAnimationFrame(() => {
  const article = element.querySelector('.qa-article');
  if (article) article.scrollIntoView({block: 'nearest'});
}));
"""

# The conversation is made into a file in the browser: nothing is written on the server.
EXPORT_JS = """
const button = () => element.querySelector('button');
const sync = () => { const b = button(); if (b) b.disabled = !props.value; };
element.addEventListener('click', (event) => {
  if (!event.target.closest('button') || !props.value) return;
  const blob = new Blob([props.value], {type: 'text/markdown;charset=utf-8'});
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = 'news-qa-chat.md';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
});
watch('value', sync);
sync();
"""
EXPORT_BUTTON = (
    '<button type="button" class="qa-export" disabled'
    ' title="The questions, answers and their numbered quotes, as a Markdown file">'
    "⬇ Export chat (Markdown)</button>"
)

PANEL_CSS = """
.qa-sources { display: flex; flex-direction: column; gap: 10px; }
.qa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  background: var(--background-fill-secondary); }
.qa-title { font-weight: 600; line-height: 1.3; }
.qa-marker, .qa-article-title { color: var(--color-accent); font-style: normal; font-weight: 600; }
.qa-meta { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 2px 0 4px;
  overflow-wrap: anywhere; }
.qa-quote { margin: 6px 0 2px !important; padding: 2px 0 2px 10px; border-left: 3px solid #f5c542;
  font-style: italic; overflow-wrap: anywhere; }
.qa-empty, .qa-caption { color: var(--body-text-color-subdued); font-style: italic; }
.qa-closest { margin: 0; }
.qa-article-title { font-weight: 600; font-size: 1.05em; overflow-wrap: anywhere; }
.qa-article-body { position: relative; white-space: pre-wrap; overflow-wrap: anywhere;
  max-height: 55vh; overflow-y: auto; padding: 8px 10px; line-height: 1.5;
  border: 1px solid var(--border-color-primary); border-radius: 8px; }
.qa-cited { background: #ffe066; color: #1a1a1a; padding: 1px 0; border-radius: 2px; }
.qa-warning { color: var(--body-text-color-subdued); font-style: italic; }
.qa-list-info { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 4px 0; }
.qa-list { list-style: none; margin: 0; padding: 0; max-height: 45vh; overflow-y: auto;
  border: 1px solid var(--border-color-primary); border-radius: 8px; }
.qa-row { display: flex; gap: 8px; align-items: flex-start; padding: 6px 8px; margin: 0;
  border-bottom: 1px solid var(--border-color-primary); }
.qa-row:last-child { border-bottom: none; }
.qa-pick { margin-top: 2px; flex: none; width: 18px; height: 18px; cursor: pointer;
  appearance: auto !important; -webkit-appearance: checkbox !important;
  accent-color: var(--color-accent); opacity: 1 !important; }
.qa-row-main { min-width: 0; flex: 1; }
.qa-open { all: unset; cursor: pointer; font-weight: 600; line-height: 1.3; overflow-wrap: anywhere;
  color: var(--body-text-color); }
.qa-open:hover { color: var(--color-accent); text-decoration: underline; }
.qa-open:focus-visible, .qa-pick:focus-visible { outline: 3px solid var(--color-accent);
  outline-offset: 2px; border-radius: 2px; }
.qa-status { list-style: none; margin: 6px 0; padding: 0; overflow-wrap: anywhere; }
.qa-status li { margin: 2px 0; }
.qa-status-bad { color: var(--error-text-color, #b91c1c); }
"""

EXPORT_CSS = """
.qa-export { padding: 6px 12px; border-radius: var(--button-small-radius, 6px); cursor: pointer;
  border: 1px solid var(--button-secondary-border-color); font-size: 0.9em;
  background: var(--button-secondary-background-fill); color: var(--button-secondary-text-color); }
.qa-export:hover:not(:disabled) { background: var(--button-secondary-background-fill-hover); }
.qa-export:disabled { opacity: 0.5; cursor: not-allowed; }
.qa-export:focus-visible { outline: 3px solid var(--color-accent); outline-offset: 2px; }
"""

# Page-wide: a visible focus ring on everything the keyboard reaches, [n] links that look like
# what they are, and room on a phone.
PAGE_CSS = """
#qa-input textarea { font-size: 1rem; }
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible,
[role="tab"]:focus-visible, label:focus-within { outline: 3px solid var(--color-accent) !important;
  outline-offset: 2px; }
#qa-chat a[href^="#cite-"] { text-decoration: none; color: var(--color-accent);
  border-radius: 4px; padding: 0 1px; }
#qa-chat a[href^="#cite-"]:hover { text-decoration: underline; }
@media (max-width: 480px) {
  .gradio-container { padding-left: 6px !important; padding-right: 6px !important; }
  #qa-send { min-width: 64px !important; flex-grow: 0 !important; }
}
"""


@dataclass
class Page:
    """The components the events read and write."""

    header: gr.Markdown
    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    scope_box: gr.Accordion
    scope_form: list[Any]  # From, To, As of, Outlets, Only these articles: Scope.from_form's order
    clear_scope: gr.Button
    export: gr.HTML
    tabs: gr.Tabs
    picker: gr.Radio
    panel: gr.HTML
    filter: gr.Textbox
    listing: gr.HTML
    viewer: gr.HTML
    files: gr.File
    status: gr.HTML
    paste: list[Any]  # Title, Text, Date, Outlet
    paste_add: gr.Button
    turns: gr.State
    shown: gr.State

    @property
    def followers(self) -> list[Any]:
        """What follows the collection (``Library.refresh``'s outputs)."""
        return [self.header, self.chatbot, self.outlets, self.only, self.listing]

    @property
    def outlets(self) -> gr.Dropdown:
        dropdown: gr.Dropdown = self.scope_form[3]
        return dropdown

    @property
    def only(self) -> gr.Dropdown:
        dropdown: gr.Dropdown = self.scope_form[4]
        return dropdown


def _chat(examples: Examples) -> tuple[gr.Chatbot, gr.Textbox, gr.Button]:
    chatbot = gr.Chatbot(
        label="Chat",
        show_label=False,
        elem_id="qa-chat",
        height="60vh",
        min_height=340,
        examples=examples.messages or None,
        placeholder=examples.placeholder,
        latex_delimiters=[],  # "$5 and $6" is money, not maths
        allow_tags=False,
        feedback_options=None,
        buttons=["copy"],
    )
    with gr.Row(equal_height=True):
        question = gr.Textbox(
            show_label=False,
            placeholder="Ask about the articles…",
            elem_id="qa-input",
            scale=6,
            max_lines=4,
            autofocus=True,
        )
        send = gr.Button("Send", variant="primary", scale=1, min_width=80, elem_id="qa-send")
    return chatbot, question, send


def _date(label: str, key: str, info: str) -> gr.Textbox:
    return gr.Textbox(label=label, placeholder="YYYY-MM-DD", elem_id=f"qa-{key}", info=info,
                      min_width=120, max_lines=1)  # fmt: skip


def _scope(now: Collection) -> tuple[gr.Accordion, list[Any], gr.Button]:
    with gr.Accordion("Scope: all indexed articles", open=False, elem_id="qa-scope") as box:
        with gr.Row():
            dates = [
                _date("From", "from", "published on or after"),
                _date("To", "to", "published on or before"),
                _date("As of", "as-of", "as a reader on that day"),
            ]
        outlets = gr.Dropdown(now.outlets, value=[], label="Outlets", multiselect=True,
                              info=outlets_info(now.outlets), interactive=bool(now.outlets),
                              elem_id="qa-outlets")  # fmt: skip
        only = gr.Dropdown(
            now.choices,
            value=[],
            label="Only these articles",
            info="type to find one, or tick them in the Articles list",
            multiselect=True,
            elem_id="qa-only",
        )
        clear = gr.Button("Clear scope", size="sm", elem_id="qa-clear-scope")
    return box, [*dates, outlets, only], clear


def _sources() -> tuple[gr.Radio, gr.HTML]:
    picker = gr.Radio(
        choices=[],
        label="Show",
        info="all sources of the answer, or one of them in its whole article",
        elem_id="qa-picker",
        visible=False,
    )
    panel = gr.HTML(
        render.sources_html([]), elem_id="qa-panel", css_template=PANEL_CSS, js_on_load=PANEL_JS
    )
    return picker, panel


def _articles(listed: str) -> tuple[gr.Textbox, gr.HTML, gr.HTML]:
    query = gr.Textbox(
        label="Filter",
        placeholder="words of the title, id, outlet or date",
        elem_id="qa-filter",
        max_lines=1,
    )
    listing = gr.HTML(listed, elem_id="qa-list", css_template=PANEL_CSS, js_on_load=LIST_JS)
    viewer = gr.HTML(
        '<div class="qa-empty">Open an article from the list to read it whole.</div>',
        elem_id="qa-viewer",
        css_template=PANEL_CSS,
        js_on_load=VIEWER_JS,
    )
    return query, listing, viewer


def _add() -> tuple[gr.File, gr.HTML, list[Any], gr.Button]:
    gr.Markdown(f"**Upload files.** {LIMITS} Each is answerable as soon as it is indexed.")
    files = gr.File(
        label="Article files", file_count="multiple", type="filepath", elem_id="qa-upload",
        height=120,
    )  # fmt: skip
    status = gr.HTML("", elem_id="qa-add-status", css_template=PANEL_CSS)
    gr.Markdown(f"**Or paste an article** (up to {MAX_PASTE_CHARS:,} characters).")
    title = gr.Textbox(label="Title", max_lines=2, elem_id="qa-paste-title")
    text = gr.Textbox(label="Text", lines=6, max_lines=14, elem_id="qa-paste-text")
    with gr.Row():
        day = gr.Textbox(label="Date (optional)", placeholder="YYYY-MM-DD", max_lines=1,
                         elem_id="qa-paste-date", min_width=120)  # fmt: skip
        outlet = gr.Textbox(label="Outlet (optional)", max_lines=1, elem_id="qa-paste-outlet",
                            min_width=120)  # fmt: skip
    add = gr.Button("Add article", elem_id="qa-paste-add")
    return files, status, [title, text, day, outlet], add


def layout(now: Collection) -> Page:
    """Build the page inside the current ``gr.Blocks``, showing the collection as ``now``."""
    gr.Markdown("## News QA")
    header = gr.Markdown(now.header, elem_id="qa-header")
    turns, shown = gr.State([]), gr.State(0)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            chatbot, question, send = _chat(now.examples)
            scope_box, scope_form, clear_scope = _scope(now)
            export = gr.HTML("", html_template=EXPORT_BUTTON, css_template=EXPORT_CSS,
                             js_on_load=EXPORT_JS, elem_id="qa-export")  # fmt: skip
        with (
            gr.Column(scale=2, min_width=300),
            gr.Tabs(selected="sources", elem_id="qa-tabs") as tabs,
        ):
            with gr.Tab("Sources", id="sources", elem_id="qa-tab-sources"):
                picker, panel = _sources()
            with gr.Tab("Articles", id="articles", elem_id="qa-tab-articles"):
                query, listing, viewer = _articles(now.listing)
            with gr.Tab("Add articles", id="add", elem_id="qa-tab-add"):
                files, status, paste, paste_add = _add()
    return Page(header, chatbot, question, send, scope_box, scope_form, clear_scope, export,
                tabs, picker, panel, query, listing, viewer, files, status, paste, paste_add,
                turns, shown)  # fmt: skip
