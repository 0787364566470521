"""How much a request may send, and which of Gradio's file routes answer at all.

One ASGI middleware on the parent app, in front of the API and both Gradio apps:

- Gradio's upload routes (`/gradio_api/upload`, `/gradio_api/process_recording`, under "/" and
  under the widget) take nothing unless the server runs with `--allow-upload`, and never under
  the widget, which has no file input. Gradio registers these routes whatever the app holds; on
  main `curl -F files=@100MB.bin …/gradio_api/upload` stored the file and returned its path.
- With uploads on, a request to them may send at most `--max-upload-mb` (Gradio's own
  `max_file_size` also bounds each file, while it parses the multipart body).
- `/api/` bodies are at most `API_BODY_LIMIT` bytes: a question is at most 1,000 characters.
- Without uploads, `/gradio_api/file=` serves nothing from Gradio's upload folder (which other
  Gradio apps on the machine, or an earlier `--allow-upload` run, may have filled).

A body is refused before it is read to the end: a `Content-Length` over the limit is answered at
once; a chunked body is counted as it streams, and the app is told the client went away when the
count passes the limit, so it stops reading and the middleware answers 413.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import texts
from .upload_guard import upload_folder

DEFAULT_MAX_UPLOAD_MB = 50  # a long report as PDF is 1–20 MB; 50 MB leaves room and bounds the disk a visitor fills
API_BODY_LIMIT = 64 * 1024  # a 1,000-character question is at most ~4 KB of JSON; 64 KiB leaves room for filters
UPLOAD_ROUTES = ("/gradio_api/upload", "/gradio_api/process_recording")
FILE_ROUTE = "/gradio_api/file="
MB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """Uploads switched on (`kilde serve --allow-upload`), at most `max_mb` per file and per request."""
    max_mb: int = DEFAULT_MAX_UPLOAD_MB

    @property
    def max_bytes(self) -> int:
        return self.max_mb * MB


def parse_max_upload_mb(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 10_000:
        raise ValueError(value)
    return number


class RequestLimits:
    """The middleware; `uploads` None means uploads are off."""

    def __init__(self, app: ASGIApp, uploads: UploadLimits | None, api_prefix: str, widget_path: str) -> None:
        self.app = app
        self.uploads = uploads
        self.api_prefix = api_prefix
        self.widget_path = widget_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.endswith(UPLOAD_ROUTES):
            if self.uploads is None or path.startswith(self.widget_path + "/"):
                await _json(send, 403, "upload.off", texts.UPLOADS_OFF)
                return
            limit = self.uploads.max_bytes
            message = texts.UPLOAD_TOO_LARGE.format(limit=self.uploads.max_mb)
            await _limited(self.app, scope, receive, send, limit, "upload.too_large", message)
            return
        if FILE_ROUTE in path and self.uploads is None and _in_upload_folder(path.split(FILE_ROUTE, 1)[1]):
            await _json(send, 404, "not.found", texts.API_ERRORS["not.found"].format(path=path))
            return
        if (path + "/").startswith(self.api_prefix + "/"):
            message = texts.API_ERRORS["request.too_large"].format(limit=API_BODY_LIMIT)
            await _limited(self.app, scope, receive, send, API_BODY_LIMIT, "request.too_large", message)
            return
        await self.app(scope, receive, send)


def _in_upload_folder(path: str) -> bool:
    try:
        return Path(path).resolve().is_relative_to(upload_folder())
    except (OSError, ValueError, RuntimeError):
        return True  # a path that cannot be resolved is served by no one


async def _limited(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int, code: str,
                   message: str) -> None:
    """Run `app`, answering 413 as soon as the body is known to exceed `limit` bytes."""
    length = dict(scope["headers"]).get(b"content-length")
    if length is not None:
        try:
            declared = int(length)
        except ValueError:
            declared = -1
        if declared < 0 or declared > limit:
            await _json(send, 413 if declared > limit else 400, code if declared > limit else "request.invalid",
                        message if declared > limit else texts.API_ERRORS["request.invalid"])
            return
    received = 0
    over = False
    started = False

    async def counted() -> Message:
        nonlocal received, over
        if over:
            return {"type": "http.disconnect"}
        event = await receive()
        if event["type"] == "http.request":
            received += len(event.get("body", b""))
            if received > limit:
                over = True
                return {"type": "http.disconnect"}  # the app stops reading; we answer below
        return event

    async def guarded(event: Message) -> None:
        nonlocal started
        if over:
            return  # the app's own answer to the "disconnect" is dropped
        if event["type"] == "http.response.start":
            started = True
        await send(event)

    try:
        await app(scope, counted, guarded)
    except Exception:
        if not over:
            raise
    if over and not started:
        await _json(send, 413, code, message)


async def _json(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
