"""Partner banks' credentials: registration (`sbk bank register`) and API-key checking.

``register_bank`` creates or updates a bank's webhook endpoint and issues a fresh API key and
webhook secret (shown once, to the caller); ``authenticate`` finds the bank an API key belongs to.
"""

from bot.banks.keys import KEY_PREFIX, generate_api_key, generate_webhook_secret, hash_api_key, parse_api_key
from bot.banks.registration import (
    authenticate,
    canonical_bank_name,
    register_bank,
    rotate_webhook_secret,
    validate_webhook_url,
)

__all__ = [
    "KEY_PREFIX",
    "authenticate",
    "canonical_bank_name",
    "generate_api_key",
    "generate_webhook_secret",
    "hash_api_key",
    "parse_api_key",
    "register_bank",
    "rotate_webhook_secret",
    "validate_webhook_url",
]
