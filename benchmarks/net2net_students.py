"""Net2Net student vs random pad vs scratch vs teacher, over seeds: `python benchmarks/net2net_students.py`.

The experiment of notebook 04, section 4, with its class-mode budgets: a `conv-4-3 pool conv-4-3 pool
fc-8` teacher trained 1,000 Adam updates (lr 1e-2) on MNIST-1D, grown by widen 0->16, 1->16, 2->32
and deepen after layer 1; every student (and the teacher) trained 400 updates at lr 1e-3. Prints the
validation accuracy after N updates for each curve, mean +- std over the seeds.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from naslab.data import load_dataset  # noqa: E402
from naslab.net2net.curves import STUDENTS, teacher_student_curves  # noqa: E402
from naslab.net2net.network import make_plain_net  # noqa: E402
from naslab.train import TrainConfig, train  # noqa: E402

PLAN = [("widen", 0, 16), ("widen", 1, 16), ("widen", 2, 32), ("deepen", 1)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--teacher-steps", type=int, default=1000)
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--report", type=int, nargs="+", default=[50, 100, 200, 400], help="N of 'accuracy after N'")
    args = p.parse_args()
    torch.set_num_threads(1)
    data = load_dataset("mnist1d")
    acc = {name: {n: [] for n in args.report} for name in STUDENTS}
    t0 = time.perf_counter()
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        teacher = make_plain_net(data.input_shape, 10, "conv-4-3 pool conv-4-3 pool fc-8", bn=True)
        train(teacher, data, TrainConfig(optimizer="adam", lr=1e-2, max_steps=args.teacher_steps, epochs=50, seed=seed))
        curves = teacher_student_curves(teacher, data, PLAN, steps=args.steps, lr=1e-3, noise=0.03, eval_every=25,
                                        cfg=TrainConfig(optimizer="adam"), seed=seed)
        for name in STUDENTS:
            for n in args.report:
                acc[name][n].append(curves[name]["val_acc"][curves[name]["steps"].index(n)])
    print(f"validation accuracy after N updates (mean +- std over {args.seeds} seeds; "
          f"{time.perf_counter() - t0:.0f} s)")
    print(f"{'N':<12}" + "".join(f"{n:>16}" for n in args.report))
    for name in STUDENTS:
        print(f"{name:<12}" + "".join(f"{np.mean(v):>10.3f} +-{np.std(v):.3f}" for v in acc[name].values()))


if __name__ == "__main__":
    main()
