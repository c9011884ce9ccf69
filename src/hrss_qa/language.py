"""Language data: the words that tell what a question asks, loaded from ``hrss_qa/data/*.toml``.

Code decides *how* a cue is used; the data files say *which words* are cues, in Chinese and
English.  Extending the system to a new way of asking is an edit of a data file, not of code.
Every cue is matched on a :func:`hrss_qa.text.normalize` key (Simplified, lower case): Chinese
words anywhere, English words and phrases as whole words, and a few patterns as regexes.

>>> lex = lexicon()
>>> bool(lex.cue("when").search("社保卡截至什么时候有13.7亿人"))
True
>>> bool(lex.cue("figure").search("integrated curriculum"))   # "rate" is a whole word only
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

DATA_FILES = ("cues", "units", "scope", "glossary", "chat")


class LanguageDataError(ValueError):
    """A language data file is missing or malformed; the message names the file and entry."""


def pattern(zh=(), en=(), regexes=()) -> re.Pattern | None:
    """One regex matching any Chinese word, any whole English word/phrase, or any pattern.

    >>> pattern(["多少"], ["how many"]).search("how many people").group(0)
    'how many'
    """
    return _pattern(tuple(zh), tuple(en), tuple(regexes))


@lru_cache(maxsize=1024)
def _pattern(zh: tuple[str, ...], en: tuple[str, ...], regexes: tuple[str, ...]) -> re.Pattern | None:
    parts = [re.escape(w) for w in sorted(set(zh), key=len, reverse=True) if w]
    english = [re.escape(w.lower()) for w in sorted(set(en), key=len, reverse=True) if w]
    if english:
        parts.append(r"(?<![a-z0-9])(?:" + "|".join(english) + r")(?![a-z0-9])")
    parts += [f"(?:{r})" for r in regexes]
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class Cue:
    """A named set of words that signal one thing a question asks."""

    name: str
    regex: re.Pattern | None

    def search(self, key: str) -> re.Match | None:
        """The first match in a normalized key, or None."""
        return self.regex.search(key) if self.regex is not None else None

    def __call__(self, key: str) -> bool:
        return self.search(key) is not None


_NEVER = Cue("never", None)


class Lexicon:
    """Every language table, loaded once: cues, units, scope words, glossary.

    Built from the raw TOML data (``{"cues": {...}, "units": {...}, ...}``), so a test can
    build one from a dict; :func:`lexicon` loads the bundled files.
    """

    def __init__(self, data: dict[str, dict[str, Any]]):
        self.data = data
        self._cues: dict[str, Cue] = {}
        for name, table in data.get("cues", {}).items():
            self._add_cues(name, table)

    def _add_cues(self, name: str, table: Any) -> None:
        if not isinstance(table, dict):
            return
        words = {k: table.get(k, []) for k in ("zh", "en", "re")}
        if any(words.values()):
            try:
                self._cues[name] = Cue(name, pattern(words["zh"], words["en"], words["re"]))
            except re.error as exc:
                raise LanguageDataError(f"cues.toml [{name}]: bad pattern ({exc})") from exc
        for key, sub in table.items():
            if isinstance(sub, dict):
                self._add_cues(f"{name}.{key}", sub)

    def cue(self, name: str) -> Cue:
        """The cue called ``name`` (``"when"``, ``"unmet.change"``…); an unknown name raises KeyError."""
        try:
            return self._cues[name]
        except KeyError:
            raise KeyError(f"no cue {name!r} in cues.toml") from None

    def words(self, path: str) -> Any:
        """A raw table or list by dotted path (``"cues.relation.gt"``, ``"scope.places.zh"``)."""
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"no entry {path!r} in the language data")
            node = node[part]
        return node

    def words_cue(self, path: str, name: str | None = None) -> Cue:
        """A cue made of one word list (Chinese and English mixed: ASCII words match whole)."""
        words = self.words(path)
        zh = [w for w in words if not w.isascii()]
        en = [w for w in words if w.isascii()]
        return Cue(name or path, pattern(zh, en))


def _load(name: str) -> dict:
    try:
        text = resources.files("hrss_qa").joinpath("data", f"{name}.toml").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise LanguageDataError(f"language data file {name}.toml is missing from hrss_qa/data ({exc})") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LanguageDataError(f"{name}.toml: {exc}") from exc


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The bundled language data (loaded once per process)."""
    return Lexicon({name: _load(name) for name in DATA_FILES})
