"""Shared fixtures. Real data lives in ../shared/data beside the repository (or $SVAG_SHARED_DATA);
tests that need it fail loudly when it is missing instead of skipping."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# property tests draw the same examples on every run: CI stays reproducible
settings.register_profile("svag", derandomize=True, deadline=None)
settings.load_profile("svag")

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    root = Path(os.environ.get("SVAG_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not (root / "README.md").is_file():
        raise FileNotFoundError(
            f"svag's real-data pack was not found at {root}: the tests need ../shared/data beside the "
            "repository (or SVAG_SHARED_DATA pointing at it)")
    return root


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return shared_data_dir()
