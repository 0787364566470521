"""Measure the parse budgets' reasons (index/documents/budgets.py) and what the child process costs.

Prints a table: zero-filled «PDFs» read in-process (pdfminer unbounded, as before the budgets)
and through `read_file` under a 1 s budget; the cost of the child process on a normal PDF (the
forkserver's start, once, and per document); the 300-page report the time budget is set by, with
its peak memory; deeply nested HTML; and the linear formats (text, Markdown, flat HTML, Word)
at two sizes each, to show their time grows with the size and what their size budget bounds.

    nice -n 10 python benchmarks/parse_budgets.py > benchmarks/parse_budgets.txt
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kilde.index.documents.budgets import MB, Budgets
from kilde.index.documents.formats import _read, read_file
from kilde.index.errors import CorpusError

PARAGRAPH = ("Ventetiden for tverrfaglig spesialisert rusbehandling skal ned, og ingen skal stå i kø for å få "
             "hjelp når de først har bestemt seg. Derfor vil vi gi kommunene og helseforetakene et felles ansvar "
             "for å følge opp både pasienter og pårørende, også i årene etter behandlingen. ")


def write_report(path: Path, pages: int) -> Path:
    """A heading and five paragraphs a page (about 2,700 characters), running header and page number."""
    # Imported here: each parse child runs this script's top level again (isolated._main_imports).
    from fpdf import FPDF

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("helvetica", size=8)
            self.cell(0, 5, "Helsedirektoratet · Rapport IS-3045", align="R")
            self.ln(12)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("helvetica", size=8)
            self.cell(0, 10, f"Side {self.page_no()}", align="C")

    pdf = Report()
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("helvetica", "B", 13)
        pdf.multi_cell(0, 6, f"Kapittel {number}: Tiltak og oppfølging")
        pdf.ln(3)
        pdf.set_font("helvetica", "", 10)
        for _ in range(5):
            pdf.multi_cell(0, 5, PARAGRAPH * 2)
            pdf.ln(3)
    pdf.output(str(path))
    return path


def timed(function, *args) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        function(*args)
        outcome = "read"
    except CorpusError as error:
        outcome = error.code
    return time.perf_counter() - start, outcome


def row(what: str, size: str, seconds: float, outcome: str) -> None:
    print(f"{what:<46} {size:>9} {seconds:>8.2f} s  {outcome}", flush=True)


def fresh(path: Path) -> tuple[float, str]:
    """The parse as before the budgets: in a new interpreter, with nothing to stop it. (A second
    parse in the same process is faster: pdfminer's quadratic rereading of a file without line
    ends is mostly fresh memory pages the first time, 3.0 s against 0.15 s for 4 MB.)"""
    code = ("import sys, time; from pathlib import Path; from kilde.index.documents.budgets import Budgets; "
            "from kilde.index.documents.formats import _read\nstart = time.perf_counter()\n"
            "try:\n    _read(Path(sys.argv[1]), Budgets()); code = 'read'\n"
            "except Exception as error:\n    code = getattr(error, 'code', type(error).__name__)\n"
            "print(time.perf_counter() - start, code)")
    seconds, code = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                                   check=True).stdout.split()
    return float(seconds), code


def peak_rss_mb(path: Path) -> float:
    """Peak resident memory of a fresh interpreter that reads `path` in-process."""
    code = ("import sys; from pathlib import Path; from kilde.index.documents.budgets import Budgets; "
            "from kilde.index.documents.formats import _read; _read(Path(sys.argv[1]), Budgets())")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    budget = Budgets(seconds=1.0)
    print(f"{'case':<46} {'size':>9} {'time':>10}  outcome")

    small = write_report(folder / "rapport-10.pdf", 10)
    first, _ = timed(read_file, small, Budgets())  # starts the forkserver: nothing here has yet

    for megabytes in (1, 2, 4, 8, 16):
        path = folder / f"nuller-{megabytes}.pdf"
        path.write_bytes(bytes(megabytes * MB))
        if megabytes <= 8:
            row("zero-filled PDF, fresh process, no budget", f"{megabytes} MB", *fresh(path))
        row("zero-filled PDF, read_file, 1 s budget", f"{megabytes} MB", *timed(read_file, path, budget))

    inside = [timed(_read, small, Budgets())[0] for _ in range(5)]
    child = [timed(read_file, small, Budgets())[0] for _ in range(5)]
    one_page = write_report(folder / "rapport-1.pdf", 1)
    inside_one = [timed(_read, one_page, Budgets())[0] for _ in range(5)]
    child_one = [timed(read_file, one_page, Budgets())[0] for _ in range(5)]
    row("10-page PDF, in-process (median of 5)", "10 p", statistics.median(inside), "read")
    row("10-page PDF, in a child (median of 5)", "10 p", statistics.median(child), "read")
    row("  per-document cost of the child", "", statistics.median(child) - statistics.median(inside), "")
    row("  first child: forkserver start + child", "", first - statistics.median(inside), "")
    row("1-page PDF, in-process (median of 5)", "1 p", statistics.median(inside_one), "read")
    row("1-page PDF, in a child (median of 5)", "1 p", statistics.median(child_one), "read")
    row("  per-document cost of the child", "", statistics.median(child_one) - statistics.median(inside_one), "")

    script = folder / "som_kilde.py"  # a main script like the `kilde` command's, which imports kilde.app.cli
    script.write_text("import sys, time\nfrom pathlib import Path\nfrom kilde.app.cli import main\n"
                      "from kilde.index.documents.formats import read_file\n"
                      "if __name__ == '__main__':\n    path = Path(sys.argv[1])\n    start = time.perf_counter()\n"
                      "    read_file(path)\n    print(time.perf_counter() - start)\n"
                      "    times = []\n    for _ in range(5):\n        start = time.perf_counter()\n"
                      "        read_file(path)\n        times.append(time.perf_counter() - start)\n"
                      "    print(sorted(times)[2])\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), str(one_page)], capture_output=True, text=True, check=True)
    first_kilde, median_kilde = map(float, run.stdout.split())
    row("1-page PDF, in a child, main script as `kilde`", "1 p", median_kilde, "read (median of 5)")
    row("  first child: forkserver start (kilde.app.cli)", "", first_kilde - median_kilde, "")

    report = write_report(folder / "rapport-300.pdf", 300)
    row("300-page report, read_file (default budgets)", f"{report.stat().st_size / MB:.2f} MB",
        *timed(read_file, report, Budgets()))
    print(f"{'  peak memory, read in-process':<46} {peak_rss_mb(report):>9.0f} MB", flush=True)

    for nesting in (1000, 2000, 4000):
        path = folder / f"meny-{nesting}.html"
        path.write_text("<html><body><main><h1>Meny</h1><p>Tekst.</p></main>" + "<div class='menu'>m " * nesting
                        + "</div>" * nesting + "</body></html>", encoding="utf-8")
        size = f"{path.stat().st_size / 1024:.0f} KB"
        if nesting <= 2000:
            row(f"HTML, {nesting} nested menu <div>s, in-process", size, *timed(_read, path, Budgets()))
        row(f"HTML, {nesting} nested menu <div>s, 1 s budget", size, *timed(read_file, path, budget))

    for name, write in (("text", write_text), ("Markdown", write_markdown), ("flat HTML", write_html),
                        ("Word", write_docx)):
        for scale in (1, 2):
            path = write(folder, scale)
            size = path.stat().st_size / MB
            seconds, outcome = timed(_read, path, Budgets())
            if path.suffix == ".docx":  # python-docx's time goes by paragraph, not by the zip's size
                row(f"{name}, in-process ({seconds / scale / 5:.2f} ms a paragraph)", f"{5_000 * scale} ¶",
                    seconds, f"{outcome} (document.xml packed {packing(path):.0f}:1)")
            else:
                row(f"{name}, in-process ({seconds / size:.2f} s/MB)", f"{size:.1f} MB", seconds, outcome)
    repeated = write_docx(folder, 2, vary=False)
    seconds, outcome = timed(_read, repeated, Budgets())
    row("Word, one paragraph 10,000 times", "10000 ¶", seconds,
        f"{outcome} (document.xml packed {packing(repeated):.0f}:1)")


def packing(path: Path) -> float:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("word/document.xml")
    return member.file_size / member.compress_size


def write_text(folder: Path, scale: int) -> Path:
    path = folder / f"tekst-{scale}.txt"
    path.write_text((PARAGRAPH + "\n\n") * (50_000 * scale), encoding="utf-8")
    return path


def write_markdown(folder: Path, scale: int) -> Path:
    block = f"## Tiltak\n\nVi vil **styrke** [ettervernet](https://example.no) for dem. {PARAGRAPH}\n\n- ett\n- to\n\n"
    path = folder / f"notat-{scale}.md"
    path.write_text("---\ntitle: Notat\n---\n\n" + block * (5_000 * scale), encoding="utf-8")
    return path


def write_html(folder: Path, scale: int) -> Path:
    path = folder / f"side-{scale}.html"
    path.write_text("<html><body><main>" + f"<h2>Tiltak</h2><p>{PARAGRAPH}</p>\n" * (5_000 * scale)
                    + "</main></body></html>", encoding="utf-8")
    return path


def write_docx(folder: Path, scale: int, vary: bool = True) -> Path:
    """Paragraphs that differ (a number and the words turned), as a real document's do: Word's XML of
    one paragraph repeated packs past 200:1 and is refused as a zip bomb (a separate row)."""
    import docx

    document = docx.Document()
    words = PARAGRAPH.split()
    for number in range(5_000 * scale):
        turn = number % len(words) if vary else 0
        document.add_paragraph((f"{number}. " if vary else "") + " ".join(words[turn:] + words[:turn]))
    path = folder / f"notat-{scale}{'' if vary else '-lik'}.docx"
    document.save(str(path))
    return path


if __name__ == "__main__":  # the forkserver imports this module once (multiprocessing's '__main__' preload)
    main()
