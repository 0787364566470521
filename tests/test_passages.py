"""Paragraph numbering, heading attachment, boilerplate and stable ids on the seed documents."""

from __future__ import annotations

from dataclasses import replace

from kilde.index.documents.passages import blocks, split_document


def by_doc(documents, doc_id):
    return next(d for d in documents if d.info.id == doc_id)


def test_paragraph_n_is_the_nth_non_empty_block(documents):
    for doc in documents:
        raw_blocks = [b.strip() for b in doc.text.replace("\r\n", "\n").split("\n\n") if b.strip()]
        numbered = {b.number: b.text for b in blocks(doc.text)}
        assert list(numbered) == list(range(1, len(raw_blocks) + 1))
        for passage in split_document(doc):
            assert passage.text == raw_blocks[passage.paragraph - 1]
            assert passage.text in doc.text  # verbatim


def test_known_paragraph_numbers(documents):
    hoyre = {p.paragraph: p for p in split_document(by_doc(documents, "hoyre-rusomsorg"))}
    assert hoyre[20].text.startswith("Et av de største sosiale skillene i Norge")
    assert hoyre[20].section == "Dette er problemet"
    assert hoyre[34].text.startswith("Den medfører at psykisk helsevern og rusbehandling")
    assert hoyre[34].section == "Dette har vi gjort › Gjeninnførte den gylne regel"
    assert hoyre[12].section == "Vi ønsker en rusreform › Dette vil vi gjøre"
    speech = {p.paragraph: p for p in split_document(by_doc(documents, "opptrappingsplanen-for-rusfeltet"))}
    assert speech[6].text == "Vi skal hjelpe de som har de største behovene."
    assert speech[22].text == "Jeg er enig."  # short, but a sentence: a paragraph, not a heading


def test_headings_and_boilerplate_are_never_passages(documents):
    texts = {p.text for doc in documents for p in split_document(doc)}
    for heading in ["Dette vil vi gjøre", "Gjeninnførte den gylne regel", "Høyre vil", "Rusomsorg",
                    "Opptrappingsplanen for rusfeltet", "venstresiden"]:
        assert heading not in texts
    assert "Til toppen" not in texts and "Sjekkes mot fremføring" not in texts
    # a short line that is a sentence without a full stop is kept as a paragraph
    assert "Vi innførte pakkeforløp for gravide og rus i 2020 januar" in texts


def test_headings_are_embedded_with_their_paragraph(documents):
    hoyre = by_doc(documents, "hoyre-rusomsorg")
    rule = next(p for p in split_document(hoyre) if p.paragraph == 34)
    assert "Gjeninnførte den gylne regel" in rule.embedding_text()


def test_ids_are_stable_and_follow_the_text(documents):
    doc = by_doc(documents, "hoyre-rusomsorg")
    first = split_document(doc)
    assert [p.id for p in split_document(doc)] == [p.id for p in first]
    assert len({p.id for p in first}) == len(first)
    edited_text = doc.text.replace("Flere unge sliter med rusproblemer.", "Mange unge sliter med rusproblemer.")
    edited = split_document(replace(doc, text="Ny innledning.\n\n" + edited_text))
    changed = {p.id for p in first} - {p.id for p in edited}
    assert len(changed) == 1  # only the edited paragraph; renumbering keeps every other id
    assert [p.paragraph for p in edited][:2] == [1, 3]


def test_a_document_of_only_short_lines_still_has_passages():
    from kilde.index.documents.reader import Document, DocumentInfo

    doc = Document(DocumentInfo(id="dikt", title="Dikt"), "Første linje\n\nAndre linje\n\nSiste linje")
    assert [p.text for p in split_document(doc)] == ["Første linje", "Andre linje", "Siste linje"]


def test_form_feeds_number_paragraphs_page_by_page():
    from kilde.index.documents.reader import Document, DocumentInfo

    text = "Innledning\n\nFørste side, første avsnitt.\n\nFørste side, andre avsnitt.\fAndre side, første avsnitt."
    passages = split_document(Document(DocumentInfo(id="rapport", title="Rapport"), text))
    assert [(p.page, p.paragraph) for p in passages] == [(1, 2), (1, 3), (2, 1)]
    assert passages[2].section == "Innledning"  # a section runs on across the page break


def test_json_lines_documents_number_lines_and_record_offsets(tmp_path):
    from kilde.index.documents.reader import read_documents

    text = "Moss lufthavn\nFlyplassen ble nedlagt i 2016.\nLES OGSÅ: Noe annet\n\nRSL jobber med en gjenåpning."
    path = tmp_path / "nyheter.jsonl"
    path.write_text('{"id": "n1", "title": "Moss lufthavn", "text": %s, "domain": "news"}\n'
                    % __import__("json").dumps(text), encoding="utf-8")
    [doc] = read_documents([path])
    assert doc.info.extra == (("domain", "news"),)
    passages = split_document(doc)
    assert [(p.paragraph, p.text) for p in passages] == [(2, "Flyplassen ble nedlagt i 2016."),
                                                         (4, "RSL jobber med en gjenåpning.")]
    assert all(doc.text[p.start : p.start + len(p.text)] == p.text for p in passages)
