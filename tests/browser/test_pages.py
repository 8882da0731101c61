"""Open every page of the built book in headless Chromium, as a reader would, with no network.

Run after the book is built (``scripts/test.sh`` does so):
``python -m pytest tests/browser`` (``HILBERTLIB_BOOK_HTML`` points it at
another built book).  Every request that leaves the machine is blocked,
counted and reported (``artifacts/outside-requests.json``): a page that makes
one fails, since it would not work offline.  Each page must load with no
console error, every image must have a non-zero natural size, no page may
show a Python traceback or "Execution Failed", and every internal link must
resolve.  On every page with math, MathJax (served from the book's own
``_static``) must have typeset each formula, and no raw ``\\begin{`` or
``\\(`` may be visible.  A screenshot of the LSTM chapter is saved under
``artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("HILBERTLIB_BOOK_HTML", ROOT / "_build" / "html"))
ARTIFACTS = ROOT / "artifacts"
# scripts/test.sh finds or installs one (scripts/setup.sh, ensure_chromium); "playwright": Playwright's own build.
CHROMIUM = (
    os.environ.get("HILBERTLIB_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
    or "/usr/bin/chromium"
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# "<Figure size": a figure that rendered as its text repr instead of an image.
BAD_TEXT = ("Traceback (most recent call last)", "Execution Failed", "Error in callback", "<Figure size")
PAGES = (
    sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if "_static" not in p.parts)
    if HTML.is_dir()
    else []
)
# Sphinx wraps every formula, inline or displayed, in an element of class "math".
MATH_MARK = 'class="math notranslate nohighlight"'
RAW_TEX = ("\\begin{", "\\(", "\\[")
#: Blocked requests that would have left the machine, by page (written to artifacts/ at the end).
OUTSIDE: dict[str, list[str]] = {}
# Visible text outside code: the raw TeX a reader would see if MathJax did not run.
VISIBLE_PROSE = """() => {
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight';
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip) || !el.offsetParent) continue;
    out.push(n.textContent);
  }
  return out.join(' ');
}"""
UNTYPESET = """() => Array.from(document.querySelectorAll('span.math, div.math'))
  .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80))"""


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run 'bash scripts/build-book.sh' first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # Chromium drops connections it no longer needs (a cancelled prefetch,
        # a closed tab); the server's default prints each as a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def browser():
    own = CHROMIUM == "playwright"
    if not own and not Path(CHROMIUM).exists():
        pytest.fail("Chromium not found: apt-get install -y chromium (bash scripts/test.sh installs it)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=None if own else CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def test_the_book_has_its_pages():
    if "HILBERTLIB_BOOK_HTML" in os.environ:
        pytest.skip("another book than this one's")
    names = set(PAGES)
    for must in ("index.html", "chapters/05_lstm.html", "status.html", "references.html", "api.html"):
        assert must in names, f"{must} missing from the built book"
    # The checks for typeset math below run on the pages that have math: the LSTM's equations must be among them.
    assert MATH_MARK in (HTML / "chapters" / "05_lstm.html").read_text()


def test_mathjax_is_served_by_the_book_itself():
    assert PAGES, f"no built book at {HTML}"
    for page in PAGES:
        html = (HTML / page).read_text()
        if MATH_MARK in html:
            assert "_static/mathjax/tex-mml-chtml.js" in html, f"{page} does not load the book's own MathJax"
            assert "cdn.jsdelivr" not in html and "mathjax@" not in html, f"{page} names a MathJax CDN"
    assert (HTML / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert any((HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_cleanly(page, server, browser):
    url = urljoin(server, page)
    errors: list[str] = []
    external: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = ctx.new_page()

    def route(r):
        if urlparse(r.request.url).hostname in ("127.0.0.1", None):
            return r.continue_()
        external.append(r.request.url)
        return r.abort()

    tab.route("**/*", route)
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    response = tab.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{page}: HTTP {response.status if response else '?'}"
    source = (HTML / page).read_text()
    if 'http-equiv="Refresh"' in source:  # index.html forwards to the first page
        tab.wait_for_url(lambda u: u != url, wait_until="load")
    tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    tab.wait_for_load_state("load")
    untypeset, raw = [], []
    if MATH_MARK in source:
        # MathJax is deferred: wait for it to load and finish typesetting the page.
        try:
            tab.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
            tab.evaluate("() => MathJax.startup.promise")
        except sync_api.Error as exc:
            pytest.fail(
                f"{page}: MathJax never typeset the page ({type(exc).__name__}); "
                f"{len(external)} outside requests blocked: {external[:5]}"
            )
        untypeset = tab.evaluate(UNTYPESET)
        prose = tab.evaluate(VISIBLE_PROSE)
        raw = [t for t in RAW_TEX if t in prose]
        typeset = tab.evaluate("() => document.querySelectorAll('mjx-container').length")
        assert typeset > 0, f"{page}: has math but MathJax typeset none of it"
        tex_errors = tab.evaluate("() => Array.from(document.querySelectorAll('mjx-merror')).map(e => e.textContent)")
        assert not tex_errors, f"{page}: MathJax could not typeset: {tex_errors[:3]}"
    broken = tab.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    text = tab.inner_text("body")
    links = tab.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    if page == "chapters/05_lstm.html":
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "lstm-chapter.png"), full_page=True)
    ctx.close()

    OUTSIDE[page] = external
    assert not external, f"{page}: {len(external)} requests outside the machine (blocked): {external[:5]}"
    assert not untypeset, f"{page}: math left untypeset: {untypeset[:3]}"
    assert not raw, f"{page}: raw TeX visible: {raw}"
    assert not errors, f"{page}: console errors: {errors[:5]}"
    assert not broken, f"{page}: images with no size: {broken[:5]}"
    for bad in BAD_TEXT:
        assert bad not in text, f"{page} shows {bad!r}"
    for link in links:
        target, _ = urldefrag(link)
        if not target.startswith(server):
            continue
        try:
            with urllib.request.urlopen(target, timeout=10) as r:
                assert r.status == 200
        except urllib.error.HTTPError as exc:
            pytest.fail(f"{page}: internal link {target} -> HTTP {exc.code}")


def test_report_outside_requests():
    """Runs last: writes the count of blocked outside requests per page; every page must have none."""
    if not OUTSIDE:
        pytest.skip("no page was opened")
    ARTIFACTS.mkdir(exist_ok=True)
    report = {
        "pages": len(OUTSIDE),
        "outside_requests": sum(map(len, OUTSIDE.values())),
        "by_page": {p: v for p, v in OUTSIDE.items() if v},
    }
    (ARTIFACTS / "outside-requests.json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"\n{report['outside_requests']} outside requests on {report['pages']} pages")
    assert report["outside_requests"] == 0, report["by_page"]
