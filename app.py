"""Start the hrss-qa chat on the bundled briefing: ``python app.py [--host H] [--port P]``.

Serves http://127.0.0.1:7860 by default; the same as ``hrss-qa serve``, without installing
the package.  Settings not given here come from the environment (see README).
"""

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from hrss_qa.ui import launch  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="hrss-qa chat (Gradio)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--feedback", help="feedback JSONL file (default $HRSS_QA_FEEDBACK or ./feedback.jsonl)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    launch(host=args.host, port=args.port, feedback_path=args.feedback)


if __name__ == "__main__":
    main()
