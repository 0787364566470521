"""Issue 14 §1: the upload event takes only files Gradio's own upload route stored.

A visitor can send the upload event (`/gradio_api/queue/join`) a FileData naming any path; on
main that file was read, indexed and searchable. Here every such path (absolute, relative, a
symlink inside the upload folder pointing out of it) is refused with a Norwegian message and
the index is left as it was; a real upload through Chromium still works (tests/test_upload.py).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kilde.app.upload_guard import check_uploaded, is_uploaded, UploadRefused

from .gradio_queue import event_of, file_data, queue_call
from .servers import kilde_serve

SECRET_WORD = "hemmeligordetsomikkeskalfinnes"
SECRET_TEXT = f"# Serverens hemmelighet\n\nPassordet til serveren er {SECRET_WORD}, og ingen besøkende skal se det.\n"


@pytest.fixture(scope="module")
def setup(tmp_path_factory, bundled_index):
    root = tmp_path_factory.mktemp("upload-hole")
    index_dir = root / "index"
    shutil.copytree(bundled_index, index_dir)
    secret = root / "utenfor" / "hemmelig.md"  # a server file with an extension the upload page takes
    secret.parent.mkdir()
    secret.write_text(SECRET_TEXT, encoding="utf-8")
    gradio_dir = root / "gradio-upload"
    with kilde_serve(index_dir, "--allow-upload", env={"GRADIO_TEMP_DIR": str(gradio_dir)}) as server:
        yield server, index_dir, secret, gradio_dir


def _attack(server: str, path: str) -> dict:
    fn_index, trigger = event_of(server, "kilde-upload-button")
    return queue_call(server, fn_index, trigger, [[file_data(path)], "", "", "", "", ""])


def _assert_refused(message: dict, server: str, index_dir: Path) -> None:
    shown = json.dumps(message, ensure_ascii=False)
    assert "ble ikke lastet opp gjennom denne siden" in shown, shown
    assert SECRET_WORD not in shown
    assert not (index_dir / "uploads").exists()  # nothing kept, nothing indexed
    query = urllib.parse.urlencode({"q": f"Hva er passordet {SECRET_WORD}?", "k": 50})
    with urllib.request.urlopen(f"{server}/api/search?{query}", timeout=120) as response:
        record = json.load(response)
    assert all(SECRET_WORD not in hit["text"] for hit in record["hits"])
    assert {hit["document"] for hit in record["hits"]} <= {"rusreform", "statsminister"} or all(
        hit["document"] != "hemmelig" for hit in record["hits"])


def test_the_exact_request_of_the_audit_is_refused(setup):
    server, index_dir, secret, _ = setup
    _assert_refused(_attack(server, str(secret)), server, index_dir)


def test_a_relative_path_is_refused(setup):
    server, index_dir, secret, _ = setup
    _assert_refused(_attack(server, os.path.relpath(secret)), server, index_dir)


def test_a_dotted_path_through_the_upload_folder_is_refused(setup):
    server, index_dir, secret, gradio_dir = setup
    _assert_refused(_attack(server, f"{gradio_dir}/../utenfor/hemmelig.md"), server, index_dir)


def test_a_symlink_in_the_upload_folder_is_refused(setup):
    server, index_dir, secret, gradio_dir = setup
    link = gradio_dir / "0123456789abcdef" / "lenke.md"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(secret)
    _assert_refused(_attack(server, str(link)), server, index_dir)


def test_the_checks_resolve_before_they_compare(tmp_path):
    folder = tmp_path / "gradio"
    (folder / "abc").mkdir(parents=True)
    inside = folder / "abc" / "ok.txt"
    inside.write_text("x")
    outside = tmp_path / "utenfor.txt"
    outside.write_text("x")
    (folder / "abc" / "lenke.txt").symlink_to(outside)
    assert is_uploaded(inside, folder)
    for path in (outside, folder / "abc" / "lenke.txt", folder / "abc" / ".." / ".." / "utenfor.txt",
                 Path("abc/ok.txt"), folder, folder / "abc", folder / "abc" / "mangler.txt", "", "/etc/passwd\x00.txt"):
        assert not is_uploaded(path, folder), path
    with pytest.raises(UploadRefused) as refused:
        check_uploaded([inside, outside], folder)
    assert refused.value.params == {"name": "utenfor.txt"}
