"""Words a citation: who said or published it, what it is, when, where in it, and where it was fetched.

Two forms, the ones people paste (cards, the passage view, the widget, `kilde ask --json`, the API):

- the quote with attribution, for running text: «Sitat» – Aktør: «Tittel», type dato, side P,
  avsnitt N, URL, hentet DATO — each part only where the source has it (type and date only for a
  dated source, the page only for a source of more than one page, «hentet» only for web documents
  with a retrieval date). The actor is the speaker and the publisher. A dash, not parentheses, sets
  the attribution off, so a publisher such as «Statsministerens kontor (Regjeringen)» never nests.
- the reference-list entry in APA 7 (Norwegian), rendered by citeproc-py (`app/reference.py`).

Where the forms are made: here, in the app layer, not in the search core. The core's `Hit.as_json`
stays the record of what was found; the API and the CLI add `"citation": {"quote", "reference"}`
to each hit with `result_json`, so data flows one way (hits -> citations -> UI/API/CLI).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from kilde.index.documents.reader import DocumentInfo
from kilde.index.documents.passages import Passage

from . import texts
from .reference import reference


class Cited(Protocol):
    """A search hit or a passage's context: anything that holds a passage and its document."""

    passage: Passage
    document: DocumentInfo


def norwegian_date(iso: str) -> str:
    """2015-05-26 -> 26.05.2015; anything else as given (partial dates like 2021 stay)."""
    try:
        return date.fromisoformat(iso).strftime("%d.%m.%Y")
    except ValueError:
        return iso


def paragraphs(passage: Passage) -> str:
    """«avsnitt 20», or «avsnitt 20–21» for a lead-in paragraph shown with its continuation."""
    last = getattr(passage, "last_paragraph", None)  # set by the passage splitter when it joins a lead-in
    if last is not None and last != passage.paragraph:
        return texts.CITATION_PARAGRAPHS.format(first=passage.paragraph, last=last)
    return texts.CITATION_PARAGRAPH.format(paragraph=passage.paragraph)


def actor(doc: DocumentInfo) -> str:
    """Who a citation names first: the speaker and the publisher, else the document id."""
    return ", ".join(a for a in (doc.speaker, doc.publisher) if a) or doc.id


def citation(item: Cited) -> str:
    """The attribution: «Statsminister Erna Solberg, Statsministerens kontor: «Opptrappingsplanen for
    rusfeltet», tale 26.05.2015, avsnitt 7»."""
    doc, passage = item.document, item.passage
    named = ", ".join(a for a in (doc.speaker, doc.publisher) if a)  # a file name is no author: then the title alone
    parts = [texts.CITATION.format(publisher=named, title=doc.title) if named else texts.CITATION_TITLE.format(title=doc.title)]
    if doc.date:
        parts.append(texts.CITATION_DATED.format(type=doc.type, date=norwegian_date(doc.date)).strip())
    if passage.page is not None:
        parts.append(texts.CITATION_PAGE.format(page=passage.page))
    parts.append(paragraphs(passage))
    if doc.url:
        parts.append(doc.url)
    if doc.retrieved:
        parts.append(texts.CITATION_RETRIEVED.format(date=norwegian_date(doc.retrieved)))
    return ", ".join(parts)


def publisher(doc: DocumentInfo) -> str:
    """Whom a citation names first: the publisher, else the speaker, else the document id."""
    return doc.publisher or doc.speaker or doc.id


def quotation(item: Cited) -> str:
    """The quote form: the paragraph, verbatim, in quotation marks, and its attribution after a dash."""
    return texts.QUOTATION.format(text=item.passage.text, citation=citation(item))


@dataclass(frozen=True)
class Citations:
    """The two forms «Kopier kilde» offers, and the API's and `--json`'s `citation`."""

    quote: str  # «Sitat» – attribution
    reference: str  # APA 7 (Norwegian) reference-list entry

    def as_json(self) -> dict:
        return {"quote": self.quote, "reference": self.reference}


def citations(item: Cited) -> Citations:
    return Citations(quotation(item), reference(item.document))


def result_json(result) -> dict:
    """`SearchResult.as_json()` with `"citation": {"quote", "reference"}` on each hit (API, `kilde ask --json`)."""
    data = result.as_json()
    for record, hit in zip(data["hits"], result.hits):
        record["citation"] = citations(hit).as_json()
    return data


def source_label(doc: DocumentInfo) -> list[str]:
    """Who said it and what kind of document it is, for the label above a hit: [actor, type]."""
    actors = [a for a in (doc.speaker, doc.publisher) if a] or [doc.id]
    return [texts.ACTOR_SEPARATOR.join(actors)] + ([doc.type] if doc.type else [])


def details(item: Cited, score: float | None = None) -> list[str]:
    """What is shown under the reference: date, section and, if given, the score (`kilde ask`)."""
    parts = [norwegian_date(item.document.date) if item.document.date else texts.UNDATED]
    if item.passage.section:
        parts.append(texts.SECTION.format(section=item.passage.section))
    if score is not None:
        parts.append(texts.SCORE.format(score=score))
    return parts
