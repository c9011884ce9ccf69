"""Follow-ups: a question that leans on the conversation, completed from the previous turn.

A follow-up is read against the previous turn's question as it was understood (and the figure
its answer gave).  A comparison, share or sum of earlier answers is read first (:mod:`.earlier`);
otherwise three ways, tried in order (the fragment's words: :mod:`.fragments`):

* **swap** — the fragment names something of the same kind as a term of the previous question
  and takes its place: 「那失业保险呢？」 after 「养老保险参保人数多少」 (shared characters),
  「支出呢」 after 「社保基金收入多少」, 「工伤的呢」 after 「失业保险参保人数」 (terms whose figures
  the briefing gives side by side), "And the e-card?" after "…social security card?";
* **attach** — the fragment asks something new about the same subject: 「过3000万了吗」,
  「截至啥时候」, 「下一步呢」, "Is that above 5%?" — it is read with the previous subject;
* otherwise the question stands alone (a new subject replaces the old one).

>>> from hrss_qa.answering.analyze import analyze
>>> resolve(analyze("那失业保险呢？"), [Turn("养老保险参保人数是多少？")]).text
'失业保险参保人数是多少?'
>>> resolve(analyze("过3000万了吗"), [Turn("脱贫人口务工规模多少")]).text
'过3000万了吗 脱贫人口务工规模'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..figures import extract_figures
from ..glossary import glossary_terms, official_terms
from ..language import Lexicon, lexicon, pattern
from ..lexical import words
from ..text import has_han, normalize
from .analyze import analyze, compare_kind, kindred_units, periods_in
from .earlier import average_of_earlier, compared_with_earlier, part_named, share_of_earlier, share_reading, sibling_named
from .fragments import (figure_question, fragment_of, is_short, names_own_period, pointer, pronouns, subject_of, untagged,
                        without_interjections, without_periods, without_possessive)
from .records import Query, Turn
from .swaps import english_ask, replaces_a_measure, swap, swap_kin, with_ask
from .vocabulary import Vocabulary, is_measure, names_a_subject, names_no_measure, subject_terms, terms_in

__all__ = ["Vocabulary", "own_subject", "resolve", "subject_of"]


@dataclass(frozen=True)
class _Earlier:
    """The last turn as a follow-up sees it: its question as understood, what it was about (without
    its ask), and whether its answer gave figures."""

    turn: Turn
    question: str
    topic: str
    answered: bool

    @classmethod
    def of(cls, turn: Turn, lex: Lexicon) -> "_Earlier":
        answer = turn.answer
        question = normalize(answer.question if answer is not None and answer.question else turn.question)
        # What the previous turn was about, without its own ask (not the whole chain of asks before it).
        topic = normalize(getattr(answer, "topic", "") or "") or subject_of(question, lex)
        answered = bool(getattr(answer, "figures", ())) and not getattr(answer, "abstained", True)
        return cls(turn, question, topic, answered)

    def figure_keys(self, figures=None) -> tuple[str, ...]:
        """The answer's figures as "doc_id@start" (all, or those given)."""
        answer = self.turn.answer
        return tuple(f"{answer.citations[0].hit.doc_id}@{f.start}" for f in (answer.figures if figures is None else figures))


def resolve(query: Query, history: list[Turn], lex: Lexicon | None = None,
            vocabulary: Vocabulary | None = None, lean: bool = False, plain: bool = False) -> Query:
    """``query`` completed from the last turn of ``history`` when it leans on it; else itself.

    ``lean``: a short question is read with the previous subject even though it names one of its
    own (「覆盖了多少人口」 after 「社保卡持卡人数」: 人口 is also a subject elsewhere); ``plain``: an
    English "And <a thing and its measure>?" is read with only the previous ask ("And new urban jobs
    in Q1?" → "what was new urban jobs in q1"); the caller tries these readings when the first finds
    no answer.
    """
    lex = lex or lexicon()
    vocabulary = vocabulary or Vocabulary.of([])
    if not history:
        return query
    read = _completed(query, history, lex, vocabulary, lean, plain)
    if read is query:
        return read
    own = periods_in(normalize(query.key), lex)
    named = {p.text for p in own}
    # a period the follow-up names is never lost in its reading (「那2月份的失业率是多少」: 2月份 is asked,
    # whatever words the reading kept)
    lost = tuple(p for p in own if p.text not in {r.text for r in read.periods} and not read.thresholds)
    # (answered in the asker's script: "Is that as of end-March?" after a Chinese turn is answered in English)
    return replace(read, script=query.script,
                   periods=tuple(p if p.text in named else replace(p, carried=True) for p in read.periods) + lost)


def own_subject(query: Query, lex: Lexicon, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The things a follow-up names itself (not measures), in the briefing's words: 人口 of
    「覆盖了多少人口」, 表彰 of "the awards ceremony is the 16th, right?".

    >>> own_subject(analyze("那失业保险呢？"), lexicon(), Vocabulary(frozenset({"失业保险", "人数"})))
    ('失业保险',)
    """
    fragment, _ = fragment_of(query.key, lex)
    return tuple(t for t in subject_terms(fragment, vocabulary) if not is_measure(t, vocabulary))


def _completed(query: Query, history: list[Turn], lex: Lexicon, vocabulary: Vocabulary, lean: bool,
               plain: bool) -> Query:
    """The reading of :func:`resolve`, its periods as analysed from the completed text."""
    query = _one_ask(query, lex, vocabulary)
    fragment, marked = fragment_of(query.key, lex)
    last = _Earlier.of(history[-1], lex)
    if has_han(fragment) and not has_han(last.question) and not last.answered and terms_in(fragment, vocabulary):
        # 「电子的呢」 after a declined "And for women?": English words that found nothing carry nothing a
        # Chinese fragment can take the place of; the last answered turn does
        answered = [i for i, t in enumerate(history) if _Earlier.of(t, lex).answered]
        history = history[:answered[-1] + 1] if answered else history
    elif query.tense == "plan" and _declined(last.turn) and not own_subject(query, lex, vocabulary):
        # 「以后还有啥新招没」 after a declined 「曝光了多少家」: the plans of what was last answered
        kept = [i for i, t in enumerate(history) if t.answer is not None and not _declined(t)]
        history = history[:kept[-1] + 1] if kept else history
    if plain:
        ask = english_ask(_Earlier.of(history[-1], lex).question)
        if not (marked and fragment.isascii() and ask and len(fragment.split()) >= 2):
            return query
        text = f"{ask} {fragment}"
        read = analyze(text, lex)
        if read.wants == "fact" and (asked := _previous_ask(history[-1], text, lex)):
            read = replace(read, wants=asked[0], kinds=frozenset({"quantity", "count", "percent"})
                           if asked[0] == "figure" else asked[1])
        return replace(read, asked=query.text, reading=text, topic=fragment)
    if (average := average_of_earlier(query, history, lex)) is not None:
        return average
    if (compared := compared_with_earlier(query, fragment, history, lex, vocabulary)) is not None:
        return compared
    if (share := share_of_earlier(query, history, lex, vocabulary)) is not None:
        return share
    if (share := share_reading(query.key, history, lex, vocabulary)) is not None:
        text, computed = share
        read = analyze(text, lex)
        if not computed:   # 「占多少人口」: no whole the briefing counts, so only a share as written answers
            read = replace(read, wants="figure", kinds=frozenset({"percent"}), units=frozenset({"%"}))
        return replace(read, asked=query.text, reading=text, topic=subject_of(text, lex))
    earlier = _Earlier.of(history[-1], lex)
    own = analyze(fragment, lex)
    if (marked and not _asks(fragment, lex) and own.wants == "fact" and own.tense != "plan"
            and not names_own_period(fragment, lex) and (sibling := sibling_named(fragment, earlier.turn, lex))):
        return replace(sibling, asked=query.text)
    # (a part of several figures given that the fragment names, 「工伤那个…」: what it, and the next turn's
    # 「它」, is about; measures count too — 失业 of 「失业那项」 is a word of 失业率)
    named_part = _part_named(subject_terms(fragment, vocabulary), earlier.turn.answer.figures) if earlier.answered else ""
    reading = _reading(query, fragment, own, marked, earlier, lex, vocabulary, lean, named_part)
    if query.yes_no and not own.yes_no:   # 「我记得是4月25号？」 checks by its question mark, which the fragment lost
        own = replace(own, yes_no=True, thresholds=query.thresholds, wants=query.wants, kinds=query.kinds)
    if reading is None and marked and (part := _planned_part(earlier, own, fragment, lex)):
        # 「个人养老金那块呢」 right after plans were quoted names its own subject and asks the same of it
        text = f"{fragment} {part}"
        return replace(analyze(text, lex), asked=query.text, reading=text, topic=subject_of(text, lex))
    if reading is None or reading[0] == query.key:
        return query
    text, how = reading
    if how == "reasked":   # (the previous question itself, asked of another ordinal: its ask stands)
        return replace(analyze(text, lex), asked=query.text, reading=text, topic=subject_of(text, lex))
    if how == "swap" and (named := [p.text for p in periods_in(fragment, lex) if p.text not in text]):
        # 「那2月份的失业率呢」: the term swapped in came without the fragment's period, which replaces the old
        text = f"{' '.join(named)} {without_periods(text, lex)}"
    if (part := _planned_part(earlier, own, text, lex)):
        # 「个人养老金那块呢」 after a plan quoted: the plans of what it names, not its progress
        text = f"{text} {part}"
    read = _as_the_fragment_asks(analyze(text, lex), own, how, earlier, vocabulary, lex)
    read = _held_to_the_conversation(read, own, how, fragment, marked, text, earlier, vocabulary, lex)
    if read.yes_no and not own.yes_no:
        # "What about youth unemployment?" after "Is that higher than 5.5%?": the earlier check is not
        # this turn's; only a turn that checks gets a verdict
        read = replace(read, yes_no=False, thresholds=())
    # the follow-up's own constraints hold for its reading (「那女的呢」: 女的 of the fragment, read as 女)
    read = replace(read, groups=tuple(dict.fromkeys((*read.groups, *query.groups))),
                   places=tuple(dict.fromkeys((*read.places, *query.places))))
    # (「手机里的那种卡呢」 names a thing, in words the vocabulary lacks, yet is attached to the old
    # subject: the answer it finds says what it is about)
    named_anew = (how == "attach" and marked and own.wants == "fact" and not own.yes_no and own.tense != "plan"
                  and not _asks(fragment, lex) and not terms_in(fragment, vocabulary)
                  and bool(without_periods(fragment, lex).strip()))
    return replace(read, asked=query.text, reading=text, named_anew=named_anew,
                   topic=(named_part or earlier.topic) if how == "attach" else subject_of(text, lex))


def _reading(query: Query, fragment: str, fragment_read: Query, marked: bool, earlier: _Earlier, lex: Lexicon,
             vocabulary: Vocabulary, lean: bool, part: str = "") -> tuple[str, str] | None:
    """How a follow-up reads with the earlier question, and how it was made: "swap" (the fragment's
    term takes an earlier term's place), "reasked" (the earlier question of another ordinal), "joined"
    (the fragment's own ask before the swapped earlier question) or "attach" (the fragment with the
    earlier subject); None when it stands alone.
    ``fragment_read``: the fragment analysed on its own; ``part``: the label of the one figure of several
    given that the fragment names, if any."""
    short = is_short(untagged(fragment, lex))
    said = pointer(fragment, lex)
    # ("And the HR … platform: how many services does it offer?" — 「它」 after a thing the question
    # names itself points at that thing, not back at the conversation)
    pronoun = bool(said) and (short or not names_a_subject(fragment[:said.start()], vocabulary))
    pronoun = pronoun and not _names_another_thing(fragment, said, earlier, lex, vocabulary)
    # (「劳务品牌那个大会是第几届」 after the postdoc contest: the thing named before the pronoun is its thing)
    pronoun = pronoun and not (short and bool(said) and _new_to(earlier, fragment[:said.start()], vocabulary))
    # (「5.3%系边个月嘅」 quotes the figure just given: it points at it as 「这个」 would)
    pronoun = pronoun or (earlier.answered and any(normalize(f.text) in fragment for f in earlier.turn.answer.figures)
                          and not names_a_subject(fragment, vocabulary))
    if lean and not short:
        return None
    # 「覆盖多少人口？」 right after 电子社保卡's count asks another measure of it: read with its subject
    of_last = (short and not marked and not pronoun and _asks_the_last_answer(fragment, earlier, vocabulary)
               # (「总支出？」 after 总收入, asking nothing of its own, is a swap of the measure, not a new one)
               and (_asks(fragment, lex) or not replaces_a_measure(fragment, earlier.question, vocabulary)))
    if not (marked or pronoun or lean or of_last or (short and _lacks_subject(fragment, vocabulary, lex))):
        return None   # a long question with no pronoun carries its own subject, known words or not
    previous = earlier.question
    before = analyze(previous, lex)
    # A check (「到32亿了吗」 "Is that higher than 5.5%?") or a fact question (「具体包括哪些人」) asked no
    # figure: what a follow-up rewrites is the subject it was about, asked for its figure (its words
    # would leak into every later reading).
    quoted = getattr(earlier.turn.answer, "kind", "") == "passage"   # a fact asked and answered by a sentence
    # (a comparison of earlier answers, 「收支差了多少」, is read the same way: its first side's subject)
    # (「是整个一季度的还是3月份的」 asked a period, no figure, too)
    asked_no_figure = ((before.yes_no or before.compare is not None or before.wants == "date"
                        or (quoted and before.tense != "plan"))
                       and bool(earlier.topic) and normalize(earlier.topic) != previous)
    if asked_no_figure:
        # (after a fact quoted as a sentence, 「个人养老金那块呢」 asks the same of another thing: no figure)
        checked = before.yes_no or before.compare is not None
        previous = figure_question(earlier.topic, lex) if checked else earlier.topic
    if has_han(fragment) and not has_han(previous) and earlier.answered:
        # 「电子的呢」 after an English question: what its answer's figure measures, in the briefing's words
        previous = figure_question(normalize(earlier.turn.answer.figures[0].label), lex)
    if marked and (text := _ordinal_swapped(fragment, previous)):
        return text, "reasked"   # 「第二批呢」 after 「“第三批”都是指啥」: the same ask of 第二批
    own_sides = [p for p in fragment_read.parts if subject_terms(p.text, vocabulary)]
    checks_time = any(t.kind in ("date", "period") for t in fragment_read.thresholds)
    if fragment_read.tense == "plan" and not pronoun and subject_terms(fragment, vocabulary):
        return None   # 「培训这块下一步呢」 names what it asks the plans of: it stands alone
    if _asks_a_fact(fragment, lex) or len(own_sides) >= 2 or checks_time:
        # 「那个行动叫什么名字」「哪个部门办的」 ask a fact of the previous subject; 「所以收入比支出多，对吧」
        # names two sides of it; 「是不是3月份单月的」 checks the time of the figure just given: no term
        # (nor period) is swapped in
        pass
    elif marked and without_possessive(fragment, lex) == fragment and _is_phrase(fragment, vocabulary):
        # 「“点对点”运送的农民工呢」 names its subject and what is measured: it borrows only the ask; after
        # a check (「有没有超过200万」), which asked no figure in words, it asks its figure.  (「它的年均收益率呢」
        # names no subject of its own: 它 is the previous one.)
        corrected = bool(pattern(lex.words("cues.followup.correction")).match(without_interjections(query.key, lex)))
        # (社保公共服务平台 names only a thing; 个人养老金的参加人数 a measure too, in the cues' measure words)
        if (asked_no_figure or corrected) and not lex.cue("figure")(fragment) and not _asks(fragment, lex) and (
                swapped := swap(fragment, previous, vocabulary)):
            # 「那社保公共服务平台的呢」 after 「到32亿了吗」 of the other platform's visits: its visits (a
            # name alone keeps the measure asked); 「不对，我是问人社政务服务平台那个」 the same
            return swapped, "swap"
        asked = with_ask(fragment, previous)
        if text := asked or swap(fragment, previous, vocabulary):
            return text, "swap"
    elif (marked or not pronoun) and not lean and not of_last:
        # 「支出呢」「结余多少」: a measure of the previous subject takes the previous measure's place.
        # (「总支出？」 asks nothing of its own: a plain swap, as 「总支出呢」)
        # (「它的访问量呢」: the possessive stands for the subject kept, so only the measure is swapped in)
        measure = without_possessive(fragment, lex)
        if text := swap(measure, previous, vocabulary, keep_ask=not marked and _asks(fragment, lex)):
            return text, "swap" if marked else "joined"
    if not pronoun and not lean and not of_last and names_a_subject(without_periods(fragment, lex), vocabulary):
        return None   # 「那基本养老的收益率呢」 names its own subject: it stands alone (a time is none)
    # 「那6月底呢」 "and by the end of June?": the new period replaces the previous one
    topic = earlier.topic
    if has_han(fragment) and not has_han(earlier.question) and earlier.answered:
        # 「覆盖了多大比例的人口」 after an English question: its subject in the briefing's words
        topic = normalize(earlier.turn.answer.figures[0].label)
    named = [t for t in terms_in(fragment, vocabulary) if not is_measure(t, vocabulary)]
    if part:   # 「工伤那个是2.37亿吧」 after three funds' counts: 工伤's count is checked, not the list's
        # (a label naming only a measure, 累计访问量, is of the thing the last turn was about)
        topic = part if names_a_subject(part, vocabulary) else f"{topic} {part}"
    kin = [t for t in named if t not in topic]
    if len(named) == 1 and kin and (swapped := swap_kin(kin[0], topic, vocabulary)):
        topic = swapped   # 「工伤的是2.98亿吧」 after 失业保险's count: 工伤's count is checked, not 失业保险's
    carried = without_periods(topic, lex) if names_own_period(fragment, lex) else topic
    # (the fragment's question mark dropped: the reading is one question, not two sentences)
    own_words = fragment if marked else query.key.rstrip("?？。.!！ ")
    return f"{own_words} {carried}".strip(), "attach"


def _ordinal_swapped(fragment: str, previous: str) -> str | None:
    """The previous question with its ordinal (第三批) replaced by the one the fragment is (第二批), when
    the fragment is only that ordinal, of the same classifier; else None."""
    own = [f for f in extract_figures(fragment) if f.kind == "ordinal"]
    old = [f for f in extract_figures(previous) if f.kind == "ordinal"]
    if len(own) != 1 or not old or len(fragment.replace(own[0].text, "").strip(" 的那")) >= 2:
        return None
    same = [f for f in old if normalize(f.unit) == normalize(own[0].unit) and f.text != own[0].text]
    return previous.replace(same[-1].text, own[0].text) if same else None


def _names_another_thing(fragment: str, said, earlier: _Earlier, lex: Lexicon, vocabulary: Vocabulary) -> bool:
    """「那个培训券发了多少」 after the training count: a demonstrative right before the name of a thing the
    last answer was not about points at that thing, not at the conversation (「这个名单上…」 after the
    blacklist quoted points back)."""
    if said.group(0) not in lex.words("cues.pronoun.determiners"):
        return False
    if fragment.isascii():   # "When was this briefing held?": the phrase right after it, in the briefing's words
        after = fragment[said.end():]
        named = [o for t in glossary_terms(after) if not after[:t.start].strip() for o in t.official]
        # ("that annuity figure" after the annuity's return: a thing of the passage just cited points back)
        citations = getattr(earlier.turn.answer, "citations", ())
        cited = normalize(citations[0].hit.text) if citations else ""
        return bool(named) and named[0] not in cited and _new_to(earlier, named[0], vocabulary)
    if said.start() > 0:
        return False   # (「回到刚才那个新增就业」 points back at an earlier turn)
    named = [t for t in terms_in(fragment[said.end():], vocabulary) if not is_measure(t, vocabulary)]
    head = fragment[said.end():].lstrip("“”\"「」 ")
    return bool(named) and head.startswith(named[0]) and _new_to(earlier, named[0], vocabulary)


def _new_to(earlier: _Earlier, text: str, vocabulary: Vocabulary) -> bool:
    """Whether ``text`` names a thing (one a passage or two speak of) the last answer was not about:
    not in its figures' labels (a figure answer) or in the sentence it quoted (a fact answer)."""
    answer = earlier.turn.answer
    named = [t for t in terms_in(text, vocabulary) if not is_measure(t, vocabulary)] if answer is not None else []
    if not named or not vocabulary.pins(named[:1]):
        return False
    quoted = getattr(answer, "kind", "") == "passage"
    about = " ".join(c.quote for c in answer.citations[:1]) if quoted else " ".join(getattr(answer, "about", ()))
    return named[0] not in normalize(about)


def _declined(turn: Turn) -> bool:
    return bool(getattr(turn.answer, "abstained", False))


def _part_named(named: list[str], figures) -> str:
    """The label of the one figure of several given that a follow-up's named thing is part of, or ""."""
    part = part_named(named, figures)
    return normalize(part.label) if part is not None else ""


def _as_the_fragment_asks(read: Query, own: Query, how: str, earlier: _Earlier, vocabulary: Vocabulary,
                          lex: Lexicon) -> Query:
    """The reading asks what the fragment asks (a date, a check, plans), not what the earlier words did."""
    if how in ("attach", "joined"):
        # 「比去年同期多了多少」 + the previous subject is one question, not two asks joined by a space;
        # 「收入比支出多多少」 names two sides of its own, each of the previous subject.
        sides = [p for p in own.parts if subject_terms(p.text, vocabulary)]
        if len(sides) >= 2 and len(sides) == len(own.parts):
            subject = earlier.topic if how == "attach" else subject_of(earlier.question, lex)
            read = replace(read, parts=tuple(replace(p, context=f"{p.context} {subject}".strip()) for p in own.parts),
                           compare=own.compare, several=own.several)
        else:
            read = replace(read, parts=(), compare=None, several=False)
    swapped_in = terms_in(own.key, vocabulary) if how == "swap" else []
    if swapped_in and all(is_measure(t, vocabulary) for t in swapped_in):
        # 「那失业率呢」 after 「新增加的就业有多少人」: 新增 was the replaced measure's (城镇新增就业), not an
        # ask of the rate swapped in
        read = replace(read, asks=own.asks)
    if how == "attach":
        # What the previous question asked (新增 in 「新增就业多少」) was its answer's business; the
        # carried subject asks nothing of 「失业率呢」「下一步呢」, nor sets its tense ("will" of "Until
        # when will the lower rates be kept?" does not make "How much does that save?" ask about plans).
        read = replace(read, asks=own.asks, tense=own.tense)
    if own.wants != "fact" or own.tense == "plan" or own.yes_no or own.detail is not None:
        # 「下一步呢」 asks about plans, 「截至啥时候」 a date, 「过3000万了吗」 checks a number —
        # whatever the subject's own words (参加人数) would ask.
        read = replace(read, wants=own.wants, kinds=own.kinds, yes_no=own.yes_no, thresholds=own.thresholds,
                       # a date asked of "the unemployment rate" is no rate; "how much will that save" asks
                       # its own number, whatever unit the carried "premium rate" named, and so does a
                       # number checked (「它的规模有2万亿吗」 after a rate: no % carried over)
                       units=own.units if (own.units is not None or own.wants == "date" or (
                           how == "attach" and (lex.cue("number")(own.key) or own.thresholds))) else read.units,
                       tense=own.tense or read.tense,
                       detail=own.detail,
                       # attached to the previous subject, only the fragment's own words point to a unit
                       topical_units=own.topical_units if how == "attach" else own.topical_units or read.topical_units)
    elif _asks_a_fact(own.key, lex):
        # 「举几个例子」「是关于哪类劳动者的」 after a count: a sentence answers, whatever the earlier words asked
        read = replace(read, wants="fact", kinds=frozenset(), units=None, yes_no=False, thresholds=())
    elif read.wants == "fact" and (
            asked := _previous_ask(earlier.turn, earlier.question, lex)):
        # "And by the end of June?" asks what the previous question asked (how many), of another period;
        # "What about jobs created from January to March?" after a rate answered asks a figure too,
        # of whatever kind the new subject is counted in
        kinds = asked[1] if how == "attach" or asked[0] != "figure" else frozenset({"quantity", "count", "percent"})
        read = replace(read, wants=asked[0], kinds=kinds)
    return read


def _held_to_the_conversation(read: Query, own: Query, how: str, fragment: str, marked: bool, text: str,
                              earlier: _Earlier, vocabulary: Vocabulary, lex: Lexicon) -> Query:
    """What the conversation fixes about the answer: the subject swapped in, the measure kept, the
    earlier answer's passage and figure, and the figures already given."""
    answer = earlier.turn.answer
    if how == "swap":
        # What the fragment swapped in (电子社保卡, 岗位) is what the answer must be about.
        read = replace(read, swapped_in=tuple(subject_terms(fragment, vocabulary)))
        # each part of a double ask (「持卡人数和覆盖率」 → 电子社保卡's) is about the subject swapped in
        read = replace(read, parts=tuple(replace(p, swapped_in=read.swapped_in) for p in read.parts))
        # (「电子社保卡的人数呢」 names a count as its measure: its own units stand)
        if (own.units is None and not lex.cue("count_named")(fragment) and names_no_measure(fragment, vocabulary)
                and getattr(answer, "figures", ())):
            # 「电子社保卡的呢」 after a share, "And the other platform?" after a visit count: another subject,
            # the same measure, so a figure of the previous answer's unit is preferred.
            own_words = set(words(fragment)) | set(read.swapped_in)
            read = replace(read, topical_units=_units_of(answer.figures, lex),
                           borrowed=frozenset(w for w in words(text) if w not in own_words))
    attached = how == "attach"
    if attached and read.wants == "date" and read.yes_no and earlier.answered:
        # 「是截至3月底的数吗」 checks the time of the figure just given, which may be a month (3月份)
        read = replace(read, kinds=read.kinds | {"period"})
    if attached and own.units is None and own.topical_units and (marked or len(fragment) <= 4) and _a_noun_phrase(fragment):
        # 「比例呢」「金额？」 with the previous subject: the measure word is the whole ask, so only a figure of
        # its unit answers (not the previous answer's head count).  ("how much will it cut costs for
        # companies" is a clause: its companies are who gains, not what is counted.)
        read = replace(read, units=own.topical_units)
    # A subject carried over from the previous answer: its figure's passage is where this one should be.
    # (No figure in the previous answer: nothing to anchor to, so no verdict on this one.)
    # (a plan asked after a sentence quoted for a fact, 「之后还有啥安排」: that sentence's section's plans)
    quoted_fact = getattr(answer, "kind", "") == "passage" and not getattr(answer, "abstained", True)
    cited = earlier.answered or (quoted_fact and read.tense == "plan")
    anchor = ((tuple(c.hit.passage_id for c in answer.citations[:1]) if cited else ("",)) if attached else ())
    bare = not (terms_in(fragment, vocabulary) if has_han(fragment) else glossary_terms(fragment))
    # (「这个够一半人口没有」 opens by pointing at the figure just given: its measures are of that figure)
    points = bool(pronouns(lex).match(fragment.strip()))
    # (「都是哪几个部门」 asks the items of the count just given: that figure is what it is about)
    if attached and earlier.answered and (bare or points or read.detail is not None):
        anchor += earlier.figure_keys(answer.figures[:1])
    if attached and earlier.answered and bare:   # 「这个超过3千万了吗」: "this" is the previous answer's figure
        # the carried words were the earlier answer's to meet (持卡人数 of a swap into 电子社保卡), not this one's
        read = replace(read, borrowed=frozenset(w for w in words(earlier.topic) if w not in words(fragment)))
        if pattern(lex.words("cues.followup.sum_of_earlier")).search(fragment):
            read = replace(read, yes_no=False, thresholds=())   # a sum of earlier figures: no verdict on one
    # 「岗位呢」「访问量呢」"And how many hires?" ask something other than what was just answered; a check
    # (「破32亿了没」) or a comparison may rest on the figure just given.
    # (A sentence quoted for a fact — 「给哪些困难群体代缴」 — answered no figure ask: its 840万 is still to give.)
    quoted = getattr(answer, "kind", "") == "passage"
    given = () if read.yes_no or read.compare or not earlier.answered or quoted else earlier.figure_keys()
    return replace(read, anchor=anchor, given=given)


_NE_THEN_ASK = re.compile(r"^(?P<subject>[^?？。.!！]{1,12}?)呢\s*[?？,，\s]\s*(?P<ask>[^?？]{1,8})[?？]?$")


def _planned_part(earlier: _Earlier, own: Query, text: str, lex: Lexicon) -> str:
    """The part (下一步工作安排) the last answer was quoted from, when it quoted plans as a sentence (no
    figure: 「第二届」 asked next of another contest is no plan) and the follow-up asks no figure, date or
    tense of its own; else ""."""
    answer = earlier.turn.answer
    citations = getattr(answer, "citations", ())
    if (getattr(answer, "abstained", True) or earlier.answered or not citations or own.wants != "fact"
            or own.yes_no or own.tense):
        return ""
    part = citations[0].section.split("›")[1].strip() if citations[0].section.count("›") >= 1 else ""
    return part if part and lex.cue("plan")(normalize(part)) and not lex.cue("plan")(normalize(text)) else ""


def _a_noun_phrase(fragment: str) -> bool:
    """Short enough to be a measure named alone: any Chinese fragment that leans on the conversation,
    an English one of a few words ("the amount", "and the share")."""
    return not fragment.isascii() or len(fragment.split()) <= _NOUN_PHRASE_WORDS


_NOUN_PHRASE_WORDS = 4


def _asks(text: str, lex: Lexicon) -> bool:
    """Whether ``text`` asks something in words of its own (多少, 什么时候, 吗)."""
    return any(lex.cue(name)(text) for name in ("number", "when", "verify"))


def _one_ask(query: Query, lex: Lexicon, vocabulary: Vocabulary) -> Query:
    """「电子社保卡呢？覆盖率多少」「那新增的呢？有几个」: one ask in two sentences, the second a short
    ask of the first's subject, read as one question (「电子社保卡覆盖率多少」)."""
    m = _NE_THEN_ASK.match(query.key)
    ask = m.group("ask") if m else ""
    if m is None or not (_asks(ask, lex) or lex.cue("action")(ask)):   # (「欠工资的呢 咋管」 asks how)
        return query
    if any(not is_measure(t, vocabulary) for t in terms_in(ask, vocabulary) if len(t) >= 4):
        return query   # 「失业保险呢？工伤保险有多少」 names another subject: two asks
    return replace(analyze(f"{m.group('subject')}{m.group('ask')}", lex), asked=query.text)


def _is_phrase(fragment: str, vocabulary: Vocabulary) -> bool:
    """A phrase naming a thing in several words (运送的农民工), not one term (工伤, 支出, 电子社保卡)
    nor an ask without a subject (到300万人次了吗)."""
    if not has_han(fragment):
        return False
    terms = terms_in(fragment, vocabulary)
    if not any(not is_measure(t, vocabulary) for t in terms):
        return False
    rest = fragment
    for t in terms:
        rest = rest.replace(t, "")
    return len(terms) >= 2 or len(re.sub(r"[的之那个这呢“”\"'\s]", "", rest)) >= 2


def _lacks_subject(fragment: str, vocabulary: Vocabulary, lex: Lexicon) -> bool:
    """No term of its own for what is measured, or only a pronoun for one: 「过3000万了吗」
    "Is that above 5%?" "did visits hit 3.2 billion?"."""
    own = without_periods(pronouns(lex).sub("", fragment), lex)   # (「是不是4月中旬开的」: a time is no subject)
    return not names_a_subject(own, vocabulary)


def _asks_the_last_answer(fragment: str, earlier: _Earlier, vocabulary: Vocabulary) -> bool:
    """「覆盖多少人口？」 right after 电子社保卡's count: every word it names is in the sentence just cited
    and it names no scheme or thing of its own (an official name): another measure of that subject."""
    answer = earlier.turn.answer
    if not earlier.answered or not has_han(fragment) or not getattr(answer, "citations", ()):
        return False
    terms = terms_in(fragment, vocabulary)
    sentence = normalize(answer.citations[0].quote)
    return bool(terms) and all(t in sentence for t in terms) and not any(t in official_terms(4) for t in terms)


def _units_of(figures, lex: Lexicon) -> frozenset[str]:
    """The unit of the first of these figures, with the units the same measure is also counted in."""
    return kindred_units(frozenset({"%" if f.kind == "percent" else normalize(f.unit) for f in figures[:1]}), lex)


def _previous_ask(last: Turn, previous: str, lex: Lexicon) -> tuple[str, frozenset[str]] | None:
    """What the previous turn asked for: the kind of figure its answer gave, else what its words ask.
    (Plans quoted as a sentence hold figures — 百万 of 「启动百万就业见习岗位募集计划」 — that nobody asked.)"""
    planned = getattr(last.answer, "kind", "") == "passage" and analyze(previous, lex).tense == "plan"
    figures = () if getattr(last.answer, "abstained", True) or planned else getattr(last.answer, "figures", ())
    if figures:
        kinds = {f.kind for f in figures}
        dated = kinds <= {"date", "period"}
        return ("date" if dated else "figure",
                frozenset(kinds | ({"quantity", "count"} if kinds & {"quantity", "count"} else set())))
    asked = analyze(previous, lex)
    return (asked.wants, asked.kinds) if asked.wants != "fact" else None


def _asks_a_fact(fragment: str, lex: Lexicon) -> bool:
    """Whether a follow-up asks a fact in words (who held it, what it is called), not a figure:
    it does not take the previous question's ask (「哪个部门办的」 after a date asks no date)."""
    m = lex.cue("fact_ask").search(fragment)
    # (「举几个例子」 asks examples; 「具体是多少」 a number)
    return bool(m) and not compare_kind(fragment, lex) and not lex.cue("number")(fragment[:m.start()] + fragment[m.end():])
