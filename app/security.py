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


def secure(app: FastAPI, policy: Policy, api_prefix: str, widget_path: str = "/widget") -> None:
    """Install the policy on the parent app.

    Embedding open to all: Gradio's own CORS answers on the widget's routes (it reflects the origin
    but keeps other sites off a server addressed as localhost). Embedding restricted: a Starlette
    CORSMiddleware on the parent, which Gradio defers to (documented in `gr.mount_gradio_app`).
    Only the widget is meant to be framed by others: every other page (search, «Legg til
    dokumenter», «Bygg inn», the API docs) may be framed by Kilde itself only (issue 14 §6).
    """
    if ANY not in policy.embed_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(policy.embed_origins),
                           allow_methods=["GET", "POST"], allow_headers=["*"])
    app.add_middleware(ApiCORS, prefix=api_prefix, origins=policy.cors_origins)
    app.add_middleware(SecurityHeaders, widget_path=widget_path, widget_frame_ancestors=frame_ancestors(policy.embed_origins))


OWN_FRAME_ANCESTORS = "frame-ancestors 'self'"


class SecurityHeaders:
    """`X-Content-Type-Options: nosniff` on every response (a browser never guesses an uploaded
    file's or an error's type into HTML); `frame-ancestors` by path: the embedding policy under
    the widget, Kilde itself elsewhere."""

    def __init__(self, app: ASGIApp, widget_path: str, widget_frame_ancestors: str | None) -> None:
        self.app = app
        self.widget_path = widget_path
        self.widget_frame_ancestors = widget_frame_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        in_widget = (scope["path"] + "/").startswith(self.widget_path + "/")
        directive = self.widget_frame_ancestors if in_widget else OWN_FRAME_ANCESTORS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if directive and "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = directive
            await send(message)

        await self.app(scope, receive, send_with_headers)


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

