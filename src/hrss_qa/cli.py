"""Command line: ``hrss-qa build | search | ask | figures | serve | eval``.

Options before (or after) the command set the :class:`~hrss_qa.settings.Settings`; each falls back
to its ``HRSS_QA_*`` variable, then to the default.  Output is the result only: warnings and
errors go to stderr, and ``-v`` adds what is being loaded (``-vv``: debug).

>>> main(["search", "一季度城镇新增就业多少人？", "-k", "1"])   # doctest: +ELLIPSIS
[1] ...  一、就業 › 工作進展情況  (hrss-2023q1-briefing ...)
    1-3月城鎮新增就業297萬人,3月份全國城鎮調查失業率為5.3%,就業局勢保持總體平穩。
    figures: ...城鎮新增就業 297萬人...
0
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path

from .settings import BACKENDS, Settings
from .text import to_simplified


def _engine(settings: Settings, rebuild: bool = False):
    from .engine import Engine   # the answering engine: retrieval as hrss_qa.retrieve does it

    return Engine(settings=settings, rebuild=rebuild)


def _cmd_build(args, settings: Settings) -> int:
    engine = _engine(settings, rebuild=True)
    m = engine.index.manifest
    print(f"index {engine.index_dir}: {m.n_passages} passages, {m.n_sentences} sentences, "
          f"{m.vector_index}, model {m.model}, built in {m.build_seconds:.1f} s")
    return 0


def _cmd_search(args, settings: Settings) -> int:
    hits = _engine(settings).retrieve(args.question, k=args.k)
    if args.json:
        print(json.dumps([_hit_json(h) for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("(empty question)")
    for h in hits:
        print(f"[{h.rank}] {h.score:.3f}  {h.section}  ({h.doc_id} {h.start}-{h.end})")
        print(f"    {h.text}")
        if h.figures:
            print("    figures: " + "; ".join(f"{f.label or '?'} {f.text}" for f in h.figures))
    return 0


def _cmd_ask(args, settings: Settings) -> int:
    from .answering import answer_with

    result = answer_with(_engine(settings), args.question)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(result.text)
    print()
    say = (lambda text: text) if result.script == "zh-Hant" else to_simplified
    print(say("相關段落（僅供參考）" if result.abstained else "出處"))
    for c in result.citations:
        print(f"[{c.number}] {c.hit.section}")
        print(f"    「{c.quote}」")
    if result.figures and not result.abstained:
        print(say("數字: ") + "; ".join(f"{f.label} {f.text} = {f.display_value}" for f in result.figures))
    return 0


def _cmd_figures(args, settings: Settings) -> int:
    from .corpus import load_corpus
    from .figure_table import csv_bytes, figure_rows, filter_rows, parse_filter, rows_csv

    words = " ".join(args.filter)
    query = parse_filter(words)
    if query.ignored:
        print(f"hrss-qa: ignored words the glossary does not know: {', '.join(query.ignored)}", file=sys.stderr)
    rows = filter_rows(figure_rows(load_corpus(settings.corpus_dir)), query)
    if args.csv == "-":
        sys.stdout.write(rows_csv(rows))
    elif args.csv:
        target = Path(args.csv)
        partial = target.with_name(f".{target.name}.part")  # never leave a half-written file
        partial.write_bytes(csv_bytes(rows))
        partial.replace(target)
        print(f"{len(rows)} figures → {target}", file=sys.stderr)
    elif args.json:
        print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
    else:
        for r in rows:
            period = f"  ({r.period})" if r.period else ""
            print(f"{r.number:>4}  {r.section}  {r.label or '—'}  {r.text} = {r.display_value}{period}")
    if not rows:
        print(f"hrss-qa: no figures match {words!r}", file=sys.stderr)
    return 0


def _cmd_serve(args, settings: Settings) -> int:
    from .ui import launch

    launch(host=args.host, port=args.port, settings=settings)
    return 0


def _cmd_eval(args, settings: Settings) -> int:
    from .evaluation import run_cli

    return run_cli(args, settings)


DEV_SETS = ("questions.jsonl", "holdout*.jsonl", "train*.jsonl")


def _cmd_fit(args, settings: Settings) -> int:
    import fnmatch

    from . import bundled
    from .answering.fit import fit
    from .answering.model import MODEL_FILE
    from .answering.pipeline import Answerer

    # The development sets; a blind set is kept out of fitting until it has been measured.
    files = [Path(f) for f in args.questions] or sorted(
        (f for f in bundled.questions_dir().iterdir() if any(fnmatch.fnmatch(f.name, p) for p in DEV_SETS)),
        key=lambda f: f.name)
    model = fit(Answerer(_engine(settings)), files)
    out = Path(args.out) if args.out else Path(__file__).resolve().parent / "data" / MODEL_FILE
    model.save(out)
    print(f"answer model written to {out}")
    return 0


def _hit_json(hit) -> dict:
    data = asdict(hit)
    data["figures"] = [asdict(f) for f in hit.figures]
    data.pop("sentence_scores", None)
    data.pop("sentence_lexical", None)
    return data


_BACKEND_HELP = "embedding backend of the default model: torch, onnx or onnx-int8 ($HRSS_QA_BACKEND; default onnx-int8)"
_VERBOSE_HELP = "show what is loaded and built (INFO); twice for debug output"
_STORE_HELP = ("where the vectors live: faiss (default), milvus-lite (a Milvus Lite database in the index folder), "
               "FILE.db (Milvus Lite there) or http://host:19530 (a Milvus server; token in $HRSS_QA_MILVUS_TOKEN); "
               "$HRSS_QA_STORE")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hrss-qa", description="Cited, offline QA over MOHRSS press briefings.")
    parser.add_argument("--corpus", help="folder of briefings (default: the bundled briefing; $HRSS_QA_CORPUS)")
    parser.add_argument("--index", help="index folder (default: index/ in a checkout, else under the cache; "
                                        "$HRSS_QA_INDEX)")
    parser.add_argument("--model", help="sentence-transformers model id or folder, or 'default' ($HRSS_QA_MODEL)")
    parser.add_argument("--cache", help="cache folder for the converted model (default ~/.cache/hrss-qa; $HRSS_QA_CACHE)")
    parser.add_argument("--backend", choices=BACKENDS, help=_BACKEND_HELP)
    parser.add_argument("--store", help=_STORE_HELP)
    parser.add_argument("-v", "--verbose", action="count", default=0, help=_VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("build", help="(re)build the index").set_defaults(func=_cmd_build)

    p = sub.add_parser("search", help="retrieve cited passages")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations")
    p.add_argument("question")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_ask)

    p = sub.add_parser("figures", help="every figure of the briefings, optionally filtered (no model needed)")
    p.add_argument("filter", nargs="*", help="words to match (all of them): Simplified, Traditional or English")
    p.add_argument("--csv", metavar="FILE", help="write CSV (UTF-8 with BOM, for Excel) to FILE; '-' = stdout, no BOM")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=_cmd_figures)

    p = sub.add_parser("serve", help="start the chat UI")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--feedback", help="feedback JSONL path (default ./feedback.jsonl; $HRSS_QA_FEEDBACK)")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("eval", help="evaluate on a question set")
    p.add_argument("--questions", help="JSONL question file (default: eval/questions.jsonl)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-baselines", action="store_true", help="skip the dense/BM25/naive-chunk baselines")
    for name in ("hit1", "hit5", "mrr", "figure", "abstain-recall"):
        p.add_argument(f"--min-{name}", type=float, help=f"exit 1 when {name} falls below this")
    p.add_argument("--max-false-abstain", type=float, help="exit 1 when false abstention exceeds this")
    p.add_argument("--max-wrong-verdicts", type=int, help="exit 1 when more yes/no verdicts than this are wrong")
    p.add_argument("--conversations", help="JSONL conversation chains: report follow-up accuracy instead")
    p.add_argument("--min-followup", type=float, help="with --conversations: exit 1 below this follow-up accuracy")
    p.add_argument("--backends", help="compare embedding backends side by side, e.g. torch,onnx,onnx-int8 "
                                      "(each on its own temporary index)")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("fit", help="fit the answer model's weights and thresholds on question sets (needs scikit-learn)")
    p.add_argument("questions", nargs="*", help="JSONL question files (default: the development sets in eval/)")
    p.add_argument("--out", help="where to write the model (default: the bundled data/answer_model.json)")
    p.set_defaults(func=_cmd_fit)
    for sub_parser in sub.choices.values():  # also after the command; SUPPRESS keeps the top-level value
        sub_parser.add_argument("--backend", choices=BACKENDS, default=argparse.SUPPRESS, help=_BACKEND_HELP)
        sub_parser.add_argument("--store", default=argparse.SUPPRESS, help=_STORE_HELP)
        sub_parser.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help=_VERBOSE_HELP)
    return parser


def configure_logging(verbosity: int = 0) -> None:
    """Warnings only by default; ``1``: INFO (our loading lines, faiss's loader, httpx); ``2``: DEBUG.

    faiss logs nine INFO lines on import (AVX512/AVX2 modules this wheel does not ship) and httpx one
    per request of the chat's own health checks: noise unless asked for.
    """
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(max(verbosity, 0), 2)]
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s" if verbosity else "hrss-qa: %(levelname)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, datefmt="%H:%M:%S")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        settings = Settings.resolve(corpus_dir=args.corpus, index_dir=args.index, model=args.model,
                                    backend=args.backend, cache_dir=args.cache, store=args.store,
                                    feedback_path=getattr(args, "feedback", None))
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `hrss-qa ask … | head -1`: the reader has gone, which is not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except (OSError, ValueError, RuntimeError) as exc:
        logging.getLogger("hrss_qa").debug("failed", exc_info=True)
        print(f"hrss-qa: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
