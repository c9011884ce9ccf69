"""Shared fixtures.  ``engine``: one real Engine (model + FAISS index) for the whole session."""

import pytest


@pytest.fixture(scope="session")
def engine():
    """The engine on the bundled briefing, default index folder and model (loaded once).

    It is the process-wide default engine, so the doctests (``hrss_qa.retrieve`` …) share it.
    """
    from hrss_qa.engine import default_engine

    return default_engine()
