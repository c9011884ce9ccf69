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
from datetime import datetime

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
    assert "<script" not in everything and "<img" not in everything and "<a " not in everything
    assert html.escape(attack) in chat[0]["content"]
    assert _text(chat[0]["content"]) == attack


def test_internal_error_becomes_short_chinese_message(service, engine, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(engine, "retrieve", broken)
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
        assert set(named) == {"/respond", "/ask"}
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
