"""Behind QA_AUTH, only a logged-in user can add articles: Gradio's upload route and queue refuse
anyone else, and the handlers check again. A fast assistant (hash embedder, memory store)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from ui_helpers import ask, fake_assistant, launched

from qa import Assistant
from ui.library import LOGIN_NEEDED, Library

LIBRARY = "Library wing opens\n\nThe city library opened a new wing for children on Saturday."
PANDAS = "Zoo welcomes red pandas\n\nThe zoo welcomed two red pandas named Ember and Soot."


@pytest.fixture
def assistant(tmp_path: Path) -> Assistant:
    return fake_assistant(tmp_path / "home", {"library.txt": LIBRARY})


def post_file(url: str, name: str, data: bytes) -> int:
    """POST one file to Gradio's upload route as a browser would, without any login cookie."""
    boundary = "----qa-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    request = urllib.request.Request(
        url.rstrip("/") + "/gradio_api/upload", data=body, method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_handlers_refuse_to_add_without_a_logged_in_user(assistant: Assistant) -> None:
    library = Library(assistant, None, login_required=lambda: True)
    result = library.add_text("Pandas", PANDAS, "", "", "", [], None)  # type: ignore[arg-type]
    assert LOGIN_NEEDED in result[0]
    files = list(library.add_files(["/etc/hostname"], "", [], None))  # type: ignore[arg-type]
    assert LOGIN_NEEDED in files[-1][0]
    assert [a.id for a in assistant.articles()] == ["library"]
    assert not (Path(assistant.settings.home) / "uploads").exists()


@pytest.mark.slow
def test_behind_a_login_only_a_logged_in_user_adds_articles(
    browser: Any, assistant: Assistant, tmp_path: Path
) -> None:
    pandas = tmp_path / "pandas.txt"
    pandas.write_text(PANDAS)
    with launched(assistant, auth=("reader", "s3cret")) as app:
        assert post_file(app.url, "pandas.txt", PANDAS.encode()) == 401
        page = browser.new_page()
        page.goto(app.url)
        page.locator("input[type=password]").wait_for()
        page.locator("input:not([type=password])").first.fill("reader")
        page.locator("input[type=password]").fill("s3cret")
        page.locator("input[type=password]").press("Enter")
        page.wait_for_selector("#qa-chat")
        page.get_by_role("tab", name="Add articles", exact=True).click()
        page.set_input_files("#qa-upload input[type=file]", [str(pandas)])
        page.wait_for_function(
            "() => document.querySelector('#qa-add-status').innerText.includes('1 article added')"
        )
        assert "Ember" in ask(page, "What are the red pandas named?")
        page.close()
    assert assistant.article("pandas") is not None
