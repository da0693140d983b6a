"""The natural-language query box: questions in English or Chinese answered by metrics.query.

answer = metrics.ask("上周各产线的OEE")  # or "OEE by line last week"
answer.interpretation, answer.sql, answer.data, answer.chart, answer.clarification

The public names are loaded on first use (see warehouse.lazy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warehouse.lazy import lazy_exports

if TYPE_CHECKING:
    from metrics.nlq.answer import Answer, Chart
    from metrics.nlq.ask import ask
    from metrics.nlq.parser import parse
    from metrics.nlq.parser_types import Clarification, Interpretation
    from metrics.nlq.vocabulary import Vocabulary

__all__ = ["Answer", "Chart", "Clarification", "Interpretation", "Vocabulary", "ask", "parse"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Answer": "metrics.nlq.answer",
        "Chart": "metrics.nlq.answer",
        "Clarification": "metrics.nlq.parser_types",
        "Interpretation": "metrics.nlq.parser_types",
        "Vocabulary": "metrics.nlq.vocabulary",
        "ask": "metrics.nlq.ask",
        "parse": "metrics.nlq.parser",
    },
)
