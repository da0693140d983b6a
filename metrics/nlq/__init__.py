"""The natural-language query box: questions in English or Chinese answered by metrics.query.

answer = metrics.ask("上周各产线的OEE")  # or "OEE by line last week"
answer.interpretation, answer.sql, answer.data, answer.chart, answer.clarification
"""

from metrics.nlq.answer import Answer, Chart
from metrics.nlq.ask import ask
from metrics.nlq.parser import parse
from metrics.nlq.parser_types import Clarification, Interpretation
from metrics.nlq.vocabulary import Vocabulary

__all__ = ["Answer", "Chart", "Clarification", "Interpretation", "Vocabulary", "ask", "parse"]
