"""The LSTM controller of Zoph & Le (ICLR 2017, arXiv:1611.01578, §3.1): an autoregressive policy over tokens.

An LSTM emits the tokens a_1..a_T of a child network one at a time: one softmax per decision, the
chosen token's embedding is fed back as the next input, so

    P(a_1:T; θ) = Π_t P(a_t | a_1:t-1; θ),   log P = Σ_t log p_t(a_t),   H = Σ_t H(p_t)

`Controller(...)(m)` samples m sequences and returns their tokens, log-probabilities and entropies
(`Sample`); with `tokens=` it scores given sequences (teacher forcing), which REINFORCE needs.
The loss and baseline are in `naslab.controller.reinforce`; the ask/tell searcher that trains it is
`naslab.controller.searcher.ControllerSearcher`.

Taught in: notebooks/02_reinforce_controller.ipynb.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from naslab.validate import check_int, check_real, check_seed, is_int


@dataclass
class Sample:
    """What the controller emits for m sequences of T decisions."""

    tokens: torch.Tensor  # (m, T) int64
    log_prob: torch.Tensor  # (m,) Σ_t log p(a_t | a_<t)
    entropy: torch.Tensor  # (m,) Σ_t H(p_t)
    probs: list[torch.Tensor]  # T tensors of shape (m, k_t): the distribution at every step


class Controller(nn.Module):
    """An autoregressive LSTM policy over decisions with `num_choices[t]` options each.

    Zoph & Le: 2 layers of 35 units, weights uniform in [-0.08, 0.08]. Each decision t has its own
    softmax head (hidden -> k_t) and its own embedding table (k_t -> hidden) for the feedback.
    """

    def __init__(self, num_choices: Sequence[int], *, hidden: int = 35, num_layers: int = 2,
                 init_range: float = 0.08, seed: int = 0, temperature: float | None = None,
                 tanh_constant: float | None = None):
        super().__init__()
        if isinstance(num_choices, str) or not hasattr(num_choices, "__iter__") or not list(num_choices) \
                or not all(is_int(k) and k >= 1 for k in num_choices):
            shown = list(num_choices) if hasattr(num_choices, "__iter__") else num_choices
            raise ValueError(f"num_choices={shown!r} must be a non-empty list of ints >= 1")
        check_int(hidden, "hidden", low=1)
        check_int(num_layers, "num_layers", low=1)
        check_real(init_range, "init_range", low=0)
        check_seed(seed)
        check_real(temperature, "temperature", low=0, low_open=True, none=True)
        check_real(tanh_constant, "tanh_constant", low=0, low_open=True, none=True)
        self.temperature, self.tanh_constant = temperature, tanh_constant  # ENAS's logit bound, off by default
        self.num_choices = [int(k) for k in num_choices]
        self.hidden, self.num_layers = int(hidden), int(num_layers)
        self.start = nn.Parameter(torch.zeros(1, hidden))  # g: the first input
        self.cells = nn.ModuleList(nn.LSTMCell(hidden, hidden) for _ in range(num_layers))
        self.embed = nn.ModuleList(nn.Embedding(k, hidden) for k in self.num_choices[:-1])  # last: unused
        self.heads = nn.ModuleList(nn.Linear(hidden, k) for k in self.num_choices)
        g = torch.Generator().manual_seed(int(seed))
        with torch.no_grad():
            for p in self.parameters():  # uniform(-r, r) init from its own seeded generator
                p.copy_(torch.rand(p.shape, generator=g) * 2 * init_range - init_range)

    def forward(self, m: int = 1, *, tokens: torch.Tensor | None = None,
                generator: torch.Generator | None = None, greedy: bool = False) -> Sample:
        """Sample m sequences, or (with `tokens` of shape (m, T)) score given ones (teacher forcing).

        `greedy=True` takes the argmax at every step (the controller's current favourite).
        """
        dev = self.start.device
        if tokens is not None:
            tokens = torch.as_tensor(tokens, dtype=torch.long, device=dev).reshape(-1, len(self.num_choices))
            m = tokens.shape[0]
        x = self.start.expand(m, -1)  # (m, hidden)
        state = [(torch.zeros(m, self.hidden, device=dev), torch.zeros(m, self.hidden, device=dev))
                 for _ in self.cells]
        out_tokens, log_prob, entropy, probs = [], torch.zeros(m, device=dev), torch.zeros(m, device=dev), []
        for t in range(len(self.num_choices)):
            for layer, cell in enumerate(self.cells):
                state[layer] = cell(x, state[layer])  # (h, c), each (m, hidden)
                x = state[layer][0]
            logits = self.heads[t](x)  # (m, k_t)
            if self.temperature is not None:
                logits = logits / self.temperature  # ENAS (Pham et al. 2018): logits / T
            if self.tanh_constant is not None:
                logits = self.tanh_constant * torch.tanh(logits)  # ENAS: c·tanh(logits) ∈ (-c, c)
            logp = torch.log_softmax(logits, dim=-1)  # (m, k_t)
            p = logp.exp()
            if tokens is not None:
                a = tokens[:, t]
            elif greedy:
                a = p.argmax(-1)
            else:
                a = torch.multinomial(p.detach(), 1, generator=generator).squeeze(1)  # (m,)
            log_prob = log_prob + logp.gather(1, a[:, None]).squeeze(1)  # Σ_t log p(a_t | a_<t)
            entropy = entropy - (p * logp).sum(-1)  # H(p_t) = -Σ_a p log p
            probs.append(p)
            out_tokens.append(a)
            if t + 1 < len(self.num_choices):
                x = self.embed[t](a)  # feed the chosen token's embedding back: (m, hidden)
        return Sample(torch.stack(out_tokens, 1), log_prob, entropy, probs)

    @torch.no_grad()
    def favourite(self) -> tuple[list[int], list[list[float]]]:
        """The greedy (argmax) sequence and the distribution at each of its steps (the "microscope")."""
        s = self(1, greedy=True)
        return s.tokens[0].tolist(), [p[0].tolist() for p in s.probs]
