"""Flask's signed-cookie sessions, with the secret key loaded only when a request uses
the session or reads the key: a cold start for any other page neither imports boto3 nor
calls S3. The same keys are the app's `secret_key` and SECRET_KEY_FALLBACKS, for
the extensions that sign with them (Flask-WTF, Flask-Login, itsdangerous helpers).

Keys are cached per process and re-read every `SECRET_KEY_CACHE_SECONDS`, so rotations
reach warm instances; a cookie signed with a key not yet known re-reads them early. While
no key can be loaded, only requests that need one get 503, and the next retries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Config
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import ServiceUnavailable

from .secret_key import KeyStore, SecretKeys

if TYPE_CHECKING:
    from flask import Flask, Request, Response

log = logging.getLogger(__name__)
UNAVAILABLE_LOG = "session unavailable: the secret key could not be loaded"
KEY_SETTINGS = frozenset({"SECRET_KEY", "SECRET_KEY_FALLBACKS"})


class SessionUnavailable(ServiceUnavailable):
    description = "Sessions are briefly unavailable. Please try again in a moment."

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        # With the distribution's error caching minimum of 0 (infra/cdn.py), nobody stores
        # this 503: the next request retries.
        return [*super().get_headers(*args, **kwargs), ("Cache-Control", "no-store")]


class KeyCache:
    """The store's keys, cached for `max_age` seconds (thread-safe)."""

    def __init__(self, store: KeyStore, max_age: float, min_refresh: float) -> None:
        self.store = store
        self.max_age = max_age
        self.min_refresh = min_refresh
        self._keys: SecretKeys | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> SecretKeys:
        """Cached keys, re-read when stale; raises only if none were ever loaded."""
        keys = self._keys
        if keys is not None and time.monotonic() - self._loaded_at < self.max_age:
            return keys
        return self._reload(older_than=self.max_age)

    def refresh_soon(self) -> SecretKeys:
        """Re-read now unless the keys were read in the last `min_refresh` seconds."""
        return self._reload(older_than=self.min_refresh)

    def _reload(self, older_than: float) -> SecretKeys:
        with self._lock:
            if self._keys is not None and time.monotonic() - self._loaded_at < older_than:
                return self._keys  # another thread just did it
            try:
                self._keys = self.store.load_or_create()
            except Exception:
                if self._keys is None:
                    raise
                log.warning("secret key refresh failed; keeping the cached key", exc_info=True)
            self._loaded_at = time.monotonic()
            return self._keys


class KeyedSession(SecureCookieSession):
    """A session that runs `key_check` once before any read or write: a key store that
    is down becomes a 503 for session pages only."""

    key_check: Callable[[], Any] | None = None

    @property
    def permanent(self) -> bool:
        # Read without counting as a use: Flask's save_session asks this of
        # every session, and a view that never used it must not look as if it had.
        return bool(dict.get(self, "_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    def _use(self) -> None:
        self.accessed = True
        if self.key_check is not None:
            self.key_check()
            self.key_check = None

    def __getitem__(self, key: str) -> Any:
        self._use()
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._use()
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self._use()
        return super().get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._use()
        return super().setdefault(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self._use()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._use()
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self._use()
        return super().pop(key, *default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._use()
        super().update(*args, **kwargs)

    def popitem(self) -> tuple[str, Any]:
        self._use()
        return super().popitem()

    def clear(self) -> None:
        self._use()
        super().clear()


class KeyStoreConfig(Config):
    """Flask's config, whose SECRET_KEY and SECRET_KEY_FALLBACKS (and so `app.secret_key`)
    are read from the key cache by name each time: rotations reach them, and nothing else
    loads the key. Neither may be set: a key of one's own would not be the sessions'.

    Reading the key does not make a page personal (caching.py): the key is the site's,
    not the visitor's. A token tied to the visitor, such as a CSRF token, lives in the
    session, and using the session does make it so.
    """

    def __init__(self, config: Config, keys: Callable[[], SecretKeys]) -> None:
        for name in KEY_SETTINGS:
            if dict.get(config, name) is not None:
                raise ValueError(_set_by_hand(name))
        super().__init__(config.root_path, config)
        self._keys = keys

    # Every config read of every request comes through here: calling dict's own methods,
    # not super()'s, keeps one at about 40 ns more than a plain dict's (130 through super()).
    def __getitem__(self, name: str) -> Any:
        if name in KEY_SETTINGS:
            return self._key_setting(name)
        return dict.__getitem__(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        if name in KEY_SETTINGS:
            return self._key_setting(name)
        return dict.get(self, name, default)

    def __setitem__(self, name: str, value: Any) -> None:
        if name in KEY_SETTINGS and value is not None:  # None, as copy.copy() writes, is no key
            raise ValueError(_set_by_hand(name))
        super().__setitem__(name, value)

    def _key_setting(self, name: str) -> str | list[str]:
        keys = self._keys()
        return keys.current if name == "SECRET_KEY" else keys.fallback_keys


def _set_by_hand(name: str) -> str:
    return (
        f"{name} cannot be set: it is read from the key store (SECRET_KEY_BUCKET when "
        "deployed, else SECRET_KEY_FILE), where rotations change it"
    )


class KeyStoreSessionInterface(SecureCookieSessionInterface):
    session_class = KeyedSession

    def __init__(self, store: KeyStore, cache_seconds: float = 300, min_refresh: float = 10):
        self.keys = KeyCache(store, max_age=cache_seconds, min_refresh=min_refresh)

    def init_app(self, app: Flask) -> None:
        """Sign `app`'s sessions with the store's keys, and make them its `secret_key` and
        SECRET_KEY_FALLBACKS: `app.config` becomes a `KeyStoreConfig` with the same values."""
        app.config = KeyStoreConfig(app.config, self.required_keys)
        app.session_interface = self

    def secret_keys(self) -> SecretKeys:
        """The current keys (loaded on first call, then cached)."""
        return self.keys.get()

    def required_keys(self) -> SecretKeys:
        """The current keys, or a 503 for the request that needs them."""
        try:
            return self.secret_keys()
        except Exception as error:
            log.exception(UNAVAILABLE_LOG)
            raise SessionUnavailable(retry_after=5) from error

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer:
        return self._serializer(self.secret_keys())

    def open_session(self, app: Flask, request: Request) -> KeyedSession:
        session = self.session_class()
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            session.key_check = self.required_keys  # loaded if the view uses the session
            return session
        try:
            keys = self.secret_keys()
        except Exception:
            log.exception(UNAVAILABLE_LOG)
            session.key_check = self._unavailable
            return session
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = self._serializer(keys).loads(cookie, max_age=max_age)
        except UnicodeEncodeError:
            return session  # a lone surrogate (a hand-made event): no cookie of ours
        except BadSignature:
            # Perhaps signed with a key rotated in since this process read its keys.
            fresh = self.keys.refresh_soon()
            if fresh == keys:
                return session  # a stale or forged cookie: start a new session
            try:
                data = self._serializer(fresh).loads(cookie, max_age=max_age)
            except BadSignature:
                return session
        return self.session_class(data)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        if isinstance(session, KeyedSession) and session.key_check is not None:
            return  # the view never used the session: nothing to write or refresh
        super().save_session(app, session, response)

    def _serializer(self, keys: SecretKeys) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            keys.verification_keys,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    @staticmethod
    def _unavailable() -> None:
        raise SessionUnavailable(retry_after=5)
