"""Issue 14 §2: Gradio's upload route takes nothing without `--allow-upload`, and with it at most
`--max-upload-mb`, refused before the body is read to the end; `/gradio_api/file=` serves no
upload while uploads are off. Real `kilde serve` processes, real HTTP on loopback.

On main `curl -F files=@100MB.bin …/gradio_api/upload` stored the file without `--allow-upload`
and returned its path, and `/gradio_api/file=<path>` served it back.
"""

from __future__ import annotations

import json
import socket
import urllib.parse
import uuid

import pytest

from .servers import kilde_serve
from .test_api import request

MB = 1024 * 1024


def multipart(files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
             for name, data in files.items()]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(server: str, files: dict[str, bytes], prefix: str = ""):
    body, content_type = multipart(files)
    return request(f"{server}{prefix}/gradio_api/upload", "POST", body, {"Content-Type": content_type})


@pytest.fixture(scope="module")
def closed(tmp_path_factory, bundled_index):
    gradio_dir = tmp_path_factory.mktemp("gradio-closed")
    with kilde_serve(bundled_index, env={"GRADIO_TEMP_DIR": str(gradio_dir)}) as server:
        yield server, gradio_dir


@pytest.fixture(scope="module")
def open_(tmp_path_factory, bundled_index):
    import shutil

    root = tmp_path_factory.mktemp("gradio-open")
    shutil.copytree(bundled_index, root / "index")
    with kilde_serve(root / "index", "--allow-upload", "--max-upload-mb", "1",
                     env={"GRADIO_TEMP_DIR": str(root / "gradio")}) as server:
        yield server, root / "gradio"


def stored(folder) -> list:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_no_upload_is_accepted_without_allow_upload(closed):
    server, gradio_dir = closed
    before = stored(gradio_dir)
    for prefix in ("", "/widget"):
        status, headers, text = upload(server, {"fil.txt": b"hei"}, prefix)
        assert status == 403 and json.loads(text)["error"] == "upload.off", text
        assert "slått av" in json.loads(text)["message"]
    assert stored(gradio_dir) == before


def test_files_in_the_upload_folder_are_not_served_without_allow_upload(closed):
    server, gradio_dir = closed
    planted = gradio_dir / "0123abcd" / "fra-en-annen-app.txt"  # another Gradio app, or an earlier run
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text("privat", encoding="utf-8")
    status, _, text = request(f"{server}/gradio_api/file={urllib.parse.quote(str(planted))}")
    assert status == 404 and "privat" not in text


def test_an_upload_within_the_limit_is_stored(open_):
    server, gradio_dir = open_
    status, _, text = upload(server, {"liten.txt": b"x" * (MB // 2)})
    assert status == 200, text
    (path,) = json.loads(text)
    assert path.startswith(str(gradio_dir)) and path.endswith("liten.txt")


def test_the_widget_takes_no_upload_even_with_allow_upload(open_):
    server, _ = open_
    assert upload(server, {"fil.txt": b"hei"}, "/widget")[0] == 403


def test_a_request_over_the_limit_is_refused(open_):
    server, gradio_dir = open_
    body, content_type = multipart({"a.bin": b"x" * (MB * 6 // 10), "b.bin": b"x" * (MB * 6 // 10)})
    with _raw(server) as sock:  # the server answers before the body is sent, so no urllib (broken pipe)
        _send(sock, f"POST /gradio_api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
              f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status, text = _response(sock)
    assert status == 413 and json.loads(text)["error"] == "upload.too_large"
    assert "1 MB" in json.loads(text)["message"]
    assert not [p for p in stored(gradio_dir) if p.name in ("a.bin", "b.bin")]


def _send(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server stopped reading: what we want


def _response(sock: socket.socket) -> tuple[int, str]:
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def _raw(server: str) -> socket.socket:
    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    return socket.create_connection((host, int(port)), timeout=60)


def _status(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return int(head.split()[1])


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(open_):
    """Only the headers and a first kilobyte are sent: the answer comes without the other 99 MB."""
    server, _ = open_
    with _raw(server) as sock:
        sock.sendall(b"POST /gradio_api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                     b"Content-Length: %d\r\n\r\n" % (100 * MB) + b"x" * 1024)
        assert _status(sock) == 413


def test_a_chunked_upload_is_cut_off_once_it_passes_the_limit(open_):
    """A body without Content-Length is counted as it streams; the server answers after ~1 MB of 100."""
    server, _ = open_
    body, content_type = multipart({"stor.bin": b"x" * (100 * MB)})
    with _raw(server) as sock:
        sock.sendall(f"POST /gradio_api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        sent = 0
        try:
            for start in range(0, len(body), 64 * 1024):
                chunk = body[start:start + 64 * 1024]
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what we want
        assert _status(sock) == 413
