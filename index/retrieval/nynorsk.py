"""Search a Nynorsk question in Bokmål: Apertium's Nynorsk → Bokmål translation, where it is installed.

A Nynorsk question about a Bokmål corpus differs from its Bokmål twin in most words: function words
(«kva», «korleis», «ikkje»), inflections («kommunane», «ventetida»), spellings («butilbodet») and
other words («bustad» for «bolig», «avgrense» for «begrense»). Spelling matching (`spelling.py`)
reaches only the words a letter or two away, and leads some astray («slags» → «lag»), and the
dense leg ranks Nynorsk questions lower than their Bokmål twins (seed_dev R@1 0.750 against 0.917).
Apertium's nno-nob pair (Unhammer & Trosterud, 2009; rule-based, the translator Nynorsk users
already have in their tools) turns the question into Bokmål, and the search runs on that: measured on the
Nynorsk tuning questions (benchmarks/ranking.py), seed_dev R@1 0.750 → 0.917 and issue-12 tuning
R@1 0.615 → 0.692, R@3 0.769 → 0.923; Bokmål and English questions are never translated.

Apertium is a system package (Debian: `apertium apertium-nno-nob`), not a Python one; without it
Nynorsk questions are searched as asked, as before. One translation runs Apertium's pipeline once:
~0.2 s on this machine, so a Nynorsk question takes that much longer (its translation is kept for
the next time the same question comes). The pipeline's null-flush mode (`-z`), which would let one
process serve every question, gave no output here (Apertium 3.8, this pair), so each question
starts it anew.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import lru_cache

COMMAND = "apertium"
PAIR = "nno-nob"
TIMEOUT_S = 10.0

log = logging.getLogger("kilde")


class Translator:
    """Nynorsk → Bokmål through the `apertium` command; `to_bokmaal` gives None when it cannot."""

    def __init__(self, command: str = COMMAND) -> None:
        self.command = command

    @property
    def available(self) -> bool:
        return _pair_installed(self.command)

    def to_bokmaal(self, text: str) -> str | None:
        if not self.available:
            return None
        try:
            return _translated(self.command, text)
        except TranslationFailed as error:  # not cached: the next search of the question tries again
            log.warning("kilde: Nynorsk translation failed (%s); the question is searched as asked", error)
            return None


class TranslationFailed(Exception):
    pass


@lru_cache(maxsize=8)
def _pair_installed(command: str) -> bool:
    """Whether `command` runs and lists the nno-nob pair (asked once per command)."""
    path = shutil.which(command)
    if path is None:
        return False
    try:
        listed = subprocess.run([path, "-l"], capture_output=True, text=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return False
    return PAIR in listed.stdout.split()


@lru_cache(maxsize=4096)
def _translated(command: str, text: str) -> str:
    try:
        done = subprocess.run([command, "-u", PAIR], input=text + "\n", capture_output=True, text=True,
                              encoding="utf-8", timeout=TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as error:
        raise TranslationFailed(str(error)) from error
    translated = " ".join(done.stdout.split())
    if done.returncode != 0 or not translated:
        raise TranslationFailed(f"exit {done.returncode}: {done.stderr.strip()[:200]}")
    return translated
