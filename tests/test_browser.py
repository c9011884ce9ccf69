"""The chat in a real browser: Debian's Chromium driven by Playwright, app in a subprocess.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium fonts-noto-cjk``).  Without it the
tests are skipped, except under CI (``$CI`` set), where a missing browser is a failure.
Screenshots of each path (answer, abstention, the Figures tab, a chart, the export, a ``?q=``
link) are saved to ``tests/artifacts/`` for a human look.
"""

import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 180  # seconds: Gradio import + model load (+ one-time model conversion on a fresh cache)
REPLY_TIMEOUT = 60_000  # ms

TABLE = json.loads((ROOT / "tests" / "data" / "figures_table.json").read_text(encoding="utf-8"))["figures"]

INPUT = "#hrss-input textarea"
FILTER = "#hrss-fig-filter input"
TABLE_ROWS = "#hrss-fig-table .virtual-row"
BOT = '#hrss-chat [data-testid="bot"]'
USER = '#hrss-chat [data-testid="user"]'


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright for Python is not installed (pip install playwright; never `playwright install`)")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_api):
    browser = playwright_api.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("feedback") / "feedback.jsonl"


@pytest.fixture(scope="module")
def app_url(feedback_file: Path, tmp_path_factory) -> Iterator[str]:
    """``python app.py`` on a free port; the URL once the page is served."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("app") / "app.log"
    env = {**os.environ, "HRSS_QA_FEEDBACK": str(feedback_file), "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app.py did not serve {url} within {START_TIMEOUT} s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _open(browser, url: str):
    """A fresh page (own Gradio session) at ``url`` with the engine ready; records any JS dialog."""
    origin = url.split("?")[0].rstrip("/")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(INPUT)
    page.wait_for_function("document.querySelector('#hrss-status')?.innerText.includes('已就绪')",
                           timeout=START_TIMEOUT * 1000)
    return page


@pytest.fixture
def page(browser, app_url):
    page = _open(browser, app_url)
    yield page
    page.context.close()


def _send(page, question: str) -> None:
    page.fill(INPUT, question)
    page.press(INPUT, "Enter")


def _wait_bot_count(page, n: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length >= {n}", timeout=REPLY_TIMEOUT)


def _last_bot(page):
    return page.locator(BOT).last


def test_question_answer_script_switch_and_screenshot(page):
    _send(page, "一季度城镇新增就业多少人？")
    page.wait_for_function(
        f"""(() => {{ const b = [...document.querySelectorAll('{BOT}')].pop();
                     return b && /297[萬万]/.test(b.innerText) && b.innerText.includes('[1]'); }})()""",
        timeout=REPLY_TIMEOUT)
    reply = _last_bot(page)
    answer = reply.locator(".hrss-answer-text")
    assert "城镇新增就业297万人" in answer.inner_text()
    # the original passage, with the quoted sentence and the answering figure highlighted
    assert "1-3月城鎮新增就業297萬人" in reply.locator(".hrss-passage").first.inner_text()
    assert reply.locator("mark.hrss-fig").first.inner_text() == "297萬人"
    assert reply.locator("table.hrss-figures").inner_text().count("2,970,000") == 1

    page.locator("#hrss-script label", has_text="繁體").click()
    page.wait_for_function(
        f"[...document.querySelectorAll('{BOT} .hrss-answer-text')].pop()?.innerText.includes('城鎮新增就業297萬人')",
        timeout=REPLY_TIMEOUT)
    assert "1-3月城鎮新增就業297萬人" in _last_bot(page).locator(".hrss-passage").first.inner_text()
    page.locator("#hrss-script label", has_text="简体").click()
    page.wait_for_function(
        f"[...document.querySelectorAll('{BOT} .hrss-answer-text')].pop()?.innerText.includes('城镇新增就业297万人')",
        timeout=REPLY_TIMEOUT)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)

    _send(page, "二季度城镇新增就业多少人？")
    _wait_bot_count(page, 2)
    abstain = _last_bot(page)
    assert "发布会未提及" in abstain.inner_text() and "相关段落（仅供参考）" in abstain.inner_text()
    assert abstain.locator(".hrss-abstain").count() == 1

    page.screenshot(path=str(ARTIFACTS / "chat-abstain.png"), full_page=True)
    assert page.dialogs == []


def test_three_turn_conversation_reads_follow_ups_in_context(page):
    """A follow-up borrows the previous question's ask; a new question stands alone; the reply
    shows how a follow-up was read."""
    for n, (question, figure) in enumerate([("脱贫人口务工规模有多少？", "3074万人"),
                                            ("“点对点”运送的农民工呢？", "202.5万人次"),
                                            ("招聘活动办了几场？", "5.8万场")], start=1):
        _send(page, question)
        _wait_bot_count(page, n)
        page.wait_for_function(
            f"[...document.querySelectorAll('{BOT} .hrss-answer-text')].pop()?.innerText.includes('{figure}')",
            timeout=REPLY_TIMEOUT)
        reply = _last_bot(page).inner_text()
        assert ("理解为" in reply) == (n == 2), reply          # only the follow-up was read in context
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-conversation.png"), full_page=True)


def test_example_question_is_answered(page):
    page.locator(".hrss-examples").get_by_text("失业保险参保人数是多少？", exact=True).click()
    _wait_bot_count(page, 1)
    page.wait_for_function(f"[...document.querySelectorAll('{BOT}')].pop().innerText.includes('2.37')",
                           timeout=REPLY_TIMEOUT)
    assert "失业保险参保人数是多少" in page.locator(USER).last.inner_text()


def test_markup_is_shown_as_text_never_run(page):
    attack = "<script>alert(1)</script><img src=x onerror=\"alert(2);document.title='pwned'\">"
    _send(page, attack)
    _wait_bot_count(page, 1)
    assert page.locator(USER).last.inner_text().strip() == attack
    assert page.locator("#hrss-chat img[src='x']").count() == 0
    assert page.locator("#hrss-chat script").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == [] and page.title() != "pwned"


def test_like_button_writes_feedback(page, feedback_file: Path):
    before = feedback_file.read_text(encoding="utf-8").count("\n") if feedback_file.exists() else 0
    _send(page, "电子社保卡领用人数是多少？")
    _wait_bot_count(page, 1)
    # Gradio labels the button in the browser's language: 赞 (zh-CN) / Like
    page.locator("#hrss-chat button[aria-label='赞'], #hrss-chat button[aria-label='Like']").last.click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if feedback_file.exists() and feedback_file.read_text(encoding="utf-8").count("\n") > before:
            break
        time.sleep(0.2)
    record = json.loads(feedback_file.read_text(encoding="utf-8").splitlines()[-1])
    assert record["vote"] == "up" and record["question"] == "电子社保卡领用人数是多少？"
    assert "7.64" in record["answer"] and record["citations"][0]["quote"]


# -- the Figures tab -------------------------------------------------------------------------


def _open_figures(page, words: str, expected: int) -> None:
    page.get_by_role("tab", name="數據一覽 / Figures").click()
    page.fill(FILTER, words)
    page.wait_for_function(
        f"document.querySelector('#hrss-fig-status')?.innerText.includes('：{expected} 个')", timeout=REPLY_TIMEOUT)
    page.wait_for_function(f"document.querySelectorAll('{TABLE_ROWS}').length === {expected}", timeout=REPLY_TIMEOUT)


def _row_cells(row) -> list[str]:
    return [c.strip() for c in row.inner_text().split("\n") if c.strip()]


def test_figures_tab_filters_downloads_csv_and_shows_the_passage(page):
    want = [r for r in TABLE if "參保人數" in r["label"]]      # the hand-checked rows, by their own labels
    assert len(want) == 4
    _open_figures(page, "參保人數", len(want))
    shown = [_row_cells(page.locator(TABLE_ROWS).nth(i)) for i in range(len(want))]
    assert [cells[4] if len(cells) > 4 else None for cells in shown][1:] == [r["text"] for r in want][1:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "figures-filter.png"), full_page=True)

    with page.expect_download() as info:
        page.locator("#hrss-fig-csv").click()
    data = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename.endswith(".csv")
    assert data.startswith(b"\xef\xbb\xbf")                               # Excel reads UTF-8 with a BOM
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(want)
    for got, checked in zip(rows, want):
        assert (got["text"], got["label"], got["unit"], got["kind"], int(got["start"]), int(got["end"])) == (
            checked["text"], checked["label"], checked["unit"], checked["kind"], checked["start"], checked["end"])
        assert (float(got["value"]) if got["value"] else None) == checked["value"]
        assert checked["text"] in got["sentence"] and got["section"] == "二、社會保障 › 工作進展情況"

    page.locator(TABLE_ROWS).filter(has_text="失業保險參保人數").get_by_text("2.37億人", exact=True).click()
    page.wait_for_selector("#hrss-fig-passage mark.hrss-fig")
    passage = page.locator("#hrss-fig-passage")
    assert passage.locator("mark.hrss-fig").inner_text() == "2.37億人"
    assert "二、社會保障 › 工作進展情況" in passage.inner_text() and "时期：截至3月底" in passage.inner_text()
    assert passage.locator("mark.hrss-quote").first.inner_text().startswith("截至3月底,全國基本養老")
    page.screenshot(path=str(ARTIFACTS / "figures-passage.png"), full_page=True)
    assert page.dialogs == []


def test_figures_table_sorts_and_a_sorted_row_shows_its_own_passage(page):
    want = [r for r in TABLE if r["unit"] == "人次"]
    _open_figures(page, "人次", len(want))
    header = page.locator("#hrss-fig-table [data-testid=header-6]")          # 数值
    header.hover()
    header.locator("button.cell-menu-button").click()
    page.get_by_role("menuitem", name="降序排序").click()
    largest = max(want, key=lambda r: r["value"])
    page.wait_for_function(
        f"document.querySelector('{TABLE_ROWS}')?.innerText.includes({json.dumps(largest['text'])})",
        timeout=REPLY_TIMEOUT)
    values = [float(_row_cells(page.locator(TABLE_ROWS).nth(i))[6]) for i in range(len(want))]
    assert values == sorted((r["value"] for r in want), reverse=True)
    page.locator(TABLE_ROWS).first.get_by_text(largest["text"], exact=True).click()
    page.wait_for_function(
        f"document.querySelector('#hrss-fig-passage mark.hrss-fig')?.innerText === {json.dumps(largest['text'])}",
        timeout=REPLY_TIMEOUT)


# -- charts, export, copy, links -------------------------------------------------------------


def _wait_reply_with(page, text: str) -> None:
    page.wait_for_function(
        f"""(() => {{ const b = [...document.querySelectorAll('{BOT}')].pop();
                     return b && b.innerText.includes({json.dumps(text)}) && b.innerText.includes('[1]'); }})()""",
        timeout=REPLY_TIMEOUT)


def test_listed_answer_shows_a_chart_single_figure_none(page):
    _send(page, "基本养老、失业、工伤保险参保人数分别是多少？")
    _wait_reply_with(page, "2.89")
    chart = _last_bot(page).locator(".hrss-chart")
    assert chart.count() == 1
    labels = chart.locator(".hrss-chart-label").all_inner_texts()
    assert labels == ["全國基本養老保險參保人數", "失業保險參保人數", "工傷保險參保人數"]
    widths = [b.bounding_box()["width"] for b in chart.locator(".hrss-chart-bar").all()]
    assert widths[0] > widths[2] > widths[1] > 0                                # 10.52 > 2.89 > 2.37 億人
    assert abs(widths[1] / widths[0] - 2.37 / 10.52) < 0.02
    # legible Chinese: the labels are set in a CJK font that is installed, not as empty boxes
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '失業保險參保人數')")
    label_box = chart.locator(".hrss-chart-label").first.bounding_box()
    assert label_box["width"] > 100 and label_box["height"] >= 12
    chart.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _last_bot(page).screenshot(path=str(ARTIFACTS / "chat-chart.png"))
    page.screenshot(path=str(ARTIFACTS / "chat-chart-page.png"), full_page=True)

    _send(page, "失业保险参保人数是多少？")
    _wait_bot_count(page, 2)
    _wait_reply_with(page, "2.37")
    assert _last_bot(page).locator(".hrss-chart").count() == 0


def test_export_downloads_markdown_and_copy_copies_the_answer(page):
    _send(page, "失业保险参保人数是多少？")
    _wait_reply_with(page, "2.37")
    _send(page, "二季度城镇新增就业多少人？")
    _wait_bot_count(page, 2)
    page.wait_for_function("!document.querySelector('#hrss-export').disabled", timeout=REPLY_TIMEOUT)

    reply = page.locator(BOT).first
    reply.locator("button.hrss-copy").click()
    page.wait_for_function("document.querySelector('button.hrss-copy').innerText.startsWith('✓')", timeout=5000)
    copied = page.evaluate("navigator.clipboard.readText()").splitlines()
    assert copied[0] == "截至3月底，失业保险参保人数为2.37亿人。[1]"
    assert copied[1].startswith("[1] 二、社會保障 › 工作進展情況「截至3月底,全國基本養老、失業、工傷保險參保人數分別為")

    # the export is made after the answer: wait until it holds both questions
    deadline = time.monotonic() + 30
    while True:
        with page.expect_download() as info:
            page.locator("#hrss-export").click()
        text = Path(info.value.path()).read_text(encoding="utf-8")
        if "## 2. 问" in text or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    assert info.value.suggested_filename.endswith(".md")
    assert "## 1. 问：失业保险参保人数是多少？" in text and "截至3月底，失业保险参保人数为2.37亿人。[1]" in text
    assert "- [1] 二、社會保障 › 工作進展情況（人力資源社會保障部2023年一季度新聞發布會 · 2023-04-24）" in text
    assert "  > 截至3月底,全國基本養老、失業、工傷保險參保人數分別為10.52億人、2.37億人、2.89億人。" in text
    assert "## 2. 问：二季度城镇新增就业多少人？" in text and "**发布会未提及。**" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "conversation-export.md").write_text(text, encoding="utf-8")
    page.locator("#hrss-export").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "chat-export.png"), full_page=True)
    assert page.dialogs == []


def test_question_link_asks_on_load(browser, app_url):
    question = "电子社保卡领用人数是多少？"
    page = _open(browser, app_url + "?q=" + urllib.parse.quote(question))
    try:
        _wait_reply_with(page, "7.64")
        assert page.locator(USER).count() == 1 and question in page.locator(USER).first.inner_text()
        reply = _last_bot(page)
        assert "電子社保卡領用人數7.64億人" in reply.locator(".hrss-passage").first.inner_text()
        assert reply.locator("mark.hrss-fig").first.inner_text() == "7.64億人"
        link = reply.locator("a.hrss-share").get_attribute("href")
        assert urllib.parse.unquote(link) == "?q=电子社保卡领用人数是多少?"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(USER).first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "chat-question-link.png"), full_page=True)
        # the answer's own link asks the same question in a new page
        with page.context.expect_page() as opened:
            reply.locator("a.hrss-share").click()
        other = opened.value
        other.wait_for_selector(BOT, timeout=START_TIMEOUT * 1000)
        other.wait_for_function(f"document.querySelector('{BOT}').innerText.includes('7.64')", timeout=REPLY_TIMEOUT)
        assert page.dialogs == []
    finally:
        page.context.close()


def test_markup_in_a_question_link_and_the_filter_is_text(browser, app_url):
    attack = "<img src=x onerror=\"alert(2);document.title='pwned'\">失业率"
    page = _open(browser, app_url + "?q=" + urllib.parse.quote(attack))
    try:
        _wait_bot_count(page, 1)
        assert page.locator(USER).first.inner_text().strip() == attack
        page.get_by_role("tab", name="數據一覽 / Figures").click()
        page.fill(FILTER, attack)
        page.wait_for_function("document.querySelector('#hrss-fig-status')?.innerText.includes('筛选')",
                               timeout=REPLY_TIMEOUT)
        assert "<img src=x" in page.locator("#hrss-fig-status").inner_text()
        assert page.locator("img[src='x']").count() == 0
        page.wait_for_timeout(500)
        assert page.dialogs == [] and page.title() != "pwned"
    finally:
        page.context.close()
