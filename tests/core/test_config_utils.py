import numpy as np
import pytest
import torch

from naslab.config import budget, is_fast, mode_name
from naslab.models import make_cnn, make_mlp
from naslab.utils import Timer, count_params, get_device, seed_everything


def test_fast_switch_reads_the_environment_each_call(monkeypatch):
    monkeypatch.setenv("NASLAB_FAST", "1")
    assert is_fast() and budget(full=100, fast=3) == 3 and mode_name() == "FAST"
    monkeypatch.setenv("NASLAB_FAST", "0")
    assert not is_fast() and budget(full=100, fast=3) == 100 and mode_name() == "class"
    monkeypatch.delenv("NASLAB_FAST")
    assert not is_fast()


def test_fast_switch_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("NASLAB_FAST", "maybe")
    with pytest.raises(ValueError, match="maybe"):
        is_fast()


def test_seed_everything_makes_torch_and_numpy_repeat():
    seed_everything(3)
    a = (torch.rand(3), np.random.rand(3))
    seed_everything(3)
    b = (torch.rand(3), np.random.rand(3))
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="seed"):
        seed_everything("zero")


def test_get_device():
    assert get_device("cpu") == torch.device("cpu")
    auto = get_device("auto")
    assert auto.type in {"cpu", "cuda", "mps"}
    if not torch.cuda.is_available():
        assert auto.type in {"cpu", "mps"}
        with pytest.raises(ValueError, match="CUDA is not available"):
            get_device("cuda")
    with pytest.raises(ValueError, match="allowed"):
        get_device("tpu")


def test_count_params_matches_a_hand_count():
    m = make_mlp((1, 8, 8), 10, hidden=(32,))
    assert count_params(m) == (64 * 32 + 32) + (32 * 10 + 10)
    m[1].weight.requires_grad_(False)
    assert count_params(m) == 32 + 32 * 10 + 10
    assert count_params(m, trainable_only=False) == (64 * 32 + 32) + (32 * 10 + 10)


@pytest.mark.parametrize("shape", [(1, 40), (1, 8, 8), (3, 32, 32)])
def test_reference_models_give_logits(shape):
    x = torch.randn(5, *shape)
    for model in (make_mlp(shape, 10), make_cnn(shape, 10, channels=(4, 4))):
        assert model(x).shape == (5, 10)


def test_timer_measures_time():
    with Timer() as t:
        sum(range(10000))
    assert t.seconds > 0


def test_set_threads_defaults_to_one_and_takes_an_override(monkeypatch):
    from pathlib import Path

    from naslab.utils import set_threads

    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("NASLAB_THREADS", raising=False)
        torch.set_num_threads(2)
        assert set_threads() == 1 and torch.get_num_threads() == 1
        monkeypatch.setenv("NASLAB_THREADS", "3")
        assert set_threads() == 3 and torch.get_num_threads() == 3
        assert set_threads(2) == 2 and torch.get_num_threads() == 2  # the argument beats the variable
        for bad in ("0", "two", "1.5"):
            monkeypatch.setenv("NASLAB_THREADS", bad)
            with pytest.raises(ValueError, match=f"NASLAB_THREADS={bad!r}"):
                set_threads()
        with pytest.raises(ValueError, match="n=-1"):
            set_threads(-1)
    finally:
        torch.set_num_threads(before)
    # every notebook's setup cell pins the threads, so a student sets nothing
    nb_dir = Path(__file__).resolve().parents[2] / "notebooks"
    sources = sorted(nb_dir.glob("[0-9]*.py"))
    assert len(sources) >= 6
    for src in sources:
        first_code = src.read_text().split("# %% tags=[\"parameters\"]")[0]
        assert "\nset_threads()" in first_code, f"{src.name}: the setup cell does not call set_threads()"
