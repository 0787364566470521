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
            last = passage.last_paragraph or passage.paragraph  # a joined lead-in spans two blocks
            assert [t.strip() for t in passage.text.split("\n\n")] == raw_blocks[passage.paragraph - 1:last]
            assert doc.text[passage.start:passage.start + len(passage.text)] == passage.text  # verbatim


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


def test_a_lead_in_is_joined_with_its_continuation(documents):
    speech = by_doc(documents, "opptrappingsplanen-for-rusfeltet")
    passages = {p.paragraph: p for p in split_document(speech)}
    joined = passages[20]
    assert joined.last_paragraph == 21 and 21 not in passages
    assert joined.text.startswith("Commonwealths internasjonale undersøkelse")
    assert joined.text.endswith("samfunnsperspektivet.\"")
    assert speech.text[joined.start:joined.start + len(joined.text)] == joined.text
    assert all(p.last_paragraph is None for n, p in passages.items() if n != 20)
    # the citation fields of a hit carry both numbers
    assert (joined.paragraph, joined.last_paragraph) == (20, 21)


def test_joined_ids_are_content_derived():
    from kilde.index.documents.reader import Document, DocumentInfo
    from kilde.index.documents.passages import passage_id

    def split(text):
        return split_document(Document(DocumentInfo(id="notat", title="Notat"), text))

    text = "Undersøkelsen viser at:\n\nNorge ligger bak andre land.\n\nDet er betenkelig."
    first = split(text)
    assert [(p.paragraph, p.last_paragraph) for p in first] == [(1, 2), (3, None)]
    assert first[0].id == passage_id("notat", "Undersøkelsen viser at:\n\nNorge ligger bak andre land.", 1)
    assert [p.id for p in split("Innledning kommer her.\n\n" + text)][1:] == [p.id for p in first]
    edited = split(text.replace("andre land", "nabolandene"))
    assert edited[0].id != first[0].id and edited[1].id == first[1].id
    # a lead-in at the end of a page, before a heading, or at the end of the text stays alone
    assert [(p.paragraph, p.last_paragraph) for p in split("Vi har tre mål:")] == [(1, None)]
    paged = split("Første side viser at:\fAndre side er egen.")
    assert [(p.page, p.paragraph, p.last_paragraph) for p in paged] == [(1, 1, None), (2, 1, None)]
    before_heading = split("Planen har tre mål:\n\nMålene\n\nFærre skal dø av overdose.")
    assert [(p.paragraph, p.last_paragraph) for p in before_heading] == [(1, None), (3, None)]


def test_splitting_is_linear_in_paragraphs():
    """40,000 paragraphs (the size that took 2.3 s before) split into the expected passages, and
    the heading test runs a bounded number of times per block (it ran once per later block)."""
    from unittest import mock

    from kilde.index.documents import passages as module
    from kilde.index.documents.reader import Document, DocumentInfo

    n = 40_000
    parts = []
    for i in range(n):
        parts.append(f"Overskrift {i}" if i % 10 == 0 else f"Avsnitt nummer {i} handler om rusomsorg.")
    doc = Document(DocumentInfo(id="stor", title="Stor"), "\n\n".join(parts))
    calls = 0
    real = module.is_heading

    def counting(block):
        nonlocal calls
        calls += 1
        return real(block)

    with mock.patch.object(module, "is_heading", counting):
        split = module.split_document(doc)
    assert len(split) == n - n // 10
    assert split[0].section == "Overskrift 0" and split[-1].paragraph == n
    assert calls <= 2 * n
