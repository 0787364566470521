"""The citation style: one reference format for text, dated speeches, PDF pages and web pages."""

from __future__ import annotations

from kilde.app.cards import marked, passage_html
from kilde.app.citations import citation, quotation, source_label
from kilde.index.documents.reader import DocumentInfo
from kilde.index.documents.passages import Passage
from kilde.index.retrieval.search import Context


def cited(paragraph: int, page: int | None = None, text: str = "Vi vil gå fra straff til hjelp.", **info) -> Context:
    passage = Passage(id="abc", document_id=info.get("id", "doc"), paragraph=paragraph, text=text, section="",
                      page=page)
    return Context(passage, DocumentInfo(**{"id": "doc", **info}), None, None)


def test_undated_text():
    item = cited(22, title="Rusomsorg", publisher="Høyre", type="politikkside")
    assert citation(item) == "Høyre: «Rusomsorg», avsnitt 22"
    assert quotation(item) == "«Vi vil gå fra straff til hjelp.» (Høyre: «Rusomsorg», avsnitt 22)"


def test_dated_speech_names_type_and_date():
    item = cited(7, title="Opptrappingsplanen for rusfeltet", publisher="Statsministerens kontor",
                 speaker="Statsminister Erna Solberg", date="2015-05-26", type="tale")
    assert citation(item) == "Statsministerens kontor: «Opptrappingsplanen for rusfeltet», tale 26.05.2015, avsnitt 7"
    assert source_label(item.document) == ["Statsminister Erna Solberg · Statsministerens kontor", "tale"]


def test_pdf_names_page_and_paragraph():
    item = cited(2, page=3, title="Opptrappingsplan for rusfeltet (2016–2020)",
                 publisher="Helse- og omsorgsdepartementet", date="2015-10-02", type="proposisjon")
    assert citation(item) == ("Helse- og omsorgsdepartementet: «Opptrappingsplan for rusfeltet (2016–2020)», "
                              "proposisjon 02.10.2015, side 3, avsnitt 2")


def test_web_page_names_address_and_retrieval_date():
    item = cited(4, title="Rusreformen forklart", publisher="NRK", date="2021-03-12", type="artikkel",
                 url="https://www.nrk.no/rusreformen", retrieved="2024-06-01")
    assert citation(item) == ("NRK: «Rusreformen forklart», artikkel 12.03.2021, avsnitt 4, "
                              "https://www.nrk.no/rusreformen, hentet 01.06.2024")


def test_without_publisher_the_speaker_or_id_is_named():
    assert citation(cited(1, title="Innlegg", speaker="Ola Nordmann")) == "Ola Nordmann: «Innlegg», avsnitt 1"
    assert citation(cited(1, title="notat")) == "doc: «notat», avsnitt 1"
    assert source_label(DocumentInfo(id="notat", title="notat")) == ["notat"]


def test_marks_are_the_only_markup_in_a_paragraph():
    assert marked("a <b> & c. Neste.", [(0, 10)]) == "<mark>a &lt;b&gt; &amp; c.</mark> Neste."
    assert marked("Én. To. Tre.", [(8, 12), (0, 3)]) == "<mark>Én.</mark> To. <mark>Tre.</mark>"


def test_unknown_passage_gets_a_norwegian_message():
    html = passage_html(None, "ffff")
    assert "Fant ikke avsnittet «ffff»" in html and 'role="alert"' in html


def test_cited_speech_from_the_bundled_corpus(searcher):
    hit = next(h for h in searcher.search("Hva sa statsministeren om brukerinvolvering?", 5).hits
               if h.document.id == "opptrappingsplanen-for-rusfeltet")
    assert citation(hit) == (f"Statsministerens kontor (Regjeringen): «Opptrappingsplanen for rusfeltet», "
                             f"tale 26.05.2015, avsnitt {hit.passage.paragraph}")


def test_real_pdf_and_web_page_are_cited_in_their_own_terms(tmp_path):
    """The test_formats files, read by the real readers: a PDF page and an HTML page with a retrieval date."""
    from kilde.index.documents.reader import read_documents
    from kilde.index.documents.passages import split_document

    from .test_formats import LAST, PLAN, write_html, write_pdf

    (tmp_path / "rusomsorg.html.meta.toml").write_text('type = "politikkside"\nretrieved = 2024-06-01\n')
    for path, expected in [
        (write_pdf(tmp_path), "Helsedirektoratet: «Rapport om rusomsorg på Sørlandet», 05.03.2024, side 2, avsnitt 3"),
        (write_html(tmp_path), "Høyre: «Rusomsorg i Norge», politikkside 04.03.2021, avsnitt 4, "
                               "https://hoyre.no/politikk/rusomsorg/, hentet 01.06.2024"),
    ]:
        [document] = read_documents([path])
        passages = split_document(document)
        text = LAST if path.suffix == ".pdf" else PLAN
        passage = next(p for p in passages if " ".join(p.text.split()) == text)
        assert citation(Context(passage, document.info, None, None)) == expected
