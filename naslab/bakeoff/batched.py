"""Many benchmark cells as one batched network: `BatchedNet` (trained by `naslab.bakeoff.training`).

Tiny nets are overhead-bound: one MNIST-1D cell net does a few hundred kFLOPs per example, so the
Python and kernel-launch cost of a training step dwarfs the arithmetic. Every member of the space is
the same supernet with its own one-hot op choice per edge, so K members (same seed: same init, same
data order) can share every step. Members are stacked on a member axis, activations are
(B, K, C, L), and per edge the members are grouped by their op:

    conv_k on the m members using it:  (B, m*C, L) -> Conv1d(groups=m, weight (m*C, C, k)) -> BN
    avg_pool_3 / skip on their members, `none` members get nothing (each op's `CellOp.apply_last`);
    node_j = sum of the groups' outputs, scattered back with index_add   (B, K, C, L)

BN statistics are per channel, so BN over m*C channels is m independent BNs; Adam is elementwise and
the loss is the sum of the members' mean losses, so every member's update is its own (members that do
not use a weight get zero gradient and no Adam step). The result equals training each cell alone
with `naslab.bakeoff.training.train_single` up to float rounding (tests/bakeoff/test_batched.py);
benchmarks/bakeoff_batched_speed.py measures the speed-up.

Device-agnostic: `device="auto"` (`naslab.utils.get_device`: cuda, then mps, then cpu) holds the members'
weights and buffers; the init is drawn on the CPU from the seed and then moved, so every device starts
from the same weights.

Taught in: notebooks/06_nas_bakeoff.ipynb (how the table was built).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import torch
from torch.nn import functional as F

from naslab.bakeoff.cells import EDGES, N_NODES, OPS, check_cell
from naslab.bakeoff.network import BN_EPS, BN_MOMENTUM, NetConfig, edge_op, init_buffers, init_params, param_shapes
from naslab.bakeoff.ops import CELL_OPS
from naslab.utils import get_device


def _eval_batches(n: int, per_example: int, limit: int) -> list[slice]:
    step = max(1, limit // max(1, per_example))
    return [slice(i, min(n, i + step)) for i in range(0, n, step)]


def _shifts(x, k: int, stride: int = 1):
    """Channels-last im2col along L: x (m, B, L, C) -> (m, B, L', k*C) for a 'same'-padded conv of width k."""
    if k == 1 and stride == 1:
        return x
    L, p = x.shape[2], k // 2
    xp = F.pad(x, (0, 0, p, p))  # (m, B, L + 2p, C)
    L_out = (L + 2 * p - k) // stride + 1
    return torch.cat([xp[:, :, i:i + stride * (L_out - 1) + 1:stride] for i in range(k)], dim=-1)


class BatchedNet:
    """K members (cells) of the benchmark network with the same seed, as stacked tensors.

    Activations are channels-last, (K, B, L, C), so a member's conv is one matmul: a conv of width k is
    im2col (m, B*L, k*C) @ (m, k*C, C_out) (`torch.bmm` over the m members of a group). Everything lives on
    `device` ("auto": `get_device`); `forward` expects its input there.
    """

    def __init__(self, cells, cfg: NetConfig, seed: int, device="auto"):
        self.cells = [check_cell(c) for c in cells]
        self.cfg, self.K, self.device = cfg, len(self.cells), get_device(device)
        dev = self.device
        cells_arr = torch.tensor(self.cells)  # (K, 6)
        zero_ops = torch.tensor([o for o, op in enumerate(OPS) if CELL_OPS[op].is_zero])  # `none`
        # per edge: [(op, idx or None when all K members share it)], the members of each op, and the
        # permutation that puts the groups' concatenated outputs back in member order (`none` members
        # are a zero block at the end)
        self.groups, self.unperm, self.n_none = [], [], []
        for e in range(len(EDGES)):
            g, order = [], []
            for o, op in enumerate(OPS):
                idx = torch.nonzero(cells_arr[:, e] == o).flatten()
                if not CELL_OPS[op].is_zero and len(idx):
                    g.append((op, None if len(idx) == self.K else idx.to(dev)))
                    order.append(idx)
            none = torch.nonzero(torch.isin(cells_arr[:, e], zero_ops)).flatten()
            order = torch.cat(order + [none]) if order else none
            self.groups.append(g)
            self.unperm.append(torch.argsort(order).to(dev))
            self.n_none.append(len(none))
        base = init_params(cfg, seed)  # drawn on the CPU from the seed: the same start on every device
        self.params = {}
        for name in param_shapes(cfg):
            eo = edge_op(name)
            if eo is not None and eo[1] not in {op for op, _ in self.groups[eo[0]]}:
                continue  # no member uses this op on this edge
            w = base[name]
            if w.dim() == 3:  # conv (C_out, C_in, k) -> im2col matmul layout (k*C_in, C_out)
                w = w.permute(2, 1, 0).reshape(-1, w.shape[0])
            elif name == "head.w":  # (classes, C) -> (C, classes)
                w = w.T
            w = w.unsqueeze(0).repeat(self.K, *[1] * w.dim()).contiguous()
            self.params[name] = w.to(dev).requires_grad_(True)
        self.buffers = {n: b.unsqueeze(0).repeat(self.K, 1).to(dev) for n, b in init_buffers(cfg).items()}  # (K, C)

    def _bn(self, x, name, idx, train):
        """BatchNorm (affine=False) per member and channel of x (m, B, L, C), as F.batch_norm does it."""
        rm, rv = self.buffers[f"{name}.mean"], self.buffers[f"{name}.var"]
        if train:
            mean = x.mean((1, 2), keepdim=True)  # (m, 1, 1, C)
            xc = x - mean
            var = (xc * xc).mean((1, 2), keepdim=True)  # (m, 1, 1, C): the biased variance normalises
            with torch.no_grad():
                n = x.shape[1] * x.shape[2]
                mu, v = mean.view(mean.shape[0], -1), var.view(var.shape[0], -1) * (n / (n - 1))
                if idx is None:
                    rm.mul_(1 - BN_MOMENTUM).add_(BN_MOMENTUM * mu)
                    rv.mul_(1 - BN_MOMENTUM).add_(BN_MOMENTUM * v)
                else:
                    rm[idx] = (1 - BN_MOMENTUM) * rm[idx] + BN_MOMENTUM * mu
                    rv[idx] = (1 - BN_MOMENTUM) * rv[idx] + BN_MOMENTUM * v
            return xc * torch.rsqrt(var + BN_EPS)
        mean, var = (rm, rv) if idx is None else (rm[idx], rv[idx])
        return (x - mean[:, None, None]) * torch.rsqrt(var[:, None, None] + BN_EPS)

    def _conv_bn(self, x, name, idx, train, stride=1, relu=True):
        """[ReLU ->] conv (im2col @ W) -> BN on x (m, B, L, C_in) for the members idx -> (m, B, L', C_out)."""
        w = self.params[f"{name}.w"] if idx is None else self.params[f"{name}.w"][idx]  # (m, k*C_in, C_out)
        m, B = x.shape[:2]
        k = w.shape[1] // x.shape[-1]
        cols = _shifts(F.relu(x) if relu else x, k, stride)  # (m, B, L', k*C_in)
        y = torch.bmm(cols.reshape(m, -1, cols.shape[-1]), w).view(m, B, cols.shape[2], w.shape[-1])
        return self._bn(y, name, idx, train)

    def forward(self, x, train: bool = False):
        """x (B, 1, L) -> logits (B, K, num_classes)."""
        K = self.K
        h = x.transpose(1, 2).unsqueeze(0).expand(K, -1, -1, -1)  # (K, B, L, 1): one input for every member
        h = self._conv_bn(h, "stem", None, train, stride=self.cfg.stem_stride, relu=False)  # (K, B, L', C)
        for s, prefix in self.cfg.cell_names():
            if s > 0 and prefix.endswith("c0"):
                h = self._conv_bn(h, f"red{s}", None, train, stride=2)  # (K, B, ceil(L/2), 2C)
            nodes = [h]
            for j in range(1, N_NODES):
                acc = None
                for e, (t, f) in enumerate(EDGES):
                    if t != j or not self.groups[e]:
                        continue
                    outs = [CELL_OPS[op].apply_last(nodes[f] if idx is None else nodes[f][idx],  # (m, B, L, C)
                                                    partial(self._conv_bn, name=f"{prefix}.e{e}.{op}", idx=idx,
                                                            train=train))
                            for op, idx in self.groups[e]]
                    if len(outs) == 1 and self.groups[e][0][1] is None:
                        out = outs[0]  # every member has the same op
                    else:
                        if self.n_none[e]:
                            outs.append(h.new_zeros((self.n_none[e], *h.shape[1:])))
                        out = torch.cat(outs)[self.unperm[e]]  # groups' outputs back in member order
                    acc = out if acc is None else acc + out
                nodes.append(torch.zeros_like(h) if acc is None else acc)
            h = nodes[-1]
        h = F.relu(h).mean(2)  # (K, B, C_last): global average pool
        logits = torch.baddbmm(self.params["head.b"].unsqueeze(1), h, self.params["head.w"])  # (K, B, classes)
        return logits.transpose(0, 1)  # (B, K, classes)

    def member(self, k: int) -> tuple[dict, dict]:
        """Parameters and buffers of member k in `network.forward`'s layout."""
        out = {}
        for n, p in self.params.items():
            w = p[k].detach().clone()
            if n.endswith(".w") and n != "head.w":
                C_out = w.shape[1]
                k_w = param_shapes(self.cfg)[n][2]
                w = w.reshape(k_w, -1, C_out).permute(2, 1, 0).contiguous()
            elif n == "head.w":
                w = w.T.contiguous()
            out[n] = w
        return out, {n: b[k].clone() for n, b in self.buffers.items()}

    @torch.no_grad()
    def accuracy(self, X, y) -> np.ndarray:
        """(K,) accuracy of every member on (X, y) (any device), BN in eval mode, in memory-bounded chunks."""
        correct = torch.zeros(self.K, device=self.device)
        for sl in _eval_batches(len(y), self.K * self.cfg.C * self.cfg.length, 4_000_000):
            xb, yb = X[sl].to(self.device), y[sl].to(self.device)
            correct += (self.forward(xb).argmax(-1) == yb[:, None]).sum(0)
        return (correct / len(y)).cpu().numpy()


__all__ = ["BatchedNet"]
