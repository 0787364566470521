"""Sentence boundaries for the highlighter: the rules of `sentence-splitter` (Koehn & Schroeder's
Moses splitter, with its Norwegian list of non-breaking prefixes), applied in one pass.

Why not call the library at query time: `SentenceSplitter.split` compiles its patterns through the
`regex` module's cache on every word and rebuilds the text by string concatenation: 0.98–1.14 ms for
a NorQuAD paragraph (137 characters on average) on this 2-core machine, against 0.16–0.19 ms here
(3,000 paragraphs, alternating runs in one process); on the 100k-passage benchmark index the five hits'
splitting was the largest single cost of a search (cProfile of 150 hybrid searches: 2.2 s of 9.4 s).
This module compiles each rule once and looks only at the words that can end a sentence, and gives
the same sentences: `tests/test_sentences.py` compares it with the library on every paragraph of the
bundled corpus and of NorQuAD, and on generated text. The prefix list is the library's own file.

The rules, in the library's order:
1. «?» or «!» followed by spaces and a sentence starter (optional opening quotes or brackets, then
   an upper-case or other letter) ends a sentence; so do two or more full stops.
2. A sentence-ending mark followed by closing quotes or brackets, then spaces and a starter, ends
   one; so does a mark followed by spaces, opening punctuation and a starter.
3. Any other word ending in full stops ends a sentence when the next word is a starter (or a
   digit), unless the word is a non-breaking prefix («bl.a.», «f.eks.», «nr.»; a NUMERIC_ONLY prefix
   only before a number), or an upper-case acronym with inner full stops («U.S.»).
4. Each line stays a sentence of its own; runs of spaces are collapsed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import regex

_START = r"""['"(\[\u00bf\u00a1\p{Initial_Punctuation}]*[\p{Uppercase_Letter}\p{Other_Letter}]"""
_MARKS_THEN_START = regex.compile(r"([?!]|\.\.+) +(" + _START + ")")
_CLOSED_THEN_START = regex.compile(
    r"""([?!.] *['")\]\p{Final_Punctuation}]+) +(['"(\[\u00bf\u00a1\p{Initial_Punctuation}]* *"""
    r"[\p{Uppercase_Letter}\p{Other_Letter}])")
_MARK_THEN_OPENED = regex.compile(
    r"""([?!.]) +(['"\[\u00bf\u00a1\p{Initial_Punctuation}]+ *[\p{Uppercase_Letter}\p{Other_Letter}])""")
_FULL_STOP_WORD = regex.compile(r"""([\w.\-]*)(['")\]%\p{Final_Punctuation}]*)(\.+)$""")
_ACRONYM = regex.compile(r"\.[\p{Uppercase_Letter}\p{Other_Letter}\-]+\.+$")
_NEXT_STARTS = regex.compile(
    r"""^ *['"(\[\u00bf\u00a1\p{Initial_Punctuation}]* *[\p{Uppercase_Letter}\p{Other_Letter}0-9]""")
_DIGITS = regex.compile(r"^[0-9]+")
_SPACES = regex.compile(r" +")
NUMERIC_ONLY = "#NUMERIC_ONLY#"


@lru_cache(maxsize=1)
def non_breaking_prefixes() -> dict[str, bool]:
    """sentence-splitter's Norwegian prefixes: True when the prefix holds only before a number."""
    path = files("sentence_splitter") / "non_breaking_prefixes" / "no.txt"
    prefixes = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        numeric = NUMERIC_ONLY in line
        word = line.split("#", 1)[0].strip()
        if word:
            prefixes[word] = numeric
    return prefixes


def split(text: str) -> list[str]:
    """The sentences of `text`, spaces collapsed, as sentence-splitter's `split` gives them."""
    if not text:
        return []
    for rule in (_MARKS_THEN_START, _CLOSED_THEN_START, _MARK_THEN_OPENED):
        text = rule.sub(r"\1\n\2", text)
    prefixes = non_breaking_prefixes()
    words = _SPACES.split(text)
    for i in range(len(words) - 1):
        word = words[i]
        if not word.endswith((".", ".\n")) or not (match := _FULL_STOP_WORD.search(word)):  # `$` allows a last \n
            continue
        prefix, closing = match.group(1), match.group(2)
        numeric = prefixes.get(prefix) if prefix and not closing else None
        if numeric is False or _ACRONYM.search(word) or not _NEXT_STARTS.search(words[i + 1]):
            continue
        if not (numeric and _DIGITS.search(words[i + 1])):
            words[i] = word + "\n"
    text = " ".join(words)
    text = _SPACES.sub(" ", text).replace("\n ", "\n").replace(" \n", "\n").strip()
    return text.split("\n")
