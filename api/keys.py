"""Partners' keys: made, hashed and checked here.

A key reads ``nrk_<prefix>_<secret>``: the prefix finds the row (one indexed
look-up), the secret is compared with the stored SHA-256 in constant time.
The secret is 32 random bytes, so a fast hash is enough (a slow password hash
protects guessable secrets; these are not guessable).
"""

import hashlib
import hmac
import re
import secrets

from api.models import ApiKey

KEY_FORM = re.compile(r"nrk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """A fresh key: (the whole key, its prefix, the hash of its secret)."""
    prefix = "".join(
        secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12)
    )
    secret = secrets.token_urlsafe(32)
    return f"nrk_{prefix}_{secret}", prefix, hash_secret(secret)


def issue(key: ApiKey) -> str:
    """Give ``key`` (unsaved, or being re-issued) a new secret; return the
    whole key, to be shown once. The caller saves the row."""
    whole, key.prefix, key.secret_hash = new_key()
    return whole


def find(token: str | None) -> ApiKey | None:
    """The usable key ``token`` is, or None (malformed, unknown, revoked,
    expired or a wrong secret: all alike to the caller)."""
    if not token:
        return None
    match = KEY_FORM.fullmatch(token.strip())
    if match is None:
        return None
    prefix, secret = match.groups()
    key = ApiKey.objects.usable().filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
        return None
    return key
