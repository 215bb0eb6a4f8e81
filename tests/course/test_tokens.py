"""Secrets stay private: the test JupyterLab server's token is not on its command line (any local user can
read a command line with `ps`), and a Ray token file that naslab's `RayExecutor` makes Ray create is
readable by its owner only (Ray 2.60 writes it 0644).
"""

from __future__ import annotations

import os
import sys
import types
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from naslab.executors import RayExecutor, protect_ray_token, ray_token_path

from ..conftest import _lab_command, _lab_env, _start_lab, _stop_lab


def test_the_lab_command_line_carries_no_token(tmp_path):
    cmd = _lab_command(8888, tmp_path / "root", tmp_path)
    env = _lab_env(tmp_path, "s3cret-token-value")
    assert not [a for a in cmd if "token" in a.lower()], cmd
    assert env["JUPYTER_TOKEN"] == "s3cret-token-value"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/<pid>/cmdline")
def test_the_launched_server_takes_its_token_from_the_environment(tmp_path):
    lab = _start_lab(tmp_path)  # returns once GET /api/status answered with the token
    try:
        cmdline = Path(f"/proc/{lab.proc.pid}/cmdline").read_bytes().decode()
        assert "jupyterlab" in cmdline and lab.token not in cmdline and "token" not in cmdline.lower(), cmdline
        assert lab.api("GET", "/api/status") is not None
        with pytest.raises(urllib.error.HTTPError) as e:  # without the token: refused
            urllib.request.urlopen(f"{lab.url}/api/sessions", timeout=10)
        assert e.value.code == 403
    finally:
        _stop_lab(lab)


@pytest.fixture
def fake_ray(monkeypatch, tmp_path):
    """A stand-in for the `ray` module whose init() writes the token file the way Ray 2.60 does
    (`open(path, "w")`, so the mode comes from the umask: 0644 under the usual 022)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
    ray = types.ModuleType("ray")

    def init(**kwargs):
        path = Path.home() / ".ray" / "auth_token"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            with open(path, "w") as f:
                f.write("t" * 32)

    ray.init, ray.is_initialized, ray.shutdown = init, lambda: False, lambda: None
    ray.cluster_resources = lambda: {"CPU": 2}
    ray.remote = lambda fn: types.SimpleNamespace(options=lambda **kw: None)
    monkeypatch.setitem(sys.modules, "ray", ray)
    old = os.umask(0o022)
    yield tmp_path / ".ray" / "auth_token"
    os.umask(old)


def test_a_ray_token_created_by_the_executor_is_private(fake_ray):
    assert ray_token_path() == fake_ray
    RayExecutor(num_cpus=1)
    assert fake_ray.stat().st_mode & 0o777 == 0o600


def test_an_older_readable_ray_token_gets_a_warning_naming_chmod(fake_ray):
    fake_ray.parent.mkdir()
    fake_ray.write_text("t" * 32)
    fake_ray.chmod(0o644)
    with pytest.warns(UserWarning, match=rf"{fake_ray} is readable by other users \(mode 644\).*chmod 600"):
        RayExecutor(num_cpus=1)
    assert fake_ray.stat().st_mode & 0o777 == 0o644  # the user's own file: not changed behind their back
    protect_ray_token(fake_ray, existed=False)
    assert fake_ray.stat().st_mode & 0o777 == 0o600


def test_the_token_path_follows_ray_auth_token_path(monkeypatch, tmp_path):
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(tmp_path / "tok"))
    assert ray_token_path() == tmp_path / "tok"
