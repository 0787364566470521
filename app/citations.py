"""Words a citation: who published it, what it is, when, where in it, and where it was fetched.

One style everywhere (cards, the passage view, `kilde ask`, the «Kopier kilde» button):
Aktør: «Tittel», type dato, side P, avsnitt N, URL, hentet DATO — each part only where the
source has it (type and date only for a dated source, the page only for paged sources such as
PDF, «hentet» only for web documents with a retrieval date).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from kilde.index.documents.reader import DocumentInfo
from kilde.index.documents.passages import Passage

from . import texts


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


def citation(item: Cited) -> str:
    """The reference: «Statsministerens kontor: «Opptrappingsplanen for rusfeltet», tale 26.05.2015, avsnitt 7»."""
    doc, passage = item.document, item.passage
    parts = [texts.CITATION.format(publisher=publisher(doc), title=doc.title)]
    if doc.date:
        parts.append(texts.CITATION_DATED.format(type=doc.type, date=norwegian_date(doc.date)).strip())
    if passage.page is not None:
        parts.append(texts.CITATION_PAGE.format(page=passage.page))
    parts.append(texts.CITATION_PARAGRAPH.format(paragraph=passage.paragraph))
    if doc.url:
        parts.append(doc.url)
    if doc.retrieved:
        parts.append(texts.CITATION_RETRIEVED.format(date=norwegian_date(doc.retrieved)))
    return ", ".join(parts)


def publisher(doc: DocumentInfo) -> str:
    """Whom a citation names first: the publisher, else the speaker, else the document id."""
    return doc.publisher or doc.speaker or doc.id


def quotation(item: Cited) -> str:
    """What «Kopier kilde» copies: the paragraph, verbatim, in quotation marks, and its reference."""
    return texts.QUOTATION.format(text=item.passage.text, citation=citation(item))


def source_label(doc: DocumentInfo) -> list[str]:
    """Who said it and what kind of document it is, for the label above a hit: [actor, type]."""
    actors = [a for a in (doc.speaker, doc.publisher) if a] or [doc.id]
    return [texts.ACTOR_SEPARATOR.join(actors)] + ([doc.type] if doc.type else [])


def details(item: Cited, score: float | None = None) -> list[str]:
    """What is shown under the reference: date, section and, for a hit, its score."""
    parts = [norwegian_date(item.document.date) if item.document.date else texts.UNDATED]
    if item.passage.section:
        parts.append(texts.SECTION.format(section=item.passage.section))
    if score is not None:
        parts.append(texts.SCORE.format(score=score))
    return parts
