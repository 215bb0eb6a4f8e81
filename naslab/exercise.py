"""`exercise(n)`: the context manager around every exercise and check cell of the notebooks.

In the student edition (`make student`, see the README's "For instructors") each solution is replaced by
`raise NotImplementedError("Exercise n: ...")`. Without this wrapper the first unsolved exercise
would stop "Run All" with a traceback; with it the cell prints one line instead,

    Exercise 1: not implemented yet (write your answer in the exercise cell, then rerun it and its check)

and the notebook runs on. The check cell is wrapped too: there a `NameError` means the exercise
cell did not define its answer yet (still the stub), which is reported the same way. Every other
exception (a wrong answer, a bug in your code) propagates unchanged, with its traceback.

Used by: every notebook's exercise and check cells (00-07).
"""

from __future__ import annotations

HINT = "write your answer in the exercise cell, then rerun it and its check"


class exercise:  # noqa: N801  (lower case: it reads as a statement, `with exercise(1):`)
    """`with exercise(n):` turns "not implemented yet" (NotImplementedError, or a NameError of an
    answer the stub never defined) into one printed line; any other exception propagates."""

    def __init__(self, n: int | str):
        self.n = n
        self.pending = False  # True once this block met an unsolved exercise

    def __enter__(self) -> exercise:
        return self

    def __exit__(self, kind, value, tb) -> bool:
        if kind is None:
            return False
        if issubclass(kind, NotImplementedError) or issubclass(kind, NameError):
            self.pending = True
            detail = f": {value}" if isinstance(value, NameError) else ""
            print(f"Exercise {self.n}: not implemented yet ({HINT}){detail}")
            return True  # swallow: the notebook runs on
        return False
