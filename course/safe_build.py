"""Where the course tools may write, and what they may read: the safety rules of `make student` and `make book`.

* `prepare_out(out)`: empty an output folder only if it is new, empty or an earlier output (it holds the
  MARKER file every build writes); the repository root, a source folder (SOURCE_DIRS) or a folder inside or
  above one, and a folder holding a `.git` are refused with `BuildError`, and nothing is deleted.
* `tracked_files(root)`: the git-tracked regular files (`git ls-files`), so an untracked `my_searcher.py~`
  or `.bak` never ships; a tracked symbolic link that leads outside the repository is skipped, never followed.

Used by course/student.py and course/book.py. This module does not import naslab.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = ".naslab-build"  # written into every output folder: only such a folder is emptied by a later build
SOURCE_DIRS = ("notebooks", "naslab", "homework", "course", "tests", "data", "benchmarks", "tools")


class BuildError(ValueError):
    """The build refused to run: an --out folder it must not empty, a folder that is not a git checkout."""


def _inside(a: Path, b: Path) -> bool:
    return a == b or b in a.parents


def prepare_out(out: Path, root: Path = ROOT, tool: str = "course/student.py") -> Path:
    """Empty `out` for a build and mark it as the build's own (a MARKER file); return it resolved.

    Refused (BuildError, nothing deleted): the repository root or a folder holding it, a source folder
    (SOURCE_DIRS), a folder inside one or holding one, a folder with a `.git`, and an existing non-empty
    folder without the marker of an earlier build.
    """
    out, root = Path(out).resolve(), Path(root).resolve()
    if _inside(root, out):
        raise BuildError(f"refusing to empty {out}: it is (or holds) the repository root {root}")
    for name in SOURCE_DIRS:
        src = (root / name).resolve()
        if _inside(src, out) or _inside(out, src):
            raise BuildError(f"refusing to empty {out}: it is, holds or lies inside the source folder {name}/ "
                             f"(choose a folder such as {root / 'build' / 'student'})")
    if out.exists() and not out.is_dir():
        raise BuildError(f"refusing to write into {out}: it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise BuildError(f"refusing to empty {out}: it is not an earlier output of {tool} (no {MARKER} "
                             f"file in it; a build older than this check left none: delete that folder "
                             f"yourself once); choose an empty or new folder")
        git = next((Path(d) for d, dirs, _ in os.walk(out) if ".git" in dirs or (Path(d) / ".git").exists()), None)
        if git is not None:
            raise BuildError(f"refusing to empty {out}: {git} holds a .git")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(f"written by {tool}: this folder is emptied by the next build\n")
    return out


def tracked_files(root: Path = ROOT, log=None) -> dict[str, Path]:
    """{path relative to root: file to read} for every git-tracked file that is a regular file inside the
    repository. A tracked symbolic link to a file inside the repository is read as that file; one that
    leads outside is skipped, with a message to `log` (default: stderr)."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    root = Path(root).resolve()
    r = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached"], capture_output=True, text=True)
    if r.returncode != 0:
        raise BuildError(f"{root} is not a git checkout: the handout is built from the tracked files only "
                         f"(git ls-files): {r.stderr.strip()}")
    files = {}
    for rel in r.stdout.split("\0"):
        path = root / rel
        if not rel or not (path.is_file() or path.is_symlink()):
            continue  # deleted in the working tree, or a submodule
        target = path.resolve()
        if target != path:  # the file or a folder on its way is a symbolic link
            if not _inside(target, root) or not target.is_file():
                log(f"skipped {rel}: a symbolic link to {target}, outside the repository (not followed)")
                continue
            path = target
        files[rel] = path
    return files
