// The course book on a phone and on a desktop (added by book/_ext/book_offline.py).
(() => {
  // Sidebar toggles. pydata-sphinx-theme 0.17 and sphinx-book-theme each bind only the first
  // .primary-toggle / .secondary-toggle of the page, the one in the top navbar that course.css
  // hides; the visible buttons in the article header did nothing. Forward their clicks to it.
  const forwardToggles = () => {
    for (const kind of ["primary", "secondary"]) {
      const [bound, ...others] = document.querySelectorAll(`.${kind}-toggle`);
      for (const button of others) {
        button.addEventListener("click", (event) => {
          event.preventDefault();
          event.stopPropagation();
          bound.click();
        });
      }
    }
  };

  // Wide figures: a tap shows them at full size (scrolling sideways), a second tap fits them again.
  const setUpFigure = (img) => {
    const box = img.parentElement;
    const hint = document.createElement("div");
    hint.className = "fig-hint";
    hint.textContent = "Tap the figure to see it at full size.";
    img.after(hint);
    const mark = () => {
      const zoomed = box.classList.contains("fig-zoomed");
      const wide = img.naturalWidth > img.clientWidth + 2;
      img.classList.toggle("fig-zoomable", wide && !zoomed);
      hint.classList.toggle("fig-hint-on", wide || zoomed);
      img.title = zoomed ? "Tap to fit the page" : wide ? "Tap to see at full size" : "";
    };
    img.addEventListener("click", () => {
      if (img.classList.contains("fig-zoomable") || box.classList.contains("fig-zoomed")) {
        box.classList.toggle("fig-zoomed");
        mark();
      }
    });
    if (img.complete) mark(); else img.addEventListener("load", mark);
    window.addEventListener("resize", mark);
  };

  // Inline formulas wider than their paragraph scroll sideways (course.css); run once MathJax
  // has typeset the page, and again when the window changes size.
  const markWideMath = () => {
    document.querySelectorAll("span.math").forEach((m) => {
      const inner = m.querySelector("mjx-container");
      const block = m.closest("p, li, td, dd, div") || m.parentElement;
      if (!inner || !block) return;
      m.classList.toggle("math-wide", inner.getBoundingClientRect().width > block.clientWidth);
    });
  };

  // MathJax loads after this script: wait for it to start, then for its first typesetting.
  const whenTypeset = async () => {
    for (let i = 0; i < 300 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  };

  const ready = () => {
    forwardToggles();
    document.querySelectorAll(".cell_output img").forEach(setUpFigure);
    whenTypeset().then(() => {
      markWideMath();
      document.documentElement.dataset.courseLayout = "done";  // book/test_site.py waits for this
    });
    window.addEventListener("resize", markWideMath);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
