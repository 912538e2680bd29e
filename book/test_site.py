"""Browser test of the built book site: `make test-book` (after `make book`).

Serves _build/book/_build/html on 127.0.0.1, opens every page in headless Chromium
(Debian's ``chromium``; driven through the DevTools protocol with websocket-client) and
checks, per lecture: the page has the lecture's title; the math is rendered (every math
node holds MathJax output, no raw ``$$`` left, no MathJax error); at least one figure
image, and every image loads; solutions are folded; no console error, no uncaught
exception, and no request leaves localhost (MathJax comes from the build, not a CDN).
A screenshot of the top of each page, and one centred on its first figure, go to
_build/book/screenshots/.

On a phone (390 x 844) and on a desktop (1280 x 900): the navigation opens from the visible
toggle and lists every lecture, the page has one header band (no second navbar), no math
node is wider than its box unless it scrolls, and on the phone a figure wider than the page
opens at full size on a tap, in a box that scrolls. Screenshots: phone-nav-open.png,
desktop-nav.png, phone-figure-zoomed.png, NN_topic-phone.png. No page of the built site
holds an ``OWNER`` placeholder or a ``shared/`` path (the authors' notes folder).

Not collected by plain `make test` (pytest's testpaths are tests/ and notebooks/, and
book/ is in norecursedirs). A missing Chromium fails the test; it never skips.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import websocket

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "book" / "_build" / "html"
SHOTS = ROOT / "_build" / "book" / "screenshots"
NOTEBOOKS = Path(os.environ.get("BOOK_NOTEBOOKS", ROOT / "notebooks"))  # another folder: for testing the test
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,900"]
PAGE_TIMEOUT = 90  # seconds for one page to load and typeset (2 busy cores)
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}


def chromium() -> str:
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    pytest.fail("no Chromium: `make chromium` (as root: apt-get install -y chromium) or set CHROMIUM=/path")


def lecture_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def lecture_title(ipynb: Path) -> str:
    for cell in json.loads(ipynb.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ipynb.stem


def title_found(title: str, page_title: str) -> bool:
    """Every piece of the notebook title outside its math is in the page title (letters and
    digits only: the page writes the math as plain text and Sphinx curls the quotes)."""
    def words(text):
        return re.sub(r"[^a-z0-9]+", "", text.lower())

    return all(words(piece) in words(page_title) for piece in re.split(r"\$[^$]*\$", title))


def solution_count(ipynb: Path) -> int:
    cells = json.loads(ipynb.read_text())["cells"]
    return sum("solution" in c.get("metadata", {}).get("tags", []) for c in cells)


# --------------------------------------------------------------------------- a tiny CDP client
class DevTools:
    """Chrome DevTools protocol over one browser websocket, flat sessions per page."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=PAGE_TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, session: str | None = None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = PAGE_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for ev in self.events[seen:]:
                if ev.get("method") == method and ev.get("sessionId") == session:
                    return ev
            seen = len(self.events)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                pass
            finally:
                self.ws.settimeout(PAGE_TIMEOUT)

    def evaluate(self, session: str, expression: str):
        result = self.send("Runtime.evaluate", session, expression=expression, awaitPromise=True,
                           returnByValue=True, timeout=PAGE_TIMEOUT * 1000)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self):
        self.ws.close()


# --------------------------------------------------------------------------- fixtures
class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output to the results
        pass


@pytest.fixture(scope="session")
def site():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built site at {HTML.relative_to(ROOT)}: run `make book` first")
    shutil.rmtree(SHOTS, ignore_errors=True)  # screenshots of this run only
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    profile = tempfile.mkdtemp(prefix="book-chromium-")
    proc = subprocess.Popen([chromium(), *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    port_file = Path(profile) / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            err = proc.stderr.read().decode(errors="replace")[-2000:]
            pytest.fail(f"Chromium did not start (exit {proc.poll()}):\n{err}")
        time.sleep(0.2)
    port, path = port_file.read_text().splitlines()[:2]
    tools = DevTools(f"ws://127.0.0.1:{port}{path}")
    yield tools
    tools.close()
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(profile, ignore_errors=True)


CHECKS_JS = r"""
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const imgs = Array.from(document.querySelectorAll('main img, article img'));
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  const main = document.querySelector('main') || document.body;
  const math = Array.from(main.querySelectorAll('.math'));
  const details = Array.from(main.querySelectorAll('details'));
  const prose = main.cloneNode(true);  // the text outside code and outputs, where math would be
  prose.querySelectorAll('pre, code, .highlight, mjx-container').forEach(e => e.remove());
  const sol = details.filter(d => (d.querySelector('summary') || {}).textContent?.includes('Show solution'));
  return {
    title: document.title,
    mathjax: !!(window.MathJax && MathJax.version),
    mathjaxVersion: window.MathJax ? MathJax.version : null,
    mathNodes: math.length,
    unrendered: math.filter(m => !m.querySelector('mjx-container')).length,
    mjx: main.querySelectorAll('mjx-container').length,
    mjxErrors: main.querySelectorAll('mjx-merror').length,
    rawDollars: prose.textContent.includes('$$'),
    images: imgs.map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0})),
    solutions: sol.length,
    solutionsOpen: sol.filter(d => d.open).length,
  };
})()
"""

# the layout: header bands, sidebar toggles, math nodes wider than their box, wide figures
LAYOUT_JS = r"""
(async () => {
  for (let i = 0; i < 100 && document.documentElement.dataset.courseLayout !== 'done'; i++) {
    await new Promise(r => setTimeout(r, 100));  // course.js marks wide math once MathJax has typeset
  }
  const visible = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'
                       && e.getBoundingClientRect().height > 0;
  const headers = Array.from(document.querySelectorAll('header, .bd-header, .bd-header-article'))
                       .filter(visible).map(h => h.id || h.className);
  // a math node is cut when its box clips it (overflow hidden, content wider by more than a glyph's
  // overhang), or when it runs past the right edge of the article without a scroll box
  const article = (document.querySelector('article') || document.body).getBoundingClientRect();
  const cut = Array.from(document.querySelectorAll('main span.math, main div.math')).filter(m => {
    const inner = m.querySelector('mjx-container');
    if (!inner || !visible(m) || m.closest('.prev-next-area, .prev-next-footer, footer')) return false;
    const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
    const box = scrolls(inner) ? inner : scrolls(m) ? m : null;  // display math: MathJax's box scrolls
    const clipped = !box && ['hidden', 'clip'].includes(getComputedStyle(m).overflowX)
                    && inner.scrollWidth > m.clientWidth + 2;
    return clipped || (box || inner).getBoundingClientRect().right > article.right + 2;
  }).map(m => m.textContent.slice(0, 60));
  const wide = Array.from(document.querySelectorAll('main .cell_output img'))
                    .filter(i => i.naturalWidth > i.clientWidth + 2).length;
  return {headerBands: headers, searchBoxes: Array.from(document.querySelectorAll('.search-button, form.bd-search'))
          .filter(visible).length, mathCut: cut, wideFigures: wide,
          pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
          courseLayout: document.documentElement.dataset.courseLayout === 'done'};
})()
"""

# click the visible primary (navigation) toggle; report what the reader then sees
OPEN_NAV_JS = r"""
(async () => {
  const visible = e => {  // laid out, not hidden, and on the screen (an off-canvas sidebar is not seen)
    if (!e || e.getClientRects().length === 0 || getComputedStyle(e).visibility === 'hidden') return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > 0 && r.left < window.innerWidth;
  };
  window.scrollTo(0, 0);
  const here = location.pathname.split('/').pop().replace('.html', '');
  const toggle = Array.from(document.querySelectorAll('.primary-toggle')).find(visible);
  if (!toggle) return {toggle: false};
  const links = () => {
    const dialog = document.querySelector('#pst-primary-sidebar-modal');
    const root = dialog && dialog.open ? dialog : document.querySelector('#pst-primary-sidebar');
    return Array.from(root ? root.querySelectorAll('a[href]') : []).filter(visible)
      .map(a => a.getAttribute('href').split('#')[0].split('/').pop().replace('.html', '') || here);
  };
  const before = links();
  toggle.click();
  await new Promise(r => setTimeout(r, 400));
  const dialog = document.querySelector('#pst-primary-sidebar-modal');
  return {toggle: true, before, after: links(), dialogOpen: !!(dialog && dialog.open)};
})()
"""

# tap the first figure wider than its box; report its width before and after, and whether its box scrolls
ZOOM_FIGURE_JS = r"""
(async () => {
  const img = Array.from(document.querySelectorAll('main .cell_output img'))
                   .find(i => i.naturalWidth > i.clientWidth + 2);
  if (!img) return null;
  img.scrollIntoView({block: 'center'});
  const before = img.clientWidth;
  img.click();
  await new Promise(r => setTimeout(r, 300));
  const box = img.parentElement;
  return {natural: img.naturalWidth, before, after: img.clientWidth, boxScrolls: box.scrollWidth > box.clientWidth,
          hint: getComputedStyle(box.querySelector('.fig-hint') || img).display !== 'none'};
})()
"""

SCROLL_TO_FIGURE_JS = r"""
(() => {
  const i = document.querySelector('main img[src*="_images/"]');
  if (!i) return false;
  i.scrollIntoView({block: 'center'});
  return true;
})()
"""


def visit(browser: DevTools, url: str, shot: Path, screen: dict = DESKTOP,
          then=None) -> tuple[dict, list[str], list[str]]:
    """Open ``url`` in a fresh tab of size ``screen``; return the page checks, the console errors and
    the external requests. ``then(browser, session, checks)`` runs more checks in the open page."""
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session)
        browser.send("Emulation.setDeviceMetricsOverride", session, **screen)
        if os.environ.get("BOOK_WITHOUT_FIXES"):  # for testing the test: the theme as it comes
            browser.send("Network.setBlockedURLs", session, urls=["*/_static/course.css*", "*/_static/course.js*"])
        if screen["mobile"]:
            browser.send("Emulation.setTouchEmulationEnabled", session, enabled=True)
        start = len(browser.events)
        browser.send("Page.navigate", session, url=url)
        browser.wait_for("Page.loadEventFired", session)
        checks = browser.evaluate(session, CHECKS_JS)
        checks.update(browser.evaluate(session, LAYOUT_JS))
        time.sleep(0.3)  # let late console messages arrive
        shot.parent.mkdir(parents=True, exist_ok=True)
        png = browser.send("Page.captureScreenshot", session, format="png")["data"]
        shot.write_bytes(base64.b64decode(png))
        if browser.evaluate(session, SCROLL_TO_FIGURE_JS):
            time.sleep(0.3)
            png = browser.send("Page.captureScreenshot", session, format="png")["data"]
            shot.with_name(shot.stem + "-figure.png").write_bytes(base64.b64decode(png))
        if then is not None:
            then(browser, session, checks)
        errors, external = [], []
        for ev in browser.events[start:]:
            if ev.get("sessionId") != session:
                continue
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = (str(a.get("value", a.get("description", ""))) for a in params["args"])
                errors.append("console: " + " ".join(args))
            elif method == "Runtime.exceptionThrown":
                d = params["exceptionDetails"]
                errors.append(f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent":
                req = params["request"]["url"]
                if not req.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
                    external.append(req)
        return checks, errors, external
    finally:
        browser.send("Target.closeTarget", targetId=target)


# --------------------------------------------------------------------------- tests
def test_the_book_lists_every_lecture():
    """The built site has one page per notebooks/NN_topic.ipynb (else the build is stale)."""
    assert lecture_notebooks(), "no notebooks/NN_topic.ipynb"
    missing = [nb.stem for nb in lecture_notebooks() if not (HTML / "lectures" / f"{nb.stem}.html").exists()]
    assert not missing, f"lectures missing from the built site (run `make book`): {missing}"


@pytest.mark.parametrize("page", ["intro", "how_to_use"])
def test_front_pages(site, browser, page):
    checks, errors, external = visit(browser, f"{site}/{page}.html", SHOTS / f"{page}.png")
    assert checks["title"].strip(), "page without a title"
    assert checks["unrendered"] == 0 and not checks["rawDollars"], "math left untypeset"
    assert all(i["ok"] for i in checks["images"]), f"images that do not load: {checks['images']}"
    assert not errors, "console errors:\n" + "\n".join(errors)
    assert not external, f"requests that leave localhost: {external}"


@pytest.mark.parametrize("ipynb", lecture_notebooks(), ids=lambda p: p.stem)
def test_lecture_page(site, browser, ipynb):
    page = HTML / "lectures" / f"{ipynb.stem}.html"
    assert page.exists(), f"{page.relative_to(ROOT)} not built: run `make book`"
    url = f"{site}/lectures/{ipynb.stem}.html"
    checks, errors, external = visit(browser, url, SHOTS / f"{ipynb.stem}.png")
    title = lecture_title(ipynb)
    assert title_found(title, checks["title"]), f"page title {checks['title']!r} lacks the lecture title {title!r}"
    # math: MathJax from the build, every math node typeset, nothing left raw
    assert checks["mathjax"], "MathJax did not load (it is served from <html>/mathjax)"
    assert checks["mathNodes"] > 0 and checks["mjx"] > 0, "no rendered math on the page"
    assert checks["unrendered"] == 0, f"{checks['unrendered']} math nodes left untypeset"
    assert checks["mjxErrors"] == 0, f"{checks['mjxErrors']} MathJax errors (bad TeX)"
    assert not checks["rawDollars"], "raw $$ left in the page text"
    # figures: at least one stored figure, and every image loads
    figures = [i for i in checks["images"] if "_images/" in (i["src"] or "")]
    assert figures, "no figure image on the page"
    broken = [i["src"] for i in checks["images"] if not i["ok"]]
    assert not broken, f"images that do not load: {broken}"
    # solutions folded
    assert checks["solutions"] >= solution_count(ipynb), (
        f"{solution_count(ipynb)} solution cells, {checks['solutions']} folded 'Show solution' blocks")
    assert checks["solutionsOpen"] == 0, "a solution is unfolded on load"
    assert not errors, "console errors:\n" + "\n".join(errors)
    assert not external, f"requests that leave localhost: {external}"


# --------------------------------------------------------------------------- phone and desktop
def shoot(browser: DevTools, session: str, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    png = browser.send("Page.captureScreenshot", session, format="png")["data"]
    path.write_bytes(base64.b64decode(png))


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone-390", "desktop-1280"])
def test_navigation_opens_and_lists_every_lecture(site, browser, screen):
    lectures = {nb.stem for nb in lecture_notebooks()}
    first = lecture_notebooks()[0].stem
    seen = {}

    def open_nav(browser, session, checks):
        seen.update(browser.evaluate(session, OPEN_NAV_JS))
        name = "phone-nav-open.png" if screen["mobile"] else "desktop-nav.png"
        if screen["mobile"]:
            shoot(browser, session, SHOTS / name)
        else:  # on a desktop the toggle hides the open sidebar: a second click shows it again
            shoot(browser, session, SHOTS / "desktop-nav-hidden.png")
            seen["reopened"] = browser.evaluate(session, OPEN_NAV_JS)["after"]
            shoot(browser, session, SHOTS / name)

    tag = "phone" if screen["mobile"] else "desktop"
    checks, errors, _ = visit(browser, f"{site}/lectures/{first}.html", SHOTS / f"nav-{tag}.png", screen, open_nav)
    assert seen.get("toggle"), "no visible navigation toggle"
    if screen["mobile"]:
        assert not seen["before"], "the navigation covers the page before it is opened"
        assert seen["dialogOpen"], "tapping the navigation toggle opened nothing"
        assert set(seen["after"]) >= lectures, f"the open navigation lacks {sorted(lectures - set(seen['after']))}"
    else:
        assert set(seen["before"]) >= lectures, f"the sidebar lacks {sorted(lectures - set(seen['before']))}"
        assert not seen["after"], "the toggle did not hide the sidebar"
        assert set(seen["reopened"]) >= lectures, "the toggle did not show the sidebar again"
    assert len(checks["headerBands"]) == 1, f"header bands: {checks['headerBands']} (one expected)"
    assert checks["searchBoxes"] <= 1, f"{checks['searchBoxes']} search boxes in view"
    assert not errors, "console errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("ipynb", lecture_notebooks(), ids=lambda p: p.stem)
def test_lecture_on_a_phone(site, browser, ipynb):
    """At 390 px: no math cut off, nothing wider than the screen, wide figures enlarge on a tap."""
    zoom = {}

    def tap_figure(browser, session, checks):
        zoom.update(browser.evaluate(session, ZOOM_FIGURE_JS) or {})
        if zoom and ipynb.stem.startswith("11"):
            shoot(browser, session, SHOTS / "phone-figure-zoomed.png")

    checks, errors, _ = visit(browser, f"{site}/lectures/{ipynb.stem}.html", SHOTS / f"{ipynb.stem}-phone.png",
                              PHONE, tap_figure)
    assert not checks["mathCut"], f"math wider than its box and not scrollable: {checks['mathCut'][:3]}"
    assert checks["pageWidth"] <= checks["viewport"], (
        f"the page is {checks['pageWidth']} px wide on a {checks['viewport']} px screen")
    if zoom:  # a figure wider than the phone: a tap shows it at full size, in a box that scrolls
        assert zoom["after"] >= zoom["natural"] - 1 > zoom["before"], f"the tapped figure did not enlarge: {zoom}"
        assert zoom["boxScrolls"] and zoom["hint"], f"the enlarged figure cannot be scrolled, or no hint: {zoom}"
    assert not errors, "console errors:\n" + "\n".join(errors)


def test_no_placeholder_or_notes_path_in_the_site():
    """No OWNER/... placeholder and no path into the authors' notes folder (not in the repository)."""
    dead = re.compile(r"\bOWNER\b|<owner>|&lt;owner&gt;|\bshared/")
    pages = sorted(HTML.rglob("*.html"))
    assert pages, "no built site: run `make book`"
    found = [f"{p.relative_to(HTML)}: ...{m.string[max(0, m.start() - 40):m.end() + 40]}..."
             for p in pages for m in [dead.search(p.read_text(errors="replace"))] if m]
    assert not found, "dead links or placeholders:\n" + "\n".join(found[:10])
