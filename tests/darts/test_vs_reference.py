"""benchmarks/darts_vs_reference.py without the reference: the configurations of issue 25, the shared batches,
and a clear error naming `--ref` and how to get the official code when it is missing."""

import importlib.util
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "darts_vs_reference.py"
SPEC = importlib.util.spec_from_file_location("darts_vs_reference", SCRIPT)
dvr = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(dvr)


def test_without_ref_the_error_names_the_flag_and_how_to_get_the_code():
    with pytest.raises(SystemExit, match=r"--ref is required.*git clone https://github.com/quark0/darts"):
        dvr.main(["--steps", "1"])


def test_a_folder_without_the_reference_lists_the_missing_files(tmp_path):
    (tmp_path / "operations.py").write_text("")
    with pytest.raises(SystemExit, match=r"missing: \['model_search.py', 'architect.py', 'genotypes.py'\]") as e:
        dvr.main(["--ref", str(tmp_path)])
    assert "--ref /tmp/darts_ref/cnn" in str(e.value)
    for f in dvr.REF_FILES:
        (tmp_path / f).write_text("")
    assert dvr.check_ref(str(tmp_path)) == tmp_path


def test_bad_steps_or_size_are_rejected_before_anything_is_imported(tmp_path):
    with pytest.raises(SystemExit, match=r"--steps=0 must be >= 1"):
        dvr.main(["--ref", str(tmp_path), "--steps", "0"])


def test_the_configurations_are_the_issues_and_the_batches_are_shared_and_seeded():
    assert dvr.CONFIGS == {"2n-b16": (2, 8, 3, 16), "2n-b64": (2, 8, 3, 64), "paper-b16": (4, 16, 5, 16)}
    a, b = dvr.batches(8, 4, 2, seed=5), dvr.batches(8, 4, 2, seed=5)
    assert len(a) == 2 and a[0][0][0].shape == (4, 3, 8, 8) and a[0][0][1].shape == (4,)
    assert all(torch.equal(x, y) for pa, pb in zip(a, b) for (xa, ya), (xb, yb) in zip(pa, pb) for x, y in
               ((xa, xb), (ya, yb)))
    assert not torch.equal(a[0][0][0], a[0][1][0])  # train and validation batches differ
