"""The proxy table: a tiny build resumes after an interruption to the identical file, on any executor, and
loading refuses a corrupt or inconsistent file."""

import json
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from naslab.data import load_dataset
from naslab.signals.build import ProxyConfig, build, write_npz
from naslab.signals.nets import cell_net
from naslab.signals.registry import compute
from naslab.signals.table import ProxyTable
from naslab.tabular import BenchmarkError, BenchmarkMissingError, write_meta

CELLS = ((0, 0, 0, 0, 0, 0), (1, 0, 2, 2, 4, 4), (3, 1, 2, 4, 0, 3), (2, 2, 2, 2, 2, 2), (0, 0, 0, 4, 0, 0))
CFG = ProxyConfig(name="tiny", cells=CELLS, cells_per_job=2)


class Interrupting:
    """An executor whose futures run lazily; the (n+1)-th result is a Ctrl-C."""

    def __init__(self, n_ok):
        self.n_ok, self.calls, self.cancelled = n_ok, 0, 0

    def submit(self, fn, job):
        ex = self

        class Fut:
            def result(self):
                ex.calls += 1
                if ex.calls > ex.n_ok:
                    raise KeyboardInterrupt
                return fn(job)

            def cancel(self):
                ex.cancelled += 1

        return Fut()


def _meta(path):
    m = json.loads(path.with_suffix(".json").read_text())
    return {k: v for k, v in m.items() if k not in ("build", "meta_sha256")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("ref")
    return build(CFG, root=root, progress=False)


def test_an_interrupted_build_resumes_to_the_identical_file(reference, tmp_path):
    assert build(CFG, root=tmp_path, limit=1, progress=False) is None  # stopped after one job
    partial = tmp_path / "tiny.partial.jsonl"
    with partial.open("a") as f:
        f.write('{"key": "cells/2", "start": 2, "stop": 4, "scores": [[0.1')  # a line cut by a crash
    ex = Interrupting(n_ok=1)
    with pytest.raises(KeyboardInterrupt):
        build(CFG, root=tmp_path, executor=ex, progress=False)
    assert ex.cancelled == 2  # the two jobs not finished were cancelled
    keys = []
    for line in partial.read_text().splitlines():
        try:
            keys.append(json.loads(line).get("key"))
        except json.JSONDecodeError:
            keys.append("cut")
    assert keys == ["cells/0", None, "cut", "cells/2", None]  # both finished jobs kept, a session line each
    path = build(CFG, root=tmp_path, progress=False)
    assert path.read_bytes() == reference.read_bytes()  # byte for byte
    assert _meta(path) == _meta(reference)  # the same metadata but for the build record
    assert len(json.loads(path.with_suffix(".json").read_text())["build"]["sessions"]) == 3
    assert not partial.exists()


def test_any_executor_builds_the_same_table(reference, tmp_path):
    with ThreadPoolExecutor(2) as ex:
        path = build(CFG, root=tmp_path, executor=ex, progress=False)
    assert path.read_bytes() == reference.read_bytes()


def test_the_table_holds_the_registry_scores(reference):
    # oracle: the registry's measures, one at a time, on the same cells, seeds and batches
    t = ProxyTable.load("tiny", reference.parent)
    assert t.unique_cells() == list(CELLS) and t.seeds == (0, 1, 2) and t.n_batches == 2
    data = load_dataset("mnist1d")
    rows = np.array(t.meta["batch_rows"])
    assert rows.shape == (2, 32) and len(set(rows.ravel())) == 64  # two disjoint batches
    for i in (1, 2):
        for s, seed in enumerate(t.seeds):
            net = cell_net(CELLS[i], seed=seed)
            for b in range(2):
                x, y = data.X_train[rows[b]].double(), data.y_train[rows[b]]
                for p in t.proxies:
                    assert t.raw(p)[i, s, b] == pytest.approx(compute(p, net, x, y), rel=1e-6, abs=1e-12), p
    assert t.scores("jacob_cov")[0] == -math.inf and t.scores("naswot")[0] == -math.inf  # the zero cell
    assert t.scores("params")[3] == compute("params", cell_net(CELLS[3]), None, None)
    np.testing.assert_allclose(t.scores("snip", seed=1, batch=0), t.raw("snip")[:, 1, 0])
    with pytest.raises(ValueError, match=r"seed=7 is not in the table; available: \[0, 1, 2\]"):
        t.scores("snip", seed=7)
    with pytest.raises(ValueError, match="proxy='nope' is not in the table; available:"):
        t.raw("nope")


def test_loading_checks_the_checksums_and_the_arrays(reference, tmp_path):
    for suffix in (".npz", ".json"):
        (tmp_path / f"tiny{suffix}").write_bytes(reference.with_suffix(suffix).read_bytes())
    npz, js = tmp_path / "tiny.npz", tmp_path / "tiny.json"
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 1
    npz.write_bytes(bytes(data))
    with pytest.raises(BenchmarkError, match="does not match the checksum in its .json.*build_proxies.py"):
        ProxyTable.load("tiny", tmp_path)
    npz.write_bytes(reference.read_bytes())
    meta = json.loads(js.read_text())
    js.write_text(json.dumps({**meta, "proxies": meta["proxies"][:-1]}))
    with pytest.raises(BenchmarkError, match="does not match its own checksum"):
        ProxyTable.load("tiny", tmp_path)
    # a consistent, sealed file whose arrays are wrong: NaN scores
    with np.load(reference) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["snip"] = np.full_like(arrays["snip"], np.nan)
    write_npz(npz, arrays)
    write_meta(npz, js, {k: v for k, v in meta.items() if k not in ("sha256", "meta_sha256")})
    with pytest.raises(BenchmarkError, match="has NaN or \\+inf scores in 'snip'"):
        ProxyTable.load("tiny", tmp_path)
    with pytest.raises(BenchmarkMissingError, match="no data file .*absent.npz; build it with"):
        ProxyTable.load("absent", tmp_path)


def test_a_partial_file_of_another_config_is_refused(tmp_path):
    other = ProxyConfig(name="tiny", cells=CELLS[:2], cells_per_job=1, seeds=(0,))
    build(other, root=tmp_path, limit=1, progress=False)
    with pytest.raises(ValueError, match="was started with another config; delete it to start over"):
        build(CFG, root=tmp_path, progress=False)
    with pytest.raises(ValueError, match=r"proxies \['nope'\] are not registered"):
        build(ProxyConfig(cells=CELLS, proxies=("nope",)), root=tmp_path, progress=False)


def test_batches_must_fit_the_training_split():
    with pytest.raises(ValueError, match="2 batches of 32 need 64 training examples; the split has 50"):
        CFG.batch_rows(50)
    assert torch.equal(torch.as_tensor(CFG.batch_rows(100)), torch.as_tensor(CFG.batch_rows(100)))
