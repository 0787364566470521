"""The citation style: one reference format for text, dated speeches, PDF pages and web pages."""

from __future__ import annotations

from kilde.app.cards import marked, passage_html
from kilde.app.citations import citation, citations, quotation, result_json, source_label
from kilde.app.reference import person
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
    assert quotation(item) == "«Vi vil gå fra straff til hjelp.» – Høyre: «Rusomsorg», avsnitt 22"


def test_dated_speech_names_type_and_date():
    item = cited(7, title="Opptrappingsplanen for rusfeltet", publisher="Statsministerens kontor",
                 speaker="Statsminister Erna Solberg", date="2015-05-26", type="tale")
    assert citation(item) == ("Statsminister Erna Solberg, Statsministerens kontor: «Opptrappingsplanen for rusfeltet», "
                              "tale 26.05.2015, avsnitt 7")
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


def test_without_publisher_the_speaker_or_only_the_title_is_named():
    assert citation(cited(1, title="Innlegg", speaker="Ola Nordmann")) == "Ola Nordmann: «Innlegg», avsnitt 1"
    assert citation(cited(1, title="notat")) == "«notat», avsnitt 1"  # the file's id is no author
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
    assert citation(hit) == (f"Statsminister Erna Solberg, Statsministerens kontor (Regjeringen): «Opptrappingsplanen for rusfeltet», "
                             f"tale 26.05.2015, avsnitt {numbers(hit.passage)}")


def test_real_pdf_and_web_page_are_cited_in_their_own_terms(tmp_path):
    """The test_formats files, read by the real readers: a PDF page and an HTML page with a retrieval date."""
    from kilde.index.documents.reader import read_documents
    from kilde.index.documents.passages import split_document

    from .test_formats import LAST, PLAN, write_html, write_pdf

    (tmp_path / "rusomsorg.html.meta.toml").write_text('type = "politikkside"\nretrieved = 2024-06-01\n')
    for path, expected in [
        (write_pdf(tmp_path), "Helsedirektoratet: «Rapport om rusomsorg på Sørlandet», side 2, avsnitt 3"),
        (write_html(tmp_path), "Høyre: «Rusomsorg i Norge», politikkside 04.03.2021, avsnitt 4, "
                               "https://hoyre.no/politikk/rusomsorg/, hentet 01.06.2024"),
    ]:
        [document] = read_documents([path])
        passages = split_document(document)
        text = LAST if path.suffix == ".pdf" else PLAN
        passage = next(p for p in passages if " ".join(p.text.split()) == text)
        assert citation(Context(passage, document.info, None, None)) == expected


# ---- Issue 11: two citation forms, the speaker named, no nested parentheses, APA 7 (Norwegian) ----

SPEECH_INFO = dict(id="tale", title="Opptrappingsplanen for rusfeltet", publisher="Statsministerens kontor (Regjeringen)",
                   speaker="Statsminister Erna Solberg", date="2015-05-26", type="tale")


def test_quote_names_the_speaker_without_nested_parentheses():
    item = cited(20, **SPEECH_INFO)
    assert quotation(item) == ("«Vi vil gå fra straff til hjelp.» – Statsminister Erna Solberg, Statsministerens kontor "
                               "(Regjeringen): «Opptrappingsplanen for rusfeltet», tale 26.05.2015, avsnitt 20")
    assert not quotation(item).endswith(")")  # the publisher's own parentheses are the only ones


def test_reference_is_apa7_norwegian_for_each_kind_of_document():
    assert citations(cited(20, **SPEECH_INFO)).reference == (
        "Solberg, E. (2015, 26. mai). Opptrappingsplanen for rusfeltet [Tale]. Statsministerens kontor (Regjeringen).")
    web = cited(4, title="Rusomsorg i Norge", publisher="Høyre", type="politikkside",
                url="https://hoyre.no/politikk/rusomsorg/", retrieved="2024-06-01")
    assert citations(web).reference == "Høyre. (u.å.). Rusomsorg i Norge. Hentet 1. juni 2024 fra https://hoyre.no/politikk/rusomsorg/"
    dated_web = cited(4, title="Rusreformen forklart", publisher="NRK", date="2021-03-12", type="artikkel",
                      url="https://www.nrk.no/rusreformen", retrieved="2024-06-01")
    assert citations(dated_web).reference == "NRK. (2021, 12. mars). Rusreformen forklart. https://www.nrk.no/rusreformen"
    pdf = cited(2, page=3, title="Rapport om rusomsorg på Sørlandet", publisher="Helsedirektoratet", date="2024-03-05")
    assert citations(pdf).reference == "Helsedirektoratet. (2024). Rapport om rusomsorg på Sørlandet."
    note = cited(1, title="Møtenotat om rusomsorg", id="notat")
    assert citations(note).reference == "Møtenotat om rusomsorg. (u.å.)."


def test_speaker_role_is_not_part_of_the_name():
    assert person("Statsminister Erna Solberg") == {"family": "Solberg", "given": "Erna"}
    assert person("Helseminister Bent Høie") == {"family": "Høie", "given": "Bent"}
    assert person("Ola Nordmann") == {"family": "Nordmann", "given": "Ola"}
    assert person("Høyre") == {"literal": "Høyre"}


def test_lead_in_paragraph_joined_with_its_continuation_cites_both_numbers():
    item = cited(20, text="Vi skal gjøre tre ting:\n\nFor det første ...", **SPEECH_INFO)
    joined = Passage(**{**item.passage.__dict__})
    object.__setattr__(joined, "last_paragraph", 21)  # as the passage splitter sets it for a lead-in «…:»
    forms = citations(Context(joined, item.document, None, None))
    assert forms.quote.endswith("tale 26.05.2015, avsnitt 20–21")
    view = passage_html(Context(joined, item.document, None, None), "abc")
    assert "avsnitt 20–21" in view and "Avsnitt 20–21 i «Opptrappingsplanen for rusfeltet»" in view


def test_citation_json_is_added_to_every_hit(searcher):
    result = searcher.search("Hva sa statsministeren om brukerinvolvering?", 5)
    data = result_json(result)
    for record, hit in zip(data["hits"], result.hits):
        assert record["citation"] == {"quote": quotation(hit), "reference": citations(hit).reference}
    speech = next(r for r in data["hits"] if r["document"] == "opptrappingsplanen-for-rusfeltet")
    assert speech["citation"]["reference"] == ("Solberg, E. (2015, 26. mai). Opptrappingsplanen for rusfeltet [Tale]. "
                                               "Statsministerens kontor (Regjeringen).")


def test_weak_hits_get_no_highlight_and_a_plain_label(searcher):
    from kilde.app.cards import results_html, score_label

    result = searcher.search("Hva er hovedstaden i Australia?", 3)
    assert result.abstained and any(h.highlight for h in result.hits) is not None
    html = results_html(result, [searcher.context(h.passage.id) for h in result.hits])
    assert "<mark>" not in html and html.count("svakt treff") == 3 and "poeng" not in html.split("title=")[0]
    assert score_label(1.2) == "godt treff" and score_label(1.1) == "mulig treff" and score_label(1.0) == "svakt treff"
    good = searcher.search("Hvor mange dør av overdose i Norge hvert år?", 3)
    html = results_html(good, [searcher.context(h.passage.id) for h in good.hits])
    assert "<mark>" in html and 'class="kilde-score" title="Poeng ' in html


def test_filtered_search_says_so_and_its_link_keeps_the_filter(searcher):
    from kilde.app.cards import results_html

    speech = "opptrappingsplanen-for-rusfeltet"
    result = searcher.search("Hva er hovedstaden i Australia?", 3, documents=[speech])
    html = results_html(result, [searcher.context(h.passage.id) for h in result.hits], filtered=[speech],
                        filter_names=["Opptrappingsplanen for rusfeltet"])
    assert "Filtrert søk: bare i Opptrappingsplanen for rusfeltet." in html
    assert f"?q=Hva+er+hovedstaden+i+Australia%3F&amp;f={speech}" in html
    assert result.abstained and "Fant ingen avsnitt som svarer godt" in html


def numbers(passage) -> str:
    """The paragraph numbers a citation gives: «20», or «20–21» for a lead-in joined with its continuation."""
    return f"{passage.paragraph}–{passage.last_paragraph}" if passage.last_paragraph else str(passage.paragraph)
