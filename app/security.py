"""Which other sites may use Kilde, and how: embedding the widget, and calling the API from scripts.

Two lists, because they grant different things. An embedding site shows the widget (an iframe, or
the `<gradio-app>` web component, which needs CORS on the widget's routes). A CORS origin for the
API lets that site's own scripts read search results from /api/. A locally run Kilde may index
private documents, so the API is closed to other sites unless its operator opens it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ANY = "*"
_ORIGIN = re.compile(r"(https?)://([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?", re.IGNORECASE)


@dataclass(frozen=True)
class Policy:
    embed_origins: tuple[str, ...] = (ANY,)  # may frame the widget or load it as a web component
    cors_origins: tuple[str, ...] = ()  # may read /api/ from their own scripts


def parse_origin(value: str) -> str:
    """An origin as browsers send it (scheme://host[:port]) or `*`; it ends up in response headers,
    so anything else (paths, spaces, semicolons) is refused."""
    value = value.strip().rstrip("/")
    if value == ANY:
        return ANY
    if not _ORIGIN.fullmatch(value):
        raise ValueError(value)
    return value.lower()


def frame_ancestors(origins: tuple[str, ...]) -> str | None:
    """The CSP directive for embedding origins; None for any (so even a page opened from a file may
    embed it, which `frame-ancestors *` would refuse). Kilde itself may always frame its widget."""
    return None if ANY in origins else "frame-ancestors " + " ".join(("'self'", *origins))


def secure(app: FastAPI, policy: Policy, api_prefix: str) -> None:
    """Install the policy on the parent app.

    Embedding open to all: Gradio's own CORS answers on the widget's routes (it reflects the origin
    but keeps other sites off a server addressed as localhost). Embedding restricted: a Starlette
    CORSMiddleware on the parent, which Gradio defers to (documented in `gr.mount_gradio_app`).
    """
    if ANY not in policy.embed_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(policy.embed_origins),
                           allow_methods=["GET", "POST"], allow_headers=["*"])
    app.add_middleware(ApiCORS, prefix=api_prefix, origins=policy.cors_origins)
    if directive := frame_ancestors(policy.embed_origins):
        app.add_middleware(HeaderMiddleware, name="Content-Security-Policy", value=directive)


class ApiCORS:
    """CORS for the API by its own list. Requests under the prefix reach the app without their
    Origin header, so the widget's CORS policy (further in) never answers for the API."""

    def __init__(self, app: ASGIApp, prefix: str, origins: tuple[str, ...]) -> None:
        self.app = app
        self.prefix = prefix
        self.cors = CORSMiddleware(self._without_origin, allow_origins=list(origins),
                                   allow_methods=["GET", "POST"], allow_headers=["Content-Type"],
                                   expose_headers=["Retry-After"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["path"] + "/").startswith(self.prefix + "/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _without_origin(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(name, value) for name, value in scope["headers"] if name != b"origin"]
        await self.app({**scope, "headers": headers}, receive, send)


class HeaderMiddleware:
    """Adds one fixed header to every HTTP response (Starlette has no built-in for this)."""

    def __init__(self, app: ASGIApp, name: str, value: str) -> None:
        self.app = app
        self.name = name
        self.value = value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[self.name] = self.value
            await send(message)

        await self.app(scope, receive, send_with_header)
