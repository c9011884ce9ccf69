"""The chat handlers, in process, on the real engine (model, FAISS index, answers).

Gradio is exercised for real at the end: the page is built, served on a free port and
called through ``gradio_client`` by its API endpoint names.
"""

import html
import json
import logging
import re
import socket
import threading
import urllib.parse
from datetime import datetime
from pathlib import Path

import gradio as gr
import pytest

from hrss_qa.ui import (
    CONCURRENCY,
    MSG_ERROR,
    MSG_LOADING,
    ChatService,
    FeedbackLog,
    Turn,
    build_demo,
    launch_options,
    resolve_feedback_path,
)

PASSAGE_297 = "1-3月城鎮新增就業297萬人,3月份全國城鎮調查失業率為5.3%,就業局勢保持總體平穩。"


@pytest.fixture
def service(engine, tmp_path) -> ChatService:
    return ChatService(engine, feedback_path=tmp_path / "feedback.jsonl")


def _text(markup: str) -> str:
    """What a reader sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _reply(chat: list[dict]) -> str:
    assert chat and chat[-1]["role"] == "assistant"
    return chat[-1]["content"]


def _ask(service: ChatService, *questions: str, script: str = "auto") -> tuple[list[dict], list[Turn]]:
    chat, turns = [], []
    for q in questions:
        chat, turns, cleared = service.respond(q, turns, script)
        assert cleared == ""
    return chat, turns


def _answer_text(reply: str) -> str:
    m = re.search(r'<p class="hrss-answer-text">(.*?)</p>', reply)
    assert m, reply
    return _text(m.group(1))


# -- answers -------------------------------------------------------------------------------


def test_simplified_question_gets_figure_citation_and_original_passage(service):
    chat, turns = _ask(service, "一季度城镇新增就业多少人？")
    assert [m["role"] for m in chat] == ["user", "assistant"]
    reply = _reply(chat)
    answer = turns[0].answer
    assert answer is not None and not answer.abstained and answer.citations
    assert "297万" in _answer_text(reply) and "[1]" in _answer_text(reply)
    # the cited passage, in its original Traditional text, with its section path
    assert PASSAGE_297 in _text(reply)
    assert "一、就業 › 工作進展情況" in _text(reply)
    # the quoted sentence and the answering figure are highlighted; the figure table is there
    assert '<mark class="hrss-quote hrss-fig"><strong>297萬人</strong></mark>' in reply
    assert '<mark class="hrss-quote">' in reply
    assert "回答中的数字" in reply and "2,970,000 人" in reply and "<td>297萬人</td>" in reply
    assert "发布会未提及" not in reply and "结合上文" not in reply
    # one HTML block: no newline, so Markdown never reinterprets the text
    assert "\n" not in reply


def test_traditional_question_is_answered_in_traditional(service):
    chat, _ = _ask(service, "電子社保卡領用人數是多少？")
    text = _answer_text(_reply(chat))
    assert "7.64億人" in text and "电子" not in text
    assert "回答中的數字" in _reply(chat)


def test_script_switch_converts_answer_text_but_not_evidence(service):
    chat, turns = _ask(service, "一季度城镇新增就业多少人？")
    hant = service.rerender(turns, "zh-Hant")
    hans = service.rerender(turns, "zh-Hans")
    assert "城鎮新增就業297萬人" in _answer_text(_reply(hant))
    assert "城镇新增就业297万人" in _answer_text(_reply(hans))
    for shown in (hant, hans):
        assert PASSAGE_297 in _text(_reply(shown))      # evidence stays as published
    assert hans == service.rerender(turns, "auto")      # a Simplified asker sees Simplified


def test_follow_up_uses_earlier_question(service):
    chat, turns = _ask(service, "养老保险参保人数是多少？", "那失业保险呢？")
    assert len(chat) == 4
    reply = _reply(chat)
    assert "2.37" in _answer_text(reply)
    assert "失业保险参保人数" in turns[1].answer.question
    assert "结合上文，理解为" in reply                 # the rewritten question is shown


def test_abstention_looks_different(service):
    chat, turns = _ask(service, "二季度城镇新增就业多少人？")
    reply = _reply(chat)
    assert turns[0].answer.abstained
    assert 'class="hrss-reply hrss-abstain"' in reply
    assert "发布会未提及" in reply and "相关段落（仅供参考）" in reply
    assert "出处（发布会原文）" not in reply and "回答中的数字" not in reply
    assert "hrss-fig" not in reply                      # no figure presented as an answer


def test_english_question(service):
    chat, _ = _ask(service, "How many people joined the personal pension scheme?")
    assert "3324" in _answer_text(_reply(chat))


# -- input handling ------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\n\t ", None])
def test_empty_input_is_ignored(service, blank):
    chat, turns = _ask(service, "一季度城镇新增就业多少人？")
    chat2, turns2, cleared = service.respond(blank, turns, "auto")
    assert chat2 == chat and turns2 == turns and cleared == ""
    assert service.respond(blank, [], "auto")[:2] == ([], [])


def test_long_input_gets_notice(service):
    question = "一季度城镇新增就业多少人？" + "请详细说明。" * 100
    assert len(question) > 600
    chat, turns = _ask(service, question)
    reply = _reply(chat)
    assert turns[0].answer.notice
    assert "问题过长，只使用了前500个字" in _text(reply)
    assert len(_text(chat[0]["content"])) <= 501        # the bubble shows what was used


@pytest.mark.parametrize("attack", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">失业保险参保人数是多少？',
    "失业保险**参保**人数 $$x$$ [链接](javascript:alert(1))",
])
def test_markup_in_input_is_shown_as_text(service, attack):
    chat, _ = _ask(service, attack)
    everything = "".join(m["content"] for m in chat)
    assert "<script" not in everything and "<img" not in everything
    # the only links are the answer's own ?q= link, its question percent-encoded
    links = re.findall(r"<a [^>]*>", everything)
    assert all(re.fullmatch(r'<a class="hrss-share" href="\?q=[A-Za-z0-9%._~-]+">', a) for a in links), links
    assert html.escape(attack) in chat[0]["content"]
    assert _text(chat[0]["content"]) == attack


def test_internal_error_becomes_short_chinese_message(service, engine, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(engine, "retrieve", broken)
    monkeypatch.setattr(engine, "search", broken)   # what the answer stages search with
    with caplog.at_level(logging.ERROR, logger="hrss_qa.ui"):
        chat, turns = _ask(service, "一季度城镇新增就业多少人？")
    assert _text(_reply(chat)) == MSG_ERROR
    assert "Traceback" not in _reply(chat) and "exploded" not in _reply(chat)
    assert any(r.exc_info and "index exploded" in str(r.exc_info[1]) for r in caplog.records)
    assert turns[0].answer is None


def test_engine_loads_in_background(engine, tmp_path):
    release = threading.Event()

    def slow_load():
        release.wait(30)
        return engine

    service = ChatService(load=slow_load, feedback_path=tmp_path / "f.jsonl", load_wait=0.2)
    service.start_loading()
    assert not service.ready and "模型加载中" in service.status_markdown()
    chat, _, _ = service.respond("一季度城镇新增就业多少人？", [], "auto")
    assert _text(_reply(chat)) == MSG_LOADING
    release.set()
    assert service.wait_engine(30) is engine
    assert "已就绪" in service.status_markdown()
    chat, _, _ = service.respond("一季度城镇新增就业多少人？", [], "auto")
    assert "297万" in _answer_text(_reply(chat))


def test_engine_load_failure_is_reported(tmp_path):
    def failing_load():
        raise OSError("no index")

    service = ChatService(load=failing_load, feedback_path=tmp_path / "f.jsonl", load_wait=5)
    service.start_loading()
    assert service.wait_engine(5) is None
    assert "模型加载失败" in service.status_markdown()
    chat, _, _ = service.respond("一季度城镇新增就业多少人？", [], "auto")
    assert "模型加载失败" in _text(_reply(chat))


# -- feedback ------------------------------------------------------------------------------


def _lines(path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_like_writes_feedback_line(service):
    chat, turns = _ask(service, "失业保险参保人数是多少？", "二季度城镇新增就业多少人？")
    service.on_like(turns, gr.LikeData(None, {"index": 1, "value": chat[1]["content"], "liked": True}))
    service.on_like(turns, gr.LikeData(None, {"index": 3, "value": chat[3]["content"], "liked": False}))
    up, down = _lines(service.feedback.path)
    assert up["vote"] == "up" and down["vote"] == "down"
    assert up["question"] == "失业保险参保人数是多少？" and "2.37亿人" in up["answer"]
    assert up["citations"][0]["section"] == "二、社會保障 › 工作進展情況"
    assert "2.37億人" in up["citations"][0]["quote"]
    assert down["abstained"] is True and down["citations"]
    datetime.fromisoformat(up["timestamp"])


def test_feedback_for_unknown_message_is_ignored(service):
    _, turns = _ask(service, "失业保险参保人数是多少？")
    assert service.record_feedback(turns, 7, True) is None
    assert not service.feedback.path.exists()


def test_feedback_path_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("HRSS_QA_FEEDBACK", str(tmp_path / "env.jsonl"))
    assert resolve_feedback_path(tmp_path / "arg.jsonl") == tmp_path / "arg.jsonl"
    assert resolve_feedback_path() == tmp_path / "env.jsonl"
    monkeypatch.delenv("HRSS_QA_FEEDBACK")
    assert str(resolve_feedback_path()) == "feedback.jsonl"


def test_concurrent_feedback_lines_never_interleave(service):
    """8 threads × 25 large records (each ~30 KB, bigger than a pipe/page write) → 200 whole lines."""
    _, turns = _ask(service, "失业保险参保人数是多少？")
    big = Turn(turns[0].question + "。" * 10_000, turns[0].answer)
    log = FeedbackLog(service.feedback.path)     # a second writer object on the same file
    start = threading.Barrier(8)
    errors = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(25):
                if n % 2:
                    service.record_feedback([big], 1, i % 2 == 0)
                else:
                    log.append({"writer": n, "i": i, "pad": "字" * 10_000})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    records = _lines(service.feedback.path)
    assert len(records) == 200
    assert sum(1 for r in records if "writer" in r) == 100
    assert {(r["writer"], r["i"]) for r in records if "writer" in r} == {(n, i) for n in (0, 2, 4, 6) for i in range(25)}
    assert all(r["question"] == big.question for r in records if "vote" in r)


# -- Gradio wiring -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_served_api_endpoints(engine, tmp_path):
    from gradio_client import Client

    service = ChatService(engine, feedback_path=tmp_path / "feedback.jsonl")
    demo = build_demo(service)
    assert demo._queue.default_concurrency_limit == CONCURRENCY
    _, url, _ = demo.launch(**launch_options("127.0.0.1", _free_port()), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        assert set(named) == {"/respond", "/ask", "/figures"}
        result = client.predict(question="一季度城镇新增就业多少人？", api_name="/ask")
        assert result["ok"] and "297万" in result["text"] and "[1]" in result["text"]
        assert result["answer"]["citations"][0]["passage"] == PASSAGE_297
        follow = client.predict(question="那失业保险呢？", history=["养老保险参保人数是多少？"], api_name="/ask")
        assert "2.37" in follow["text"]
        chat, cleared = client.predict(message="失业保险参保人数是多少？", script="zh-Hant", api_name="/respond")
        assert cleared == "" and len(chat) == 2
        shown = _text(chat[1]["content"][0]["text"])
        assert "失業保險參保人數" in shown and "2.37億人" in shown
    finally:
        demo.close()


# -- charts, copy, links, export -----------------------------------------------------------

LIST_QUESTION = "基本养老、失业、工伤保险参保人数分别是多少？"


def _copy_text(reply: str) -> str:
    m = re.search(r'<span class="hrss-copy-text" style="display:none">(.*?)</span>', reply)
    assert m, reply
    assert "\n" not in m.group(1) and "<br>" not in m.group(1)
    return html.unescape(m.group(1))


def test_a_listed_answer_gets_a_chart_and_a_single_figure_none(service):
    chat, _ = _ask(service, LIST_QUESTION, "一季度城镇新增就业多少人？", "二季度城镇新增就业多少人？")
    listed, single, abstained = chat[1]["content"], chat[3]["content"], chat[5]["content"]
    assert listed.count('class="hrss-chart-row"') == 3
    labels = re.findall(r'<span class="hrss-chart-label">(.*?)</span>', listed)
    assert labels == ["全國基本養老保險參保人數", "失業保險參保人數", "工傷保險參保人數"]
    assert "（单位：人）" in listed and '2.37億人 <span class="hrss-cite">[1]</span>' in listed
    assert "hrss-chart" not in single and "hrss-chart" not in abstained


def test_a_comparison_is_charted(service):
    chat, _ = _ask(service, "社保基金一季度的收入和支出哪个多？")
    reply = _reply(chat)
    assert re.findall(r'<span class="hrss-chart-label">(.*?)</span>', reply) == ["社會保險基金總收入", "社會保險基金總支出"]


def test_copy_text_is_the_answer_with_its_citation_line(service):
    chat, turns = _ask(service, "失业保险参保人数是多少？")
    reply = _reply(chat)
    copied = _copy_text(reply).splitlines()
    assert copied[0] == turns[0].answer.text
    assert copied[1].startswith("[1] 二、社會保障 › 工作進展情況「截至3月底,全國基本養老、失業、工傷保險參保人數")
    assert copied[1].endswith("」（人力資源社會保障部2023年一季度新聞發布會 · 2023-04-24）") and len(copied) == 2
    hant = _copy_text(_reply(service.rerender(turns, "zh-Hant")))
    assert hant.splitlines()[0] == "截至3月底，失業保險參保人數為2.37億人。[1]"


def test_each_answer_links_to_its_question(service):
    chat, turns = _ask(service, "养老保险参保人数是多少？", "那失业保险呢？")
    first = re.search(r'<a class="hrss-share" href="([^"]+)">', chat[1]["content"]).group(1)
    assert first == "?q=" + urllib.parse.quote(turns[0].answer.question, safe="")
    assert urllib.parse.unquote(first[3:]) == "养老保险参保人数是多少?"
    follow = re.search(r'<a class="hrss-share" href="([^"]+)">', chat[3]["content"]).group(1)
    # a follow-up links to the question as understood, which stands on its own
    assert urllib.parse.unquote(follow[3:]) == turns[1].answer.question != "那失业保险呢？"


def _file_of(button: gr.DownloadButton) -> str:
    """The file a DownloadButton update points at (Gradio stores it as FileData outside a page)."""
    return button.value["path"] if isinstance(button.value, dict) else button.value


class _Request:
    def __init__(self, **params):
        self.query_params = params


def test_page_link_asks_its_question(service):
    chat, turns, cleared = service.answer_link([], "auto", _Request(q="失业保险参保人数是多少？"))
    assert len(turns) == 1 and "2.37" in _answer_text(_reply(chat)) and cleared == ""
    assert service.answer_link([], "auto", _Request())[:2] == ([], [])
    assert service.answer_link([], "auto", None)[:2] == ([], [])
    assert service.answer_link([], "auto", _Request(q="   "))[:2] == ([], [])


def test_page_link_with_markup_or_a_huge_question_is_safe(service):
    attack = '<img src=x onerror="alert(1)">失业保险参保人数是多少？'
    chat, _, _ = service.answer_link([], "auto", _Request(q=attack))
    everything = "".join(m["content"] for m in chat)
    assert "<img" not in everything and html.escape(attack) in chat[0]["content"]
    chat, turns, _ = service.answer_link([], "auto", _Request(q="失业率" * 50_000))
    assert turns[0].answer.notice and len(_text(chat[0]["content"])) <= 501


def test_export_is_markdown_with_questions_answers_and_citations(service):
    _, turns = _ask(service, "失业保险参保人数是多少？", "二季度城镇新增就业多少人？", "**粗体** [x](javascript:alert(1)) <b>")
    assert service.export_button([]).interactive is False
    path = _file_of(service.export_button(turns))
    text = open(path, encoding="utf-8").read()
    assert text.startswith("# 人社部 2023 年一季度新闻发布会 · 问答助手\n\n导出时间：")
    assert "## 1. 问：失业保险参保人数是多少？" in text
    assert turns[0].answer.text in text
    assert "- [1] 二、社會保障 › 工作進展情況（人力資源社會保障部2023年一季度新聞發布會 · 2023-04-24）" in text
    assert "  > 截至3月底,全國基本養老、失業、工傷保險參保人數分別為10.52億人、2.37億人、2.89億人。" in text
    assert "## 2. 问：二季度城镇新增就业多少人？" in text and "**发布会未提及。**" in text
    assert "相关段落（仅供参考）：" in text
    assert r"## 3. 问：\*\*粗体\*\* [x]\(javascript:alert(1)) &lt;b&gt;" in text
    assert "<b>" not in text and "](" not in text
    assert path.endswith("hrss-qa-conversation.md")


def test_export_follows_the_display_script(service):
    _, turns = _ask(service, "失业保险参保人数是多少？")
    button = service.export_button(turns, "zh-Hant")
    assert button.interactive is True
    assert "失業保險參保人數為2.37億人" in open(_file_of(button), encoding="utf-8").read()


# -- the Figures tab -----------------------------------------------------------------------

FIGURES_TABLE = json.loads((Path(__file__).parent / "data" / "figures_table.json").read_text(encoding="utf-8"))["figures"]


@pytest.fixture(scope="module")
def figure_tab():
    from hrss_qa.corpus import load_corpus
    from hrss_qa.figures_tab import FigureTab

    return FigureTab(load_corpus())


def test_figure_tab_filters_and_offers_the_csv(figure_tab):
    frame, status, button = figure_tab.table("參保人數")
    assert [row[4] for row in frame["data"]] == ["3月底", "10.52億人", "2.37億人", "2.89億人"]
    assert frame["headers"][:6] == ["#", "发布会", "部分", "项目", "原文写法", "规范值"]
    assert "共 87 个数字" in status and "筛选「參保人數」：4 个" in status
    data = open(_file_of(button), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").count("\r\n") == 5
    assert button.interactive is True


def test_figure_tab_says_when_nothing_matches(figure_tab):
    frame, status, button = figure_tab.table('<img src=x onerror="alert(1)"> foo')
    assert frame["data"] == [] and button.interactive is False
    assert "<img" not in status and "&lt;img" in status and "没有匹配的数字" in status
    _, status, _ = figure_tab.table("foo")
    assert "未识别的英文词已忽略：foo" in status


def test_figure_tab_passage_highlights_the_figure(figure_tab):
    number = next(r["line"] and i + 1 for i, r in enumerate(FIGURES_TABLE) if r["text"] == "2.37億人")
    shown = figure_tab.passage_html(number)
    assert '<mark class="hrss-quote hrss-fig"><strong>2.37億人</strong></mark>' in shown
    assert "二、社會保障 › 工作進展情況" in shown and "電子社保卡領用人數7.64億人" in shown
    for bad in (None, "x", 0, 10_000, -1, [1]):
        assert "点击表格中的一行" in figure_tab.passage_html(bad)
    assert "2.37億人" in figure_tab.on_select(gr.SelectData(None, {"index": [0, 4], "value": "2.37億人",
                                                                     "row_value": [number, "…"]}))
    assert "点击表格中的一行" in figure_tab.on_select(gr.SelectData(None, {"index": [0, 0], "value": None}))


def test_figures_endpoint_function_never_raises(figure_tab):
    assert len(figure_tab.rows_json("")) == len(FIGURES_TABLE) == len(figure_tab.rows_json(None))
    assert [r["text"] for r in figure_tab.rows_json(297)] == ["297萬人"]       # a number from a script
    assert figure_tab.rows_json("\ud800" * 10) == []                           # lone surrogates: nothing, no error
    assert figure_tab.rows_json("参" * 1_000_000) == []


def test_served_figures_endpoint_returns_every_hand_checked_row(engine, tmp_path):
    from gradio_client import Client

    demo = build_demo(ChatService(engine, feedback_path=tmp_path / "feedback.jsonl"))
    _, url, _ = demo.launch(**launch_options("127.0.0.1", _free_port()), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        rows = client.predict(text="", api_name="/figures")
        fields = ("text", "value", "unit", "qualifier", "kind", "label", "start", "end")
        assert [{k: r[k] for k in fields} for r in rows] == [{k: t[k] for k in fields} for t in FIGURES_TABLE]
        assert all(r["section"] and r["sentence"] and r["display_value"] for r in rows)
        insured = client.predict(text="unemployment insurance insured", api_name="/figures")
        assert [(r["label"], r["text"], r["period"]) for r in insured] == [("失業保險參保人數", "2.37億人", "截至3月底")]
    finally:
        demo.close()
