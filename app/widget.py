"""The widget at /widget: the search alone, small enough to live inside another site's page.

A second Gradio app beside the full interface, so an embed gets neither the examples, the slider
nor the navigation. Light or dark theme comes from Gradio's own `?__theme=` parameter (or the
`theme_mode` attribute of `<gradio-app>`).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse

from kilde.index.library import Library

from . import texts
from .ui import SEARCH_CONCURRENCY, answer, gr

WIDGET_PATH = "/widget"
SCRIPT_PATH = "/gradio.js"
MAIN_APP = "../"  # from /widget/, where its permalinks open (in a new tab)
# Gradio's web-component entry point, as its CDN serves it: `import("./assets/index-<hash>.js")`.
_GRADIO_JS = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"

# Down to 320 px: no side padding to spare, cards as wide as the frame, long words may break.
WIDGET_CSS = """
.gradio-container { padding: 0 !important; min-width: 0 !important; }
.gradio-container .main.fillable { padding: 0.5rem !important; }
#kilde-widget-results .kilde-hit { padding: 0.7rem 0.8rem; overflow-wrap: anywhere; }
#kilde-widget-results h3 { font-size: 1rem; margin: 0 0 0.4rem 0; }
.kilde-widget-footer { margin: 0.3rem 0 0 0; font-size: 0.8rem; color: var(--body-text-color, #1f2328); }
"""


def build_widget(library: Library) -> gr.Blocks:
    with gr.Blocks(title=texts.APP_TITLE, analytics_enabled=False, fill_width=True) as widget:
        question = gr.Textbox(label=texts.WIDGET_QUESTION_LABEL, placeholder=texts.WIDGET_PLACEHOLDER,
                              submit_btn=texts.SEARCH_BUTTON, elem_id="kilde-widget-question")
        results = gr.HTML(elem_id="kilde-widget-results")
        titles = ", ".join(f"«{info.title}»" for info in library.infos())
        gr.HTML(f'<p class="kilde-widget-footer">{escape(texts.WIDGET_SEARCHES_IN.format(documents=titles))}</p>',
                elem_id="kilde-widget-footer")

        def search(question_text: str) -> str:
            return answer(library, question_text, texts.WIDGET_HITS, link_base=MAIN_APP)

        # Private: the widget's page may call it, the API lists only the main app's `search`.
        question.submit(search, inputs=question, outputs=results, api_visibility="private",
                        concurrency_limit=SEARCH_CONCURRENCY)
    return widget


def web_component_script() -> FileResponse:
    """Gradio's gradio.js from this server, so `<gradio-app>` needs no CDN. Served at /gradio.js, its
    import resolves to Gradio's own /assets/ route, and embedders keep one URL across Gradio upgrades.
    It is a public static file, so any site may load it (a module script needs CORS)."""
    return FileResponse(_GRADIO_JS, media_type="text/javascript", headers={"Access-Control-Allow-Origin": "*"})


def widget_redirect(request: Request) -> RedirectResponse:
    """/widget without the slash: to /widget/ (Gradio's mount answers only there), query kept."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{WIDGET_PATH}/{query}", status_code=307)
