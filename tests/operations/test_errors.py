"""Error reports (SENTRY_DSN) go to a Sentry-compatible server only when
asked: a real gunicorn reports a deliberate error to a receiver this test
starts, without personal data and tagged with the request id; without a DSN
the SDK is never started."""

import gzip
import json
import time
import zlib

import pytest
import sentry_sdk
from django.conf import settings

from newsroom import errors, requestid
from tests.faults.servers import make_sqlite_site, request, site_env
from tests.operations.servers import gunicorn, receiver


def envelope_items(body: bytes, encoding: str | None) -> list[tuple[dict, dict]]:
    """(item header, payload) pairs of a Sentry envelope."""
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "deflate":
        body = zlib.decompress(body)
    elif encoding == "br":
        import brotli

        body = brotli.decompress(body)
    lines = body.split(b"\n")
    items = []
    index = 1
    while index + 1 < len(lines):
        header = json.loads(lines[index])
        payload = lines[index + 1]
        items.append((header, json.loads(payload) if payload.strip() else {}))
        index += 2
    return items


def test_a_report_names_the_request_and_outage_lines_are_not_sent():
    token = requestid._current.set("req-9")
    try:
        event = errors.tag_request_id({"message": "x"}, {})
        outage = errors.tag_request_id(
            {"logentry": {"message": "Database unavailable: %s"}}, {}
        )
    finally:
        requestid._current.reset(token)
    assert event["tags"] == {"request_id": "req-9"}
    assert outage is None
    assert errors.tag_request_id({"message": "x"}, {}) == {"message": "x"}


def test_without_a_dsn_nothing_is_reported():
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


@pytest.mark.slow
def test_an_error_is_reported_to_the_configured_server(tmp_path):
    database_url, _ = make_sqlite_site(tmp_path)
    with receiver() as sentry:
        env = site_env(
            database_url,
            SENTRY_DSN=f"http://publickey@127.0.0.1:{sentry.port}/7",
            SENTRY_ENVIRONMENT="ops-test",
            SENTRY_RELEASE="newsroom@test",
        )
        env["DJANGO_SETTINGS_MODULE"] = "tests.operations.server_settings"
        with gunicorn(env, tmp_path / "gunicorn.log", workers=1) as server:
            status, headers, body = request(
                server.base + "/ops-test/fail/",
                headers={
                    "X-Request-ID": "report-me-1",
                    "Cookie": "sessionid=secret-session-value",
                },
            )
            assert status == 500
            assert b"deliberate failure" not in body
            deadline = time.monotonic() + 30
            events = []
            while not events and time.monotonic() < deadline:
                sentry.arrived.wait(1)
                for path, got_headers, raw in list(sentry.received):
                    assert path == "/api/7/envelope/"
                    for item_header, payload in envelope_items(
                        raw, got_headers.get("Content-Encoding")
                    ):
                        if item_header.get("type") == "event":
                            events.append((payload, raw))
    log = (tmp_path / "gunicorn.log").read_text()
    assert events, "no error report arrived:\n" + log
    event, raw = events[0]
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "RuntimeError"
    assert "deliberate failure" in exception["value"]
    assert event["tags"]["request_id"] == "report-me-1"
    assert (event["environment"], event["release"]) == ("ops-test", "newsroom@test")
    # No personal data: no cookies, no user, no client address.
    flat = json.dumps(event)
    assert "secret-session-value" not in flat
    sent = event["request"]
    assert sent["headers"].get("Cookie") in (None, "[Filtered]")
    assert sent.get("cookies") in (None, {}, "[Filtered]")
    assert "REMOTE_ADDR" not in sent.get("env", {})
    assert "ip_address" not in json.dumps(event.get("user", {}))
