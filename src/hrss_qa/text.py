"""Text normalization shared by every stage: script conversion and width folding.

The briefing is Traditional Chinese; users ask in Simplified, Traditional or English.
Everything that *matches* text (BM25 tokens, figure labels, keyword checks) goes through
:func:`normalize`, which folds full-width characters and converts to Simplified, so that
「城镇新增就业」 and 「城鎮新增就業」 are the same key.  Text that is *shown* is never
normalized: quotes stay in the briefing's own characters.

>>> normalize("１-3月城鎮新增就業２９７萬人")
'1-3月城镇新增就业297万人'
>>> detect_script("一季度城镇新增就业多少人？")
'zh-Hans'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

import opencc

Script = Literal["zh-Hans", "zh-Hant", "en"]

# Lone surrogates (from JSON clients or undecodable argv bytes) cannot even be encoded.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def fold_width(text: str) -> str:
    """Full-width ASCII (digits, letters, ``，``-style punctuation) to half-width.

    Only the FF01–FF5E block and the ideographic space are folded, so Chinese
    punctuation such as 「」 and 。 is left alone.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def clean(text: str) -> str:
    """Replace lone surrogates, drop invisible format characters (zero-width, bidi, soft
    hyphen: Unicode category Cf), blank out controls, NFC-normalize and fold width."""
    text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _CONTROL.sub(" ", text)
    return fold_width(text)


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC ``t2s``); Simplified and ASCII pass through."""
    return _converter("t2s").convert(text)


# OpenCC's standard forms where the briefing (mainland-published Traditional) writes another.
_SOURCE_FORMS = str.maketrans({"爲": "為", "佈": "布", "裏": "裡", "衆": "眾", "綫": "線"})


def to_traditional(text: str) -> str:
    """Simplified → Traditional (OpenCC ``s2t``), in the character forms the briefing uses."""
    return _converter("s2t").convert(text).translate(_SOURCE_FORMS)


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """The matching key of a text: cleaned, width-folded, Simplified, lower-case Latin.

    Cached: the same passages, sentences and labels are matched against every question.
    """
    return to_simplified(clean(text)).lower()


def detect_script(text: str) -> Script:
    """Guess the script a question is written in.

    English when it has no Han characters; Traditional when converting to Simplified
    changes more characters than converting to Traditional does (ties go to Simplified,
    the most common input).
    """
    han = "".join(_HAN.findall(text))
    if not han:
        return "en"
    changed_by_t2s = sum(a != b for a, b in zip(han, to_simplified(han)))
    changed_by_s2t = sum(a != b for a, b in zip(han, to_traditional(han)))
    return "zh-Hant" if changed_by_t2s > changed_by_s2t else "zh-Hans"


def to_script(text: str, script: Script) -> str:
    """Render generated answer text in the asker's script (English stays Simplified)."""
    if script == "zh-Hant":
        return to_traditional(text)
    return to_simplified(text)


def has_han(text: str) -> bool:
    """True when the text contains at least one Chinese character."""
    return bool(_HAN.search(text))
