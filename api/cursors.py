"""Opaque, signed cursors for the API's lists.

A cursor names the last item of a page, signed so that no client can make
one up: stories by ``(published_at, pk)``, tags and authors by ``(name, pk)``,
search results by their place in the ranking. Signing is deterministic (the
same position gives the same cursor), so a cached page's "next" link is one
address per position, whatever the number of requests: the page cache can
keep it (``pagecache.store.QUERY_PARAMS`` bounds the form; a cursor that does
not verify is a 400 and never stored).
"""

import base64
import json
from datetime import UTC, datetime, timedelta

from django.core import signing

SALT = "api.cursor"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# Longer than any cursor made here (a tag's name is at most 100 characters).
MAX_LENGTH = 600


class BadCursor(ValueError):
    """The cursor was not made here, or for another list."""


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=".")


def _encode(kind: str, values: list) -> str:
    payload = json.dumps([kind, *values], separators=(",", ":"), ensure_ascii=False)
    token = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    return _signer().sign(token)


def _decode(kind: str, cursor: str) -> list:
    if not cursor or len(cursor) > MAX_LENGTH:
        raise BadCursor(cursor)
    try:
        token = _signer().unsign(cursor)
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(payload, list) or not payload or payload[0] != kind:
        raise BadCursor(cursor)
    return payload[1:]


def for_story(published_at: datetime, pk: int) -> str:
    return _encode("s", [(published_at - EPOCH) // MICROSECOND, pk])


def story_position(cursor: str) -> tuple[datetime, int]:
    values = _decode("s", cursor)
    if len(values) != 2 or not all(type(value) is int for value in values):
        raise BadCursor(cursor)
    micros, pk = values
    try:
        return EPOCH + micros * MICROSECOND, pk
    except OverflowError as exc:  # pragma: no cover - only signed values get here
        raise BadCursor(cursor) from exc


def for_name(kind: str, name: str, pk: int) -> str:
    return _encode(kind, [name, pk])


def name_position(kind: str, cursor: str) -> tuple[str, int]:
    values = _decode(kind, cursor)
    if len(values) != 2 or type(values[0]) is not str or type(values[1]) is not int:
        raise BadCursor(cursor)
    return values[0], values[1]


def for_offset(kind: str, offset: int) -> str:
    return _encode(kind, [offset])


def offset_position(kind: str, cursor: str) -> int:
    values = _decode(kind, cursor)
    if len(values) != 1 or type(values[0]) is not int or values[0] < 0:
        raise BadCursor(cursor)
    return values[0]
