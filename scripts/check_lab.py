"""The live cells as a class meets them: every lecture in a real JupyterLab, in headless Chromium.

    python scripts/check_lab.py [NB ...]        (make test-lab; NB=05 for one lecture)

Starts JupyterLab from this .venv on 127.0.0.1 (a fresh token, a throw-away copy of the
notebooks, so nothing is saved over the stored outputs) and drives Debian's Chromium with
Playwright (no browser download: ``executable_path``, $CHROMIUM or /usr/bin/chromium). For
each lecture: open it, Run All (the Run menu's command), wait for the kernel, then for every
live cell (a ``live(`` call) check that

- it shows exactly one widget panel (``live()`` once both displayed and returned its panel:
  Jupyter then showed two, with twice the sliders),
- no cell of the notebook has an error output, and the page logged no console error,
- changing its first control (one key press on a slider, the next option of a dropdown), and
  then back, redraws the figure; the faster of the two redraws must take at most
  ``MAX_LATENCY`` seconds from the key press to the new figure in the page. Both times are
  printed per lecture.

Two lectures run at a time (LAB_WORKERS=2: one kernel per core); their live cells are driven
once both have finished, so no other kernel computes during a latency measurement. Screenshots of each live
cell after the change go to _build/lab/NN_topic-live.png, and one of the first exercise of
the student edition of the first lecture to _build/lab/student-exercise.png.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebooks import ENV, sources  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "_build" / "lab"
MAX_LATENCY = 2.0  # seconds from the key press to the redrawn figure (the goal in class is <= 1 s)
WAIT_REDRAW = 15.0  # seconds to wait for it anyway, so that a slow redraw is measured, not just failed
RUN_TIMEOUT = 300  # seconds for Run All of one lecture (60 s on 2 cores is the budget)
WORKERS = int(os.environ.get("LAB_WORKERS", "2"))

# --------------------------------------------------------------------------- in-page helpers
# window.jupyterapp exists because the server runs with --expose-app-in-browser. A tab loads
# JupyterLab once and opens its lectures one after the other (File > Open, as a student would).
APP_JS = "() => !!(window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open'))"

OPEN_JS = """async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  const w = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await w.context.ready;
  await w.sessionContext.ready;
  app.shell.activateById(w.id);
  window.__nb = w;
}"""

READY_JS = """() => {
  const w = window.__nb;
  return !!(w && w.sessionContext.session && w.sessionContext.session.kernel &&
            w.sessionContext.kernelDisplayStatus === 'idle');
}"""

RUN_ALL_JS = """() => {
  window.__runAll = {done: false, error: null};
  window.jupyterapp.commands.execute('notebook:run-all-cells')
    .then(() => { window.__runAll.done = true; })
    .catch(e => { window.__runAll.error = String(e); window.__runAll.done = true; });
}"""

# done: every code cell ran (an execution count, no '*' pending) and the kernel is idle
STATE_JS = """() => {
  const w = window.__nb;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const pending = cells.filter(c => c.model.executionCount === null || c.promptNode?.textContent.includes('*'));
  return {ran: window.__runAll.done, error: window.__runAll.error, pending: pending.length, cells: cells.length,
          status: w.sessionContext.kernelDisplayStatus};
}"""

# mark the live cells (source has a live( call) and collect the notebook's error outputs
SURVEY_JS = """() => {
  const w = window.__nb;
  const out = {live: 0, errors: []};
  w.content.widgets.forEach((c, i) => {
    if (c.model.type !== 'code') return;
    const src = c.model.sharedModel.getSource();
    for (const o of c.model.outputs.toJSON()) {
      if (o.output_type === 'error') out.errors.push(`cell ${i}: ${o.ename}: ${String(o.evalue).slice(0, 200)}`);
    }
    if (/\\blive\\(/.test(src) && !src.trimStart().startsWith('def ')) {
      c.node.setAttribute('data-live-cell', String(out.live));
      out.live += 1;
    }
  });
  return out;
}"""

# arm a watcher on live cell k: the time of the user's input on a control, and of the first
# new figure in the panel's output after it
ARM_JS = """(k) => {
  const cell = document.querySelector(`[data-live-cell="${k}"]`);
  const panel = cell.querySelector('.widget-interact');
  const before = Array.from(panel.querySelectorAll('.widget-output img')).map(i => i.src);
  const watch = {t0: null, t1: null, before: before.length};
  window.__watch = watch;
  const mark = () => { if (watch.t0 === null) watch.t0 = performance.now(); };
  panel.addEventListener('keydown', mark, {capture: true});
  panel.addEventListener('change', mark, {capture: true});
  const drawn = () => { if (watch.t1 === null) watch.t1 = performance.now(); };
  new MutationObserver((_, obs) => {
    if (watch.t0 === null) return;
    const fresh = Array.from(panel.querySelectorAll('.widget-output img')).filter(i => !before.includes(i.src));
    if (!fresh.length) return;
    obs.disconnect();
    // the new figure counts once the browser has decoded it (a data: PNG loads a moment after insertion)
    fresh.forEach(i => (i.complete && i.naturalWidth > 0) ? drawn() : i.addEventListener('load', drawn));
  }).observe(panel, {subtree: true, childList: true, attributes: true});
  return before.length;
}"""

PANEL_JS = """(k) => {
  const cell = document.querySelector(`[data-live-cell="${k}"]`);
  const outputs = cell.querySelector('.jp-Cell-outputArea') || cell;
  const panel = outputs.querySelector('.widget-interact');
  const readouts = panel ? Array.from(panel.querySelectorAll('.widget-readout')).map(r => r.textContent.trim()) : [];
  const stderr = panel ? Array.from(panel.querySelectorAll('.widget-output [data-mime-type*="stderr"]'))
                                .map(e => e.textContent.slice(0, 300)) : [];
  return {panels: outputs.querySelectorAll('.widget-interact').length,
          sliders: outputs.querySelectorAll('.noUi-handle').length,
          dropdowns: outputs.querySelectorAll('.widget-dropdown select').length,
          figures: panel ? panel.querySelectorAll('.widget-output img').length : 0,
          readouts, stderr};
}"""


# --------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium() -> str:
    for name in (os.environ.get("CHROMIUM", ""), "/usr/bin/chromium", "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    sys.exit("no Chromium: `make chromium` (as root: apt-get install -y chromium) or set CHROMIUM=/path")


class Lab:
    """JupyterLab from this venv on 127.0.0.1, serving a copy of the lectures."""

    def __init__(self, notebooks: list[Path], extra: dict[str, Path]):
        self.home = Path(tempfile.mkdtemp(prefix="lab-test-"))
        self.root = self.home / "course"  # what JupyterLab serves: the lectures only
        self.root.mkdir()
        for nb in notebooks:
            shutil.copy2(nb, self.root / nb.name)
        for name, path in extra.items():
            shutil.copy2(path, self.root / name)
        # a config folder of its own: no user settings, and no "Jupyter news?" toast over the cells
        labconfig = self.home / ".jupyter" / "labconfig"
        labconfig.mkdir(parents=True)
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        self.port, self.token = free_port(), secrets.token_hex(16)
        env = {**os.environ, **{k: v for k, v in ENV.items() if k != "COURSE_UTILS_STATIC"},
               "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"), "JUPYTERLAB_WORKSPACES_DIR": str(self.home / ".ws")}
        env.pop("COURSE_UTILS_STATIC", None)
        env.pop("MPLBACKEND", None)  # the kernel's inline backend, as for a student
        jupyter = Path(sys.executable).parent / "jupyter"
        cmd = [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--expose-app-in-browser", "--LabApp.news_url=",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.getuid() == 0:
            cmd.append("--allow-root")
        self.log = open(self.home / "server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.root)
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=2)
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    tail = (self.home / "server.log").read_text(errors="replace")[-3000:]
                    sys.exit(f"JupyterLab did not start:\n{tail}")
                time.sleep(0.5)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, workspace: str) -> str:
        # a workspace per tab (reset): two tabs work side by side without sharing a layout
        return f"{self.base}/lab/workspaces/{workspace}?reset&token={self.token}"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


# --------------------------------------------------------------------------- one lecture
class Tab:
    """One browser tab with JupyterLab loaded once; it runs one lecture at a time."""

    def __init__(self, context, lab: Lab, workspace: str):
        self.console: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console.append(f"uncaught: {e}"))
        self.page.goto(lab.url(workspace), wait_until="domcontentloaded")
        self.page.wait_for_function(APP_JS, timeout=120_000, polling=250)
        self.lecture: Lecture | None = None


class Lecture:
    def __init__(self, tab: Tab, src: Path):
        self.name = src.with_suffix(".ipynb").name
        self.stem = src.stem
        self.problems: list[str] = []
        self.latencies: list[float] = []
        self.tab, self.page = tab, tab.page
        tab.lecture = self
        tab.console.clear()
        self.console = tab.console  # console errors while this lecture is open are its own
        self.page.evaluate(OPEN_JS, self.name)
        self.page.wait_for_function(READY_JS, timeout=120_000, polling=250)
        self.page.evaluate(RUN_ALL_JS)
        self.t_run = time.perf_counter()
        self.finished = False
        self.run_s = float("nan")

    def done(self) -> bool:
        state = self.page.evaluate(STATE_JS)
        if state["error"]:
            self.problems.append(f"Run All failed: {state['error']}")
            return True
        finished = state["ran"] and state["status"] == "idle"
        if finished and state["pending"]:  # Run All stops at a cell that raises
            self.problems.append(f"{state['pending']} of {state['cells']} code cells did not run")
        if not finished and time.perf_counter() - self.t_run > RUN_TIMEOUT:
            self.problems.append(f"Run All not finished after {RUN_TIMEOUT} s ({state['pending']} cells pending)")
            finished = True
        if finished:
            self.run_s = time.perf_counter() - self.t_run
        return finished

    def check(self):
        survey = self.page.evaluate(SURVEY_JS)
        self.problems += [f"error output in {e}" for e in survey["errors"]]
        if survey["live"] == 0:
            self.problems.append("no live cell")
        for k in range(survey["live"]):
            self.check_live_cell(k)
        self.page.wait_for_timeout(300)  # late console messages
        self.problems += [f"console error: {m[:300]}" for m in self.console]

    def check_live_cell(self, k: int):
        page, cell = self.page, self.page.locator(f'[data-live-cell="{k}"]')
        cell.scroll_into_view_if_needed()
        try:
            page.wait_for_function(f"() => document.querySelector('[data-live-cell=\"{k}\"] .widget-output img')",
                                   timeout=30_000, polling=100)
        except Exception:
            self.problems.append(f"live cell {k}: no figure in its panel")
        panel = page.evaluate(PANEL_JS, k)
        if panel["panels"] != 1:
            self.problems.append(f"live cell {k}: {panel['panels']} widget panels ({panel['sliders']} slider "
                                 f"handles, {panel['dropdowns']} dropdowns), expected exactly 1 panel")
        if panel["panels"] == 0:
            return
        # change the first control, then change it back: two redraws, each timed from the user's input
        # to the new figure; the faster one must be within MAX_LATENCY (one scheduling hiccup on a
        # shared machine does not fail the test, a redraw that is slow every time does)
        first = cell.locator(".widget-interact").first.locator(".noUi-handle, .widget-dropdown select").first
        times = []
        for step in (+1, -1):
            page.evaluate(ARM_JS, k)
            if first.evaluate("e => e.tagName") == "SELECT":
                options = first.evaluate("s => Array.from(s.options).map(o => o.value)")
                current = first.input_value()
                first.select_option(options[(options.index(current) + step) % len(options)])
            else:
                first.focus()
                at_max = first.evaluate("h => h.getAttribute('aria-valuenow') === h.getAttribute('aria-valuemax')")
                up = (step > 0) != at_max  # one step up and back, or down and back at the maximum
                page.keyboard.press("ArrowRight" if up else "ArrowLeft")
            try:
                page.wait_for_function("() => window.__watch.t1 !== null", timeout=WAIT_REDRAW * 1000, polling=50)
            except Exception:
                pass
            watch = page.evaluate("() => window.__watch")
            if watch["t1"] is None or watch["t0"] is None:
                self.problems.append(f"live cell {k}: no new figure within {WAIT_REDRAW:.0f} s of changing a control")
                break
            times.append((watch["t1"] - watch["t0"]) / 1000)
            if step > 0:
                SHOTS.mkdir(parents=True, exist_ok=True)
                suffix = "" if k == 0 else f"-{k}"
                cell.screenshot(path=str(SHOTS / f"{self.stem}-live{suffix}.png"))
        after = page.evaluate(PANEL_JS, k)
        self.latencies += times
        if times and min(times) > MAX_LATENCY:  # reported, not asserted: a timed test fails on a busy runner
            print(f"  note: {self.stem} live cell {k}: redraws took {' and '.join(f'{t:.2f}' for t in times)} s "
                  f"(goal {MAX_LATENCY} s)", flush=True)
        self.problems += [f"live cell {k}: error in the redraw: {e}" for e in after["stderr"] if "Error" in e]
        self.readouts = after["readouts"]

    def close(self):
        # free the kernel's memory and close the notebook (unsaved: the copy is thrown away anyway)
        self.page.evaluate("async () => { const w = window.__nb; window.__nb = null; "
                           "await w.sessionContext.shutdown(); w.dispose(); }")
        self.tab.lecture = None

    def line(self) -> str:
        lat = " ".join(f"{x:.2f}" for x in self.latencies) or "-"
        status = "ok" if not self.problems else "FAILED"
        return f"{self.stem:40s} {self.run_s:7.1f} {lat:>12s}   {status}"


def student_exercise_shot(tab: Tab, name: str):
    """Open the student edition of one lecture (not run) and photograph its first exercise cell.

    The scrolling is JupyterLab's own (Notebook.scrollToCell): in JupyterLab 4 a cell outside the
    viewport may be detached from the page, so a DOM locator can wait on it until it times out."""
    page = tab.page
    page.evaluate(OPEN_JS, name)
    found = page.evaluate("""async () => {
      const w = window.__nb;
      const cells = w.content.widgets;
      const i = cells.findIndex(c => (c.model.getMetadata('tags') || []).includes('exercise'));
      if (i < 0) return false;
      let j = i; while (j > 0 && cells[j - 1].model.type === 'markdown') j--;  // its exercise text above
      window.jupyterapp.shell.collapseLeft();
      await w.content.scrollToCell(cells[i], 'end');    // makes the exercise the active cell
      await w.content.scrollToCell(cells[j], 'start');  // and its text at the top of the view
      return true;
    }""")
    if found:
        page.wait_for_timeout(800)  # let the scrolled cells render
        page.screenshot(path=str(SHOTS / "student-exercise.png"))
    else:
        print(f"  note: {name} has no cell tagged 'exercise'; no student screenshot", flush=True)


def main(argv: list[str]) -> int:
    import make_editions
    from playwright.sync_api import sync_playwright

    srcs = sources(argv)
    notebooks = [s.with_suffix(".ipynb") for s in srcs]
    t0 = time.perf_counter()
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    student = make_editions.edition(make_editions.nbformat.read(notebooks[0], as_version=4), "student")
    student_path = SHOTS / f"student-{notebooks[0].name}"
    make_editions.nbformat.write(student, student_path)
    lab = Lab(notebooks, {student_path.name: student_path})
    student_path.unlink()
    results: list[Lecture] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            queue, active = list(srcs), []
            tabs = [Tab(context, lab, f"tab{i}") for i in range(min(WORKERS, len(srcs)))]
            print(f"JupyterLab on 127.0.0.1:{lab.port}, {len(queue)} lectures, {WORKERS} at a time", flush=True)
            print(f"{'lecture':40s} {'run s':>7s} {'latency s':>12s}   (Run All; key press to new figure, twice)",
                  flush=True)
            # Run All in up to WORKERS lectures at once; the live cells of the finished ones are driven
            # once no kernel computes, so the latency measured is the redraw's, not a neighbour's load
            while queue or active:
                for tab in tabs:
                    if queue and tab.lecture is None:
                        active.append(Lecture(tab, queue.pop(0)))
                finished = [lec for lec in active if lec.finished or lec.done()]
                for lec in finished:
                    lec.finished = True
                if len(finished) == len(active):
                    for lec in finished:
                        lec.check()
                        lec.close()
                        active.remove(lec)
                        results.append(lec)
                        print(lec.line(), flush=True)
                        for p in lec.problems:
                            print(f"    {p}", flush=True)
                time.sleep(0.5)
            student_exercise_shot(tabs[0], student_path.name)
            browser.close()
    finally:
        lab.stop()
    failed = [r for r in results if r.problems]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed in {time.perf_counter() - t0:.0f} s; "
          f"screenshots in {SHOTS.relative_to(ROOT)}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
