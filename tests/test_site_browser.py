"""The documentation site as a reader sees it: key pages rendered in a real headless browser.

Each page is opened in headless Chromium at 1 280 × 900 and left to finish (MathJax typesets in
the browser).  A probe script, added to the page by the test's own server (``?probe``; the site on disk is
never changed), then reports what the reader sees:

- formulas typeset: at least the page's expected number of MathJax containers, and no MathJax
  error boxes;
- no raw markup left in the text a reader sees (outside code): TeX commands or ``$…$`` spans,
  Markdown emphasis markers ``**`` and ``\\_``, RST double backticks and roles;
- no page wider than the window: the document's scroll width is at most 1 280 px (code blocks and
  tables may scroll inside their own box, the page may not).

A screenshot of each page is written to ``$TEMPX_SCREENSHOTS`` (default: the test's temporary
folder) for a reviewer to look at.  The site is ``$TEMPX_SITE`` when given (CI builds it once with
``sphinx -W``); otherwise it is built here.  Skips cleanly without Chromium or Sphinx.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1280

# page (relative to the site) → the fewest typeset formulas it must show
PAGES = {
    "index.html": 1,
    "claims.html": 150,
    "_generated/api-reference.html": 200,
    "tutorial-counterexample.html": 1,
    "tutorial-teacher.html": 5,
    "cli.html": 20,
    "performance.html": 10,
    "gallery/plot_counterexample.html": 0,
}

PROBE = """
<script>
(function () {
  function textOutsideCode() {
    var out = [];
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, null);
    var node;
    while ((node = walker.nextNode())) {
      var el = node.parentElement;
      if (el.closest('pre, code, script, style, mjx-container, .MathJax, textarea, kbd, samp, .highlight, dt.sig')) continue;
      out.push(node.nodeValue);
    }
    return out.join(' ');
  }
  function report() {
    var probe = {
      mathjax: !!(window.MathJax && window.MathJax.startup),
      typeset: document.querySelectorAll('mjx-container').length,
      errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
      errorText: Array.prototype.slice.call(document.querySelectorAll('mjx-merror')).slice(0, 5).map(function (e) {
        return (e.getAttribute('data-mjx-error') || '') + ' in ' + (e.closest('mjx-container') || e).textContent.slice(0, 80);
      }),
      scrollWidth: document.documentElement.scrollWidth,
      scrollingTables: Array.prototype.filter.call(document.querySelectorAll('table, .pst-scrollable-table-container'), function (t) {
        return t.scrollWidth > t.clientWidth + 1;
      }).length,
      innerWidth: window.innerWidth,
      text: textOutsideCode()
    };
    var pre = document.createElement('pre');
    pre.id = 'tempx-probe';
    pre.textContent = JSON.stringify(probe);
    document.body.appendChild(pre);
  }
  window.addEventListener('load', function () {
    var ready = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
    ready.then(function () { setTimeout(report, 200); }, report);
  });
})();
</script>
"""

# what a reader must never see in running text (the probe has already left out code and typeset math)
RAW = {
    "TeX command": re.compile(r"\\(?:frac|sum|mathbb|mathrm|le|ge|top|sigma|lambda|omega|rho|infty|operatorname)\b"),
    "unrendered $…$ formula": re.compile(r"\$[^$\s][^$]{0,80}\$"),
    "Markdown emphasis marker": re.compile(r"\*\*|\\_|\\\*"),
    "RST double backticks": re.compile(r"``"),
    "RST role": re.compile(r":(?:math|class|func|meth|mod|ref):`"),
}


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if chromium() is None:
        pytest.skip("no Chromium on this machine (CI installs Debian's chromium)")
    given = os.environ.get("TEMPX_SITE")
    if given:
        built = Path(given)
        if not (built / "index.html").is_file():
            pytest.fail(f"TEMPX_SITE={given} is not a built site (no index.html)")
    else:
        pytest.importorskip("sphinx")
        pytest.importorskip("sphinx_gallery")
        built = tmp_path_factory.mktemp("site")
        run = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(ROOT / "docs"), str(built)],
                             check=False, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr[-2000:]
    for page in PAGES:
        assert (built / page).is_file(), f"{page} is missing from the site"
    return built


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


NEGATIVE = ("<html><body><p>raw $\\frac{1}{2}$ and **bold** and ``code``</p>"
            "<div style='width: 2000px'>wide</div>" + PROBE + "</body></html>")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """The site as it is, except that ``PAGE?probe`` is the page with the probe script before ``</body>`` (same
    folder, so its relative links and assets resolve) and ``/probe-negative.html`` a page made to fail."""

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/probe-negative.html":
            self._send_html(NEGATIVE)
        elif query == "probe" and path.endswith(".html"):
            page = Path(self.translate_path(path))
            if not page.is_file():
                self.send_error(404)
                return
            self._send_html(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"))
        else:
            super().do_GET()

    def _send_html(self, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def browse(url: str, profile: Path, *extra: str, height: int = 900) -> subprocess.CompletedProcess[str]:
    browser = chromium()
    assert browser is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={WIDTH},{height}",
             "--virtual-time-budget=20000", *extra, url]
    return subprocess.run([browser, *flags], check=False, capture_output=True, text=True, timeout=180)


def probe_of(url: str, profile: Path) -> dict[str, Any]:
    """What the probe script reported for the page at ``url``."""
    run = browse(url, profile, "--dump-dom")
    match = re.search(r'<pre id="tempx-probe">(.*?)</pre>', run.stdout, flags=re.DOTALL)
    assert match, f"{url}: the probe did not report (chromium said: {run.stderr[-500:]})"
    report: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return report


def screenshots_dir(tmp_path: Path) -> Path:
    out = Path(os.environ.get("TEMPX_SCREENSHOTS", tmp_path / "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_as_a_reader_sees_it(page: str, server: str, tmp_path: Path) -> None:
    probe = probe_of(f"{server}/{page}?probe", tmp_path / "profile")

    if PAGES[page]:
        assert probe["mathjax"], f"{page}: MathJax did not load (the site must carry it: sphinx-mathjax-offline)"
    assert probe["typeset"] >= PAGES[page], f"{page}: {probe['typeset']} typeset formulas, expected ≥ {PAGES[page]}"
    assert probe["errors"] == 0, f"{page}: {probe['errors']} MathJax error boxes: {probe['errorText']}"
    assert probe["scrollWidth"] <= WIDTH, f"{page}: the page is {probe['scrollWidth']} px wide in a {WIDTH} px window"
    if page == "claims.html":  # the ledger is read whole: no table of it scrolls sideways
        assert probe["scrollingTables"] == 0, f"{page}: {probe['scrollingTables']} tables scroll sideways"
    for what, pattern in RAW.items():
        found = pattern.search(probe["text"])
        assert found is None, f"{page}: {what} in the running text: …{probe['text'][max(0, found.start() - 60):found.end() + 60]}…"

    shot = screenshots_dir(tmp_path) / (page.replace("/", "_")[: -len(".html")] + ".png")
    browse(f"{server}/{page}", tmp_path / "profile-shot", f"--screenshot={shot}", height=2400)
    assert shot.is_file() and shot.stat().st_size > 10_000, f"{page}: no screenshot written"


def test_the_probe_sees_raw_markup(server: str, tmp_path: Path) -> None:
    """The checks above can fail: a page with an untypeset formula and raw markup is caught."""
    probe = probe_of(f"{server}/probe-negative.html", tmp_path / "profile")
    assert probe["scrollWidth"] > WIDTH
    assert probe["typeset"] == 0
    assert all(pattern.search(probe["text"]) for what, pattern in RAW.items() if what != "RST role")


def _all_pages() -> list[str]:
    """Every page of the built site a reader reaches from the menu (the generated index pages aside)."""
    given = os.environ.get("TEMPX_SITE")
    if not given or not Path(given, "index.html").is_file():
        return sorted(PAGES)  # the site is built by the fixture: these are known to exist
    skip = {"genindex.html", "search.html", "py-modindex.html", "sg_execution_times.html"}
    return sorted(p.relative_to(given).as_posix() for p in Path(given).rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts
                  and "_sources" not in p.parts)


@pytest.mark.parametrize("page", _all_pages())
def test_every_page_fits_the_window_and_typesets_without_errors(page: str, server: str, tmp_path: Path) -> None:
    """No page of the site is wider than 1 280 px, and MathJax reports no error on any page."""
    probe = probe_of(f"{server}/{page}?probe", tmp_path / "profile")
    assert probe["scrollWidth"] <= WIDTH, f"{page}: the page is {probe['scrollWidth']} px wide in a {WIDTH} px window"
    assert probe["errors"] == 0, f"{page}: {probe['errors']} MathJax error boxes: {probe['errorText']}"
