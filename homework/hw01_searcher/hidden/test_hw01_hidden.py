"""Homework 1, hidden tests (instructor's copy only): an IntRange's end values get their full share.

The public tests check IntRange only at u = 0, 0.5 and 0.999, which an answer that rounds u (high - low) to the
nearest integer also passes; this test rejects it (tests/course/test_hw01_02_wrong_answers.py holds that answer).
"""

from my_searcher import QuasiRandomSearch

from naslab.domains import IntRange


def test_every_int_gets_an_equal_share():
    # 300 points over IntRange(1, 3): floor gives each int 100 (+- 5 for an even sequence); rounding gives 75 / 150 / 75
    for seed in range(3):
        s = QuasiRandomSearch({"n": IntRange(1, 3)}, seed=seed)
        xs = [s.ask()["n"] for _ in range(300)]
        shares = {v: xs.count(v) for v in (1, 2, 3)}
        assert all(90 <= n <= 110 for n in shares.values()), (
            f"seed {seed}: counts {shares} over 300 asks; every int should get a third. Rounding u * (high - low) "
            "gives the end values half the mass: use low + floor(u * (high - low + 1))")
