"""naslab.asktell.AskTellBook: the bookkeeping shared by run_search and the Ray Tune adapter.

Oracles: a searcher that records what it was told; trials finished out of order are told in ask order;
a JSONL file's trials are replayed (told, never handed out for evaluation) and a different config is refused.
"""

import pytest

from naslab.asktell import AskTellBook, evaluate_proposal, make_trial
from naslab.domains import Choice
from naslab.searchers import GridSearch, Proposal, Searcher
from naslab.trial import append_jsonl


class Recorder(Searcher):
    def __init__(self, configs):
        self.configs, self.told = list(configs), []

    def ask(self):
        return self.configs.pop(0) if self.configs else None

    def tell(self, config, trial):
        self.told.append(config)


def _trial(book, tid, prop, score):
    return make_trial(tid, prop, ({"val_acc": score}, 0.5, None), "val_acc", book.searcher)


def test_tells_in_ask_order_whatever_order_trials_finish_in():
    book = AskTellBook(Recorder(["a", "b", "c"]), budget=10)
    asked = [book.ask() for _ in range(3)]
    assert [(tid, p.config, replayed) for tid, p, replayed in asked] == [(0, "a", False), (1, "b", False),
                                                                           (2, "c", False)]
    assert book.ask() is None  # the searcher has nothing more to propose
    seen = []
    book.finish(_trial(book, 2, asked[2][1], 0.3))
    book.finish(_trial(book, 1, asked[1][1], 0.2))
    book.tell_ready(seen.append)
    assert book.searcher.told == [] and book.seconds() == 1.0  # trial 0 is not finished: nobody is told
    book.finish(_trial(book, 0, asked[0][1], 0.1))
    book.tell_ready(seen.append)
    assert book.searcher.told == ["a", "b", "c"] and [t.trial_id for t in seen] == [0, 1, 2]
    assert book.trials == seen and book.spent == 1.5 and book.queue == [] and book.results == {}


def test_budget_caps_the_asks():
    book = AskTellBook(Recorder("abcdef"), budget=2)
    assert [book.ask()[0] for _ in range(2)] == [0, 1] and book.ask() is None
    assert book.searcher.configs == list("cdef")  # the searcher is not asked past the budget


def test_replays_finished_trials_from_the_file_and_refuses_another_search(tmp_path):
    path = tmp_path / "s.jsonl"
    first = AskTellBook(GridSearch({"x": Choice([1, 2, 3])}), budget=3, path=path)
    tid, prop, _ = first.ask()
    first.finish(make_trial(tid, prop, evaluate_proposal(lambda c: {"val_acc": c["x"] / 10}, prop.config, None),
                            "val_acc", first.searcher))
    first.close()  # the book holds the log until closed
    again = AskTellBook(GridSearch({"x": Choice([1, 2, 3])}), budget=3, path=path)
    assert [(t, p.config, r) for t, p, r in (again.ask(), again.ask())] == [(0, {"x": 1}, True), (1, {"x": 2}, False)]
    again.tell_ready()
    assert [t.info.get("resumed") for t in again.trials] == [True] and again.trials[0].metrics == {"val_acc": 0.1}
    again.close()
    other = AskTellBook(GridSearch({"x": Choice([5, 6])}), budget=3, path=path)
    with pytest.raises(ValueError, match=r"trial 0 holds config \{'x': 1\} but the searcher asked for \{'x': 5\}"):
        other.ask()


def test_interrupt_tells_every_finished_trial_skipping_the_unfinished():
    book = AskTellBook(Recorder(["a", "b", "c"]), budget=3)
    asked = [book.ask() for _ in range(3)]
    book.finish(_trial(book, 2, asked[2][1], 0.3))
    book.tell_finished()
    assert book.searcher.told == ["c"] and [t.trial_id for t in book.trials] == [2]


def test_a_config_that_cannot_be_recorded_is_the_searchers_bug():
    book = AskTellBook(Recorder([Proposal({"x": {1, 2}})]), budget=3)
    book.searcher.name = "sets"
    with pytest.raises(TypeError, match=r"sets proposed a trial that cannot be recorded: config\['x'\] is a set"):
        book.ask()


def test_a_torn_last_line_is_dropped_before_replay(tmp_path):
    path = tmp_path / "s.jsonl"
    book = AskTellBook(GridSearch({"x": Choice([1])}), budget=1, path=path)
    tid, prop, _ = book.ask()
    book.close()
    append_jsonl(path, _trial(book, tid, prop, 0.5))
    with path.open("a") as f:
        f.write('{"config": {"x"')  # a write cut short by a crash
    with pytest.warns(RuntimeWarning, match="dropped an unterminated last line"):
        again = AskTellBook(GridSearch({"x": Choice([1])}), budget=1, path=path)
    assert list(again.stored) == [0] and path.read_text().endswith("\n")
