"""The briefings at a glance: every figure of every document as a table row.

Pure functions over documents and figures (no model, no index): :func:`figure_rows` turns
documents into :class:`FigureRow` records (the figure, its passage's section, the sentence
it is in and the period that sentence states), :func:`filter_rows` keeps the rows a filter
text matches — Simplified, Traditional or English words, through the glossary — and
:func:`rows_csv` writes them for a spreadsheet.  The page's 數據一覽 tab, its ``/figures``
endpoint and ``hrss-qa figures`` all use these.

>>> from hrss_qa.corpus import load_corpus
>>> rows = figure_rows(load_corpus())
>>> [(r.label, r.text, r.period) for r in filter_rows(rows, "unemployment insurance insured")]
[('失業保險參保人數', '2.37億人', '截至3月底')]
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from .chunking import Passage, chunk_document
from .corpus import Document
from .figures import Figure, extract_figures
from .glossary import glossary_terms
from .text import normalize

MAX_FILTER_CHARS = 200
"""A filter longer than this is cut (it is a few words, not a document)."""

_DATE_KINDS = ("date", "period")
_PERIOD_PREFIXES = ("截至", "截止到", "截止")
_LATIN_WORD = re.compile(r"[a-z][a-z'\-]*")
# English words that carry no figure meaning: dropped from a filter without a note.
_STOPWORDS = frozenset("a an and the of in on for to at by with how many much what which is are was were "
                       "did does do number numbers figure figures amount total".split())


@dataclass(frozen=True)
class FigureRow:
    """One figure of a briefing with where it stands.

    ``text`` is the figure as written; ``display_value`` the normalized value with its unit
    (:attr:`Figure.display_value`); ``value`` the number in base units (``None`` for dates);
    ``period`` the date or period its sentence gives before it (``""`` when none, and for
    dates themselves); ``sentence`` the source sentence; ``start``/``end`` the figure's
    offsets in the document, ``passage_start``/``passage_end`` those of its passage.
    """

    number: int
    doc_id: str
    section: str
    label: str
    text: str
    display_value: str
    value: float | None
    unit: str
    qualifier: str
    kind: str
    period: str
    sentence: str
    start: int
    end: int
    passage_start: int
    passage_end: int

    def to_dict(self) -> dict:
        """The row as JSON-ready values (the ``/figures`` endpoint and ``--json``)."""
        return asdict(self)


COLUMNS = tuple(f.name for f in fields(FigureRow))


def figure_rows(docs: Sequence[Document]) -> list[FigureRow]:
    """Every figure of ``docs``, document by document in text order, numbered from 1."""
    rows: list[FigureRow] = []
    for doc in docs:
        passages = chunk_document(doc)
        figures = extract_figures(doc.text)
        for figure in figures:
            passage = _passage_of(passages, figure)
            sentence = _sentence_of(doc.text, passage, figure)
            rows.append(FigureRow(
                number=len(rows) + 1, doc_id=doc.doc_id, section=passage.section if passage else "",
                label=figure.label, text=figure.text, display_value=figure.display_value, value=figure.value,
                unit=figure.unit, qualifier=figure.qualifier, kind=figure.kind,
                period=_period(doc.text, figures, figure, sentence),
                sentence=doc.text[sentence[0]:sentence[1]], start=figure.start, end=figure.end,
                passage_start=passage.start if passage else sentence[0],
                passage_end=passage.end if passage else sentence[1]))
    return rows


def _passage_of(passages: Sequence[Passage], figure: Figure) -> Passage | None:
    return next((p for p in passages if p.start <= figure.start and figure.end <= p.end), None)


def _sentence_of(text: str, passage: Passage | None, figure: Figure) -> tuple[int, int]:
    """The span of the sentence holding ``figure`` (its line when no passage covers it)."""
    if passage is not None:
        for s in passage.sentences:
            if s.start <= figure.start and figure.end <= s.end:
                return s.start, s.end
    start = text.rfind("\n", 0, figure.start) + 1
    end = text.find("\n", figure.end)
    return start, len(text) if end < 0 else end


def _period(text: str, figures: Sequence[Figure], figure: Figure, sentence: tuple[int, int]) -> str:
    """The last date or period written before ``figure`` in its sentence (with 截至 when so written)."""
    if figure.kind in _DATE_KINDS:
        return ""
    before = [f for f in figures if f.kind in _DATE_KINDS and sentence[0] <= f.start and f.end <= figure.start]
    if not before:
        return ""
    date = before[-1]
    prefix = next((p for p in _PERIOD_PREFIXES if text.startswith(p, date.start - len(p))), "")
    return prefix + date.text


# -- filtering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureFilter:
    """A parsed filter: every group must match a row (a group matches when any of its terms does).

    ``ignored`` are English words the glossary does not know (the briefing is Chinese, so
    they could match nothing).
    """

    groups: tuple[tuple[str, ...], ...]
    ignored: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups


def parse_filter(text: str | None) -> FigureFilter:
    """Filter words → term groups: Chinese words as written (in Simplified) or the official
    terms an everyday word stands for, English phrases as the glossary's terms.

    >>> parse_filter("退休金 pension").groups
    (('养老金', '养老保险'), ('退休金', '养老金'))
    """
    key = normalize(str(text or ""))[:MAX_FILTER_CHARS]
    found = glossary_terms(key)
    groups: list[tuple[str, ...]] = []
    covered = [False] * len(key)
    for term in found:
        if term.word.isascii():
            groups.append(term.official)
            covered[term.start:term.end] = [True] * (term.end - term.start)
    rest = "".join(" " if done else ch for ch, done in zip(key, covered))
    ignored: list[str] = []
    for word in rest.split():
        if _LATIN_WORD.fullmatch(word):
            if word not in _STOPWORDS:
                ignored.append(word)
            continue
        everyday = [t for term in found if not term.word.isascii() and term.word in word for t in term.official]
        groups.append(tuple(dict.fromkeys([word, *everyday])))
    return FigureFilter(tuple(dict.fromkeys(groups)), tuple(dict.fromkeys(ignored)))


def _haystack(row: FigureRow) -> str:
    """What a filter is matched against: the row's own words, not its whole sentence."""
    return normalize(" ".join((row.section, row.label, row.text, row.display_value, row.period)))


def filter_rows(rows: Iterable[FigureRow], text: str | FigureFilter | None) -> list[FigureRow]:
    """The rows ``text`` matches (all rows for an empty filter; none when every word was ignored)."""
    query = text if isinstance(text, FigureFilter) else parse_filter(text)
    rows = list(rows)
    if query.empty:
        return [] if query.ignored else rows
    return [r for r in rows if _matches(query, _haystack(r))]


def _matches(query: FigureFilter, haystack: str) -> bool:
    return all(any(term in haystack for term in group) for group in query.groups)


# -- output ---------------------------------------------------------------------------------


def plain_number(value: float | None) -> str:
    """A value as a spreadsheet reads it: no exponent, no trailing ``.0`` (``""`` for none).

    >>> plain_number(2.04e12), plain_number(5.3), plain_number(None)
    ('2040000000000', '5.3', '')
    """
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def rows_csv(rows: Iterable[FigureRow]) -> str:
    """The rows as CSV text with a header of :data:`COLUMNS` (write it as ``utf-8-sig``, see
    :func:`csv_bytes`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([plain_number(v) if name == "value" else v for name, v in zip(COLUMNS, asdict(row).values())])
    return out.getvalue()


def csv_bytes(rows: Iterable[FigureRow]) -> bytes:
    """:func:`rows_csv` as UTF-8 with a byte-order mark, so Excel shows the Chinese correctly."""
    return rows_csv(rows).encode("utf-8-sig")
