"""One ASGI app for `kilde serve`: the Gradio interface mounted on FastAPI."""

from __future__ import annotations

from fastapi import FastAPI

from kilde.index.search import Searcher

from . import texts
from .cards import CSS
from .ui import build_ui, gr, theme


def create_app(searcher: Searcher) -> FastAPI:
    app = FastAPI(title=texts.APP_TITLE, description=texts.TAGLINE)
    return gr.mount_gradio_app(app, build_ui(searcher), path="/", theme=theme(), css=CSS,
                               footer_links=[], ssr_mode=False)
