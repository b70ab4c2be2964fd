"""Pure pieces of the read side: question analysis, figures, citation verification."""

from __future__ import annotations

from dataclasses import replace

from fakes import CountingEmbedder, HashEmbedder

from qa.answer import Citation, Passage
from qa.citations import verified_answer, verify
from qa.compose import ExtractiveGenerator, Selection
from qa.drafts import REFUSAL, ArticleInfo, Draft
from qa.evidence import Sentence, SentenceVectors, caption, score_sentences
from qa.figures import Listing, figures, same_quantity
from qa.intake import looks_english
from qa.question import AnswerType, answer_type, condense
from qa.text import terms


def test_answer_types_follow_the_question_word() -> None:
    assert answer_type("How many troops has Russia amassed?") is AnswerType.NUMBER
    assert answer_type("When did Blinken arrive in Kiev?") is AnswerType.DATE
    assert answer_type("Who is the Kremlin spokesman?") is AnswerType.PERSON
    assert answer_type("Where did Blinken meet Lavrov?") is AnswerType.PLACE
    assert answer_type("Which news agency reported it?") is AnswerType.ORGANISATION
    assert answer_type("Why is Russia worried?") is AnswerType.OTHER


def test_terms_drop_stopwords_possessives_and_inflection() -> None:
    assert terms("Russia's troops were deployed") == ["russia", "troop", "deploy"]
    assert "94,000" in terms("more than 94,000 troops")


def test_follow_up_is_rewritten_from_the_history() -> None:
    history = [
        {"role": "user", "content": "How many troops did Ukraine's defense minister cite?"},
        {
            "role": "assistant",
            "content": "Oleksii Reznikov said Russia has amassed 94,000 troops. [1]",
            "citations": [{"article_id": "000_a"}],
        },
    ]
    turn = condense("When did he say that?", history)
    assert "Reznikov" in turn.query and "defense minister" in turn.query
    assert turn.articles == ("000_a",)
    standalone = condense("Where did Antony Blinken meet Sergey Lavrov for talks?", history)
    assert standalone.query == "Where did Antony Blinken meet Sergey Lavrov for talks?"


def test_figures_know_what_they_count() -> None:
    assert figures("The storm left more than 94,000 homes without power") == {94000: "home"}
    assert figures("more than 106 thousand voters") == {106000: "voter"}
    assert figures("The 12 casualties were taken to hospital") == {12: "casualty"}  # small too
    assert figures("in 2014, and since 1991") == {}  # years are no figures
    anchor = {100000: "home"}
    assert same_quantity("home", 127000, anchor)
    assert not same_quantity("home", 8500, anchor)  # another order of magnitude
    assert not same_quantity("casualty", 100000, anchor)  # another noun


def test_verify_drops_bad_quotes_and_dangling_markers() -> None:
    article = "Alpha beta gamma. Delta epsilon."
    good = Citation(1, "a", "T", None, None, 0, 17, "Alpha beta gamma.")
    bad = Citation(2, "a", "T", None, None, 0, 5, "Delta")  # quote is not text[0:5]
    text, kept = verify(
        "Alpha beta gamma. [1] Delta. [2] Made up. [7]", [good, bad], {"a": article}
    )
    assert text == "Alpha beta gamma. [1] Delta. Made up."
    assert kept == [good]


def test_verify_renumbers_in_order_of_appearance() -> None:
    article = "One. Two."
    one = Citation(3, "a", "", None, None, 0, 4, "One.")
    two = Citation(5, "a", "", None, None, 5, 9, "Two.")
    text, kept = verify("One. [3] Two. [5]", [two, one], {"a": article})
    assert text == "One. [1] Two. [2]"
    assert [(c.marker, c.quote) for c in kept] == [(1, "One."), (2, "Two.")]


def test_a_draft_whose_every_citation_fails_verification_is_a_refusal() -> None:
    """An article changed under a draft: no quote of it survives, so its claims are not shown
    (not even under "Not in the articles"); the refusal says why."""
    article = "The port reopened on Monday."
    stale = Citation(1, "a", "T", None, None, 0, 12, "The mill shut")
    draft = Draft("The mill shut on Friday. [1]", False, [stale])
    answer = verified_answer("When did the mill shut?", draft, [], {"a": article}, "fp",
                             "extractive", {"total": 1.0})  # fmt: skip
    assert answer.refused and answer.citations == [] and answer.disagreement is None
    assert answer.text == REFUSAL and "mill" not in answer.text and answer.fingerprint == "fp"
    assert answer.notes == ["no quote of the answer matched its article: ask again"]
    good = Citation(1, "a", "T", None, None, 0, 28, article)
    kept = verified_answer("When did the port reopen?", Draft(f"{article} [1]", False, [good]),
                           [], {"a": article}, "fp", "extractive", {})  # fmt: skip
    assert not kept.refused and kept.citations == [good] and kept.text == f"{article} [1]"
    refusal = Draft(REFUSAL, True, notes=["no date in the evidence fits the question"])
    said = verified_answer("When?", refusal, [], {"a": article}, "fp", "extractive", {})
    assert said.refused and said.text == REFUSAL and said.notes == refusal.notes


def test_language_check() -> None:
    assert looks_english("How many troops are at the border?")
    assert looks_english("Troop count?")
    assert not looks_english("Сколько российских войск у границы?")
    assert not looks_english("¿Cuántos soldados rusos hay en la frontera ucraniana?")


def _sentence(article_id: str, text: str, score: float, typed: float = 1.0) -> Sentence:
    passage = Passage(1, article_id, "", None, None, 0, len(text), text, 0.0)
    return Sentence(article_id, 0, len(text), text, passage, score, score, typed, score)


def test_another_article_stating_the_same_figure_is_cited_too() -> None:
    info = {a: ArticleInfo(f"Title {a}", None, None) for a in ("a", "b", "c")}
    evidence = [
        _sentence("a", "The floods have claimed the lives of almost 1,400 people.", 0.5),
        _sentence("b", "The floods have caused more than 1,400 deaths since June.", 0.4),
        _sentence("c", "More than 100,000 homes were damaged by the water.", 0.42),
    ]
    draft = ExtractiveGenerator().compose("How many people have died?", AnswerType.NUMBER,
                                          evidence, info, threshold=0.45)  # fmt: skip
    assert "almost 1,400" in draft.text and "more than 1,400" in draft.text
    assert "100,000" not in draft.text  # a figure of another quantity is no corroboration
    assert [c.article_id for c in draft.citations] == ["a", "b"]
    # the same outlet repeating its figure (a digest, a follow-up) is no second source
    outlets = {"a": "example.com", "b": "example.com", "c": "other.org"}
    info = {a: ArticleInfo(f"Title {a}", None, outlets[a]) for a in ("a", "b", "c")}
    draft = ExtractiveGenerator().compose("How many people have died?", AnswerType.NUMBER,
                                          evidence, info, threshold=0.45)  # fmt: skip
    assert [c.article_id for c in draft.citations] == ["a"]
    outlets["b"] = "another.net"
    info = {a: ArticleInfo(f"Title {a}", None, outlets[a]) for a in ("a", "b", "c")}
    draft = ExtractiveGenerator().compose("How many people have died?", AnswerType.NUMBER,
                                          evidence, info, threshold=0.45)  # fmt: skip
    assert [c.article_id for c in draft.citations] == ["a", "b"]


def test_a_photo_caption_joins_an_answer_only_when_the_question_is_about_a_picture() -> None:
    info = {"a": ArticleInfo("Title a", None, None)}
    lead = "The mayor's husband was attacked with a hammer at their home early Friday, police said."
    shot = "Tom Reyes, right, follows his wife as she arrives at City Hall on March 17, 2022."
    later = replace(_sentence("a", shot, 0.55, 0.0), start=200, end=200 + len(shot))
    evidence = [_sentence("a", lead, 0.6, 0.0), later]  # two places in one article
    draft = ExtractiveGenerator().compose("What happened to the mayor's husband?",
                                          AnswerType.OTHER, evidence, info, 0.3)  # fmt: skip
    assert draft.text == f"{lead} [1]"
    asked = "What does the photo of the mayor's husband show?"
    draft = ExtractiveGenerator().compose(asked, AnswerType.OTHER, evidence, info, 0.3)
    assert draft.text == f"{lead} [1] {shot} [2]"
    assert caption(shot) and not caption(lead)
    assert not caption("The plant was pictured on January 7.")  # told in the past: prose


def test_other_articles_must_be_about_the_figure_the_question_names() -> None:
    info = {a: ArticleInfo(f"Title {a}", None, None) for a in ("a", "b")}
    evidence = [
        _sentence("a", "The port handled 127,000 containers, the Transport Ministry said.", 0.6),
        _sentence("b", "The harbour authority denied that 100,000 containers were late.", 0.58),
    ]
    question = "Which body said the port had handled 127,000 containers?"
    draft = ExtractiveGenerator().compose(question, AnswerType.ORGANISATION, evidence, info, 0.45)
    assert [c.article_id for c in draft.citations] == ["a"]
    unpinned = "Which body commented on the containers at the port?"
    evidence[1] = _sentence("b", "The Transport Ministry said 100,000 containers were late.", 0.58)
    draft = ExtractiveGenerator().compose(unpinned, AnswerType.ORGANISATION, evidence, info, 0.45)
    assert [c.article_id for c in draft.citations] == ["a", "b"]


def test_another_article_is_cited_only_for_the_same_answer() -> None:
    info = {a: ArticleInfo(f"Title {a}", None, None) for a in ("a", "b", "c")}
    question = "In which city did the mayor meet the governor?"
    evidence = [
        _sentence("a", "The mayor met the governor on Thursday in Lyon.", 0.6),
        # another city: a second answer, not support
        _sentence("b", "The mayor met the governor's staff in Nice on Wednesday.", 0.58),
        _sentence("c", "The governor then flew to Dijon.", 0.55),
    ]
    draft = ExtractiveGenerator().compose(question, AnswerType.PLACE, evidence, info, 0.45)
    assert [c.article_id for c in draft.citations] == ["a"]
    # the same city, from another article: it supports the answer
    evidence[1] = _sentence("b", "The governor and the mayor talked for an hour in Lyon.", 0.58)
    draft = ExtractiveGenerator().compose(question, AnswerType.PLACE, evidence, info, 0.45)
    assert [c.article_id for c in draft.citations] == ["a", "b"]
    # an answer with no type to compare is never "the same": one article speaks for it
    draft = ExtractiveGenerator().compose(question, AnswerType.OTHER, evidence, info, 0.45)
    assert [c.article_id for c in draft.citations] == ["a"]


def test_only_sentences_sharing_a_word_with_the_question_are_embedded() -> None:
    text = "Russia massed troops at the border. Rain fell in Paris all week. Troops waited."
    passage = Passage(1, "a", "", None, None, 0, len(text), text, 0.0)
    embedder = CountingEmbedder(HashEmbedder())
    question = "Where did Russia mass troops?"
    found = score_sentences(question, question, (), AnswerType.PLACE, [passage], {"a": text},
                            {}, SentenceVectors(embedder), embedder.embed_query(question))  # fmt: skip
    assert [s.text for s in found] and "Rain fell in Paris all week." not in embedder.texts
    assert any("Russia massed troops" in t for t in embedder.texts)
    # kept unembedded beside the sentences it sits between: it may complete one of them
    rain = next(s for s in found if s.text.startswith("Rain"))
    assert rain.semantic == 0.0 and rain.lexical > 0
    assert {s.text for s in found if s.semantic != 0.0} <= set(embedder.texts)


def test_question_words_in_the_sentence_before_count_for_a_he_said() -> None:
    text = (
        "Zelensky compared the diplomats to ship captains who should leave last. "
        "“I don’t think we have a Titanic here,” he said. Prices rose in Kyiv."
    )
    passage = Passage(1, "a", "", None, None, 0, len(text), text, 0.0)
    embedder = HashEmbedder()
    question = "What ship comparison did Zelensky use?"
    found = score_sentences(question, question, (), AnswerType.OTHER, [passage], {"a": text},
                            {}, SentenceVectors(embedder), embedder.embed_query(question))  # fmt: skip
    lexical = {s.text[:12]: s.lexical for s in found}
    # "Titanic" shares no word itself, but its neighbour holds "Zelensky" and "ship"
    assert lexical["“I don’t thi"] > 0
    assert lexical["“I don’t thi"] < lexical["Zelensky com"]
    assert "Prices rose " not in lexical or lexical["Prices rose "] < lexical["“I don’t thi"]


def test_a_sentence_saying_the_agency_said_is_completed_by_the_one_naming_it() -> None:
    info = {"a": ArticleInfo("Title a", None, None), "b": ArticleInfo("Title b", None, None)}
    first = "Troops can be deployed in less than 72 hours, the agency said."
    second = "A sizable formation is moving into Belarus, Janes said."
    text = f"{first} {second}"
    passage = Passage(1, "a", "", None, None, 0, len(text), text, 0.0)
    best = Sentence("a", 0, len(first), first, passage, 0.6, 0.6, 0.5, 0.6)
    named = Sentence("a", len(first) + 1, len(text), second, passage, 0.0, 0.3, 1.0, 0.3)
    other = _sentence("b", "Russia has deployed troops, the Defense Ministry said.", 0.58)
    question = "Which defence intelligence company said troops could be deployed in 72 hours?"
    draft = ExtractiveGenerator().compose(
        question, AnswerType.ORGANISATION, [best, other, named], info, 0.45
    )
    # the naming sentence completes the answer; another body from another article is not cited
    assert [c.quote for c in draft.citations] == [first, second]


def _troop_figures() -> tuple[dict[str, ArticleInfo], list[Sentence]]:
    info = {a: ArticleInfo(f"Title {a}", None, None) for a in ("a", "b")}
    evidence = [
        _sentence("a", "Aerial pictures showed an estimated 90,000 fans at the stadium.", 0.6),
        _sentence("a", "The club claimed that 100,000 fans had come to the stadium.", 0.55),
        _sentence("b", "Police said more than 94,000 fans filled the stadium.", 0.5),
    ]
    return info, evidence


def test_a_survey_of_figures_lists_each_articles_figure_best_first() -> None:
    info, evidence = _troop_figures()
    draft = ExtractiveGenerator().compose("How many fans were at the stadium?", AnswerType.NUMBER,
                                          evidence, info, 0.45)  # fmt: skip
    assert draft.text.startswith("The articles give different figures")
    assert {c.article_id for c in draft.citations} == {"a", "b"}


def test_a_question_expecting_no_kind_of_answer_is_refused_a_little_later() -> None:
    info = {"a": ArticleInfo("Title a", None, None)}
    evidence = [_sentence("a", "France's favourite mustard is running out on shelves.", 0.42, 0.0)]
    untyped = "What is France short of?"
    draft = ExtractiveGenerator().compose(untyped, AnswerType.OTHER, evidence, info, 0.45)
    assert not draft.refused  # 0.42 clears 0.45 - 0.05: no answer-type credit was possible
    evidence = [_sentence("a", "France's favourite mustard is running out on shelves.", 0.42)]
    typed = "Which company makes France's mustard?"
    assert (
        ExtractiveGenerator().compose(typed, AnswerType.ORGANISATION, evidence, info, 0.45).refused
    )


def test_a_worded_answer_must_name_what_the_best_evidence_gives() -> None:
    from qa.drafts import Draft, cite
    from qa.generation import names_the_answer

    info = {"a": ArticleInfo("Title a", None, None)}
    best = _sentence("a", "Putin warned NATO, the AP reported.", 0.6)
    base = Draft("…", False, [cite(1, best, info)])
    question = "Which outlet reported the warning?"
    assert names_the_answer(question, best, base, "The AP reported it.")
    assert not names_the_answer(question, best, base, "Reuters reported it.")
    where = _sentence("a", "They met on Thursday in Stockholm.", 0.6)
    base = Draft("…", False, [cite(1, where, info)])
    assert not names_the_answer("Where did they meet?", where, base, "They met in Russia.")
    assert names_the_answer("What did they discuss?", where, base, "They met.")  # no kind asked


def test_the_cross_encoder_orders_the_best_candidates_and_keeps_the_rest_behind() -> None:
    from fakes import OverlapCrossEncoder

    from qa.relevance import Relevance, rerank

    evidence = [
        _sentence("a", "The council met on Tuesday to discuss parking.", 0.7, 0.0),
        _sentence("b", "The new bridge toll will be four dollars, the council said.", 0.6, 1.0),
        _sentence("c", "Parking fees rise in May.", 0.5, 0.0),
        _sentence("d", "The bridge toll was set by the council.", 0.4, 0.0),
    ]
    question = "How much will the new bridge toll be?"
    ranked = rerank(question, evidence, OverlapCrossEncoder(), Relevance(3, 1.0))
    assert [s.article_id for s in ranked] == ["b", "a", "c", "d"]  # d was not read: it follows
    assert ranked[0].relevance is not None and ranked[-1].relevance is None
    assert [s.score for s in ranked] == [0.6, 0.7, 0.5, 0.4]  # the cheap scores are kept
    assert rerank(question, [], OverlapCrossEncoder(), Relevance(3, 1.0)) == []


def test_the_cross_encoder_reads_no_candidate_far_below_the_best() -> None:
    from fakes import OverlapCrossEncoder

    from index.embedding import Vectors
    from qa.relevance import Relevance, rerank

    class Counting(OverlapCrossEncoder):
        def __init__(self) -> None:
            self.read: list[str] = []

        def score(self, query: str, texts: list[str]) -> Vectors:
            self.read += texts
            return super().score(query, texts)

    evidence = [
        _sentence("a", "The council met on Tuesday to discuss parking.", 0.8, 0.0),
        _sentence("b", "The new bridge toll will be four dollars, the council said.", 0.5, 1.0),
        _sentence("c", "The bridge toll was set by the council.", 0.3, 0.0),
    ]
    question = "How much will the new bridge toll be?"
    encoder = Counting()
    ranked = rerank(question, evidence, encoder, Relevance(3, 1.0, min_share=0.5))
    assert encoder.read == [evidence[0].text, evidence[1].text]  # 0.3 < 0.5 * 0.8: not read
    assert [s.article_id for s in ranked] == ["b", "a", "c"]  # the unread one follows
    assert ranked[-1].relevance is None
    everything = Counting()
    rerank(question, evidence, everything, Relevance(3, 1.0))  # min_share 0: all three
    assert len(everything.read) == 3


def test_only_sentences_that_answer_the_question_list_disagreeing_figures() -> None:
    """A like figure in a sentence the cross-encoder reads far below the best answers another
    question (last year's count, a different measure): the answer is the best one's, not a
    list; read nearly as well, it disagrees."""
    info, evidence = _troop_figures()
    question = "How many fans were at the stadium?"

    def read(logits: tuple[float, float, float]) -> list[Sentence]:
        return [replace(s, relevance=r) for s, r in zip(evidence, logits, strict=True)]

    generator = ExtractiveGenerator(selection=Selection(listing=Listing(relevance=3.0)))
    listed = generator.compose(question, AnswerType.NUMBER, read((8.0, 7.5, 6.0)), info, 0.45)
    assert listed.text.startswith("The articles give different figures")
    assert {c.article_id for c in listed.citations} == {"a", "b"}
    far = generator.compose(question, AnswerType.NUMBER, read((8.0, 7.5, 2.0)), info, 0.45)
    assert "different figures" not in far.text
    assert {c.article_id for c in far.citations} == {"a"}


def test_a_figure_reported_weeks_before_the_latest_report_is_superseded() -> None:
    """Figures of one quantity reported months apart are an update, not a disagreement: the
    answer quotes the latest report; figures reported the same week still disagree."""

    def dated(article_id: str, text: str, score: float, published: str) -> Sentence:
        s = _sentence(article_id, text, score)
        return replace(s, passage=replace(s.passage, published=published))

    info = {a: ArticleInfo(f"Title {a}", None, None) for a in ("a", "b", "c")}
    march = dated("a", "Police said 1,200 people have been arrested at the protests.", 0.6,
                  "2023-03-10")  # fmt: skip
    june = dated("b", "More than 2,000 people have been arrested since the protests began.",
                 0.55, "2023-06-06")  # fmt: skip
    question = "How many people have been arrested at the protests?"
    update = ExtractiveGenerator().compose(question, AnswerType.NUMBER, [march, june], info, 0.45)
    assert "different figures" not in update.text
    assert update.text.startswith("More than 2,000 people")
    assert [c.article_id for c in update.citations] == ["b"]
    assert update.notes == [  # what was left out is said
        "figures reported more than 7 days before the latest report (2023-06-06) are left out:"
        " later reports update them"
    ]
    same_week = dated("c", "Officials said 1,500 people have been arrested at the protests.",
                      0.58, "2023-06-03")  # fmt: skip
    listed = ExtractiveGenerator().compose(
        question, AnswerType.NUMBER, [march, same_week, june], info, 0.45
    )
    assert listed.text.startswith("The articles give different figures")
    assert {c.article_id for c in listed.citations} == {"b", "c"}
    # a later count of those charged is no update of the count of arrests
    charged = dated("d", "Prosecutors have charged 1,100 people over the protests.", 0.5,
                    "2023-06-20")  # fmt: skip
    info["d"] = ArticleInfo("Title d", None, None)
    update = ExtractiveGenerator().compose(
        question, AnswerType.NUMBER, [march, june, charged], info, 0.45
    )
    assert update.text.startswith("More than 2,000 people")
    off = ExtractiveGenerator(selection=Selection(listing=Listing(update_days=0)))
    old = off.compose(question, AnswerType.NUMBER, [march, june], info, 0.45)
    assert old.text.startswith("The articles give different figures")


def test_counted_nouns_alike_by_a_similarity_are_one_quantity() -> None:
    alike = {("soldier", "troop"), ("troop", "soldier")}
    generator = ExtractiveGenerator(alike=lambda a, b: a == b or (a, b) in alike)
    info = {a: ArticleInfo(f"Title {a}", None, None) for a in ("a", "b")}
    evidence = [
        _sentence("a", "Officials said 40,000 troops were sent to the coast.", 0.6),
        _sentence("b", "The ministry said 52,000 soldiers were sent to the coast.", 0.55),
    ]
    question = "How many troops were sent to the coast?"
    draft = generator.compose(question, AnswerType.NUMBER, evidence, info, 0.45)
    assert draft.text.startswith("The articles give different figures")
    plain = ExtractiveGenerator().compose(question, AnswerType.NUMBER, evidence, info, 0.45)
    assert "different figures" not in plain.text


def test_page_furniture_is_never_a_candidate_sentence() -> None:
    from qa.evidence import candidates

    text = (
        "Bridge toll set\n\nThe new bridge toll will be four dollars. Sign up for our newsletter."
        " (Jane Roe/Reuters) The council approved it on Tuesday."
    )
    passage = Passage(1, "a", "", None, None, 0, len(text), text, 0.0)
    quoted = [text[s:e] for _, s, e in candidates([passage], {"a": text})]
    assert any("four dollars" in q for q in quoted) and any("Tuesday" in q for q in quoted)
    assert not any("newsletter" in q or "Reuters" in q for q in quoted)


def test_figures_of_another_owner_are_not_listed_as_a_disagreement() -> None:
    from qa.figures import asked_quantity

    assert figures("about 120,000 Chilean voters") == {120000: "chilean voter"}
    assert asked_quantity("How many Peruvian voters went to the polls?") == "peruvian voter"
    info = {a: ArticleInfo(f"Title {a}", None, None) for a in ("a", "b", "c")}
    evidence = [
        _sentence("a", "Officials said 100,000 Peruvian voters went to the polls.", 0.6),
        _sentence("b", "Observers counted 120,000 Chilean voters at the polls.", 0.58),
        _sentence("c", "Observers counted 90,000 voters at the polls in Peru.", 0.55),
    ]
    question = "How many Peruvian voters went to the polls?"
    draft = ExtractiveGenerator().compose(question, AnswerType.NUMBER, evidence, info, 0.45)
    assert draft.text.startswith("The articles give different figures")
    assert "100,000" in draft.text and "90,000" in draft.text and "120,000" not in draft.text
    assert draft.disagreement is not None  # as data too: which figure, which article
    assert draft.disagreement.quantity == "peruvian voter"
    assert {(f.value, f.article_id) for f in draft.disagreement.figures} == {
        (100000, "a"),
        (90000, "c"),
    }
    marker = {c.marker: c for c in draft.citations}
    for f in draft.disagreement.figures:
        assert marker[f.marker].article_id == f.article_id


def test_a_sentence_restating_the_question_is_no_evidence() -> None:
    text = (
        "Which chain turned off the air conditioning in its stores? The retailer Acme"
        " Stores turned off the air conditioning in its stores to save money, staff said."
    )
    passage = Passage(1, "a", "", None, None, 0, len(text), text, 0.0)
    embedder = HashEmbedder()
    question = "Which chain turned off the air conditioning in its stores?"
    found = score_sentences(question, question, (), AnswerType.ORGANISATION, [passage],
                            {"a": text}, {}, SentenceVectors(embedder),
                            embedder.embed_query(question))  # fmt: skip
    assert [s.text for s in found] == [text[text.index("The retailer") :]]


def test_the_same_sentence_in_several_articles_is_evidence_once_from_the_plainest_copy() -> None:
    """Duplicate articles (one story under two names) must not make the answer repeat itself:
    a sentence's text is evidence once, at the rank of the best-ranked passage holding it, and
    quoted from the copy with the shortest article id (here not the best-ranked one)."""
    shared = "The harbour bridge closed after engineers found cracks in two cables."
    texts = {
        "copy": f"Bridge shut\n\n{shared} Traffic was diverted.",
        "original": f"Bridge shut\n\n{shared}  Traffic was diverted.",  # other spacing
        "other": "Bridge news\n\nThe harbour bridge closed for a parade on Sunday afternoon.",
    }
    passages = [
        Passage(rank, article_id, "", None, None, 0, len(texts[article_id]), texts[article_id], 0.0)
        for rank, article_id in enumerate(["original", "copy", "other"], start=1)
    ]
    embedder = HashEmbedder()
    question = "Why did the harbour bridge close?"
    found = score_sentences(question, question, (), AnswerType.OTHER, passages, texts, {},
                            SentenceVectors(embedder), embedder.embed_query(question))  # fmt: skip
    said = [" ".join(s.text.split()) for s in found]
    assert len(said) == len(set(said)), said
    cracks = [s for s in found if "cracks" in s.text]
    assert [s.article_id for s in cracks] == ["copy"]
    assert any(s.article_id == "other" for s in found)  # other texts are untouched


def test_how_near_the_best_other_sentences_must_be_is_a_setting() -> None:
    info = {a: ArticleInfo(f"Title {a}", None, None) for a in ("a", "b")}
    question = "In which town did the ferry run aground?"
    evidence = [
        _sentence("a", "The ferry ran aground near Tromsø late on Sunday.", 0.6),
        _sentence("b", "Rescuers reached the ferry on the rocks near Tromsø at dawn.", 0.51),
    ]  # the second article states the same town at 0.85 of the best score

    def cited(selection: Selection) -> list[str]:
        generator = ExtractiveGenerator(2, selection=selection)
        draft = generator.compose(question, AnswerType.PLACE, evidence, info, 0.45)
        return [c.article_id for c in draft.citations]

    assert cited(Selection()) == ["a"]  # 0.9 of the best by default
    assert cited(Selection(other_article=0.8)) == ["a", "b"]
    assert cited(Selection(other_article=0.8, strong=0.9)) == ["a"]  # not strong evidence


def test_figures_of_another_magnitude_are_no_disagreement() -> None:
    anchor = {52000: "voter"}
    assert same_quantity("voter", 150000, anchor)  # within 4 times
    assert not same_quantity("voter", 150000, anchor, magnitude=2.0)
    assert not same_quantity("voter", 300000, anchor)
