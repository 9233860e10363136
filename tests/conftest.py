"""Shared fixtures: the real knowledge base and one model host for the whole session."""

from __future__ import annotations

import pytest

from bot.knowledge import Knowledge, get_knowledge
from bot.nlu import Classifier
from bot.settings import get_settings


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return get_knowledge()


@pytest.fixture(scope="session")
def classifier(knowledge: Knowledge):
    """The trained model (models/nlu.tar.gz, built by `make test`), loaded once."""
    with Classifier(get_settings(), knowledge=knowledge) as clf:
        yield clf
