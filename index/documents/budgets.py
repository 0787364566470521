"""The budgets a document is parsed under: file size, PDF pages, Word archive, time and memory.

One bad file must not hold the machine (issue 14 §3): a zero-filled 16 MB «.pdf» took pdfminer 36 s
(its broken-file fallback rereads the bytes quadratically: 1/2/4/8 MB take 0.18/0.86/2.8/11.7 s here,
each in a fresh process) and a 200 MB one ~30 CPU-minutes, all the
while holding the upload queue, which runs one job at a time. So every file is checked against its
size budget before it is opened, and every format whose parser has no linear bound is parsed in a
child process (`kilde.index.documents.isolated`) that is killed when it passes the time budget or
refused memory past the memory budget. Plain text and JSON Lines are read in-process: one read and
one `json.loads` a line are linear (text: 27 MB in 0.1 s), so their size budget bounds their time.

The defaults and why (2-core machine shared with other jobs, `nice -n 10`; the commands are in
`benchmarks/parse_budgets.py`, whose table is `benchmarks/parse_budgets.txt`):

- `seconds` 120: a 300-page report written with fpdf2 (a heading and five paragraphs a page,
  2,700 characters, running header and page number) parses in 16–35 s here (the upper figure with
  other jobs on the machine), so a real 300-page government report keeps a margin of 3–7×; a PDF
  that needs more is broken or built to be slow. HTML, Markdown and Word run under it too: HTML is
  not linear in its nesting (2,000 nested `<div class="menu">`, 51 KB, took 8–16 s; 4,000, 110 KB,
  33 s), YAML front matter has its own bad cases, and python-docx takes 2.5–2.9 ms a paragraph
  (its style lookup), so a Word file's time goes by its paragraphs, not its size: 120 s is about
  40,000 paragraphs, ten times a 300-page report.
- `pdf_pages` 1,000: at 55–115 ms a page, 1,000 pages fit the time budget; the page tree's count is
  read before any page is laid out, so a 5,000-page file is refused at once instead of after 120 s.
- `memory_mb` 2,048 (address space the child may add to what it starts with, `RLIMIT_AS`): reading
  the 300-page report peaks at about 100 MB resident, interpreter and readers included; a flate
  bomb inside a PDF (400 MB of content stream packed into 400 KB) fails with `MemoryError` in the
  child instead of filling the server's memory.
- Sizes (`*_mb`, of the file on disk): PDF 100 (reports with pictures are 5–50 MB; the 200 MB
  upload of the audit was a zero-filled file), Word 100, HTML 20 and Markdown 20 (a saved web page
  is well under 5 MB; flat HTML parses at 0.7–3 s/MB here and Markdown at 2.6–3.1 s/MB, so the
  largest allowed file still fits the time budget), text 50 (about 10,000 pages; read at
  over 100 MB/s) and JSON Lines 500 (a corpus export: many documents in one file).
- Word (`.docx` is a zip archive), read from the zip's central directory before python-docx opens
  anything: at most `docx_parts` 5,000 members (a report with many pictures has a few hundred),
  `docx_unzipped_mb` 500 unpacked in all, and no member over 1 MB packed tighter than
  `docx_ratio` 500:1. Word's XML packs 3–50:1 (python-docx's styles.xml 29–32:1, a body of 10,000
  different paragraphs 48:1, one paragraph repeated 5,000–10,000 times 206–217:1), pictures
  about 1:1, and the zeros of a zip bomb about 1,000:1 (deflate's limit is 1,032:1).

- `upload_seconds` 300: one upload through the upload page (`kilde serve --allow-upload`) reads its
  files one after another in the queue everyone's uploads share, so a per-file budget alone lets one
  upload of many slow files hold the queue for their number × 120 s (about 200 nested-HTML files fit
  the 50 MB upload limit). The files of one upload share 300 s: each is read under what is left
  (at most `seconds`), and those left when it is spent are refused by name (`upload.too_slow`).

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
    md_mb: float = 20
    txt_mb: float = 50
    jsonl_mb: float = 500
    docx_unzipped_mb: float = 500
    docx_ratio: float = 500
    docx_parts: int = 5000
    upload_seconds: float = 300.0  # all the files of one upload together (the upload page)

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
