"""Where Flask's session secret key lives, and how it is created exactly once.

The key document is JSON: `{"current": "<hex>", "fallbacks": ["<hex>", ...]}`.
`current` signs new session cookies; `fallbacks` (older keys) still verify
cookies signed before a rotation.

- `S3KeyStore` (deployed): one object in a private bucket. The first Lambda
  instance to need a key writes it with a conditional put (`IfNoneMatch="*"`);
  an instance that loses that race reads the winner's key, so every instance
  signs with the same key.
- `LocalFileKeyStore` (local runs): a file, created the same race-free way with
  a hard link, so `make dev` needs no AWS account.

boto3 is imported only when an S3 store is first used: pages that never touch
the session do not pay for it at cold start.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

KEY_BYTES = 32


class KeyDocumentError(ValueError):
    """The stored key document is not what this module writes."""


@dataclass(frozen=True)
class SecretKeys:
    current: str
    fallbacks: tuple[str, ...] = field(default=())

    @classmethod
    def generate(cls) -> SecretKeys:
        return cls(current=secrets.token_hex(KEY_BYTES))

    def to_json(self) -> str:
        return json.dumps({"current": self.current, "fallbacks": list(self.fallbacks)})

    @classmethod
    def from_json(cls, text: str | bytes) -> SecretKeys:
        try:
            data = json.loads(text)
            current, fallbacks = data["current"], data.get("fallbacks", [])
        except (ValueError, TypeError, KeyError) as error:
            raise KeyDocumentError(f"unreadable secret key document: {error!r}") from None
        keys = [current, *fallbacks]
        if not all(isinstance(key, str) and len(key) >= 2 * KEY_BYTES for key in keys):
            raise KeyDocumentError("secret keys must be strings of at least 64 hex digits")
        return cls(current=current, fallbacks=tuple(fallbacks))


class KeyStore(Protocol):
    def load_or_create(self) -> SecretKeys:
        """Return the stored keys, creating them first if there are none."""
        ...


# S3 answers a lost `IfNoneMatch="*"` race with 412, or with 409 while the
# winning upload is still in flight.
RACE_LOST_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})


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

            self._client = boto3.client("s3")
        return self._client

    def load_or_create(self) -> SecretKeys:
        stored = self._read()
        if stored is not None:
            return stored
        created = SecretKeys.generate()
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=created.to_json().encode(),
                ContentType="application/json",
                IfNoneMatch="*",
            )
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") not in RACE_LOST_CODES:
                raise
            winner = self._read()
            if winner is None:
                raise
            return winner
        return created

    def _read(self) -> SecretKeys | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except self.client.exceptions.NoSuchKey:
            return None
        return SecretKeys.from_json(response["Body"].read())


class LocalFileKeyStore:
    """The key document as a private local file, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load_or_create(self) -> SecretKeys:
        try:
            return SecretKeys.from_json(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            pass
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = SecretKeys.generate()
        # Write a complete file under a temporary name, then link it into place:
        # the link fails if another process got there first, and no reader ever
        # sees a half-written key.
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".secret-key-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(created.to_json())
            os.link(temporary, self.path)
        except FileExistsError:
            return SecretKeys.from_json(self.path.read_text(encoding="utf-8"))
        finally:
            os.unlink(temporary)
        return created
