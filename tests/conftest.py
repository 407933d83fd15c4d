"""Fixtures shared by every pytest suite (tests/interop, tests/stream): the tidelake binary."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def tidelake_bin() -> str:
    path = os.environ.get("TIDELAKE_BIN", str(ROOT / "build" / "release" / "tidelake"))
    if not Path(path).exists():
        pytest.fail(f"tidelake binary not found at {path}: build it first (scripts/test.sh does)")
    return path
