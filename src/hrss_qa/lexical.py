"""Lexical stage: BM25 over Chinese-aware tokens of script-normalized text.

Chinese has no spaces, so a word tokenizer alone breaks on rare terms it does not know
(「春風行動」, 「第四屆」).  Tokens here are the union of

* character bigrams of every Han run (robust to unknown words),
* jieba words of two or more characters (precise on known words),
* numbers and Latin words kept whole (``297``, ``5.3``, ``2024``).

All of them are taken from :func:`hrss_qa.text.normalize` output, so a Simplified
question and the Traditional briefing produce the same tokens.

>>> bm25 = BM25.fit(["1-3月城鎮新增就業297萬人", "電子社保卡領用人數7.64億人"])
>>> int(bm25.scores(tokenize("城镇新增就业")).argmax())
0
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from .text import normalize

_TOKEN_RUN = re.compile(r"[\u3400-\u9fff]+|\d+(?:\.\d+)?|[a-z]+")
# Characters that carry no meaning alone in a question; a bigram made only of them is noise.
_FILLER = set("的了吗呢吧啊是在有和与及或也都就这那哪么什多少几怎样个")


def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def words(text: str) -> list[str]:
    """jieba words of two or more characters of ``normalize(text)``, in order."""
    return [w for w in _jieba().lcut(normalize(text)) if len(w) >= 2 and not w[0].isdigit()]


@lru_cache(maxsize=1)
def _elided_list() -> re.Pattern:
    from .language import lexicon

    heads = "|".join(map(re.escape, lexicon().words("glossary.elided.heads")))
    return re.compile(rf"((?:[\u4e00-\u9fff]{{2,4}}、)+)[\u4e00-\u9fff]{{2,4}}?({heads})")


def _with_elided_heads(key: str) -> str:
    """``key`` with each item of a list that shares its last item's head written whole too:
    「基本养老、失业、工伤保险」 also gives 基本养老保险 失业保险 (so 失业保险 matches it)."""
    whole = [item + m.group(2) for m in _elided_list().finditer(key) for item in m.group(1).split("、") if item]
    return f"{key} {' '.join(whole)}" if whole else key


def tokenize(text: str) -> list[str]:
    """Bigrams, jieba words and whole numbers of ``normalize(text)`` (a list's shared head written
    out for each item)."""
    key = _with_elided_heads(normalize(text))
    tokens: list[str] = []
    for run in _TOKEN_RUN.findall(key):
        if not ("\u3400" <= run[0] <= "\u9fff"):
            tokens.append(run)
            continue
        if len(run) == 1:
            tokens.append(run)
        tokens.extend(run[i:i + 2] for i in range(len(run) - 1) if not set(run[i:i + 2]) <= _FILLER)
        tokens.extend("w:" + w for w in _jieba().lcut(run) if len(w) >= 2)
    return tokens


@dataclass
class BM25:
    """Okapi BM25 with a sparse (documents × vocabulary) weight matrix.

    Scoring a query is a column sum over its tokens, so it stays fast at 1000× the
    briefing.  ``k1``/``b`` are the usual defaults; ``b`` is lower than 0.75 because
    a long item is not less relevant for being long.
    """

    vocab: dict[str, int]
    weights: sparse.csc_matrix
    k1: float = 1.2
    b: float = 0.5

    @classmethod
    def fit(cls, texts: list[str], k1: float = 1.2, b: float = 0.5) -> "BM25":
        docs = [tokenize(t) for t in texts]
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for row, tokens in enumerate(docs):
            counts: dict[int, int] = {}
            for tok in tokens:
                col = vocab.setdefault(tok, len(vocab))
                counts[col] = counts.get(col, 0) + 1
            rows.extend([row] * len(counts))
            cols.extend(counts)
            vals.extend(counts.values())
        tf = sparse.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(len(docs), max(len(vocab), 1)))
        lengths = np.asarray([len(d) for d in docs], np.float32)
        avg = float(lengths.mean()) if len(docs) and lengths.mean() > 0 else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float32)
        idf = np.log1p((len(docs) - df + 0.5) / (df + 0.5))
        # Turn each stored tf into its BM25 term weight in place.
        norm = k1 * (1 - b + b * lengths / avg)
        tf = tf.tocoo()
        data = tf.data * (k1 + 1) / (tf.data + norm[tf.row]) * idf[tf.col]
        weights = sparse.csc_matrix((data.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
        return cls(vocab=vocab, weights=weights, k1=k1, b=b)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for a tokenized query (unknown tokens ignored)."""
        cols = [self.vocab[t] for t in query_tokens if t in self.vocab]
        if not cols:
            return np.zeros(self.weights.shape[0], np.float32)
        return np.asarray(self.weights[:, cols].sum(axis=1)).ravel()
