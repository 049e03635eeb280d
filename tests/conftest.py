from __future__ import annotations

import pytest

from .baking import SKIP_INSTALL


@pytest.fixture(autouse=True)
def _no_installs_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bakes skip the post-generation install unless a test opts back in."""
    for name, value in SKIP_INSTALL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("JSON_CONFIG_OVERRIDE", raising=False)
