"""Rewriting the earlier question with a follow-up's words: 「那失业保险呢」 after 「养老保险参保人数多少」
reads 「失业保险参保人数多少」.

>>> from hrss_qa.answering.vocabulary import Vocabulary
>>> swap("支出", "社会保险基金总收入多少", Vocabulary.of([[(["社会保险", "基金", "总收入"], True), (["社会保险", "基金", "总支出"], True)]]))
'社会保险基金总支出多少'
"""

from __future__ import annotations

import re

from ..glossary import ENGLISH, glossary_terms
from ..text import has_han
from .analyze import COUNTED
from .vocabulary import Vocabulary, is_measure, terms_in

_EN_ASKS = re.compile(r"(how|what|which|when|who|where|is|are|was|were|did|does|do|has|have)\b")


_ASK = re.compile(r"(有|是|为)?(多少|几|第几|什么时候|何时)(人次|个|项|家|场|张|名|位|件|届|批|人)?")


def with_ask(fragment: str, previous: str) -> str | None:
    """The fragment with the previous question's ask (「…有多少」「…是第几届」), or None if it had none;
    a fragment asking on its own (「一季度新增就业多少人」) keeps its own ask."""
    if _ASK.search(fragment):
        return fragment
    if m := _ASK.search(previous):
        # The unit asked of the old subject (多少张 of 培训券) need not be the new one's; an
        # ordinal's 第几届 is the kind of ask and stays.
        ask = m.group(0) if m.group(2).startswith("第") else (m.group(1) or "") + m.group(2)
        return f"{fragment}{ask}"
    return None


_EN_ASK_LEAD = re.compile(r"^(how many|how much|what (?:is|was|are|were)(?: the)?|which (?:is|was))\b")


def english_ask(previous: str) -> str:
    """The words an English question opens its ask with ("how many", "what was the"), or ""."""
    m = _EN_ASK_LEAD.match(previous.strip().lower())
    return m.group(1) if m else ""


def swap(fragment: str, previous: str, vocabulary: Vocabulary, keep_ask: bool = False) -> str | None:
    """The previous question with the term the fragment stands for replaced by the fragment.

    ``keep_ask``: the fragment asks on its own (「结余多少」, not 「结余呢」): only a measure is swapped
    in, and the fragment's own ask is put in front.
    """
    if keep_ask:
        measures = [t for t in terms_in(fragment, vocabulary) if is_measure(t, vocabulary)]
        old = [t for t in terms_in(previous, vocabulary) if is_measure(t, vocabulary)]
        if not measures or not old or measures[0] in previous:
            return None
        return f"{fragment} " + _replace(previous, old[-1], measures[0])
    own = terms_in(fragment, vocabulary)
    # 工伤 for 工伤保险, also inside a longer fragment (「那失业的有没有2.5亿」: 失业 for 失业保险)
    new = own + _names_holding(fragment, vocabulary) + [
        t for t in vocabulary.terms if any(o in t and o != t for o in own) and t not in own]
    old = terms_in(previous, vocabulary)
    if own and all(is_measure(t, vocabulary) for t in own) and (counted := _counted_term(previous, old)):
        # 「岗位呢」 after 「…就业援助月办了多少场招聘活动」: what was counted (招聘活动) gives way, not a
        # measure word inside a name (就业援助月).
        return _replace(previous, counted, fragment)
    if (best := _kin_pair(new, old, vocabulary)) is not None:
        n, o = best
        if not is_measure(o, vocabulary) and len(o) < len(n) - 1 and n.endswith(o):
            # Only the head of a longer name matched (大赛 of 博士后创新创业大赛): take the whole name.
            o = _phrase(previous, o, [t for t in old if not is_measure(t, vocabulary)], vocabulary.passages)
        # (a thing of the same kind, ending alike — 属地服务 for 全国性服务 — is counted alike: 几项 stays)
        return _replace(previous, o, fragment if n in fragment else n, counted_alike=_ends_alike(n, o) > 0)
    if not has_han(fragment):
        return swap_english(fragment, previous, vocabulary)
    if not new:
        return None   # 「下一步呢」: no term to swap; the question is read with the previous subject
    if any(is_measure(t, vocabulary) for t in new):
        # (a previous question that is only a subject, 「国家社会保险公共服务平台」, keeps it: none is replaced)
        measures = [t for t in old if is_measure(t, vocabulary)] or [t for t in old[-1:] if t != previous.strip()]
        # A measure takes the place of the previous measure, or of what the previous question
        # asked last (访问量 for 注册用户).
        return _replace(previous, measures[-1], fragment) if measures else None
    subjects = [t for t in old if not is_measure(t, vocabulary)]
    if not subjects:
        return None
    # A named thing takes the place of the previous named thing, the whole phrase of it
    # (博士后创新创业大赛 for 高技能人才表彰大会).
    return _replace(previous, _phrase(previous, max(subjects, key=len), subjects, vocabulary.passages), fragment)


def swap_english(fragment: str, previous: str, vocabulary: Vocabulary | None = None) -> str | None:
    """"And work-injury insurance?" after "…have unemployment insurance?": the glossary phrase naming
    the same kind of thing gives way, else the phrase ending like the fragment, word for word."""
    if not fragment.isascii() or _EN_ASKS.match(fragment):
        return None   # "how many vacancies were posted" asks on its own: read with the subject, not spliced in
    found = glossary_terms(previous)
    if found and re.search(r"\bones?\b", fragment):
        # "and local ones?": the noun the previous phrase ended with (national services → local services)
        fragment = re.sub(r"\bones?\b", found[0].word.split()[-1], fragment)   # what was asked about, first
    mine = {t for g in glossary_terms(fragment) for t in g.official}
    # Every glossary phrase of the previous question, nested ones too ("social security card" inside
    # "hold a social security card"), shortest first; the one naming the same kind of thing (official
    # terms ending alike: 全国服务/属地服务, 社保卡/电子社保卡) is replaced.
    phrases = sorted(((m.start(), m.end(), terms.split()) for phrase, terms in ENGLISH.items()
                      for m in re.finditer(rf"\b{re.escape(phrase)}\b", previous)), key=lambda x: x[1] - x[0])
    kin = [p for p in phrases if any(_ends_alike(t, m) for t in p[2] for m in mine)]
    # (the kin name ending last, the longest of those: "electronic social security card", not the "social
    # security card" inside it; "fund" of "the basic pension insurance fund's", not its "pension")
    if kin:
        start, end, _ = max(kin, key=lambda x: (x[1], x[1] - x[0]))
        # "fund" of "the basic pension insurance fund's": the whole name gives way, not its head
        start = _english_name_start(previous, start, phrases)
        head = previous[:start]
        if re.match(r"(the|a|an)\s", fragment):
            head = re.sub(r"\b(the|a|an)\s+$", "", head)   # the fragment's own article stays
        return head + fragment + previous[end:]
    # Else the phrase ending like the fragment, word for word (after the glossary's names above: "the
    # physical card" takes the place of "an electronic social security card", not of its last two words).
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
    if vocabulary is not None and mine and all(is_measure(t, vocabulary) for t in mine):
        # "Expenditure?" after "…total revenues of the funds": a measure the briefing gives side by side
        # with one the previous question named takes that one's place (支出 for 收入)
        for start, end, official in sorted(phrases, key=lambda x: x[0] - x[1]):
            if any(_measures_kin(m, t, vocabulary) for t in official for m in mine):
                start, end = _widened(start, end, phrases)
                return previous[:start] + fragment + previous[end:]
    if vocabulary is None or not mine or any(is_measure(t, vocabulary) for t in mine):
        return None
    # Another kind of thing ("the public service platform" after "the e-card"): it takes the place of
    # the longest phrase naming a thing, not a measure ("nationwide services" stays).
    things = [(start, end) for start, end, official in phrases
              if not any(is_measure(t, vocabulary) for t in official)]
    if not things:
        return None
    start, end = _widened(*max(things, key=lambda x: x[1] - x[0]), phrases)
    return previous[:start] + fragment + previous[end:]


def _widened(start: int, end: int, phrases: list[tuple[int, int, list[str]]]) -> tuple[int, int]:
    """A span grown over the glossary phrases overlapping it: the whole name gives way
    ("surveyed urban unemployment" + "unemployment rate")."""
    while grown := [(s, e) for s, e, _ in phrases if s < end and e > start and (s < start or e > end)]:
        start, end = min(start, *(s for s, _ in grown)), max(end, *(e for _, e in grown))
    return start, end


def _english_name_start(text: str, start: int, phrases: list[tuple[int, int, list[str]]]) -> int:
    """Where the name ending at a phrase starting at ``start`` begins: glossary phrases written right
    before it ("basic pension" + "pension insurance" + "fund") are part of it."""
    first, grown = start, True
    while grown:
        grown = False
        for s, e, _ in phrases:   # (overlapping ones too: "basic pension" + "pension insurance")
            if s < start and e <= first and text[min(e, start):start].strip() == "":
                start, grown = s, True
    return start


def replaces_a_measure(fragment: str, previous: str, vocabulary: Vocabulary) -> bool:
    """Whether the fragment names a measure of a kind with another measure of the previous question
    (总支出 after 总收入, 访问量 after 注册用户): it takes that one's place."""
    old = [t for t in terms_in(previous, vocabulary) if is_measure(t, vocabulary)]
    return any(_kinship(n, o, vocabulary) > 0 for n in terms_in(fragment, vocabulary)
               if is_measure(n, vocabulary) for o in old if o != n)


def _counted_term(question: str, terms: list[str]) -> str | None:
    """The term a question counts: right after its 多少/几 and classifier (「多少场招聘活动」)."""
    for m in COUNTED.finditer(question):
        rest = question[m.start(1):]
        if found := [t for t in terms if rest.startswith(t)]:
            return max(found, key=len)
    return None


def _phrase(text: str, term: str, subjects: list[str], passages: tuple[str, ...] = ()) -> str:
    """``term`` with the subject terms written right next to it (高技能人才 + 表彰大会); a two-character
    term only when the name so grown is written so in the briefing (博士后 + 创新 + 创业 + 大赛), as
    参保 in 养老保险参保人数 is not part of the name."""
    start = text.find(term)
    end = start + len(term)

    def named(begin: int, stop: int) -> bool:
        return any(text[begin:stop] in p for p in passages)

    grown = True
    while grown:
        grown = False
        for t in subjects:
            if text.startswith(t, end) and (len(t) >= 3 or named(start, end + len(t))):
                end, grown = end + len(t), True
            elif start >= len(t) and text.startswith(t, start - len(t)) and (len(t) >= 3 or named(start - len(t), end)):
                start, grown = start - len(t), True
    return text[start:end]


def _replace(previous: str, old: str, new: str, counted_alike: bool = False) -> str:
    """``old`` replaced by ``new``; a classifier bound to a replaced measure (多少场…) goes with it, unless
    the new thing is ``counted_alike``."""
    at = previous.find(old)
    head, tail = previous[:at], previous[at + len(old):]
    if counted_alike:
        return head + new + tail
    head = re.sub(r"(多少|几)(个|项|家|场|张|名|位|件|批|届|次)$", r"\1", head)
    # The unit asked of the old term (多少张 of 培训券) need not be the new one's.
    tail = re.sub(r"(多少|几)(人次|个|项|家|场|张|名|位|件|人(?!口))", r"\1", tail)
    return head + new + tail


def _measures_kin(new: str, old: str, vocabulary: Vocabulary) -> bool:
    """Two different measure words (支出, 收入) of measures the briefing gives side by side (总支出, 总收入)."""
    if new == old or not (is_measure(new, vocabulary) and is_measure(old, vocabulary)):
        return False
    return any(_kinship(a, b, vocabulary) > 0 for a in vocabulary.measures if new in a
               for b in vocabulary.measures if old in b and a != b and new not in b)


def _ends_alike(new: str, old: str) -> float:
    """Named things of a kind end alike and share characters (失业保险/养老保险, 电子社保卡/社保卡,
    全国服务/属地服务), not 大赛/大会 nor 失业/城镇新增就业: the share of characters in common, or 0."""
    shared = len(set(new) & set(old)) / max(len(set(new) | set(old)), 1) if new[-1] == old[-1] else 0.0
    return shared if shared >= 0.25 else 0.0


def swap_kin(term: str, text: str, vocabulary: Vocabulary) -> str | None:
    """``text`` with the named thing of the same kind as ``term`` replaced by it (工伤 for 失业保险 in
    「失业保险参保人数」); None when no term of ``text`` is its kin (人口 has none in 电子社保卡领用人数).

    Only named things are swapped; measures (访问量, 人数) keep their place.
    """
    new = [term] + _names_holding(term, vocabulary)
    old = [t for t in terms_in(text, vocabulary) if not is_measure(t, vocabulary)]
    if is_measure(term, vocabulary) or (best := _kin_pair(new, old, vocabulary)) is None:
        return None
    return _replace(text, best[1], best[0])


def _names_holding(part: str, vocabulary: Vocabulary) -> list[str]:
    """The first few terms of the briefing a partial name stands for (工伤 → 工伤保险, …)."""
    return [t for t in vocabulary.terms if part in t and t != part][:3]


def _kin_pair(new: list[str], old: list[str], vocabulary: Vocabulary) -> tuple[str, str] | None:
    """The (new, old) pair of terms most surely of one kind (longest old term on ties), if any."""
    best: tuple[float, int, str, str] | None = None
    for n in new:
        for o in old:
            score = _kinship(n, o, vocabulary) if n != o else 0.0
            if score > 0 and (best is None or (score, len(o)) > best[:2]):
                best = (score, len(o), n, o)
    return None if best is None else best[2:]


def _kinship(new: str, old: str, vocabulary: Vocabulary) -> float:
    """How surely ``new`` takes ``old``'s place: shared characters (失业保险/养老保险), or terms
    the briefing measures side by side (收入/支出, 失业保险/工伤保险)."""
    shared = _ends_alike(new, old)
    # Two measures of one passage (收入/支出) stand for each other; two named things need shared words.
    both_measures = new in vocabulary.measures and old in vocabulary.measures
    side_by_side = 0.5 if both_measures and (old in vocabulary.siblings.get(new, ())) else 0.0
    return shared + side_by_side
