"""What a caller hands the Assistant, read before anything is retrieved (``qa.intake``)."""

from __future__ import annotations

from datetime import date

import pytest

from qa import InputError
from qa.intake import article_filter, day_asked, validate_question


def test_a_question_is_asked_as_of_the_day_given_else_the_newest_article_when_it_says_now() -> None:
    assert day_asked("Who won the final?", "2022-07-01", "2022-09-30") == date(2022, 7, 1)
    assert day_asked("Who won the final?", date(2022, 7, 1), None) == date(2022, 7, 1)
    # "this week", "recently", "now": as of the index's latest news
    assert day_asked("Which team won this week?", None, "2022-09-30") == date(2022, 9, 30)
    assert day_asked("What is the price of gas now?", None, "2022-09-30") == date(2022, 9, 30)
    # no day named and none implied: recency plays no part; nor with an empty index
    assert day_asked("Who won the 2018 final?", None, "2022-09-30") is None
    assert day_asked("Which team won this week?", None, None) is None


def test_the_article_filter_takes_dates_or_iso_strings_and_names_a_bad_bound() -> None:
    flt = article_filter(date(2022, 1, 1), " 2022-02-01 ", ["cnn.com"], None)
    assert (flt.published_from, flt.published_to) == ("2022-01-01", "2022-02-01")
    assert flt.sources == ("cnn.com",) and flt.article_ids == ()
    assert not article_filter(None, None, None, None)  # no filter at all
    with pytest.raises(
        InputError, match=r"^published_to must be a date like 2022-01-19 \(got '1/2/22'\)$"
    ):
        article_filter(None, "1/2/22", None, None)
    with pytest.raises(InputError, match=r"^as_of must be a date"):
        day_asked("Who won?", "last week", None)


def test_an_empty_or_over_long_question_is_one_line_that_says_what_to_do() -> None:
    assert validate_question("  Who won?  ", 100) == "Who won?"
    with pytest.raises(InputError, match="the question is empty"):
        validate_question(" \n ", 100)
    with pytest.raises(InputError, match="is 12 characters long; the limit is 10: shorten it"):
        validate_question("x" * 12, 10)
