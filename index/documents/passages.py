"""Split a document into paragraphs that can be cited by number.

Paragraph N is the N-th non-empty block of the source text, counting from the
top, where blocks are separated by blank lines. In JSON Lines documents, whose
paragraphs are separated by single newlines, a block is a non-empty line. Text
with form feeds (a PDF's pages, as extracted) is numbered page by page: page P,
paragraph N. Every block gets a number, but only body paragraphs become
passages: short heading blocks become the section of the paragraphs under
them, and known boilerplate is skipped.

A lead-in, a body paragraph that ends in «:» («… viser at Norge ligger bak andre land:»),
says little on its own: its content is the next paragraph. So a lead-in and the body
paragraph right after it (same page, no heading between) become one passage, cited as
paragraphs `paragraph`–`last_paragraph`. Its `text` is the source verbatim from the first
character of the lead-in to the last of the continuation (the blank line between them
included), and its id is derived from that joined text like any other passage's: editing
either paragraph gives a new id, re-indexing unchanged text keeps it. Measured on the issue-12
questions (benchmarks/ranking.py), see the README's ranking section.

Splitting is linear in the number of blocks (it was quadratic: 10k/20k/40k paragraphs took
0.2/0.8/2.3 s, benchmarks/latency.py now reports the 40k figure).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from kilde.index.documents.reader import Document

# Page furniture that is never an answer (compared case-insensitively).
BOILERPLATE = frozenset({
    "til toppen", "tilbake til toppen", "sjekkes mot fremføring", "skriv ut", "del", "del artikkelen",
    "del på facebook", "del på twitter", "del på x", "del på linkedin", "del på e-post", "les mer",
    "gå til hovedinnhold", "hopp til hovedinnhold", "hopp til innhold", "meny", "søk", "lukk",
})
# News furniture that opens a line: «LES OGSÅ: …», «SE OGSÅ: …».
BOILERPLATE_PREFIXES = ("les også:", "se også:", "les mer:")
HEADING_MAX_CHARS = 80
SENTENCE_END = tuple(".!?:;…»\"”)")
SECTION_SEPARATOR = " › "
# A short line without a full stop is still a sentence when it opens with a
# subject pronoun and runs to several words («Vi innførte pakkeforløp for gravide og rus i 2020 januar»).
SUBJECT_PRONOUNS = frozenset({"vi", "jeg", "eg", "du", "de", "dei", "han", "hun", "ho", "det", "dette", "den", "man", "me"})
SENTENCE_MIN_WORDS = 8


@dataclass(frozen=True)
class Block:
    number: int  # 1-based, counted over every non-empty block
    start: int  # character offset of the stripped text in the source
    text: str


@dataclass(frozen=True)
class Passage:
    id: str
    document_id: str
    paragraph: int
    text: str  # verbatim from the source
    section: str  # the heading(s) it stands under, "" if none
    page: int | None = None  # for paged sources (PDF); paragraph then counts within the page
    start: int = 0  # character offset of `text` in the document's text
    # A lead-in joined with its continuation: the continuation's paragraph number (cite «avsnitt 20–21»).
    last_paragraph: int | None = None

    def embedding_text(self) -> str:
        """What gets embedded (and BM25-indexed): headings give a paragraph its topic."""
        return "\n".join([self.section, self.text]) if self.section else self.text


BLOCK = re.compile(r"(?:^[^\S\n]*\S.*(?:\n|$))+", flags=re.MULTILINE)
LINE = re.compile(r"^[^\S\n]*\S.*$", flags=re.MULTILINE)


def blocks(text: str, offset: int = 0, lines: bool = False) -> list[Block]:
    """Non-empty runs of lines (or non-empty lines), numbered from 1, stripped of surrounding whitespace."""
    found = []
    for match in (LINE if lines else BLOCK).finditer(text):
        raw = match.group(0)
        stripped = raw.strip()
        found.append(Block(len(found) + 1, offset + match.start() + raw.index(stripped[0]), stripped))
    return found


def is_boilerplate(block: Block) -> bool:
    """Known furniture, or a block without a letter or digit (a rule such as «---» or «* * *»)."""
    text = block.text.casefold()
    return text in BOILERPLATE or text.startswith(BOILERPLATE_PREFIXES) or not any(c.isalnum() for c in text)


def is_heading(block: Block) -> bool:
    text = block.text
    if "\n" in text or len(text) > HEADING_MAX_CHARS or text.endswith(SENTENCE_END):
        return False
    words = text.split()
    return not (len(words) >= SENTENCE_MIN_WORDS and words[0].casefold() in SUBJECT_PRONOUNS)


def passage_id(document_id: str, text: str, occurrence: int) -> str:
    """Stable across re-indexing: depends only on the document and the paragraph's own text."""
    digest = hashlib.sha256(f"{document_id}\0{text}\0{occurrence}".encode()).hexdigest()
    return digest[:16]


LEAD_IN_END = ":"


def is_lead_in(text: str) -> bool:
    """A paragraph whose content follows it («… viser at:»)."""
    return text.rstrip().endswith(LEAD_IN_END)


def split_document(document: Document) -> list[Passage]:
    pages, offset, all_blocks = document.text.split("\f"), 0, []
    for page, text in enumerate(pages, start=1):
        all_blocks += [(page, b) for b in blocks(text, offset, document.line_paragraphs) if not is_boilerplate(b)]
        offset += len(text) + 1
    headings_at = [is_heading(b) for _, b in all_blocks]
    # A heading is only a heading when some body block follows it: past the last body block
    # every block is body. One pass from the end, so splitting stays linear in the blocks.
    last_body = max((i for i, heading in enumerate(headings_at) if not heading), default=-1)
    passages: list[Passage] = []
    headings: list[str] = []
    after_body = True
    seen: Counter[str] = Counter()
    index = 0
    while index < len(all_blocks):
        page, block = all_blocks[index]
        if headings_at[index] and index < last_body:
            if after_body:
                headings = []
            headings.append(block.text)
            after_body = False
            index += 1
            continue
        after_body = True
        section = SECTION_SEPARATOR.join(h for h in headings if h != document.info.title)
        text, last = block.text, None
        following = index + 1
        if is_lead_in(block.text) and following < len(all_blocks):
            next_page, continuation = all_blocks[following]
            if next_page == page and (not headings_at[following] or following >= last_body):
                text = document.text[block.start:continuation.start + len(continuation.text)]
                last = continuation.number
                index = following
        seen[text] += 1
        passages.append(Passage(
            id=passage_id(document.info.id, text, seen[text]),
            document_id=document.info.id,
            paragraph=block.number,
            text=text,
            section=section,
            page=page if len(pages) > 1 else None,
            start=block.start,
            last_paragraph=last,
        ))
        index += 1
    return passages
