"""Partner banks' credentials: registration (`sbk bank register`) and API-key checking.

``register_bank`` creates or updates a bank's webhook endpoint and issues a fresh API key and
webhook secret (shown once, to the caller); ``change_webhook_url`` moves the endpoint alone;
``authenticate`` finds the bank an API key belongs to.
"""

from bot.banks.keys import KEY_PREFIX, generate_api_key, generate_webhook_secret, hash_api_key, parse_api_key
from bot.banks.registration import (
    authenticate,
    canonical_bank_name,
    change_webhook_url,
    register_bank,
    rotate_webhook_secret,
    validate_webhook_url,
)

__all__ = [
    "KEY_PREFIX",
    "authenticate",
    "canonical_bank_name",
    "change_webhook_url",
    "generate_api_key",
    "generate_webhook_secret",
    "hash_api_key",
    "parse_api_key",
    "register_bank",
    "rotate_webhook_secret",
    "validate_webhook_url",
]
