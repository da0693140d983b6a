"""Benchmark of the query box: interpretation accuracy (golden and held-out questions),
execution accuracy on a warehouse, clarification of unanswerable questions, and latency.

    python benchmarks/nlq.py [--warehouse warehouse/andon.duckdb]

Interpretation is scored against the sample factory's vocabulary (tests/nlq/dims.py), the
one the golden answers were written for; execution compares answer.data with
metrics.query for the expected interpretation on the warehouse given.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics.nlq.answer import order_rows  # noqa: E402
from metrics.nlq.ask import ask  # noqa: E402
from metrics.nlq.golden import Case, expected_fields, judge, load_cases  # noqa: E402
from metrics.nlq.normalize import has_cjk  # noqa: E402
from metrics.nlq.parser import parse  # noqa: E402
from metrics.nlq.parser_types import Clarification, Interpretation  # noqa: E402

SETS = {
    "golden": ROOT / "tests/nlq/golden.yaml",
    "held-out": ROOT / "tests/nlq/heldout.yaml",
    "held-out2": ROOT / "tests/nlq/heldout2.yaml",
}


def interpretation(cases: list[Case], vocab) -> tuple[int, list[str], list[float], int, int]:
    """Correct count, failures, latencies (parse + compile, ms), unanswerable asked/total."""
    correct, failures, latencies, asked, unanswerable = 0, [], [], 0, 0
    for case in cases:
        lang = "zh" if has_cjk(case.question) else "en"
        started = time.perf_counter()
        answer = ask(case.question, case.as_of, lang=lang, vocabulary=vocab, execute=False)
        latencies.append((time.perf_counter() - started) * 1000)
        result = (
            parse(case.question, vocab, case.as_of, lang)
            if case.question.strip()
            else (Clarification("empty"))
        )
        ok, why = judge(case, result)
        ok = ok and (answer.needs_clarification == case.clarify)
        correct += ok
        if not ok:
            failures.append(f"  {case.question!r}: {why}")
        if case.clarify:
            unanswerable += 1
            asked += answer.needs_clarification
    return correct, failures, latencies, asked, unanswerable


def execution(cases: list[Case], warehouse: Path) -> tuple[int, int, list[float], list[str]]:
    import metrics
    from warehouse.connections import connect_published

    con = connect_published(warehouse)
    correct, total, timings, failures = 0, 0, [], []
    try:
        for case in cases:
            if case.clarify:
                continue
            total += 1
            want = expected_fields(case)
            args = {
                k: want[k] for k in ("metrics", "by", "where", "start", "end", "grain", "compare")
            }
            try:
                answer = metrics.ask(case.question, case.as_of, con=con, scope=metrics.Scope.all())
                expected = order_rows(
                    metrics.query(**args, lang=answer.lang, con=con, scope=metrics.Scope.all()),
                    Interpretation(
                        metrics=tuple(want["metrics"]), order=want["order"], limit=want["limit"]
                    ),
                )
            except metrics.MetricError as error:
                failures.append(f"  {case.question!r}: {error}")
                continue
            timings.append(answer.timings_ms.get("query", 0.0))
            if answer.data is not None and answer.data.equals(expected):
                correct += 1
            else:
                failures.append(f"  {case.question!r}: rows differ")
    finally:
        con.close()
    return correct, total, timings, failures


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=ROOT / "warehouse/andon.duckdb")
    parser.add_argument("--verbose", action="store_true", help="List every miss.")
    args = parser.parse_args()
    from tests.nlq.dims import sample_vocabulary

    vocab = sample_vocabulary()
    ask("warm up", "2026-10-11", vocabulary=vocab, execute=False)
    all_latencies: list[float] = []
    wrong_unanswerable = 0
    cases_all: list[Case] = []
    for name, path in SETS.items():
        if not path.exists():
            print(f"{name}: {path} missing")
            continue
        cases = load_cases(path)
        cases_all += cases
        correct, failures, latencies, asked, unanswerable = interpretation(cases, vocab)
        all_latencies += latencies
        wrong_unanswerable += unanswerable - asked
        print(
            f"{name:10} interpretation accuracy {correct}/{len(cases)} = "
            f"{correct / len(cases):.1%}; unanswerable asked back {asked}/{unanswerable}"
        )
        if args.verbose or len(failures) <= 10:
            print("\n".join(failures))
    print(f"confidently wrong on unanswerable questions: {wrong_unanswerable}")
    print(
        f"latency (interpretation + compile) p50 {_pct(all_latencies, 50):.2f} ms, "
        f"p95 {_pct(all_latencies, 95):.2f} ms, max {max(all_latencies):.2f} ms"
    )
    from warehouse.connections import NotPublished

    try:
        correct, total, timings, failures = execution(cases_all, args.warehouse)
    except NotPublished as error:
        print(f"execution accuracy: skipped ({error})")
        return 0
    print(
        f"execution accuracy on {args.warehouse}: {correct}/{total} = "
        f"{correct / max(total, 1):.1%}; query execution p50 {_pct(timings, 50):.1f} ms, "
        f"p95 {_pct(timings, 95):.1f} ms"
    )
    if args.verbose or len(failures) <= 10:
        print("\n".join(failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
