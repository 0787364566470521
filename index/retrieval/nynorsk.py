"""Search a Nynorsk question in Bokmål: Apertium's Nynorsk → Bokmål translation, where it is installed.

A Nynorsk question about a Bokmål corpus differs from its Bokmål twin in most words: function words
(«kva», «korleis», «ikkje»), inflections («kommunane», «ventetida»), spellings («butilbodet») and
other words («bustad» for «bolig», «avgrense» for «begrense»). Spelling matching (`spelling.py`)
reaches only the words a letter or two away, and leads some astray («slags» → «lag»), and the
dense leg ranks Nynorsk questions lower than their Bokmål twins (seed_dev R@1 0.750 against 0.917).
Apertium's nno-nob pair (Unhammer & Trosterud, 2009; rule-based) turns the question into Bokmål, and
the search runs on that: measured on the Nynorsk tuning questions (benchmarks/ranking.py), seed_dev
R@1 0.750 → 0.917 and issue-12 tuning R@1 0.615 → 0.692, R@3 0.769 → 0.923. Bokmål and English
questions are never translated.

Apertium is a system package (Debian: `apertium apertium-nno-nob`), not a Python one; without it
Nynorsk questions are searched as asked, as before. Started per question, its pipeline of a dozen
programs takes ~0.2 s (`benchmarks/latency.py`), most of it loading dictionaries; so one pipeline is
started on the first Nynorsk question and kept, in Apertium's null-flush mode: a question is written
with a NUL after it and its translation read up to the NUL. Two details make that mode work with
lttoolbox 3.7: the pipeline is the mode file's with `-z` on each program (`apertium-wblank-mode -z`;
the `apertium -z` script itself gave no output here), and each question ends with the blank
`[][\\n]` that Apertium's text deformatter puts at a line end, without which the bilingual lookup
(`lt-proc -b`) waits for more input. A pipeline that fails or takes over TIMEOUT_S is stopped and
the question tried once more on a new one, then searched as asked.
"""

from __future__ import annotations

import logging
import os
import re
import select
import shutil
import signal
import subprocess
import threading
import time
from functools import lru_cache
from pathlib import Path

COMMAND = "apertium"
PAIR = "nno-nob"
TIMEOUT_S = 5.0  # a translation takes ~2.4 ms, starting the pipeline ~0.2 s
LINE_END = "[][\n]"  # what apertium-destxt writes for a line's end: the pipeline flushes after it
RESERVED = re.compile(r"([\\\[\]^$/@<>{}*])")  # Apertium's stream format escapes these with a backslash
ESCAPED = re.compile(r"\\(.)")

log = logging.getLogger("kilde")


class TranslationFailed(Exception):
    pass


class Translator:
    """Nynorsk → Bokmål through Apertium (`command` on PATH); `to_bokmaal` gives None when it cannot."""

    def __init__(self, command: str = COMMAND) -> None:
        self.command = command

    @property
    def available(self) -> bool:
        return _mode_file(self.command) is not None

    def to_bokmaal(self, text: str) -> str | None:
        if not self.available:
            return None
        try:
            return _translated(self.command, " ".join(text.replace("\0", " ").split()))
        except TranslationFailed as error:  # not cached: the next search of the question tries again
            log.warning("kilde: Nynorsk translation failed (%s); the question is searched as asked", error)
            return None


@lru_cache(maxsize=8)
def _mode_file(command: str) -> Path | None:
    """The nno-nob mode file of the Apertium installation `command` belongs to, if it lists the pair."""
    path = shutil.which(command)
    if path is None or shutil.which("apertium-wblank-mode") is None:
        return None
    try:
        listed = subprocess.run([path, "-l"], capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    mode = Path(path).resolve().parent.parent / "share" / "apertium" / "modes" / f"{PAIR}.mode"
    return mode if PAIR in listed.stdout.split() and mode.is_file() else None


@lru_cache(maxsize=4096)
def _translated(command: str, text: str) -> str:
    if not text:
        return text
    try:
        return _pipeline(command).translate(text)
    except TranslationFailed:  # a pipeline that died since its last question: once more, on a new one
        return _pipeline(command).translate(text)


class Pipeline:
    """One running Apertium pipeline in null-flush mode; one question at a time (a lock)."""

    def __init__(self, mode: Path) -> None:
        made = subprocess.run(["apertium-wblank-mode", "-z", str(mode)], capture_output=True, text=True,
                              timeout=TIMEOUT_S)
        if made.returncode != 0 or not made.stdout.strip():
            raise TranslationFailed(f"apertium-wblank-mode: {made.stderr.strip()[:200]}")
        # $1: the generator's option (-n: no «*» on unknown words, as `apertium -u`); $2: the tagger's (none)
        # A session of its own, so that stopping it stops every program of the pipeline, not only bash.
        self.process = subprocess.Popen(["bash", "-c", made.stdout.strip(), "apertium", "-n", ""],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        self.lock = threading.Lock()

    def translate(self, text: str) -> str:
        with self.lock:
            try:
                self._write(RESERVED.sub(r"\\\1", text) + LINE_END + "\0")
                out = self._read_to_nul()
            except (OSError, TranslationFailed) as error:
                self.stop()
                raise TranslationFailed(str(error)) from error
        translated = " ".join(ESCAPED.sub(r"\1", out.removesuffix(LINE_END)).split())
        if not translated:
            raise TranslationFailed("empty translation")
        return translated

    def _write(self, text: str) -> None:
        try:
            self.process.stdin.write(text.encode("utf-8"))
            self.process.stdin.flush()
        except BrokenPipeError as error:  # it ended before the question came: as when it ends before answering
            raise TranslationFailed(f"the pipeline ended (exit {self.process.poll()})") from error

    def _read_to_nul(self) -> str:
        out, deadline = bytearray(), time.monotonic() + TIMEOUT_S
        while not out.endswith(b"\0"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
                raise TranslationFailed(f"no answer in {TIMEOUT_S:g} s")
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                raise TranslationFailed(f"the pipeline ended (exit {self.process.poll()})")
            out += chunk
        return out[:-1].decode("utf-8", errors="replace")

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Every program of the pipeline killed, and bash reaped."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


_pipelines: dict[str, Pipeline] = {}
_started = threading.Lock()


def _pipeline(command: str) -> Pipeline:
    """The running pipeline of `command`'s Apertium, started on first use and again after a failure."""
    with _started:
        running = _pipelines.get(command)
        if running is None or not running.running:
            mode = _mode_file(command)
            if mode is None:
                raise TranslationFailed(f"{command}: no {PAIR} pair")
            _pipelines[command] = running = Pipeline(mode)
        return running
