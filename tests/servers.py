"""Real servers on loopback for the API and embedding tests: `kilde serve`, and a plain host page."""

from __future__ import annotations

import os
import subprocess
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from .conftest import KILDE, free_port, wait_for_http


@contextmanager
def kilde_serve(index_dir: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`kilde serve` as a user starts it; yields its base URL (http://127.0.0.1:PORT)."""
    port = free_port()
    process = subprocess.Popen([str(KILDE), "serve", "--index", str(index_dir), "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})})
    try:
        wait_for_http(f"http://127.0.0.1:{port}/openapi.json", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def static_site(folder: Path, port: int) -> Iterator[str]:
    """Another site: plain files from `folder` on another loopback port, so another origin."""
    handler = partial(_QuietHandler, directory=str(folder))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            httpd.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
