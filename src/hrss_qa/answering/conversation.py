"""Follow-ups: a question that leans on the conversation, completed from the previous turn.

A follow-up is read against the previous turn's question as it was understood (and the figure
its answer gave).  Three ways, tried in order:

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
from dataclasses import dataclass, field, replace

from ..glossary import ENGLISH, glossary_terms, official_terms
from ..language import Lexicon, lexicon, pattern
from ..lexical import words
from ..text import has_han, normalize
from .analyze import analyze, compare_kind, periods_in
from .decompose import split_share
from .records import Query, Turn

_MAX_FRAGMENT = 12          # characters: longer questions carry their own subject
_MAX_FRAGMENT_WORDS = 9     # the same for English
_EN_PRONOUN = re.compile(r"\b(that|it|this|those|these|they|them)\b")
_ZH_PRONOUN = re.compile(r"那个|这个|这些|那些|它|其")
_EN_ASKS = re.compile(r"(how|what|which|when|who|where|is|are|was|were|did|does|do|has|have)\b")


@dataclass(frozen=True)
class Vocabulary:
    """The words a follow-up can name: official terms and the words of the corpus's figure labels;
    which of them the briefing measures side by side (in one passage); and which are measures
    (the last word of a label: 人数, 岗位, 总支出, 访问量) rather than what is measured."""

    terms: frozenset[str] = frozenset()
    siblings: dict = field(default_factory=dict)   # term -> terms of figures in the same passages
    measures: frozenset[str] = frozenset()
    passages: tuple[str, ...] = ()                 # normalized passage texts

    def pins(self, terms: list[str]) -> bool:
        """Whether these terms name one passage (电子社保卡, 减负) rather than something several
        passages measure (访问量, 持续): then they carry their own subject."""
        if not terms or not self.passages:
            return bool(terms)
        # A named thing is spoken of in its progress item and perhaps its plan: two passages at most.
        places = [{i for i, text in enumerate(self.passages) if t in text} for t in terms]
        return any(0 < len(p) <= 2 for p in places) or 0 < len(set.intersection(*places)) <= 2

    @classmethod
    def of(cls, passage_labels: list[list[tuple[list[str], bool]]], passages: list[str] = ()) -> "Vocabulary":
        """From the label words of each figure, grouped by passage, each with whether the figure
        measures an amount (an ordinal's label names an event, 第二屆…大賽; see pipeline._vocabulary)."""
        terms = set(official_terms(2))
        siblings: dict[str, set[str]] = {}
        measures: set[str] = set()
        for labelled in passage_labels:
            words = [w for label, _ in labelled for w in label]
            terms.update(words)
            measures.update(label[-1] for label, amount in labelled if label and amount)
            for w in words:
                siblings.setdefault(w, set()).update(x for x in words if x != w)
        return cls(frozenset(t for t in terms if len(t) >= 2), {k: frozenset(v) for k, v in siblings.items()},
                   frozenset(m for m in measures if len(m) >= 2), tuple(passages))


def resolve(query: Query, history: list[Turn], lex: Lexicon | None = None,
            vocabulary: Vocabulary | None = None, lean: bool = False) -> Query:
    """``query`` completed from the last turn of ``history`` when it leans on it; else itself.

    ``lean``: a short question is read with the previous subject even though it names one of its
    own (「覆盖了多少人口」 after 「社保卡持卡人数」: 人口 is also a subject elsewhere); the caller tries
    this reading when the question alone finds no answer.
    """
    lex = lex or lexicon()
    vocabulary = vocabulary or Vocabulary.of([])
    if not history:
        return query
    last = history[-1]
    previous = last.answer.question if last.answer is not None and last.answer.question else last.question
    previous = normalize(previous)
    # What the previous turn was about, without its own ask (not the whole chain of asks before it).
    topic = normalize(getattr(last.answer, "topic", "") or "") or subject_of(previous, lex)
    fragment, marked = _fragment(query.key, lex)
    if (compared := _compared_with_earlier(query, history, lex, vocabulary)) is not None:
        return compared
    if (share := _share_reading(query.key, history, lex, vocabulary)) is not None:
        text, computed = share
        read = analyze(text, lex)
        if not computed:   # 「占多少人口」: no whole the briefing counts, so only a share as written answers
            read = replace(read, wants="figure", kinds=frozenset({"percent"}), units=frozenset({"%"}))
        return replace(read, asked=query.text, reading=text, topic=subject_of(text, lex))
    pronoun = bool(_EN_PRONOUN.search(fragment) or _ZH_PRONOUN.search(fragment))
    if lean and not _is_short(fragment):
        return query
    if not (marked or pronoun or lean or (_is_short(fragment) and _lacks_subject(fragment, vocabulary, lex))):
        return query   # a long question with no pronoun carries its own subject, known words or not
    text = None
    concatenated = False   # the reading is the fragment followed by earlier words, not one question
    if marked and _is_phrase(fragment, vocabulary):
        # 「“点对点”运送的农民工呢」 names its subject and what is measured: it borrows only the ask.
        text = _with_ask(fragment, previous) or _swap(fragment, previous, vocabulary)
    elif (marked or not pronoun) and not lean:
        # 「支出呢」「结余多少」: a measure of the previous subject takes the previous measure's place.
        text = _swap(fragment, previous, vocabulary, keep_ask=not marked)
        concatenated = not marked
    attached = False
    if text is None:
        if not pronoun and not lean and _names_a_subject(fragment, vocabulary):
            return query   # 「那基本养老的收益率呢」 names its own subject: it stands alone
        # 「那6月底呢」 "and by the end of June?": the new period replaces the previous one
        carried = _without_periods(topic, lex) if _own_periods(fragment, lex) else topic
        # (the fragment's question mark dropped: the reading is one question, not two sentences)
        own_words = fragment if marked else query.key.rstrip("?？。.!！ ")
        text, attached = f"{own_words} {carried}".strip(), True
    if text == query.key:
        return query
    read = analyze(text, lex)
    own = analyze(fragment, lex)
    if attached or concatenated:
        # 「比去年同期多了多少」 + the previous subject is one question, not two asks joined by a space;
        # 「收入比支出多多少」 names two sides of its own, each of the previous subject.
        sides = [p for p in own.parts if _subject_terms(p.text, vocabulary)]
        if len(sides) >= 2 and len(sides) == len(own.parts):
            subject = topic if attached else subject_of(previous, lex)
            read = replace(read, parts=tuple(replace(p, context=f"{p.context} {subject}".strip()) for p in own.parts),
                           compare=own.compare, several=own.several)
        else:
            read = replace(read, parts=(), compare=None, several=False)
    if attached:
        # What the previous question asked (新增 in 「新增就业多少」) was its answer's business; the
        # carried subject asks nothing of 「失业率呢」「下一步呢」.
        read = replace(read, asks=own.asks)
    if own.wants != "fact" or own.tense == "plan" or own.yes_no or own.detail is not None:
        # 「下一步呢」 asks about plans, 「截至啥时候」 a date, 「过3000万了吗」 checks a number —
        # whatever the subject's own words (参加人数) would ask.
        read = replace(read, wants=own.wants, kinds=own.kinds, yes_no=own.yes_no, thresholds=own.thresholds,
                       # a date asked of "the unemployment rate" is no rate
                       units=own.units if own.units is not None or own.wants == "date" else read.units,
                       tense=own.tense or read.tense,
                       detail=own.detail,
                       # attached to the previous subject, only the fragment's own words point to a unit
                       topical_units=own.topical_units if attached else own.topical_units or read.topical_units)
    elif attached and read.wants == "fact" and (asked := _previous_ask(last, previous, lex)) is not None:
        # "And by the end of June?" asks what the previous question asked (how many), of another period
        read = replace(read, wants=asked[0], kinds=asked[1])
    if text is not None and marked and not attached:
        # What the fragment swapped in (电子社保卡, 岗位) is what the answer must be about.
        read = replace(read, swapped_in=tuple(_subject_terms(fragment, vocabulary)))
        if own.units is None and _names_no_measure(fragment, vocabulary) and getattr(last.answer, "figures", ()):
            # 「电子社保卡的呢」 after a share, "And the other platform?" after a visit count: another subject,
            # the same measure, so a figure of the previous answer's unit is preferred.
            own_words = set(words(fragment)) | set(read.swapped_in)
            read = replace(read, topical_units=_units_of(last.answer.figures, lex),
                           borrowed=frozenset(w for w in words(text) if w not in own_words))
    if attached and own.units is None and own.topical_units and (marked or len(fragment) <= 4):
        # 「比例呢」「金额？」 with the previous subject: the measure word is the whole ask, so only a figure of
        # its unit answers (not the previous answer's head count).
        read = replace(read, units=own.topical_units)
    # A subject carried over from the previous answer: its figure's passage is where this one should be.
    # (No figure in the previous answer: nothing to anchor to, so no verdict on this one.)
    answered = getattr(last.answer, "figures", ()) and not getattr(last.answer, "abstained", True)
    anchor = ((tuple(c.hit.passage_id for c in last.answer.citations[:1]) if answered else ("",))
              if attached else ())
    bare = not (_terms_in(fragment, vocabulary) if has_han(fragment) else glossary_terms(fragment))
    if attached and answered and bare:   # 「这个超过3千万了吗」: "this" is the previous answer's figure
        anchor += tuple(f"{last.answer.citations[0].hit.doc_id}@{f.start}" for f in last.answer.figures[:1])
        if pattern(lex.words("cues.followup.sum_of_earlier")).search(fragment):
            read = replace(read, yes_no=False, thresholds=())   # a sum of earlier figures: no verdict on one
    # 「岗位呢」「访问量呢」"And how many hires?" ask something other than what was just answered; a check
    # (「破32亿了没」) or a comparison may rest on the figure just given.
    given = () if read.yes_no or read.compare or not answered else tuple(
        f"{last.answer.citations[0].hit.doc_id}@{f.start}" for f in last.answer.figures)
    return replace(read, asked=query.text, reading=text, anchor=anchor, given=given,
                   topic=topic if attached else subject_of(text, lex))


def _fragment(key: str, lex: Lexicon) -> tuple[str, bool]:
    """The question without follow-up markers (那…呢, and…?), and whether it had them."""
    frag = _without_lead(key.strip(), lex)
    tails = sorted(lex.words("cues.followup.tail"), key=len, reverse=True)
    frag = re.sub("(" + "|".join(map(re.escape, tails)) + r")?\s*[?？。.!！]*$", "", frag).strip()
    marked = frag != key.strip().rstrip("?？。.!！ ") and _is_short(frag) and bool(frag)
    return frag, marked


def _is_short(fragment: str) -> bool:
    """Short enough to lean on the conversation (longer questions carry their own subject)."""
    return len(fragment.split()) <= _MAX_FRAGMENT_WORDS if fragment.isascii() else 0 < len(fragment) <= _MAX_FRAGMENT


def _without_lead(text: str, lex: Lexicon) -> str:
    """``text`` without a leading follow-up marker (那, 那么, and what about…)."""
    if m := pattern(lex.words("cues.followup.lead")).match(text):
        return text[m.end():].lstrip(" ,，")
    return text


def _is_phrase(fragment: str, vocabulary: Vocabulary) -> bool:
    """A phrase naming a thing in several words (运送的农民工), not one term (工伤, 支出, 电子社保卡)
    nor an ask without a subject (到300万人次了吗)."""
    if not has_han(fragment):
        return False
    terms = _terms_in(fragment, vocabulary)
    if not any(not _is_measure(t, vocabulary) for t in terms):
        return False
    rest = fragment
    for t in terms:
        rest = rest.replace(t, "")
    return len(terms) >= 2 or len(re.sub(r"[的之那个这呢“”\"'\s]", "", rest)) >= 2


_ASK = re.compile(r"(有|是|为)?(多少|几|第几|什么时候|何时)(人次|个|项|家|场|张|名|位|件|届|批|人)?")


def _with_ask(fragment: str, previous: str) -> str | None:
    """The fragment with the previous question's ask (「…有多少」「…是第几届」), or None if it had none."""
    if m := _ASK.search(previous):
        # The unit asked of the old subject (多少张 of 培训券) need not be the new one's; an
        # ordinal's 第几届 is the kind of ask and stays.
        ask = m.group(0) if m.group(2).startswith("第") else (m.group(1) or "") + m.group(2)
        return f"{fragment}{ask}"
    return None


def _names_a_subject(fragment: str, vocabulary: Vocabulary) -> bool:
    """Terms that pin down what is asked about: a thing one passage speaks of (not only a measure
    such as 访问量 or "visits", which several passages give)."""
    if not has_han(fragment):
        named = [t for g in glossary_terms(fragment) for t in g.official]
    else:
        named = _terms_in(fragment, vocabulary)
    terms = [t for t in named if not _is_measure(t, vocabulary)]
    return vocabulary.pins(terms)


def _lacks_subject(fragment: str, vocabulary: Vocabulary, lex: Lexicon) -> bool:
    """No term of its own for what is measured, or only a pronoun for one: 「过3000万了吗」
    "Is that above 5%?" "did visits hit 3.2 billion?"."""
    own = _EN_PRONOUN.sub("", _ZH_PRONOUN.sub("", fragment))
    return not _names_a_subject(own, vocabulary)


def _swap(fragment: str, previous: str, vocabulary: Vocabulary, keep_ask: bool = False) -> str | None:
    """The previous question with the term the fragment stands for replaced by the fragment.

    ``keep_ask``: the fragment asks on its own (「结余多少」, not 「结余呢」): only a measure is swapped
    in, and the fragment's own ask is put in front.
    """
    if keep_ask:
        measures = [t for t in _terms_in(fragment, vocabulary) if _is_measure(t, vocabulary)]
        old = [t for t in _terms_in(previous, vocabulary) if _is_measure(t, vocabulary)]
        if not measures or not old or measures[0] in previous:
            return None
        return f"{fragment} " + _replace(previous, old[-1], measures[0])
    own = _terms_in(fragment, vocabulary)
    new = own + [t for t in vocabulary.terms if fragment in t and t != fragment][:3]   # 工伤 for 工伤保险
    old = _terms_in(previous, vocabulary)
    if own and all(_is_measure(t, vocabulary) for t in own) and (counted := _counted_term(previous, old)):
        # 「岗位呢」 after 「…就业援助月办了多少场招聘活动」: what was counted (招聘活动) gives way, not a
        # measure word inside a name (就业援助月).
        return _replace(previous, counted, fragment)
    best: tuple[float, int, str, str] | None = None
    for n in new:
        for o in old:
            score = _kinship(n, o, vocabulary) if n != o else 0.0
            if score > 0 and (best is None or (score, len(o)) > best[:2]):
                best = (score, len(o), n, o)
    if best is not None:
        _, _, n, o = best
        if not _is_measure(o, vocabulary) and len(o) < len(n) - 1:
            # Only the head of a longer name matched (大赛 of 博士后创新创业大赛): take the whole name.
            o = _phrase(previous, o, [t for t in old if not _is_measure(t, vocabulary)])
        return _replace(previous, o, fragment if n in fragment else n)
    if not has_han(fragment):
        return _swap_english(fragment, previous, vocabulary)
    if not new:
        return None   # 「下一步呢」: no term to swap; the question is read with the previous subject
    if any(_is_measure(t, vocabulary) for t in new):
        measures = [t for t in old if _is_measure(t, vocabulary)] or old[-1:]
        # A measure takes the place of the previous measure, or of what the previous question
        # asked last (访问量 for 注册用户).
        return _replace(previous, measures[-1], fragment) if measures else None
    subjects = [t for t in old if not _is_measure(t, vocabulary)]
    if not subjects:
        return None
    # A named thing takes the place of the previous named thing, the whole phrase of it
    # (博士后创新创业大赛 for 高技能人才表彰大会).
    return _replace(previous, _phrase(previous, max(subjects, key=len), subjects), fragment)


def _subject_terms(fragment: str, vocabulary: Vocabulary) -> list[str]:
    """The vocabulary terms a fragment names (official terms of its English phrases)."""
    if has_han(fragment):
        return _terms_in(fragment, vocabulary)
    return [t for g in glossary_terms(fragment) for t in g.official]


def _names_no_measure(fragment: str, vocabulary: Vocabulary) -> bool:
    """Only a subject (电子社保卡, "the other platform"), no measure of its own (支出, 访问量)."""
    terms = _subject_terms(fragment, vocabulary)
    return bool(terms) and not any(_is_measure(t, vocabulary) for t in terms)


def _units_of(figures, lex: Lexicon) -> frozenset[str]:
    """The units of these figures, with the units the same measure is also counted in."""
    units = {"%" if f.kind == "percent" else normalize(f.unit) for f in figures[:1]}
    for group in lex.words("units.alike.groups"):
        if units & set(group):
            units |= set(group)
    return frozenset(units)


def _counted_term(question: str, terms: list[str]) -> str | None:
    """The term a question counts: right after its 多少/几 and classifier (「多少场招聘活动」)."""
    for m in re.finditer(r"(多少|几)(个|项|家|场|张|名|位|件|批|届|次)?", question):
        rest = question[m.end():]
        if found := [t for t in terms if rest.startswith(t)]:
            return max(found, key=len)
    return None


def _is_measure(term: str, vocabulary: Vocabulary) -> bool:
    return term in vocabulary.measures or any(term in m and len(term) >= 2 for m in vocabulary.measures)


def _phrase(text: str, term: str, subjects: list[str]) -> str:
    """``term`` with the subject terms written right next to it (高技能人才 + 表彰大会)."""
    start = text.find(term)
    end = start + len(term)
    grown = True
    while grown:
        grown = False
        for t in (t for t in subjects if len(t) >= 3):   # 参保 in 养老保险参保人数 is not part of the name
            if text.startswith(t, end):
                end, grown = end + len(t), True
            elif start >= len(t) and text.startswith(t, start - len(t)):
                start, grown = start - len(t), True
    return text[start:end]


def _replace(previous: str, old: str, new: str) -> str:
    """``old`` replaced by ``new``; a classifier bound to a replaced measure (多少场…) goes with it."""
    at = previous.find(old)
    head = re.sub(r"(多少|几)(个|项|家|场|张|名|位|件|批|届|次)$", r"\1", previous[:at])
    # The unit asked of the old term (多少张 of 培训券) need not be the new one's.
    tail = re.sub(r"(多少|几)(人次|个|项|家|场|张|名|位|件|人(?!口))", r"\1", previous[at + len(old):])
    return head + new + tail


def _terms_in(text: str, vocabulary: Vocabulary) -> list[str]:
    """Vocabulary terms in ``text``, longest first, none inside a longer one found; a partial
    term (工伤 for 工伤保险) counts as the term."""
    found = sorted((t for t in vocabulary.terms if t in text), key=len, reverse=True)
    kept = [t for i, t in enumerate(found) if not any(t in o for o in found[:i])]
    if not kept and has_han(text) and len(text) >= 2:
        kept = sorted((t for t in vocabulary.terms if text in t), key=len)[:1]
    return sorted(kept, key=lambda t: text.find(t))   # in the order the text says them


def _kinship(new: str, old: str, vocabulary: Vocabulary) -> float:
    """How surely ``new`` takes ``old``'s place: shared characters (失业保险/养老保险), or terms
    the briefing measures side by side (收入/支出, 失业保险/工伤保险)."""
    # Named things of a kind end alike (失业保险/养老保险, 电子社保卡/社保卡), not 大赛/大会.
    shared = len(set(new) & set(old)) / max(len(set(new) | set(old)), 1) if new[-1] == old[-1] else 0.0
    # Two measures of one passage (收入/支出) stand for each other; two named things need shared words.
    both_measures = new in vocabulary.measures and old in vocabulary.measures
    side_by_side = 0.5 if both_measures and (old in vocabulary.siblings.get(new, ())) else 0.0
    return shared + side_by_side if shared >= 0.25 or side_by_side else 0.0


def _share_reading(key: str, history: list[Turn], lex: Lexicon, vocabulary: Vocabulary) -> tuple[str, bool] | None:
    """A share asked of the conversation's counts, as one question (「A占B的比例，…」), and whether it
    is computed from two counts (else it is the last subject's share as written), or None.

    After a count: 「占持卡人数的多少」 (the whole named: the count is the part); 「其中跨省通办的占多少」
    (the part named: the count is the whole); after two counts, 「是不是不到一半」 (the later is a part
    of the earlier); after a share, a check of it (「有没有到一半」); 「占多少人口」 names no whole the
    briefing counts: the last subject's share as written.
    """
    asks_share = lex.cue("share_words")(key) or ("占" in key and lex.cue("share_of")(key))
    if not has_han(key) or split_share(key, lex) or not asks_share:
        return None
    said = [_said(t) for t in history]
    if not said or said[-1] is None:
        return None
    ask = re.sub(r"^其中", "", _without_lead(key, lex))   # 其中: "of those", the part's own lead
    if sides := split_share(said[-1], lex):
        text = f"{sides[0]}占{sides[1]}的比例，{key}"
    elif ask.startswith("占") and (len(said) < 2 or said[-2] is None or _terms_in(ask, vocabulary)):
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


def _compared_with_earlier(query: Query, history: list[Turn], lex: Lexicon, vocabulary: Vocabulary) -> Query | None:
    """A comparison whose sides the conversation gave, as a two-part query, or None.

    「是不是比失业保险的多」 after 工伤保险's count: the last answer against 失业保险 asked the same way;
    「比刚才那个少多少」 "Which one has more?": the last two answers.  A side an earlier answer gave is
    anchored to that figure.  A question naming both sides itself (「收入比支出多多少」) is not one.
    """
    compare = compare_kind(query.key, lex)
    if compare is None or not _is_short(_fragment(query.key, lex)[0]) or "yoy" in query.asks:
        return None   # 「比去年同期多了还是少了」 compares with a period, not with an earlier answer
    if sum(bool(_subject_terms(p.text, vocabulary)) for p in query.parts) >= 2:
        return None   # 「收入比支出多多少」 names both sides
    answered = [t for t in history if _said(t, counts_only=False) is not None]
    if not answered or answered[-1] is not history[-1]:
        return None
    last = _side(answered[-1])
    named = [t for t in _subject_terms(_EN_PRONOUN.sub("", _ZH_PRONOUN.sub("", query.key)), vocabulary)
             if not _is_measure(t, vocabulary)]
    if named:
        other = _swap(named[0], last[0], vocabulary) or named[0]
        sides = [last, (other, (), (named[0],))]
    elif len(answered) >= 2:
        sides = [last, _side(answered[-2])]
    else:
        return None
    parts = tuple(replace(analyze(text, lex), anchor=anchor, swapped_in=swapped, asked=text)
                  for text, anchor, swapped in sides)
    kinds = frozenset({"quantity", "count", "percent"})
    reading = f"{query.key.rstrip('?？。.!！ ')}：{'；'.join(p.text for p in parts)}"
    return replace(query, text=reading, wants="figure", kinds=kinds, parts=parts, compare=compare, several=False,
                   thresholds=(), reading=reading, asked=query.text, topic=parts[0].topic or subject_of(parts[0].text, lex))


def _side(turn: Turn) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A comparison side an earlier answer gave: what it asked, anchored to its passage and figure."""
    answer = turn.answer
    hit = answer.citations[0].hit
    return (_said(turn, counts_only=False), (hit.passage_id, f"{hit.doc_id}@{answer.figures[0].start}"), ())


def _said(turn: Turn, counts_only: bool = True) -> str | None:
    """What a turn asked, as read, when its answer gave a count (any figure: ``counts_only=False``), else None."""
    answer = turn.answer
    if answer is None or getattr(answer, "abstained", True) or not getattr(answer, "figures", ()):
        return None
    if counts_only and not any(f.kind in ("count", "quantity") for f in answer.figures):
        return None
    return normalize(getattr(answer, "question", "") or turn.question)


def _previous_ask(last: Turn, previous: str, lex: Lexicon) -> tuple[str, frozenset[str]] | None:
    """What the previous turn asked for: the kind of figure its answer gave, else what its words ask."""
    figures = () if getattr(last.answer, "abstained", True) else getattr(last.answer, "figures", ())
    if figures:
        kinds = {f.kind for f in figures}
        dated = kinds <= {"date", "period"}
        return ("date" if dated else "figure",
                frozenset(kinds | ({"quantity", "count"} if kinds & {"quantity", "count"} else set())))
    asked = analyze(previous, lex)
    return (asked.wants, asked.kinds) if asked.wants != "fact" else None


def _own_periods(fragment: str, lex: Lexicon) -> bool:
    """Whether a follow-up names a period of its own."""
    return bool(periods_in(normalize(fragment), lex))


def _without_periods(text: str, lex: Lexicon) -> str:
    """``text`` without the periods it names (截至3月底, 一季度, at the end of March)."""
    named = sorted(lex.words("scope.periods.months"), key=len, reverse=True)
    months = "|".join(lex.words("scope.periods.words.english_months"))
    text = re.sub(rf"(?:\b(?:at|by|as of|in|until|for)\s+)?(?:the\s+)?(?:(?:end|start|middle) of\s+)?\b(?:{months})\b", " ", text)
    text = re.sub(r"(?:截至|截止|到)?(?:\d{1,2}\s*[-~至到]\s*)?\d{1,2}月(?:份|底|末|初|中旬|上旬|下旬)?", " ", text)
    for word in named:
        text = text.replace(word, " ")
    return re.sub(r"\s+", " ", text).strip()


def _swap_english(fragment: str, previous: str, vocabulary: Vocabulary | None = None) -> str | None:
    """"And work-injury insurance?" after "…have unemployment insurance?": word-level swap of the
    phrase ending like the fragment, or of the glossary phrase naming the same kind of thing."""
    if not fragment.isascii() or _EN_ASKS.match(fragment):
        return None   # "how many vacancies were posted" asks on its own: read with the subject, not spliced in
    found = glossary_terms(previous)
    if found and re.search(r"\bones?\b", fragment):
        # "and local ones?": the noun the previous phrase ended with (national services → local services)
        fragment = re.sub(r"\bones?\b", found[-1].word.split()[-1], fragment)
    words, prev = fragment.split(), previous.split()
    words = [w for w in words if w not in ("the", "a", "an")] or words
    for k in range(len(words), 0, -1):
        tail = words[-k:]
        for i in range(len(prev) - k, -1, -1):
            if [w.strip("?.,") for w in prev[i:i + k]] == tail:
                begin = max(0, i - (len(words) - k))
                while begin < i and (_EN_ASKS.match(prev[begin]) or prev[begin] in ("many", "much")):
                    begin += 1   # "how many" stays: the fragment names the thing, not the ask
                return " ".join(prev[:begin] + words + prev[i + k:])
    mine = {t for g in glossary_terms(fragment) for t in g.official}
    # Every glossary phrase of the previous question, nested ones too ("social security card" inside
    # "hold a social security card"), shortest first; the one naming the same kind of thing (official
    # terms ending alike: 全国服务/属地服务, 社保卡/电子社保卡) is replaced.
    phrases = sorted(((m.start(), m.end(), terms.split()) for phrase, terms in ENGLISH.items()
                      for m in re.finditer(rf"\b{re.escape(phrase)}\b", previous)), key=lambda x: x[1] - x[0])
    for start, end, official in phrases:
        if any(t[-1] == m[-1] and set(t) & set(m) for t in official for m in mine):
            return previous[:start] + fragment + previous[end:]
    if vocabulary is None or not mine or any(_is_measure(t, vocabulary) for t in mine):
        return None
    # Another kind of thing ("the public service platform" after "the e-card"): it takes the place of
    # the longest phrase naming a thing, not a measure ("nationwide services" stays).
    things = [(start, end) for start, end, official in phrases
              if not any(_is_measure(t, vocabulary) for t in official)]
    if not things:
        return None
    start, end = max(things, key=lambda x: x[1] - x[0])
    return previous[:start] + fragment + previous[end:]


def subject_of(question: str, lex: Lexicon | None = None) -> str:
    """A question without its asking words, numbers and pronouns: what it is about.

    >>> subject_of("脱贫人口务工规模有没有过3000万？")
    '脱贫人口务工规模'
    """
    lex = lex or lexicon()
    subject = normalize(question)
    subject = re.sub(r"(超过|达到|不到|过|到|有)?\d+(?:\.\d+)?\s*[万亿千百]*[^\s\d]?(了|吗|没)*", " ", subject)
    for name in ("number", "when", "day", "verify", "ordinal", "several"):
        if lex.cue(name).regex is not None:
            subject = lex.cue(name).regex.sub(" ", subject)
    subject = _EN_PRONOUN.sub(" ", _ZH_PRONOUN.sub(" ", subject.replace("其中", " ")))
    # a classifier left by its number (「开通了 项一网通办服务」)
    subject = re.sub(r"(?:^|(?<=\s))[个项家场张名位件批届](?=[\u4e00-\u9fff])", "", subject)
    subject = re.sub(r"\b(what|which|how|was|were|is|are|did|does|do|the|so|and|about)\b|[?？。.!！,，]", " ", subject)
    return re.sub(r"\s+", " ", subject).strip(" 的是")
