from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import progress
from .baking import KIT_DIR, SKIP_INSTALL

# The kit's tests (tests/kit) test this checkout's kit, whichever the environment installed.
sys.path.insert(0, str(KIT_DIR / "src"))

COOKIECUTTER_CONFIG = "COOKIECUTTER_CONFIG"


def pytest_configure(config: pytest.Config) -> None:
    progress.register(config)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: a worker more than the CPUs, as many tests wait on subprocesses
    and downloads."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests (real installs, then downloads) first, so that no
    worker starts one of them while the others run out of work."""
    items.sort(
        key=lambda item: (
            0 if item.get_closest_marker("slow") else 1 if item.get_closest_marker("network") else 2
        )
    )


@pytest.fixture(autouse=True, scope="session")
def cookiecutter_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Cookiecutter's user folders (replays, cloned templates) for this test run, so
    bakes through its API or command line never write to the real home directory.
    (pytest-cookies' own fixtures already use a config of their own.)"""
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    folders = {"replay_dir": str(home / "replay"), "cookiecutters_dir": str(home / "templates")}
    config.write_text(json.dumps(folders), encoding="utf-8")  # JSON is YAML
    previous = os.environ.get(COOKIECUTTER_CONFIG)
    os.environ[COOKIECUTTER_CONFIG] = str(config)
    yield home
    if previous is None:
        del os.environ[COOKIECUTTER_CONFIG]
    else:
        os.environ[COOKIECUTTER_CONFIG] = previous


@pytest.fixture(autouse=True)
def _no_installs_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bakes skip the post-generation install unless a test opts back in."""
    for name, value in SKIP_INSTALL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("JSON_CONFIG_OVERRIDE", raising=False)
