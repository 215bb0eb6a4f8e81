"""Data-dependent proxies without a loss: jacob_cov (input Jacobians) and NASWOT (binary ReLU codes).

Mellor, Turner, Storkey, Crowley, "Neural Architecture Search without Training": two versions.

* **jacob_cov** (arXiv:2006.04647 v1, §3): J (B, D) stacks the input Jacobians J_n = ∂(Σ_k f_k(x_n))/∂x_n of
  a batch; Σ_J (B, B) is their correlation matrix and λ_1..λ_B its eigenvalues. The score

      S = -Σ_i [ log(λ_i + k) + 1/(λ_i + k) ],  k = 1e-5

  is highest when the Jacobians of different inputs are uncorrelated (λ_i ≈ 1), i.e. when the untrained
  net already tells the inputs apart. Σ_J needs D >= B to be full rank: MNIST-1D has D = 40, so the
  table uses batches of 32. A net whose output ignores an input (a zero Jacobian row: its correlation
  is undefined) scores -inf.
* **NASWOT** (ICML 2021, §3, eq. 2): c_n ∈ {0,1}^{N_A} is the pattern of which of the N_A ReLU inputs are
  positive for input x_n (every ReLU of the net, in forward order). The kernel

      K_H[m, n] = N_A - d_H(c_m, c_n) = c_m·c_n + (1 - c_m)·(1 - c_n)      (B, B)

  counts the units on which two inputs agree, and the score is log|det K_H|: high when the inputs fall
  in different linear regions. Two inputs with the same code make K_H singular: score -inf.

Both run the net with BatchNorm on batch statistics and are higher = predicted better as written.

Taught in: notebooks/07_cheap_signals.ipynb §1.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from naslab.signals.nets import Probe, ProxyNet
from naslab.signals.registry import measure

JACOB_K = 1e-5
PAPERS = {
    "jacob_cov": "Mellor, Turner, Storkey, Crowley, arXiv:2006.04647 v1 (2020)",
    "naswot": "Mellor, Turner, Storkey, Crowley, ICML 2021 (arXiv:2006.04647 v3)",
}


def input_jacobians(net: ProxyNet, x) -> np.ndarray:
    """(B, D): row n is ∂(Σ_k f_k(x_n))/∂x_n, flattened (one backward pass of the summed logits)."""
    x = x.detach().to(torch.float64).clone().requires_grad_(True)
    params = {k: v.detach() for k, v in net.params.items()}
    out = net(x, params).sum()
    if not out.requires_grad:  # the output does not depend on x at all: every Jacobian is zero
        return np.zeros((len(x), x[0].numel()))
    (j,) = torch.autograd.grad(out, x, allow_unused=True)
    return np.zeros((len(x), x[0].numel())) if j is None else j.flatten(1).numpy()


def jacob_cov_score(jac: np.ndarray, k: float = JACOB_K) -> float:
    """-Σ_i [log(λ_i + k) + 1/(λ_i + k)] over the eigenvalues λ of the rows' correlation matrix (B, B)."""
    if np.any(jac.std(axis=1) == 0):
        return -math.inf  # a row without variance: its correlation with the others is undefined
    lam = np.linalg.eigvalsh(np.corrcoef(jac))  # symmetric: real eigenvalues, ascending
    return float(-np.sum(np.log(lam + k) + 1.0 / (lam + k)))


@measure("jacob_cov", paper=PAPERS["jacob_cov"])
def jacob_cov(net: ProxyNet, x, y) -> float:
    """Mellor et al. v1: the correlation of the input Jacobians across the batch, as -Σ log(λ+k) + 1/(λ+k)."""
    return jacob_cov_score(input_jacobians(net, x))


class _Codes(Probe):
    """Collects the binary code (pre > 0) of every ReLU input, flattened per example."""

    def __init__(self):
        self.codes = []

    def relu(self, name, pre):
        self.codes.append((pre.detach() > 0).flatten(1).to(torch.float64))  # (B, units)


def relu_codes(net: ProxyNet, x) -> np.ndarray:
    """(B, N_A) 0/1 matrix: which ReLU inputs are positive for each example (all ReLUs, forward order)."""
    probe = _Codes()
    with torch.no_grad():
        net(x.to(torch.float64), probe=probe)
    if not probe.codes:
        return np.zeros((len(x), 0))
    return torch.cat(probe.codes, 1).numpy()


def hamming_kernel(codes: np.ndarray) -> np.ndarray:
    """K_H = c cᵀ + (1 - c)(1 - c)ᵀ (B, B): N_A minus the Hamming distance between the codes."""
    c = np.asarray(codes, dtype=np.float64)
    return c @ c.T + (1 - c) @ (1 - c).T


def naswot_score(codes: np.ndarray) -> float:
    """log|det K_H| (natural log); -inf when K_H is singular (two inputs with one code, or no ReLU)."""
    codes = np.asarray(codes, dtype=np.float64)
    k = hamming_kernel(codes)
    off = k - np.diag(np.full(len(k), np.inf))  # the diagonal out of the way
    if codes.shape[1] == 0 or (len(k) > 1 and off.max() >= codes.shape[1]):
        return -math.inf  # two equal codes (K_H[m, n] = N_A): equal rows, singular exactly
    sign, logdet = np.linalg.slogdet(k)
    return float(logdet) if sign > 0 else -math.inf


@measure("naswot", paper=PAPERS["naswot"])
def naswot(net: ProxyNet, x, y) -> float:
    """Mellor et al. ICML 2021: log|K_H| of the batch's binary ReLU codes."""
    return naswot_score(relu_codes(net, x))


def code_scores(net: ProxyNet, x) -> dict:
    """jacob_cov and naswot from one forward pass (the table builder's call; equal to the two measures)."""
    probe = _Codes()
    x = x.detach().to(torch.float64).clone().requires_grad_(True)
    out = net(x, {k: v.detach() for k, v in net.params.items()}, probe=probe).sum()
    j = torch.autograd.grad(out, x, allow_unused=True)[0] if out.requires_grad else None
    jac = np.zeros((len(x), x[0].numel())) if j is None else j.flatten(1).numpy()
    codes = torch.cat(probe.codes, 1).numpy() if probe.codes else np.zeros((len(x), 0))
    return {"jacob_cov": jacob_cov_score(jac), "naswot": naswot_score(codes)}


__all__ = ["JACOB_K", "PAPERS", "input_jacobians", "jacob_cov_score", "jacob_cov", "relu_codes", "hamming_kernel",
           "naswot_score", "naswot", "code_scores"]
