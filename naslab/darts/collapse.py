"""What skip-connection collapse costs: normal cells with 0, 2 or 4 skips, retrained (notebook 05, section 7).

DARTS (Liu, Simonyan & Yang, ICLR 2019) tends to fill the normal cell with `skip_connect` as the search
goes on ("collapse"); RobustDARTS (Zela et al., ICLR 2020) isolates it in its diagnostic space S2, where
every edge picks `sep_conv_3x3` or `skip_connect`. A mitigation (DARTS+'s early stopping, a P-DARTS-style cap
on skips) can only return a better cell where skips in the normal cell cost accuracy. `skip_cost`
measures that cost directly, with no search in between: the normal cell of S2 (2 nodes, 4 edges, each
node taking inputs 0 and 1, the warm-up cell's wiring) gets 0, 2 or 4 skips, the reduction cell is held
fixed, and each cell is retrained by the caller's `score` over `seeds` seeds:

    cost_k = mean over s < seeds of score(Genotype(normal_k, reduce), s, label_k),   k in {0, 2, 4 skips}

`reduce="conv"` (notebook 05's test) holds the reduction cell at four `sep_conv_3x3`; `reduce="skip"`
at four skips (a stride-2 skip is a strided 1x1 convolution, FactorizedReduce), so that the normal cells
do all the spatial work: NAS-Bench-201's all-skip gap (54 % vs 94 %) in miniature.

    skip_cost(lambda g, s, label: evaluate_genotype(g, data, seed=s, C=8, layers=5).score(), seeds=2)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from naslab.darts.genotype import Genotype

CONV, SKIP = "sep_conv_3x3", "skip_connect"
REDUCE_CELLS = {  # the fixed reduction cell: four convolutions, or four (strided) skips
    "conv": (((CONV, 0), (CONV, 1)), ((CONV, 0), (CONV, 1))),
    "skip": (((SKIP, 0), (SKIP, 1)), ((SKIP, 0), (SKIP, 1))),
}
NORMAL_CELLS = {  # label -> normal cell: node 0 takes inputs 0, 1; node 1 takes inputs 0, 1
    "0 skips (all conv)": (((CONV, 0), (CONV, 1)), ((CONV, 0), (CONV, 1))),
    "2 skips": (((SKIP, 0), (CONV, 1)), ((CONV, 0), (SKIP, 1))),
    "4 skips (all skip)": (((SKIP, 0), (SKIP, 1)), ((SKIP, 0), (SKIP, 1))),
}


def skip_cells(reduce: str = "conv") -> dict[str, Genotype]:
    """The three cells of the test: label -> Genotype(normal cell with 0 / 2 / 4 skips, `reduce` cell).

    Raises:
        ValueError: for a `reduce` other than "conv" or "skip".
    """
    if reduce not in REDUCE_CELLS:
        raise ValueError(f"reduce={reduce!r}; allowed: {sorted(REDUCE_CELLS)}")
    return {label: Genotype(normal, REDUCE_CELLS[reduce]) for label, normal in NORMAL_CELLS.items()}


def skip_cost(score: Callable[[Genotype, int, str], float], seeds: int, reduce: str = "conv") -> dict[str, float]:
    """Mean retrained accuracy of each cell of `skip_cells(reduce)` over seeds 0 .. seeds-1.

    Args:
        score: `score(genotype, seed, label)` -> accuracy of the cell retrained with that seed (notebook 05
            passes its cached `retrained_score`, which prints a line per training). Called cell by cell,
            seed by seed, in the order of `NORMAL_CELLS`.
        seeds: retraining seeds per cell (an int >= 1).
        reduce: "conv" or "skip", the fixed reduction cell.

    Returns:
        label -> mean accuracy, e.g. {"0 skips (all conv)": 0.91, "2 skips": 0.95, "4 skips (all skip)": 0.95}.

    Raises:
        ValueError: for `seeds` that is not an int >= 1, or an unknown `reduce`.
    """
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or seeds < 1:
        raise ValueError(f"seeds={seeds!r} must be an int >= 1")
    return {label: np.mean([score(g, s, label) for s in range(int(seeds))]) for label, g in skip_cells(reduce).items()}


__all__ = ["NORMAL_CELLS", "REDUCE_CELLS", "skip_cells", "skip_cost"]
