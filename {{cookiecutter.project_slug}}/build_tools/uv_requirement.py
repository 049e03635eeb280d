"""Print pip's requirement line for the uv that uv.lock pins, with its hashes.

`make install` installs uv with it when uv is not on PATH, so that download too
is checked against the lock (`pip install --require-hashes`). Standard library
only: it runs before anything is installed.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

LOCK = Path(__file__).resolve().parents[1] / "uv.lock"


def uv_requirement(lock_text: str) -> str:
    [uv] = [package for package in tomllib.loads(lock_text)["package"] if package["name"] == "uv"]
    files = [uv["sdist"], *uv["wheels"]] if "sdist" in uv else uv["wheels"]
    return " ".join([f"uv=={uv['version']}", *(f"--hash={file['hash']}" for file in files)])


if __name__ == "__main__":
    sys.stdout.write(uv_requirement(LOCK.read_text(encoding="utf-8")) + "\n")
