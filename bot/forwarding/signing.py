"""The signatures of a delivery: X-SBK-Signature (ours, since the first version) and Standard Webhooks 1.0.

X-SBK-Signature: ``sha256=`` + hex HMAC-SHA256 of the raw request body, keyed with the bank's
secret exactly as printed (its UTF-8 bytes, ``whsec_`` included). Banks integrated before the
Standard Webhooks headers rely on it, so its definition never changes.

webhook-signature (Standard Webhooks 1.0): ``v1,`` + base64 HMAC-SHA256 of
``{webhook-id}.{webhook-timestamp}.{raw body}``, keyed with the bytes the spec's ``whsec_<base64>``
form encodes. A secret issued before that form existed (43 URL-safe characters, no prefix) keys it
with its UTF-8 bytes instead, so those banks verify with ``Webhook(secret.encode())`` until they
rotate; `standard_key` is the one place that decides.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

PREFIX = "sha256="
SECRET_PREFIX = "whsec_"
# Standard base64 (the spec's alphabet, padded) of at least 24 bytes: anything else is an old secret.
_SPEC_SECRET = re.compile(r"^whsec_((?:[A-Za-z0-9+/]{4}){8,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$")


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


def is_spec_secret(secret: str) -> bool:
    """True for a secret in the Standard Webhooks form ``whsec_<base64>``, False for an older one."""
    match = _SPEC_SECRET.match(secret) if isinstance(secret, str) else None
    if match is None:
        return False
    try:
        base64.b64decode(match.group(1), validate=True)
    except binascii.Error:
        return False
    return True


def standard_key(secret: str) -> bytes:
    """The HMAC key of webhook-signature: the decoded base64 of a spec secret, else the secret's UTF-8."""
    if is_spec_secret(secret):
        return base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)
    return secret.encode("utf-8")


def standard_signature(body: bytes, *, msg_id: str, timestamp: int, secret: str) -> str:
    """One ``v1,<base64>`` signature of webhook-signature for this attempt under `secret`."""
    if isinstance(body, str):
        raise TypeError("sign the raw body bytes, not a str")
    signed = f"{msg_id}.{int(timestamp)}.".encode("ascii") + body
    digest = hmac.new(standard_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def standard_signatures(body: bytes, *, msg_id: str, timestamp: int, secrets: list[str]) -> str:
    """The webhook-signature value: one signature per active secret, newest first, space-separated."""
    if not secrets:
        raise ValueError("at least one secret signs")
    return " ".join(standard_signature(body, msg_id=msg_id, timestamp=timestamp, secret=s) for s in secrets)
