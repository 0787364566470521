"""Words a hit's citation: who published it, what it is, when, and which paragraph."""

from __future__ import annotations

from datetime import date

from kilde.index.search import Hit

from . import texts


def norwegian_date(iso: str) -> str:
    """2015-05-26 -> 26.05.2015; anything else as given (partial dates like 2021 stay)."""
    try:
        return date.fromisoformat(iso).strftime("%d.%m.%Y")
    except ValueError:
        return iso


def citation(hit: Hit) -> str:
    doc = hit.document
    dated = texts.CITATION_DATED.format(type=doc.type or "", date=norwegian_date(doc.date)).lstrip() if doc.date else ""
    return texts.CITATION.format(publisher=doc.publisher or doc.speaker or doc.id, title=doc.title,
                                 dated=dated, paragraph=hit.passage.paragraph)


def details(hit: Hit) -> list[str]:
    """What the card shows under the reference: speaker, date, section, score."""
    doc, parts = hit.document, []
    if doc.speaker:
        parts.append(texts.SPOKEN_BY.format(speaker=doc.speaker))
    parts.append(norwegian_date(doc.date) if doc.date else texts.UNDATED)
    if hit.passage.section:
        parts.append(texts.SECTION.format(section=hit.passage.section))
    parts.append(texts.SCORE.format(score=hit.score))
    return parts
