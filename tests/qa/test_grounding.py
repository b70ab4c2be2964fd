"""Citations for a model's answer are attached and checked in code (qa.grounding), fast cases."""

from __future__ import annotations

import numpy as np
from fakes import HashEmbedder

from qa.grounding import facts_hold, ground, names, numbers, split_answer

EVIDENCE = [
    "Russia has massed about 100,000 troops near its border with Ukraine, U.S. officials said.",
    "Kremlin spokesman Dmitry Peskov said Moscow poses no threat to anyone.",
    "Secretary of State Antony Blinken met Sergey Lavrov in Geneva on Friday.",
]
EMBEDDER = HashEmbedder()


def check(reply: str) -> tuple[list[tuple[str, list[int]]], list[str], bool]:
    grounded = ground(reply, EVIDENCE, EMBEDDER.embed_documents(EVIDENCE),
                      EMBEDDER.embed_documents)  # fmt: skip
    return grounded.sentences, grounded.dropped, grounded.refused


def test_numbers_are_compared_as_values() -> None:
    assert numbers("about 100,000 troops") == numbers("100000 troops") == {100000.0}
    assert numbers("some 100 thousand soldiers") == {100000.0}
    assert numbers("127,000 and 2.5 million") == {127000.0, 2500000.0}


def test_names_skip_framing_words() -> None:
    assert names("According to officials, Peskov said so.") == {"Peskov"}
    assert names("However, the Kremlin denied it.") == {"Kremlin"}


def test_facts_hold_needs_every_figure_and_name() -> None:
    assert facts_hold("Russia has 100,000 troops near Ukraine.", EVIDENCE[0])
    assert not facts_hold("Russia has 175,000 troops near Ukraine.", EVIDENCE[0])
    assert not facts_hold("Biden has 100,000 troops near Ukraine.", EVIDENCE[0])
    assert facts_hold("Russian troops massed.", EVIDENCE[0])  # Russia / Russian share a prefix


def test_names_may_come_from_the_question() -> None:
    evidence = "Troops can be deployed in less than 72 hours, the agency said."
    sentence = "According to Janes, troops can be deployed in less than 72 hours."
    assert not facts_hold(sentence, evidence)
    assert facts_hold(sentence, evidence, "According to Janes, how quickly can troops deploy?")
    assert not facts_hold(sentence.replace("72", "48"), evidence, "Did Janes say 48 hours?")


def test_split_answer_reads_markers_and_strips_them() -> None:
    pieces = split_answer("Russia massed 100,000 troops [1]. Peskov denied a threat [2, 3].\n[1]")
    assert pieces == [("Russia massed 100,000 troops.", [1]),
                      ("Peskov denied a threat.", [2, 3, 1])]  # fmt: skip


def test_supported_sentence_is_kept_with_its_evidence() -> None:
    kept, dropped, refused = check(
        "Russia has massed about 100,000 troops near its border with Ukraine [1]."
    )
    assert kept == [("Russia has massed about 100,000 troops near its border with Ukraine.", [1])]
    assert not dropped and not refused


def test_wrong_or_invented_marker_is_replaced_by_the_supporting_evidence() -> None:
    kept, _, _ = check("Kremlin spokesman Dmitry Peskov said Moscow poses no threat [9].")
    assert kept[0][1] == [2]
    kept, _, _ = check("Kremlin spokesman Dmitry Peskov said Moscow poses no threat [1].")
    assert kept[0][1] == [2]


def test_invented_number_is_dropped_and_nothing_left_is_a_refusal() -> None:
    kept, dropped, refused = check(
        "Russia has massed about 175,000 troops near its border with Ukraine [1]."
    )
    assert kept == [] and len(dropped) == 1 and refused


def test_unsupported_sentence_is_dropped_the_rest_kept() -> None:
    kept, dropped, refused = check(
        "Blinken met Lavrov in Geneva on Friday [3]. The talks ended the crisis for good [3]."
    )
    assert [s for s, _ in kept] == ["Blinken met Lavrov in Geneva on Friday."]
    assert dropped == ["The talks ended the crisis for good."]
    assert not refused


def test_the_model_saying_the_articles_lack_the_answer_is_a_refusal() -> None:
    for reply in ("NOT IN ARTICLES", "The passages do not say who won the election.", " "):
        grounded = ground(reply, EVIDENCE, EMBEDDER.embed_documents(EVIDENCE),
                          EMBEDDER.embed_documents)  # fmt: skip
        assert grounded.refused and grounded.declined and not grounded.sentences


def test_empty_reply_or_no_evidence_is_a_refusal() -> None:
    assert check("")[2]
    empty = ground("Russia massed troops [1].", [], np.zeros((0, 64), dtype=np.float32),
                   EMBEDDER.embed_documents)  # fmt: skip
    assert empty.refused and empty.dropped == ["Russia massed troops."]


def test_a_bare_answer_is_read_as_the_answer_to_the_question() -> None:
    evidence = ["No decision has been made yet to deploy the troops, Pentagon press secretary"
                " John Kirby said on Monday."]  # fmt: skip
    vectors = EMBEDDER.embed_documents(evidence)
    question = "Who is the Pentagon press secretary who spoke about the troops?"
    kept = ground("John Kirby [1]", evidence, vectors, EMBEDDER.embed_documents,
                  question=question)  # fmt: skip
    assert kept.sentences == [("John Kirby", [1])]
    invented = ground("Lloyd Austin [1]", evidence, vectors, EMBEDDER.embed_documents,
                      question=question)  # fmt: skip
    assert invented.refused and invented.dropped == ["Lloyd Austin"]
