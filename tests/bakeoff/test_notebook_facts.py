"""Facts notebook 06 states that follow from its configuration alone (they were claims; a constant is a unit test).

06 §3: Hyperband's brackets on the table's 4 epochs with eta = 2 (Li et al., JMLR 2018): the most aggressive
bracket starts the most cells at one epoch and keeps 1/eta of them at each rung; the last bracket is one rung at
full budget (random search). 06 §6: DARTS on the table steps with xi = the weight learning rate, at most 0.025.
"""

import math

import pytest

from naslab.bakeoff.hyperband import Hyperband, hyperband_brackets
from naslab.bakeoff.oneshot import table_search
from naslab.bakeoff.race import default_eta


def _brackets(R, eta):
    return {s: Hyperband(lambda g: (0,) * 6, R, eta=eta, brackets=[s]).sh.schedule for s, _, _ in
            hyperband_brackets(R, eta)}


@pytest.mark.parametrize("R", [4, 27])
def test_hyperband_brackets_of_06_section_3(R):
    eta = default_eta(R)
    assert eta == (2 if R < 9 else 3)
    b = _brackets(R, eta)
    aggressive, plain = b[max(b)], b[0]
    assert aggressive[0][1] == pytest.approx(1)                              # starts at one epoch
    assert aggressive[0][0] == max(x[0][0] for x in b.values())              # with the most cells
    assert [n for n, _ in aggressive] == [math.floor(aggressive[0][0] / eta**i) for i in range(len(aggressive))]
    assert len(plain) == 1 and plain[0][1] == R                              # random search at full budget


def test_hyperband_on_the_table_4_epochs():
    b = _brackets(4, 2)  # s_max = 2: 4 x 1 ep -> 2 x 2 -> 1 x 4 | 3 x 2 -> 1 x 4 | 3 x 4 (n = ceil(3/(s+1)) 2^s)
    assert [[n for n, _ in b[s]] for s in (2, 1, 0)] == [[4, 2, 1], [3, 1], [3]]


def test_darts_on_the_table_xi_is_at_most_the_weight_lr():
    assert table_search().w_lr == 0.025
