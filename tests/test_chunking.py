"""Passages follow the briefing's structure and their offsets point at the exact source text."""

import re

import pytest

from hrss_qa.chunking import chunk_document, split_sentences
from hrss_qa.corpus import CorpusError, Document, corpus_fingerprint, load_corpus


@pytest.fixture(scope="module")
def doc():
    return load_corpus()[0]


@pytest.fixture(scope="module")
def passages(doc):
    return chunk_document(doc)


def test_bundled_corpus_has_provenance(doc):
    assert doc.doc_id == "hrss-2023q1-briefing"
    assert doc.issuer == "人力資源社會保障部"
    assert doc.event == "2023年一季度新聞發布會"
    assert doc.date == "2023-04-24"


def test_offsets_point_at_source(doc, passages):
    for p in passages:
        assert doc.text[p.start:p.end] == p.text
        for s in p.sentences:
            assert doc.text[s.start:s.end] == s.text
            assert p.start <= s.start < s.end <= p.end


def test_every_character_of_body_text_is_in_a_passage(doc, passages):
    covered = set()
    for p in passages:
        covered.update(range(p.start, p.end))
    headings = re.compile(r"^([一二三四五六七八九十]+、.*|工作進展情況:|下一步工作安排:)$")
    # Only headings and part labels are outside passages: per line, what no passage covers is one of them.
    at = 0
    for line in doc.text.split("\n"):
        missing = "".join(ch for i, ch in enumerate(line, start=at) if i not in covered and not ch.isspace())
        assert not missing or headings.match(missing), missing
        at += len(line) + 1


def test_structure(passages):
    sections = [p.section_path[0] for p in passages if p.section_path[0] != "導語"]
    assert sorted(set(sections)) == sorted(["一、就業", "二、社會保障", "三、人才人事", "四、勞動關系", "五、便民服務"])
    parts = {p.section_path[1] for p in passages if len(p.section_path) > 1}
    assert parts == {"工作進展情況", "下一步工作安排"}
    items = [p for p in passages if p.item]
    assert all(p.text.startswith(p.item) for p in items)
    first = passages[1]
    assert first.section == "一、就業 › 工作進展情況"
    assert first.text.startswith("1-3月城鎮新增就業297萬人")
    # 一、就業 progress has four items, its plans five.
    assert [p.item for p in passages if p.section_path[:2] == ("一、就業", "工作進展情況") and p.item] == ["一是", "二是", "三是", "四是"]
    assert len([p for p in passages if p.section_path[:2] == ("一、就業", "下一步工作安排")]) == 5


def test_lead_passage_is_first(passages):
    assert passages[0].section == "導語"
    assert passages[0].text.startswith("4月24日,人力資源社會保障部舉行2023年一季度新聞發布會")


def test_passage_ids_unique(passages):
    assert len({p.passage_id for p in passages}) == len(passages)


def test_split_sentences_keeps_offsets():
    text = "  甲乙。丙,丁；戊"
    sentences = split_sentences(text, offset=10)
    assert [s.text for s in sentences] == ["甲乙。", "丙,丁；", "戊"]
    for s in sentences:
        assert text[s.start - 10:s.end - 10] == s.text


def test_round_trip_records(passages):
    from hrss_qa.chunking import Passage

    assert [Passage.from_dict(p.to_dict()) for p in passages] == passages


def test_new_briefing_in_folder_is_loaded(tmp_path, doc):
    (tmp_path / "a.txt").write_text(doc.text, encoding="utf-8")
    (tmp_path / "b.txt").write_text("一、就業\n工作進展情況:1-6月城鎮新增就業678萬人。一是穩崗。\n", encoding="utf-8")
    docs = load_corpus(tmp_path)
    assert [d.doc_id for d in docs] == ["a", "b"]
    b = chunk_document(docs[1])
    assert [p.section for p in b] == ["一、就業 › 工作進展情況", "一、就業 › 工作進展情況 › 一是"]
    assert corpus_fingerprint(docs) != corpus_fingerprint(docs[:1])


def test_bad_corpus_folders_give_clear_errors(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match="no .txt"):
        load_corpus(tmp_path)
    (tmp_path / "x.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CorpusError, match="UTF-8"):
        load_corpus(tmp_path)


def test_document_fingerprint_changes_with_text(doc):
    other = Document(doc_id=doc.doc_id, text=doc.text + "。")
    assert corpus_fingerprint([other]) != corpus_fingerprint([doc])
