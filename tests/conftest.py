"""Shared fixtures.  ``engine``: one real Engine (model + FAISS index) for the whole session."""

import pytest


@pytest.fixture(scope="session")
def engine():
    """The engine on the bundled briefing, default index folder and model (loaded once)."""
    from hrss_qa.retrieval import Engine

    return Engine()
