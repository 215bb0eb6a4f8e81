"""Homework 3, hidden tests: a parameter that forward never uses adds nothing to either score."""

import torch
from my_proxy import grad_norm, snip
from torch import nn


class Net(nn.Module):
    def __init__(self, spare: bool):
        super().__init__()
        self.conv, self.head = nn.Conv1d(1, 4, 3, padding=1), nn.Linear(4 * 10, 3)
        if spare:
            self.spare = nn.Parameter(torch.ones(2))  # never used in forward: its gradient is zero

    def forward(self, x):
        return self.head(torch.relu(self.conv(x)).flatten(1))


def test_unused_parameters_count_zero():
    torch.manual_seed(0)
    with_spare, plain = Net(True), Net(False)
    plain.load_state_dict({k: v for k, v in with_spare.state_dict().items() if k != "spare"})
    x, y = torch.randn(8, 1, 10), torch.randint(0, 3, (8,))
    assert abs(grad_norm(with_spare, x, y) - grad_norm(plain, x, y)) < 1e-6
    assert abs(snip(with_spare, x, y) - snip(plain, x, y)) < 1e-6
