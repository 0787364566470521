"""Parse budgets (issue 14 §3): one bad file never holds the machine, and a good one reads as before.

Real files, real parsers, a real child process: a zero-filled «PDF» (pdfminer's fallback scan of it
is quadratic) and deeply nested HTML are stopped at a small time budget set for the test, a PDF
over the page budget and files over their size budget are refused, a Word zip bomb is refused
from its central directory, and the CLI and the upload page give the Norwegian message naming the
file. Budgets are set as a user sets them: through the `KILDE_PARSE_…` environment variables.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import psutil
import pytest
from fpdf import FPDF

from kilde.app.texts import ERRORS, describe
from kilde.app.upload import ingest
from kilde.index import Library
from kilde.index.documents.budgets import Budgets
from kilde.index.documents.formats import _read, read_file
from kilde.index.documents.reader import read_documents
from kilde.index.errors import CorpusError

from .conftest import run_kilde
from .test_formats import write_docx, write_pdf
from .test_ingest import PAGE
from .test_upload import index_dir  # noqa: F401 (a fixture: a copy of the bundled index)

ZEROS_MB = 8  # pdfminer alone: ~8 s on a 2-core machine (quadratic: 1/2/4 MB take 0.14/0.43/1.7 s)


def refused(path: Path, code: str) -> CorpusError:
    """The CorpusError reading `path` gives, checked to carry `code` and a message naming the file."""
    with pytest.raises(CorpusError) as raised:
        read_documents([path])
    assert raised.value.code == code, raised.value
    assert code in ERRORS and path.name in describe(raised.value)
    return raised.value


def parse_children() -> list[psutil.Process]:
    """The children of this process's forkserver: the parses still running."""
    servers = [child for child in psutil.Process().children()
               if "multiprocessing.forkserver" in " ".join(child.cmdline())]
    return [parse for server in servers for parse in server.children()]


def write_zeros_pdf(folder: Path, megabytes: int = ZEROS_MB) -> Path:
    path = folder / "nuller.pdf"
    path.write_bytes(bytes(megabytes * 1024 * 1024))
    return path


def write_pages(folder: Path, pages: int) -> Path:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    topics = ["ettervern", "lavterskeltilbud", "pårørende", "ventetid", "brukerplaner"]
    for number in range(pages):
        pdf.add_page()
        pdf.set_y(80)  # in the middle of the page, where no furniture is taken away
        pdf.multi_cell(0, 5, f"Dette kapitlet handler om {topics[number % len(topics)]} i kommunene.")
    path = folder / "lang-rapport.pdf"
    pdf.output(str(path))
    return path


def test_a_slow_pdf_is_stopped_at_the_time_budget_and_its_child_is_gone(tmp_path, monkeypatch):
    monkeypatch.setenv("KILDE_PARSE_SECONDS", "0.5")
    error = refused(write_zeros_pdf(tmp_path), "corpus.too_slow")
    assert "etter 0,5 sekunder" in describe(error) and "KILDE_PARSE_SECONDS" in describe(error)
    assert parse_children() == []  # killed and reaped, not left running


def test_deeply_nested_html_is_stopped_at_the_time_budget(tmp_path, monkeypatch):
    """HTML is not linear in its nesting (4,000 nested furniture <div>s, 110 KB: 33 s without a budget)."""
    monkeypatch.setenv("KILDE_PARSE_SECONDS", "0.5")
    path = tmp_path / "meny.html"
    path.write_text("<html><body><main><h1>Meny</h1><p>Tekst.</p></main>" + "<div class='menu'>m " * 4000
                    + "</div>" * 4000 + "</body></html>", encoding="utf-8")
    refused(path, "corpus.too_slow")
    assert parse_children() == []


def test_a_pdf_over_the_page_budget_is_refused(tmp_path, monkeypatch):
    path = write_pages(tmp_path, 4)
    assert read_documents([path])[0].text.count("\f") == 3  # four pages read under the default budget
    monkeypatch.setenv("KILDE_PARSE_PDF_PAGES", "3")
    assert "over 3 sider" in describe(refused(path, "corpus.too_many_pages"))


SIZES = {  # a file of each format, and the variable of its size budget
    "rapport.pdf": "KILDE_PARSE_PDF_MB", "notat.docx": "KILDE_PARSE_DOCX_MB", "side.html": "KILDE_PARSE_HTML_MB",
    "notat.md": "KILDE_PARSE_MD_MB", "notat.txt": "KILDE_PARSE_TXT_MB", "korpus.jsonl": "KILDE_PARSE_JSONL_MB",
}


@pytest.mark.parametrize("name", SIZES)
def test_a_file_over_its_size_budget_is_refused_before_it_is_opened(tmp_path, monkeypatch, name):
    path = tmp_path / name
    path.write_bytes(b"\xff" * 3000)  # nothing any parser could read: only the size check answers
    monkeypatch.setenv(SIZES[name], "0.002")  # 2,097 bytes
    message = describe(refused(path, "corpus.too_large"))
    assert "0,002 MB" in message and SIZES[name] in message


def write_docx_with(folder: Path, name: str, data: bytes, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A real Word document with one more member in its zip."""
    path = write_docx(folder)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def test_a_docx_zip_bomb_is_refused_from_its_central_directory(tmp_path):
    path = write_docx_with(tmp_path, "word/media/bilde1.png", bytes(64 * 1024 * 1024))  # 64 MB of zeros
    assert path.stat().st_size < 1024 * 1024
    message = describe(refused(path, "corpus.zip_bomb"))
    assert "«word/media/bilde1.png»" in message and "grensen er 500:1" in message


def test_a_docx_that_unpacks_too_large_or_has_too_many_parts_is_refused(tmp_path, monkeypatch):
    path = write_docx_with(tmp_path, "word/media/bilde1.png", os.urandom(3 * 1024 * 1024), zipfile.ZIP_STORED)
    assert read_documents([path])  # a large picture packs 1:1 and is read under the default budgets
    monkeypatch.setenv("KILDE_PARSE_DOCX_UNZIPPED_MB", "2")
    refused(path, "corpus.unpacks_too_large")
    monkeypatch.delenv("KILDE_PARSE_DOCX_UNZIPPED_MB")
    monkeypatch.setenv("KILDE_PARSE_DOCX_PARTS", "5")
    refused(path, "corpus.too_many_parts")


def write_flate_bomb_pdf(folder: Path, megabytes: int) -> Path:
    """A one-page PDF whose content stream inflates from a few hundred KB to `megabytes` MB."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    stream = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = folder / "oppblast.pdf"
    path.write_bytes(body)
    return path


def test_a_parse_past_the_memory_budget_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("KILDE_PARSE_MEMORY_MB", "100")
    refused(write_flate_bomb_pdf(tmp_path, 400), "corpus.too_much_memory")
    assert parse_children() == []


@pytest.mark.parametrize("write", [write_pdf, write_docx])
def test_a_normal_pdf_and_docx_read_in_the_child_exactly_as_in_process(tmp_path, write):
    path = write(tmp_path)
    assert read_file(path) == _read(path, Budgets())


def test_a_bad_budget_variable_is_a_norwegian_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KILDE_PARSE_SECONDS", "mange")
    with pytest.raises(CorpusError) as raised:
        read_documents([write_pages(tmp_path, 1)])
    assert describe(raised.value) == "Miljøvariabelen KILDE_PARSE_SECONDS må være et positivt tall, ikke «mange»."


def test_kilde_add_of_a_slow_pdf_exits_2_with_the_message(tmp_path):
    bad = write_zeros_pdf(tmp_path)
    result = run_kilde("add", str(bad), "--index", str(tmp_path / "indeks"), env={"KILDE_PARSE_SECONDS": "1"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"Kilde ga opp å lese {bad} etter 1 sekunder" in result.stderr


def upload_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A folder standing for Gradio's upload folder, holding one good web page."""
    temp = tmp_path / "gradio-temp"
    temp.mkdir()
    page = temp / "lavterskel.html"
    page.write_text(PAGE, encoding="utf-8")
    return temp, page


def test_an_upload_adds_the_good_files_and_names_the_bad_one(tmp_path, index_dir, embedder, monkeypatch):  # noqa: F811
    monkeypatch.setenv("KILDE_PARSE_SECONDS", "0.5")
    temp, page = upload_folder(tmp_path)
    bad = write_zeros_pdf(temp)
    message = ingest(Library.open(index_dir, model=embedder), [bad, page], {})
    assert message.startswith("Lagt til: «lavterskel».")
    assert "Kilde ga opp å lese nuller.pdf etter 0,5 sekunder" in message and str(tmp_path) not in message
    assert (index_dir / "uploads" / "lavterskel.html").exists() and not (index_dir / "uploads" / "nuller.pdf").exists()
    assert parse_children() == []


def test_the_files_of_one_upload_share_its_budget(tmp_path, index_dir, embedder, monkeypatch):  # noqa: F811
    monkeypatch.setenv("KILDE_PARSE_SECONDS", "0.5")
    monkeypatch.setenv("KILDE_PARSE_UPLOAD_SECONDS", "0.8")
    temp, page = upload_folder(tmp_path)
    zeros = write_zeros_pdf(temp)
    bad = [zeros.rename(temp / "treg-1.pdf")] + [temp / f"treg-{i}.pdf" for i in (2, 3, 4)]
    for copy in bad[1:]:
        copy.write_bytes(bad[0].read_bytes())
    message = ingest(Library.open(index_dir, model=embedder), [page, *bad], {})
    assert message.startswith("Lagt til: «lavterskel».")
    assert "treg-1.pdf" in message and "ble ikke lest" in message and "«treg-4.pdf»" in message
    late = message.split("ble ikke lest", 1)[1]
    assert "treg-1.pdf" not in late  # the first slow file was read (and stopped), the last ones never started
    assert parse_children() == []
