"""The course site works offline and reads clean (course/book.py): every page, opened in headless Chromium from a
local http.server with every request to any other host blocked, has
1. no console error and no uncaught JavaScript error (a blocked CDN script would show up here too);
2. its formulas typeset by the bundled MathJax (`mjx-container` elements), and no raw TeX left in the text;
3. no stray `Claim(...)` repr (a cell ending in `claim(...)` shows only the claim's printed line);
and the table of contents lists every notebook.

The site is built once for the module: notebook 00 executed in FAST mode by course/book.py's own executor (so its
outputs, claims included, are real), the other notebooks unexecuted (their prose and formulas are what is checked).
`NASLAB_SITE=build/book/_build/html` checks an already built site instead (e.g. after `NASLAB_FAST=1 make book`).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "course"))
import book  # noqa: E402  (course/book.py)
import student  # noqa: E402  (course/student.py)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
EXECUTED = "00_welcome"  # executed for real: its outputs (and its claims) are on its page

# the text of the page outside code, outputs of code and typeset math, after MathJax has run
PROSE_TEXT = """() => {
  const root = document.querySelector('main') || document.body;
  const copy = root.cloneNode(true);
  copy.querySelectorAll('pre, code, mjx-container, script, style, .cell_output').forEach(e => e.remove());
  return copy.innerText;
}"""
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\$[^\s$][^$\n]*\$|\\(frac|sum|alpha|nabla|mathcal)\b")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if os.environ.get("NASLAB_SITE"):
        return Path(os.environ["NASLAB_SITE"]).resolve()
    tmp = tmp_path_factory.mktemp("site")
    staged, executed = tmp / "staged", tmp / "executed"
    staged.mkdir()
    executed.mkdir()
    for nb in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"):
        student.build_notebook(nb, executed if nb.stem != EXECUTED else staged)
    env = {**book.static_env(tmp / "ipython"), "NASLAB_FAST": "1"}
    done = book.execute(staged, tmp / "cache", env, timeout=300)
    (executed / f"{EXECUTED}.ipynb").write_bytes((done / f"{EXECUTED}.ipynb").read_bytes())
    index = book.build(tmp / "book", executed=executed)
    return index.parent


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass


def _open(browser, url: str, origin: str):
    """A page that may only reach `origin`; returns (page, console errors, blocked requests)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors, blocked = [], []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))

    def route(r):
        if r.request.url.startswith(origin + "/"):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    if page.locator("script[src*='mathjax']").count():  # Sphinx loads MathJax only on pages with formulas
        # MathJax 3 resolves startup.promise once the page is typeset
        try:
            page.wait_for_function("() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise",
                                   timeout=15_000)
            page.evaluate("() => window.MathJax.startup.promise")
        except PlaywrightTimeout:
            errors.append("MathJax did not start within 15 s")
    page.wait_for_timeout(300)  # late console messages (fonts, deferred scripts)
    return page, errors, blocked


@pytest.mark.parametrize("name", ["intro", *(f"notebooks/{n}" for n in NOTEBOOKS)])
def test_page_offline_and_clean(browser, server, site, name):
    assert (site / f"{name}.html").exists(), f"{name}.html was not built"
    page, errors, blocked = _open(browser, f"{server}/{name}.html", server)
    try:
        assert not errors, f"{name}: {errors}"
        assert not blocked, f"{name} asked for other hosts (offline they fail): {blocked}"
        n_math = page.locator(".math").count()
        n_typeset = page.locator("mjx-container").count()
        assert n_typeset >= n_math, f"{name}: {n_math} formulas, only {n_typeset} typeset by MathJax"
        untypeset = page.evaluate("() => [...document.querySelectorAll('.math')]"
                                  ".filter(e => !e.querySelector('mjx-container')).map(e => e.innerText)")
        assert not untypeset, f"{name}: formulas left as raw TeX: {untypeset[:5]}"
        raw = RAW_TEX.findall(page.evaluate(PROSE_TEXT))
        assert not raw, f"{name}: raw TeX in the text: {raw[:5]}"
        assert "Claim(" not in page.inner_text("body"), f"{name}: a stray Claim(...) repr"
        if name.startswith("notebooks/"):  # every notebook page has formulas
            assert n_typeset > 0, f"{name}: no formula typeset"
        if name == f"notebooks/{EXECUTED}":  # the executed page shows its claim lines, and no repr
            assert "holds" in page.inner_text("main") or "not checked in FAST" in page.inner_text("main")
    finally:
        page.context.close()


def test_toc_lists_every_notebook(browser, server):
    page, errors, _ = _open(browser, f"{server}/intro.html", server)
    try:
        links = page.evaluate("() => [...document.querySelectorAll('nav a.reference.internal')]"
                              ".map(a => a.getAttribute('href'))")
        for n in NOTEBOOKS:
            assert any(f"notebooks/{n}.html" in (h or "") for h in links), f"{n} missing from the site's navigation"
        assert "Nine notebooks (00–08)" in page.inner_text("main")
    finally:
        page.context.close()


def test_mathjax_is_bundled(site):
    # the pages load MathJax from the site itself, never from a CDN
    html = (site / "notebooks" / f"{NOTEBOOKS[0]}.html").read_text()
    assert re.search(r'src="\.\./_static/mathjax/tex-mml-chtml\.js', html)
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert (site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
