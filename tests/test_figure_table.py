"""The figures table (figure_table.py): rows against the hand-checked table, filtering, CSV.

Pure functions: documents are read from corpus/ or built here; no model, no index.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrss_qa.corpus import Document, load_corpus
from hrss_qa.figure_table import (
    COLUMNS,
    MAX_FILTER_CHARS,
    FigureRow,
    csv_bytes,
    figure_rows,
    filter_rows,
    parse_filter,
    plain_number,
    rows_csv,
)

ROOT = Path(__file__).resolve().parents[1]
TABLE = json.loads((ROOT / "tests" / "data" / "figures_table.json").read_text(encoding="utf-8"))["figures"]
FIELDS = ("text", "value", "unit", "qualifier", "kind", "label", "start", "end")


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return load_corpus(ROOT / "corpus")


@pytest.fixture(scope="module")
def rows(docs) -> list[FigureRow]:
    return figure_rows(docs)


def _by_text(rows, text: str) -> FigureRow:
    (row,) = [r for r in rows if r.text == text]
    return row


# -- rows -------------------------------------------------------------------------------------


def test_rows_are_the_hand_checked_figures_in_order(rows):
    assert [{k: getattr(r, k) for k in FIELDS} for r in rows] == [{k: t[k] for k in FIELDS} for t in TABLE]
    assert [r.number for r in rows] == list(range(1, len(TABLE) + 1))


def test_each_row_has_its_section_sentence_and_passage(rows, docs):
    text = docs[0].text
    for r in rows:
        assert r.doc_id == "hrss-2023q1-briefing" and r.section
        assert r.passage_start <= r.start < r.end <= r.passage_end
        assert r.text in r.sentence and r.sentence in text[r.passage_start:r.passage_end]
        assert "\n" not in r.sentence
    row = _by_text(rows, "2.37億人")
    assert row.section == "二、社會保障 › 工作進展情況"
    assert row.sentence == "截至3月底,全國基本養老、失業、工傷保險參保人數分別為10.52億人、2.37億人、2.89億人。"
    assert row.display_value == "2.37 億人 (237,000,000 人)" and row.unit == "人"
    assert _by_text(rows, "13.7億人").section == "二、社會保障 › 工作進展情況"
    assert _by_text(rows, "76項").section == "五、便民服務 › 工作進展情況"


def test_period_is_the_date_its_sentence_gives_before_it(rows):
    assert _by_text(rows, "297萬人").period == "1-3月"
    assert _by_text(rows, "5.3%").period == "3月份"            # the nearer of two
    assert _by_text(rows, "2.37億人").period == "截至3月底"     # 截至 kept: a cumulative figure
    assert _by_text(rows, "7.75萬億元").period == "3月底"       # written without 截至
    assert _by_text(rows, "13.7億人").period == ""              # its sentence states none
    assert _by_text(rows, "超過2.11萬億元").period == "截至去年底"  # a date relative to the briefing's year
    assert all(r.period == "" for r in rows if r.kind in ("date", "period"))


def test_every_briefing_in_the_folder_is_tabled():
    first = Document("a-briefing", "一、就業\n工作進展情況:1-3月城鎮新增就業297萬人。", event="一季度")
    second = Document("b-briefing", "二、社會保障\n工作進展情況:截至6月底,失業保險參保人數2.4億人。", event="二季度")
    rows = figure_rows([first, second])
    assert [(r.number, r.doc_id, r.text, r.section, r.period) for r in rows] == [
        (1, "a-briefing", "1-3月", "一、就業 › 工作進展情況", ""),
        (2, "a-briefing", "297萬人", "一、就業 › 工作進展情況", "1-3月"),
        (3, "b-briefing", "6月底", "二、社會保障 › 工作進展情況", ""),
        (4, "b-briefing", "2.4億人", "二、社會保障 › 工作進展情況", "截至6月底"),
    ]
    assert rows[3].start == second.text.index("2.4億人")


def test_a_document_without_figures_adds_no_rows():
    assert figure_rows([Document("empty", "一、就業\n工作進展情況:穩步推進。")]) == []


# -- filtering ----------------------------------------------------------------------------


def _texts(rows, query) -> list[str]:
    return [r.text for r in filter_rows(rows, query)]


def test_traditional_and_simplified_filters_match_alike(rows):
    assert _texts(rows, "參保人數") == _texts(rows, "参保人数") == ["3月底", "10.52億人", "2.37億人", "2.89億人"]


def test_english_words_match_through_the_glossary(rows):
    assert _texts(rows, "unemployment insurance insured") == ["2.37億人"]
    assert _texts(rows, "Unemployment rate") == ["3月份", "5.3%"]
    assert _texts(rows, "social security card holders") == ["13.7億人", "97%"]


def test_everyday_words_match_the_briefings_terms(rows):
    assert _texts(rows, "社保基金") == ["1-3月", "三項", "2.04萬億元", "1.7萬億元"]  # 社會保險基金 in the briefing


def test_all_words_must_match(rows):
    assert _texts(rows, "访问量") == ["超過47億人次", "31億次", "近32億人次"]
    assert _texts(rows, "访问量 人次") == ["超過47億人次", "近32億人次"]
    assert _texts(rows, "1-3月") == ["1-3月", "297萬人", "1-3月", "三項", "2.04萬億元", "1.7萬億元"]


def test_filter_does_not_search_whole_sentences(rows):
    # 10.52億人's sentence mentions 失業, but its label does not
    assert "10.52億人" not in _texts(rows, "失业")


def test_unknown_english_words_are_reported_and_match_nothing(rows):
    query = parse_filter("foo pension")
    assert query.ignored == ("foo",) and query.groups == (("养老金", "养老保险"),)
    assert filter_rows(rows, "foo") == []
    assert parse_filter("foo").ignored == ("foo",)


@pytest.mark.parametrize("blank", ["", "   ", None, "the of", "\u200b"])
def test_blank_filters_keep_every_row(rows, blank):
    assert filter_rows(rows, blank) == rows


def test_long_and_odd_filters_are_bounded(rows):
    started = time.perf_counter()
    assert filter_rows(rows, "参" * 100_000) == []
    assert time.perf_counter() - started < 2.0
    assert len(parse_filter("参保 " * 1000).groups) == 1        # repeats fold
    assert sum(len(g[0]) for g in parse_filter("字" * 1000).groups) <= MAX_FILTER_CHARS
    assert filter_rows(rows, "<script>alert(1)</script>") == []


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_filter_returns_a_subset_in_order(text):
    rows = figure_rows(load_corpus(ROOT / "corpus"))
    got = filter_rows(rows, text)
    numbers = [r.number for r in got]
    assert numbers == sorted(numbers) and set(numbers) <= {r.number for r in rows}


# -- CSV --------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_and_round_trips(rows):
    data = csv_bytes(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(parsed[0]) == COLUMNS and len(parsed) == len(TABLE)
    for got, want in zip(parsed, TABLE):
        assert got["text"] == want["text"] and got["label"] == want["label"] and got["unit"] == want["unit"]
        assert int(got["start"]) == want["start"] and int(got["end"]) == want["end"]
        assert (float(got["value"]) if got["value"] else None) == want["value"]
    # commas and quotes inside the sentence survive
    assert parsed[33]["sentence"] == "截至3月底,全國基本養老、失業、工傷保險參保人數分別為10.52億人、2.37億人、2.89億人。"


def test_csv_of_no_rows_is_just_the_header():
    assert rows_csv([]) == ",".join(COLUMNS) + "\r\n"


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (2970000.0, "2970000"), (5.3, "5.3"), (2.04e12, "2040000000000"), (1e16, "10000000000000000"),
    (0.0001, "0.0001"), (1052000000.0, "1052000000"),
])
def test_plain_number_never_uses_an_exponent(value, text):
    assert plain_number(value) == text
