"""Build hook: the bundled briefing(s) and question sets go into the wheel as package data.

They live at the top of the repository (``corpus/``, ``eval/``), where a checkout reads them
directly; a built package carries copies under ``hrss_qa/data/`` (see ``src/hrss_qa/bundled.py``).
Everything else about the package is declared in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {"corpus": ("*.txt", "*.json"), "eval": ("*.jsonl",)}  # repository folder -> files copied


class build_py_with_bundled_data(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads corpus/ and eval/ in place
            return
        for folder, patterns in BUNDLED.items():
            target = Path(self.build_lib) / "hrss_qa" / "data" / folder
            target.mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                for source in sorted((ROOT / folder).glob(pattern)):
                    shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": build_py_with_bundled_data})
