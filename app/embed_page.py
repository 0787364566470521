"""The «Bygg inn» page: copyable snippets that put the widget on another site, and a preview.

The snippets carry this server's address as the visitor's browser sees it (filled in on the page,
so a reverse proxy's public name is right without configuration).
"""

from __future__ import annotations

import json

from . import texts
from .ui import gr
from .widget import SCRIPT_PATH, WIDGET_PATH

EMBED_PAGE_PATH = "/bygg-inn"
# The snippets as plain text: the code view's syntax colours are 1.6–2.8:1 on white (axe-core).
EMBED_CSS = """
#kilde-embed-iframe .cm-content *, #kilde-embed-component .cm-content * { color: var(--body-text-color) !important; }
"""
_SERVER = "KILDE_SERVER"  # replaced by the page's origin in the browser


def snippets(server: str) -> tuple[str, str]:
    """The iframe and the web-component snippet for a Kilde server at `server` (scheme://host[:port]).

    The iframe snippet's script takes the height the widget reports (postMessage, app/clipboard.py)
    from this server only, and sizes that frame to it, so the host page scrolls, not the frame."""
    iframe = (f'<iframe class="kilde-widget" src="{server}{WIDGET_PATH}/" title="{texts.APP_TITLE}"\n'
              '        style="width: 100%; max-width: 720px; height: 320px; border: 0;"></iframe>\n'
              '<script>\n'
              'window.addEventListener("message", (event) => {\n'
              f'  if (event.origin !== "{server}" || !event.data || event.data.kilde !== "height") return;\n'
              '  for (const frame of document.querySelectorAll("iframe.kilde-widget")) {\n'
              '    if (frame.contentWindow === event.source) frame.style.height = event.data.height + "px";\n'
              '  }\n'
              '});\n'
              '</script>')
    component = (f'<script type="module" src="{server}{SCRIPT_PATH}"></script>\n'
                 f'<gradio-app src="{server}{WIDGET_PATH}"></gradio-app>')
    return iframe, component


def add_embed_page(demo: gr.Blocks) -> None:
    """Add «Bygg inn» as a second page of the main app, with a navigation bar in Norwegian."""
    with demo:
        _navbar()
    with demo.route(texts.EMBED_PAGE_NAME, EMBED_PAGE_PATH):
        _navbar()
        gr.Markdown(texts.EMBED_INTRO)
        iframe = gr.Code(language="html", label=texts.EMBED_IFRAME_LABEL, interactive=False,
                         elem_id="kilde-embed-iframe")
        component = gr.Code(language="html", label=texts.EMBED_COMPONENT_LABEL, interactive=False,
                            elem_id="kilde-embed-component")
        gr.Markdown(texts.EMBED_SETTINGS)
        gr.Markdown(f"### {texts.EMBED_PREVIEW_LABEL}")
        gr.HTML(f'<iframe src="{WIDGET_PATH}/" title="{texts.EMBED_PREVIEW_LABEL}" style="width: 100%; max-width: 420px; '
                'height: 520px; border: 1px solid var(--border-color-primary); border-radius: 8px;"></iframe>')
        fill_in = f"() => {json.dumps(snippets(_SERVER))}.map(s => s.replaceAll({json.dumps(_SERVER)}, window.location.origin))"
        demo.load(None, None, [iframe, component], js=fill_in)


def _navbar() -> gr.Navbar:
    """One per page, or that page shows Gradio's default, which calls the main page "Home"."""
    return gr.Navbar(main_page_name=texts.NAVBAR_MAIN_PAGE)
