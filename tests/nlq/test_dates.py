"""Dates the question box cannot read as written are asked back, never reinterpreted:
no such date, a range that ends before it starts, a period with no data."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

import metrics
from metrics.nlq.timephrases import extract

AS_OF = date(2026, 11, 30)
ALL = metrics.Scope.all()


def asked(question, vocab, **kw):
    return metrics.ask(question, AS_OF, vocabulary=vocab, execute=False, scope=ALL, **kw)


@pytest.fixture
def calendar_con():
    """A warehouse holding only its calendar: data from 2025-11-01, as of 2026-11-30."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_date as select range::date as date_day, "
        "range::date = date '2026-11-30' as is_as_of_date "
        "from range(date '2025-11-01', date '2026-12-31', interval 1 day)"
    )
    yield con
    con.close()


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            "oee feb 30",
            "'feb 30' is not a date: 2026-02 has 28 days, so there is no day 30. "
            "Which date did you mean?",
        ),
        (
            "oee on 30 feb",
            "'30 feb' is not a date: 2026-02 has 28 days, so there is no day 30. "
            "Which date did you mean?",
        ),
        (
            "oee on 2026-02-30",
            "'2026-02-30' is not a date: 2026-02 has 28 days, so there is no day 30. "
            "Which date did you mean?",
        ),
        (
            "oee on 2028-02-30",
            "'2028-02-30' is not a date: 2028-02 has 29 days, so there is no day 30. "
            "Which date did you mean?",
        ),
        (
            "oee 2026-01-00",
            "'2026-01-00' is not a date: 2026-01 has 31 days, so there is no day 0. "
            "Which date did you mean?",
        ),
        (
            "oee 2026-13-01",
            "'2026-13-01' is not a date: there is no month 13. Which date did you mean?",
        ),
        (
            "oee 0000-01-01",
            "'0000-01-01' is not a date: there is no year 0. Which date did you mean?",
        ),
        (
            "oee from feb 1 to 30",
            "'from feb 1 to 30' is not a date: 2026-02 has 28 days, so there is no day 30. "
            "Which date did you mean?",
        ),
        (
            "oee from oct 15 to oct 1",
            "The range 'from oct 15 to oct 1' ends before it starts (2026-10-15 is after "
            "2026-10-01). Did you mean 2026-10-01 to 2026-10-15?",
        ),
        (
            "oee from 2026-10-15 to 2026-10-01",
            "The range 'from 2026-10-15 to 2026-10-01' ends before it starts (2026-10-15 is "
            "after 2026-10-01). Did you mean 2026-10-01 to 2026-10-15?",
        ),
    ],
)
def test_impossible_dates_are_asked_back_in_english(question, message, vocab):
    answer = asked(question, vocab)
    assert answer.clarification is not None and answer.clarification.reason == "bad_date"
    assert answer.clarification.message == message
    assert answer.interpretation is None and answer.sql is None


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("2月30日的oee", "“2月30日”不是有效日期：2026年2月只有28天，没有30日。您指的是哪一天？"),
        (
            "2026年2月29日的oee",
            "“2026年2月29日”不是有效日期：2026年2月只有28天，没有29日。您指的是哪一天？",
        ),
        ("13月的oee", "“13月”不是有效日期：没有13月。您指的是哪一天？"),
        ("0月的oee", "“0月”不是有效日期：没有0月。您指的是哪一天？"),
        ("13月5日的oee", "“13月”不是有效日期：没有13月。您指的是哪一天？"),
        (
            "10月15日到10月1日的oee",
            "日期范围“10月15日到10月1日”的结束早于开始（2026-10-15 晚于 2026-10-01）。"
            "您是指 2026-10-01 到 2026-10-15 吗？",
        ),
    ],
)
def test_impossible_dates_are_asked_back_in_chinese(question, message, vocab):
    answer = asked(question, vocab)
    assert answer.clarification is not None and answer.clarification.reason == "bad_date"
    assert answer.clarification.message == message


def test_vietnamese_readers_get_the_reason_in_vietnamese(vocab):
    answer = asked("oee feb 30", vocab, lang="vi")
    assert answer.clarification.message == (
        "'feb 30' không phải là ngày hợp lệ: tháng 02/2026 có 28 ngày, không có ngày 30. "
        "Bạn muốn hỏi ngày nào?"
    )


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("oee from dec 15 to jan 10", date(2025, 12, 15), date(2026, 1, 11)),  # into next year
        ("oee from oct 1 to oct 15", date(2026, 10, 1), date(2026, 10, 16)),
        ("oee on 2024-02-29", date(2024, 2, 29), date(2024, 3, 1)),  # a leap day
        ("10月1日到15日的oee", date(2026, 10, 1), date(2026, 10, 16)),
        ("12月的oee", date(2025, 12, 1), date(2026, 1, 1)),
    ],
)
def test_real_dates_and_ranges_are_still_read(question, start, end, vocab):
    answer = asked(question, vocab)
    assert answer.clarification is None
    assert (answer.interpretation.start, answer.interpretation.end) == (start, end)


def test_the_time_phrases_report_the_problem_and_no_window():
    facts, _ = extract("oee feb 30 by month", AS_OF)
    assert facts.window is None and facts.grain == "month"
    assert (facts.problem.kind, facts.problem.words, facts.problem.why) == (
        "invalid",
        "feb 30",
        "day",
    )
    assert facts.problem.values == {"year": 2026, "month": 2, "day": 30, "days": 28}


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            "oee in 1999",
            "There is no data for the period asked (1999-01-01 – 1999-12-31): the data runs from "
            "2025-11-01 to 2026-11-30.",
        ),
        (
            "oee by line in 2099",
            "There is no data for the period asked (2099-01-01 – 2099-12-31): the data runs from "
            "2025-11-01 to 2026-11-30.",
        ),
        (
            "oee by line 1850",
            "There is no data for the period asked (1850-01-01 – 1850-12-31): the data runs from "
            "2025-11-01 to 2026-11-30.",
        ),
        (
            "oee in march 2025",
            "There is no data for the period asked (2025-03-01 – 2025-03-31): the data runs from "
            "2025-11-01 to 2026-11-30.",
        ),
        (
            "oee since dec 2026",
            "There is no data for the period asked (2026-12-01 – 2026-12-01): the data runs "
            "from 2025-11-01 to 2026-11-30.",
        ),
        (
            "2099年的oee",
            "所问时间段（2099-01-01 – 2099-12-31）没有数据：数据范围为 2025-11-01 至 2026-11-30。",
        ),
    ],
)
def test_a_period_without_data_says_what_the_data_covers(question, message, vocab, calendar_con):
    answer = metrics.ask(question, con=calendar_con, vocabulary=vocab, execute=False, scope=ALL)
    assert answer.as_of == AS_OF
    assert answer.clarification is not None and answer.clarification.reason == "no_data"
    assert answer.clarification.message == message
    assert answer.sql is None


def test_a_period_overlapping_the_data_is_answered(vocab, calendar_con):
    answer = metrics.ask(
        "oee in 2025", con=calendar_con, vocabulary=vocab, execute=False, scope=ALL
    )
    assert answer.clarification is None
    assert answer.interpretation.start == date(2025, 1, 1)


def test_without_the_first_day_only_the_newest_date_is_named(vocab):
    answer = asked("oee in 2099", vocab)
    assert answer.clarification.message == (
        "There is no data for the period asked (2099-01-01 – 2099-12-31): the newest data is "
        "from 2026-11-30."
    )
    assert asked("oee in 1999", vocab).clarification is None  # no first day known: asked


@pytest.mark.parametrize(
    "question",
    [
        "oee feb 31 to mar 40",
        "oee 9999-12-31 to 0000-01-01",
        "oee 2026-99-99",
        "oee 99月99日",
        "oee from 2026-02-29 to 2026-03-01",
        "oee on 31st of april 2026",
        "oee since 2026-02-30",
        "oee 2月29日到3月1日",
    ],
)
def test_odd_dates_never_raise(question, vocab):
    answer = asked(question, vocab)
    assert answer.clarification is not None and answer.clarification.reason == "bad_date"


@pytest.mark.parametrize("question", ["oee since 十三月", "十三月的产量", "oee 2026年十三月"])
def test_a_month_in_chinese_numerals_that_does_not_exist_is_asked_back(question, vocab) -> None:  # noqa: ANN001
    answer = asked(question, vocab, lang="zh")
    assert answer.needs_clarification
    assert "没有13月" in answer.clarification.message


@pytest.mark.parametrize(
    ("question", "start"), [("十月的产量", date(2026, 10, 1)), ("十二月的产量", date(2025, 12, 1))]
)
def test_a_month_in_chinese_numerals_is_read(question, start, vocab) -> None:  # noqa: ANN001
    answer = asked(question, vocab, lang="zh")
    assert not answer.needs_clarification
    assert answer.interpretation.start == start
