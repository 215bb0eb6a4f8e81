"""Small helpers the tests of several folders share (import as `from tests.helpers import ...`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def edit_json(path: Path, edit: Callable[[dict], object]) -> dict:
    """Apply `edit(meta)` to the JSON file at `path` in place, as a hand edit would (its stored checksums are left
    as they were); return the edited dict."""
    meta = json.loads(path.read_text())
    edit(meta)
    path.write_text(json.dumps(meta, indent=1))
    return meta
