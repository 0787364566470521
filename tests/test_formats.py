"""Your own documents: every format's passages are verbatim and found again by their citation.

Each test writes its own files (Markdown, HTML, PDF through fpdf2, docx through
python-docx, plain text) with Norwegian letters, headings and a boilerplate block,
then checks the extracted text, the paragraph (and page) numbers, the metadata and
the errors a broken file gives.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from fpdf.enums import EncryptionMethod

from kilde.app.texts import ERRORS, describe
from kilde.index.documents.reader import read_documents
from kilde.index.errors import CorpusError
from kilde.index.documents.passages import split_document

from .conftest import run_kilde

# The same document in every format: a title heading, an introduction, a section
# heading, the paragraph under it, a long paragraph, boilerplate, and a second section.
TITLE = "Rusomsorg"
INTRO = "Flere unge sliter med rusproblemer, og hjelpen må komme tidlig."
SECTION = "Dette vil vi gjøre"
PLAN = "Vi vil styrke ettervernet for dem som går ut av behandling på Sørlandet."
LONG = ("Ventetiden for tverrfaglig spesialisert rusbehandling skal ned, og ingen skal stå i kø for å få "
        "hjelp når de først har bestemt seg. Derfor vil vi gi kommunene og helseforetakene et felles ansvar "
        "for å følge opp både pasienter og pårørende, også i årene etter behandlingen.")
BOILERPLATE = "Til toppen"
SECOND_SECTION = "Tiltak"
LAST = "Ærlig talt må økonomien følge pasienten, ikke omvendt."
FORMATS = ["txt", "md", "html", "pdf", "docx"]


def write_txt(folder: Path) -> Path:
    path = folder / "rusomsorg.txt"
    path.write_text("\n\n".join([TITLE, INTRO, SECTION, PLAN, LONG, BOILERPLATE, SECOND_SECTION, LAST]) + "\n",
                    encoding="utf-8")
    return path


MARKDOWN = f"""---
title: Rusomsorg i Norge
author: Høyre
date: 2021-03-04
url: https://hoyre.no/rusomsorg
tags: [rus, helse]
---

# {TITLE}

Flere unge sliter med **rusproblemer**, og hjelpen må komme _tidlig_.

## {SECTION}

Vi vil styrke [ettervernet](https://hoyre.no/ettervern) for dem som går ut av behandling på Sørlandet.

Ventetiden for tverrfaglig spesialisert rusbehandling skal ned, og ingen skal stå i kø for å få hjelp
når de først har bestemt seg. Derfor vil vi gi kommunene og helseforetakene et *felles ansvar* for å
følge opp både pasienter og pårørende, også i årene etter behandlingen.

{BOILERPLATE}

---

{SECOND_SECTION}
------

- Gi flere `lavterskeltilbud` i kommunene
- Sørge for at **økonomien** følger pasienten

{LAST}
"""


def write_md(folder: Path) -> Path:
    path = folder / "rusomsorg.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    return path


HTML = f"""<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8">
<title>Rusomsorg – Høyre</title>
<meta name="description" content="Høyres politikk for rusomsorg.">
<meta property="og:title" content="Rusomsorg i Norge">
<meta property="og:site_name" content="Høyre">
<meta name="author" content="Ola Nordmann">
<meta property="article:published_time" content="2021-03-04T10:00:00+01:00">
<meta property="og:url" content="https://hoyre.no/?p=42">
<link rel="canonical" href="https://hoyre.no/politikk/rusomsorg/">
<style>p {{ color: black }}</style><script>document.write("Skript er ikke tekst");</script>
</head><body>
<a class="skip-link" href="#innhold">Hopp til hovedinnhold</a>
<header class="site-header"><a href="/">Høyre forsiden</a>
<nav><ul><li><a href="/politikk">Politikken vår</a></li><li><a href="/om">Om partiet</a></li></ul></nav></header>
<div id="cookie-consent"><p>Vi bruker informasjonskapsler for å gi deg en bedre opplevelse.</p><button>Godta alle</button></div>
<main id="innhold"><article>
<header><h1>{TITLE}</h1></header>
<p>Flere unge sliter med <strong>rusproblemer</strong>,
   og hjelpen må komme tidlig.</p>
<h2>{SECTION}</h2>
<p>Vi vil styrke <a href="/ettervern">ettervernet</a> for dem som går ut av behandling på&nbsp;Sørlandet.</p>
<div>{LONG}</div>
<p><a href="#top">{BOILERPLATE}</a></p>
<div class="share-buttons"><a href="https://facebook.com/share">Del på Facebook</a></div>
<!-- redaksjonell merknad -->
<h2>{SECOND_SECTION}</h2>
<ul><li>Gi flere lavterskeltilbud i kommunene</li><li>Sørge for at økonomien følger pasienten<br>i hele landet</li></ul>
<table><tr><th>Tiltak</th><th>År</th></tr><tr><td>Pakkeforløp</td><td>2020</td></tr></table>
<p>{LAST}</p>
</article></main>
<aside><p>Les også om psykisk helse.</p></aside>
<footer><p>© Høyre · Stortinget, 0026 Oslo</p></footer>
</body></html>
"""
# Text from the page's furniture, which must not reach the extracted text.
HTML_FURNITURE = ["Skript er ikke tekst", "Hopp til hovedinnhold", "Høyre forsiden", "Politikken vår", "Om partiet",
                  "informasjonskapsler", "Godta alle", "Til toppen", "Del på Facebook", "redaksjonell merknad",
                  "Les også om psykisk helse", "Stortinget, 0026 Oslo"]


def write_html(folder: Path) -> Path:
    path = folder / "rusomsorg.html"
    path.write_text(HTML, encoding="utf-8")
    return path


class _Report(FPDF):
    """A two-page report with a running header and «Side N av M» footers, as offices print them."""

    def header(self) -> None:
        self.set_font("helvetica", size=8)
        self.cell(0, 5, "Helsedirektoratet · Rapport IS-3045", align="R")
        self.ln(12)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=8)
        self.cell(0, 10, f"Side {self.page_no()} av {{nb}}", align="C")


def write_pdf(folder: Path) -> Path:
    pdf = _Report()
    pdf.set_title("Rapport om rusomsorg på Sørlandet")
    pdf.set_author("Helsedirektoratet")
    pdf.set_creation_date(datetime(2024, 3, 5, 12, 0))

    def block(text: str, size: int, line_height: float, style: str = "") -> None:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(0, line_height, text, align="L")
        pdf.ln(4)

    pdf.add_page()
    block(TITLE, 16, 8, "B")
    block(INTRO, 11, 5)
    block(SECTION, 13, 6, "B")
    block(PLAN, 11, 5)
    block(LONG, 11, 5)
    block(BOILERPLATE, 11, 5)
    pdf.add_page()
    block(SECOND_SECTION, 13, 6, "B")
    block(LONG, 11, 9)  # the same paragraph set with wide line spacing
    block(LAST, 11, 5)
    path = folder / "rusomsorg.pdf"
    pdf.output(str(path))
    return path


def write_docx(folder: Path) -> Path:
    document = docx.Document()
    properties = document.core_properties
    properties.title = "Notat om rusomsorg"
    properties.author = "Helse- og omsorgsdepartementet"
    properties.created = datetime(2023, 11, 2, 9, 30)
    document.sections[0].header.paragraphs[0].text = "Topptekst: Internt notat"
    document.add_heading(TITLE, 1)
    document.add_paragraph(INTRO)
    document.add_paragraph("")  # an empty paragraph does not count
    document.add_heading(SECTION, 2)
    document.add_paragraph(PLAN)
    first, _, rest = LONG.partition(" Derfor")
    long = document.add_paragraph(first)
    long.add_run().add_break()  # a line break stays inside the paragraph
    long.add_run("Derfor" + rest)
    document.add_paragraph(BOILERPLATE)
    document.add_heading(SECOND_SECTION, 2)
    document.add_paragraph("Gi flere lavterskeltilbud i kommunene", style="List Bullet")
    document.add_paragraph("Sørge for at økonomien følger pasienten", style="List Bullet")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "Tiltak"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "År"
    table.cell(1, 0).text, table.cell(1, 1).text, table.cell(1, 2).text = "Pakkeforløp", "2020", "2021"
    document.add_paragraph(LAST)
    path = folder / "rusomsorg.docx"
    document.save(str(path))
    return path


WRITERS = {"txt": write_txt, "md": write_md, "html": write_html, "pdf": write_pdf, "docx": write_docx}


def read_one(path: Path, **overrides: str):
    [document] = read_documents([path], overrides or None)
    return document, split_document(document)


def located(text: str, page: int | None, paragraph: int) -> str:
    """The cited block, counted afresh: the N-th non-empty blank-line-separated block of page P."""
    chunk = text.split("\f")[(page or 1) - 1]
    return [b.strip() for b in re.split(r"\n[^\S\n]*\n", chunk) if b.strip()][paragraph - 1]


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_passage_is_verbatim_and_its_citation_locates_it(tmp_path, fmt):
    document, passages = read_one(WRITERS[fmt](tmp_path))
    assert len(passages) >= 4
    assert re.search("[æøåÆØÅ]", document.text)
    for passage in passages:
        assert document.text[passage.start : passage.start + len(passage.text)] == passage.text
        assert located(document.text, passage.page, passage.paragraph) == passage.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_known_paragraphs_sections_and_pages(tmp_path, fmt):
    _, passages = read_one(WRITERS[fmt](tmp_path))
    by_text = {p.text: p for p in passages}
    assert (by_text[INTRO].page, by_text[INTRO].paragraph) == (1 if fmt == "pdf" else None, 2)
    assert (by_text[PLAN].page, by_text[PLAN].paragraph) == (1 if fmt == "pdf" else None, 4)
    assert by_text[PLAN].section == SECTION
    assert by_text[LAST].section.endswith(SECOND_SECTION)
    long = [p for p in passages if " ".join(p.text.split()) == LONG]
    assert long and all(p.paragraph == 5 or p.page == 2 for p in long)  # wrapped lines stay one paragraph
    headings = {TITLE, SECTION, SECOND_SECTION}
    assert not headings & set(by_text)


@pytest.mark.parametrize("fmt", FORMATS)
def test_boilerplate_never_becomes_a_passage(tmp_path, fmt):
    document, passages = read_one(WRITERS[fmt](tmp_path))
    assert all(p.text != BOILERPLATE for p in passages)
    assert all(re.search(r"\w", p.text) for p in passages)  # «---» and the like are no passages either


def test_markdown_citations_count_the_blocks_of_the_file_itself(tmp_path):
    path = write_md(tmp_path)
    document, passages = read_one(path)
    body = MARKDOWN.split("---\n", 2)[2]  # the file after its front matter
    raw_blocks = [b for b in re.split(r"\n[^\S\n]*\n", body) if b.strip()]
    assert len(raw_blocks) == len(re.split(r"\n\n", document.text))
    for passage in passages:
        raw = raw_blocks[passage.paragraph - 1]
        assert words(passage.text) == [w for w in words(raw) if w in words(passage.text)]  # same words, in order
    by_paragraph = {p.paragraph: p.text for p in passages}
    assert by_paragraph[2] == INTRO  # «**rusproblemer**» and «_tidlig_» lose their markup
    assert by_paragraph[4] == PLAN  # the link keeps its text, not its target
    assert by_paragraph[9] == "- Gi flere lavterskeltilbud i kommunene\n- Sørge for at økonomien følger pasienten"
    assert "rusomsorg" not in document.text.split("\n\n")[0]  # front matter is metadata, not text


def test_html_keeps_the_main_content_and_drops_the_furniture(tmp_path):
    document, passages = read_one(write_html(tmp_path))
    for furniture in HTML_FURNITURE:
        assert furniture not in document.text
    texts = [p.text for p in passages]
    # a list is one block, an item a line; <br> is a line break inside the item
    assert "- Gi flere lavterskeltilbud i kommunene\n- Sørge for at økonomien følger pasienten\n  i hele landet" in texts
    assert "Tiltak | År\nPakkeforløp | 2020" in texts  # a table is one block, a row a line
    assert document.text.startswith(TITLE + "\n\n")  # the article's own header stays


def test_html_without_main_drops_the_site_header_and_footer(tmp_path):
    path = tmp_path / "side.htm"
    path.write_bytes("""<html><head><title>Blåbærtur</title></head><body>
        <header><p>Turlaget Sørlandet</p></header>
        <div class="menu"><a href="/">Hjem</a></div>
        <h1>Blåbærtur</h1><p>Vi går fra Østre Ø kl. 10.</p>
        <footer><p>Kontakt oss</p></footer></body></html>""".encode("windows-1252"))  # no charset declared
    document, passages = read_one(path)
    assert document.text == "Blåbærtur\n\nVi går fra Østre Ø kl. 10."
    assert document.info.title == "Blåbærtur"


def test_html_furniture_never_takes_the_content_with_it(tmp_path):
    paragraphs = "".join(f"<p>Avsnitt {n}: søknadsfristen for barnehageplass er 1. mars.</p>" for n in range(1, 6))
    path = tmp_path / "kommune.html"
    path.write_text(f"""<html><body><form id="aspnetForm" action="/">
        <form class="search"><p>Søk i kommunen</p></form>
        <div class="page-wrapper menu-open"><h2>Barnehageplass</h2>{paragraphs}</div>
        </form></body></html>""", encoding="utf-8")
    document, passages = read_one(path)
    assert "Søk i kommunen" not in document.text
    assert len(passages) == 5 and passages[0].section == "Barnehageplass"


def test_pdf_pages_drop_page_numbers_and_running_headers(tmp_path):
    document, passages = read_one(write_pdf(tmp_path))
    pages = document.text.split("\f")
    assert len(pages) == 2
    assert "Side 1" not in document.text and "Helsedirektoratet ·" not in document.text
    assert pages[1].startswith(SECOND_SECTION)
    last = next(p for p in passages if p.text == LAST)
    assert (last.page, last.paragraph, last.section) == (2, 3, SECOND_SECTION)


def test_docx_reads_body_paragraphs_lists_and_tables_but_not_page_headers(tmp_path):
    document, passages = read_one(write_docx(tmp_path))
    assert "Topptekst" not in document.text
    texts = [p.text for p in passages]
    assert "- Gi flere lavterskeltilbud i kommunene\n- Sørge for at økonomien følger pasienten" in texts
    assert "Tiltak | År\nPakkeforløp | 2020 | 2021" in texts  # a cell merged across two columns once
    assert any(text.startswith("Ventetiden") and "\nDerfor" in text for text in texts)


EMBEDDED = {
    "txt": {"title": "rusomsorg"},
    "md": {"title": "Rusomsorg i Norge", "publisher": "Høyre", "date": "2021-03-04", "url": "https://hoyre.no/rusomsorg"},
    "html": {"title": "Rusomsorg i Norge", "publisher": "Høyre", "date": "2021-03-04",
             "url": "https://hoyre.no/politikk/rusomsorg/", "description": "Høyres politikk for rusomsorg."},
    # The file's creation date (2024-03-05, 2023-11-02) is when it was made, not published: no date.
    "pdf": {"title": "Rapport om rusomsorg på Sørlandet", "publisher": "Helsedirektoratet", "date": ""},
    "docx": {"title": "Notat om rusomsorg", "publisher": "Helse- og omsorgsdepartementet", "date": ""},
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_metadata_comes_from_the_document_itself(tmp_path, fmt):
    path = WRITERS[fmt](tmp_path)
    document, _ = read_one(path)
    info = document.info.as_json()
    assert {key: info[key] for key in EMBEDDED[fmt]} == EMBEDDED[fmt]
    assert (document.info.id, document.info.source) == ("rusomsorg", str(path))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_sidecar_wins_over_the_document_and_overrides_win_over_both(tmp_path, fmt):
    path = WRITERS[fmt](tmp_path)
    path.with_name(path.name + ".meta.toml").write_text(
        'title = "Fra sidefilen"\ndate = "26.05.2015"\ntype = "rapport"\nretrieved = 2024-06-01\nsak = "24/1234"\n',
        encoding="utf-8")
    document, _ = read_one(path)
    info = document.info
    assert (info.title, info.date, info.type, info.retrieved) == ("Fra sidefilen", "2015-05-26", "rapport", "2024-06-01")
    assert info.publisher == EMBEDDED[fmt].get("publisher", "")  # what the sidecar leaves out still comes from the file
    assert ("sak", "24/1234") in info.extra
    document, _ = read_one(path, title="Fra kommandolinjen", date="2020-01-31", publisher="NRK", url=None)
    info = document.info
    assert (info.title, info.date, info.publisher, info.type) == ("Fra kommandolinjen", "2020-01-31", "NRK", "rapport")
    assert info.url == EMBEDDED[fmt].get("url", "")  # an unset flag overrides nothing


def test_a_folder_reads_every_format_with_its_metadata(tmp_path):
    for fmt in FORMATS:
        folder = tmp_path / fmt
        folder.mkdir()
        WRITERS[fmt](folder).rename(tmp_path / f"rusomsorg-{fmt}.{fmt}")
    (tmp_path / "metadata.toml").write_text('[rusomsorg-pdf]\npublisher = "Helsedirektoratet (Hdir)"\n'
                                            '[rusomsorg-md]\nfile = "rusomsorg-md.md"\ntype = "notat"\n',
                                            encoding="utf-8")
    (tmp_path / "~$somsorg-docx.docx").write_bytes(b"Word's lock file")
    (tmp_path / ".skjult.md").write_text("skjult", encoding="utf-8")
    documents = {d.info.id: d for d in read_documents([tmp_path])}
    assert sorted(documents) == sorted(f"rusomsorg-{fmt}" for fmt in FORMATS)
    assert documents["rusomsorg-pdf"].info.publisher == "Helsedirektoratet (Hdir)"  # matched by file stem
    assert documents["rusomsorg-md"].info.type == "notat"  # matched by file name
    assert documents["rusomsorg-pdf"].info.title == EMBEDDED["pdf"]["title"]


def test_overrides_name_only_document_fields(tmp_path):
    with pytest.raises(ValueError):
        read_documents([write_txt(tmp_path)], {"id": "annet"})


def write_bytes(name: str, data: bytes):
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path
    return write


def write_docx_without_document(folder: Path) -> Path:
    path = folder / "tom.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hei.txt", "ikke et Word-dokument")
    return path


def write_encrypted_pdf(folder: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.cell(0, 10, "Hemmelig notat om økonomi")
    pdf.set_encryption(owner_password="eier", user_password="hemmelig", encryption_method=EncryptionMethod.RC4)
    path = folder / "hemmelig.pdf"
    pdf.output(str(path))
    return path


def write_scanned_pdf(folder: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 160)  # a page with a picture and no text layer
    path = folder / "skannet.pdf"
    pdf.output(str(path))
    return path


def write_bad_front_matter(folder: Path) -> Path:
    path = folder / "notat.md"
    path.write_text("---\ntitle: [uavsluttet\n---\n\nTekst.\n", encoding="utf-8")
    return path


def write_bad_sidecar(folder: Path) -> Path:
    path = write_txt(folder)
    path.with_name(path.name + ".meta.toml").write_text('title = "mangler slutt\n', encoding="utf-8")
    return path


BROKEN = {
    "corrupt pdf": (write_bytes("rapport.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"),
                    "corpus.unreadable"),
    "truncated pdf": (lambda folder: write_bytes("kort.pdf", write_pdf(folder).read_bytes()[:600])(folder),
                      "corpus.unreadable"),
    "encrypted pdf": (write_encrypted_pdf, "corpus.encrypted"),
    "scanned pdf": (write_scanned_pdf, "corpus.no_text"),
    "docx that is no zip": (write_bytes("notat.docx", b"Dette er ikke et Word-dokument."), "corpus.unreadable"),
    "zip that is no docx": (write_docx_without_document, "corpus.unreadable"),
    "latin-1 text": (write_bytes("notat.txt", "Blåbærsyltetøy".encode("latin-1")), "corpus.not_utf8"),
    "latin-1 markdown": (write_bytes("notat.md", "# Blåbær\n\nSyltetøy".encode("latin-1")), "corpus.not_utf8"),
    "bad front matter": (write_bad_front_matter, "corpus.bad_metadata"),
    "bad sidecar": (write_bad_sidecar, "corpus.bad_metadata"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_bad_file_is_a_corpus_error_with_a_clear_code(tmp_path, case):
    writer, code = BROKEN[case]
    path = writer(tmp_path)
    with pytest.raises(CorpusError) as raised:
        read_documents([path])
    assert raised.value.code == code
    assert code in ERRORS and str(path.name) in describe(raised.value)


def test_the_cli_reports_a_broken_file_without_a_traceback(tmp_path):
    broken = write_bytes("rapport.pdf", b"%PDF-1.7 ikke mer")(tmp_path)
    result = run_kilde("index", str(broken), "--index", str(tmp_path / "indeks"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "rapport.pdf kan ikke leses som .pdf-fil" in result.stderr


# ---- Issue 11: metadata that cites wrong ----

def test_markdown_first_heading_is_the_title(tmp_path):
    path = tmp_path / "mote-2024-03.md"
    path.write_text("Innledende tekst før overskriften.\n\n# Møtenotat om *rusomsorg*\n\n## Del 1\n\n"
                    "Vi ble enige om å styrke ettervernet.\n\n# En annen overskrift\n", encoding="utf-8")
    document, _ = read_one(path)
    assert document.info.title == "Møtenotat om rusomsorg"
    (tmp_path / "setext.md").write_text("Referat fra styremøtet\n======\n\nTekst her.\n", encoding="utf-8")
    assert read_one(tmp_path / "setext.md")[0].info.title == "Referat fra styremøtet"
    (tmp_path / "uten.md").write_text("## Bare et underavsnitt\n\nTekst her.\n", encoding="utf-8")
    assert read_one(tmp_path / "uten.md")[0].info.title == "uten"  # no level-1 heading: the file name
    assert read_one(write_md(tmp_path))[0].info.title == "Rusomsorg i Norge"  # front matter still wins


NEWS = """<html lang="nb"><head><meta charset="utf-8"><title>Rusreformen skaper debatt | Fjordvik Avis</title>
<meta property="og:site_name" content="Fjordvik Avis">{og}</head><body><main><article>
<h1>{h1}</h1>
<ul class="deling"><li><a href="https://facebook.com/x">Del på Facebook</a></li><li><a href="https://x.com/y">Del på X</a></li></ul>
<p><a href="mailto:?">Del på e-post</a> / <a href="https://linkedin.com/z">Del på LinkedIn</a></p>
<p>Kommunestyret i Fjordvik diskuterte rusreformen i går kveld, og debatten ble lang.</p>
<ul><li><a href="/a">Del av saken</a>: les hele vedtaket</li></ul>
</article></main></body></html>"""


def test_html_title_prefers_og_title_then_h1_and_drops_the_site_name(tmp_path):
    def title(og: str, h1: str) -> str:
        path = tmp_path / "sak.html"
        path.write_text(NEWS.format(og=og, h1=h1), encoding="utf-8")
        return read_one(path)[0].info.title

    assert title('<meta property="og:title" content="Rusreformen skaper debatt i Fjordvik">', "Overskrift") == \
        "Rusreformen skaper debatt i Fjordvik"
    assert title('<meta property="og:title" content="Rusreformen – Fjordvik Avis">', "Overskrift") == "Rusreformen"
    assert title("", "Rusreformen skaper debatt i kommunestyret") == "Rusreformen skaper debatt i kommunestyret"
    assert title("", "") == "Rusreformen skaper debatt"  # <title> without « | Fjordvik Avis»


def test_html_share_list_inside_an_article_is_no_paragraph(tmp_path):
    path = tmp_path / "sak.html"
    path.write_text(NEWS.format(og="", h1="Rusreformen"), encoding="utf-8")
    document, passages = read_one(path)
    assert "Del på" not in document.text
    assert any(p.text.startswith("Kommunestyret i Fjordvik") for p in passages)
    assert "- Del av saken: les hele vedtaket" in document.text  # a link that is not a share link stays


def test_pdf_creation_date_is_no_publication_date_and_one_page_has_no_page(tmp_path):
    pdf = _Report()
    pdf.set_title("Kort notat")
    pdf.set_creation_date(datetime(2024, 3, 5, 12, 0))
    pdf.add_page()
    pdf.set_font("helvetica", "", 11)
    pdf.multi_cell(0, 5, INTRO, align="L")
    pdf.ln(4)
    pdf.multi_cell(0, 5, PLAN, align="L")
    path = tmp_path / "notat.pdf"
    pdf.output(str(path))
    document, passages = read_one(path)
    assert document.info.date == ""
    assert passages and all(p.page is None for p in passages)
    from kilde.app.citations import citation
    from kilde.index.retrieval.search import Context

    cited = citation(Context(passages[0], document.info, None, None))
    assert "side" not in cited and cited.endswith(f"avsnitt {passages[0].paragraph}")
