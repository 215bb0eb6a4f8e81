"""Homework 1, hidden tests (instructor's copy only): a Choice is covered quickly, and a long run stays in bounds."""

from my_searcher import QuasiRandomSearch

from naslab.domains import Choice, LogUniform


def test_every_choice_appears_within_two_rounds():
    values = ["a", "b", "c", "d", "e"]
    s = QuasiRandomSearch({"c": Choice(values)}, seed=1)
    assert {s.ask()["c"] for _ in range(2 * len(values))} == set(values)


def test_a_long_log_uniform_run_stays_inside():
    s = QuasiRandomSearch({"lr": LogUniform(1e-5, 1e-1)}, seed=7)
    xs = [s.ask()["lr"] for _ in range(500)]
    assert min(xs) >= 1e-5 and max(xs) <= 1e-1
    assert sum(x < 1e-3 for x in xs) in range(225, 276), "half of the points lie below the log-midpoint 1e-3"
