"""Follow-ups answered from earlier answers: a comparison with them (「比刚才那个多吗」 "Which one has
more?"), a share of two of them (「有没有一半」), their sum (「加起来多少」).  Each side an earlier answer
gave is anchored to that answer's passage and figure.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..figures import Figure, parse_number
from ..glossary import glossary_terms
from ..language import Lexicon, pattern
from ..text import has_han, normalize
from .analyze import analyze, compare_kind
from .decompose import points_back, split_share
from .numbers import comparable
from .fragments import (figure_question, fragment_of, is_short, names_own_period, pronouns, subject_of, without_lead,
                        without_periods, without_possessive)
from .records import Query, Turn
from .swaps import swap
from .vocabulary import Vocabulary, is_measure, measures_named, names_a_subject, subject_terms, terms_in

__all__ = ["average_of_earlier", "compared_with_earlier", "share_of_earlier", "share_reading"]


def share_reading(key: str, history: list[Turn], lex: Lexicon, vocabulary: Vocabulary) -> tuple[str, bool] | None:
    """A share asked of the conversation's counts, as one question (「A占B的比例，…」), and whether it
    is computed from two counts (else it is the last subject's share as written), or None.

    After a count: 「占持卡人数的多少」 (the whole named: the count is the part); 「其中跨省通办的占多少」
    (the part named: the count is the whole); after two counts, 「是不是不到一半」 (the later is a part
    of the earlier); after a share, a check of it (「有没有到一半」); 「占多少人口」 names no whole the
    briefing counts: the last subject's share as written.
    """
    asks_share = lex.cue("share_words")(key) or ("占" in key and lex.cue("share_of")(key))
    if not has_han(key) or not asks_share:
        return None
    if own := split_share(key, lex):
        # 「支出占收入大概几成」 after the funds' income: two bare measures of the subject just asked
        # (the last count given alone, not a comparison: 「收支差多少」 names no one subject; in the
        # briefing's words, its label: 「一季度三项社保基金一共收了多少钱」 gave 社會保險基金總收入)
        label = next((normalize(t.answer.figures[0].label) for t in reversed(history)
                      if _said(t, lex) and len(t.answer.figures) == 1), None)
        if label is None or any(names_a_subject(side, vocabulary) for side in own):
            return None
        sides = [swap(side, label, vocabulary) for side in own]
        return (f"{sides[0]}占{sides[1]}的比例，{key}", True) if all(sides) else None
    if any(t.endswith(tuple(lex.words("cues.rate.suffixes"))) for t in terms_in(key, vocabulary)):
        return None   # 「年均收益率是5.5%吧」 checks a rate it names, not a share of the earlier amounts
    if (not is_short(fragment_of(key, lex)[0]) and names_a_subject(key, vocabulary) and not without_lead(key, lex).startswith("占")
            and "%" in analyze(key, lex).topical_units):
        return None   # 「电子社保卡覆盖率已经超过六成了？」 checks a rate it names itself: it stands alone
    said = [_said(t, lex) for t in _without_repeats(history)]   # (a check is no count of its own)
    if not said or said[-1] is None:
        return None
    ask = re.sub(r"^其中", "", without_lead(key, lex))   # 其中: "of those", the part's own lead
    if sides := split_share(said[-1], lex):
        text = f"{sides[0]}占{sides[1]}的比例，{key}"
    elif ask.startswith("占") and (len(said) < 2 or said[-2] is None or terms_in(ask, vocabulary)):
        # 「占多少人口」 names its whole (not 「占一半以上吗」 after two counts: the later of the earlier)
        text = f"{subject_of(said[-1], lex)}{ask}"
        if not split_share(text, lex):
            return text, False
    elif m := re.match(r"^(?P<part>[^，,？?]{2,12}?)的?占了?", ask):
        text = f"{m.group('part')}占{subject_of(said[-1], lex)}的比例，{key}"
    elif len(said) >= 2 and said[-2] is not None:
        text = f"{subject_of(said[-1], lex)}占{subject_of(said[-2], lex)}的比例，{key}"
    else:
        return None
    return (text, True) if split_share(text, lex) else None


def compared_with_earlier(query: Query, fragment: str, history: list[Turn], lex: Lexicon,
                           vocabulary: Vocabulary) -> Query | None:
    """A comparison whose sides the conversation gave, as a two-part query, or None.

    「是不是比失业保险的多」 after 工伤保险's count: the last answer against 失业保险 asked the same way;
    「比刚才那个少多少」 "Which one has more?": the last two answers.  A side an earlier answer gave is
    anchored to that figure.  A question naming both sides itself (「收入比支出多多少」) is not one.
    """
    compare = compare_kind(query.key, lex)
    refers_back = lex.cue("back_reference").search(query.key)
    # 「多了多少」 right after two figures were compared asks their gap, not a change over time
    gap_of_last = (bool(history) and getattr(history[-1].answer, "kind", "") == "comparison"
                   and query.asks & {"yoy", "change"} == {"change"} and not terms_in(fragment, vocabulary))
    said = pronouns(lex).sub("", query.key)
    named = [t for t in subject_terms(said, vocabulary) if not is_measure(t, vocabulary)]
    # 「跟社保公共服务平台比，哪个访问量更高」 names one thing: the other side is the last answer
    one_named = len(thing := _things_named(said, vocabulary)) == 1 and not query.parts
    # 「这个岗位数是春季专场的几倍」: one of the two sides opens with a pronoun
    side_points_back = any(pronouns(lex).match(p.key.strip()) for p in query.parts)
    if compare in (None, "sum") or not (is_short(fragment) or refers_back or one_named or side_points_back) or (
            query.asks & {"yoy", "change"} and not gap_of_last):
        return None   # (a sum: share_of_earlier; 「比去年同期多了还是少了」 compares with a period)
    if any(t.kind != "ratio" for t in query.thresholds) or query.detail is not None:
        # 「比5个多吗」 checks a number; 「这些在哪个省用得最多」 asks a place, not a figure ("More than three
        # times as many?" checks the multiple of two figures: it is one)
        return None
    if names_own_period(fragment, lex) and not subject_terms(without_periods(fragment, lex), vocabulary):
        return None   # 「比2月份降了多少」: compared with a month, not with an earlier answer
    answered = [t for t in history if _said(t, lex, counts_only=False) is not None]
    if not answered or answered[-1] is not history[-1]:
        return None
    pointed = _pointed_sides(query.parts, answered, lex, vocabulary)
    if pointed is None and sum(bool(subject_terms(p.text, vocabulary)) for p in query.parts) >= 2 and not (
            lex.cue("earlier_count")(query.key) and not any(_things_named(p.text, vocabulary) for p in query.parts)):
        return None   # 「收入比支出多多少」 names both sides ("this one or the first one" with their visits does not)
    last = _side(answered[-1], lex)
    if pointed is not None:
        sides = pointed
    elif pair := _named_and_alike(answered, subject_terms(said, vocabulary), lex):
        # 「跟刚才养老基金那个比，哪个规模大」 after 职业年金's size and its return: the earlier answer it
        # names, against the latest answer of the same unit (the size, not the return)
        sides = [_side(t, lex, subject_terms(said, vocabulary)) for t in pair]
    elif not named and getattr(answered[-1].answer, "kind", "") == "comparison" and (
            given := _two_given(answered[-1])) is not None:
        # 「多多少」 right after 「工伤的比失业的多吗」 was answered: the two figures just compared
        sides = given
    elif one_named and (asked := _measure_of(said, thing[0], answered[-1], vocabulary, lex)):
        sides = [last, (asked, (), (thing[0],))]
    elif named:
        other = swap(named[0], last[0], vocabulary) or named[0]
        sides = [last, (other, (), (named[0],))]
        if len(query.parts) == 2 and points_back(query.parts[1].text, lex):
            sides.reverse()   # 「工伤的比这个多吗」: the thing named is the first side, the answer pointed at the second
    elif (lex.cue("earlier_count")(query.key) and (measure := next(iter(_measures(said, vocabulary, lex)), None))
          and not _of_measure(answered[-1], measure, vocabulary, lex)
          and (found := _measured_alike(answered, _earlier_count(query.key, lex), measure))):
        # "Which of the two platforms has had more visits?" after their service counts: the visits of
        # the things the last answers were about, each from the sentence its answer came from
        sides = found
    elif len(answered) >= (n := _earlier_count(query.key, lex)):
        # "Which one has more?" the last two answers; 「三个里哪个最多」 the last three; 「前者是后者的几倍」
        # the one said first against the one said later.  Those the last answer can be compared with:
        # 「这俩哪个多」 after visits, a check of a service count, and visits again compares the visits.
        chosen = _comparable_with_last(answered, n, lex)
        sides = [_side(t, lex) for t in (chosen if _former_first(query.key, lex) else reversed(chosen))]
    else:
        return None
    kinds = frozenset({"quantity", "count", "percent"})
    parts = tuple(_settled(replace(analyze(text, lex), anchor=anchor, swapped_in=swapped, asked=text), kinds)
                  for text, anchor, swapped in sides)
    reading = f"{query.key.rstrip('?？。.!！ ')}：{'；'.join(p.text for p in parts)}"
    return replace(query, text=reading, key=normalize(reading), wants="figure", kinds=kinds, parts=parts,
                   compare=compare, several=False,
                   thresholds=(), reading=reading, asked=query.text, topic=parts[0].topic or subject_of(parts[0].text, lex))


def share_of_earlier(query: Query, history: list[Turn], lex: Lexicon, vocabulary: Vocabulary) -> Query | None:
    """「有没有一半」「占几成」 naming nothing, after two counts of one unit (76项, then 其中40项): the
    smaller's share of the larger; 「加起来是不是30个」 "is the total over 30?": their sum.  Each side
    is anchored to the figure its turn gave; None when the question is neither."""
    key = query.key
    # (in English only a check, "So more than half?": "quarter" and "share" name other things too)
    asks_share = (has_han(key) or query.yes_no) and (
        lex.cue("share_words")(key) or ("占" in key and lex.cue("share_of")(key)))
    asks_sum = bool(pattern(lex.words("cues.followup.sum_of_earlier")).search(key))
    # (an English one's in the briefing's words, "annual return"; 总数 is the whole given, no thing named)
    named = [t for t in subject_terms(key, vocabulary) if t not in lex.words("cues.share_words.whole")]
    # 「那跨省的占一半以上吗」 after 跨省通办's count and the whole's: the count it names (before 占) of the
    # other (「够一半人口没有」 names a whole, no part)
    if (asks_share and named and "占" in key and all(key.find(w) < key.find("占") for w in named)
            and (pair := _named_part_and_whole(history, named, lex))):
        return _share_of_sides(query, pair, False, lex)
    if not (asks_share or asks_sum) or (named and not asks_sum) or not history:
        return None
    if asks_share and (pair := _share_just_given(history[-1])):
        # 「有没有过半」 after 「比例？」 answered 40项 of 76项: a check of that share, on those two figures
        return _share_of_sides(query, pair, False, lex)
    # 「三个加起来」: the last three; a check that repeated the figure it checked is no figure of its own
    # (a turn declined in between gave nothing to add: 「加起来多少」 after 「还要再出几个」 was declined)
    turns = [t for t in _without_repeats(history) if _answered(t)][-(_earlier_count(key, lex) if asks_sum else 2):]
    if len(turns) < 2 or any(_said(t, lex) is None for t in turns) or len(turns[-1].answer.figures) > 1:
        return None   # (after a comparison, a check is of that: see share_reading)
    figures = [t.answer.figures[0] for t in turns]
    if len({normalize(f.unit) for f in figures}) > 1 or any(f.value is None for f in figures):
        return None
    if any(not all(t in f"{_said(turn, lex)} {normalize(f.label)}" for t in named) for turn, f in zip(turns, figures)):
        return None   # a sum naming what it adds (「加起来一共多少个指南」) adds what each answer gave of it
    sides = turns if asks_sum else sorted(turns, key=lambda t: t.answer.figures[0].value)   # share: part, whole
    return _share_of_sides(query, [_side(t, lex) for t in sides], asks_sum, lex)


def _named_part_and_whole(history: list[Turn], named: list[str], lex: Lexicon) -> list | None:
    """The one earlier count whose question names ``named`` and the latest other count of its unit,
    larger (the whole), as anchored sides; None when not exactly one names them."""
    turns = [t for t in _without_repeats(history) if _said(t, lex) is not None and len(t.answer.figures) == 1]
    naming = [t for t in turns if all(w in _said(t, lex) for w in named)]
    if len(naming) != 1:
        return None
    part = naming[0]
    unit = normalize(part.answer.figures[0].unit)
    wholes = [t for t in turns if t is not part and normalize(t.answer.figures[0].unit) == unit]
    if not wholes or (part.answer.figures[0].value or 0) >= (wholes[-1].answer.figures[0].value or 0):
        return None
    return [_side(part, lex), _side(wholes[-1], lex)]


def _share_just_given(turn: Turn) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]] | None:
    """The part and whole of a share the last answer computed, each anchored to its figure, or None."""
    return _two_given(turn) if "占" in normalize(getattr(turn.answer, "question", "") or "") else None


def _two_given(turn: Turn) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]] | None:
    """The two figures the last answer gave (a comparison, a share), each anchored to its figure, or None."""
    answer = turn.answer
    figures = getattr(answer, "figures", ())
    if getattr(answer, "abstained", True) or len(figures) != 2:
        return None
    sides = []
    for f in figures:
        cited = next((c for c in answer.citations if f.text in c.quote), answer.citations[0])
        sides.append((normalize(f.label), (cited.hit.passage_id, f"{cited.hit.doc_id}@{f.start}"), ()))
    return sides


def _share_of_sides(query: Query, sides, asks_sum: bool, lex: Lexicon) -> Query:
    """A share (the first side of the second) or a sum, as a two-part query anchored to the sides' figures."""
    key = query.key
    counts = frozenset({"quantity", "count"})
    parts = tuple(_settled(replace(analyze(text, lex), anchor=anchor, asked=text, wants="figure", kinds=counts), counts)
                  for text, anchor, _ in sides)
    ask = key.rstrip('?？。.!！ ')
    if asks_sum:
        reading = f"{' + '.join(p.text for p in parts)}: {ask}"
    else:   # (the sides' subjects, not their questions: a later check re-reads this as 「A占B的比例」)
        reading = f"{subject_of(parts[0].text, lex)}占{subject_of(parts[1].text, lex)}的比例，{ask}"
    return replace(query, text=reading, key=normalize(reading), wants="figure", kinds=counts, parts=parts,
                   compare="sum" if asks_sum else "share", several=False,
                   reading=reading, asked=query.text, topic=parts[0].topic or subject_of(parts[0].text, lex))


def _things_named(said: str, vocabulary: Vocabulary) -> list[str]:
    """The names ``said`` gives, terms written next to each other (or with 的 between) as one name
    (社保 + 公共服务平台, 联合 + 招聘 + 春季 + 专场), without those that are a measure alone (访问量)."""
    runs: list[tuple[str, int, list[str]]] = []   # (name, where it ends, its terms)
    for t in subject_terms(said, vocabulary):
        at = said.find(t)
        if at < 0:
            continue
        if runs and said[runs[-1][1]:at] in ("", "的"):
            name, _, terms = runs[-1]
            runs[-1] = (said[said.find(name):at + len(t)], at + len(t), [*terms, t])
        else:
            runs.append((t, at + len(t), [t]))
    return [name for name, _, terms in runs if not (len(terms) == 1 and terms[0] in vocabulary.measures)]


def _measure_of(said: str, name: str, last: Turn, vocabulary: Vocabulary, lex: Lexicon) -> str | None:
    """A comparison side's question: the thing named with the measure asked (访问量), else with the
    measure the last answer's figure is of (…专场 names none: 招聘 is inside the name), asked for its
    figure.  None when no measure the briefing uses is found."""
    for own, text in ((True, said.replace(name, " ")), (False, normalize(last.answer.figures[0].label))):
        if whole := [m for m in measures_named(text, vocabulary, lex) if m in vocabulary.measures]:
            measure = whole[-1]   # (the head comes last)
            if not own:   # the other answer's words for it (发布岗位): only its head (岗位) is the measure
                measure = min((m for m in vocabulary.measures if measure.endswith(m)), key=len)
            return normalize(figure_question(name if name.endswith(measure) else f"{name}{measure}", lex))
    return None


def _comparable_with_last(answered: list[Turn], n: int, lex: Lexicon) -> list[Turn]:
    """The last ``n`` answers of figures the last answer's can be compared with (in the order given),
    each figure once; the last ``n`` answers when fewer than ``n`` are."""
    last = answered[-1].answer.figures[0]
    chosen = [answered[-1]]
    for turn in reversed(answered[:-1]):
        figure = turn.answer.figures[0]
        if comparable(last, figure, lex) and not any(_same_figure(turn, c) for c in chosen):
            chosen.insert(0, turn)
        if len(chosen) == n:
            return chosen
    return answered[-n:]


def _former_first(key: str, lex: Lexicon) -> bool:
    """Whether the question names the earlier answer first (「前者是后者的几倍」), else the later first."""
    first = [key.find(w) for w in lex.words("cues.earlier_order.first") if w in key]
    later = [key.find(w) for w in lex.words("cues.earlier_order.later") if w in key]
    return bool(first) and (not later or min(first) < min(later))


def _earlier_count(key: str, lex: Lexicon) -> int:
    """How many earlier answers a comparison ranges over: as many as it says (「三个里」), else two."""
    m = lex.cue("earlier_count").search(key)
    if m is None:
        return 2
    n = m.group("en") and lex.words("units.english_numbers")[m.group("en")] or parse_number(m.group("n"))
    return int(n) if n else 2


def _pointed_sides(parts: tuple[Query, ...], answered: list[Turn], lex: Lexicon, vocabulary: Vocabulary):
    """「它的访问量比刚才那个平台高吗」: one side points back at the last answer's thing (它) with a measure,
    the other names an earlier answer's thing; each side is its thing with that measure (the earlier
    answer's figure where it gave that measure), in the question's order.  None for other comparisons.

    A side pointing back with the measure of an answer given (「这个岗位数」, 「刚刚那个」 beside
    「春风行动的职缺」) is that answer: the latest whose figure is of that measure."""
    def things(text: str) -> list[str]:
        said = without_periods(pronouns(lex).sub("", text), lex)
        return [t for t in subject_terms(said, vocabulary) if not is_measure(t, vocabulary)]

    # (the side pointing back names no thing of its own; 「刚才那个平台」 names one, 那个 or not)
    back = lex.cue("back_reference")
    marks = [bool(back.search(p.key)) and not things(p.key) for p in parts]
    if len(parts) != 2 or marks.count(True) != 1:
        return None
    this, other = parts if marks[0] else parts[::-1]
    if not ((m := back.search(this.key.strip())) and m.start() == 0):
        return None   # the side opens with what it points at (它的访问量), else it is not this shape
    named, last = things(other.key), things(_said(answered[-1], lex, counts_only=False))
    measures = _measures(this.key, vocabulary, lex)
    new = [t for t in named if t not in last]
    measure = next(iter(measures or _measures(other.key, vocabulary, lex)), None)
    # (「它的访问量」 is the thing's measure: only the last answer, if it gave that measure)
    possessive = without_possessive(this.key, lex) != this.key
    pointed = next((t for t in reversed(answered[-1:] if possessive else answered)
                    if measure is not None and _of_measure(t, measure, vocabulary, lex)), None)
    if new and pointed is not None:
        # (the other side is what it names, with that measure; one ending in a measure of its own,
        # 「3月底累计结余」, asks it)
        terms = subject_terms(other.key, vocabulary)
        own = bool(terms) and is_measure(terms[-1], vocabulary)
        asked = other.key.strip() if own else f"{other.key.strip()}{measure}"
        sides = [_side(pointed, lex), (figure_question(asked, lex), (), (new[0],))]
        return sides if marks[0] else sides[::-1]
    if not (measures and named and last) or set(named) & set(last) or not pronouns(lex).match(this.key.strip()):
        return None
    measure = measures[0]
    earlier = next((t for t in reversed(answered[:-1]) if all(w in _said(t, lex, counts_only=False) for w in (*named, measure))), None)
    holder = next((t for t in last if vocabulary.pins([t])), last[0])   # (政务服务平台, not 全国 before it)
    mine = (f"{holder}{measure}", (), (holder,))
    theirs = _side(earlier, lex) if earlier is not None else (f"{named[0]}{measure}", (), (named[0],))
    return [mine, theirs] if marks[0] else [theirs, mine]


def _measured_alike(answered: list[Turn], n: int, measure: str) -> list | None:
    """For the sentences the last ``n`` distinct answers came from (latest last), the figure of each
    whose label names ``measure``, as anchored sides; None when fewer sentences or one lacks it."""
    seen: dict[tuple[str, int], tuple] = {}
    for turn in reversed(answered):
        hit, given = turn.answer.citations[0].hit, turn.answer.figures[0]
        sentence = next((x for x in hit.sentences if x.start <= given.start < x.end), None)
        if sentence is not None and len(seen) < n:
            seen.setdefault((hit.passage_id, sentence.start), (hit, sentence))
    if len(seen) < n:
        return None
    sides = []
    for hit, sentence in reversed(seen.values()):
        figure = next((f for f in hit.figures
                       if sentence.start <= f.start < sentence.end and measure in normalize(f.label)), None)
        if figure is None:
            return None
        head = re.split(r"[,，]", _sentence_head(hit, sentence))[0]   # (whose it is, to the first comma)
        sides.append((f"{head}{normalize(figure.label)}", (hit.passage_id, f"{hit.doc_id}@{figure.start}"), ()))
    return sides


def _measures(text: str, vocabulary: Vocabulary, lex: Lexicon) -> list[str]:
    """The measures a text names, in the briefing's words (职缺 is 岗位)."""
    official = [t for g in glossary_terms(text) for t in g.official if is_measure(t, vocabulary)]
    return list(dict.fromkeys(measures_named(text, vocabulary, lex) + [t for t in official if t not in text]))


def _of_measure(turn: Turn, measure: str, vocabulary: Vocabulary, lex: Lexicon) -> bool:
    """Whether the figure a turn gave is of ``measure`` (提供岗位 is of 岗位)."""
    given = measures_named(normalize(turn.answer.figures[0].label), vocabulary, lex)
    return any(measure in g or g in measure for g in given)


def _named_and_alike(answered: list[Turn], terms: list[str], lex: Lexicon) -> tuple[Turn, Turn] | None:
    """The latest answer of the unit of an earlier answer the question names, and that one; None
    when the question names none before the last, or no other answer is of its unit."""
    if not terms:
        return None
    named = next((t for t in reversed(answered) if all(w in _said(t, lex, counts_only=False) for w in terms)), None)
    if named is None or named is answered[-1]:
        return None
    unit = normalize(named.answer.figures[0].unit)
    alike = [t for t in answered if t is not named and normalize(t.answer.figures[0].unit) == unit]
    return (alike[-1], named) if alike else None


def average_of_earlier(query: Query, history: list[Turn], lex: Lexicon) -> Query | None:
    """「平均每家解决了多少人次」 "how many jobs per event": the latest answer counted in other units
    divided by the latest counted per the unit named (家, 场).  A side no answer gave is asked in the
    passage of the one that was (「一季度帮重点企业解决了多少用工需求」: its 3.4万家 beside the 52万人次);
    None when the question asks no average per unit or no answer gave either side."""
    per = per_unit(query.key, lex)
    if "average" not in query.asks or per is None:
        return None
    turns = [t for t in _without_repeats(history) if _answered(t)]
    counted = [t for t in turns if t.answer.figures[0].kind in ("quantity", "count")]
    count = next((t for t in reversed(counted) if normalize(t.answer.figures[0].unit) == per), None)
    # the total is in a unit the question names (「多少人次」; 「多少人」 asks people, not the 52万人次
    # person-times), of the count's passage: an average is of one thing
    named = {u for u in (query.units or query.topical_units) if u and u != per and _names_unit(query, u)}
    whole = next((t for t in reversed(counted) if normalize(t.answer.figures[0].unit) in named and (
        count is None or _passage(t) == _passage(count))), None)
    if (whole is None and count is None) or not named:
        return None
    asked_units = frozenset(named)
    given = whole or count
    passage = (_passage(given),)
    subject = subject_of(_said(given, lex, counts_only=False), lex)
    counts = frozenset({"quantity", "count"})
    asked = replace(analyze(figure_question(subject, lex), lex), anchor=passage, wants="figure", kinds=counts)
    numerator = _given_side(whole, counts, lex) if whole else replace(asked, units=asked_units)
    denominator = _given_side(count, counts, lex) if count else replace(asked, units=frozenset({per}))
    reading = f"{numerator.text} ÷ {denominator.text}：{query.key.rstrip('?？。.!！ ')}"
    return replace(query, text=reading, key=normalize(reading), wants="figure", kinds=counts,
                   parts=(numerator, denominator), compare="per", several=False, asks=frozenset(), units=None,
                   reading=reading, asked=query.text, topic=subject)


def _given_side(turn: Turn, kinds: frozenset[str], lex: Lexicon) -> Query:
    """A side an earlier answer gave, settled on its figure."""
    text, anchor, _ = _side(turn, lex)
    return _settled(replace(analyze(text, lex), anchor=anchor), kinds)


def _names_unit(query: Query, unit: str) -> bool:
    """Whether the question names ``unit`` in its words (an English one: by the words pointing to it)."""
    return unit in query.key or (query.key.isascii() and unit in query.topical_units)


def _passage(turn: Turn) -> str:
    return turn.answer.citations[0].hit.passage_id


def per_unit(key: str, lex: Lexicon) -> str | None:
    """The unit an average is asked per: 家 of 「平均每家」, 场 of "per event"; None when none is named."""
    table = lex.words("units.per_units")
    leads = "|".join(map(re.escape, sorted(table["lead"], key=len, reverse=True)))
    if m := re.search(f"(?:{leads})([{''.join(table['zh'])}])", key):
        return m.group(1)
    words = sorted(table["en"], key=len, reverse=True)
    if m := re.search(r"\bper (" + "|".join(map(re.escape, words)) + r")\b", key.lower()):
        return table["en"][m.group(1)]
    return None


def _settled(side: Query, kinds: frozenset[str]) -> Query:
    """A side an earlier answer gave (anchored to its figure) asks that figure, however its words read."""
    # (its words may ask two things, 「有人帮着出钱吗？帮了多少人？」: the figure it gave is the one)
    return replace(side, wants="figure", kinds=kinds, settled=True, parts=(), several=False, compare=None) if side.anchor else side


def _without_repeats(history: list[Turn]) -> list[Turn]:
    """The turns, each answer repeating the figure of the answer just before it (a check) dropped."""
    kept: list[Turn] = []
    for turn in history:
        if not (kept and _answered(kept[-1]) and _answered(turn) and _same_figure(kept[-1], turn)):
            kept.append(turn)
    return kept


def _answered(turn: Turn) -> bool:
    return turn.answer is not None and not getattr(turn.answer, "abstained", True) and bool(getattr(turn.answer, "figures", ()))


def _same_figure(one: Turn, other: Turn) -> bool:
    """Whether two answered turns gave the same first figure (a check repeats the figure it checks)."""
    first, second = one.answer.figures[0], other.answer.figures[0]
    return (first.text, first.start) == (second.text, second.start)


def _side(turn: Turn, lex: Lexicon, terms: list[str] = ()) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A comparison side an earlier answer gave: what it asked, anchored to its passage and figure;
    of several figures given, the one ``terms`` name (失业 of three funds' counts)."""
    answer = turn.answer
    hit = answer.citations[0].hit
    if (part := part_named(terms, answer.figures)) is not None:
        return (figure_question(normalize(part.label), lex), (hit.passage_id, f"{hit.doc_id}@{part.start}"), ())
    return (_said(turn, lex, counts_only=False), (hit.passage_id, f"{hit.doc_id}@{answer.figures[0].start}"), ())


def sibling_named(fragment: str, turn: Turn, lex: Lexicon) -> Query | None:
    """「地方特色的呢」「注册用户呢」 "How about the registered users?" after one figure of a sentence that
    gives several (118项 of 118项全国性服务、389项…特色服务、…注册用户…): the other figure of that
    sentence whose label holds the fragment's new words (those the figure just given lacks), asked as
    that figure; None when no sibling, or more than one, holds them best."""
    if not _answered(turn) or getattr(turn.answer, "kind", "") != "figure":
        return None
    answer = turn.answer
    hit, given = answer.citations[0].hit, answer.figures[0]
    said = fragment if has_han(fragment) else "".join(t for g in glossary_terms(fragment) for t in g.official)
    sentence = next((s for s in hit.sentences if s.start <= given.start < s.end), None)
    if sentence is None:
        return None
    # The sentence's head, before its first figure, names whose figures they are (全国…服务平台开通):
    # words of it name the holder — 「人社政务服务平台的呢」 after another platform's visits swaps the
    # holder, no sibling measure.
    head = _sentence_head(hit, sentence)
    new = {c for c in normalize(said) if has_han(c)} - set(normalize(given.label)) - set(head)
    if len(new) < 2:
        return None
    scored = sorted(((len(new & set(normalize(f.label))), f) for f in hit.figures if f.start != given.start
                     and sentence.start <= f.start < sentence.end and f.kind not in ("date", "period", "ordinal")),
                    key=lambda x: -x[0])
    if not scored or scored[0][0] < 2 or scored[0][0] * 2 < len(new) or (
            len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    sibling = scored[0][1]
    # (「累计访问量」 alone is three platforms' measure: with the head, whose)
    label = normalize(sibling.label)
    topic = label if label.startswith(head[:4]) else f"{head} {label}".strip()
    text = figure_question(topic, lex)
    kinds = frozenset({"quantity", "count", "percent"})
    return _settled(replace(analyze(text, lex), anchor=(hit.passage_id, f"{hit.doc_id}@{sibling.start}"),
                            reading=text, topic=topic), kinds)


def _sentence_head(hit, sentence) -> str:
    """A sentence's words before its first figure (normalized): whose its figures are (全国…服务平台开通)."""
    first = min(f.start for f in hit.figures if sentence.start <= f.start < sentence.end)
    return normalize(sentence.text[:first - sentence.start])


def part_named(terms: list[str], figures) -> Figure | None:
    """The one figure of several given whose label holds a term named (工伤 of three funds' counts), or None."""
    hits = [f for f in figures if any(t in normalize(f.label) for t in terms)]
    return hits[0] if len(figures) > 1 and len(hits) == 1 else None


def _said(turn: Turn, lex: Lexicon, counts_only: bool = True) -> str | None:
    """What a turn asked, as read, when its answer gave a count (any figure: ``counts_only=False``), else None.
    A check (「不到3亿吧」) asked no figure in words: its subject, asked for its figure."""
    if not _answered(turn):
        return None
    answer = turn.answer
    if counts_only and not any(f.kind in ("count", "quantity") for f in answer.figures):
        return None
    asked = normalize(getattr(answer, "question", "") or turn.question)
    topic = normalize(getattr(answer, "topic", "") or "")
    if topic and topic != asked and (_is_check(turn.question, lex) or _is_check(asked, lex)):
        return normalize(figure_question(topic, lex))
    return asked


@lru_cache(maxsize=512)
def _is_check(question: str, lex: Lexicon) -> bool:
    # (every earlier turn is read again by each follow-up's readings: analysed once per question)
    return analyze(question, lex).yes_no
