"""Plots and the widget of notebook 04 draw on Agg from small fixtures; the curves helper is honest."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt  # the Agg backend: tests/conftest.py sets MPLBACKEND
import pytest
import torch
from torch import nn

from naslab.data import load_dataset
from naslab.net2net.curves import STUDENTS, grow, teacher_student_curves
from naslab.net2net.layers import first_new_column
from naslab.net2net.network import describe, make_plain_net, weight_layers
from naslab.net2net.plots import (
    plot_eas_cost,
    plot_eas_progress,
    plot_growth_tree,
    plot_growth_trees,
    plot_idempotence,
    plot_net2net_matrices,
    plot_student_curves,
    plot_weight_matrix,
)
from naslab.net2net.widgets import draw_net2net, net2net_panel
from naslab.train import TrainConfig, train
from naslab.trial import Trial


def tree():
    spec = [(0, None, 0.5), (1, 0, 0.6), (2, 0, 0.55), (3, 1, 0.7), (4, 1, float("nan")), (5, 3, 0.8)]
    return [Trial(config={"arch": f"fc-{8 + i}", "actions": []}, metrics={"val_acc": a}, trial_id=i, parent=p,
                  status="ok" if a == a else "failed") for i, p, a in spec]


def test_matrix_plots_frame_the_new_units():
    ax = plot_weight_matrix(torch.randn(6, 4), new_rows=4, row_labels=list("abcdef"))
    assert len(ax.patches) == 1 and [t.get_text() for t in ax.get_yticklabels()] == list("abcdef")
    axes = plot_net2net_matrices({"W": torch.randn(3, 2), "new": None}, {"U": torch.randn(5, 2), "I": torch.eye(3)},
                                 new_rows={"U": 3})
    assert axes.shape == (2, 2) and not axes[0, 1].axison


@pytest.mark.parametrize("arch, layer, first_new", [
    ("conv-4-3 conv-3-3 pool fc-8", 0, 4 * 3 * 3),  # conv -> conv: channel c owns columns c*9 .. c*9 + 8
    ("conv-4-3 pool fc-8", 0, 4 * 4 * 4),  # conv -> linear: 4 channels x (4 x 4 positions after the pool)
    ("fc-6 fc-5", 0, 6),  # linear -> linear: column j is unit j
])
def test_net2net_frame_marks_exactly_the_inputs_from_the_added_units(arch, layer, first_new):
    torch.manual_seed(0)
    model = make_plain_net((1, 8, 8), 10, arch).eval()
    fig = plt.figure()
    student = draw_net2net(fig, model, torch.randn(4, 1, 8, 8), layer=layer, extra_units=2)
    Un = student[weight_layers(student)[layer + 1]].weight.detach()  # (out, q, *k) or (out, q * P)
    n, q = model[weight_layers(model)[layer]].weight.shape[0], student[weight_layers(student)[layer]].weight.shape[0]
    assert first_new_column(Un, n, q) == first_new
    # oracle: the columns from the frame on are the new units' inputs, nothing else (channel-major flatten)
    new_inputs = (Un[:, n:] if Un.dim() > 2 else Un.reshape(len(Un), q, -1)[:, n:]).reshape(len(Un), -1)
    M = Un.reshape(len(Un), -1)
    assert torch.equal(M[:, first_new:], new_inputs)
    frame = next(p for ax in fig.axes for p in ax.patches if p.get_x() > 0)
    assert frame.get_x() == first_new - 0.5 and frame.get_width() == M.shape[1] - first_new
    with pytest.raises(ValueError, match="n_new"):
        first_new_column(torch.zeros(3, 10), 2, 4)


def test_idempotence_plot_reports_the_gap():
    ax = plot_idempotence({"ReLU": torch.relu, "tanh": torch.tanh})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("ReLU" in s and "gap 0.00" in s for s in labels)
    assert any("tanh" in s and "gap 0.00" not in s for s in labels)


def test_search_plots():
    ax = plot_eas_progress({"eas": tree(), "random": tree()[:4]})
    assert "best so far 0.800" in ax.get_legend().get_texts()[0].get_text()
    ax = plot_growth_tree(tree())
    head, texts = ax.get_title(), " ".join(t.get_text() for t in ax.texts)
    assert "best (thick path): 0.800" in head and "fc-13" in head and "start\n0.500" in texts
    assert not any(t.get_bbox_patch() for t in ax.texts)  # no label box over the leaves
    thick = [line for line in ax.get_lines() if line.get_linewidth() > 2]
    assert len(thick) == 3  # 0 -> 1 -> 3 -> 5: the path to the best network
    low = [Trial(config={"arch": "fc-4"}, metrics={"val_acc": a}, trial_id=i, parent=None if i == 0 else 0)
           for i, a in enumerate((0.2, 0.3))]
    axes = plot_growth_trees({"eas": tree(), "random": low})
    fig = axes[0].figure
    assert [c.get_clim() for ax in axes for c in ax.collections] == [(0.2, 0.8), (0.2, 0.8)]  # one colour scale
    assert len(fig.axes) == 3  # two trees and ONE colour bar
    ax = plot_eas_cost({"EAS": 100, "scratch": 900})
    assert len(ax.patches) == 2


def test_widget_draws_both_operations_and_rejects_unknown_ones():
    torch.manual_seed(0)
    model = make_plain_net((1, 8, 8), 10, "fc-6 fc-5").eval()
    X = torch.randn(16, 1, 8, 8)
    for op, arch in [("widen", "fc-6 fc-9"), ("deepen", "fc-6 fc-5 fc-5")]:
        fig = plt.figure()
        student = draw_net2net(fig, model, X, operation=op, layer=1, extra_units=4)
        assert describe(student) == arch
        gap = float(re.search(r"= ([0-9.e+-]+) \(eval", fig._suptitle.get_text()).group(1))
        assert gap < 1e-5
    with pytest.raises(ValueError, match="allowed"):
        draw_net2net(plt.figure(), model, X, operation="shrink")
    box = net2net_panel(model, X)
    assert "naslab-probe" in box.children[1].children[0]._dom_classes


def test_teacher_student_curves_start_where_they_should():
    data = load_dataset("digits", n_train=300)
    torch.manual_seed(0)
    teacher = make_plain_net(data.input_shape, 10, "conv-4-3 pool fc-8", bn=True)
    train(teacher, data, TrainConfig(optimizer="adam", lr=1e-2, max_steps=30, epochs=7))
    out = teacher_student_curves(teacher, data, [("widen", 0, 6), ("deepen", 0)], steps=6, eval_every=3,
                                 cfg=TrainConfig(optimizer="adam"), lr=1e-3)
    assert set(STUDENTS) <= set(out) and out["teacher"]["steps"] == [0, 3, 6]
    assert out["net2net"]["val_acc"][0] == out["teacher"]["val_acc"][0]  # function preserved: same start
    assert out["scratch"]["val_acc"][0] < out["teacher"]["val_acc"][0]
    assert describe(out["models"]["scratch"]) == describe(out["models"]["net2net"]) == "conv-6-3 conv-6-3 pool fc-8"
    with pytest.raises(ValueError, match="allowed"):
        grow(teacher, [("shrink", 0)])
    assert isinstance(plot_student_curves(out), plt.Axes)
    assert all(isinstance(m, nn.Sequential) for m in out["models"].values())
