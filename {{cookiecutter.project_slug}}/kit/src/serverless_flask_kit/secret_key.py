"""Where Flask's session secret key lives, and how it is created exactly once.

The key document: {"current": "<hex>", "fallbacks": [{"key": "<hex>", "retired_at": <s>}]}.
`current` signs new cookies; `fallbacks`, retired by a rotation, still verify older ones.
Instances racing to create it all end up with one key: `S3KeyStore` (deployed) writes it
with a conditional put, `LocalFileKeyStore` (`make dev`, no AWS) with a hard link.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

KEY_BYTES = 32
KEY_HEX_DIGITS = 2 * KEY_BYTES  # keys are stored as secrets.token_hex writes them
HEX_DIGITS = frozenset("0123456789abcdef")

# A lost conditional write: 412, or 409 while the competing upload is in flight.
RACE_LOST_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})
UPDATE_ATTEMPTS = 5
CREATE_ATTEMPTS = 5
CONFLICT_BACKOFF_SECONDS = 0.05  # then 0.1, 0.15, ...: an upload of 200 bytes is quick

# A hung S3 gets a session page 503 after S3_ATTEMPTS x (connect + read) seconds, not
# API Gateway's 29 s timeout; a healthy one answers in well under a second.
S3_CONNECT_TIMEOUT = 1
S3_READ_TIMEOUT = 2
S3_ATTEMPTS = 2  # the first try and one retry


class KeyDocumentError(ValueError):
    """The stored key document is not what this module writes."""


@dataclass(frozen=True)
class RetiredKey:
    key: str
    retired_at: int  # unix seconds


@dataclass(frozen=True)
class SecretKeys:
    current: str
    fallbacks: tuple[RetiredKey, ...] = field(default=())

    @classmethod
    def generate(cls) -> SecretKeys:
        return cls(current=secrets.token_hex(KEY_BYTES))

    @property
    def fallback_keys(self) -> list[str]:
        """The retired keys that still verify, oldest first (SECRET_KEY_FALLBACKS' order)."""
        return [retired.key for retired in reversed(self.fallbacks)]

    @property
    def verification_keys(self) -> list[str]:
        """Every key that may verify a cookie, the signing key last (itsdangerous' order)."""
        return [*self.fallback_keys, self.current]

    def rotated(self, now: int, keep_for: int) -> SecretKeys:
        """A new signing key; the old one verifies for `keep_for` more seconds.

        Fallbacks retired more than `keep_for` seconds ago are dropped: a cookie
        signed before then is past the session lifetime and refused anyway.
        """
        kept = tuple(old for old in self.fallbacks if now - old.retired_at < keep_for)
        return SecretKeys(
            current=secrets.token_hex(KEY_BYTES),
            fallbacks=(RetiredKey(self.current, now), *kept),
        )

    def to_json(self) -> str:
        fallbacks = [{"key": old.key, "retired_at": old.retired_at} for old in self.fallbacks]
        return json.dumps({"current": self.current, "fallbacks": fallbacks})

    @classmethod
    def from_json(cls, text: str | bytes) -> SecretKeys:
        try:
            data = json.loads(text)
            current = data["current"]
            fallbacks = tuple(
                RetiredKey(old["key"], int(old["retired_at"])) for old in data.get("fallbacks", [])
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise KeyDocumentError(f"unreadable secret key document: {error!r}") from None
        if not all(_is_key(key) for key in (current, *(old.key for old in fallbacks))):
            raise KeyDocumentError(f"secret keys must be {KEY_HEX_DIGITS} lower-case hex digits")
        return cls(current=current, fallbacks=fallbacks)


def _is_key(value: Any) -> bool:
    return isinstance(value, str) and len(value) == KEY_HEX_DIGITS and HEX_DIGITS.issuperset(value)


def changed(
    read: Callable[[], SecretKeys],
    change: Callable[[SecretKeys], SecretKeys],
    replace_unreadable: bool,
) -> SecretKeys:
    """`change(read())`; with `replace_unreadable`, new keys for an unreadable document."""
    try:
        stored = read()
    except KeyDocumentError:
        if not replace_unreadable:
            raise
        return SecretKeys.generate()
    return change(stored)


class KeyStore(Protocol):
    def load_or_create(self) -> SecretKeys:
        """Return the stored keys, creating them first if there are none."""
        ...

    def update(
        self, change: Callable[[SecretKeys], SecretKeys], replace_unreadable: bool = False
    ) -> SecretKeys:
        """Store and return `change(stored)`; an unreadable document raises
        `KeyDocumentError`, or with `replace_unreadable` is replaced by new keys."""
        ...


class S3KeyStore:
    """The key document as an S3 object, created on first use."""

    def __init__(self, bucket: str, key: str, client: Any = None) -> None:
        self.bucket = bucket
        self.key = key
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # deferred: costs ~130 ms at cold start
            from botocore.config import Config

            self._client = boto3.client(
                "s3",
                config=Config(
                    connect_timeout=S3_CONNECT_TIMEOUT,
                    read_timeout=S3_READ_TIMEOUT,
                    retries={"mode": "standard", "total_max_attempts": S3_ATTEMPTS},
                ),
            )
        return self._client

    def load_or_create(self) -> SecretKeys:
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            stored = self._read(denied_means_missing=True)
            if stored is not None:
                return stored[0]
            created = SecretKeys.generate()
            lost = self._write(created, IfNoneMatch="*")
            if lost is None:
                return created
            if lost == "PreconditionFailed":
                # Another instance created it first (or the 403 was real: this read raises it).
                winner = self._read()
                if winner is None:
                    raise RuntimeError(f"s3://{self.bucket}/{self.key} vanished during creation")
                return winner[0]
            if attempt < CREATE_ATTEMPTS:  # 409: the winner's upload is in flight
                time.sleep(CONFLICT_BACKOFF_SECONDS * attempt)
        raise RuntimeError(f"s3://{self.bucket}/{self.key} was still being created; try again")

    def update(
        self, change: Callable[[SecretKeys], SecretKeys], replace_unreadable: bool = False
    ) -> SecretKeys:
        """Read-modify-write that never overwrites a concurrent change."""
        for _ in range(UPDATE_ATTEMPTS):
            stored = self._read_document()
            if stored is None:
                new = change(SecretKeys.generate())
                condition = {"IfNoneMatch": "*"}
            else:
                document, etag = stored
                parse = partial(SecretKeys.from_json, document)
                new = changed(parse, change, replace_unreadable)
                condition = {"IfMatch": etag}
            if self._write(new, **condition) is None:
                return new
        raise RuntimeError(f"s3://{self.bucket}/{self.key} kept changing; try again")

    def _read(self, denied_means_missing: bool = False) -> tuple[SecretKeys, str] | None:
        """The stored keys and the object's ETag, or None if there is no object."""
        stored = self._read_document(denied_means_missing)
        return None if stored is None else (SecretKeys.from_json(stored[0]), stored[1])

    def _read_document(self, denied_means_missing: bool = False) -> tuple[bytes, str] | None:
        """The stored document and its ETag, or None if there is no object.

        The function may not list the bucket, so S3 reports a missing object as 403, not
        404: `denied_means_missing` says so (safe before a conditional create).
        """
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except self.client.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "NoSuchKey" or (denied_means_missing and code == "AccessDenied"):
                return None
            raise
        return response["Body"].read(), response["ETag"]

    def _write(self, keys: SecretKeys, **condition: str) -> str | None:
        """Put `keys` if `condition` holds: None, or S3's code if another writer got there first."""
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=keys.to_json().encode(),
                ContentType="application/json",
                **condition,
            )
        except self.client.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in RACE_LOST_CODES:
                return code
            raise
        return None


class LocalFileKeyStore:
    """The key document as a private local file, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load_or_create(self) -> SecretKeys:
        try:
            return self._read()
        except FileNotFoundError:
            pass
        created = SecretKeys.generate()
        # Linking a complete file into place fails if another process got there first,
        # and no reader ever sees a half-written key.
        temporary = self._write_temporary(created)
        try:
            os.link(temporary, self.path)
        except FileExistsError:
            return self._read()
        finally:
            os.unlink(temporary)
        return created

    def update(
        self, change: Callable[[SecretKeys], SecretKeys], replace_unreadable: bool = False
    ) -> SecretKeys:
        new = changed(self.load_or_create, change, replace_unreadable)
        os.replace(self._write_temporary(new), self.path)  # atomic on one filesystem
        return new

    def _read(self) -> SecretKeys:
        return SecretKeys.from_json(self.path.read_text(encoding="utf-8"))

    def _write_temporary(self, keys: SecretKeys) -> Path:
        """`keys` in a new owner-only file beside the key file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=".secret-key-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(keys.to_json())
        return Path(name)
