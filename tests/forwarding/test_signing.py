"""X-SBK-Signature: sha256=<hex HMAC-SHA256 of the raw body with the bank's secret>."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from bot.forwarding import sign, verify


def test_known_vector():
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    assert sign(b"what do ya want for nothing?", "Jefe") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_utf8_secret_and_body():
    body = '{"bank":"中国建设银行"}'.encode()
    expected = hmac.new("密钥".encode(), body, hashlib.sha256).hexdigest()
    assert sign(body, "密钥") == "sha256=" + expected


@given(body=st.binary(max_size=512), secret=st.text(min_size=1, max_size=40))
def test_verify_accepts_own_signature(body, secret):
    assert verify(body, secret, sign(body, secret))
    assert verify(body, secret, sign(body, secret).upper().replace("SHA256=", "sha256="))


@given(body=st.binary(max_size=256), secret=st.text(min_size=1, max_size=20), flip=st.integers(min_value=0))
def test_verify_rejects_changed_body_or_secret(body, secret, flip):
    header = sign(body, secret)
    changed = bytearray(body + b"!")
    changed[flip % len(changed)] ^= 0x01
    assert not verify(bytes(changed), secret, header)
    assert not verify(body, secret + "x", header)


def test_verify_rejects_malformed_headers():
    body = b"{}"
    good = sign(body, "s")
    for header in (None, "", good[len("sha256="):], "sha1=" + good[7:], good[:-1], good + "0", "sha256=中文"):
        assert not verify(body, "s", header)


def test_integration_guide_vector_and_python_snippet():
    """docs/bank-integration.md: its test vector is right and its Python snippet verifies our signatures."""
    import re
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "bank-integration.md").read_text(encoding="utf-8")
    body_line = re.search(r"Test vector.*?```\n(.*?)\n```", guide, re.S).group(1)
    header = re.search(r"expected header: `(sha256=[0-9a-f]{64})`", guide).group(1)
    body = body_line.encode("utf-8")
    assert f"{len(body)} UTF-8 bytes" in guide
    assert sign(body, "whsec_example") == header

    snippet = re.search(r"### Python\n\n```python\n(.*?)```", guide, re.S).group(1)
    namespace: dict = {}
    exec(compile(snippet, "bank-integration.md", "exec"), namespace)
    bank_verify = namespace["verify"]
    assert bank_verify(body, "whsec_example", header)
    assert not bank_verify(body + b" ", "whsec_example", header)
    assert not bank_verify(body, "other", header)
