"""The real assistant (bundled model, Chroma on disk) over the seed articles."""

from __future__ import annotations

import re

import pytest

from qa import Assistant

pytestmark = pytest.mark.slow


def check_citations(assistant: Assistant, text: str, citations: list) -> None:  # type: ignore[type-arg]
    assert {int(m) for m in re.findall(r"\[(\d+)\]", text)} == {c.marker for c in citations}
    for c in citations:
        assert assistant.article(c.article_id).text[c.start : c.end] == c.quote


def test_troop_counts_disagree_and_each_figure_is_attributed(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("How many Russian troops are massed near Ukraine's border?")
    assert not answer.refused
    assert answer.disagreement is not None and len(answer.disagreement.values) >= 2
    cited = {c.marker: c for c in answer.citations}
    for figure in answer.disagreement.figures:  # each figure is stated by its own citation
        assert f"{figure.value:,}" in cited[figure.marker].quote
        assert cited[figure.marker].article_id == figure.article_id
    found = {f for f in ("94,000", "100,000", "127,000") if f in answer.text}
    assert len(found) >= 2, answer.text
    assert len({c.article_id for c in answer.citations}) >= 2
    check_citations(real_assistant, answer.text, answer.citations)
    # every listed figure sits on a line that names its article and carries its marker
    for line in answer.text.splitlines()[1:]:
        assert re.match(r"- (“[^”]+”|Headline)( \(\d{4}-\d\d-\d\d\))?: ", line), line
        assert re.search(r"\[\d+\]$", line)


def test_follow_up_resolves_who_and_when(real_assistant: Assistant) -> None:
    first = real_assistant.ask("How many troops did Ukraine's defense minister say Russia amassed?")
    assert "94,000" in first.text
    history = [
        {"role": "user", "content": first.question},
        {"role": "assistant", "content": first.text,
         "citations": [{"article_id": c.article_id} for c in first.citations]},
    ]  # fmt: skip
    follow = real_assistant.ask("When did he say that?", history)
    assert not follow.refused and "Friday" in follow.text
    check_citations(real_assistant, follow.text, follow.citations)


@pytest.mark.parametrize(
    "question", ["How do I make sourdough bread at home?", "Who won the 2018 FIFA World Cup?"]
)
def test_off_topic_questions_are_refused(real_assistant: Assistant, question: str) -> None:
    answer = real_assistant.ask(question)
    assert answer.refused and not answer.citations
    assert "don't answer" in answer.text


def test_as_of_excludes_later_articles(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("How many soldiers has Russia deployed?", as_of="2022-01-01")
    dated = [p for p in answer.passages if p.published]
    assert all(p.published <= "2022-01-01" for p in dated)


def test_the_embedding_model_tells_the_same_act_from_another(real_assistant: Assistant) -> None:
    """Words for one act are alike by the bundled model; a count of those charged or injured
    is not one of the arrested or killed."""
    alike = real_assistant._alike
    assert alike("arrested", "detained") and alike("killed", "died")
    assert not alike("arrested", "charged") and not alike("killed", "injured")
    assert not alike("killed", "arrested") and not alike("evacuated", "forced")


def test_the_embedding_model_tells_peoples_names_from_other_names() -> None:
    """``PersonReader`` with the real bundled model, on made-up names from several languages
    against made-up places, a team, an office and an event."""
    from qa import Settings
    from qa.backend import make_embedder
    from qa.evidence import PersonReader, SentenceVectors

    reader = PersonReader(SentenceVectors(make_embedder(Settings())))
    for name in ("Mara Olsen", "Tomasz Wielgus", "Priya Raman", "Kwame Mensah"):
        assert reader(name), name
    # a name after a title reads as the name does
    for titled in (
        "Norland Space Agency Administrator Mara Olsen",  # not a person read whole
        "Regional Transport Minister Tomasz Wielgus",
    ):
        assert reader(titled), titled
    for other in ("Pine Valley", "Harbor Sharks", "Port Authority", "Lakeside Film Festival",
                  "Norland Data Safety Office"):  # fmt: skip
        assert not reader(other), other
