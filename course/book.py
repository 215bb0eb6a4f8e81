"""Build the course site with Jupyter Book 1.x: `make book` (class mode) or `NASLAB_FAST=1 make book`.

The site shows the student edition (course/student.py strips the solutions), executed. Either this
script executes the notebooks itself (`execute`, with a cache in build/book-cache-<mode>/: an unchanged
notebook is not executed again), or `--executed DIR` reuses notebooks already executed elsewhere
(the tests pass the copies they ran, executed with the same `static_env`). Jupyter Book then only
renders them. Progress bars are switched off in the kernels (course/book/static_startup.py: no stale
"0%" text on a static page) and each widget panel shows its first figure (see course/book/_config.yml).

The site works offline: MathJax 3 is copied from the `django-static-mathjax` package (a dev
dependency; it ships MathJax's es5 build) into the site's `_static/mathjax/` and `mathjax_path` points
there, and sphinx-thebe (a kernel launcher this static site does not use) is left out of the Sphinx
extensions (course/book/_config.yml).

Why this script executes instead of Jupyter Book (the "widget stall"): nbclient waits for a cell's
execute reply with ONE `socket.poll(timeout)` on the shell channel (jupyter_client's async channel).
ZeroMQ wakes that poll through an edge-triggered file descriptor; when the wake-up is missed (seen
after a widget cell, whose comm messages arrive on the iopub channel at the same moment, as in
jupyter/nbclient#312), the poll sleeps until its timer ends, then pyzmq's final non-blocking poll finds
the reply that was there all along and the notebook carries on: an idle stall of exactly the cell
timeout (600 s), intermittently. `SlicedClient` polls in slices of `POLL_S` seconds up to the same
overall timeout, so a missed wake-up costs at most one slice.
Output: build/book/_build/html/index.html.

Usage (from the repository root):  python course/book.py [--executed DIR] [--out build/book]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml
from jupyter_client.channels import Empty
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import student  # noqa: E402  (course/student.py)

POLL_S = 1.0  # longest wait on the shell channel before polling again (see the module docstring)
MATHJAX = ("tex-mml-chtml.js", "input", "output", "a11y", "ui", "adaptors")  # the parts of es5/ the site loads


def sliced(wait, slice_s: float = POLL_S):
    """Wrap an async `get_msg(timeout)` (raises queue.Empty when nothing came) so that it waits in slices of at
    most `slice_s` seconds up to the same overall `timeout` (None: for ever): each slice ends in a fresh poll,
    so a reply whose wake-up was missed is picked up within one slice instead of at the end of `timeout`."""

    async def get_msg(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = slice_s if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await wait(timeout=min(slice_s, left))
            except Empty:
                if deadline is not None and left <= slice_s:
                    raise

    return get_msg


class SlicedClient(NotebookClient):
    """nbclient's NotebookClient whose wait for an execute reply polls in slices of POLL_S seconds."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kc.shell_channel.get_msg = sliced(kc.shell_channel.get_msg)
        return kc


def execute(staged: Path, cache: Path, env: dict, timeout: int) -> Path:
    """Execute each staged student notebook in a fresh kernel (SlicedClient, environment `env`, working
    folder `staged`) into `cache`/<name>-<hash of its source>.ipynb unless that copy exists; return a
    folder holding the executed copies under their own names."""
    cache.mkdir(parents=True, exist_ok=True)
    done = cache / "current"
    shutil.rmtree(done, ignore_errors=True)
    done.mkdir()
    for path in sorted(staged.glob("*.ipynb")):
        key = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        copy = cache / f"{path.stem}-{key}.ipynb"
        if not copy.exists():
            t0 = time.perf_counter()
            nb = nbformat.read(path, as_version=4)
            SlicedClient(nb, timeout=timeout, kernel_name="python3",
                         resources={"metadata": {"path": str(staged)}}).execute(env=env)  # the kernel's environment
            nbformat.write(nb, copy)
            print(f"book.py: executed {path.name} in {time.perf_counter() - t0:.0f} s", flush=True)
        shutil.copy2(copy, done / path.name)
    return done


def copy_static(executed: Path, dest_dir: Path) -> None:
    """Copy an executed notebook into the book's sources without its saved widget state: the pages show each
    panel's first figure (course/book/_config.yml), and with a widget state Jupyter Book would add the
    ipywidgets embed scripts, loaded from a CDN (a console error offline)."""
    nb = nbformat.read(executed, as_version=4)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, dest_dir / executed.name)


def mathjax_dir() -> Path:
    """The es5/ folder of MathJax 3 shipped by the django-static-mathjax package."""
    spec = importlib.util.find_spec("mathjax")
    es5 = Path(spec.origin).parent / "static" / "mathjax" / "es5" if spec and spec.origin else None
    if es5 is None or not (es5 / MATHJAX[0]).exists():
        raise student.BuildError("MathJax 3 not found: `pip install django-static-mathjax` (naslab[dev] has it)")
    return es5


def bundle_mathjax(src: Path) -> None:
    """Copy the MathJax files the pages load into `src`/_mathjax/mathjax/ (a static path of the site, see
    course/book/_config.yml), so that formulas render with no network."""
    es5, dest = mathjax_dir(), src / "_mathjax" / "mathjax"
    dest.mkdir(parents=True)
    for name in MATHJAX:
        (shutil.copytree if (es5 / name).is_dir() else shutil.copy2)(es5 / name, dest / name)


def stage(src: Path, executed: Path | None, mode: str) -> None:
    """Write the book's sources into `src`: config, toc, intro and the student notebooks. `src` is emptied
    first only if it is new, empty or an earlier output (student.prepare_out refuses anything else)."""
    student.prepare_out(src, ROOT, tool="course/book.py")
    (src / "notebooks").mkdir()
    for name in ("_toc.yml", "intro.md", "glossary.md"):
        shutil.copy2(ROOT / "course" / "book" / name, src / name)
    shutil.copy2(ROOT / "course" / "book" / "_config.yml", src / "_config.yml")
    bundle_mathjax(src)
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        if executed is not None:
            copy = executed / f"{nb.stem}.ipynb"
            if not copy.exists():
                raise FileNotFoundError(f"no executed copy {copy}; run without --executed to execute here")
            copy_static(copy, src / "notebooks")
        else:
            student.build_notebook(nb, src / "notebooks")


def static_env(ipython_dir: Path) -> dict:
    """The environment of the site's kernels: an IPYTHONDIR whose start-up file switches progress bars
    off (course/book/static_startup.py), one torch thread."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "course" / "book" / "static_startup.py", startup / "00-static.py")
    return {**os.environ, "IPYTHONDIR": str(ipython_dir), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}


def build(out: Path, executed: Path | None = None) -> Path:
    """Stage and build; return the path of the site's index.html."""
    mode = "fast" if os.environ.get("NASLAB_FAST", "") not in ("", "0") else "class"
    src = out.parent / f"{out.name}-src"
    stage(src, executed, mode)
    env = static_env(out.parent / f"{out.name}-ipython")
    if executed is None:
        timeout = yaml.safe_load((ROOT / "course" / "book" / "_config.yml").read_text())["execute"]["timeout"]
        done = execute(src / "notebooks", ROOT / "build" / f"book-cache-{mode}", env, timeout)
        for copy in done.glob("*.ipynb"):
            copy_static(copy, src / "notebooks")
    cli = "from jupyter_book.cli.main import main; main()"
    subprocess.run([sys.executable, "-c", cli, "build", str(src), "--path-output", str(out), "--builder", "html"],
                   check=True, env=env)
    return out / "_build" / "html" / "index.html"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--executed", default=None, help="a folder of executed student notebooks to reuse")
    ap.add_argument("--out", default=str(ROOT / "build" / "book"))
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        index = build(Path(args.out).resolve(), Path(args.executed).resolve() if args.executed else None)
    except student.BuildError as e:
        print(f"book.py: {e}", file=sys.stderr)
        return 2
    print(f"course site: {index} (built in {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
