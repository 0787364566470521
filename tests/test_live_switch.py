"""A running `kilde serve` picks up another process's `kilde add` by itself, without a failed request."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.parse
import urllib.request
from pathlib import Path

from .conftest import run_kilde
from .servers import kilde_serve

QUESTION = "Hvor kjører sprøytebussen?"
NOTE = "Sprøytebuss i nord\n\nSprøytebussen kjører hver tirsdag fra Tromsø sentrum til Finnsnes.\n"


def ask(server: str) -> tuple[int, dict]:
    query = urllib.parse.urlencode({"q": QUESTION, "k": 1})
    with urllib.request.urlopen(f"{server}/api/search?{query}", timeout=120) as response:
        return response.status, json.load(response)


def test_server_switches_to_another_process_build_between_searches(tmp_path, bundled_index):
    index_dir = tmp_path / "index"
    shutil.copytree(bundled_index, index_dir)
    note = tmp_path / "sproytebuss.txt"
    note.write_text(NOTE, encoding="utf-8")
    with kilde_serve(index_dir, "--rate-limit", "100000/minute") as server:  # requests back to back
        assert ask(server)[1]["hits"][0]["document"] != "sproytebuss"
        answers, failures, done = [], [], threading.Event()

        def keep_asking() -> None:
            while not done.is_set():
                try:
                    answers.append(ask(server))
                except Exception as error:  # a failed request is what this test is about
                    failures.append(error)

        asking = [threading.Thread(target=keep_asking) for _ in range(2)]
        for thread in asking:
            thread.start()
        added = run_kilde("add", str(note), "--index", str(index_dir))
        status, after = ask(server)  # the first search after the add already sees it
        done.set()
        for thread in asking:
            thread.join()
        assert added.returncode == 0, added.stderr
        assert failures == [] and answers and all(status == 200 for status, _ in answers)
        assert status == 200 and after["hits"][0]["document"] == "sproytebuss"
