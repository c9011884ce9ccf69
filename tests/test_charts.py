"""Charts of an answer's figures (charts.py): which figures are charted, and the bars drawn.

Pure: figures come from extract_figures on sentences written here or taken from the briefing.
"""

from __future__ import annotations

import re

from hrss_qa.charts import MAX_BARS, bar_chart_html, chart_groups
from hrss_qa.figures import Figure, extract_figures

INSURED = "截至3月底,全國基本養老、失業、工傷保險參保人數分別為10.52億人、2.37億人、2.89億人。"
FUNDS = "1-3月三項社會保險基金總收入2.04萬億元、總支出1.7萬億元,3月底累計結余7.75萬億元。"
JOBS = "1-3月城鎮新增就業297萬人,3月份全國城鎮調查失業率為5.3%,就業局勢保持總體平穩。"


def _texts(groups) -> list[list[str]]:
    return [[f.text for f in group] for group in groups]


def test_a_list_stated_in_simplified_is_charted_in_the_answers_order():
    figures = list(reversed(extract_figures(INSURED)))           # relevance order differs from the text's
    answer = "截至3月底,全国基本养老、失业、工伤保险参保人数分别为10.52亿人、2.37亿人、2.89亿人。[1]"
    assert _texts(chart_groups(answer, figures)) == [["10.52億人", "2.37億人", "2.89億人"]]


def test_a_single_stated_figure_gets_no_chart():
    figures = extract_figures(INSURED)          # the sentence has three, the answer states one
    assert chart_groups("截至3月底，失业保险参保人数为2.37亿人。[1]", figures) == []
    assert chart_groups("1-3月城镇新增就业297万人。[1]", extract_figures(JOBS)) == []


def test_figures_of_different_units_are_not_charted_together():
    assert chart_groups(JOBS, extract_figures(JOBS)) == []     # 人 and %
    assert _texts(chart_groups(FUNDS, extract_figures(FUNDS))) == [["2.04萬億元", "1.7萬億元", "7.75萬億元"]]


def test_dates_ordinals_and_counts_of_items_stay_out_unless_numbers_of_one_unit():
    figures = extract_figures(FUNDS)
    assert all(f.kind not in ("date", "period") for group in chart_groups(FUNDS, figures) for f in group)
    assert "三項" not in [f.text for group in chart_groups(FUNDS, figures) for f in group]   # the only 項
    ordinals = extract_figures("第二屆大賽和第四屆活動")
    assert chart_groups("第二届大赛和第四届活动", ordinals) == []


def test_a_figure_is_stated_only_as_a_whole_number():
    figures = extract_figures("甲2.37億人、乙2.89億人")
    assert chart_groups("甲12.37亿人、乙2.89亿人", figures) == []   # 12.37 is not 2.37


def test_the_same_figure_listed_twice_is_one_bar():
    figures = extract_figures(INSURED)
    assert _texts(chart_groups(INSURED, figures + figures)) == [["10.52億人", "2.37億人", "2.89億人"]]


def test_bars_are_proportional_and_carry_label_figure_and_source():
    figures = [f for f in extract_figures(INSURED) if f.kind == "quantity"]
    html = bar_chart_html(figures, "图：回答中的数字（单位：人）", lambda f: 1)
    widths = [float(w) for w in re.findall(r'width:([0-9.]+)%', html)]
    assert widths == [100.0, 22.5, 27.5]
    for f in figures:
        assert f"{f.label}</span>" in html and f"{f.text} <span class=\"hrss-cite\">[1]</span>" in html
    assert "图：回答中的数字（单位：人）" in html and "\n" not in html


def test_labels_are_escaped_and_zero_values_draw():
    odd = [Figure("0人", 0.0, "人", "", "<img src=x onerror=alert(1)>", "quantity", 0, 2),
           Figure("0人", 0.0, "人", "", "乙", "quantity", 5, 7)]
    html = bar_chart_html(odd, "<b>")
    assert "<img" not in html and "&lt;img src=x" in html and "&lt;b&gt;" in html
    assert "[" not in html                      # no source known: no marker


def test_long_lists_are_cut_to_a_small_chart():
    text = "、".join(f"項{i}{i + 1}萬人" for i in range(20))
    (group,) = chart_groups(text, extract_figures(text))
    assert len(group) == MAX_BARS
