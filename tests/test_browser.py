"""The chat in a real browser: Debian's Chromium driven by Playwright, app in a subprocess.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium fonts-noto-cjk``).  Without it the
tests are skipped, except under CI (``$CI`` set), where a missing browser is a failure.
A screenshot of the conversation is saved to ``tests/artifacts/`` for a human look.
"""

import json
import os
import socket
import subprocess
import sys
import time
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

INPUT = "#hrss-input textarea"
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


@pytest.fixture
def page(browser, app_url):
    """A fresh page (own Gradio session) with the engine ready; records any JS dialog."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(app_url, wait_until="domcontentloaded")
    page.wait_for_selector(INPUT)
    page.wait_for_function("document.querySelector('#hrss-status')?.innerText.includes('已就绪')",
                           timeout=START_TIMEOUT * 1000)
    yield page
    context.close()


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
