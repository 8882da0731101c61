"""Open every page of the built book in headless Chromium, as a reader would.

Run after the book is built (``scripts/test.sh`` does so):
``python -m pytest tests/browser``.  Each page must load with no console
error, every image must have a non-zero natural size, no page may show a
Python traceback or "Execution Failed", and every internal link must resolve.
A screenshot of the LSTM chapter is saved under ``artifacts/``.
"""

from __future__ import annotations

import functools
import http.server
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
HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
# "<Figure size": a figure that rendered as its text repr instead of an image.
BAD_TEXT = ("Traceback (most recent call last)", "Execution Failed", "Error in callback", "<Figure size")
PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if "_static" not in p.parts) if HTML.is_dir() else []


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
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium not found: apt-get install -y chromium")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def test_the_book_has_its_pages():
    names = set(PAGES)
    for must in ("index.html", "chapters/05_lstm.html", "status.html", "references.html", "api.html"):
        assert must in names, f"{must} missing from the built book"


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
    if "http-equiv=\"Refresh\"" in (HTML / page).read_text():  # index.html forwards to the first page
        tab.wait_for_url(lambda u: u != url, wait_until="load")
    tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    tab.wait_for_load_state("load")
    broken = tab.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    text = tab.inner_text("body")
    links = tab.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    if page == "chapters/05_lstm.html":
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "lstm-chapter.png"), full_page=True)
    ctx.close()

    # Requests that left the machine were blocked; only failures of local ones count.
    errors = [e for e in errors if not any(x.split("?")[0] in e for x in external) and "net::ERR_FAILED" not in e]
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
