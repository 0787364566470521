"""argparse in Norwegian: usage, help headings and error messages of the `kilde` command.

argparse writes its own words in English through gettext, which only a compiled `.mo` catalogue
could translate. Instead this parser says «bruk:», names its help groups, and rewrites argparse's
error messages by pattern (`texts.ARGPARSE_ERRORS`, a table matched in order), so every message
`kilde` prints is Norwegian and the exit status stays argparse's 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

from . import texts


class NorwegianHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, texts.ARGPARSE_USAGE if prefix is None else prefix)


class KildeArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args, add_help: bool = True, **kwargs) -> None:
        kwargs.setdefault("formatter_class", NorwegianHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = texts.ARGPARSE_POSITIONALS
        self._optionals.title = texts.ARGPARSE_OPTIONS
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=texts.ARGPARSE_HELP)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {texts.ARGPARSE_ERROR} {translate(message)}\n")


def translate(message: str) -> str:
    """argparse's English error message in Norwegian; our own (already Norwegian) pass unchanged."""
    for pattern, template in texts.ARGPARSE_ERRORS:
        if match := re.fullmatch(pattern, message, re.DOTALL):
            groups = [translate(group) if name == "inner" else group
                      for name, group in zip(_names(pattern), match.groups())]
            return template.format(*groups)
    return message


def _names(pattern: str) -> list[str]:
    """The group names of a pattern in order; unnamed groups are ''."""
    compiled = re.compile(pattern)
    names = {index: name for name, index in compiled.groupindex.items()}
    return [names.get(i, "") for i in range(1, compiled.groups + 1)]
