"""Export helpers (export.py) that need no answers: Markdown escaping, links, download files.

Answers in Markdown and on the clipboard are tested on real answers in tests/test_ui.py.
"""

from __future__ import annotations

import os
import time
import urllib.parse

from hrss_qa.answering import MAX_QUESTION_CHARS
from hrss_qa.export import DownloadFolder, capped, markdown_inline, share_link


def test_markdown_inline_neutralises_links_html_and_emphasis():
    assert markdown_inline("[链接](javascript:alert(1))") == "[链接]\\(javascript:alert(1))"
    assert markdown_inline("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert markdown_inline("*a* _b_ `c` ~d~ \\e") == "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\\\e"
    assert markdown_inline("第一行\n# 标题\n- 项") == "第一行 # 标题 - 项"        # one line: no headings, no lists


def test_briefing_text_passes_unchanged():
    quote = "1-3月城鎮新增就業297萬人,3月份全國城鎮調查失業率為5.3%,發布勞動人事爭議(新就業形態)典型案例。[1]"
    assert markdown_inline(quote) == quote


def test_links_and_shown_questions_are_capped():
    long = "问" * (MAX_QUESTION_CHARS + 50)
    assert urllib.parse.unquote(share_link(long)[3:]) == "问" * MAX_QUESTION_CHARS
    assert capped(long) == "问" * MAX_QUESTION_CHARS + "…" and capped("短") == "短"
    assert urllib.parse.unquote(share_link("a&b=c #x")) == "?q=a&b=c #x"
    assert "&" not in share_link("a&b") and "#" not in share_link("#")


def test_download_folder_writes_each_content_once_under_its_name():
    folder = DownloadFolder()
    first = folder.write("hrss-qa-figures.csv", b"a,b\r\n")
    assert first.endswith("/hrss-qa-figures.csv") and open(first, "rb").read() == b"a,b\r\n"
    assert folder.write("hrss-qa-figures.csv", b"a,b\r\n") == first
    second = folder.write("hrss-qa-figures.csv", b"a,c\r\n")
    assert second != first and open(first, "rb").read() == b"a,b\r\n"        # an earlier download is untouched
    assert not list(folder.path.rglob("*.part"))
    root = folder.path
    del folder
    assert not root.exists()                                                   # removed with its owner


def test_download_folder_forgets_old_files():
    folder = DownloadFolder(max_age=0.0)
    old = folder.write("a.md", b"old")
    past = time.time() - 10
    os.utime(os.path.dirname(old), (past, past))
    new = folder.write("a.md", b"new")
    assert not os.path.exists(old) and open(new, "rb").read() == b"new"
