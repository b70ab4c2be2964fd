"""The web chat with a language model: the draft streams into the page, then the verified answer
replaces it (unsupported sentences gone, markers resolved, sources shown). A scripted model in
the app's process stands in for a real one (the local model is tested end to end in tests/qa)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_helpers import serving

from qa import Settings, index_paths

pytestmark = pytest.mark.slow

PASSAGE = re.compile(r"^\[(\d+)\] \([^)]*\) (.*)$", re.M)
INVENTED = "NATO troops entered Minsk in October."


class SlowScriptedLLM:
    """Copies passage [1] with its marker, then adds an invented sentence, a word at a time."""

    name = "scripted"

    def stream(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        first = dict(PASSAGE.findall(messages[-1]["content"]))["1"]
        for word in f"{first} [1] {INVENTED} [1]".split(" "):
            time.sleep(0.08)
            yield word + " "


@pytest.fixture(scope="module")
def blinken_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Its own index (the session's seed app holds the shared one open): the seed article on
    Blinken and Lavrov's meeting."""
    home = tmp_path_factory.mktemp("streaming-home")
    article = Path(__file__).resolve().parents[2] / "seeds" / "000_7bf1043b0c29c4c3.txt"
    index_paths(Settings(home=home), [article], progress=False)
    return home


def test_draft_streams_then_the_verified_answer_replaces_it(
    browser: Any, blinken_home: Path, artifacts: Path
) -> None:
    with serving(blinken_home, llm=SlowScriptedLLM()) as app:
        page = browser.new_page()
        page.goto(app.url)
        page.wait_for_selector("#qa-chat")
        page.fill("#qa-input textarea", "Where did Blinken meet Lavrov?")
        page.click("#qa-send")
        # while the model writes: part of its text is on the page, marked as being written
        page.wait_for_function(
            """() => { const b = document.querySelectorAll('#qa-chat [data-testid=bot]');
                       const t = b.length ? b[b.length - 1].innerText : '';
                       return t.includes('Writing') && t.includes('Blinken'); }""",
            timeout=60_000,
        )
        page.screenshot(path=str(artifacts / "streaming.png"))
        page.wait_for_selector("#qa-panel .qa-source", timeout=60_000)
        page.wait_for_function(
            """() => { const b = document.querySelectorAll('#qa-chat [data-testid=bot]');
                       return !b[b.length - 1].innerText.includes('Writing'); }""",
        )
        time.sleep(0.3)
        final = page.locator("#qa-chat [data-testid=bot]").last.inner_text()
        assert "Stockholm" in final and "[1]" in final
        assert "Minsk" not in final  # the invented sentence was shown while drafting, then left out
        assert "left out" in final  # and the reader is told so
        assert "Stockholm" in page.locator("#qa-panel").inner_text()
        page.screenshot(path=str(artifacts / "streamed-answer.png"))
        page.close()
