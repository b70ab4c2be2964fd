"""``qa chat`` as a user runs it: on an empty QA_HOME it builds the index from seeds/ first (and
indexes the articles added from the page, kept in QA_HOME/uploads/), binds loopback, and with
QA_AUTH nobody gets in without the password."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError
from ui_helpers import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
QA = Path(sys.executable).with_name("qa")


def wait_until_up(url: str, proc: subprocess.Popen[str], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"qa chat exited with {proc.returncode}: {proc.stderr.read()}")  # type: ignore[union-attr]
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"qa chat did not come up on {url} within {timeout} s")


def test_qa_chat_builds_the_index_then_serves_behind_a_login(tmp_path: Path) -> None:
    port = free_port()
    home = tmp_path / "home"
    (home / "uploads").mkdir(parents=True)  # added from the page before the index was rebuilt
    (home / "uploads" / "pandas.txt").write_text(
        "Zoo welcomes red pandas\n\nThe city zoo welcomed two red pandas named Ember and Soot."
    )
    env = {**os.environ, "QA_HOME": str(home), "QA_AUTH": "reader:s3cret"}
    proc = subprocess.Popen(
        [str(QA), "chat", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, proc)
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        client = Client(url, auth=("reader", "s3cret"), verbose=False)
        answer = client.predict("Where did Blinken meet Lavrov?", api_name="/ask")
        assert "Stockholm" in answer["text"] and answer["citations"]
        pandas = client.predict("What are the names of the red pandas?", api_name="/ask")
        assert "Ember" in pandas["text"] and pandas["citations"][0]["article_id"] == "pandas"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=120)  # a loaded machine stops slowly
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    assert proc.returncode == 0, err  # Ctrl-C is how one stops it: a clean exit
    assert f"http://127.0.0.1:{port}" in out  # loopback unless asked otherwise
    assert "indexing" in err and "seeds" in err  # it said why the start took a while
    assert "uploaded articles: 1 added" in err
    assert "Traceback" not in err and "Traceback" not in out
    assert any(home.iterdir())  # the index it built stays for the next start
