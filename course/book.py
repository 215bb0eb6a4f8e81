"""Build the course site with Jupyter Book 1.x: `make book` (class mode) or `NASLAB_FAST=1 make book`.

The site shows the student edition (course/student.py strips the solutions), executed. Either
Jupyter Book executes the notebooks itself, with its cache (build/book-cache-<mode>/: an unchanged
notebook is not executed again), or `--executed DIR` reuses notebooks already executed elsewhere
(the tests pass the copies they ran, executed with the same `static_env`). Progress bars are
switched off in the kernels (course/book/static_startup.py: no stale "0%" text on a static page) and
each widget panel shows its first figure (see course/book/_config.yml).
Output: build/book/_build/html/index.html.

Usage (from the repository root):  python course/book.py [--executed DIR] [--out build/book]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import student  # noqa: E402  (course/student.py)


def stage(src: Path, executed: Path | None, mode: str) -> None:
    """Write the book's sources into `src`: config, toc, intro and the student notebooks. `src` is emptied
    first only if it is new, empty or an earlier output (student.prepare_out refuses anything else)."""
    student.prepare_out(src, ROOT, tool="course/book.py")
    (src / "notebooks").mkdir()
    for name in ("_toc.yml", "intro.md"):
        shutil.copy2(ROOT / "course" / "book" / name, src / name)
    config = yaml.safe_load((ROOT / "course" / "book" / "_config.yml").read_text())
    if executed is not None:
        config["execute"]["execute_notebooks"] = "off"
    else:
        config["execute"]["cache"] = str(ROOT / "build" / f"book-cache-{mode}")
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        if executed is not None:
            copy = executed / f"{nb.stem}.ipynb"
            if not copy.exists():
                raise FileNotFoundError(f"no executed copy {copy}; run without --executed to execute here")
            shutil.copy2(copy, src / "notebooks" / copy.name)
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
