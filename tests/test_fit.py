"""The answer model's numbers come from data: re-fitting on the committed sets reproduces them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "src" / "hrss_qa" / "data" / "answer_model.json"


@pytest.mark.slow
def test_refitting_reproduces_the_bundled_model(tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "model.json"
    run = subprocess.run([sys.executable, "-m", "hrss_qa", "fit", "--out", str(out)], cwd=ROOT,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    fitted, bundled = json.loads(out.read_text()), json.loads(BUNDLED.read_text())
    for part in ("figure", "calibrator", "passage", "sentence"):
        assert fitted[part]["features"] == bundled[part]["features"]
        for a, b in zip(fitted[part]["coef"], bundled[part]["coef"]):
            assert a == pytest.approx(b, abs=1e-3), part
    assert fitted["thresholds"] == pytest.approx(bundled["thresholds"], abs=1e-6)
    assert bundled["report"]["trained_on"] and "blind" not in " ".join(bundled["report"]["trained_on"])
    assert bundled["report"]["held_out"]["wrong_verdicts"] == 0


def test_of_equal_costs_the_threshold_answering_fewer_unanswerable_questions_is_chosen():
    from hrss_qa.answering.fit import Outcome, choose_answer_threshold

    # below 0.4 an unanswerable question is answered (cost 1); above 0.5 an answerable one is declined (cost 1)
    results = [Outcome(0.9, True, True, None), Outcome(0.4, True, True, None), Outcome(0.5, False, False, None)]
    threshold, cost = choose_answer_threshold(results)
    assert cost == 1.0 and 0.5 < threshold <= 0.9
