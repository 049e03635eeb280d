"""Flask's signed-cookie sessions, with the secret key loaded on first need.

The key is fetched from its store (S3 when deployed) the first time a request
carries a session cookie or writes the session, then cached for the life of
the process. Requests that never touch the session never load it, so a cold
start for a cacheable page does not import boto3 or call S3.

Any response that read or wrote the session is marked `Cache-Control: private`:
a shared cache (CloudFront) must never hand one visitor's cookie or
session-dependent page to another.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from .secret_key import KeyStore, SecretKeys

if TYPE_CHECKING:
    from flask import Flask, Request, Response


class KeyStoreSessionInterface(SecureCookieSessionInterface):
    def __init__(self, store: KeyStore) -> None:
        self.store = store
        self._keys: SecretKeys | None = None
        self._lock = threading.Lock()

    def secret_keys(self) -> SecretKeys:
        """The keys, loaded once per process (a failure is not cached)."""
        if self._keys is None:
            with self._lock:
                if self._keys is None:
                    self._keys = self.store.load_or_create()
        return self._keys

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer:
        keys = self.secret_keys()
        return URLSafeTimedSerializer(
            # itsdangerous signs with the last key and verifies with all of them.
            [*keys.fallbacks, keys.current],
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # nothing to verify: no key needed yet
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        if session.accessed:
            response.cache_control.public = False
            response.cache_control.s_maxage = None
            response.cache_control.private = True
        super().save_session(app, session, response)
