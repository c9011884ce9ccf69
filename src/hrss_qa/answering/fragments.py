"""The words of a follow-up: its fragment without the follow-up markers (那…呢, "and …?"), whether it
is short enough to lean on the conversation, the periods it names, and what a question is about.

>>> fragment_of("那失业保险呢？", lexicon())
('失业保险', True)
>>> subject_of("脱贫人口务工规模有没有过3000万？")
'脱贫人口务工规模'
"""

from __future__ import annotations

import re

from ..language import Lexicon, lexicon, pattern
from ..text import has_han, normalize
from .analyze import periods_in
from .numbers import spelled_out

__all__ = ["fragment_of", "is_short", "names_own_period", "pointer", "pronouns", "subject_of", "untagged",
           "without_lead", "without_periods"]


_MAX_FRAGMENT = 12          # characters: longer questions carry their own subject


_MAX_FRAGMENT_WORDS = 9     # the same for English


def pronouns(lex: Lexicon) -> re.Pattern:
    """The words that point back at what was just said (cues.toml ``[pronoun]``): 这个, 这群, those."""
    return lex.cue("pronoun").regex


def pointer(fragment: str, lex: Lexicon) -> re.Match | None:
    """The first word of ``fragment`` pointing back at what was said (:func:`pronouns`), leaving out
    uses that point at nothing said ("What did they say about arbitrators?", "firms that owe wages")."""
    other = lex.cue("pronoun.not_pointing").regex
    masked = other.sub(lambda m: " " * len(m.group(0)), fragment) if other is not None else fragment
    return pronouns(lex).search(masked)


def fragment_of(key: str, lex: Lexicon) -> tuple[str, bool]:
    """The question without follow-up markers (那…呢, and…?), and whether it had them."""
    frag = without_lead(key.strip(), lex)
    tails = sorted(lex.words("cues.followup.tail"), key=len, reverse=True)
    tail = re.compile("(" + "|".join(map(re.escape, tails)) + r")?\s*[?？。.!！]*$")
    while frag and (shorter := tail.sub("", frag, count=1).strip()) != frag:   # 「退捕渔民那边呢」: two tails
        frag = shorter
    marked = frag != key.strip().rstrip("?？。.!！ ") and is_short(untagged(frag, lex)) and bool(frag)
    return frag, marked


def untagged(fragment: str, lex: Lexicon) -> str:
    """The fragment without a closing question tag (「…，对吗」 ", right"), for measuring it."""
    tags = sorted(lex.words("cues.followup.tags"), key=len, reverse=True)
    return re.sub(r"[,，]?\s*(" + "|".join(map(re.escape, tags)) + r")\s*[?？。.!！]*$", "", fragment).strip() or fragment


def is_short(fragment: str) -> bool:
    """Short enough to lean on the conversation (longer questions carry their own subject).  In a
    mixed one ("the MOHRSS 政务服务平台") an English word counts as one character."""
    if fragment.isascii():
        return len(fragment.split()) <= _MAX_FRAGMENT_WORDS
    return 0 < len(re.sub(r"[A-Za-z][A-Za-z'&.-]*\s*", "w", fragment)) <= _MAX_FRAGMENT


def without_lead(text: str, lex: Lexicon) -> str:
    """``text`` without a leading follow-up marker (那, 那么, and what about…)."""
    # (「那个活动…」 opens with a demonstrative, not with the lead 那; 「不对，我是问…」 has two leads)
    text = without_interjections(text, lex)
    # (「除了困难户，渔民呢」 sets the last subject aside for another; 「除了失业登记，还有哪些」 asks the rest)
    aside = lex.cue("followup.aside").search(text)
    if aside is not None and lex.cue("followup.aside.then")(text[aside.end():]):
        text = text[aside.end():]
    while (m := pattern(lex.words("cues.followup.lead")).match(text)) and not pronouns(lex).match(text) and m.end():
        text = text[m.end():].lstrip(" ,，")
    return text


def without_possessive(fragment: str, lex: Lexicon) -> str:
    """``fragment`` without the possessive opening it (「它的访问量」 → 访问量), or itself."""
    return next((fragment[len(w):] for w in lex.words("cues.pronoun.possessive") if fragment.startswith(w)), fragment)


def without_interjections(text: str, lex: Lexicon) -> str:
    """``text`` without the words opening it that say nothing (「哦不好意思，我要问的是…」 "Sorry, I meant…")."""
    while (m := lex.words_cue("cues.followup.interjections").regex.match(text)) and m.end():
        text = text[m.end():].lstrip(" ,，!！")
    return text


def names_own_period(fragment: str, lex: Lexicon) -> bool:
    """Whether a follow-up names a period of its own."""
    return bool(periods_in(normalize(fragment), lex))


def without_periods(text: str, lex: Lexicon) -> str:
    """``text`` without the periods it names (截至3月底, 一季度, at the end of March)."""
    named = sorted(lex.words("scope.periods.months"), key=len, reverse=True)
    months = "|".join(lex.words("scope.periods.words.english_months"))
    text = re.sub(rf"(?:\b(?:at|by|as of|in|until|for)\s+)?(?:the\s+)?(?:(?:end|start|middle) of\s+)?\b(?:{months})\b", " ", text)
    text = re.sub(r"(?:截至|截止|到)?(?:\d{1,2}\s*[-~至到]\s*)?\d{1,2}月(?:份|底|末|初|中旬|上旬|下旬)?", " ", text)
    for word in named:
        text = text.replace(word, " ")
    return re.sub(r"\s+", " ", text).strip()


def subject_of(question: str, lex: Lexicon | None = None) -> str:
    """A question without its asking words, numbers and pronouns: what it is about.

    >>> subject_of("脱贫人口务工规模有没有过3000万？")
    '脱贫人口务工规模'
    """
    lex = lex or lexicon()
    subject = normalize(question)
    if has_han(subject):   # 「一半以上」 is a number checked too ("three-year" of a plan's name is no check)
        subject = spelled_out(subject, lex)
    # (the unit after a number is one character of no word: "2023 press" keeps its p)
    subject = re.sub(r"(?:(超过|达到|不到|过|到|有)了?)?\d+(?:\.\d+)?\s*[万亿千百]*[^\s\da-z]?(以上|以下)?(了|吗|没)*", " ", subject)
    subject = re.sub(r"呢(?=[\s,，?？]|$)", " ", subject)   # 「电子社保卡呢，覆盖了…吗」: a particle, no part of it
    for name in ("number", "when", "day", "verify", "ordinal", "several"):
        if lex.cue(name).regex is not None:
            subject = lex.cue(name).regex.sub(" ", subject)
    subject = pronouns(lex).sub(" ", subject.replace("其中", " "))
    # (「哦不好意思，我要问的是X」 is about X)
    for said in ("cues.followup.correction", "cues.followup.interjections"):
        subject = lex.words_cue(said).regex.sub(" ", subject)
    # a classifier left by its number (「开通了 项一网通办服务」)
    subject = re.sub(r"(?:^|(?<=\s))[个项家场张名位件批届](?![人目所单次置])(?=[\u4e00-\u9fff])", "", subject)
    subject = re.sub(r"\b(what|which|how|was|were|is|are|did|does|do|the|so|and|about)\b|[?？。.!！,，]", " ", subject)
    return re.sub(r"\s+", " ", subject).strip(" 的是")


def figure_question(topic: str, lex: Lexicon) -> str:
    """The subject of a turn asked for its figure: 「…访问量是多少」, "what is … visits"."""
    asks = lex.words("cues.followup.figure_ask")
    return f"{topic}{asks}" if has_han(topic) else f"{lex.words('cues.followup.figure_ask_en')} {topic}"
