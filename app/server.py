"""One ASGI app for `kilde serve`: the HTTP API, the widget and the Gradio interface on FastAPI.

Order matters: routes and mounts match first-come, and the interface is mounted at "/", so the API,
the web-component script and the widget are registered before it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from importlib.metadata import version

from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline

from kilde.index.library import Library

from . import api, texts
from .cards import CSS
from .clipboard import COPY_SCRIPT, LANG_HEAD
from .documents_page import DOCUMENTS_CSS, add_documents_page, install_api
from .embed_page import EMBED_CSS, add_embed_page
from .limits import LimitedSearcher, SearchLimits, SearchSlots
from .ratelimit import DEFAULT_RATE_LIMIT, RateLimit
from .request_limits import RequestLimits, UploadLimits
from .security import Policy, secure
from .upload_guard import guard_file_inputs
from .ui import build_ui, gr, gradio_i18n, theme
from .widget import (SCRIPT_PATH, WIDGET_CSS, WIDGET_PATH, build_widget, web_component_script,
                     widget_redirect)


def create_app(library: Library, policy: Policy = Policy(), rate_limit: str = DEFAULT_RATE_LIMIT,
               extend_ui: Callable[[gr.Blocks], None] | None = None, uploads: UploadLimits | None = None,
               search_limits: SearchLimits = SearchLimits(), search_slots: SearchSlots | None = None) -> FastAPI:
    """`extend_ui` adds pages to the interface (the upload page of `kilde serve --allow-upload`);
    `uploads` opens Gradio's upload route, within its limits (None: closed). Every interface
    searches through one `LimitedSearcher`, so they share `search_limits`."""
    library = LimitedSearcher(library, search_slots or SearchSlots(search_limits))
    # FastAPIOffline: /docs (Swagger UI) from files in the package, not from a CDN.
    app = FastAPIOffline(title=texts.APP_TITLE, description=texts.API_DESCRIPTION, version=version("kilde"),
                         docs_url="/docs", redoc_url=None)
    app.add_middleware(RequestLimits, uploads=uploads, api_prefix=api.API_PREFIX, widget_path=WIDGET_PATH)
    secure(app, policy, api.API_PREFIX, WIDGET_PATH)
    limiter = RateLimit(rate_limit)
    install_api(app, library.documents, [Depends(limiter)], build=lambda: library.build_id)  # before api.install: its catch-all answers other /api/ paths
    api.install(app, library, limiter)
    app.get(SCRIPT_PATH, include_in_schema=False)(web_component_script)
    app.get(WIDGET_PATH, include_in_schema=False)(widget_redirect)
    widget = build_widget(library)
    guard_file_inputs(widget)
    gr.mount_gradio_app(app, widget, path=WIDGET_PATH, theme=theme(), css=CSS + WIDGET_CSS,
                        js=COPY_SCRIPT, head=LANG_HEAD, footer_links=[], ssr_mode=False,
                        max_file_size=0,  # the widget takes no files
                        i18n=gradio_i18n())
    demo = build_ui(library)
    add_embed_page(demo)
    add_documents_page(demo, library.documents)
    if extend_ui:
        extend_ui(demo)
    guard_file_inputs(demo)
    with warnings.catch_warnings():  # Gradio warns that SSR is off for multi-page apps even with ssr_mode=False
        warnings.filterwarnings("ignore", "SSR mode is not supported", UserWarning)
        return gr.mount_gradio_app(app, demo, path="/", theme=theme(), css=CSS + DOCUMENTS_CSS + EMBED_CSS,
                                   js=COPY_SCRIPT, head=LANG_HEAD, footer_links=[], ssr_mode=False,
                                   max_file_size=uploads.max_bytes if uploads else 0, i18n=gradio_i18n())
