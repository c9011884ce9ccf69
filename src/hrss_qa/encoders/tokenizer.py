"""The ONNX backends' tokenizer: the model's 250,002-piece XLM-R vocabulary, fast to load.

Building the full unigram model from ``tokenizer.json`` takes 1-5 s on the 2-core target (most of a
cold start).  Each graph folder therefore carries a *fast* tokenizer holding only the 100k pieces
made of ASCII, CJK ideographs and CJK/full-width/general punctuation (plus the specials), and the
map from its ids to the full ids.  Its output equals the full tokenizer's whenever it produces no
``<unk>``: every character of every word was then covered by a kept piece, so every piece of the
full vocabulary that could match in that word is kept too, and the Viterbi lattices are identical.
Otherwise (Cyrillic, kana, accents, emoji, ...) the text is tokenized again by a unigram model built
for that text alone from the pieces of the full vocabulary made of its characters (same argument;
see :class:`_FullVocabulary`): the full ``tokenizers`` model would cost ~280 MB of memory for the
rare odd question, this ~10 MB.

:func:`write_fast_tokenizer` writes these files at export and checks them against the full
tokenizer; :class:`FastTokenizer` reads them.

>>> _fast_char("鎮"), _fast_char("é")
(True, False)
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from pathlib import Path

import numpy as np

from .base import ModelUnavailableError

logger = logging.getLogger(__name__)

FAST_TOKENIZER = "tokenizer-fast.json"
FAST_TOKEN_IDS = "tokenizer-fast-ids.npy"
FULL_PIECES = "tokenizer-pieces.txt"  # every piece of the full vocabulary, one per line, in id order
FULL_SCORES = "tokenizer-scores.npy"  # their unigram scores (float64, as in tokenizer.json)
TOKENIZER_FILES = (FAST_TOKENIZER, FAST_TOKEN_IDS, FULL_PIECES, FULL_SCORES)


class DamagedGraphError(RuntimeError):
    """A graph folder's files do not agree with each other or with the manifest's checksums."""


class FastTokenizer:
    """Token ids of the full XLM-R tokenizer, from the trimmed one where that is exact (see module doc)."""

    def __init__(self, folder: Path, max_length: int, fallback_ids: list[int]) -> None:
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.fast = Tokenizer.from_file(str(self.folder / FAST_TOKENIZER))
        self.fast.no_padding()
        self.fast.enable_truncation(max_length)
        self.to_full = np.load(self.folder / FAST_TOKEN_IDS)
        self.fallback_ids = np.asarray(fallback_ids, dtype=np.int64)
        self.max_length = max_length
        self._full: _FullVocabulary | None = None
        self._lock = threading.Lock()
        self.fallbacks = 0  # texts that needed the full vocabulary

    def full(self) -> _FullVocabulary:
        """The full vocabulary (loaded on first need: ~0.3 s, ~10 MB)."""
        with self._lock:
            if self._full is None:
                self._full = _FullVocabulary(self.folder, self.fast, self.to_full, self.max_length)
            return self._full

    def encode(self, texts: list[str]) -> list[np.ndarray]:
        """Full-vocabulary token ids (with ``<s>``/``</s>``, truncated) of each text."""
        # One at a time: encode_batch hands a few short texts to a thread pool, which costs more
        # than it saves (ms, not µs, on a loaded 2-core machine).
        encodings = [self.fast.encode(text) for text in texts]
        out: list[np.ndarray] = []
        redo = []
        for i, encoding in enumerate(encodings):
            ids = np.asarray(encoding.ids, dtype=np.int64)
            if np.isin(ids, self.fallback_ids).any():
                redo.append(i)
            out.append(self.to_full[ids])
        if redo:
            self.fallbacks += len(redo)
            full = self.full()
            for i in redo:
                out[i] = full.encode(texts[i])
        return out


class _FullVocabulary:
    """The full unigram vocabulary, compact, tokenizing one text at a time.

    Pieces are held as one string with offsets and grouped by their first character other than
    ``▁``.  For a text, a unigram model is built from the special tokens, the lowest-scoring
    piece (it sets the score of ``<unk>``) and every piece made only of the normalized text's
    characters and ``▁``: every piece that can match somewhere in the text is among them, so the
    Viterbi lattice and the ids are the full tokenizer's (checked at export on 2,000 texts).
    """

    def __init__(self, folder: Path, template, to_full: np.ndarray, max_length: int) -> None:
        start = time.perf_counter()
        pieces = (folder / FULL_PIECES).read_bytes().decode("utf-8").split("\n")  # not read_text: keeps "\r"
        self.scores: np.ndarray = np.load(folder / FULL_SCORES)
        if len(pieces) != len(self.scores):
            raise DamagedGraphError(f"{FULL_PIECES} has {len(pieces)} pieces, {FULL_SCORES} {len(self.scores)}")
        self.offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
        np.cumsum([len(piece) for piece in pieces], out=self.offsets[1:])
        groups: dict[str, list[int]] = {}
        for i, piece in enumerate(pieces):
            groups.setdefault((piece.lstrip("▁") or piece)[:1], []).append(i)
        self.text = "".join(pieces)
        self.groups = {char: np.asarray(ids, dtype=np.int32) for char, ids in groups.items()}
        self.template = template
        self.max_length = max_length
        # Specials lead every per-text model, in full-id order, and are added tokens there as in the
        # fast tokenizer (so "<mask>" typed in a question stays one token).  The post-processor
        # copied from the fast tokenizer adds <s>/</s> by their fast ids: those must be the same
        # ids, and positions, in the per-text models.
        added = template.get_added_tokens_decoder()
        self.special_tokens = list(added.values())
        self.leading = sorted(int(to_full[i]) for i in added)
        framing = template.encode("").ids
        if any(i >= len(self.leading) or self.leading[i] != i or int(to_full[i]) != i for i in framing):
            raise DamagedGraphError(f"{FAST_TOKENIZER} frames texts with ids {framing}, not at the full ids")
        self.leading.append(int(np.argmin(self.scores)))  # the lowest score sets <unk>'s score
        self.unk_id = self.leading.index(int(to_full[template.token_to_id("<unk>")]))
        logger.info("loaded the full vocabulary (%d pieces) in %.2f s (a text has characters outside the fast "
                    "tokenizer)", len(pieces), time.perf_counter() - start)

    def piece(self, i: int) -> str:
        return self.text[self.offsets[i]:self.offsets[i + 1]]

    def encode(self, text: str) -> np.ndarray:
        """Full-vocabulary ids of ``text``, as the full tokenizer gives them."""
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        chars = set(self.template.normalizer.normalize_str(text)) | {"▁"}
        ids = dict.fromkeys(self.leading)
        for char in chars:
            for i in self.groups.get(char, ()):
                if set(self.piece(i)) <= chars:
                    ids.setdefault(int(i))
        order = list(ids)
        model = Unigram([(self.piece(i), float(self.scores[i])) for i in order], self.unk_id, False)
        tokenizer = Tokenizer(model)
        tokenizer.normalizer = self.template.normalizer
        tokenizer.pre_tokenizer = self.template.pre_tokenizer
        tokenizer.post_processor = self.template.post_processor
        tokenizer.add_special_tokens(self.special_tokens)
        tokenizer.enable_truncation(self.max_length)
        return np.asarray(order, dtype=np.int64)[tokenizer.encode(text).ids]


def _fast_char(c: str) -> bool:
    """Characters the fast tokenizer's pieces are made of: ASCII, CJK ideographs and punctuation."""
    o = ord(c)
    return (c == "▁" or 0x20 <= o < 0x7F or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F)


def write_fast_tokenizer(model_folder: Path, out: Path, check_texts: list[str]) -> dict:
    """Write the trimmed tokenizer and its id map into ``out``; check it against the full one.

    The check runs ``check_texts`` and 2,000 random mixed-script strings through both tokenizers.
    Returns what the manifest records about it.
    """
    from tokenizers import Tokenizer

    data = json.loads((model_folder / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = data["model"]["vocab"]
    unk = int(data["model"]["unk_id"])
    special = {int(a["id"]) for a in data["added_tokens"]}
    lowest = min(range(len(vocab)), key=lambda i: vocab[i][1])  # sets the <unk> score: kept
    keep = [i for i, (piece, _) in enumerate(vocab)
            if i in special or i in (unk, lowest) or all(_fast_char(c) for c in piece)]
    new = {old: n for n, old in enumerate(keep)}
    data["model"]["vocab"] = [vocab[i] for i in keep]
    data["model"]["unk_id"] = new[unk]
    data["added_tokens"] = [dict(a, id=new[int(a["id"])]) for a in data["added_tokens"]]
    for token in (data.get("post_processor") or {}).get("special_tokens", {}).values():
        token["ids"] = [new[int(i)] for i in token["ids"]]
    fallback = sorted({new[unk]} | ({new[lowest]} if not all(_fast_char(c) for c in vocab[lowest][0]) else set()))
    (out / FAST_TOKENIZER).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    np.save(out / FAST_TOKEN_IDS, np.asarray(keep, dtype=np.int64))
    if any("\n" in piece for piece, _ in vocab):
        raise ModelUnavailableError("a piece of the vocabulary contains a newline; cannot store it one per line")
    (out / FULL_PIECES).write_bytes("\n".join(piece for piece, _ in vocab).encode("utf-8"))
    np.save(out / FULL_SCORES, np.asarray([score for _, score in vocab], dtype=np.float64))

    # Same ids as the full tokenizer on the probes and on random mixed-script strings (the ones
    # the fast tokenizer cannot do go through the per-text models of _FullVocabulary).
    full = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
    fast = FastTokenizer(out, 512, fallback)
    rng = random.Random(7)
    alphabet = ([chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
                + list("，。、：；？！「」『』（）《》【】—…‧·　％＋－０１２３ＡＢＣａｂｃ①②éüßñçøΩπДжあアカ한😀\u00a0\u200b\t"))
    common = [piece for piece, _ in data["model"]["vocab"] if len(piece) == 1 and piece != "▁"] + list("  \t\u3000")
    texts = list(check_texts) + ["".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
                           for pool in (alphabet, common) for _ in range(1000)]
    for text, ids in zip(texts, fast.encode(texts)):
        if ids.tolist() != full.encode(text).ids:
            raise ModelUnavailableError(f"the fast tokenizer differs from the full one on {text!r}")
    logger.info("fast tokenizer: %d of %d pieces; %d of %d check texts needed the full vocabulary",
                len(keep), len(vocab), fast.fallbacks, len(texts))
    return {"pieces": len(keep), "of": len(vocab), "fallback_ids": fallback,
            "chars": "ASCII, U+4E00-9FFF, U+3000-303F, U+FF00-FFEF, U+2000-206F, ▁"}
