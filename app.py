"""Start the hrss-qa chat on the bundled briefing: ``python app.py [--host H] [--port P] [--feedback F] [-v]``.

Serves http://127.0.0.1:7860 by default; exactly ``hrss-qa serve``, without installing the
package.  Settings not given here come from the environment (see README: Configuration).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from hrss_qa.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
