"""Shared test set-up.

* Every test runs in FAST mode (`NASLAB_FAST=1`), on the CPU, with the Agg matplotlib backend.
* Fixtures for the real-browser tests: `jupyter_lab` (a throw-away JupyterLab server on
  127.0.0.1 with a random token, serving a temporary copy of notebooks/), `browser` (headless
  Debian Chromium driven by Playwright) and `page` (a fresh browser page per test; on failure a
  screenshot and the server log go to test-artifacts/).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ["NASLAB_FAST"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("install Debian's Chromium with `apt-get install -y --no-install-recommends chromium` "
                "(Playwright's own browser download is not needed), or set CHROMIUM=/path/to/chromium")


@pytest.fixture(autouse=True)
def _fast_cpu(monkeypatch):
    monkeypatch.setenv("NASLAB_FAST", "1")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


# --------------------------------------------------------------------------------------------
# JupyterLab server


def _die_with_parent():  # preexec_fn: the server gets SIGTERM when pytest dies (Linux)
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    proc: subprocess.Popen
    log: Path

    def api(self, method: str, path: str):
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?token={self.token}&reset"  # reset: ignore saved layouts

    def shutdown_kernels(self):
        for s in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{s['id']}")


def _write_settings(settings: Path):
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},  # no news toast
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for rel, content in files.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(content))


def _lab_command(port: int, root: Path, base: Path) -> list[str]:
    """The server's command line: no token on it (any local user can read a command line in `ps`);
    the token travels in the environment (JUPYTER_TOKEN, see `_lab_env`)."""
    return [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
            f"--port={port}", "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={base / 'settings'}",
            f"--LabApp.workspaces_dir={base / 'workspaces'}", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.expose_app_in_browser=True"]


def _lab_env(base: Path, token: str) -> dict:
    """The server's environment: its token (readable only by this user, unlike a command line)."""
    return dict(os.environ, NASLAB_FAST="1", MPLBACKEND="module://matplotlib_inline.backend_inline",
                JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
                JUPYTER_TOKEN=token)


def _start_lab(base: Path) -> Lab:
    root = base / "root"
    shutil.copytree(NB_DIR, root)  # never let JupyterLab touch the repository's notebooks
    _write_settings(base / "settings")
    for d in ("workspaces", "runtime", "config"):
        (base / d).mkdir()
    token = secrets.token_hex(16)
    env = _lab_env(base, token)
    log = base / "jupyterlab.log"
    last_err = None
    for _attempt in range(3):  # a free port can be taken in between; retry
        port = _free_port()
        cmd = _lab_command(port, root, base)
        with open(log, "ab") as logf:
            proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, env=env, cwd=root,
                                    start_new_session=True,
                                    preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        lab = Lab(f"http://127.0.0.1:{port}", token, root, proc, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                last_err = f"jupyter lab exited with {proc.returncode}"
                break
            try:
                lab.api("GET", "/api/status")
                return lab
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        else:
            last_err = "timeout waiting for /api/status"
            _stop_lab(lab)
    raise RuntimeError(f"{last_err}; log:\n{log.read_text()[-3000:]}")


def _stop_lab(lab: Lab):
    if lab.proc.poll() is None:
        try:
            lab.api("POST", "/api/shutdown")
        except Exception:
            pass
        try:
            lab.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(lab.proc.pid, signal.SIGKILL)
            lab.proc.wait()
    try:
        os.killpg(lab.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        msg = f"no Chromium at {CHROMIUM}: {INSTALL_HINT}"
        if os.environ.get("E2E_REQUIRE_BROWSER") == "1":  # CI: a missing browser is a failure
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def jupyter_lab(browser, tmp_path_factory):
    lab = _start_lab(tmp_path_factory.mktemp("jupyterlab"))
    yield lab
    _stop_lab(lab)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def page(browser, jupyter_lab, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_")
        pg.screenshot(path=str(ARTIFACTS / f"{name}-failure.png"), full_page=False)
        shutil.copy(jupyter_lab.log, ARTIFACTS / "jupyterlab.log")
    context.close()
    jupyter_lab.shutdown_kernels()  # the next test gets a fresh kernel
