"""API keys of partner banks: `sbk_<8-hex id>_<secret>`, stored as an argon2 hash plus the public id.

The public part (`sbk_<id>`, 12 characters) is stored in clear to find the row; the whole key is
checked against its argon2 hash. Argon2 is deliberately slow (about 0.3 s here), so a key that has
been verified once is remembered for the life of the process as a SHA-256 digest bound to the
stored hash: rotating the key (a new hash) forgets it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from functools import cache

from pwdlib import PasswordHash
from pwdlib.exceptions import PwdlibError

KEY_PREFIX = "sbk_"
_KEY = re.compile(r"^sbk_([0-9a-f]{8})_([A-Za-z0-9_-]{32,128})$")
_SECRET_BYTES = 32
_CACHE_SIZE = 1024


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    """A hash nobody's key matches, verified when no row matches, so failures take equal time."""
    return _hasher().hash(secrets.token_urlsafe(_SECRET_BYTES))


def generate_api_key() -> tuple[str, str]:
    """A new key and its public prefix, e.g. ("sbk_1a2b3c4d_…", "sbk_1a2b3c4d")."""
    prefix = f"{KEY_PREFIX}{secrets.token_hex(4)}"
    return f"{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}", prefix


def generate_webhook_secret() -> str:
    """A new secret in the Standard Webhooks form, ``whsec_`` + standard base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def parse_api_key(api_key: str) -> str | None:
    """The public prefix of a well-formed key, else None."""
    match = _KEY.match(api_key) if isinstance(api_key, str) else None
    return f"{KEY_PREFIX}{match.group(1)}" if match else None


def hash_api_key(api_key: str) -> str:
    return _hasher().hash(api_key)


_verified: dict[str, bytes] = {}  # stored hash -> SHA-256 of the key that matched it
_verified_lock = threading.Lock()


def _digest(api_key: str) -> bytes:
    return hashlib.sha256(api_key.encode()).digest()


def verify_api_key(api_key: str, stored_hash: str | None) -> bool:
    """True if `api_key` matches `stored_hash`; with None, spends the same time and says False."""
    if stored_hash is not None:
        known = _verified.get(stored_hash)
        if known is not None and hmac.compare_digest(known, _digest(api_key)):
            return True
    try:
        ok = _hasher().verify(api_key, stored_hash if stored_hash is not None else _dummy_hash())
    except PwdlibError:  # an unrecognisable stored hash is a non-match, not a crash
        ok = False
    if ok and stored_hash is not None:
        with _verified_lock:
            if len(_verified) >= _CACHE_SIZE:
                _verified.clear()
            _verified[stored_hash] = _digest(api_key)
    return ok and stored_hash is not None
