"""X-SBK-Signature: ``sha256=`` + hex HMAC-SHA256 of the raw request body with the bank's secret."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The X-SBK-Signature header value for `body` (the exact bytes sent) under `secret`."""
    if isinstance(body, str):
        raise TypeError("sign the raw body bytes, not a str")
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(body: bytes, secret: str, header: str | None) -> bool:
    """True when `header` is the signature of `body` under `secret` (constant-time comparison)."""
    if not header or not isinstance(header, str):
        return False
    header = header.strip()
    if not header[: len(PREFIX)].lower() == PREFIX:
        return False
    given = header[len(PREFIX):].strip().lower().encode("utf-8", "replace")
    expected = sign(body, secret)[len(PREFIX):].encode("ascii")
    return hmac.compare_digest(expected, given)
