"""Stage 2 — ``candidates``: every figure that could answer a query, with its feature values.

Each feature is one measurable reason for or against a figure (how close its card is to the
question, how much of its label the question says, whether its unit is the one named, whether
the question asks for a change its clause does not state…).  Nothing here weighs them: the
weights are fitted (:mod:`hrss_qa.answering.ranker`) on the project's question sets.

Features are numbers in about [-1, 1] (counts are capped), so fitted weights are comparable.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..cards import clause_of
from ..chunking import Passage, Sentence
from ..figures import Figure
from ..glossary import alternatives, expand, glossary_terms, official_terms
from ..language import Lexicon, lexicon, pattern
from ..lexical import tokenize, words
from ..retrieval import Hit
from ..text import has_han, normalize
from .records import Candidate, Query
from .vocabulary import outermost

CANDIDATE_HITS = 4
# What tells which figure a question is about.
_SUBJECT = (
    "card", "card_gap", "card_best", "sentence_gap", "sentence_lex", "passage_gap", "hit_rank", "best_sentence",
    "label_cover", "query_cover", "focus", "clause_cover", "counted", "unit_explicit", "unit_topical",
    "stated_equal", "stated_near", "stated_self", "narrower", "named_missing", "scheme_missing", "subject_missing",
    "group_missing", "month_missing", "contrast", "tense_mismatch",
)
# What the question asks of a figure that it may not give (a change, an average, …).
CONSTRAINTS = ("unmet_change", "unmet_yoy", "unmet_earnings", "unmet_average", "unmet_target", "unmet_age", "unmet_share",
               "unmet_one_period", "unmet_headcount", "unmet_per_person")
# The ranker's inputs, in order.
FEATURES = _SUBJECT
# Names the question uses that a figure's evidence lacks, and a unit named outright that it does not have.
MISFITS = ("named_missing", "scheme_missing", "subject_missing", "group_missing", "month_missing", "unit_mismatch",
           "counted_missing")
# How well the chosen figure matches in absolute terms (the ranker only compares candidates).
MATCH = ("card", "query_cover", "label_cover", "sentence_lex", "passage_gap")
# The calibrator's view of the chosen figure: how well it matches, every way it may not fit (see model.py).
FIT_FLAGS = MATCH + CONSTRAINTS + MISFITS

# An official term in this few passages or fewer names a particular scheme or campaign (職業年金):
# a figure from a passage without it is not about it.  Shorter terms are ordinary nouns.
NAMED_MAX_PASSAGES = 3
NAMED_MIN_CHARS = 4
_BROAD_QUALIFIERS = {"基本", "全国", "国家"}    # 基本养老保险 is what people mean by 养老保险
_CUE_WINDOW = re.compile(r"多少|几|多大|多高|比例|占比|how many|how much|what percentage|what share|what proportion")


@dataclass(frozen=True)
class FigureText:
    """The matching keys of one figure's text, computed once (figures do not change)."""

    label: str                  # normalized label
    label_tokens: frozenset[str]
    clause: str                 # normalized clause holding the figure
    clause_tokens: frozenset[str]
    sentence_chars: frozenset[str]   # characters of its sentence and section words
    narrower: tuple[tuple[str, str], ...]   # (official term in the label, a broader term inside it)


@dataclass(frozen=True)
class CorpusFacts:
    """What the features need to know about the whole corpus, computed once per engine."""

    passage_keys: dict[str, str]      # normalized section words + text, by passage id
    section_words: dict[str, str]     # the passage's section heading words, by passage id
    plan_passages: frozenset[str]     # passages in a part about plans (下一步工作安排)
    named_terms: frozenset[str]       # official terms used by ≤ NAMED_MAX_PASSAGES passages
    # official terms every document opens with (who held the briefing, when): the frame of every
    # figure, so a question naming them ("did the ministry…") names no subject a sentence must state
    frame_terms: frozenset[str] = frozenset()
    _texts: dict = field(default_factory=dict, compare=False, repr=False)
    _vocabularies: dict = field(default_factory=dict, compare=False, repr=False)

    def figure_text(self, hit: Hit, fig: Figure, sentence: Sentence) -> FigureText:
        """The figure's matching keys (cached by document and offset)."""
        key = (hit.doc_id, fig.start)
        if key not in self._texts:
            clause = normalize(clause_of(sentence, fig))
            label = normalize(fig.label)
            terms = official_terms(NAMED_MIN_CHARS)
            narrower = tuple((t, o) for t in terms if t in label for o in official_terms(3)
                             if o != t and o in t and t.replace(o, "") not in _BROAD_QUALIFIERS)
            chars = frozenset(normalize(f"{self.section_words.get(hit.passage_id, '')} {sentence.text}"))
            self._texts[key] = FigureText(label, frozenset(tokenize(fig.label)), clause, frozenset(tokenize(clause)),
                                          chars, narrower)
        return self._texts[key]

    def vocabulary(self, figures: list[tuple[Figure, ...]], generic: frozenset[str]) -> frozenset[str]:
        """Words naming what the corpus's figures measure (dates' labels name events, not measures)."""
        if "corpus" not in self._vocabularies:
            self._vocabularies["corpus"] = frozenset(
                w for group in figures for fig in group if fig.kind not in ("date", "period")
                for w in words(fig.label)) - generic
        return self._vocabularies["corpus"]

    @classmethod
    def of(cls, passages: list[Passage], plan_words: tuple[str, ...] = ("下一步",)) -> "CorpusFacts":
        keys = {p.passage_id: normalize(f"{p.context} {p.text}") for p in passages}
        sections = {p.passage_id: p.context for p in passages}
        plan = frozenset(p.passage_id for p in passages if any(w in normalize(p.section) for w in plan_words))
        named = frozenset(t for t in official_terms(NAMED_MIN_CHARS)
                          if 0 < sum(t in k for k in keys.values()) <= NAMED_MAX_PASSAGES)
        openings = {}
        for p in passages:   # each document's first passage
            if p.doc_id not in openings or p.start < openings[p.doc_id].start:
                openings[p.doc_id] = p
        frame = frozenset(t for t in official_terms(2) if openings and all(t in normalize(p.text) for p in openings.values()))
        return cls(keys, sections, plan, named, frame)


@dataclass(frozen=True)
class _Found:
    figure: Figure
    hit: Hit
    rank: int
    sentence: Sentence
    at: int          # index of the sentence in the passage
    card: float


def candidates(query: Query, hits: list[Hit], facts: CorpusFacts, lex: Lexicon | None = None,
               figures: list[tuple[Figure, ...]] | None = None) -> list[Candidate]:
    """Figures of the top hits whose kind can answer ``query``, each with its feature vector.

    ``figures`` are every passage's figures (what the corpus measures); the hits' own by default.
    """
    lex = lex or lexicon()
    found = _gather(query, hits)
    if not found:
        return []
    pool = _Pool.of(query, found, hits, facts, lex)
    pool.figures = figures if figures is not None else [h.figures for h in hits]
    out = []
    for f in found:
        values = pool.features(f)
        text = facts.figure_text(f.hit, f.figure, f.sentence)
        missing = (*pool.missing_named(f.hit, text), *pool.missing_schemes(text), *pool.missing_subjects(f.hit, text))
        out.append(Candidate(f.figure, f.hit, f.sentence, tuple(values[n] for n in FEATURES), flags=_fit_flags(values),
                             missing=tuple(dict.fromkeys(missing))))
    return out


def _fit_flags(values: dict[str, float]) -> tuple[float, ...]:
    named = {**values, "unit_mismatch": float(values["unit_explicit"] < 0), "counted_missing": float(values["counted"] < 0)}
    return tuple(named[n] for n in FIT_FLAGS)


def _gather(query: Query, hits: list[Hit]) -> list[_Found]:
    out = []
    for rank, hit in enumerate(hits[:CANDIDATE_HITS]):
        scores = hit.figure_scores or (0.0,) * len(hit.figures)
        for fig, card in zip(hit.figures, scores):
            if fig.kind not in query.kinds or _ruled_out(query, fig):
                continue
            at = next((i for i, s in enumerate(hit.sentences) if s.start <= fig.start < s.end), None)
            sentence = hit.sentences[at] if at is not None else hit.sentence
            out.append(_Found(fig, hit, rank, sentence, at if at is not None else -1, card))
    return out


def _ruled_out(query: Query, fig: Figure) -> bool:
    """A unit named outright (「一张多少钱」) rules out figures of other units; a number the question
    states to say what it is about (「3324万参加的人里…」) is not its answer unless it is checked."""
    unit = normalize(fig.unit) if fig.kind != "percent" else "%"
    if query.units is not None and unit not in query.units:
        return True
    checked = query.yes_no or query.choice   # 「…1.65万亿元，是“超过”还是“接近”」 asks about the stated figure
    return not checked and fig.value is not None and fig.value in query.stated_values


class _Pool:
    """Query-level values shared by all candidates of one query (token weights, best scores)."""

    def __init__(self, query: Query, found: list[_Found], hits: list[Hit], facts: CorpusFacts, lex: Lexicon,
                 tokens: set[str], weights: dict[str, float]):
        self.query, self.found, self.hits, self.facts, self.lex = query, found, hits, facts, lex
        self.tokens, self.weights = tokens, weights
        self.best_card = max(f.card for f in found)
        self.best_sentence = max((max(h.sentence_scores, default=0.0) for h in hits[:CANDIDATE_HITS]), default=0.0)
        self.focus = _focus_tokens(query.key)
        # (in the order the question says them: the reason an abstention gives must not vary by hash seed)
        checked = [normalize(t.text) for t in query.thresholds]   # (the time checked, 4月中旬, names nothing)
        self.named = sorted((t for t in facts.named_terms if t in query.key and t not in query.borrowed
                             and not any(t in c for c in checked)), key=lambda t: (query.key.find(t), t))
        self.named = outermost(self.named)
        # Every official name the question uses (工伤保险, 基本养老保险), however many passages use it.
        said = query.key if has_han(query.key) else expand(query.text)   # English: the official terms it names
        schemes = sorted((t for t in official_terms(NAMED_MIN_CHARS) if t in said and t not in query.borrowed
                          and not any(t in c for c in checked)), key=lambda t: (said.find(t), t))
        self.schemes = outermost(schemes)
        self.contrast = _contrast(found, hits[0], tokens)
        # The passage a figure question is about: plans state no achieved figure, so unless the question
        # asks about plans a leading plan passage does not count (「参保人数过2.8亿了吗」 is about progress).
        kind = [h.score for h in hits if query.tense == "plan" or h.passage_id not in facts.plan_passages]
        self.lead_score = max(kind, default=hits[0].score)
        # The question's own words; an English question's only Chinese words are its glossary terms.
        # The question's own words, each a group of one; an English question's Chinese words are its
        # glossary terms, a group per English phrase (poverty → 脱贫 or 返贫: either will do).
        self.question_words = ([(w,) for w in words(query.text) if w not in query.borrowed] if has_han(query.text) else
                               [tuple(w for t in g.official for w in (t, *words(t)) if len(w) >= 2)
                                for g in glossary_terms(query.key) if not set(g.official) <= facts.frame_terms])
        self.generic = generic_label_words(lex)

    @classmethod
    def of(cls, query: Query, found: list[_Found], hits: list[Hit], facts: CorpusFacts, lex: Lexicon) -> "_Pool":
        tokens = set(tokenize(f"{query.key} {expand(query.text)}"))
        counts: dict[str, int] = {}
        for f in found:
            for t in facts.figure_text(f.hit, f.figure, f.sentence).label_tokens:
                counts[t] = counts.get(t, 0) + 1
        n = len(found)
        weights = {t: math.log(1 + n / c) for t, c in counts.items()}
        return cls(query, found, hits, facts, lex, tokens, weights)

    def features(self, f: _Found) -> dict[str, float]:
        q, fig, hit = self.query, f.figure, f.hit
        text = self.facts.figure_text(hit, fig, f.sentence)
        clause, label, label_tokens = text.clause, text.label, text.label_tokens
        evidence = f"{label} {clause}"
        w = self.weights
        total = sum(w.get(t, 1.0) for t in label_tokens) or 1.0
        asked = [t for t in self.tokens if t in w]
        unit = normalize(fig.unit) if fig.kind != "percent" else "%"
        values = {
            "card": f.card,
            "card_gap": f.card - self.best_card,
            "card_best": float(f.card >= self.best_card),
            "sentence_gap": (hit.sentence_scores[f.at] if 0 <= f.at < len(hit.sentence_scores) else 0.0) - self.best_sentence,
            "sentence_lex": hit.sentence_lexical[f.at] if 0 <= f.at < len(hit.sentence_lexical) else 0.0,
            "passage_gap": hit.score - self.lead_score,
            "hit_rank": f.rank / CANDIDATE_HITS,
            "best_sentence": float(f.sentence.start == hit.sentence.start),
            "label_cover": sum(w.get(t, 1.0) for t in label_tokens & self.tokens) / total,
            "query_cover": sum(w[t] for t in asked if t in label_tokens) / (sum(w[t] for t in asked) or 1.0),
            "focus": sum(w.get(t, 1.0) for t in label_tokens & self.focus) / total,
            "clause_cover": len(text.clause_tokens & self.tokens) / max(len(self.tokens), 1),
            "counted": 0.0 if not q.counted else (1.0 if _mentions(evidence, q.counted) else -1.0),
            "unit_explicit": 0.0 if q.units is None else (1.0 if unit in q.units else -1.0),
            "unit_topical": 0.0 if not q.topical_units else (1.0 if unit in q.topical_units else -1.0),
            "stated_equal": float(any(_same_value(fig, t.value) for t in q.thresholds)),
            "stated_near": float(any(fig.value and t.value and 0.5 <= fig.value / t.value <= 2 for t in q.thresholds)),
            "stated_self": float(not q.thresholds and fig.value is not None and fig.value in q.stated_values),
            "narrower": min(len({t for t, o in text.narrower if t not in q.key and o in q.key}), 2) / 2,
            "named_missing": min(len(self.missing_named(hit, text)), 2) / 2,
            "scheme_missing": min(len(self.missing_schemes(text)), 2) / 2,
            "subject_missing": min(len(self.missing_subjects(hit, text)), 2) / 2,
            "group_missing": float(bool(missing_groups(q, f.sentence.text, self.lex))),
            "month_missing": float(bool(missing_months(q, hit.text))),
            "contrast": self.contrast.get((hit.passage_id, fig.start), 0.0),
            "tense_mismatch": float(q.tense is not None and (q.tense == "plan") != (hit.passage_id in self.facts.plan_passages)),
        }
        for name, unmet in unmet_flags(q, fig, clause, self.lex).items():
            values[f"unmet_{name}"] = float(unmet)
        return values

    def missing_subjects(self, hit: Hit, text: FigureText) -> list[str]:
        """Question words that name something the briefing measures with another figure, but not
        in this figure's sentence (「工伤保险基金结余」 against the three funds' 累計結余;
        「基金收入」 against 投資運營規模)."""
        vocabulary = self.facts.vocabulary(self.figures, self.generic)
        named = [[w for w in group if w in vocabulary] for group in self.question_words]
        return [group[0] for group in named if group and not any(set(w) <= text.sentence_chars for w in group)]

    def missing_schemes(self, text: FigureText) -> list[str]:
        """Official names of the question that this figure's sentence does not state under any name:
        「工伤保险基金收入」 against the three funds' 总收入, a sub-scheme the briefing does not break out."""
        return [t for t in self.schemes if not any(set(a) <= text.sentence_chars for a in alternatives(t))]

    def missing_named(self, hit: Hit, text: FigureText) -> list[str]:
        """Scheme or campaign names of the question (職業年金) that neither this figure's passage
        nor its sentence states, under any name the glossary gives it (全国性服务 / 全国服务)."""
        key = self.facts.passage_keys.get(hit.passage_id, normalize(hit.text))
        return [t for t in self.named
                if not any(a in key or set(a) <= text.sentence_chars for a in alternatives(t))]


def generic_label_words(lex: Lexicon) -> frozenset[str]:
    """Words any figure's label may hold (全国, 服务, 人数): they tell no figure from another.
    A generic word made an adjective (全国性) is as generic as the word."""
    generic = lex.words("cues.generic_label_words.zh")
    return frozenset(generic) | {w + s for w in generic for s in lex.words("cues.generic_label_words.adjective_suffixes")}


def unmet_flags(query: Query, fig: Figure, clause: str, lex: Lexicon) -> dict[str, bool]:
    """For each measure a briefing often lacks: asked by ``query`` and not stated by this figure's clause."""
    def said(name: str, key: str = "stated") -> bool:
        return bool(_words_pattern(lex, name, key).search(clause))

    asks = query.asks
    unit = normalize(fig.unit)
    return {
        "change": "change" in asks and not said("change"),
        "yoy": "yoy" in asks and not said("yoy"),
        "earnings": "earnings" in asks and not said("earnings"),
        "average": "average" in asks and not said("average"),
        "target": "target" in asks and not said("target"),
        "age": "age" in asks and not said("age"),
        "share": "share" in asks and fig.kind != "percent",
        "one_period": "one_period" in asks and said("one_period", "cumulative"),
        "headcount": "headcount" in asks and unit not in ("人", ""),
        "per_person": "per_person" in asks and not said("average"),
    }


@lru_cache(maxsize=64)
def _words_pattern_cached(lex: Lexicon, name: str, key: str) -> re.Pattern:
    words = lex.words(f"cues.unmet.{name}").get(key, [])
    return pattern([w for w in words if not w.isascii()], [w for w in words if w.isascii()]) or re.compile(r"(?!x)x")


def _words_pattern(lex: Lexicon, name: str, key: str) -> re.Pattern:
    return _words_pattern_cached(lex, name, key)


def missing_groups(query: Query, evidence: str, lex: Lexicon) -> list[str]:
    """Groups of people the query is about (农民工…) that ``evidence`` never names."""
    ev = normalize(evidence)
    table = lex.words("scope.groups")
    return [g for g in query.groups if not any(w in ev for w in (g, *table[g]) if not w.isascii())]


def missing_months(query: Query, evidence: str) -> list[int]:
    """Single months the query asks about that ``evidence`` does not name (1-3月 says nothing
    about February alone); a month carried from an earlier turn is no constraint on this one."""
    ev = normalize(evidence)
    return [p.months[0] for p in query.periods if p.months and p.months[0] == p.months[1] and not p.carried
            and not re.search(rf"(?<![\d\-]){p.months[0]}月", ev)]


def _same_value(fig: Figure, value: float) -> bool:
    return fig.value is not None and abs(fig.value - value) <= 1e-9 * max(abs(value), 1.0)


def _mentions(text: str, terms: tuple[str, ...]) -> bool:
    """Half of a term's characters suffice (招聘会 is mentioned by 招聘活動)."""
    chars = set(text)
    return any(2 * len(set(t) & chars) >= len(set(t)) for t in terms)


def _focus_tokens(key: str) -> set[str]:
    """Tokens of the words next to the figure cue (「有幾項能跨省通辦」 → 跨省通办)."""
    match = _CUE_WINDOW.search(key)
    if not match:
        return set()
    window = key[max(match.start() - 8, 0):match.end() + 8]
    return set(tokenize(f"{window} {expand(window)}"))


def _contrast(found: list[_Found], top: Hit, tokens: set[str]) -> dict[tuple[str, int], float]:
    """+1 for a figure of the top sentence whose label alone has a word the question says, −1 for
    its neighbours then (总收入 / 总支出 / 累计结余 share a subject; 结余 tells them apart)."""
    group = [f for f in found if f.hit.passage_id == top.passage_id and f.sentence.start == top.sentence.start]
    if len(group) < 2:
        return {}
    labels = [set(tokenize(f.figure.label)) for f in group]
    asked = [bool((lab - set().union(*(o for o in labels if o is not lab))) & tokens) for lab in labels]
    if not any(asked):
        return {}
    return {(f.hit.passage_id, f.figure.start): (1.0 if a else -1.0) for f, a in zip(group, asked)}


__all__ = ["FEATURES", "CONSTRAINTS", "FIT_FLAGS", "CorpusFacts", "candidates", "unmet_flags", "missing_groups", "missing_months", "words"]
