"""The deployable static files: each file under the app's `static/` under a
name carrying a hash of its content, and the manifest that maps the plain
names to them (see the app's static_files.py).

    python -m build_tools.static_assets [--output DIR]   # writes build/static

The stack builds them at synth and deploys them to S3 under `static/`, each
with `CACHE_CONTROL` (infra/static_files.py); the bundle builder writes the
manifest into the Lambda bundle (bundle.py). Both call `manifest()` on the same
files, and synth refuses a bundle whose manifest differs. Anything that serves
the built files (a local stand-in for CloudFront too) takes the directory and
the headers from `build()` and `headers()`.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from serverless_flask_kit.static_files import URL_PATH

from {{ cookiecutter.package_name }}.settings import load_settings

from .tools import replaced_whole

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = PROJECT_ROOT / "build" / "static"
# A file's name changes with its content, so a copy may be kept for good.
CACHE_CONTROL = "public, max-age=31536000, immutable"
# Hex digits of the SHA-256 kept in a name: 48 bits, no collision among a
# site's files in practice.
HASH_LENGTH = 12


def source_dir(package_dir: Path) -> Path:
    """The app's static folder, as Flask serves it locally."""
    return package_dir / URL_PATH.strip("/")


def fingerprinted_name(name: str, content: bytes) -> str:
    """`css/site.css` -> `css/site.<hash>.css` (the hash of `content`)."""
    path = PurePosixPath(name)
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def static_files(source: Path) -> list[Path]:
    """The files to publish: all under `source` but hidden ones (.DS_Store, ...)."""
    return sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(source).parts)
    )


def manifest(source: Path) -> dict[str, str]:
    """{name under `source`: its fingerprinted name}; {} without a static folder."""
    if not source.is_dir():
        return {}
    return {
        path.relative_to(source).as_posix(): fingerprinted_name(
            path.relative_to(source).as_posix(), path.read_bytes()
        )
        for path in static_files(source)
    }


def headers(name: str) -> dict[str, str]:
    """The headers a built file is served with (S3 object metadata when deployed)."""
    content_type, _ = mimetypes.guess_type(name)
    return {
        "Cache-Control": CACHE_CONTROL,
        "Content-Type": content_type or "application/octet-stream",
    }


@dataclass(frozen=True)
class BuiltStaticFiles:
    directory: Path  # the fingerprinted files, laid out as under URL_PATH
    manifest: dict[str, str]

    def headers(self, name: str) -> dict[str, str]:
        return headers(name)


def build(source: Path, output: Path) -> BuiltStaticFiles:
    """Write the fingerprinted copies of `source`'s files into `output`, replacing it."""
    names = manifest(source)
    with replaced_whole(output) as staging:
        for name, hashed in names.items():
            target = staging / hashed
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target)
    return BuiltStaticFiles(output, names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m build_tools.static_assets", description=__doc__
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args(argv)
    source = source_dir(PROJECT_ROOT / load_settings().package_name)
    built = build(source, arguments.output.resolve())
    for name, hashed in built.manifest.items():
        print(f"{URL_PATH}/{name} -> {URL_PATH}/{hashed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
