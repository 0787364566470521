"""The budgets a document is parsed under: file size, PDF pages, Word archive, time and memory.

One bad file must not hold the machine (issue 14 §3): a zero-filled 16 MB «.pdf» took pdfminer 36 s
(its broken-file fallback scans the bytes quadratically) and a 200 MB one ~30 CPU-minutes, all the
while holding the upload queue, which runs one job at a time. So every file is checked against its
size budget before it is opened, and every format whose parser has no linear bound is parsed in a
child process (`kilde.index.documents.isolated`) that is killed when it passes the time budget or
refused memory past the memory budget. Plain text and JSON Lines are read in-process: one read and
one `json.loads` a line are linear, so their size budget bounds their time.

The defaults and why (2-core machine shared with other jobs, `nice -n 10`; the commands are in
`benchmarks/parse_budgets.py`, whose table is `benchmarks/parse_budgets.txt`):

- `seconds` 120: a 300-page report written with fpdf2 (a heading and five paragraphs a page,
  2,700 characters, running header and page number) parses in 20–35 s here (65–115 ms a page, the
  upper figure with another parse beside it), so a real 300-page government report keeps a margin
  of 3–6×; a PDF that needs more is broken or built to be slow. Also HTML, Markdown and Word run
  under it: HTML is not linear in its nesting (4,000 nested `<div class="menu">`, 110 KB, took 33 s;
  2,000 nested `<div>`, 30 KB, 6.5 s), and YAML front matter and Word XML have their own bad cases.
- `pdf_pages` 1,000: at 65–115 ms a page, 1,000 pages fit the time budget; the page tree's count is
  read before any page is laid out, so a 5,000-page file is refused at once instead of after 120 s.
- `memory_mb` 2,048 (address space added to the child's, `RLIMIT_AS`): the 300-page report peaks
  at about 100 MB resident; a flate bomb inside a PDF or a docx whose central directory lies about
  its sizes fails with `MemoryError` in the child instead of swapping the server.
- Sizes (`*_mb`, of the file on disk): PDF 100 (reports with pictures are 5–50 MB; the 200 MB
  upload of the audit was a zero-filled file), Word 100, HTML 20 (a saved web page is well under
  5 MB; flat HTML parses at ~3 s/MB here, so 20 MB takes about 60 s), Markdown and text 50 (about
  10,000 pages of text), JSON Lines 500 (a corpus export: many documents in one file).
- Word (`.docx` is a zip archive), read from the zip's central directory before python-docx opens
  anything: at most `docx_parts` 5,000 members (a report with many pictures has a few hundred),
  `docx_unzipped_mb` 500 unpacked in all, and no member over 1 MB packed tighter than
  `docx_ratio` 200:1 (Word's XML packs 5–20:1, pictures ~1:1; a zip bomb's zeros pack 1,000:1).

Each budget can be changed with an environment variable, `KILDE_PARSE_` and its name in capitals
(`KILDE_PARSE_SECONDS=300`, `KILDE_PARSE_PDF_PAGES=3000`, `KILDE_PARSE_PDF_MB=250`); the variables
are read each time a path is read, in the process that reads it (`kilde add`, `kilde serve`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace

from kilde.index.errors import CorpusError

ENV_PREFIX = "KILDE_PARSE_"
MB = 1024 * 1024
RATIO_CHECKED_FROM = 1 * MB  # a small member may pack tightly (a settings file of repeated tags): harmless

# Which size budget each file suffix falls under.
SIZE_FIELDS = {".pdf": "pdf_mb", ".docx": "docx_mb", ".html": "html_mb", ".htm": "html_mb", ".md": "md_mb",
               ".markdown": "md_mb", ".txt": "txt_mb", ".jsonl": "jsonl_mb"}


@dataclass(frozen=True)
class Budgets:
    """What one document's parse may take; the defaults are explained in the module's docstring."""

    seconds: float = 120.0
    memory_mb: int = 2048
    pdf_pages: int = 1000
    pdf_mb: float = 100
    docx_mb: float = 100
    html_mb: float = 20
    md_mb: float = 50
    txt_mb: float = 50
    jsonl_mb: float = 500
    docx_unzipped_mb: float = 500
    docx_ratio: float = 200
    docx_parts: int = 5000

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> "Budgets":
        """The defaults, each replaced by its `KILDE_PARSE_…` variable when that is set."""
        environ = os.environ if environ is None else environ
        changed = {}
        for budget in fields(cls):
            name = env_name(budget.name)
            if (value := environ.get(name, "").strip()):
                changed[budget.name] = _positive(name, value, int if budget.type in (int, "int") else float)
        return replace(cls(), **changed)

    def max_bytes(self, suffix: str) -> int | None:
        field = SIZE_FIELDS.get(suffix)
        return int(getattr(self, field) * MB) if field else None


def env_name(budget: str) -> str:
    """The environment variable that sets a budget: `pdf_pages` → `KILDE_PARSE_PDF_PAGES`."""
    return ENV_PREFIX + budget.upper()


def _positive(name: str, value: str, kind: type) -> float | int:
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or not (number > 0) or (isinstance(number, float) and math.isinf(number)):
        raise CorpusError("budget.invalid", name=name, value=value)
    return number
