"""What the coach understands, as data: ``flows/<lang>/vocabulary.yaml`` per language and
``flows/vocabulary.yaml`` for words that are the same in every language (see
docs/flow-format.md, "Vocabulary").

Typed text is read in every language at once ("ja" and "yes" both say yes), so
:meth:`Vocabulary.words` without a language gives the words of all languages together.
Every language file must have every key of :data:`SCHEMA` (a word list may be empty:
the language has no such word); a missing, unknown or malformed key is a
:class:`VocabularyError` naming the file and the key, raised when the files are first
loaded (at start-up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from coach.flow.model import LANGS, ROOT

FLOWS_DIR = ROOT / "flows"
FILE_NAME = "vocabulary.yaml"


class VocabularyError(ValueError):
    """A vocabulary file is not valid; the message says which file and key."""


@dataclass(frozen=True)
class Table:
    """A fixed number of entries, each a list of words whose first is the entry's name
    (weekdays: 7, Monday first; months: 12, January first)."""

    rows: int


WORDS = "words"  # a list of words and phrases
# The keys of a language file; a nested mapping is a group of word lists.
SCHEMA: dict[str, Any] = {
    "yes": WORDS,
    "no": WORDS,
    "done": WORDS,  # ends a multiple choice typed one by one
    "stop": WORDS,  # leaves a check-in or a setting being typed
    "list_words": WORDS,  # between options typed in one message: "insta en fb"
    "also": WORDS,  # "ja, en ook tieners": a yes that adds more
    "navigation": {  # a whole message that moves around the flow; first group wins
        "back": WORDS, "skip": WORDS, "pause": WORDS, "help": WORDS,
        "continue": WORDS, "overview": WORDS,
    },
    "weekdays": Table(7),
    "weekday_fillers": WORDS,  # ignored around a weekday: "elke", "on"
    "time_fillers": {"before": WORDS, "after": WORDS},  # around a clock time: "om", "'s ochtends"
    "months": Table(12),
    "durations": {"days": WORDS, "weeks": WORDS},  # "3 weken", "10 days"
    "ages": {  # typed ages of an audience
        "between": WORDS, "and": WORDS,  # "tussen 15 en 20"
        "to": WORDS,  # "15 tot 20" ("15-20" needs no word)
        "year": WORDS,  # between a number and "to": "15 jaar tot 20"
        "plus": WORDS,  # "65 plus"
        "above": WORDS, "below": WORDS,  # "ouder dan 65", "onder de 12"
        "old": WORDS,  # after one number: "15-jarigen", "15 year olds"
    },
    "kpi_kinds": {  # words in a KPI's name; checked in this order, the first kind found wins
        "other": WORDS, "conversion": WORDS, "engagement": WORDS, "reach": WORDS,
    },
    "not_in_place": WORDS,  # a short answer with one of these says "not yet": "nog niet"
    "everyone": WORDS,  # a whole typed answer to "which audiences?" that names no group
    "library_words": WORDS,  # a word that begins one of these makes typed text a library's name
    "numbers": {  # words around a typed number
        "zero": WORDS, "about": WORDS, "percent": WORDS, "currency": WORDS,
        "thousand": WORDS, "million": WORDS, "minus": WORDS,
        "range": WORDS,  # between two numbers: "12 tot 15"
    },
    "step_done": {  # answers to "did you do last week's step?", checked in reverse order
        "done": WORDS, "partly": WORDS, "no_time": WORDS, "did_not_work": WORDS,
    },
}
# The keys of the shared file: mappings of an id to its words.
SHARED_SCHEMA: dict[str, Any] = {
    "channels": {
        "other": "ids",  # channels besides those of flows/channels.yaml, with their names
        "aliases": "ids",  # more names of flows/channels.yaml's channels
    },
}


def _where(path: Path, key: str) -> str:
    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    return f"{shown}: {key}" if key else str(shown)


def _word_list(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise VocabularyError(f"{where}: must be a list of words (may be empty: [])")
    if any(isinstance(w, bool) for w in raw):
        raise VocabularyError(f"{where}: put yes, no, on and off in quotes (YAML reads"
                              " them as true/false)")
    if not all(isinstance(w, str | int | float) and str(w).strip() for w in raw):
        raise VocabularyError(f"{where}: every word must be a non-empty text")
    return tuple(str(w).strip() for w in raw)


def _check(raw: Any, schema: Mapping[str, Any], path: Path, prefix: str) -> dict[str, Any]:
    """Validate ``raw`` against ``schema``; the values flattened by dotted key."""
    if not isinstance(raw, dict):
        raise VocabularyError(f"{_where(path, prefix.rstrip('.'))}: must be a mapping")
    if any(isinstance(k, bool) for k in raw):
        raise VocabularyError(f"{_where(path, prefix.rstrip('.'))}: put the keys yes and no"
                              " in quotes (YAML reads them as true/false)")
    if unknown := sorted(set(raw) - set(schema) - ({"version"} if not prefix else set())):
        raise VocabularyError(f"{_where(path, prefix + unknown[0])}: unknown key")
    flat: dict[str, Any] = {}
    for key, kind in schema.items():
        name = prefix + key
        where = _where(path, name)
        if key not in raw:
            raise VocabularyError(f"{where}: missing")
        value = raw[key]
        if isinstance(kind, dict):
            flat.update(_check(value, kind, path, name + "."))
        elif isinstance(kind, Table):
            if not isinstance(value, list) or len(value) != kind.rows:
                raise VocabularyError(f"{where}: must be a list of {kind.rows} word lists")
            rows = tuple(_word_list(row, f"{where}[{i}]") for i, row in enumerate(value))
            if not all(rows):
                raise VocabularyError(f"{where}: every entry needs at least its name")
            flat[name] = rows
        elif kind == "ids":
            if not isinstance(value, dict):
                raise VocabularyError(f"{where}: must map ids to lists of words")
            flat[name] = {str(k): _word_list(v or [], f"{where}.{k}") for k, v in value.items()}
        else:
            flat[name] = _word_list(value, where)
    return flat


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VocabularyError(f"{_where(path, '')}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark else ""
        raise VocabularyError(f"{_where(path, '')}: not valid YAML{line}") from None


@dataclass(frozen=True)
class Vocabulary:
    by_lang: Mapping[str, Mapping[str, Any]]  # language -> dotted key -> words or table
    shared: Mapping[str, Any]  # dotted key -> {id: words}

    def words(self, key: str, lang: str | None = None) -> tuple[str, ...]:
        """The words under ``key`` ("yes", "navigation.back") in ``lang``, or in every
        language (Dutch first, each word once)."""
        langs = LANGS if lang is None else (lang,)
        found: dict[str, None] = {}
        for code in langs:
            found.update(dict.fromkeys(self.by_lang[code][key]))
        return tuple(found)

    def table(self, key: str, lang: str) -> tuple[tuple[str, ...], ...]:
        """The entries of a table ("weekdays", "months") in ``lang``."""
        return self.by_lang[lang][key]

    def index(self, key: str, fold: Callable[[str], str] = str.casefold) -> dict[str, int]:
        """Every word of a table's entries, of every language, to the entry's number
        (0 for the first); a word in two entries is a :class:`VocabularyError`."""
        found: dict[str, int] = {}
        for lang in LANGS:
            for number, entry in enumerate(self.table(key, lang)):
                for word in entry:
                    if found.setdefault(fold(word), number) != number:
                        raise VocabularyError(f"flows/{lang}/{FILE_NAME}: {key}: {word!r}"
                                              " is in two entries")
        return found

    def group(self, key: str, lang: str | None = None) -> dict[str, tuple[str, ...]]:
        """A group's word lists by name, in the order of :data:`SCHEMA`:
        ``group("navigation")["back"]``."""
        return {name: self.words(f"{key}.{name}", lang) for name in SCHEMA[key]}

    def ids(self, key: str) -> dict[str, tuple[str, ...]]:
        """A mapping of the shared file: ``ids("channels.other")``."""
        return dict(self.shared[key])


def parse_vocabulary(directory: Path = FLOWS_DIR) -> Vocabulary:
    """Read and check the language files and the shared file under ``directory``."""
    by_lang = {}
    for lang in LANGS:
        path = directory / lang / FILE_NAME
        by_lang[lang] = _check(_read(path), SCHEMA, path, "")
    for key, kind in _flat_schema(SCHEMA):
        if kind == WORDS and not any(by_lang[lang][key] for lang in LANGS):
            where = ", ".join(f"flows/{lang}/{FILE_NAME}" for lang in LANGS)
            raise VocabularyError(f"{key}: has no words in any language ({where})")
    shared_path = directory / FILE_NAME
    return Vocabulary(by_lang, _check(_read(shared_path), SHARED_SCHEMA, shared_path, ""))


def _flat_schema(schema: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, kind in schema.items():
        if isinstance(kind, dict):
            out += _flat_schema(kind, f"{prefix}{key}.")
        else:
            out.append((prefix + key, kind))
    return out


KEYS = tuple(key for key, _ in _flat_schema(SCHEMA))  # every dotted key of a language file


@cache
def load_vocabulary(directory: Path = FLOWS_DIR) -> Vocabulary:
    """The vocabulary, read once."""
    return parse_vocabulary(directory)


def words(key: str, lang: str | None = None) -> tuple[str, ...]:
    """Shortcut: ``load_vocabulary().words(key, lang)``."""
    return load_vocabulary().words(key, lang)
