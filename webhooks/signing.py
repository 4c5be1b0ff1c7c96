"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

The secret is ``whsec_`` and 32 random bytes in base64. A message is signed
as ``v1,<base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``, the key
being the secret's bytes; the id, the time (Unix seconds) and the signature
travel in ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``.
``verify()`` is what a receiver does (docs/webhooks.md).
"""

import base64
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"
# A receiver refuses a message whose time is further than this from its clock.
TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    pass


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, body: bytes, *, now=None) -> dict:
    timestamp = int(now if now is not None else time.time())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }


def verify(secret: str, headers: dict, body: bytes, *, now=None) -> None:
    """Raise ``InvalidSignature`` unless ``body`` was signed with ``secret``
    recently. ``headers`` keys are lower-case; the signature header may hold
    several space-separated signatures (during a secret's rotation)."""
    try:
        message_id = headers["webhook-id"]
        timestamp = int(headers["webhook-timestamp"])
        signatures = headers["webhook-signature"].split()
    except (KeyError, ValueError) as error:
        raise InvalidSignature("missing or malformed headers") from error
    now = now if now is not None else time.time()
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("timestamp too far from now")
    expected = sign(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise InvalidSignature("no signature matches")
