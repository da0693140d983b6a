"""Cron expressions in words (app/web/cron_words.py), in every language, kept as data: a
form Andon's schedules use is worded, anything else is shown as the expression itself."""

from __future__ import annotations

import pytest

from app.web.cron_words import describe_cron

# expression: (English, 中文, Tiếng Việt)
CASES = {
    "30 7 * * *": ("every day at 07:30", "每天 07:30", "hằng ngày lúc 07:30"),
    "0 7 * * *": ("every day at 07:00", "每天 07:00", "hằng ngày lúc 07:00"),
    "0 7,19 * * *": (
        "every day at 07:00, 19:00",
        "每天 07:00、19:00",
        "hằng ngày lúc 07:00, 19:00",
    ),
    "0 8 * * 1": ("every Monday at 08:00", "每周一 08:00", "hằng tuần vào thứ Hai lúc 08:00"),
    "0 8 * * 0": ("every Sunday at 08:00", "每周日 08:00", "hằng tuần vào Chủ nhật lúc 08:00"),
    "0 8 * * 7": ("every Sunday at 08:00", "每周日 08:00", "hằng tuần vào Chủ nhật lúc 08:00"),
    "0 7 * * 1-5": (
        "every Monday to Friday at 07:00",
        "每周一至周五 07:00",
        "hằng tuần vào thứ Hai đến thứ Sáu lúc 07:00",
    ),
    "0 8 * * MON,WED": (
        "every Monday, Wednesday at 08:00",
        "每周一、周三 08:00",
        "hằng tuần vào thứ Hai, thứ Tư lúc 08:00",
    ),
    "0 6 1 * *": (
        "every month on day 1 at 06:00",
        "每月 1 日 06:00",
        "ngày 1 hằng tháng lúc 06:00",
    ),
    "*/15 * * * *": ("every 15 minutes", "每 15 分钟", "mỗi 15 phút"),
    "* * * * *": ("every minute", "每分钟", "mỗi phút"),
    "0 * * * *": ("every hour", "每小时", "mỗi giờ"),
    "15 * * * *": ("every hour at minute 15", "每小时第 15 分", "mỗi giờ vào phút 15"),
    "0 */2 * * *": ("every 2 hours", "每 2 小时", "mỗi 2 giờ"),
    "30 */6 * * *": (
        "every 6 hours at minute 30",
        "每 6 小时（第 30 分）",
        "mỗi 6 giờ vào phút 30",
    ),
}
# kept as written: forms Andon's schedules do not use, and what is no cron expression
RAW = ["0 7 * 1 *", "0 7 1 * 1", "0 7 L * *", "0 25 * * *", "*/5 7-9 * * *", "@daily", "0 7 * *"]


@pytest.mark.parametrize("expression", list(CASES))
def test_cron_in_words(expression: str) -> None:
    assert (
        tuple(describe_cron(expression, lang) for lang in ("en", "zh", "vi")) == (CASES[expression])
    )


@pytest.mark.parametrize("expression", RAW)
def test_unusual_expressions_are_shown_as_written(expression: str) -> None:
    assert {describe_cron(expression, lang) for lang in ("en", "zh", "vi")} == {expression}


def test_no_schedule_is_no_text() -> None:
    assert describe_cron(None, "zh") == "" and describe_cron("", "en") == ""
