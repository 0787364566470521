"""Replicas: two `kilde serve` over one index folder behind nginx (round-robin, loopback), while a
third process publishes a new build: no request fails, and each replica, asked directly, serves the
new build afterwards (`GET /api/documents`: its `build` and its documents). nginx is Debian's, started
here with its own prefix and config."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from kilde.index.documents.reader import bundled_corpus

from .conftest import free_port, run_kilde, wait_for_http
from .servers import kilde_serve

pytestmark = pytest.mark.cluster
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = """
worker_processes 1;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi; uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
    upstream kilde {{ {servers} }}
    server {{
        listen 127.0.0.1:{port};
        location / {{ proxy_pass http://kilde; proxy_next_upstream error timeout; }}
    }}
}}
"""


def _nginx(prefix: Path, replicas: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    servers = " ".join(f"server {url.removeprefix('http://')};" for url in replicas)
    (prefix / "nginx.conf").write_text(CONFIG.format(prefix=prefix, servers=servers, port=port))
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_http(f"http://127.0.0.1:{port}/openapi.json", process, timeout=60)
    return process, f"http://127.0.0.1:{port}"


def _documents(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/documents", timeout=120) as response:
        return json.load(response)


def _search(base: str, question: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/search?" + urllib.parse.urlencode({"q": question, "k": 1}),
                                timeout=120) as response:
        return json.load(response)


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (Debian: apt-get install nginx)")
def test_two_replicas_behind_nginx_serve_through_a_publish(bundled_index, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(bundled_index, index_dir)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    results: list[str] = []
    stop = threading.Event()
    with ExitStack() as stack:
        replicas = [stack.enter_context(kilde_serve(index_dir, "--rate-limit", "10000/minute")) for _ in range(2)]
        balancer, base = _nginx(prefix, replicas)
        stack.callback(lambda: (balancer.terminate(), balancer.wait(timeout=30)))

        def ask() -> None:
            while not stop.is_set():
                try:
                    results.append("ok" if _search(base, "Hva er fritt behandlingsvalg?")["hits"] else "empty")
                except OSError as error:  # urllib's HTTPError and URLError included
                    results.append(f"failed: {error}")

        old = (index_dir / "CURRENT").read_text().strip()
        before = [_documents(url) for url in replicas]
        client = threading.Thread(target=ask)
        client.start()
        try:
            one = sorted(bundled_corpus().glob("*.txt"))[:1]
            published = run_kilde("index", str(one[0]), "--index", str(index_dir))  # the third process
            time.sleep(2)  # and a few requests after the switch
        finally:
            stop.set()
            client.join()
        new = (index_dir / "CURRENT").read_text().strip()
        after = [_documents(url) for url in replicas]  # each replica directly, not through nginx
    assert published.returncode == 0, published.stderr
    assert results and all(r == "ok" for r in results), [r for r in results if r != "ok"][:5]
    assert new != old
    assert [b["build"] for b in before] == [old, old]
    assert [len(b["documents"]) for b in before] == [2, 2]
    assert [a["build"] for a in after] == [new, new]  # both replicas switched to the published build
    assert [[Path(d["source"]).name for d in a["documents"]] for a in after] == [[one[0].name]] * 2
