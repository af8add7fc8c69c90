"""Fixtures over the synthetic records in records.py."""

from __future__ import annotations

import copy

import pytest

from .records import CATALOGUE, RUN


@pytest.fixture
def catalogue() -> dict:
    return copy.deepcopy(CATALOGUE)


@pytest.fixture
def run() -> dict:
    return copy.deepcopy(RUN)
