"""Conversations (follow-ups read against the previous turn) and corpora of several briefings.

The resolver is tested with a vocabulary built by hand; the end-to-end tests use the real
engine, and a second briefing (tests/data/second-briefing: a made-up quarter, clearly marked
as a test fixture) copied next to the real one in a temporary corpus.
"""

import shutil
from pathlib import Path

import pytest

from hrss_qa.answering import Turn, answer_with
from hrss_qa.answering.analyze import analyze
from hrss_qa.answering.conversation import resolve
from hrss_qa.answering.earlier import part_named
from hrss_qa.answering.vocabulary import Vocabulary
from hrss_qa.figures import Figure
from hrss_qa.text import normalize

ROOT = Path(__file__).resolve().parents[1]
SECOND = ROOT / "tests" / "data" / "second-briefing"

# Label words by passage (each with whether its figure measures an amount), as pipeline._vocabulary builds them.
VOCAB = Vocabulary.of([
    [(["失业保险", "参保", "人数"], True), (["工伤保险", "参保", "人数"], True), (["基本养老保险", "参保", "人数"], True),
     (["社会保险", "基金", "总收入"], True), (["社会保险", "基金", "总支出"], True)],
    [(["职业技能", "大赛"], False), (["博士后", "创新创业", "大赛"], False), (["表彰大会"], False)],
])


def read(question: str, *earlier: str) -> str:
    turns = []
    for q in earlier:   # each earlier turn as it was understood
        turns.append(Turn(q, None) if not turns else Turn(resolve(analyze(q), turns, vocabulary=VOCAB).text))
    return resolve(analyze(question), turns, vocabulary=VOCAB).text


@pytest.mark.parametrize("follow_up, earlier, expected", [
    ("那工伤保险呢？", ["基本养老保险参保人数多少？"], "工伤保险参保人数多少?"),          # a term of its kind
    ("失业的呢", ["工伤保险参保人数多少"], "失业保险参保人数多少"),                      # a partial term
    ("支出呢？", ["社会保险基金总收入多少？"], "社会保险基金总支出多少?"),              # a measure side by side
    ("超过2亿了吗", ["失业保险参保人数多少"], "超过2亿了吗 失业保险参保人数"),          # an ask of the same subject
    ("截至什么时候？", ["工伤保险参保人数多少"], "截至什么时候 工伤保险参保人数"),   # one question
])
def test_follow_ups_take_the_previous_subject(follow_up, earlier, expected):
    assert read(follow_up, *earlier) == expected


def test_a_chain_keeps_what_each_turn_meant():
    assert read("那失业保险呢？", "基本养老保险参保人数多少？", "那工伤保险呢？") == "失业保险参保人数多少?"


def test_a_new_subject_replaces_the_old_one():
    assert read("职业技能大赛是第几届？", "工伤保险参保人数多少") == "职业技能大赛是第几届?"


def test_a_follow_up_read_with_the_earlier_subject_is_one_question():
    # The reading joins the fragment and the earlier words with a space; that is no double ask,
    # and its change-against-last-year stays what is asked (the briefing gives levels only).
    q = resolve(analyze("比去年同期多了多少"), [Turn("社会保险基金总收入多少")], vocabulary=VOCAB)
    assert q.reading and not q.parts and q.compare is None
    q = resolve(analyze("总支出同比涨了多少"), [Turn("社会保险基金总收入多少")], vocabulary=VOCAB)
    assert q.reading and not q.parts


def test_a_named_thing_takes_the_ask_but_not_the_unit_of_the_earlier_subject():
    vocab = Vocabulary.of([[(["职业", "培训券"], True), (["补贴性", "职业技能", "培训"], True)]])
    q = resolve(analyze("补贴性职业技能培训呢"), [Turn("职业培训券发了多少张")], vocabulary=vocab)
    assert q.reading == "补贴性职业技能培训多少"
    q = resolve(analyze("博士后创新创业大赛呢"), [Turn("职业技能大赛是第几届")], vocabulary=VOCAB)
    assert q.reading.endswith("第几届")


def test_the_fragments_own_ask_decides_what_is_wanted():
    q = resolve(analyze("下一步呢？"), [Turn("工伤保险参保人数多少")], vocabulary=VOCAB)
    assert q.wants == "fact" and q.tense == "plan" and q.reading
    q = resolve(analyze("过3亿了吗"), [Turn("工伤保险参保人数多少")], vocabulary=VOCAB)
    assert q.yes_no and q.thresholds[0].value == 3e8


def test_english_and_x():
    assert read("And work-injury insurance?", "How many people have unemployment insurance?") \
        == "how many people have work-injury insurance?"


# --- end to end, on the bundled briefing -------------------------------------------------------------

def test_follow_up_answers_show_how_they_were_read(engine):
    first = engine.answer("脱贫人口务工规模有多少？")
    second = engine.answer("“点对点”运送的农民工呢？", [Turn("脱贫人口务工规模有多少？", first)])
    third = engine.answer("招聘活动办了几场？", [Turn("脱贫人口务工规模有多少？", first),
                                              Turn("“点对点”运送的农民工呢？", second)])
    assert first.figures[0].text == "3074萬人"
    assert second.figures[0].text == "202.5萬人次" and second.reading
    assert third.figures[0].text == "5.8萬場" and not third.reading     # a question of its own


@pytest.mark.parametrize("check", ["加起来超过5亿了吗", "so is the total over 500 million?"])
def test_a_check_of_a_sum_of_earlier_figures_is_a_check_of_their_sum(engine, check):
    turns = []
    for q in ("失业保险参保人数多少", "那工伤保险呢"):
        turns.append(Turn(q, engine.answer(q, list(turns))))
    assert turns[-1].answer.figures[0].text == "2.89億人"
    a = engine.answer(check, turns)   # 2.37亿 + 2.89亿 = 5.26亿: the verdict is on the sum, not on 2.89亿
    assert a.verdict == "yes" and {f.text for f in a.figures} == {"2.37億人", "2.89億人"}


def test_an_english_bare_relation_checks_the_last_figure(engine):
    first = engine.answer("How many people are covered by work-injury insurance?")
    a = engine.answer("over 280 million?", [Turn("How many people are covered by work-injury insurance?", first)])
    assert a.figures[0].text == "2.89億人" and a.verdict == "yes"


@pytest.mark.parametrize("first, measure, expected", [
    ("全国社保卡持卡人数有多少？", "比例呢？", "97%"),              # a share after a head count
    ("电子社保卡领用人数多少", "占比呢", "54.1%"),
])
def test_a_measure_word_asks_that_measure_of_the_previous_subject(engine, first, measure, expected):
    a = engine.answer(measure, [Turn(first, engine.answer(first))])
    assert a.figures and a.figures[0].text == expected


def test_plain_question_history_still_works(engine):
    a = engine.answer("那工伤保险呢？", ["养老保险参保人数是多少？", "那失业保险呢？"])
    assert a.figures[0].text == "2.89億人"


# --- several briefings ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_briefings(tmp_path_factory):
    from hrss_qa.engine import Engine

    corpus = tmp_path_factory.mktemp("corpus")
    for f in (ROOT / "corpus").iterdir():
        shutil.copy(f, corpus / f.name)
    for f in SECOND.iterdir():
        shutil.copy(f, corpus / f.name)
    return Engine(corpus_dir=corpus, index_dir=tmp_path_factory.mktemp("index"))


def test_each_period_is_answered_from_its_briefing(two_briefings):
    q2 = two_briefings.answer("二季度城镇新增就业多少人？")
    q1 = two_briefings.answer("一季度城镇新增就业多少人？")
    assert q2.figures[0].text == "678萬人" and q2.citations[0].hit.doc_id == "hrss-2023q2-fixture"
    assert q1.figures[0].text == "297萬人" and q1.citations[0].hit.doc_id == "hrss-2023q1-briefing"
    assert "二季度" in q2.text and "一季度" in q1.text          # the answer names its briefing's period


def test_no_period_named_means_the_latest_briefing_that_has_it(two_briefings):
    latest = two_briefings.answer("失业保险参保人数是多少？")
    assert latest.figures[0].text == "2.41億人" and "二季度" in latest.text
    only_in_q1 = two_briefings.answer("电子社保卡领用人数是多少？")      # the made-up quarter does not give it
    assert only_in_q1.figures[0].text == "7.64億人" and "一季度" in only_in_q1.text


def test_a_period_no_briefing_covers_is_declined_with_those_that_are(two_briefings):
    a = two_briefings.answer("三季度城镇新增就业多少人？")
    assert a.abstained and "一季度" in a.reason and "二季度" in a.reason


def test_a_follow_up_carries_the_topic_not_the_earlier_asks():
    """Three turns: the third is read with the first's subject, not with the second's ask."""
    turns = [Turn("失业保险参保人数多少")]
    second = resolve(analyze("截至什么时候？"), turns, vocabulary=VOCAB)
    turns.append(Turn("截至什么时候？", _Understood(second.text, second.topic)))
    third = resolve(analyze("过2亿了吗"), turns, vocabulary=VOCAB)
    assert third.text == "过2亿了吗 失业保险参保人数" and third.yes_no


def test_english_ones_takes_the_previous_noun():
    assert read("and local ones?", "how many national services are there?") == "how many local services are there?"


def test_english_swap_replaces_the_whole_name_not_its_head():
    """"And the occupational annuity fund?" after "…the basic pension insurance fund's portfolio": the
    whole earlier name gives way (not just "fund", which left "basic pension insurance" in the reading)."""
    previous = "how large was the basic pension insurance fund's investment portfolio at the end of march?"
    assert read("And the occupational annuity fund?", previous) == (
        "how large was the occupational annuity fund's investment portfolio at the end of march?")


def test_a_period_carried_from_the_previous_question_is_marked_as_carried():
    """「工伤保险呢」 after a 截至3月底 question: the reading keeps 3月底, but as the earlier turn's, so a
    figure of its own date (截至去年底) is not declined for it; a period the follow-up names is its own."""
    turns = [Turn("截至3月底失业保险参保人数多少")]
    carried = resolve(analyze("那工伤保险呢？"), turns, vocabulary=VOCAB)
    assert carried.periods and all(p.carried for p in carried.periods)
    own = resolve(analyze("那去年底呢？"), turns, vocabulary=VOCAB)
    assert own.periods and not any(p.carried for p in own.periods)


@pytest.mark.parametrize("follow_up", ["哪个部门办的", "那个活动叫什么名字？", "who held it?", "Which ministry organised it?"])
def test_a_follow_up_asking_a_fact_in_words_does_not_take_the_previous_ask(follow_up):
    """「哪个部门办的」 after 「发布会是哪天开的」 asks who, not a date: it is read with the previous
    subject (no term swapped in) and asks a fact, so a sentence naming the body can answer it."""
    read = resolve(analyze(follow_up), [Turn("这场发布会是哪天开的？")], vocabulary=VOCAB)
    assert read.wants == "fact"
    assert read.text.lower().startswith(follow_up.lower().rstrip("？?")) and "发布会" in read.text


def test_who_held_the_briefing_is_answered_from_its_lead_and_the_spokesperson_is_not(engine):
    """Asked after the date, 「哪个部门办的」 is answered with the sentence naming the ministry; who the
    spokesperson was is a detail the briefing's text does not give (declined, not quoted)."""
    first = engine.answer("这场发布会是哪天开的？")
    who = engine.answer("哪个部门办的", [Turn("这场发布会是哪天开的？", first)])
    assert not who.abstained and "人力资源社会保障部" in normalize(who.citations[0].hit.text)
    assert engine.answer("这次发布会的发言人是谁？").abstained


@pytest.mark.parametrize("turns, section", [
    (["欠薪失信的企业是怎么惩戒的", "往后还有什么安排"], "四、"),          # after a sentence quoted for a fact
    (["数字技术工程师培育项目颁布了几个国家职业标准", "后面还会怎么推进"], "三、"),   # 后面还…怎么 asks a plan
])
def test_a_plan_follow_up_reads_the_plans_of_the_section_just_answered(engine, turns, section):
    a = _chain(engine, *turns)
    assert not a.abstained and a.citations[0].section.startswith(section) and "下一步工作安排" in a.citations[0].section


def test_plans_follow_up_reads_the_plans_of_the_answers_section(engine):
    first = engine.answer("个人养老金参加人数有多少？")
    plans = engine.answer("下一步呢？", [Turn("个人养老金参加人数有多少？", first)])
    assert not plans.abstained and "下一步工作安排" in plans.citations[0].section
    assert plans.citations[0].section.split(" › ")[0] == first.citations[0].section.split(" › ")[0]


@pytest.mark.parametrize("turns, named", [
    (["社保下一步怎么扩大参保？", "个人养老金那块呢"], "个人养老金"),   # names its own subject, asks no figure
    (["就业下一步有什么打算", "农民工呢"], "农民工"),                  # 百万 of the plan quoted was not asked
])
def test_a_thing_named_after_plans_were_quoted_asks_its_plans(engine, turns, named):
    a = _chain(engine, *turns)
    assert not a.abstained and "下一步工作安排" in a.citations[0].section and named in normalize(a.citations[0].quote)


def test_a_check_naming_a_kin_of_the_earlier_subject_checks_that_kin():
    """Only a named thing of the same kind is swapped into the carried subject; 人口 or a measure is not."""
    from hrss_qa.answering.swaps import swap_kin
    assert swap_kin("工伤", "失业保险参保人数", VOCAB) == "工伤保险参保人数"
    assert swap_kin("人口", "失业保险参保人数", VOCAB) is None
    assert swap_kin("总支出", "社会保险基金总收入", VOCAB) is None


def test_a_short_named_check_is_given_a_verdict_on_its_own_subject(engine):
    a = _chain(engine, "失业保险参保人数多少", "工伤的过3亿了吗")
    assert a.figures[0].text == "2.89億人" and a.text.startswith("没有")


@pytest.mark.parametrize("turns, verdict, time", [
    (["大中城市联合招聘春季专场一共提供了多少岗位", "这是3月底的数字吗"], "不是", "4月中旬"),
    (["一季度城镇新增就业多少人", "那是不是3月份单月的？"], "不是", "1-3月"),   # the month is checked, not swapped in
    (["一季度城镇新增就业多少人", "这是一季度的数吧？"], "是的", "1-3月"),
    (["职业年金投资收益率多少", "這是截至去年底的數字嗎"], "是的", "去年底"),
    (["失业保险参保人数多少", "Is that figure as of the end of March?"], "Yes", "3月底"),   # answered in English
])
def test_a_check_of_when_the_figure_just_given_is_of(engine, turns, verdict, time):
    a = _chain(engine, *turns)
    assert a.text.startswith(verdict) and a.figures[0].text == time


@pytest.mark.parametrize("gap", ["多了多少?", "差了多少"])
def test_the_gap_asked_right_after_a_comparison_is_of_the_two_figures_compared(engine, gap):
    a = _chain(engine, "失业保险和工伤保险参保人数哪个多", gap)
    assert not a.abstained and {f.text for f in a.figures} == {"2.37億人", "2.89億人"} and "5200万" in a.text
    # a change over time is still a change over time
    assert _chain(engine, "失业保险和工伤保险参保人数哪个多", gap, "那比去年同期多了多少").abstained


@pytest.mark.parametrize("question, subject", [
    ("工伤保险呢，参保人数过了三亿没？", "工伤保险 参保人数"),        # a number in words, and the particle
    ("社保卡覆盖了三分之二以上的人口吗", "社保卡覆盖了 的人口"),
    ("What is the three-year plan called?", "three-year plan called"),   # a number in a name stays
])
def test_the_subject_of_a_check_drops_the_number_checked_and_particles(question, subject):
    from hrss_qa.answering.fragments import subject_of
    assert subject_of(question) == subject


def test_a_follow_up_naming_what_it_asks_the_plans_of_stands_alone(engine):
    a = _chain(engine, "职业培训券一季度发了多少张", "过了260万张没有", "补贴性的呢", "技能培训这块下一步呢")
    assert "下一步工作安排" in a.citations[0].section and "健全终身职业技能培训制度" in normalize(a.citations[0].quote)


def test_plans_asked_after_an_answer_are_those_naming_its_subject_wherever_they_are(engine):
    """跨省通办 is counted under 便民服务 but planned under 社会保障: the plan naming it answers."""
    a = _chain(engine, "跨省通办的事项有多少项", "那下一步呢")
    assert "下一步工作安排" in a.citations[0].section and "跨省通办" in normalize(a.citations[0].quote)


def test_a_sibling_named_in_short_inside_a_check_is_the_one_checked(engine):
    """「失业的」 inside 「那失业的够不够2亿」, after a comparison of 工伤 and 失业: 失业保险's count is checked."""
    a = _chain(engine, "失业保险参保的有多少人", "那工伤的呢", "工伤的比失业的多吧？", "那失业的够不够2亿")
    assert a.figures[0].text == "2.37億人" and a.text.startswith("是的")


def test_a_percent_stated_of_a_rate_named_is_a_check_of_that_rate_not_a_share(engine):
    """After two amounts, 「收益率有5%吗」 checks the return (5.29%), not one amount's share of the other."""
    a = _chain(engine, "基本养老保险基金投资运营规模多大", "职业年金的呢", "收益率有5%吗")
    assert a.figures[0].text == "5.29%" and a.text.startswith("是的")


def test_a_follow_up_checking_by_its_question_mark_alone_gets_a_verdict(engine):
    a = _chain(engine, "这场发布会是几号开的", "我以为是4月23日？")
    assert a.text.startswith("不是") and a.figures[0].text == "4月24日"


@pytest.mark.parametrize("turns, ratio", [
    (["基本养老保险参保人数是多少", "失业保险呢", "前者是后者的几倍"], "4.4倍"),    # 前者: the one said first
    (["失业保险参保人数多少", "基本养老保险呢", "后者是前者的几倍"], "4.4倍"),
])
def test_former_and_latter_are_the_earlier_answers_in_the_order_said(engine, turns, ratio):
    a = _chain(engine, *turns)
    assert ratio in a.text and {f.text for f in a.figures} == {"10.52億人", "2.37億人"}


def test_a_longer_name_of_another_scheme_keeps_the_measure_asked(engine):
    """基本养老保险 takes 失业保险's place; 参保人数 stays (not 「基本养老保险多少」, which finds 17.2万 fishers)."""
    assert _chain(engine, "失业保险参保人数多少", "基本养老保险呢").figures[0].text == "10.52億人"


def test_the_sum_of_the_last_three_answers(engine):
    a = _chain(engine, "基本养老保险参保人数是多少", "失业保险呢", "工伤保险呢", "三个加起来多少")
    assert len(a.figures) == 3 and "15.78亿人" in a.text


@pytest.mark.parametrize("fragment, previous, expected", [
    ("the physical card", "how many people have an electronic social security card",
     "how many people have the physical card"),                 # the whole kin name, not its last words
    ("work-injury insurance", "how many people have unemployment insurance", "how many people have work-injury insurance"),
])
def test_an_english_name_takes_the_place_of_the_whole_kin_name(fragment, previous, expected):
    from hrss_qa.answering.swaps import swap_english
    assert swap_english(fragment, previous) == expected


def test_the_physical_card_after_the_e_card_is_the_card_and_a_check_is_of_it(engine):
    a = _chain(engine, "How many people have an electronic social security card?", "What share of the population is that?",
               "And the physical card?", "Is that over 95%?")
    assert a.verdict == "yes" and a.figures[0].text == "97%"


class _Understood:
    def __init__(self, question, topic=""):
        self.question, self.topic = question, topic


@pytest.mark.parametrize("first, follow_up", [
    ("What was unemployment insurance enrolment at the end of March?", "What about the end of September?"),
    ("截至3月底工伤保险参保多少人？", "那9月底呢？"),
])
def test_a_follow_up_naming_another_period_asks_that_period(engine, first, follow_up):
    """The new period replaces the old one (it is not read as both), and the previous ask (how many)
    is kept: a period the briefing does not give is declined, not answered with March's figure."""
    a = answer_with(engine, follow_up, history=[first])
    assert a.abstained and "9" in a.reason


def test_a_month_point_the_briefing_does_not_reach_is_declined(engine):
    assert answer_with(engine, "截至9月底失业保险参保人数是多少？").abstained
    assert not answer_with(engine, "截至3月底失业保险参保人数是多少？").abstained


@pytest.mark.parametrize("turns, figures, verdict", [
    # after two counts, a share check: the later count is a part of the earlier
    (["社保基金一季度总收入是多少？", "总支出呢？", "是不是超过八成？"], ["1.7萬億元", "2.04萬億元"], "yes"),
    # after a count, the part named: the count is the whole
    (["全国社保卡持卡人数有多少？", "其中电子社保卡领用的占多少？"], ["7.64億人", "13.7億人"], ""),
    # after a count, the whole named: the count is the part
    (["电子社保卡领用了多少人？", "占持卡人的几成？"], ["7.64億人", "13.7億人"], ""),
])
def test_a_share_asked_of_the_conversations_counts(engine, turns, figures, verdict):
    history: list = []
    for question in turns:
        a = answer_with(engine, question, history=history)
        history.append(Turn(question, a))
    assert [f.text for f in a.figures] == figures and a.verdict == verdict
    assert "%" in a.text


@pytest.mark.parametrize("follow_up", ["For work injury?", "and work injury then?"])
def test_english_and_for_another_insurance_swaps_the_scheme(engine, follow_up):
    """"work injury" names the scheme (工伤保险), so it takes unemployment insurance's place
    (read as both, the answer was unemployment insurance's 2.37億人 again)."""
    a = answer_with(engine, follow_up, history=["How many people were covered by unemployment insurance?"])
    assert a.figures[0].text == "2.89億人"


@pytest.mark.parametrize("first, follow_up, expected", [
    ("全国社保卡持卡的有多少人？", "占了多少人口？", "97%"),       # the share as the briefing writes it
    ("失业保险参保人数多少？", "占多少人口？", None),               # none written, none made up
])
def test_a_share_of_a_whole_the_briefing_does_not_count_is_the_share_as_written(engine, first, follow_up, expected):
    a = answer_with(engine, follow_up, history=[Turn(first, answer_with(engine, first))])
    assert (a.figures[0].text if not a.abstained else None) == expected


# --- follow-ups that ask something new of the same subject (wordings in no question set) -----------

def _chain(engine, *questions):
    turns = []
    for q in questions:
        turns.append(Turn(q, engine.answer(q, list(turns))))
    return turns[-1].answer


@pytest.mark.parametrize("turns, expected", [
    (["人社政务服务平台有多少注册用户", "累计访问量呢"], "近32億人次"),          # not the 3077万 just given
    (["春风行动办了多少场招聘活动", "and how many vacancies were posted?"], "3800萬個"),   # asks on its own: not spliced
    (["持卡人数多少", "覆盖了多少人口"], "97%"),                              # alone it finds nothing: read with the subject
    (["How many new urban jobs were created?", "And the unemployment rate?"], "5.3%"),   # 'new' was the first ask's
    (["城镇新增就业多少人", "那失业率呢"], "5.3%"),
])
def test_a_follow_up_asks_something_other_than_the_figure_just_given(engine, turns, expected):
    _answered_with(engine, turns, expected)


def _answered_with(engine, turns: list[str], figure: str) -> None:
    """The chain's last turn is answered, with ``figure`` first."""
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == figure


def test_a_decline_about_the_figure_just_given_names_it(engine):
    a = _chain(engine, "城镇新增就业多少人", "同比增长多少")
    assert a.abstained and "297" in a.reason


@pytest.mark.parametrize("turns", [["给多少困难群体代缴了居民养老保险费", "都有哪些人？"],
                                   ["“厅局长走流程”围绕几个事项", "具体是哪些事项"]])
def test_which_ones_after_a_count_quotes_the_list(engine, turns):
    a = _chain(engine, *turns)
    assert not a.abstained and a.kind == "passage" and "、" in a.citations[0].quote


def test_which_ones_where_the_briefing_lists_none_is_declined(engine):
    a = _chain(engine, "国家职业标准颁布了几个", "都包括什么")
    assert a.abstained and "列出" in a.reason


@pytest.mark.parametrize("turns, expected", [
    (["社保卡持卡人数多少", "占人口比例呢", "电子社保卡的呢"], "54.1%"),     # 电子社保卡's share, not 社保卡's
    (["社保卡覆盖了多少人口", "电子社保卡呢"], "54.1%"),
    (["国家社保公共服务平台的访问量有多少", "那电子社保卡的呢"], "31億次"),   # visits: 人次 for one, 次 for the other
    (["How many people hold a social security card?", "What share of the population is that?",
      "And for the electronic card?"], "54.1%"),
])
def test_another_subject_keeps_the_measure_just_asked(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected
    assert "多少口" not in a.reading    # a swap keeps 人口 whole


@pytest.mark.parametrize("turns, figures, verdict", [
    (["失业保险参保人数多少", "工伤保险的呢", "是不是比失业保险的多？"], {"2.89億人", "2.37億人"}, "yes"),   # one side named
    (["养老保险参保人数多少", "失业保险的呢", "那比养老的少吧？"], {"2.37億人", "10.52億人"}, "yes"),
    (["电子社保卡领用人数多少", "社保卡持卡人数呢", "哪个多"], {"13.7億人", "7.64億人"}, ""),          # the last two answers
    (["社会保险基金总收入多少", "支出呢", "收入比支出多多少？"], {"2.04萬億元", "1.7萬億元"}, ""),       # both named, of the subject
    # an earlier answer named, against the latest answer of its unit (the size, not the return)
    (["基本养老保险基金投资运营规模多大", "职业年金的呢", "收益率多少", "和刚才的养老保险基金相比，哪个规模更大"],
     {"超過1.65萬億元", "超過2.11萬億元"}, ""),
    # one measure in units alike (人次 / 次); 超过47亿 is larger than 31亿 whatever it hides
    (["国家社保公共服务平台的访问量有多少", "这个比电子社保卡的访问量多吗"], {"超過47億人次", "31億次"}, "yes"),
    # a longer question pointing back (前面) leans on the conversation; different units, no winner
    (["发放了多少职业培训券", "补贴性培训有多少人次", "这个和前面培训券的数比哪个多"], {"350萬人次", "超過261萬張"}, ""),
])
def test_a_comparison_with_what_the_conversation_gave(engine, turns, figures, verdict):
    a = _chain(engine, *turns)
    assert {f.text for f in a.figures} == figures and a.verdict == verdict


@pytest.mark.parametrize("turns, expected", [
    # a bare measure given side by side with the one asked (总支出 after 总收入) swaps it, though it is in
    # the sentence just cited; the next measure then swaps into a clean reading
    (["社保基金总收入有多少", "总支出？"], "1.7萬億元"),
    (["社保基金总收入有多少", "总支出？", "那累计结余呢"], "7.75萬億元"),
    (["How much revenue did the social insurance funds take in during the quarter?", "Spending?"], "1.7萬億元"),
])
def test_a_measure_of_the_same_subject_takes_the_previous_measures_place(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


@pytest.mark.parametrize("turns, expected", [
    (["电子社保卡有多少人领了", "它开通了几项全国服务"], "87項"),
    (["How many people have an electronic social security card?", "How many local services does it provide?"], "1000余項"),
])
def test_another_measure_of_the_subject_is_found_outside_the_last_answers_passage(engine, turns, expected):
    """The e-card's head count and its services are in different passages: the carried passage has
    nothing of the kind asked (its 三项 counts the funds), so the subject's figure elsewhere answers."""
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected and a.verdict == ""


def test_a_name_of_short_words_is_swapped_whole_when_the_briefing_writes_it_so():
    """「职业技能大赛的呢」 after 「博士后创新创业大赛第几届」: the whole earlier name gives way (创新, 创业 are
    two-character words, kept only because the briefing writes 博士后创新创业大赛 as one name)."""
    from hrss_qa.answering.swaps import swap

    vocabulary = Vocabulary.of([[(["博士后", "创新", "创业", "大赛"], False)], [(["职业技能", "大赛"], False)]],
                               ["筹办第二届全国博士后创新创业大赛", "筹备第二届职业技能大赛"])
    assert swap("职业技能大赛", "博士后创新创业大赛第几届", vocabulary) == "职业技能大赛第几届"
    # not written so in the briefing: the two-character words stay outside the name
    unwritten = Vocabulary.of([[(["博士后", "创新", "创业", "大赛"], False)], [(["职业技能", "大赛"], False)]],
                              ["筹办第二届全国博士后大赛", "筹备第二届职业技能大赛"])
    assert swap("职业技能大赛", "博士后创新创业大赛第几届", unwritten) != "职业技能大赛第几届"


def test_an_english_stated_multiple_is_checked_on_the_two_figures(engine):
    """"Is the balance more than four times the spending?": the multiple (about 4.6) is checked, not 4 as
    a figure of either side; a multiple it does not reach gets "No"."""
    yes = _chain(engine, "社保基金累计结余多少", "Is the balance more than four times the quarter's spending?")
    no = _chain(engine, "社保基金累计结余多少", "Is the balance more than ten times the quarter's spending?")
    assert {f.text for f in yes.figures} == {"7.75萬億元", "1.7萬億元"} and yes.verdict == "yes"
    assert no.verdict == "no"


def test_which_of_three_earlier_answers_is_largest(engine):
    """「这三个里哪个最大」 ranges over the last three answers (not two), and names the largest by its
    subject, without the measure words all three share."""
    a = _chain(engine, "电子社保卡累计访问量是多少", "人社政务服务平台的访问量呢", "国家社会保险公共服务平台的访问量呢",
               "这三个里哪个最大")
    assert {f.text for f in a.figures} == {"31億次", "近32億人次", "超過47億人次"}
    assert a.text.endswith("国家社会保险公共服务平台最多。") and "访问量最多" not in a.text


def test_how_far_apart_is_said_in_the_briefings_magnitudes(engine):
    a = _chain(engine, "给多少困难群众代缴了养老保险费", "那退捕渔民呢？", "比刚才那个少多少")
    assert {f.text for f in a.figures} == {"840萬", "17.2萬"} and "相差822.8万" in a.text


def test_a_comparison_with_last_year_is_not_one_with_the_earlier_answer(engine):
    a = _chain(engine, "社会保险基金总收入多少", "支出呢", "比去年同期多了还是少了？")
    assert a.abstained


@pytest.mark.parametrize("turns, expected", [
    (["What is the surveyed urban unemployment rate?", "Which month is that for?"], "3月份"),   # no rate asked of a date
    (["调查失业率是多少", "这是哪个月的数"], "3月份"),
    (["职业年金基金投资运营规模多大", "截至什么时候？"], "去年底"),      # the date written with it, not 3月底 nearby
])
def test_when_asked_of_the_figure_just_given_is_its_own_date(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


@pytest.mark.parametrize("turns, figures, verdict", [
    (["一网通办服务开通了几项", "跨省通办的有多少", "占了六成吗"], {"40項", "76項"}, ""),   # 52.6%: a share asked as equal gets none
    (["開通了多少項一網通辦服務", "其中跨省通辦的呢", "過半了嗎"], {"40項", "76項"}, "yes"),
])
def test_a_share_check_after_two_counts_is_the_later_of_the_earlier(engine, turns, figures, verdict):
    a = _chain(engine, *turns)
    assert {f.text for f in a.figures} == figures and a.verdict == verdict


@pytest.mark.parametrize("turns, expected", [
    (["春风行动暨就业援助月一共办了多少场招聘活动", "那岗位呢"], "3800萬個"),    # what was counted gives way, not 就业 of the name
    (["春风行动暨就业援助月一共办了多少场招聘活动", "岗位数呢"], "3800萬個"),
    (["降低失业工伤保险费率的政策延续到哪年", "一年能给企业减轻多少负担"], "1800億元"),   # 企业 is no unit asked
])
def test_another_measure_of_the_same_subject(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


def test_which_year_asks_a_date(engine):
    a = engine.answer("降低失业工伤保险费率的政策延续到哪年")
    assert a.figures and a.figures[0].text == "2024年底"


def test_a_long_question_with_no_pronoun_stands_alone_even_with_unknown_words(engine):
    a = _chain(engine, "国家职业标准颁布了几个",
               "How many key service items will the bureau chiefs walk through the process for?")
    assert not a.reading and a.figures and a.figures[0].text == "10個"


@pytest.mark.parametrize("turns, expected", [
    (["how many training vouchers were issued in the first quarter", "and subsidized vocational training?"], "350萬人次"),
    (["政务服务平台注册用户多少", "累计访问量呢", "过了30亿没有", "那国家社会保险公共服务平台的呢"], "超過47億人次"),
])
def test_another_subject_named_in_several_words(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures and a.figures[0].text == expected


def test_a_share_check_after_two_counts_uses_the_figures_they_gave(engine):
    a = _chain(engine, "一网通办服务开通了几项", "跨省通办的呢", "过半了没")   # 40 of 76
    assert {f.text for f in a.figures} == {"40項", "76項"} and a.verdict == "yes"


def test_a_check_of_a_swapped_subjects_figure_does_not_ask_the_earlier_words_of_it(engine):
    # 「到一半了吗」 checks 电子社保卡's 54.1%, whose sentence says 领用 where the carried words said 持卡
    a = _chain(engine, "全国社保卡持卡人数多少", "占总人口的多少", "电子社保卡呢", "到一半了吗")
    assert not a.abstained and a.figures[0].text == "54.1%" and a.verdict in ("", "yes")


@pytest.mark.parametrize("turns, expected", [
    (["给多少困难群众代缴了养老保险费", "代缴的钱一共多少"], None),            # a head count is no amount of money
    (["降低失业工伤保险费率的政策延续到哪年", "给企业减负的金额是多少"], "1800億元"),
])
def test_money_asked_is_answered_only_in_yuan(engine, turns, expected):
    a = _chain(engine, *turns)
    assert (None if a.abstained else a.figures[0].text) == expected


@pytest.mark.parametrize("turns, expected", [
    # the declined turn's subject (女性) is not the conversation's: the last answered one is
    (["失业保险参保人数多少", "其中女性有多少", "那工伤保险呢"], "2.89億人"),
    (["春风行动发布了多少个岗位", "平均每个岗位工资多少", "这个行动联合了几个部门"], "10部門"),
])
def test_after_a_declined_turn_the_last_answered_subject_carries(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


def test_an_english_month_span_replaces_the_carried_period(engine):
    a = _chain(engine, "What was the urban unemployment rate in March?", "And in January?",
               "What about jobs created from January to March?")
    assert not a.abstained and a.figures[0].text == "297萬人"


@pytest.mark.parametrize("turns, verdict", [
    (["跨省通办的办事指南修订了几个", "那新增的呢", "两者加在一起够30个吗"], "yes"),
    (["跨省通办的办事指南修订了几个", "那新增的呢", "合计超过35个没有"], "no"),
])
def test_the_sum_of_the_last_two_figures_is_checked(engine, turns, verdict):
    a = _chain(engine, *turns)
    assert {f.text for f in a.figures} == {"18個", "12個"} and a.verdict == verdict


@pytest.mark.parametrize("turns, expected", [
    # a figure asked in the future tense of a progress answer is in that answer's passage, not in the plans;
    # the companies of a whole English clause are who gains, not the unit counted
    (["Until when do the reduced unemployment and work-injury insurance rates last?",
      "And how much will it cut costs for companies annually?"], "1800億元"),
    (["降低失业和工伤保险费率的政策延续到什么时候", "这将每年为企业减负多少"], "1800億元"),
    # after plans quoted, a target asked of them is not a progress figure
    (["人社部打算怎么推进一网通办", "打算增加到多少项"], None),
])
def test_a_figure_asked_in_the_future_tense_of_what_was_just_answered(engine, turns, expected):
    a = _chain(engine, *turns)
    assert (None if a.abstained else a.figures[0].text) == expected


@pytest.mark.parametrize("turns, figures, said, verdict", [
    (["重点企业帮了多少家", "帮它们解决了多少人次的用工需求", "平均每家多少人次"], {"52萬人次", "3.4萬家"}, "15.3", ""),
    # the side no answer gave is asked in the passage of the one that was, in the unit the question names
    (["帮重点企业解决了多少人次用工需求", "那每家平均超过10人次了吗"], {"52萬人次", "3.4萬家"}, "15.3", "yes"),
    (["How many job fairs did the Spring Breeze campaign hold?", "How many jobs per event on average?"],
     {"3800萬個", "5.8萬場"}, "655", ""),
    # 「多少人」 asks people: 52万人次 are person-times, so no average of people is computed
    (["重点企业帮了多少家", "平均每家多少人"], set(), "", ""),
])
def test_an_average_per_unit_is_computed_from_a_total_and_a_count(engine, turns, figures, said, verdict):
    a = _chain(engine, *turns)
    assert {f.text for f in a.figures} == figures and said in a.text and a.verdict == verdict
    assert a.abstained is not figures


def test_how_many_more_are_to_come_is_not_what_was_done_and_a_sum_skips_it(engine):
    more = _chain(engine, "一网通办开通了多少项服务", "还要再开通几项")
    assert more.abstained and "目标数" in more.text
    total = _chain(engine, "跨省通办办事指南修订了多少个", "新增的呢", "还要再出几个", "两项加起来一共多少个指南")
    assert {f.text for f in total.figures} == {"18個", "12個"} and "30个" in total.text
    plans = engine.answer("下一步稳就业政策还会再调整吗")   # a plan asked, not a count still to come
    assert plans.kind == "passage" and not plans.abstained


def test_a_time_checked_alone_names_no_subject_and_leans_on_the_conversation(engine):
    # 「4月中旬」 is a time, not a subject: the check is of the briefing just asked about, whose day it
    # is (the job fairs' 4月中旬 elsewhere is another thing's date)
    a = _chain(engine, "这场发布会是几月几号召开的", "是不是4月下旬开的")
    assert not a.abstained and a.figures[0].text == "4月24日" and a.verdict == "yes"
    b = _chain(engine, "这场发布会是几月几号召开的", "应该是4月中旬开的吧")
    assert b.figures[0].text == "4月24日" and b.verdict == "no"


def test_an_english_verb_of_outdoing_another_thing_compares_with_the_last_answer(engine):
    a = _chain(engine, "How many visits has the MOHRSS government service platform had?",
               "Does that outnumber the e-card's visits?")
    assert {f.text for f in a.figures} == {"近32億人次", "31億次"}
    b = _chain(engine, "How many visits has the MOHRSS government service platform had?", "Did it exceed 3 billion?")
    assert [f.text for f in b.figures] == ["近32億人次"]   # a number after the verb is a check, not a thing


def test_a_follow_up_pointing_at_the_figure_just_given_asks_a_measure_of_its_sentence(engine):
    # 「这个…」 after 电子社保卡's head count (its reading still carried 社保卡's words): the share written
    # with that count (54.1%), not the other card's 97% in the passage's other sentence
    a = _chain(engine, "全国有多少人拿着社保卡", "那覆盖全国人口多少", "手机里那个电子的呢，有多少人领了", "这个够一半人口了吗")
    assert a.figures[0].text == "54.1%" and a.verdict == "yes"


def test_what_the_briefing_covered_after_its_date(engine):
    period = _chain(engine, "发布会是几号开的", "主要讲的是什么期间的情况")
    assert not period.abstained and period.figures[0].text == "2023年一季度"
    about = _chain(engine, "When was the briefing held?", "What did it cover?")
    assert about.kind == "passage" and "工作進展情況" in about.text


@pytest.mark.parametrize("turns, expected", [
    # a mixed fragment is short by its words: "the MOHRSS 政务服务平台" leans on the visits just asked
    (["How many visits has the e-card had?", "And the MOHRSS 政务服务平台?"], "近32億人次"),
    # a date of what was done is not the start of a plan naming something else
    (["百万就业见习岗位募集计划什么时候启动"], None),
    (["When will the work-injury rate cut end?"], "2024年底"),
])
def test_mixed_follow_ups_and_dates_of_the_thing_named(engine, turns, expected):
    a = _chain(engine, *turns)
    assert (None if a.abstained else a.figures[0].text) == expected


@pytest.mark.parametrize("turns, figures, expected", [
    # "these two" after visits, a service count and visits again: the two visit counts
    (["电子社保卡累计访问量多少", "它开通了几项全国服务", "国家社会保险公共服务平台的访问量呢", "这两个谁多"],
     {"超過47億人次", "31億次"}, "国家社会保险公共服务平台"),
    # a number after 比 is checked, not compared with an earlier answer
    (["数字技术工程师颁布了几个国家职业标准", "比3个多吗"], {"4個"}, "是的"),
    # 「哪个城市…最多」 asks a place, which the briefing does not give
    (["一网通办开通了多少项", "哪个城市用的人最多"], set(), "没有说明具体地点"),
])
def test_which_one_is_of_answers_alike_a_number_or_a_place(engine, turns, figures, expected):
    a = _chain(engine, *turns)
    assert {f.text for f in a.figures} == figures and expected in a.text


@pytest.mark.parametrize("turns", [
    ["社保卡持卡人数多少", "覆盖了百分之多少的人口", "电子社保卡的领用数量呢"],
    ["社保卡有多少人持有", "占人口比例呢", "那电子社保卡的人数呢"],
])
def test_a_follow_up_naming_a_count_after_a_share_asks_the_count(engine, turns):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == "7.64億人" and "54.1%" not in a.text


@pytest.mark.parametrize("turns, figures, verdict, winner", [
    # a comparison naming one thing, however long: the other side is the last answer, the measure
    # the one it names or the one that answer's figure is of
    (["人社政务服务平台累计访问量多少", "和国家社会保险公共服务平台相比哪个高"],
     {"近32億人次", "超過47億人次"}, "", "国家社会保险公共服务平台更多"),
    (["春风行动发布了多少岗位", "跟大中城市联合招聘春季专场比呢，哪个多"], {"3800萬個", "420萬人次"}, "", ""),
    (["电子社保卡的属地服务有多少项", "比人社政务服务平台的地方特色服务多吗"], {"1000余項", "389項"}, "yes",
     "电子社保卡的属地服务项更多"),
    # an earlier answer's side read by piecing words together is named by its figure's label
    (["电子社保卡开通了几项全国服务", "它的地方服务有多少项 ", "跟政务服务平台的地方特色服务比哪个多"],
     {"1000余項", "389項"}, "", "电子社保卡已开通属地服务更多"),
])
def test_a_comparison_naming_one_thing_compares_it_with_the_last_answer(engine, turns, figures, verdict, winner):
    a = _chain(engine, *turns)
    assert {f.text for f in a.figures} == figures and a.verdict == verdict
    assert winner in a.text


@pytest.mark.parametrize("turns, figures", [
    # a check repeats the figure it checks: the side it gives is its subject asked for its figure
    (["工伤保险现在有多少人参保", "不到3亿吧", "那比失业保险多多少"], ["2.89億人", "2.37億人"]),
    # and it is no second figure: a sum or a share after it is of the two different answers before
    (["养老保险参保人数是多少", "失业的呢", "有没有超过2亿", "两个加起来多少"], ["10.52億人", "2.37億人"]),
    (["开通了多少项一网通办服务", "其中跨省通办的有几项", "是40项吧", "占多少"], ["40項", "76項"]),
])
def test_a_check_between_two_answers_adds_no_figure_of_its_own(engine, turns, figures):
    a = _chain(engine, *turns)
    assert not a.abstained and [f.text for f in a.figures] == figures


@pytest.mark.parametrize("turns, expected", [
    # a name alone after a check of a measure: the same measure of the thing named
    (["国家社保公共服务平台访问量是多少", "破40亿了吗", "那人社政务服务平台的呢"], "近32億人次"),
    # a correction: the thing named takes the place of the subject just answered
    (["人社政务服务平台访问量多少", "电子社保卡的呢", "不对，我问的是国家社会保险公共服务平台"], "超過47億人次"),
])
def test_a_name_alone_keeps_the_measure_after_a_check_or_a_correction(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and expected in {f.text for f in a.figures}


@pytest.mark.parametrize("turns, expected", [
    (["What was the surveyed urban unemployment rate in March?", "Was it below 6%?",
      "What about new urban jobs in the first quarter?"], "297萬人"),
    (["人社政务服务平台注册用户多少", "超过3000万了吗", "那访问量呢"], "近32億人次"),
])
def test_a_swap_after_a_check_or_a_fact_rewrites_its_subject_not_its_words(engine, turns, expected):
    """After a turn that asked no figure (a check, a fact), the follow-up swaps into that turn's subject
    asked for its figure: the check's words ("was it below 6%") do not leak into the reading."""
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected
    assert "6%" not in a.reading and "3000" not in a.reading


def test_the_carried_subject_does_not_set_the_follow_ups_tense(engine):
    """"will" of "Until when will the lower premium rates be kept?" is the earlier question's: "How much
    do they save employers?" asks the saving stated, not the section's plans."""
    a = _chain(engine, "Until when will the reduced unemployment insurance premium rates stay in place?",
               "How much do they save employers?")
    assert not a.abstained and a.figures[0].text == "1800億元"


def test_after_a_comparison_a_follow_up_rewrites_its_first_sides_subject(engine):
    """「结余过8万亿没有」 after 「收支相差多少」: read with the funds (the comparison's subject), not
    spliced into the comparison's two-sided reading."""
    a = _chain(engine, "社保基金一季度收入多少", "支出呢", "收支相差多少", "结余过8万亿没有")
    assert a.figures[0].text == "7.75萬億元" and a.verdict == "no"


def test_a_follow_up_naming_two_sides_of_the_subject_is_not_a_swap(engine):
    """「那收入是不是比支出多」 names both sides: each of the previous subject, no term swapped."""
    a = _chain(engine, "社保基金一季度收入多少", "累计结余呢", "那收入是不是比支出多")
    assert {f.text for f in a.figures} == {"2.04萬億元", "1.7萬億元"} and a.verdict == "yes"


def test_a_check_after_a_computed_share_checks_that_share(engine):
    """「是不是不到六成」 after 「比例呢」 gave 40项 of 76项 (52.6%): the check is of that share, its two
    figures anchored, not a new search for the reading's words."""
    a = _chain(engine, "一网通办开通了几项服务", "其中跨省通办的呢", "比例呢", "是不是不到六成")
    assert {f.text for f in a.figures} == {"76項", "40項"} and a.verdict == "yes"


def test_a_chinese_fragment_after_a_declined_english_turn_swaps_into_the_last_answer(engine):
    """「电子的呢」 after "And for men?" (declined): the English words carry nothing a Chinese term can
    replace; the last answered figure's label, in the briefing's words, does."""
    a = _chain(engine, "How many people have a social security card?", "And for men?", "电子的呢")
    assert not a.abstained and a.figures[0].text == "7.64億人"


def test_a_longer_check_of_a_rate_it_names_stands_alone(engine):
    """「电子社保卡覆盖率已经过半了？」 (no 吗) after two counts checks the rate it names, not a share
    computed from the counts."""
    a = _chain(engine, "社保卡持卡人数多少", "电子社保卡呢", "电子社保卡覆盖率已经超过一半了？")
    assert a.figures[0].text == "54.1%" and a.verdict == "yes"


def test_a_phrase_after_a_check_asks_its_own_figure(engine):
    a = _chain(engine, "农民工点对点运送了多少人次", "有没有超过150万", "那个人养老金的参加人数呢")
    assert not a.abstained and a.figures[0].text == "3324萬人"


# --- classes from conversations_dev2 (wordings of no set) -----------------------------------------

@pytest.mark.parametrize("turns, expected", [
    (["城镇调查失业率多少", "是几月的"], "3月份"),                                   # 几月 asks a month
    (["失业保险参保多少人", "那工伤保险参保多少人？"], "2.89億人"),                   # its own ask is kept
    (["社保卡持卡人数多少", "电子社保卡呢？覆盖了百分之几"], "54.1%"),               # 「X呢？M」: one ask
    (["How many nationwide services has the HR government service platform opened?", "And the local ones?"], "389項"),
])
def test_short_chat_turns(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


@pytest.mark.parametrize("turns", [
    ["城镇调查失业率多少", "比1月份高了多少"],          # compared with a month the briefing does not give
    ["农民工运送了多少人次", "那男的呢"],                # a group it does not break out
    ["点对点运送农民工多少人次", "What did that cost?"],   # money asked of a head count
])
def test_chat_turns_the_briefing_cannot_answer(engine, turns):
    assert _chain(engine, *turns).abstained


@pytest.mark.parametrize("turns, verdict", [
    (["失业保险参保人数多少", "所以已经超过2亿人了，对吗？"], "yes"),        # 所以 leads, 对吗 tags: a check
    (["How many people hold a social security card?", "That's over 1.4 billion, right?"], "no"),
])
def test_a_check_with_a_question_tag_is_a_follow_up(engine, turns, verdict):
    assert _chain(engine, *turns).verdict == verdict


def test_a_count_a_quoted_sentence_held_is_still_to_give(engine):
    # the first answer quoted the sentence with 840万 for a 「哪些」 ask; 「多少人」 then asks that count
    a = _chain(engine, "一季度给哪些人代缴了城乡居民养老保险费", "一共多少人？")
    assert not a.abstained and a.figures[0].text == "840萬"


@pytest.mark.parametrize("turns", [
    ["春风行动发布了多少岗位", "那女的呢"],
    ["So income beat spending by 500 billion yuan, right?"],      # a gap stated: no verdict on one figure
])
def test_no_verdict_or_figure_for_what_is_not_given(engine, turns):
    a = _chain(engine, *turns)
    assert a.abstained or a.verdict == ""


@pytest.mark.parametrize("turns, expected", [
    (["三项社保基金一季度总收入多少", "总支出？"], "1.7萬億元"),                     # a bare measure with ？ is a plain swap
    (["全国社保卡持卡人数和覆盖率各是多少", "電子社保卡的呢"], "7.64億人"),          # both parts about the swapped subject
    (["How many people are in work among those lifted out of poverty?", "as of?"], "3月底"),
])
def test_more_short_chat_turns(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


@pytest.mark.parametrize("turns, expected", [
    (["What was the urban unemployment rate in March?", "And new urban jobs in the first quarter?"], "297萬人"),
    (["How many people have work-injury insurance?", "And in June?", "What about the number of migrant workers moved point-to-point?"],
     "202.5萬人次"),   # after a declined turn: the last answered ask, the fragment's own thing and measure
])
def test_an_english_follow_up_naming_its_thing_and_measure_borrows_only_the_ask(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


def test_only_a_turn_that_checks_gets_a_verdict(engine):
    # the earlier check ("higher than 5.5%?") is not carried into a turn about another subject
    a = _chain(engine, "What was the urban unemployment rate in March?", "Is that above 6%?", "What about the pension fund's investment size?")
    assert a.verdict == ""


@pytest.mark.parametrize("turns, expected", [
    # a short question whose words are all in the sentence just cited asks another measure of that subject
    (["全国社保卡持卡人数多少", "那电子社保卡呢", "覆盖人口有多少"], "54.1%"),
    (["养老保险参保人数多少", "失业保险参保人数多少"], "2.37億人"),   # names a scheme of its own: stands alone
])
def test_another_measure_of_the_subject_just_answered(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


@pytest.mark.parametrize("turns, verdict", [
    # 它 takes the last answer's thing with its own measure; 刚才那个平台 the earlier answer naming it
    (["社保公共服务平台累计访问量多少", "电子社保卡开通了几项全国服务", "它的访问量有没有比刚才那个平台多"], "no"),
])
def test_a_pronoun_side_with_its_own_measure_against_an_earlier_thing(engine, turns, verdict):
    a = _chain(engine, *turns)
    assert a.verdict == verdict and {f.text for f in a.figures} == {"31億次", "超過47億人次"}


def test_a_reading_leaning_on_the_conversation_must_speak_of_what_the_question_names(engine):
    # the reading with 新八级工's passage gives an ordinal of something else (八级), which is no answer
    # about the commendation ceremony; its own 第十六届 is (16th read as an ordinal)
    a = _chain(engine, "技能人才方面下一步要启动什么计划", "新八级工是什么意思", "and the awards ceremony is the 16th one, right?")
    assert all("八" not in f.text for f in a.figures)
    assert a.verdict == "yes" and a.figures[0].text == "第十六屆"


@pytest.mark.parametrize("turns, section", [
    (["脱贫人口务工规模多少", "接下来怎么帮这群人稳住饭碗"], "一、就業 › 下一步工作安排"),   # 这群: points back
])
def test_a_fact_follow_up_pointing_back_takes_the_subject(engine, turns, section):
    a = _chain(engine, *turns)
    assert not a.abstained and a.citations[0].section.startswith(section) and "脫貧" in a.citations[0].hit.text


@pytest.mark.parametrize("follow_up, earlier, expected", [
    ("工伤这一块呢", ["失业保险参保人数多少"], "工伤保险参保人数多少"),   # 这一块 closes a follow-up like 呢
])
def test_a_topic_tail_is_a_follow_up_marker(follow_up, earlier, expected):
    assert read(follow_up, *earlier) == expected


@pytest.mark.parametrize("follow_up", ["随便举两个例子", "具体呢", "是关于哪类人的"])
def test_a_follow_up_asking_for_examples_or_kinds_wants_a_sentence(follow_up):
    # the earlier question asked an ordinal (第几届): the follow-up's own ask is a fact
    q = resolve(analyze(follow_up), [Turn("表彰大会开到第几届了")], vocabulary=VOCAB)
    assert q.wants == "fact" and not q.thresholds


def test_a_bare_follow_up_with_no_figure_gets_what_the_briefing_says_of_it(engine):
    # the amount of unpaid wages is not given, nor anything counted of 失信惩戒; its sentence is
    a = _chain(engine, "欠薪案件一共处理了多少件", "失信惩戒那块呢")
    assert not a.abstained and not a.figures and "失信懲戒" in a.citations[0].quote


def test_a_chinese_follow_up_after_an_english_answer_carries_its_subject_in_the_briefings_words(engine):
    a = _chain(engine, "How many people hold a social security card in China?", "覆盖多少人口")
    assert not a.abstained and a.figures[0].text == "97%"


@pytest.mark.parametrize("turns, expected", [
    # another figure of the sentence just cited, named by words only its label has (not the holder's)
    (["人社政务服务平台全国性服务开通了几项", "各地特色的那些呢"], "389項"),
    (["人社政务服务平台全国性服务开通了几项", "各地特色的那些呢", "注册的用户呢"], "超過3077萬人"),
    (["How many local services does the MOHRSS government service platform offer?", "And its registered users?"],
     "超過3077萬人"),
    # the holder's words name another holder: the same measure of it, not a sibling of this sentence
    (["社保公共服务平台累计访问量多少", "人社政务服务平台的呢"], "近32億人次"),
])
def test_a_fragment_naming_another_figure_of_the_sentence_just_cited_asks_that_figure(engine, turns, expected):
    _answered_with(engine, turns, expected)


def test_a_check_naming_one_of_several_figures_given_is_a_check_of_that_one(engine):
    turns = ["基本养老、失业和工伤保险参保的各有多少人", "失业那项是2.89亿吗"]
    a = _chain(engine, *turns)
    assert a.verdict == "no" and a.figures[0].text == "2.37億人"
    # 它 is the part just checked, compared with another part of the first answer
    a = _chain(engine, *turns, "它比工伤的少多少")
    assert {f.text for f in a.figures} == {"2.37億人", "2.89億人"}


def test_a_follow_up_naming_its_thing_in_unknown_words_is_about_what_its_answer_found(engine):
    # 「手机上用的那张卡」 is no vocabulary term: the answer found 电子社保卡, and the check after it is of
    # that card's share (54.1%), not the physical card's 97%
    a = _chain(engine, "全国持有社保卡的人占人口多少", "手机上用的那张卡呢", "那是不是还不到一半")
    assert a.figures[0].text == "54.1%" and a.verdict == "no"


def test_part_named_picks_the_one_figure_of_several_whose_label_holds_a_term():
    figures = [Figure(t, 1.0, "人", "", label, "quantity", i, i + 3) for i, (t, label) in
               enumerate([("2.37億人", "失業保險參保人數"), ("2.89億人", "工傷保險參保人數")])]
    assert part_named(["失业"], figures).text == "2.37億人"
    assert part_named(["参保"], figures) is None          # in both labels: not one part
    assert part_named(["失业"], figures[:1]) is None      # one figure given: no part to pick


def test_a_measure_swapped_in_does_not_inherit_the_old_measures_words(engine):
    # 新增 belonged to 城镇新增就业: the rate swapped in is asked as it stands, not as a change
    a = _chain(engine, "今年新增加的城镇就业有多少", "那失业率呢")
    assert not a.abstained and a.figures[0].text == "5.3%"


def test_a_sum_of_earlier_answers_takes_the_figure_each_gave_however_it_was_asked(engine):
    # the first turn asked two things in two sentences; its side of the sum is the one figure it gave
    a = _chain(engine, "政府帮困难群众代缴养老保险费了吗？帮了多少人？", "退捕的渔民呢", "两类合计多少人")
    assert {f.text for f in a.figures} == {"840萬", "17.2萬"} and "857.2" in a.text


def test_a_pronoun_after_a_thing_the_question_names_points_at_that_thing(engine):
    a = _chain(engine, "How many national unified services does the social insurance public service platform offer?",
               "What about the MOHRSS government service platform: how many local services does it have?")
    assert not a.abstained and a.figures[0].text == "389項"


@pytest.mark.parametrize("asked", [
    "那这个是整季的还是单单3月份的？",          # a choice of periods: which one
    "Does that rate cover the whole quarter or just March?",
    "5.3%是哪个月的？",                           # quotes the figure just given: points at it
])
def test_which_period_a_figure_just_given_is_of_is_its_sentences_period(engine, asked):
    a = _chain(engine, "一季度城镇新增就业多少人", "调查失业率呢", asked)
    assert not a.abstained and a.figures[0].text == "3月份" and "5.3%" in a.text



def test_a_check_that_a_figure_is_a_named_periods_average_is_checked_against_its_period(engine):
    a = _chain(engine, "一季度城镇新增就业多少人", "调查失业率呢", "那是一季度三个月平均下来的吗")
    assert a.verdict == "no" and a.figures[0].text == "3月份"


@pytest.mark.parametrize("turns", [
    ["春风行动联合了几个部门", "都是哪几个部门啊"],
    ["How many national occupational standards were issued for digital technology engineers?", "Which standards are they?"],
])
def test_the_items_of_a_count_the_briefing_does_not_list_are_declined(engine, turns):
    a = _chain(engine, *turns)
    assert a.abstained and ("列出" in a.reason or "list" in a.reason)


def test_a_count_of_special_campaigns_is_not_a_number_inside_a_name(engine):
    a = answer_with(engine, "How many special drives are in the graduate employment programme?")
    assert not a.abstained and a.figures[0].text == "十項"


def test_a_period_a_follow_up_names_is_kept_in_its_reading(engine):
    # after a turn asking which period (no figure), 「那2月份的…」 asks February's rate, which is not given
    a = _chain(engine, "一季度城镇新增就业多少人", "调查失业率呢", "是整季的还是3月份的", "那2月份的失业率是多少")
    assert a.abstained and "2月" in a.reason and "2月" in a.reading


@pytest.mark.parametrize("question", ["What was said about college graduates?", "What is being done for migrant workers?"])
def test_what_was_said_or_done_about_a_thing_is_answered_with_its_sentence(engine, question):
    a = answer_with(engine, question)
    assert not a.abstained and a.kind == "passage"


@pytest.mark.parametrize("question, said", [
    ("Any news on minimum wages?", "最低工資標準"),     # the plural names the standard too
    ("Is there a pay survey planned?", "企業薪酬調查"),
])
def test_english_names_of_wage_measures_find_their_sentence(engine, question, said):
    a = answer_with(engine, question)
    assert not a.abstained and said in a.citations[0].quote


@pytest.mark.parametrize("turns, figure", [
    (["第一季都市新增就業多少人", "那調查失業率咧", "超過5%了嗎"], "5.3%"),          # 咧 closes a follow-up like 呢
    (["Until when will the cut in unemployment insurance premium rates last?", "How much does that save employers per year?"],
     "1800億元"),                          # its own "how much": no % from the carried "rates"
    (["How many people hold a social security card?", "And the digital card?"], "7.64億人"),
])
def test_regional_and_english_follow_up_wordings(engine, turns, figure):
    _answered_with(engine, turns, figure)


def test_a_subject_then_a_how_ask_is_one_question(engine):
    # 「X呢，咋处理」: 咋 asks how, of X (not a count of the earlier subject)
    a = _chain(engine, "一季度点对点运送农民工多少人次", "那拖欠工资的呢，咋处理")
    assert not a.abstained and a.kind == "passage" and "欠薪" in a.citations[0].quote


@pytest.mark.parametrize("turns, expected", [
    # a place asked: the sentence naming places, though another passage is first
    (["社保卡持卡人数多少", "哪几个地区在推居民服务一卡通"], "长三角"),
    (["Which areas is the one-card resident service being pushed in?"], "長三角"),
    (["Which regions are covered by the special training programme for ethnic minority professionals?"], "新疆"),
    # a place the briefing does not name for what is asked
    (["哪几个省份的调查失业率最高"], None),
])
def test_a_place_asked_is_found_in_the_sentence_naming_places(engine, turns, expected):
    a = _chain(engine, *turns)
    assert (None if a.abstained else expected in a.text) == (None if expected is None else True)
    assert not a.abstained or "地点" in a.reason


@pytest.mark.parametrize("turns, expected", [
    # "they" for the ministry speaking points at nothing: the question names its own subject
    (["城镇新增就业多少人", "What did they announce about firms that owe wages?"], "欠薪失信"),
    (["失业率是多少", "What are they doing about young volunteer arbitrators?"], "青年仲裁員"),
])
def test_they_for_the_body_speaking_is_no_pointer(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and expected in a.text and not a.reading


@pytest.mark.parametrize("fragment, pointing", [
    ("what did they say about arbitrators", None),
    ("what are they planning for graduates", None),
    ("which batch of mediation bodies will they cultivate", None),
    ("how many firms that owe wages were named", None),
    ("what did they say about it", "it"),
    ("are they above 3 billion", "they"),
    ("is that more than half", "that"),
])
def test_a_pronoun_for_the_body_speaking_or_a_relative_that_points_at_nothing(fragment, pointing):
    from hrss_qa.answering.fragments import pointer
    from hrss_qa.language import lexicon

    found = pointer(fragment, lexicon())
    assert (found.group(0) if found else None) == pointing


@pytest.mark.parametrize("turns, expected", [
    # 「那个」 right before the name of a thing the last answer was not about: that thing, named
    (["全国补贴性职业技能培训开展了多少人次", "那个培训券发出去多少张"], "超過261萬張"),
    (["企业薪酬调查今年搞不搞", "那个“和谐同行”计划是几年的"], "三年"),
    # ...before the thing the quoted answer was about, it points back (no count of it is given)
    (["对欠薪企业有什么惩戒", "这个名单上一共多少家企业"], None),
    # ...after other words, at an earlier turn
    (["城镇新增就业多少人", "失业率呢", "回到前面那个新增就业，到300万没有"], "297萬人"),
])
def test_a_demonstrative_before_a_name_points_at_the_thing_named(engine, turns, expected):
    a = _chain(engine, *turns)
    assert (None if a.abstained else a.figures[0].text) == expected


@pytest.mark.parametrize("turns, verdict, figure", [
    (["Is the national vocational skills competition being prepared also the third one?"], "no", "第二屆"),
    (["Which edition is the postdoc innovation contest?", "Will it be the 2nd?"], "yes", "第二屆"),
])
def test_an_english_ordinal_check_gets_its_verdict(engine, turns, verdict, figure):
    a = _chain(engine, *turns)
    assert a.verdict == verdict and a.figures[0].text == figure


@pytest.mark.parametrize("turns, figures", [
    # two bare measures of the subject just asked: their share, computed
    (["社会保险基金一季度收了多少钱", "支出大约占收入的几成"], {"1.7萬億元", "2.04萬億元"}),
    # "the electronic one": the other side with its modifier swapped
    (["How many more people hold the physical card than the electronic one?"], {"13.7億人", "7.64億人"}),
])
def test_shares_and_differences_of_sides_said_in_short(engine, turns, figures):
    a = _chain(engine, *turns)
    assert not a.abstained and {f.text for f in a.figures} == figures


@pytest.mark.parametrize("turns, expected", [
    # a short question naming a thing before 那个: that thing, when the last answer was about another
    (["第二届职业技能大赛筹备得怎么样了", "劳务品牌那个大会是第几届"], "第二屆"),
    (["博士后创新创业大赛是第几届", "职业技能大赛那个呢，第几届"], "第二屆"),
    # ...and one of the figures just given when it names that one
    (["截至3月底基本养老、失业、工伤保险参保人数各是多少", "工伤那个是2.37亿吧"], "2.89億人"),
])
def test_a_thing_named_before_a_pronoun_in_a_short_question_is_its_subject(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and a.figures[0].text == expected


@pytest.mark.parametrize("turns, figures", [
    # 「这些岗位」: the answer just given, against the thing named with that measure
    (["春风行动一共发布了多少个岗位", "这些岗位是春季专场的几倍"], {"3800萬個", "420萬人次"}),
    # 「刚才那个」 beside a side asking 职缺: the latest answer of that measure, not the last answer
    (["大中城市春季专场提供了多少职缺", "主会场办了几场特色活动", "春风行动的职缺比刚才那个多不多"], {"3800萬個", "420萬人次"}),
    # a side ending in a measure of its own keeps it (结余 against the income given)
    (["社保基金一季度总收入是多少", "累计结余是刚才那个收入的几倍"], {"7.75萬億元", "2.04萬億元"}),
])
def test_a_side_pointing_back_is_the_answer_of_its_measure(engine, turns, figures):
    a = _chain(engine, *turns)
    assert not a.abstained and {f.text for f in a.figures} == figures


@pytest.mark.parametrize("turns, expected", [
    # a correction's interjections say nothing of its subject; a measure asked of it next keeps it
    (["人社政务服务平台开通了几项全国性服务", "噢抱歉，我想问的是国家社会保险公共服务平台", "它的访问量呢", "那人社政务服务平台呢"],
     "近32億人次"),
    # a follow-up in Cantonese
    (["人社開通咗幾多項一網通辦服務", "其中跨省嘅有幾多", "佔幾多"], "52.6%"),
    # 「占总数」: the whole just given, no thing named
    (["一网通办服务开通了多少项", "跨省通办的呢", "那占总数的多少"], "52.6%"),
    (["人社開通咗幾多項一網通辦服務", "其中有幾多項跨省辦得", "咁佔總數差唔多幾多"], "52.6%"),
])
def test_corrections_and_cantonese_follow_ups(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and normalize(expected) in normalize(a.text), a.text


def test_a_check_of_another_measure_after_a_rate_is_not_held_to_the_rate(engine):
    # (the rate's % is not carried into a check of the fund's size)
    a = _chain(engine, "基本养老保险基金投资运营规模多大", "收益率是多少", "职业年金的呢", "它的规模超过2万亿了吗")
    assert a.verdict == "yes" and a.figures[0].text == "超過2.11萬億元"


def test_a_pronoun_with_a_measure_keeps_the_subject_of_an_english_question(engine):
    # 它 is the basic pension fund just asked in English; its return is not given (the annuity's is)
    a = _chain(engine, "How big is the basic pension insurance fund's invested amount?", "它的年均收益率呢")
    assert a.abstained, a.text


@pytest.mark.parametrize("turns, verdict, figure", [
    # an English check of a share of the two counts just given
    (["How many services can be handled through 'one-stop online'?", "And how many of them across provinces?", "Over half, then?"],
     "yes", "40項"),
    # a bare relation closed by ", then"
    (["脱贫人口务工规模有多大", "More than 31 million, then?"], "no", "3074萬人"),
    # a rate named in English is checked itself, never a share of the two sizes just given
    (["What was the basic pension fund's invested amount?", "What about the occupational annuity fund?",
      "Was its yearly return over 5%?"], "yes", "5.29%"),
])
def test_english_checks_said_in_short(engine, turns, verdict, figure):
    a = _chain(engine, *turns)
    assert a.verdict == verdict and a.figures[0].text == figure, a.text


def test_plans_asked_after_a_declined_turn_are_those_of_the_last_answer(engine):
    # 「名单上有几家」 is declined (no count given); 「往后呢」 asks the plans of the blacklist's section (wages)
    a = _chain(engine, "欠薪失信企业名单公布了吗", "名单上有几家", "那往后有啥打算")
    assert not a.abstained and "工資" in a.citations[0].hit.text, a.text


@pytest.mark.parametrize("turns", [
    # whether a measure's figure was published asks that figure: declined where the briefing lacks it
    ["3月份城镇调查失业率是多少", "那5月份的失业率公布了吗"],
    ["失业保险参保人数多少", "失业保险基金单独的结余有没有给出？"],
    ["Did they release the unemployment rate for May?"],
    # delivery riders (Taiwan wording) are a group the briefing gives no count of
    ["外送員有投保職災保險的人數嗎"],
])
def test_whether_a_missing_figure_was_published_is_declined(engine, turns):
    a = _chain(engine, *turns)
    assert a.abstained, a.text


def test_whether_a_given_figure_was_published_gives_it(engine):
    a = _chain(engine, "城镇调查失业率有公布吗")
    assert not a.abstained and a.figures[0].text == "5.3%"


@pytest.mark.parametrize("follow_up, verdict", [
    # the side named and the side pointing back (这个) in either order: the verdict follows the order said
    ("工伤保险参保人数比这个多吗", "yes"), ("工伤保险的比这个少吗", "no"),
    ("这个比工伤保险的多吗", "no"), ("是不是比工伤保险的少", "yes"),
])
def test_a_comparison_with_the_answer_pointed_at_keeps_the_order_said(engine, follow_up, verdict):
    a = _chain(engine, "失业保险参保人数多少", follow_up)
    assert a.verdict == verdict and {f.text for f in a.figures} == {"2.37億人", "2.89億人"}, a.text


def test_an_ordinal_alone_reasks_the_previous_question(engine):
    # 「第二批呢」: the previous question of that ordinal, answered by the sentence naming it
    a = _chain(engine, "“第三批”指的是什么", "那第二批呢")
    assert not a.abstained and "第三" not in a.reading and "第二批" in a.citations[0].hit.text, a.text


def test_an_english_demonstrative_before_another_thing_points_at_that_thing(engine):
    # "this press conference" after a question about pooling: the briefing itself, not the pooling
    a = _chain(engine, "养老保险全国统筹做了哪些工作", "And when was this press conference held?")
    assert not a.abstained and a.figures[0].text == "4月24日", a.text
    # ...while "that annuity" after the annuity's return points back at it
    a = _chain(engine, "职业年金基金投资运营规模多大", "年均收益率呢", "Is that annuity figure as of the end of March?")
    assert "年金" in a.citations[0].hit.text, a.text


@pytest.mark.parametrize("last", ["Of the two, which one has had more visits?",
                                  "Which of the two has more visits, this one or the first one?"])
def test_a_measure_compared_across_the_things_the_last_answers_were_about(engine, last):
    # the visits of the card and of the platform, from the sentences their service counts came from
    a = _chain(engine, "How many nationwide services does the electronic social security card offer?",
               "And the ministry's government service platform?", last)
    assert not a.abstained and {f.text for f in a.figures} == {"31億次", "近32億人次"}, a.text


def test_how_big_after_a_rate_asks_the_size(engine):
    a = _chain(engine, "What is the occupational annuity fund's average yearly return?", "How large is that fund?")
    assert not a.abstained and a.figures[0].text == "超過2.11萬億元", a.text


@pytest.mark.parametrize("turns, expected", [
    # a clause setting the last subject aside, then "what about X": X takes its place
    (["失业保险参保人数多少", "除了失业保险以外，工伤保险呢？"], "2.89億人"),
    (["How many people are in unemployment insurance?", "Apart from that, what about work-injury insurance?"], "2.89億人"),
])
def test_a_subject_set_aside_before_what_about(engine, turns, expected):
    _answered_with(engine, turns, expected)


def test_it_compared_with_a_thing_named_is_the_thing_last_asked_about(engine):
    # 它 is 政务服务平台 (not 全国, the generic word before it); its visits against the other platform's
    a = _chain(engine, "全国人社政务服务平台注册用户超过3000万了吗", "它的累计访问量比国家社会保险公共服务平台高吗")
    assert a.verdict == "no" and {f.text for f in a.figures} == {"近32億人次", "超過47億人次"}, a.text


@pytest.mark.parametrize("turns, expected", [
    # Cantonese: a correction after 「唔好意思講錯」, 嗰個 (嗰 is 𠮶 once converted), 即係 / 嘅係
    (["失業保險參保人數係幾多", "唔好意思講錯，我想問嘅係工傷嗰個"], "2.89億人"),
    # 加埋 is 加起来; a check closing with 未
    (["電子社保卡開通咗幾多項全國服務", "屬地服務又有幾多", "兩樣加埋幾多項"], "1087"),
    (["人社政務服務平台註冊用戶有幾多", "過咗3000萬未？"], "3077"),
])
def test_cantonese_corrections_sums_and_checks(engine, turns, expected):
    a = _chain(engine, *turns)
    assert not a.abstained and normalize(expected) in normalize(a.text).replace(",", ""), a.text


def test_a_cantonese_word_for_young_people_is_the_youth_group(engine):
    a = _chain(engine, "3月份城鎮調查失業率係幾多", "後生仔嘅失業率有冇公布？")
    assert a.abstained, a.text


def test_a_multiple_checked_right_after_a_comparison_is_of_the_two_figures_compared(engine):
    # 389 / 118 is 3.3: never "no"; the two figures and their ratio are stated
    a = _chain(engine, "人社政务服务平台的地方特色服务和全国性服务，哪个更多", "Over three times as many?")
    assert {f.text for f in a.figures} == {"389項", "118項"} and a.verdict in ("", "yes"), a.text


@pytest.mark.parametrize("last, verdict", [("跨省的是不是占了不到一半", "no"), ("那跨省通办占一半以上了吧", "yes")])
def test_a_share_check_naming_its_part_is_of_the_two_counts_given(engine, last, verdict):
    # the part's count asked first, the whole's second; the check names the part before 占
    a = _chain(engine, "跨省通办事项有几项", "一网通办服务总共开了多少项", last)
    assert a.verdict == verdict and {f.text for f in a.figures} == {"40項", "76項"}, a.text
