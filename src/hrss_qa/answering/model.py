"""Stage 3 — ``rank``: the fitted answer model (weights and thresholds come from data).

Two logistic models, fitted by :mod:`hrss_qa.answering.fit` on the project's question sets
and saved with their provenance in ``data/answer_model.json``:

* the **figure model** chooses the figure a question is about among its candidates (a
  conditional logit: a softmax over one question's candidates), and a **calibrator** turns that
  choice and the constraints the chosen figure does not meet into the answer's confidence;
* the **passage model** gives a fact answer (a quoted sentence) the probability that its passage
  is the right one.

The thresholds (answer or abstain; give a yes/no verdict or only state the figure) are chosen
on cross-validated predictions by the policy recorded in the same file.  Prediction needs only
numpy; fitting needs scikit-learn.

>>> model = load_model()
>>> model.figure.features[:3]
('card', 'card_gap', 'card_best')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

MODEL_FORMAT = 1
MODEL_FILE = "answer_model.json"
# The calibrator's first inputs (the best candidate's constraint flags follow).
CALIBRATOR_FEATURES = ("top_logit", "margin")


class ModelError(ValueError):
    """The answer model file is missing, malformed, or fitted for other features."""


@dataclass(frozen=True)
class Logistic:
    """A standardized logistic model: p = σ(((x − mean) / scale) · coef + intercept)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Probabilities for a (n, features) array."""
        rows = np.atleast_2d(np.asarray(rows, dtype=float))
        if rows.shape[1] != len(self.features):
            raise ModelError(f"expected {len(self.features)} features, got {rows.shape[1]}")
        z = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def choice(self, rows: np.ndarray) -> np.ndarray:
        """A softmax over the rows (one query's candidates): the probability that each is the one."""
        rows = np.atleast_2d(np.asarray(rows, dtype=float))
        z = ((rows - self.mean) / self.scale) @ self.coef
        z = np.exp(z - z.max())
        return z / z.sum()

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """Each feature's part of the logit for one row (why a candidate scored as it did)."""
        z = (np.asarray(row, dtype=float) - self.mean) / self.scale * self.coef
        return dict(zip(self.features, z.tolist()))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict) -> "Logistic":
        arrays = [np.asarray(data[k], dtype=float) for k in ("mean", "scale", "coef")]
        names = tuple(data["features"])
        if any(len(a) != len(names) for a in arrays):
            raise ModelError("feature names and weights differ in length")
        return cls(names, *arrays, float(data["intercept"]))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def ranking_summary(scores: list[float], flags: tuple[float, ...]) -> tuple[float, ...]:
    """The calibrator's inputs: the chosen candidate's score (first in ``scores``) as a logit, its
    lead over the best of the others (in logits), then its fit flags (features.FIT_FLAGS)."""
    top = _logit(scores[0])   # the chosen candidate's score comes first
    second = _logit(max(scores[1:])) if len(scores) > 1 else top - 10.0
    return (top, top - second, *flags)


@dataclass(frozen=True)
class AnswerModel:
    """The fitted state of the answer stages.

    ``figure`` chooses among one query's candidates (a softmax over their scores, fitted as a
    conditional logit); ``calibrator`` turns the ranking (best score, its lead,
    the constraints it does not meet) into the probability that the best figure is the right answer — the answer's
    confidence.  ``answer_threshold``: below it a figure answer abstains; ``verdict_threshold``: below it a
    yes/no question gets the figure without a verdict; ``passage_threshold``: below it a fact
    answer abstains.  ``hard_flags``: fit flags that no gold answer of the training sets raised
    (a change asked where a level is given, a named scheme the passage lacks…); a figure that
    raises one is not stated, whatever the confidence.  ``sentence`` chooses the sentence a fact answer
    quotes among its passage's (None: retrieval's best sentence).  ``report`` holds what it was fitted on and its cross-validated scores.
    """

    figure: Logistic
    passage: Logistic
    calibrator: Logistic
    answer_threshold: float
    verdict_threshold: float
    passage_threshold: float
    report: dict = field(default_factory=dict, compare=False)
    hard_flags: tuple[str, ...] = ()
    sentence: Logistic | None = None   # which sentence of a fact answer's passage to quote (a softmax)
    version: int = MODEL_FORMAT

    def to_dict(self) -> dict:
        return {"format": self.version, "figure": self.figure.to_dict(), "passage": self.passage.to_dict(),
                "calibrator": self.calibrator.to_dict(),
                "thresholds": {"answer": self.answer_threshold, "verdict": self.verdict_threshold,
                               "passage": self.passage_threshold},
                "hard_flags": list(self.hard_flags),
                **({"sentence": self.sentence.to_dict()} if self.sentence is not None else {}),
                "report": self.report}

    @classmethod
    def from_dict(cls, data: dict) -> "AnswerModel":
        if data.get("format") != MODEL_FORMAT:
            raise ModelError(f"answer model format {data.get('format')!r}, this version reads {MODEL_FORMAT}")
        t = data["thresholds"]
        return cls(Logistic.from_dict(data["figure"]), Logistic.from_dict(data["passage"]),
                   Logistic.from_dict(data["calibrator"]), float(t["answer"]),
                   float(t["verdict"]), float(t["passage"]), data.get("report", {}),
                   tuple(data.get("hard_flags", ())),
                   Logistic.from_dict(data["sentence"]) if "sentence" in data else None)

    def confidence(self, scores: list[float], flags: tuple[float, ...]) -> float:
        """Calibrated probability that the best candidate (of these scores, with these fit
        flags) is the right answer."""
        if not scores:
            return 0.0
        return float(self.calibrator.predict([ranking_summary(scores, flags)])[0])

    def save(self, path: Path | str) -> None:
        """Write the model as JSON (the inverse of :func:`load_model`)."""
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_model(path: Path | str | None = None, figure_features: tuple[str, ...] | None = None,
               passage_features: tuple[str, ...] | None = None,
               calibrator_features: tuple[str, ...] | None = None,
               sentence_features: tuple[str, ...] | None = None) -> AnswerModel:
    """The model in ``path`` (default: the bundled ``data/answer_model.json``).

    When feature names are given they must be the ones the model was fitted with: a model of
    another feature set would silently weigh the wrong numbers.
    """
    try:
        text = (Path(path).read_text(encoding="utf-8") if path is not None
                else resources.files("hrss_qa").joinpath("data", MODEL_FILE).read_text(encoding="utf-8"))
        model = AnswerModel.from_dict(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"cannot read the answer model {path or MODEL_FILE}: {exc}. "
                         "Re-fit it with `hrss-qa fit`.") from exc
    for want, have, name in ((figure_features, model.figure.features, "figure"),
                             (passage_features, model.passage.features, "passage"),
                             (calibrator_features, model.calibrator.features, "calibrator"),
                             (sentence_features, model.sentence.features if model.sentence else None, "sentence")):
        if want is not None and have is not None and tuple(want) != tuple(have):
            raise ModelError(f"the {name} model was fitted for other features ({len(have)} vs {len(want)}); "
                             "re-fit it with `hrss-qa fit`")
    return model


@lru_cache(maxsize=1)
def bundled_model() -> AnswerModel:
    """The bundled model, checked against this version's feature lists (loaded once)."""
    from .confidence import PASSAGE_FEATURES, SENTENCE_FEATURES
    from .features import FEATURES, FIT_FLAGS

    return load_model(figure_features=FEATURES, passage_features=PASSAGE_FEATURES,
                      calibrator_features=CALIBRATOR_FEATURES + FIT_FLAGS, sentence_features=SENTENCE_FEATURES)
