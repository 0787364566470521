"""The one script Kilde adds to its pages: «Kopier kilde» copies the button's data-citation.

It also keeps `<html lang="nb">` (Gradio sets the attribute to the browser's language, and has no
option for it; every word of Kilde's pages is Norwegian, so screen readers must read them as such),
and on a narrow screen (a phone) scrolls to the results when they arrive, since there the form
above them fills the first screen. Inside a frame (the widget's iframe snippet) it reports the
page's height to the host page, `{"kilde": "height", "height": px}` by postMessage, so the snippet
can size the frame and the host page scrolls, not the frame.

gr.HTML does not run scripts inside the cards, so a single click listener on the document,
passed as the `js` of the mounted Gradio apps, serves every card present and future. It uses
the asynchronous clipboard API where the page may (HTTPS or localhost), else a hidden textarea
and `document.execCommand("copy")`, which plain-HTTP pages and some iframes still allow. The
button's own data-copied text confirms the copy for two seconds.
"""

from __future__ import annotations

# In the page's <head> (`mount_gradio_app(head=…)`), so the attribute is Norwegian from the first
# paint: as part of COPY_SCRIPT it was set only once Gradio had loaded, after the page's text showed.
LANG_HEAD = """<script>(() => {
  const root = document.documentElement;
  root.lang = "nb";
  new MutationObserver(() => { if (root.lang !== "nb") root.lang = "nb"; })
    .observe(root, { attributes: true, attributeFilter: ["lang"] });
})();</script>"""

COPY_SCRIPT = """
() => {
  if (window.kildeCopyListener) return;
  window.kildeCopyListener = true;
  new MutationObserver((changes) => {
    if (window.innerWidth > 640) return;
    for (const change of changes) {
      const shown = [...change.addedNodes].find((n) => n.nodeType === 1 &&
        (n.matches(".kilde-results, .kilde-message") || n.querySelector?.(".kilde-results, .kilde-message")));
      if (shown) {
        const target = shown.matches(".kilde-results, .kilde-message") ? shown : shown.querySelector(".kilde-results, .kilde-message");
        if (target.getBoundingClientRect().top > window.innerHeight * 0.5) target.scrollIntoView({ block: "start" });
        return;
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
  if (window.parent !== window) {
    let last = 0;
    const report = () => {
      const app = document.querySelector("gradio-app") || document.body;
      const height = Math.ceil(app.getBoundingClientRect().height);
      if (height && height !== last) {
        last = height;
        window.parent.postMessage({ kilde: "height", height }, "*");
      }
    };
    new ResizeObserver(report).observe(document.body);
    report();
  }
  const fallback = (text) => {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  };
  document.addEventListener("click", async (event) => {
    const button = event.composedPath().find((el) => el.classList && el.classList.contains("kilde-copy"));
    if (!button) return;
    const text = button.dataset.citation;
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch (error) {
      copied = fallback(text);
    }
    if (copied && !button.dataset.label) {
      button.dataset.label = button.textContent;
      button.textContent = button.dataset.copied;
      setTimeout(() => { button.textContent = button.dataset.label; delete button.dataset.label; }, 2000);
    }
  });
}
"""
