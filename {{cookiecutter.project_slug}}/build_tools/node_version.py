"""Check the installed Node.js before `make install` installs the CDK CLI.

The minimum is the pinned CDK CLI's own (`engines` in package-lock.json): below
it, the install stops with the reason. A Node past its end of life still
works, with a warning (no more security fixes; jsii prints a banner on every
CDK run). `--minimum` prints the minimum major version. Standard library only:
it runs before anything is installed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

PACKAGE_LOCK = Path(__file__).resolve().parents[1] / "package-lock.json"
CDK_CLI = "node_modules/aws-cdk"
# End of life of each major version, from the Node.js release schedule
# (github.com/nodejs/Release). A major newer than these is not past it.
END_OF_LIFE = {
    18: date(2025, 4, 30),
    19: date(2023, 6, 1),
    20: date(2026, 4, 30),
    21: date(2024, 6, 1),
    22: date(2027, 4, 30),
    23: date(2025, 6, 1),
    24: date(2028, 4, 30),
    25: date(2026, 6, 1),
}


class NodeVersionError(Exception):
    """The installed Node.js cannot run the pinned CDK CLI."""


def minimum_major() -> int:
    lock = json.loads(PACKAGE_LOCK.read_text(encoding="utf-8"))
    engines = lock["packages"][CDK_CLI]["engines"]["node"]
    found = re.fullmatch(r">=\s*(\d+)(\.\d+)*", engines.strip())
    if found is None:
        raise NodeVersionError(f"unexpected engines range for the CDK CLI: {engines!r}")
    return int(found.group(1))


def check(version: str, today: date) -> str | None:
    """A warning for `node --version` output `version`, or None; raises when too old."""
    found = re.fullmatch(r"v?(\d+)\.\d+\.\d+", version.strip())
    if found is None:
        raise NodeVersionError(f"could not read the Node.js version {version!r}")
    major, minimum = int(found.group(1)), minimum_major()
    if major < minimum:
        raise NodeVersionError(
            f"Node.js {version.strip()} is too old for the pinned AWS CDK CLI:"
            f" install Node.js {minimum} or newer (an LTS release)"
        )
    end = END_OF_LIFE.get(major)
    if end is not None and today > end:
        return (
            f"Node.js {major} is past its end of life ({end.isoformat()}): it gets no security"
            " fixes and the CDK warns on every run; it still works, but move to a supported"
            " LTS release"
        )
    return None


def main() -> None:
    if sys.argv[1:] == ["--minimum"]:
        print(minimum_major())
        return
    try:
        version = subprocess.run(
            ["node", "--version"],  # noqa: S607 - the user's Node is the one to check
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        warning = check(version, date.today())
    except (OSError, subprocess.CalledProcessError) as error:
        sys.exit(f"ERROR: could not run `node --version` ({error})")
    except NodeVersionError as error:
        sys.exit(f"ERROR: {error}")
    if warning:
        print(f"WARNING: {warning}", file=sys.stderr)


if __name__ == "__main__":
    main()
