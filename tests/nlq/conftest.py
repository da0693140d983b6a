"""Fixtures for the query box: the sample factory's vocabulary, no warehouse needed."""

from __future__ import annotations

import pytest

from tests.nlq.dims import sample_vocabulary


@pytest.fixture(scope="session")
def vocab():
    return sample_vocabulary()
