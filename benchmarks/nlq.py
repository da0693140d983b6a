"""Benchmark of the query box, set by set: interpretation accuracy, refusals of unanswerable
questions, confident wrong answers, latency in-process and through the CLI.

    python benchmarks/nlq.py [--warehouse /tmp/andon.duckdb] [--cli-runs 8] [--verbose]

Sets: golden, held-out, held-out2, generated (tests/nlq/generate.py) and hand-written
(tests/nlq/handwritten.yaml, when present). Interpretation is scored against the sample
factory's vocabulary (tests/nlq/dims.py), the one the answers were written for: metrics,
dimensions, filters, range, grain, compare and order/limit must all be right (a
clarification must be expected and offer the expected candidates). A confident wrong
answer is an answer (not a question back) that is not the expected one.

In-process latency is metrics.ask: parse + compile, plus the data query when --warehouse
is given (the warehouse's vocabulary, built once). With --warehouse, execution accuracy
compares answer.data with metrics.query for the expected interpretation, and `andon ask`
is timed as a subprocess for a handful of questions. Copy the warehouse to /tmp first so
that nothing else holds its lock.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics.nlq.answer import order_rows  # noqa: E402
from metrics.nlq.golden import Case, Outcome, evaluate, expected_fields, load_cases  # noqa: E402
from metrics.nlq.parser_types import Interpretation  # noqa: E402

NLQ = ROOT / "tests/nlq"
SETS = {
    "golden": NLQ / "golden.yaml",
    "held-out": NLQ / "heldout.yaml",
    "held-out2": NLQ / "heldout2.yaml",
    "held-out3": NLQ / "heldout3.yaml",
    "held-out4": NLQ / "heldout4.yaml",
    "held-out5": NLQ / "heldout5.yaml",
    "generated": NLQ / "generated.yaml",
    "hand-written": NLQ / "handwritten.yaml",
}
GOAL_ACCURACY = {"generated": 0.97, "hand-written": 0.95}
GOAL_P95_MS = 50.0
CLI_QUESTIONS = [
    "oee by line last week",
    "上周各产线的OEE",
    "which line had the lowest FPY last week",
    "top 5 equipment by MTTR this month",
    "本月OEE环比",
    "scrap rate for Sensor Module products in Suzhou, last 2 weeks",
    "how is the weather",
    "2026年第三季度电机控制器的百万缺陷数",
]


def _pct(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _goal(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def score_set(name: str, cases: list[Case], vocab, con, verbose: bool) -> dict:
    outcomes: list[Outcome] = [evaluate(c, vocab) for c in cases]
    interpret = [o.ms for o in outcomes]
    latencies = interpret
    if con is not None:  # latency with the data query, on the warehouse's vocabulary
        from metrics.nlq.cache import learned
        from metrics.scope import ALL_PLANTS

        wh_vocab = learned(con, ALL_PLANTS).vocabulary
        latencies = [_timed_ask(c, wh_vocab, con) for c in cases]
    correct = sum(o.correct for o in outcomes)
    unanswerable = [o for o in outcomes if o.case.clarify]
    asked = sum(not o.answered for o in unanswerable)
    confident = [o for o in outcomes if o.confident_wrong]
    accuracy = correct / len(cases)
    goal = GOAL_ACCURACY.get(name)
    goal_text = f"  [goal >= {goal:.0%}: {_goal(accuracy >= goal)}]" if goal else ""
    print(
        f"{name:12} {len(cases):5} questions  accuracy {correct}/{len(cases)} = {accuracy:.1%}"
        f"{goal_text}\n"
        f"{'':12} unanswerable asked back {asked}/{len(unanswerable)};"
        f" confident wrong {len(confident)}  [goal 0: {_goal(not confident)}]\n"
        f"{'':12} in-process p50 {_pct(latencies, 50):.1f} ms, p95 {_pct(latencies, 95):.1f} ms"
        f" ({'parse + compile + query' if con is not None else 'parse + compile'})"
        f"  [goal p95 < {GOAL_P95_MS:.0f} ms: {_goal(_pct(latencies, 95) < GOAL_P95_MS)}]"
        + (
            f"; parse + compile alone p50 {_pct(interpret, 50):.1f} ms,"
            f" p95 {_pct(interpret, 95):.1f} ms"
            if con is not None
            else ""
        )
    )
    misses = [o for o in outcomes if not o.correct]
    if verbose or len(misses) <= 10:
        for o in sorted(misses, key=lambda o: not o.confident_wrong):
            tag = "CONFIDENT WRONG" if o.confident_wrong else "asked back"
            print(f"    {tag}: {o.case.question!r} (as of {o.case.as_of}): {o.why}")
    return {"latencies": latencies, "confident": len(confident)}


def _timed_ask(case: Case, vocab, con) -> float:
    from metrics.errors import MetricError
    from metrics.nlq.ask import ask
    from metrics.nlq.normalize import has_cjk
    from metrics.scope import ALL_PLANTS

    lang = "zh" if has_cjk(case.question) else "en"
    started = time.perf_counter()
    with contextlib.suppress(MetricError):
        ask(case.question, case.as_of, lang=lang, vocabulary=vocab, con=con, scope=ALL_PLANTS)
    return (time.perf_counter() - started) * 1000


def execution(cases: list[Case], con) -> tuple[int, int, list[str]]:
    """Answers whose data equal metrics.query for the expected interpretation."""
    import metrics

    correct, total, failures = 0, 0, []
    for case in cases:
        if case.clarify:
            continue
        total += 1
        want = expected_fields(case)
        args = {k: want[k] for k in ("metrics", "by", "where", "start", "end", "grain", "compare")}
        try:
            answer = metrics.ask(case.question, case.as_of, con=con, scope=metrics.Scope.all())
            expected = order_rows(
                metrics.query(**args, lang=answer.lang, con=con, scope=metrics.Scope.all()),
                Interpretation(
                    metrics=tuple(want["metrics"]), order=want["order"], limit=want["limit"]
                ),
            )
        except metrics.MetricError as error:
            failures.append(f"    {case.question!r}: {error}")
            continue
        if answer.data is not None and answer.data.equals(expected):
            correct += 1
        else:
            failures.append(f"    {case.question!r}: rows differ")
    return correct, total, failures


def cli(warehouse: Path, runs: int) -> list[float]:
    """Wall time (ms) of `andon ask` as a subprocess, cycling through CLI_QUESTIONS."""
    andon = shutil.which("andon") or str(Path(sys.executable).with_name("andon"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    timings = []
    for i in range(runs):
        question = CLI_QUESTIONS[i % len(CLI_QUESTIONS)]
        command = [andon, "ask", question, "--as-of=2026-10-11", f"--warehouse={warehouse}"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        timings.append((time.perf_counter() - started) * 1000)
        if done.returncode not in (0, 3):
            print(f"    `andon ask {question!r}` exited {done.returncode}: {done.stderr[-300:]}")
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="A built warehouse (copy it to /tmp).")
    parser.add_argument("--cli-runs", type=int, default=8, help="`andon ask` subprocess runs.")
    parser.add_argument("--verbose", action="store_true", help="List every miss.")
    args = parser.parse_args()
    from metrics.nlq.ask import ask
    from tests.nlq.dims import sample_vocabulary

    vocab = sample_vocabulary()
    ask("warm up", "2026-10-11", vocabulary=vocab, execute=False)
    con = None
    if args.warehouse is not None:
        from warehouse.connections import connect_published

        con = connect_published(args.warehouse)
    confident, everything, latencies = 0, [], []
    try:
        for name, path in SETS.items():
            if not path.exists():
                print(f"{name:12} ({path.relative_to(ROOT)} not present)")
                continue
            cases = load_cases(path)
            everything += cases
            result = score_set(name, cases, vocab, con, args.verbose)
            confident += result["confident"]
            latencies += result["latencies"]
        print(
            f"{'all sets':12} confident wrong {confident}  [goal 0: {_goal(not confident)}];"
            f" in-process p50 {_pct(latencies, 50):.1f} ms, p95 {_pct(latencies, 95):.1f} ms,"
            f" max {max(latencies):.1f} ms"
        )
        if con is None:
            print("execution accuracy and CLI latency: skipped (no --warehouse)")
            return 0
        correct, total, failures = execution(everything, con)
        print(
            f"execution accuracy on {args.warehouse}: {correct}/{total} = "
            f"{correct / max(total, 1):.1%}"
        )
        if args.verbose or len(failures) <= 10:
            print("\n".join(failures))
    finally:
        if con is not None:
            con.close()
    timings = cli(args.warehouse, args.cli_runs)
    print(
        f"CLI `andon ask` ({len(timings)} runs, subprocess wall time): "
        f"p50 {_pct(timings, 50):.0f} ms, p95 {_pct(timings, 95):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
