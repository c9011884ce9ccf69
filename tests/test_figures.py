"""Tests for the figures stage: the hand-checked table of the briefing, parsing, tricky cases."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrss_qa.figures import Figure, extract_figures, parse_number
from hrss_qa.text import to_simplified

ROOT = Path(__file__).resolve().parents[1]
BRIEFING = (ROOT / "corpus" / "hrss-2023q1-briefing.txt").read_text(encoding="utf-8")
TABLE_PATH = ROOT / "tests" / "data" / "figures_table.json"
TABLE = json.loads(TABLE_PATH.read_text(encoding="utf-8"))["figures"]
FIELDS = ("text", "value", "unit", "qualifier", "kind", "label", "start", "end")


@pytest.fixture(scope="module")
def figures() -> list[Figure]:
    return extract_figures(BRIEFING)


# --- the briefing against the hand-checked table --------------------------------------------

def test_table_is_consistent_with_the_briefing() -> None:
    assert len(TABLE) == 87
    for row in TABLE:
        assert BRIEFING[row["start"]:row["end"]] == row["text"], row


def test_every_figure_matches_the_table(figures: list[Figure]) -> None:
    got = [{k: getattr(f, k) for k in FIELDS} for f in figures]
    want = [{k: row[k] for k in FIELDS} for row in TABLE]
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"row {i}: {w['text']!r} at {w['start']}"
    assert len(got) == len(want)


def test_spans_slice_the_text_and_are_ordered(figures: list[Figure]) -> None:
    for f in figures:
        assert BRIEFING[f.start:f.end] == f.text
    assert all(a.end <= b.start for a, b in zip(figures, figures[1:]))


def test_offset_shifts_spans_only() -> None:
    line = BRIEFING.splitlines()[6]
    base = BRIEFING.index(line)
    shifted = extract_figures(line, offset=base)
    assert [(f.text, f.start) for f in shifted] == [
        (r["text"], r["start"]) for r in TABLE if base <= r["start"] < base + len(line)
    ]
    assert all(BRIEFING[f.start:f.end] == f.text for f in shifted)


def test_simplified_briefing_gives_the_same_numbers(figures: list[Figure]) -> None:
    simplified = to_simplified(BRIEFING)
    assert len(simplified) == len(BRIEFING)
    got = extract_figures(simplified)
    assert [(f.value, f.kind, f.start, f.end) for f in got] == [
        (f.value, f.kind, f.start, f.end) for f in figures
    ]
    assert [f.label for f in got] == [to_simplified(f.label) for f in figures]


def test_recurring_phrases_keep_their_own_numbers(figures: list[Figure]) -> None:
    by_label = {}
    for f in figures:
        by_label.setdefault(f.label, []).append(f.text)
    assert by_label["失業保險參保人數"] == ["2.37億人"]
    assert by_label["工傷保險參保人數"] == ["2.89億人"]
    assert by_label["社會保險基金總支出"] == ["1.7萬億元"]
    assert by_label["電子社保卡已開通全國服務"] == ["87項"]
    assert by_label["全國人力資源社會保障政務服務平臺開通全國性服務"] == ["118項"]
    assert by_label["電子社保卡領用人數覆蓋人口"] == ["54.1%"]
    assert by_label["累計訪問量"] == ["超過47億人次", "31億次", "近32億人次"]


def test_display_value_never_changes_the_number(figures: list[Figure]) -> None:
    for f in figures:
        if f.value is None:
            assert f.display_value == f.text
            continue
        numbers = re.findall(r"[0-9][0-9,]*(?:\.[0-9]+)?", f.display_value)
        shown = [float(x.replace(",", "")) for x in numbers]
        assert f.value in shown, (f.text, f.display_value)


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("297萬人", "2,970,000 人"),
        ("5.3%", "5.3%"),
        ("2.04萬億元", "2.04 萬億元 (2,040,000,000,000 元)"),
        ("超過261萬張", "超過 2,610,000 張"),
        ("1000余項", "1,000余 項"),
        ("第十六屆", "第 16 屆"),
        ("3月底", "3月底"),
    ],
)
def test_display_value(text: str, display: str) -> None:
    (f,) = extract_figures(text)
    assert f.display_value == display


# --- parse_number ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("297萬", 2_970_000.0),
        ("297万", 2_970_000.0),
        ("２９７萬", 2_970_000.0),
        ("2.04萬億", 2.04e12),
        ("2.04万亿", 2.04e12),
        ("10.52億", 1_052_000_000.0),  # exact, not 1052000000.0000001
        ("1,000", 1000.0),
        ("3千萬", 30_000_000.0),
        ("5.3%", 5.3),
        ("百分之五十", 50.0),
        ("十", 10.0),
        ("十六", 16.0),
        ("二十一", 21.0),
        ("一百零五", 105.0),
        ("三千萬", 30_000_000.0),
        ("兩萬億", 2e12),
        ("一億二千萬", 120_000_000.0),
        ("二〇二三", 2023.0),
        ("0", 0.0),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "abc", "萬人", "十五六", "3萬5千", "1.2.3", "--1", "1,00"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None


# --- tricky cases ----------------------------------------------------------------------------

def _one(text: str) -> Figure:
    (f,) = extract_figures(text)
    return f


def test_simplified_and_full_width_input() -> None:
    figs = extract_figures("1-3月城镇新增就业２９７万人")
    assert [(g.text, g.value, g.label) for g in figs] == [
        ("1-3月", None, "城镇新增就业"),
        ("２９７万人", 2_970_000.0, "城镇新增就业"),
    ]


def test_qualifiers_are_kept_in_text_and_field() -> None:
    assert (_one("超過261萬張").qualifier, _one("近32億人次").qualifier) == ("超過", "近")
    f = _one("5萬余人")
    assert (f.text, f.value, f.qualifier, f.unit) == ("5萬余人", 50_000.0, "余", "人")
    f = _one("300多萬人")
    assert (f.value, f.qualifier) == (3_000_000.0, "多")
    f = _one("近3年來")  # "the last 3 years": 近 is not a qualifier here
    assert (f.text, f.qualifier, f.kind) == ("3年", "", "count")


def test_words_without_numbers_are_skipped() -> None:
    text = "一是組建一批聯盟,統一服務,進一步推進,十四五規劃,百萬富翁的萬家燈火"
    assert [f.text for f in extract_figures(text)] == ["百萬"]   # 百萬 before a noun is a figure (below)


def test_figures_without_numerals() -> None:
    """A magnitude said as a word before a noun, and a date relative to the document's year."""
    figures = extract_figures("截至去年底,啟動百萬就業見習崗位募集計劃,開展百日千萬招聘,今年初")
    assert [(f.text, f.kind, f.value) for f in figures] == [
        ("去年底", "date", None), ("百萬", "quantity", 1e6), ("千萬", "quantity", 1e7), ("今年初", "date", None)]
    assert figures[1].label == "啟動就業見習崗位募集計劃"


def test_dates_and_periods() -> None:
    kinds = {f.text: f.kind for f in extract_figures("2023年4月24日,1-3月,3月份,2024年底,4月中旬,二〇二三年,第一季度")}
    assert kinds == {"2023年4月24日": "date", "1-3月": "period", "3月份": "period", "2024年底": "date",
                     "4月中旬": "date", "二〇二三年": "period", "第一季度": "period"}


def test_counts_ordinals_and_percent_points() -> None:
    text = "第十六屆,推出十項,三年行動,4個標準,下降0.2個百分點"
    got = [(f.text, f.value, f.unit, f.kind) for f in extract_figures(text)]
    assert got == [("第十六屆", 16.0, "屆", "ordinal"), ("十項", 10.0, "項", "count"),
                   ("三年", 3.0, "年", "count"), ("4個", 4.0, "個", "count"),
                   ("0.2個百分點", 0.2, "個百分點", "percent")]


def test_thousands_separator_versus_clause_comma() -> None:
    got = [(f.text, f.value) for f in extract_figures("就業1,000萬人,3月份失業率為5.3%")]
    assert got == [("1,000萬人", 10_000_000.0), ("3月份", None), ("5.3%", 5.3)]


def test_respectively_list_with_two_items() -> None:
    labels = [f.label for f in extract_figures("城鎮、農村居民人均收入分別為5萬元、2萬元")]
    assert labels == ["城鎮居民人均收入", "農村居民人均收入"]


def test_latin_tokens_are_not_figures() -> None:
    assert [f.text for f in extract_figures("5G基站10萬個")] == ["10萬個"]


# --- never raises ----------------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    list("0123456789０１２３４５.,%％萬億万亿千百十一二三四兩零〇第屆批項個人次元年月日底季度-、,，。:“”()")
    + ["萬億", "万亿", "超過", "近", "余", "分別為", "個百分點", "百分之", "截至", "1-3月", "\n", "\u200b"]
)


def _check(text: str) -> None:
    for f in extract_figures(text, offset=7):
        assert text[f.start - 7:f.end - 7] == f.text
        assert f.value is None or math.isfinite(f.value)
        assert isinstance(f.display_value, str)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_unicode_never_raises(text: str) -> None:
    _check(text)
    assert parse_number(text) is None or isinstance(parse_number(text), float)


@settings(max_examples=500, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=40).map("".join))
def test_number_like_text_never_raises(text: str) -> None:
    _check(text)
    value = parse_number(text)
    assert value is None or isinstance(value, float)
