"""The one script Kilde adds to its pages: «Kopier kilde» copies the button's data-citation.

gr.HTML does not run scripts inside the cards, so a single click listener on the document,
passed as the `js` of the mounted Gradio apps, serves every card present and future. It uses
the asynchronous clipboard API where the page may (HTTPS or localhost), else a hidden textarea
and `document.execCommand("copy")`, which plain-HTTP pages and some iframes still allow. The
button's own data-copied text confirms the copy for two seconds.
"""

from __future__ import annotations

COPY_SCRIPT = """
() => {
  if (window.kildeCopyListener) return;
  window.kildeCopyListener = true;
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
