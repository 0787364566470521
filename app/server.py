"""One ASGI app for `kilde serve`: the HTTP API, the widget and the Gradio interface on FastAPI.

Order matters: routes and mounts match first-come, and the interface is mounted at "/", so the API,
the web-component script and the widget are registered before it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from importlib.metadata import version

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from kilde.index.library import Library

from . import api, texts
from .cards import CSS
from .clipboard import COPY_SCRIPT
from .embed_page import add_embed_page
from .limits import LimitedSearcher, SearchLimits, SearchSlots
from .ratelimit import DEFAULT_RATE_LIMIT, RateLimit
from .request_limits import RequestLimits, UploadLimits
from .security import Policy, secure
from .ui import build_ui, gr, theme
from .widget import SCRIPT_PATH, WIDGET_CSS, WIDGET_PATH, build_widget, web_component_script


def create_app(library: Library, policy: Policy = Policy(), rate_limit: str = DEFAULT_RATE_LIMIT,
               extend_ui: Callable[[gr.Blocks], None] | None = None, uploads: UploadLimits | None = None,
               search_limits: SearchLimits = SearchLimits(), search_slots: SearchSlots | None = None) -> FastAPI:
    """`extend_ui` adds pages to the interface (the upload page of `kilde serve --allow-upload`);
    `uploads` opens Gradio's upload route, within its limits (None: closed). Every interface
    searches through one `LimitedSearcher`, so they share `search_limits`."""
    searcher = LimitedSearcher(library, search_slots or SearchSlots(search_limits))
    # FastAPIOffline: /docs (Swagger UI) from files in the package, not from a CDN.
    app = FastAPIOffline(title=texts.APP_TITLE, description=texts.API_DESCRIPTION, version=version("kilde"),
                         docs_url="/docs", redoc_url=None)
    app.add_middleware(RequestLimits, uploads=uploads, api_prefix=api.API_PREFIX, widget_path=WIDGET_PATH)
    secure(app, policy, api.API_PREFIX, WIDGET_PATH)
    api.install(app, searcher, RateLimit(rate_limit))
    app.get(SCRIPT_PATH, include_in_schema=False)(web_component_script)
    gr.mount_gradio_app(app, build_widget(searcher), path=WIDGET_PATH, theme=theme(), css=CSS + WIDGET_CSS,
                        js=COPY_SCRIPT, footer_links=[], ssr_mode=False, max_file_size=0)  # the widget takes no files
    demo = build_ui(searcher)
    add_embed_page(demo)
    if extend_ui:
        extend_ui(demo)
    with warnings.catch_warnings():  # Gradio warns that SSR is off for multi-page apps even with ssr_mode=False
        warnings.filterwarnings("ignore", "SSR mode is not supported", UserWarning)
        return gr.mount_gradio_app(app, demo, path="/", theme=theme(), css=CSS, js=COPY_SCRIPT, footer_links=[],
                                   ssr_mode=False, max_file_size=uploads.max_bytes if uploads else 0)
