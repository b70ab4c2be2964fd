"""The scope a question is asked in: read from the page's controls, passed to ``ask`` as its
filters, said in words next to the answer."""

from __future__ import annotations

import pytest

from qa import InputError
from ui.library import matching, scope_label
from ui.scope import Scope


def test_empty_controls_mean_all_articles_and_no_filter() -> None:
    scope = Scope.from_form("", None, "  ", [], None)
    assert scope.is_empty and scope.filters() == {}
    assert scope.describe() == "all indexed articles"


def test_every_control_becomes_the_filter_ask_takes() -> None:
    scope = Scope.from_form(" 2022-01-01 ", "2022-01-31", "2022-01-20", ["Reuters", "AP"], ["a1"])
    assert scope.filters() == {
        "published_from": "2022-01-01",
        "published_to": "2022-01-31",
        "as_of": "2022-01-20",
        "sources": ["Reuters", "AP"],
        "article_ids": ["a1"],
    }
    assert scope.describe({"a1": "Bridge closed"}) == (
        "published 2022-01-01 to 2022-01-31 · as of 2022-01-20 · outlets Reuters, AP"
        " · only “Bridge closed”"
    )


def test_scope_in_words_names_a_few_chosen_articles_and_counts_many() -> None:
    assert Scope(published_to="2022-02-01").describe() == "published up to 2022-02-01"
    assert Scope(sources=("AP",)).describe() == "outlet AP"
    many = Scope(article_ids=("a", "b", "c", "d"))
    assert many.describe({"a": "A", "b": "B", "c": "C", "d": "D"}) == "only 4 chosen articles"
    assert Scope(article_ids=("a",)).describe() == "only 1 chosen article"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            ("19/01/2022", "", "", [], []),
            "“From” must be a date like 2024-05-31 (got '19/01/2022')",
        ),
        (("", "", "soon", [], []), "“As of” must be a date like 2024-05-31 (got 'soon')"),
        (
            ("2022-02-01", "2022-01-01", "", [], []),
            "“From” (2022-02-01) is after “To” (2022-01-01)",
        ),
    ],
)
def test_a_malformed_scope_is_one_line_naming_the_field(form: tuple, message: str) -> None:
    with pytest.raises(InputError) as info:
        Scope.from_form(*form)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_the_scope_box_title_says_the_scope_or_what_is_wrong_with_it() -> None:
    assert scope_label("", "", "", [], []).label == "Scope: all indexed articles"
    assert scope_label("2022-01-01", "", "", ["AP"], []).label == (
        "Scope: published from 2022-01-01 · outlet AP"
    )
    assert scope_label("junk", "", "", [], []).label.startswith("Scope: ⚠️ “From” must be a date")


def test_the_list_filter_matches_every_word_in_title_id_outlet_or_date() -> None:
    from qa import ArticleText

    articles = [
        ArticleText("harbour-1", "Harbour bridge closed", "2023-03-01", "Coast Times", "..."),
        ArticleText("rail-2", "Rail strike ends", "2023-05-02", "Daily Post", "..."),
    ]
    assert [a.id for a in matching(articles, "")] == ["harbour-1", "rail-2"]
    assert [a.id for a in matching(articles, "BRIDGE coast")] == ["harbour-1"]
    assert [a.id for a in matching(articles, "2023-05")] == ["rail-2"]
    assert [a.id for a in matching(articles, "rail-2")] == ["rail-2"]
    assert matching(articles, "bridge post") == []
