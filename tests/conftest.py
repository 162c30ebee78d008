"""Shared fixtures."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TINY_DIR = FIXTURES / "tiny"


@pytest.fixture(scope="session")
def tiny_dataset():
    """The hand-written tiny dataset (Tiền Giang, Krông Bông, Cư Pui; see its CSVs)."""
    from forecast.data.dataset import load

    return load(TINY_DIR)
