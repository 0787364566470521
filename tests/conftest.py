"""Shared fixtures: the real bundled model, a real index of the bundled corpus, and the seed texts."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kilde.index import Library
from kilde.index.documents.reader import bundled_corpus, read_documents
from kilde.index.model.embedder import Embedder, load_embedder
from kilde.index.retrieval.search import Searcher

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_FILES = sorted(bundled_corpus().glob("*.txt"))
KILDE = Path(sys.executable).with_name("kilde")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return load_embedder()


@pytest.fixture(scope="session")
def documents():
    return read_documents([bundled_corpus()])


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory, embedder) -> Path:
    index_dir = tmp_path_factory.mktemp("index")
    Library.open(index_dir, model=embedder).index([bundled_corpus()])
    return index_dir


@pytest.fixture
def index_copy(tmp_path, bundled_index) -> Path:
    """A private copy of the session's bundled index, to build over and damage."""
    folder = tmp_path / "index"
    shutil.copytree(bundled_index, folder)
    return folder


@pytest.fixture(scope="session")
def library(bundled_index, embedder) -> Library:
    """The bundled corpus' index, opened as a user opens it (sharing the session's model)."""
    return Library.open(bundled_index, model=embedder)


@pytest.fixture(scope="session")
def searcher(library) -> Searcher:
    """The live build's search core, for tests that look inside a search."""
    return library.searcher()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_kilde(*args: str, stdin: str | None = None, env: dict | None = None, timeout: int = 300):
    return subprocess.run([str(KILDE), *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)
